-- A row of an import that names a record of another scope is not written: it becomes a request
-- that the record's scope accepts or refuses. A pupil enrolled this year in a school outside the
-- importer's scope (a transfer, accepted by that school), or a household whose children are all
-- outside it (a pupil linked to that payee, accepted by one of their schools).
CREATE TABLE import_requests (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('transfer', 'household_link')),
  massar TEXT NOT NULL,          -- the pupil the row names
  school_code TEXT NOT NULL,     -- the school of the importing scope (the one asking)
  payee_cin TEXT NOT NULL,       -- a link: the payee's CIN ('' for a transfer)
  school_year TEXT NOT NULL,     -- a transfer: the year of the enrolment asked for
  payload TEXT NOT NULL,         -- JSON: the row as it would have been written
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'refused')),
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  origin TEXT NOT NULL,
  file TEXT NOT NULL,
  file_row BIGINT NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  note TEXT
);
-- The same row imported again refreshes its pending request instead of adding one.
CREATE UNIQUE INDEX import_requests_pending ON import_requests(kind, massar, school_code, payee_cin)
  WHERE state = 'pending';
CREATE INDEX import_requests_school ON import_requests(school_code, id);
-- The schools whose scope decides a request (where the pupil is enrolled, or the household's
-- children are): their accounts see it among the requests they receive.
CREATE TABLE import_request_holders (
  request_id BIGINT NOT NULL REFERENCES import_requests(id),
  school_code TEXT NOT NULL,
  PRIMARY KEY (request_id, school_code)
);
CREATE INDEX import_request_holders_school ON import_request_holders(school_code, request_id);
