-- Absence days counted per pupil, school year and month (September to August), unjustified and
-- justified: what the Tayssir cycles read instead of grouping the absences themselves (a region's
-- 4.3 million days of a period took 5 s to group on PostgreSQL). Kept by the store whenever
-- absences are written or deleted. `sanad init` fills it for a database that has absences already
-- (it finds the tallies' total different from the absences' and counts them).
-- Derived from the absences (whose pupils are checked), it names no foreign key of its own.
CREATE TABLE absence_tallies (
  pupil_id BIGINT NOT NULL,
  school_year TEXT NOT NULL,
  unjustified_09 INTEGER NOT NULL DEFAULT 0,
  unjustified_10 INTEGER NOT NULL DEFAULT 0,
  unjustified_11 INTEGER NOT NULL DEFAULT 0,
  unjustified_12 INTEGER NOT NULL DEFAULT 0,
  unjustified_01 INTEGER NOT NULL DEFAULT 0,
  unjustified_02 INTEGER NOT NULL DEFAULT 0,
  unjustified_03 INTEGER NOT NULL DEFAULT 0,
  unjustified_04 INTEGER NOT NULL DEFAULT 0,
  unjustified_05 INTEGER NOT NULL DEFAULT 0,
  unjustified_06 INTEGER NOT NULL DEFAULT 0,
  unjustified_07 INTEGER NOT NULL DEFAULT 0,
  unjustified_08 INTEGER NOT NULL DEFAULT 0,
  justified_09 INTEGER NOT NULL DEFAULT 0,
  justified_10 INTEGER NOT NULL DEFAULT 0,
  justified_11 INTEGER NOT NULL DEFAULT 0,
  justified_12 INTEGER NOT NULL DEFAULT 0,
  justified_01 INTEGER NOT NULL DEFAULT 0,
  justified_02 INTEGER NOT NULL DEFAULT 0,
  justified_03 INTEGER NOT NULL DEFAULT 0,
  justified_04 INTEGER NOT NULL DEFAULT 0,
  justified_05 INTEGER NOT NULL DEFAULT 0,
  justified_06 INTEGER NOT NULL DEFAULT 0,
  justified_07 INTEGER NOT NULL DEFAULT 0,
  justified_08 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (pupil_id, school_year)
);
