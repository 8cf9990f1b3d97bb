-- Up Migration
-- Per-folder IMAP cursor: UIDs only mean something together with their UIDVALIDITY.
CREATE TABLE cursors (
  account text NOT NULL,
  folder text NOT NULL,
  uid_validity text NOT NULL,
  last_uid bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account, folder)
);

-- Every published message: the dedup set for UIDVALIDITY resyncs and the thread index.
CREATE TABLE messages (
  account text NOT NULL,
  message_id text NOT NULL,
  root text NOT NULL,
  base_subject text NOT NULL,
  sender text NOT NULL,
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (account, message_id)
);
CREATE INDEX messages_subject_idx ON messages (account, base_subject, sender, occurred_at DESC);

-- Down Migration
DROP TABLE messages;
DROP TABLE cursors;
