-- The registry: territory, schools, school years, pupils, enrolments, households, absences.
CREATE TABLE regions (
  code TEXT PRIMARY KEY,
  name_ar TEXT NOT NULL,
  name_fr TEXT NOT NULL,
  population INTEGER NOT NULL DEFAULT 0,
  households INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE provinces (
  code TEXT PRIMARY KEY,
  region_code TEXT NOT NULL REFERENCES regions(code),
  kind TEXT NOT NULL,
  name_ar TEXT NOT NULL,
  name_fr TEXT NOT NULL,
  population INTEGER NOT NULL DEFAULT 0,
  households INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE directorates (
  code TEXT PRIMARY KEY,
  region_code TEXT NOT NULL REFERENCES regions(code),
  name_ar TEXT NOT NULL,
  name_fr TEXT NOT NULL
);
CREATE TABLE communes (
  code TEXT PRIMARY KEY,
  province_code TEXT NOT NULL REFERENCES provinces(code),
  region_code TEXT NOT NULL REFERENCES regions(code),
  directorate_code TEXT NOT NULL REFERENCES directorates(code),
  milieu TEXT NOT NULL CHECK (milieu IN ('urban', 'rural')),
  name_ar TEXT NOT NULL,
  name_fr TEXT NOT NULL,
  population INTEGER NOT NULL DEFAULT 0,
  households INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX communes_directorate ON communes(directorate_code);
CREATE INDEX communes_region ON communes(region_code);

CREATE TABLE schools (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name_ar TEXT NOT NULL,
  name_fr TEXT NOT NULL,
  name_norm TEXT NOT NULL,
  cycles TEXT NOT NULL,
  commune_code TEXT NOT NULL REFERENCES communes(code),
  milieu TEXT NOT NULL CHECK (milieu IN ('urban', 'rural')),
  sector TEXT NOT NULL CHECK (sector IN ('public', 'private')),
  boarding_beds INTEGER NOT NULL DEFAULT 0 CHECK (boarding_beds >= 0),
  canteen INTEGER NOT NULL DEFAULT 0 CHECK (canteen IN (0, 1))
);
CREATE INDEX schools_commune ON schools(commune_code);

CREATE TABLE school_years (
  code TEXT PRIMARY KEY,
  starts TEXT NOT NULL,
  ends TEXT NOT NULL
);

CREATE TABLE pupils (
  id INTEGER PRIMARY KEY,
  massar TEXT NOT NULL UNIQUE,
  last_ar TEXT NOT NULL,
  first_ar TEXT NOT NULL,
  last_fr TEXT,
  first_fr TEXT,
  name_ar_norm TEXT NOT NULL,
  name_fr_norm TEXT,
  sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
  birth_date TEXT,
  birth_place TEXT
);
CREATE INDEX pupils_name_ar ON pupils(name_ar_norm);
CREATE INDEX pupils_name_fr ON pupils(name_fr_norm);

CREATE TABLE enrolments (
  id INTEGER PRIMARY KEY,
  pupil_id INTEGER NOT NULL REFERENCES pupils(id),
  school_year TEXT NOT NULL REFERENCES school_years(code),
  school_id INTEGER NOT NULL REFERENCES schools(id),
  level TEXT NOT NULL,
  class_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('enrolled', 'transferred', 'left', 'repeating')),
  transfer_to TEXT,
  left_date TEXT,
  UNIQUE (pupil_id, school_year, school_id)
);
CREATE INDEX enrolments_school ON enrolments(school_id, school_year, level, class_name);

CREATE TABLE households (
  id INTEGER PRIMARY KEY,
  payee_cin TEXT NOT NULL UNIQUE,
  payee_name TEXT NOT NULL,
  payee_name_norm TEXT NOT NULL,
  phone TEXT,
  ramed TEXT
);
CREATE INDEX households_name ON households(payee_name_norm);

CREATE TABLE household_members (
  pupil_id INTEGER PRIMARY KEY REFERENCES pupils(id),
  household_id INTEGER NOT NULL REFERENCES households(id),
  relation TEXT NOT NULL CHECK (relation IN ('father', 'mother', 'guardian'))
);
CREATE INDEX household_members_household ON household_members(household_id);

CREATE TABLE absences (
  pupil_id INTEGER NOT NULL REFERENCES pupils(id),
  day TEXT NOT NULL,
  justified INTEGER NOT NULL CHECK (justified IN (0, 1)),
  PRIMARY KEY (pupil_id, day)
) WITHOUT ROWID;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  origin TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL
);
