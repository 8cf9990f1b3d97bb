-- Up Migration
CREATE TABLE conversations (
  id text PRIMARY KEY,
  customer_id text NOT NULL,
  customer jsonb NOT NULL,
  -- waiting (no first response yet) | responded | closed | merged
  status text NOT NULL,
  queue text NOT NULL,
  priority text NOT NULL,
  channel text NOT NULL,
  channels text[] NOT NULL,
  last_inbound_channel text NOT NULL,
  last_inbound_at timestamptz NOT NULL,
  opened_at timestamptz NOT NULL,
  -- The SLA clock of the current generation (a reopen starts a new one).
  generation int NOT NULL DEFAULT 1,
  sla_started_at timestamptz NOT NULL,
  sla_due_at timestamptz,
  sla_breached boolean NOT NULL DEFAULT false,
  first_response_at timestamptz,
  closed_at timestamptz,
  merged_into text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_customer_idx ON conversations (customer_id, opened_at DESC);
CREATE INDEX conversations_waiting_idx ON conversations (queue, sla_started_at) WHERE status = 'waiting';

CREATE TABLE routing_history (
  seq bigserial PRIMARY KEY,
  conversation_id text NOT NULL,
  event_id text NOT NULL UNIQUE,
  type text NOT NULL,
  reason text,
  queue text NOT NULL,
  priority text NOT NULL,
  sla_due_at timestamptz,
  rule_ids text[] NOT NULL DEFAULT '{}',
  matched_terms text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL
);
CREATE INDEX routing_history_conversation_idx ON routing_history (conversation_id, seq);

-- One row per deadline; the scheduler claims due rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE sla_deadlines (
  deadline_id text PRIMARY KEY,
  conversation_id text NOT NULL,
  due_at timestamptz NOT NULL,
  -- pending | stopped | breached | cancelled
  state text NOT NULL,
  breached_at timestamptz
);
CREATE INDEX sla_deadlines_due_idx ON sla_deadlines (due_at) WHERE state = 'pending';

-- Idempotency: every consumed event id once.
CREATE TABLE processed_events (
  event_id text PRIMARY KEY,
  processed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contacts (
  event_id text PRIMARY KEY,
  customer_id text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX contacts_customer_idx ON contacts (customer_id, at);

CREATE TABLE surge_hits (
  rule_id text NOT NULL,
  term text NOT NULL,
  conversation_id text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (rule_id, term, conversation_id)
);
CREATE INDEX surge_hits_at_idx ON surge_hits (rule_id, term, at);

CREATE TABLE incidents (
  incident_id text PRIMARY KEY,
  rule_id text NOT NULL,
  term text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  detected_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  count int NOT NULL,
  conversation_ids text[] NOT NULL
);
CREATE INDEX incidents_open_idx ON incidents (rule_id, term, last_seen_at DESC);

-- Down Migration
DROP TABLE incidents;
DROP TABLE surge_hits;
DROP TABLE contacts;
DROP TABLE processed_events;
DROP TABLE sla_deadlines;
DROP TABLE routing_history;
DROP TABLE conversations;
