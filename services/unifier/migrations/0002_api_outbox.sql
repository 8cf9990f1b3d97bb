-- Up Migration
-- Events of API merges and splits, written in the same transaction as the change and deleted once
-- Kafka acknowledged them: a broker outage at answer time delays the event, never loses it.
CREATE TABLE api_outbox (
  event_id text PRIMARY KEY,
  key text NOT NULL,
  event jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_outbox_age ON api_outbox (created_at);

-- Down Migration
DROP TABLE api_outbox;
