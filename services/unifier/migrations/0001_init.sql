-- Up Migration
CREATE TABLE customers (
  id uuid PRIMARY KEY,
  display_name text,
  attributes jsonb NOT NULL DEFAULT '{}',
  merged_into uuid REFERENCES customers (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per identity: (type, value) belongs to exactly one customer.
CREATE TABLE identities (
  type text NOT NULL,
  value text NOT NULL,
  customer_id uuid NOT NULL REFERENCES customers (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (type, value)
);
CREATE INDEX identities_customer ON identities (customer_id);

-- Messages without a linkable identity (only blocked ones) belong to the customer of their thread.
CREATE TABLE thread_customers (
  channel text NOT NULL,
  account_id text NOT NULL,
  conversation_ref text NOT NULL,
  customer_id uuid NOT NULL REFERENCES customers (id),
  PRIMARY KEY (channel, account_id, conversation_ref)
);
CREATE INDEX thread_customers_customer ON thread_customers (customer_id);

CREATE TABLE merges (
  id uuid PRIMARY KEY,
  survivor_id uuid NOT NULL REFERENCES customers (id),
  merged_id uuid NOT NULL REFERENCES customers (id),
  evidence jsonb NOT NULL,
  moved_identities jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  undone_at timestamptz,
  split_id uuid
);
CREATE INDEX merges_survivor ON merges (survivor_id);

CREATE TABLE conversations (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id),
  status text NOT NULL DEFAULT 'open',
  opened_at timestamptz NOT NULL,
  last_message_at timestamptz NOT NULL,
  channels text[] NOT NULL DEFAULT '{}',
  message_count integer NOT NULL DEFAULT 0,
  folded_into uuid
);
CREATE UNIQUE INDEX conversations_one_open ON conversations (customer_id) WHERE status = 'open';
CREATE INDEX conversations_customer ON conversations (customer_id);

CREATE TABLE messages (
  id uuid PRIMARY KEY,
  channel text NOT NULL,
  account_id text NOT NULL,
  external_id text NOT NULL,
  customer_id uuid NOT NULL REFERENCES customers (id),
  -- The customer the message was first attributed to: a split moves it back there.
  origin_customer_id uuid NOT NULL REFERENCES customers (id),
  conversation_id uuid NOT NULL REFERENCES conversations (id),
  direction text NOT NULL,
  text text,
  occurred_at timestamptz NOT NULL,
  source_event_id text NOT NULL,
  source_type text NOT NULL,
  sender_identities text[] NOT NULL DEFAULT '{}',
  data jsonb NOT NULL,
  state jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel, account_id, external_id)
);
CREATE INDEX messages_timeline ON messages (customer_id, occurred_at DESC, id DESC);
-- Merges fold conversations and splits move messages back: both look messages up by these.
CREATE INDEX messages_conversation ON messages (conversation_id);
CREATE INDEX messages_origin ON messages (origin_customer_id);

-- State events (edit, delete, reaction, status, stored media) that arrived before their message.
CREATE TABLE pending_state_events (
  event_id text PRIMARY KEY,
  channel text NOT NULL,
  account_id text NOT NULL,
  target_external_id text NOT NULL,
  event jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_target ON pending_state_events (channel, account_id, target_external_id);

-- State events already applied (redelivery re-emits, never re-applies).
CREATE TABLE applied_events (
  event_id text PRIMARY KEY,
  message_id uuid NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE link_suggestions (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  candidate_customer_id uuid,
  identity_type text NOT NULL,
  identity_value text NOT NULL,
  reason text NOT NULL,
  source_event_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX link_suggestions_once ON link_suggestions (customer_id, identity_type, identity_value, reason);

-- What each input event produced: a redelivered event re-publishes exactly this (same ids).
CREATE TABLE outbox (
  source_event_id text NOT NULL,
  seq integer NOT NULL,
  key text NOT NULL,
  -- NULL on the marker row (seq -1) of an input that produced nothing.
  event jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_event_id, seq)
);

-- Down Migration
DROP TABLE outbox, link_suggestions, applied_events, pending_state_events, messages, conversations, merges, thread_customers, identities, customers;
