-- Up Migration
-- Business identities learned from the connectors' events (the recipient of an inbound message,
-- the sender of an outbound one): blocked values from then on, on every instance. Where a value
-- was first seen is kept; last_seen_at is refreshed at most hourly, so a value on every message
-- does not make its row a write in every batch.
CREATE TABLE learned_identities (
  type text NOT NULL,
  value text NOT NULL,
  channel text NOT NULL,
  provider text NOT NULL,
  account_id text NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (type, value)
);

-- Who presented which blocked value, and when last (message time): the candidate of a later
-- blocked-identity suggestion when nobody owns the value.
CREATE TABLE blocked_presentations (
  type text NOT NULL,
  value text NOT NULL,
  customer_id uuid NOT NULL,
  presented_at timestamptz NOT NULL,
  PRIMARY KEY (type, value, customer_id)
);
CREATE INDEX blocked_presentations_latest ON blocked_presentations (type, value, presented_at DESC, customer_id DESC);
-- The blocked-identity suggestions made so far are exactly the presentations made so far.
INSERT INTO blocked_presentations (type, value, customer_id, presented_at)
  SELECT identity_type, identity_value, customer_id, max(created_at) FROM link_suggestions
   WHERE reason = 'blocked-identity' GROUP BY 1, 2, 3;

-- Review of link suggestions: open until an agent accepts (merge) or rejects them.
-- 'suppressed': recorded (so it is not re-evaluated) but never shown, the pair having been rejected.
ALTER TABLE link_suggestions
  ADD COLUMN status text NOT NULL DEFAULT 'open',
  ADD COLUMN detail text,
  ADD COLUMN decided_at timestamptz,
  ADD COLUMN decided_by text,
  ADD COLUMN decision_reason text,
  ADD COLUMN merge_id uuid,
  -- The answer given to the decision, repeated to a repeated request.
  ADD COLUMN outcome jsonb;
CREATE INDEX link_suggestions_review ON link_suggestions (status, created_at DESC, id DESC);
-- One suggestion per pair and evidence, whichever of the two presented it (the earliest is kept).
DELETE FROM link_suggestions s USING link_suggestions t
 WHERE s.candidate_customer_id IS NOT NULL AND t.candidate_customer_id IS NOT NULL
   AND LEAST(s.customer_id, s.candidate_customer_id) = LEAST(t.customer_id, t.candidate_customer_id)
   AND GREATEST(s.customer_id, s.candidate_customer_id) = GREATEST(t.customer_id, t.candidate_customer_id)
   AND s.identity_type = t.identity_type AND s.identity_value = t.identity_value AND s.reason = t.reason
   AND (s.created_at, s.id) > (t.created_at, t.id);
CREATE UNIQUE INDEX link_suggestions_pair ON link_suggestions (
  LEAST(customer_id, candidate_customer_id), GREATEST(customer_id, candidate_customer_id), identity_type, identity_value, reason
) WHERE candidate_customer_id IS NOT NULL;

-- Pairs an agent said are not one person, per kind of evidence (customer_a < customer_b).
CREATE TABLE link_rejections (
  customer_a uuid NOT NULL,
  customer_b uuid NOT NULL,
  reason text NOT NULL,
  suggestion_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_a, customer_b, reason)
);
CREATE INDEX link_rejections_b ON link_rejections (customer_b);

-- Merge redirects followed backwards (the ids merged into a customer), so a rejection of a pair
-- still holds after a merge redirected one of them.
CREATE INDEX customers_merged_into ON customers (merged_into) WHERE merged_into IS NOT NULL;

-- Down Migration
DROP INDEX customers_merged_into;
DROP TABLE link_rejections;
DROP INDEX link_suggestions_pair;
DROP INDEX link_suggestions_review;
ALTER TABLE link_suggestions DROP COLUMN status, DROP COLUMN detail, DROP COLUMN decided_at, DROP COLUMN decided_by,
  DROP COLUMN decision_reason, DROP COLUMN merge_id, DROP COLUMN outcome;
DROP TABLE blocked_presentations;
DROP TABLE learned_identities;
