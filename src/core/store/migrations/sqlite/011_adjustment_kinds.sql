-- An adjustment line is a correction of a paid cycle recomputed, an upheld appeal, or a
-- household's negative net of a paid cycle carried into the next one (a recovery its payment
-- could not make). A correction's reason is kept as its sentence's template and values, so that
-- lists say it in Arabic or French; `reason` keeps the English.
ALTER TABLE tayssir_adjustments ADD COLUMN kind TEXT NOT NULL DEFAULT 'correction'
  CHECK (kind IN ('correction', 'appeal', 'carried'));
ALTER TABLE tayssir_adjustments ADD COLUMN reason_detail TEXT NOT NULL DEFAULT '';
UPDATE tayssir_adjustments SET kind = 'appeal' WHERE appeal_id IS NOT NULL;
