-- The delivery log of the regular exchange with the planning directorate: every attempt to send
-- the year's SDMX files to the outbox folder or the HTTP endpoint, with what was sent and how it
-- went. A row is written 'running' before sending (so that two servers never send the same slot),
-- then finished as 'ok' or 'failed'.
CREATE TABLE exchange_deliveries (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at TEXT NOT NULL,
  started_epoch BIGINT NOT NULL,
  finished_at TEXT NOT NULL,
  finished_epoch BIGINT NOT NULL,
  school_year TEXT NOT NULL,
  destination TEXT NOT NULL,
  files TEXT NOT NULL,  -- JSON: [{"name", "bytes", "sha256"}]
  sha256 TEXT NOT NULL, -- of the SDMX-ML data file
  bytes BIGINT NOT NULL,
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
  error TEXT NOT NULL,
  trigger TEXT NOT NULL,  -- schedule, retry, manual
  actor TEXT NOT NULL
);
CREATE INDEX exchange_deliveries_destination ON exchange_deliveries(destination, id);
