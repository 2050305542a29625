-- Schools confirming or flagging their part of what a program prepared for them (a Tayssir
-- cycle's lists, and the kits forecasts and grant rankings to come): one answer per school and
-- subject, the latest kept. `subject` names the program's record ("tayssir cycle").
CREATE TABLE school_checks (
  subject TEXT NOT NULL,
  subject_id BIGINT NOT NULL,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  state TEXT NOT NULL CHECK (state IN ('confirmed', 'flagged')),
  note TEXT NOT NULL,
  checked_by TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  PRIMARY KEY (subject, subject_id, school_id)
);
