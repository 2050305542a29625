-- The file (and the day) that enrolled each pupil in a school for a year, kept from then on: a
-- roster that would enrol him that year at a second school, with no transfer between the two,
-- is refused naming the school and this file. Enrolments made before it was kept have none.
ALTER TABLE enrolments ADD COLUMN source TEXT;
