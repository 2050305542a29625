-- Tayssir's school checks move to the core's table (core/002_school_checks), which every program
-- shares; each row kept.
INSERT INTO school_checks (subject, subject_id, school_id, state, note, checked_by, checked_at)
SELECT 'tayssir cycle', cycle_id, school_id, state, note, checked_by, checked_at
FROM tayssir_school_checks;
DROP TABLE tayssir_school_checks;
