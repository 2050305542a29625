-- The sessions (half-days) a pupil missed on a day of absence, as Massar records them: 1 when the
-- file does not say (a day with any absence is one day). A program's policy counts days (its
-- default) or sessions (issue 26).
ALTER TABLE absences ADD COLUMN sessions INTEGER NOT NULL DEFAULT 1 CHECK (sessions BETWEEN 1 AND 12);
