-- Names are searched in memory (a school's name table), never through these indexes; keeping
-- them cost every import two random-order index writes per pupil and one per household.
DROP INDEX IF EXISTS pupils_name_ar;
DROP INDEX IF EXISTS pupils_name_fr;
DROP INDEX IF EXISTS households_name;
