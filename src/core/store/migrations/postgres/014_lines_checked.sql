-- The Tayssir lines' foreign keys to their cycle and their school, replaced by checks that do
-- not read a new partition again. Attaching a cycle's partition checked each key by one
-- anti-join over the whole partition: nationally about 2 s of a computation (75 partitions,
-- 7.5 million lines) for two tables whose rows the lines were just written from. A line still
-- always names a cycle and a school that exist:
--   - a line inserted or changed in the partitioned table (recomputations, anything else) is
--     checked row by row by the trigger below;
--   - a new partition's lines, copied into it before it is attached, are checked by the store
--     first: the cycle, and the schools they name, by one query each on their ids;
--   - schools are never deleted (migration 013), nor a cycle that has lines (trigger below).
DO $$
DECLARE
  c TEXT;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'tayssir_lines'::regclass
             AND contype = 'f' AND confrelid IN ('tayssir_cycles'::regclass, 'schools'::regclass)
  LOOP
    EXECUTE format('ALTER TABLE tayssir_lines DROP CONSTRAINT %I', c);
  END LOOP;
END $$;

CREATE FUNCTION sanad_line_names_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- KEY SHARE, as a foreign key would: a cycle being deleted waits for this line's transaction.
  PERFORM 1 FROM tayssir_cycles WHERE id = NEW.cycle_id FOR KEY SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'a Tayssir line names cycle %, which does not exist', NEW.cycle_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM schools WHERE id = NEW.school_id) THEN
    RAISE EXCEPTION 'a Tayssir line names school %, which does not exist', NEW.school_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tayssir_lines_name_rows BEFORE INSERT OR UPDATE OF cycle_id, school_id
  ON tayssir_lines FOR EACH ROW EXECUTE FUNCTION sanad_line_names_rows();

CREATE FUNCTION sanad_cycle_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM tayssir_lines WHERE cycle_id = OLD.id) THEN
    RAISE EXCEPTION 'cycle % has lines: it is not deleted', OLD.id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER tayssir_cycles_kept BEFORE DELETE ON tayssir_cycles
  FOR EACH ROW EXECUTE FUNCTION sanad_cycle_kept();
