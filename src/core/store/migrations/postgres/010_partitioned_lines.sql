-- The lines of the Tayssir cycles, one partition a cycle (tayssir_lines_<cycle id>). A cycle's
-- first lines are written into a table of their own, then attached: PostgreSQL checks the
-- foreign keys of the whole partition by one query each, where a row inserted into the table
-- fires a trigger per foreign key (four a line: 17 of 19 seconds for a region's 910,000 lines).
-- Recomputations rewrite only the lines that changed, through the partitioned table.
ALTER TABLE tayssir_lines RENAME TO tayssir_lines_unpartitioned;
ALTER TABLE tayssir_lines_unpartitioned RENAME CONSTRAINT tayssir_lines_pkey TO
  tayssir_lines_unpartitioned_pkey;
ALTER INDEX tayssir_lines_school RENAME TO tayssir_lines_unpartitioned_school;

CREATE TABLE tayssir_lines (
  cycle_id BIGINT NOT NULL REFERENCES tayssir_cycles(id),
  pupil_id BIGINT NOT NULL REFERENCES pupils(id),
  school_id BIGINT NOT NULL REFERENCES schools(id),
  household_id BIGINT REFERENCES households(id),
  level TEXT NOT NULL,
  reason TEXT NOT NULL,
  monthly BIGINT NOT NULL,
  months TEXT NOT NULL,
  absences TEXT NOT NULL,
  due BIGINT NOT NULL,
  forfeited BIGINT NOT NULL,
  PRIMARY KEY (cycle_id, pupil_id)
) PARTITION BY LIST (cycle_id);
CREATE INDEX tayssir_lines_school ON tayssir_lines(cycle_id, school_id);

DO $$
DECLARE
  c BIGINT;
BEGIN
  FOR c IN SELECT DISTINCT cycle_id FROM tayssir_lines_unpartitioned ORDER BY cycle_id LOOP
    EXECUTE format('CREATE TABLE tayssir_lines_%s PARTITION OF tayssir_lines FOR VALUES IN (%s)',
                   c, c);
  END LOOP;
END $$;
INSERT INTO tayssir_lines SELECT * FROM tayssir_lines_unpartitioned;
DROP TABLE tayssir_lines_unpartitioned;
