-- Failed logins are also counted per client address (password spraying across logins).
CREATE INDEX login_failures_origin ON login_failures(origin, at);
