-- Up Migration
-- One row per polled account. `last_event_id` is the newest DM event id published and
-- acknowledged by Kafka; a paging run that could not reach it within one rate-limit window keeps
-- its place in `backfill_*`, so the next run resumes there instead of starting over.
CREATE TABLE poll_cursor (
  account_id text PRIMARY KEY,
  last_event_id text,
  backfill_newest_id text,
  backfill_token text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE poll_cursor;
