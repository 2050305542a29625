-- Statistics: indicators added by definition, targets and baselines, reported values with their
-- state, and the observations received from the planning directorate.
CREATE TABLE indicator_definitions (
  code TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE indicator_targets (
  indicator TEXT NOT NULL,
  node_kind TEXT NOT NULL,
  node_code TEXT NOT NULL,
  school_year TEXT NOT NULL,
  baseline DOUBLE PRECISION NOT NULL,
  target DOUBLE PRECISION NOT NULL,
  set_by TEXT NOT NULL,
  set_at TEXT NOT NULL,
  PRIMARY KEY (indicator, node_kind, node_code, school_year)
);

CREATE TABLE indicator_reports (
  indicator TEXT NOT NULL,
  node_kind TEXT NOT NULL,
  node_code TEXT NOT NULL,
  school_year TEXT NOT NULL,
  value DOUBLE PRECISION,
  numerator BIGINT NOT NULL,
  denominator BIGINT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'returned')),
  note TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (indicator, node_kind, node_code, school_year)
);

CREATE TABLE exchange_observations (
  indicator TEXT NOT NULL,
  ref_area TEXT NOT NULL,
  school_year TEXT NOT NULL,
  sex TEXT NOT NULL,
  milieu TEXT NOT NULL,
  level TEXT NOT NULL,
  value TEXT,  -- as received: a number written exactly, or NULL
  obs_status TEXT NOT NULL,
  conf_status TEXT NOT NULL,
  source TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  PRIMARY KEY (indicator, ref_area, school_year, sex, milieu, level)
);
