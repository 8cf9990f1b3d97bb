-- Up Migration
-- Storing a message is the unifier's costliest statement. Two of its per-row costs bought nothing:
-- 1. Only a split looks messages up by origin, and only messages a merge moved (customer_id no
--    longer their origin) can be found that way: the index keeps just those.
DROP INDEX messages_origin;
CREATE INDEX messages_origin ON messages (origin_customer_id) WHERE origin_customer_id <> customer_id;
-- 2. A message is inserted with origin_customer_id = customer_id, which that column's own foreign
--    key already checks, and customers are never deleted (a merged one stays, redirecting).
ALTER TABLE messages DROP CONSTRAINT messages_origin_customer_id_fkey;

-- Down Migration
ALTER TABLE messages ADD CONSTRAINT messages_origin_customer_id_fkey
  FOREIGN KEY (origin_customer_id) REFERENCES customers (id);
DROP INDEX messages_origin;
CREATE INDEX messages_origin ON messages (origin_customer_id);
