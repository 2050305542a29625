-- A line per pupil and school: a pupil moved between two schools of one directorate during a
-- transfer period has a line at each, listed under that school, each month judged at the school
-- he was at (issue 26). The key of a cycle's lines takes the school; SQLite cannot alter a
-- key: the table is rebuilt, its rows kept.
CREATE TABLE tayssir_lines_new (
  cycle_id INTEGER NOT NULL REFERENCES tayssir_cycles(id),
  pupil_id INTEGER NOT NULL REFERENCES pupils(id),
  school_id INTEGER NOT NULL REFERENCES schools(id),
  household_id INTEGER REFERENCES households(id),
  level TEXT NOT NULL,
  reason TEXT NOT NULL,
  monthly INTEGER NOT NULL,
  months TEXT NOT NULL,
  absences TEXT NOT NULL,
  due INTEGER NOT NULL,
  forfeited INTEGER NOT NULL,
  PRIMARY KEY (cycle_id, pupil_id, school_id)
) WITHOUT ROWID;
INSERT INTO tayssir_lines_new SELECT cycle_id, pupil_id, school_id, household_id, level, reason,
  monthly, months, absences, due, forfeited FROM tayssir_lines ORDER BY cycle_id, pupil_id;
DROP TABLE tayssir_lines;
ALTER TABLE tayssir_lines_new RENAME TO tayssir_lines;
CREATE INDEX tayssir_lines_school ON tayssir_lines(cycle_id, school_id);
