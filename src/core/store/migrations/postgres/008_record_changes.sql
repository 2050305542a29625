-- What an import changed in a record already there, field by field (before → after), attached to
-- the import's audit entry: the history of a record. The audit entry holds the count and SHA-256
-- of its changes, so that `sanad audit verify` finds a change altered, added or deleted.
CREATE TABLE record_changes (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  audit_id BIGINT NOT NULL REFERENCES audit_log(id),
  kind TEXT NOT NULL,    -- pupil, enrolment, membership, absence, school, household
  record TEXT NOT NULL,  -- the record's natural key: code Massar, GRESA code, CIN
  part TEXT NOT NULL,    -- within it: "YEAR SCHOOL" of an enrolment, the day of an absence
  fields TEXT NOT NULL   -- JSON: {"column": [before, after], …}
);
CREATE INDEX record_changes_record ON record_changes(record, id);
CREATE INDEX record_changes_audit ON record_changes(audit_id, id);
