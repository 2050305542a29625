-- Accounts with a role and a scope in the territory tree, sessions kept in the database (several
-- servers share them), failed logins for throttling, and the audit log's hash chain.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  full_name TEXT NOT NULL,
  role TEXT NOT NULL,
  scope_code TEXT NOT NULL,  -- a node of the territory tree; '' is the nation
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,  -- SHA-256 of the cookie's token, never the token itself
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf TEXT NOT NULL,
  origin TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL,
  origin TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX login_failures_login ON login_failures(login, at);
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE INDEX audit_log_subject ON audit_log(subject);
