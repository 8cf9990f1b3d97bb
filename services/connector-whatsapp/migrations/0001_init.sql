-- Up Migration
-- Sessions known to the deployment (from config or created by POST /v1/sessions/{id}/pair).
CREATE TABLE sessions (
  id text PRIMARY KEY,
  state text NOT NULL DEFAULT 'unpaired',
  last_connected_at timestamptz,
  last_message_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Baileys credentials, BufferJSON-serialised (Buffers as base64), one row per session.
CREATE TABLE auth_creds (
  session_id text PRIMARY KEY,
  creds text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every Signal key type (pre-key, session, sender-key, lid-mapping, device-list, tctoken, ...).
CREATE TABLE auth_keys (
  session_id text NOT NULL,
  type text NOT NULL,
  id text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (session_id, type, id)
);

-- Event ids already acknowledged by Kafka: redelivered upserts (append catch-up, resends,
-- the second signal of an edit/revoke/reaction) are published once.
CREATE TABLE published_events (
  session_id text NOT NULL,
  event_id uuid NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, event_id)
);
CREATE INDEX published_events_age ON published_events (published_at);

-- Down Migration
DROP TABLE published_events;
DROP TABLE auth_keys;
DROP TABLE auth_creds;
DROP TABLE sessions;
