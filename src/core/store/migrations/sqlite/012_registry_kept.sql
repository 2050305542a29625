-- Rows of the registry are never deleted: a pupil who leaves keeps his row with a status, a
-- household its payee, a school its code, and the cycles, their lines and the payment files
-- name them for good. Deleting from these tables is refused (as on PostgreSQL, where this
-- replaces the Tayssir lines' foreign keys to pupils and households; here they stay, checked
-- row by row through the parents' keys at little cost).
CREATE TRIGGER pupils_kept BEFORE DELETE ON pupils BEGIN
  SELECT RAISE(ABORT, 'rows of pupils are never deleted: the registry keeps them (cycles and payments name them)');
END;
CREATE TRIGGER households_kept BEFORE DELETE ON households BEGIN
  SELECT RAISE(ABORT, 'rows of households are never deleted: the registry keeps them (cycles and payments name them)');
END;
CREATE TRIGGER schools_kept BEFORE DELETE ON schools BEGIN
  SELECT RAISE(ABORT, 'rows of schools are never deleted: the registry keeps them (cycles and payments name them)');
END;
