-- Rows of the registry are never deleted: a pupil who leaves keeps his row with a status, a
-- household its payee, a school its code, and the cycles, their lines and the payment files
-- name them for good. Deleting from these tables is refused.
--
-- This replaces the foreign keys of the Tayssir lines to pupils and households. Attaching a
-- cycle's partition checked each by one anti-join over the whole referenced table, whatever
-- the cycle's size: 0.45 s a directorate on a region's registry (4 of the 14 s of computing
-- a region), about 1.2 s a directorate on the national one (its 7.5 million pupils and 4
-- million households; 75 directorates). The lines are written from the registry's rows just
-- read and those rows cannot go. The lines still refer to their cycle and school by foreign
-- keys (small tables).
CREATE FUNCTION sanad_registry_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'rows of % are never deleted: the registry keeps them (cycles and payments name them)',
    TG_TABLE_NAME;
END $$;
CREATE TRIGGER pupils_kept BEFORE DELETE OR TRUNCATE ON pupils
  FOR EACH STATEMENT EXECUTE FUNCTION sanad_registry_kept();
CREATE TRIGGER households_kept BEFORE DELETE OR TRUNCATE ON households
  FOR EACH STATEMENT EXECUTE FUNCTION sanad_registry_kept();
CREATE TRIGGER schools_kept BEFORE DELETE OR TRUNCATE ON schools
  FOR EACH STATEMENT EXECUTE FUNCTION sanad_registry_kept();

DO $$
DECLARE
  c TEXT;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'tayssir_lines'::regclass
             AND contype = 'f' AND confrelid IN ('pupils'::regclass, 'households'::regclass)
  LOOP
    EXECUTE format('ALTER TABLE tayssir_lines DROP CONSTRAINT %I', c);
  END LOOP;
END $$;
