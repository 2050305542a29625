-- Absence days counted per pupil, school year and month (September to August), unjustified and
-- justified: what the Tayssir cycles read instead of grouping the absences themselves (a region's
-- 4.3 million days of a period took 5 s to group on PostgreSQL). Kept by the store whenever
-- absences are written or deleted: the pupils touched are counted again from their absences.
-- Derived from the absences (whose pupils are checked), it names no foreign key of its own.
-- Without rowid: a pupil's counts are found by one seek in the key.
CREATE TABLE absence_tallies (
  pupil_id INTEGER NOT NULL,
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
) WITHOUT ROWID;
INSERT INTO absence_tallies (pupil_id, school_year, unjustified_09, unjustified_10, unjustified_11, unjustified_12, unjustified_01, unjustified_02, unjustified_03, unjustified_04, unjustified_05, unjustified_06, unjustified_07, unjustified_08, justified_09, justified_10, justified_11, justified_12, justified_01, justified_02, justified_03, justified_04, justified_05, justified_06, justified_07, justified_08)
SELECT pupil_id, CASE WHEN substr(day, 6, 2) >= '09' THEN substr(day, 1, 4) || '-' || CAST(CAST(substr(day, 1, 4) AS INTEGER) + 1 AS TEXT) ELSE CAST(CAST(substr(day, 1, 4) AS INTEGER) - 1 AS TEXT) || '-' || substr(day, 1, 4) END,
  sum(CASE WHEN substr(day, 6, 2) = '09' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '10' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '11' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '12' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '01' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '02' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '03' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '04' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '05' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '06' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '07' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '08' AND justified = 0 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '09' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '10' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '11' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '12' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '01' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '02' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '03' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '04' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '05' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '06' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '07' AND justified = 1 THEN 1 ELSE 0 END),
  sum(CASE WHEN substr(day, 6, 2) = '08' AND justified = 1 THEN 1 ELSE 0 END)
FROM absences GROUP BY pupil_id, CASE WHEN substr(day, 6, 2) >= '09' THEN substr(day, 1, 4) || '-' || CAST(CAST(substr(day, 1, 4) AS INTEGER) + 1 AS TEXT) ELSE CAST(CAST(substr(day, 1, 4) AS INTEGER) - 1 AS TEXT) || '-' || substr(day, 1, 4) END;
