-- Up Migration
-- Merge redirects become flat: customers.merged_into names the live customer an id resolves to
-- now, not the customer it was merged into first. Every merge repoints the ids merged into its
-- loser (path compression) and a split points them back, so an id resolves in one hop after any
-- chain of merges (readers used to follow at most 50 hops; the 51st merge of a chain made its
-- oldest id a 404). Who was merged into whom stays in `merges`.
WITH RECURSIVE walk(id, target) AS (
  SELECT id, merged_into FROM customers WHERE merged_into IS NOT NULL
  UNION
  SELECT w.id, c.merged_into FROM walk w JOIN customers c ON c.id = w.target WHERE c.merged_into IS NOT NULL
)
UPDATE customers c SET merged_into = w.target
  FROM walk w JOIN customers live ON live.id = w.target AND live.merged_into IS NULL
 WHERE c.id = w.id AND c.merged_into IS DISTINCT FROM w.target;

-- Down Migration
-- Back to the first-hop form: each merged id redirects to the survivor of its open merge.
UPDATE customers c SET merged_into = m.survivor_id
  FROM merges m
 WHERE m.merged_id = c.id AND m.undone_at IS NULL AND c.merged_into IS NOT NULL;
