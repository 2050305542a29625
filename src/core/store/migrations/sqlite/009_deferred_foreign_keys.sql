-- The foreign keys of the three tables a large import fills (enrolments, household members,
-- absences) are checked at commit instead of after each statement. Nothing else changes: a
-- missing parent still refuses the whole transaction. With them deferred, and the bulk path's
-- INSERT OR ROLLBACK (an import is all-or-nothing anyway), a statement writing a hundred rows
-- needs no statement journal — the copy of every page it touches, kept so that the statement
-- alone could be undone — which took about a third of an import's writing time.
-- SQLite cannot alter a constraint: each table is rebuilt (no table, view or trigger refers to
-- them).
CREATE TABLE enrolments_new (
  id INTEGER PRIMARY KEY,
  pupil_id INTEGER NOT NULL REFERENCES pupils(id) DEFERRABLE INITIALLY DEFERRED,
  school_year TEXT NOT NULL REFERENCES school_years(code) DEFERRABLE INITIALLY DEFERRED,
  school_id INTEGER NOT NULL REFERENCES schools(id) DEFERRABLE INITIALLY DEFERRED,
  level TEXT NOT NULL,
  class_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('enrolled', 'transferred', 'left', 'repeating')),
  transfer_to TEXT,
  left_date TEXT,
  UNIQUE (pupil_id, school_year, school_id)
);
INSERT INTO enrolments_new SELECT id, pupil_id, school_year, school_id, level, class_name, status,
  transfer_to, left_date FROM enrolments ORDER BY id;
DROP TABLE enrolments;
ALTER TABLE enrolments_new RENAME TO enrolments;
CREATE INDEX enrolments_school ON enrolments(school_id, school_year, level, class_name);

CREATE TABLE household_members_new (
  pupil_id INTEGER PRIMARY KEY REFERENCES pupils(id) DEFERRABLE INITIALLY DEFERRED,
  household_id INTEGER NOT NULL REFERENCES households(id) DEFERRABLE INITIALLY DEFERRED,
  relation TEXT NOT NULL CHECK (relation IN ('father', 'mother', 'guardian'))
);
INSERT INTO household_members_new SELECT pupil_id, household_id, relation FROM household_members
  ORDER BY pupil_id;
DROP TABLE household_members;
ALTER TABLE household_members_new RENAME TO household_members;
CREATE INDEX household_members_household ON household_members(household_id);

CREATE TABLE absences_new (
  pupil_id INTEGER NOT NULL REFERENCES pupils(id) DEFERRABLE INITIALLY DEFERRED,
  day TEXT NOT NULL,
  justified INTEGER NOT NULL CHECK (justified IN (0, 1)),
  PRIMARY KEY (pupil_id, day)
) WITHOUT ROWID;
INSERT INTO absences_new SELECT pupil_id, day, justified FROM absences ORDER BY pupil_id, day;
DROP TABLE absences;
ALTER TABLE absences_new RENAME TO absences;
