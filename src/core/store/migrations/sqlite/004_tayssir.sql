-- Tayssir: policies (as JSON, versioned by school year), indicators of communes used by
-- targeting rules, reviews of suspected duplicates, cycles with their lines, adjustments and
-- the schools' checks.
CREATE TABLE commune_indicators (
  commune_code TEXT NOT NULL REFERENCES communes(code),
  indicator TEXT NOT NULL,
  value REAL NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (commune_code, indicator)
);

CREATE TABLE tayssir_policies (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  program TEXT NOT NULL,
  school_year TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE tayssir_reviews (
  kind TEXT NOT NULL CHECK (kind IN ('pupil', 'payee')),
  a TEXT NOT NULL,
  b TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('same', 'distinct')),
  note TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  PRIMARY KEY (kind, a, b),
  CHECK (a < b)
);

CREATE TABLE tayssir_cycles (
  id INTEGER PRIMARY KEY,
  policy_id INTEGER NOT NULL REFERENCES tayssir_policies(id),
  period TEXT NOT NULL,
  directorate_code TEXT NOT NULL REFERENCES directorates(code),
  state TEXT NOT NULL CHECK (state IN ('draft', 'checked', 'approved', 'exported', 'closed')),
  computed_at TEXT NOT NULL,
  computed_by TEXT NOT NULL,
  pupils INTEGER NOT NULL DEFAULT 0,
  beneficiaries INTEGER NOT NULL DEFAULT 0,
  households INTEGER NOT NULL DEFAULT 0,
  due INTEGER NOT NULL DEFAULT 0,
  forfeited INTEGER NOT NULL DEFAULT 0,
  adjustments INTEGER NOT NULL DEFAULT 0,
  payment_sha256 TEXT,
  UNIQUE (policy_id, period, directorate_code)
);

CREATE TABLE tayssir_lines (
  cycle_id INTEGER NOT NULL REFERENCES tayssir_cycles(id),
  pupil_id INTEGER NOT NULL REFERENCES pupils(id),
  school_id INTEGER NOT NULL REFERENCES schools(id),
  household_id INTEGER REFERENCES households(id),
  level TEXT NOT NULL,
  reason TEXT NOT NULL,
  monthly INTEGER NOT NULL,
  months TEXT NOT NULL,
  absences TEXT NOT NULL,
  due INTEGER NOT NULL,
  forfeited INTEGER NOT NULL,
  PRIMARY KEY (cycle_id, pupil_id)
) WITHOUT ROWID;
CREATE INDEX tayssir_lines_school ON tayssir_lines(cycle_id, school_id);

-- Appeals: a household or a school contests a pupil's line; an upheld appeal is paid as an
-- adjustment in a later cycle of the same program and directorate.
CREATE TABLE tayssir_appeals (
  id INTEGER PRIMARY KEY,
  cycle_id INTEGER NOT NULL REFERENCES tayssir_cycles(id),
  pupil_id INTEGER NOT NULL REFERENCES pupils(id),
  grounds TEXT NOT NULL,
  filed_by TEXT NOT NULL,
  filed_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'upheld', 'rejected')),
  months TEXT NOT NULL DEFAULT '',
  amount INTEGER NOT NULL DEFAULT 0,
  decision_note TEXT NOT NULL DEFAULT '',
  decided_by TEXT,
  decided_at TEXT,
  adjusted_in INTEGER REFERENCES tayssir_cycles(id)
);
CREATE INDEX tayssir_appeals_cycle ON tayssir_appeals(cycle_id);

CREATE TABLE tayssir_adjustments (
  cycle_id INTEGER NOT NULL REFERENCES tayssir_cycles(id),
  source_cycle_id INTEGER NOT NULL REFERENCES tayssir_cycles(id),
  pupil_id INTEGER NOT NULL REFERENCES pupils(id),
  school_id INTEGER NOT NULL REFERENCES schools(id),
  household_id INTEGER REFERENCES households(id),
  appeal_id INTEGER REFERENCES tayssir_appeals(id),
  amount INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX tayssir_adjustments_cycle ON tayssir_adjustments(cycle_id);
CREATE INDEX tayssir_adjustments_source ON tayssir_adjustments(source_cycle_id);

CREATE TABLE tayssir_school_checks (
  cycle_id INTEGER NOT NULL REFERENCES tayssir_cycles(id),
  school_id INTEGER NOT NULL REFERENCES schools(id),
  state TEXT NOT NULL CHECK (state IN ('confirmed', 'flagged')),
  note TEXT NOT NULL,
  checked_by TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  PRIMARY KEY (cycle_id, school_id)
);
