-- A line per pupil and school: a pupil moved between two schools of one directorate during a
-- transfer period has a line at each, listed under that school, each month judged at the school
-- he was at (issue 26). The key of a cycle's lines takes the school.
ALTER TABLE tayssir_lines DROP CONSTRAINT tayssir_lines_pkey;
ALTER TABLE tayssir_lines ADD PRIMARY KEY (cycle_id, pupil_id, school_id);
