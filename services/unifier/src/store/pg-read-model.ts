import type { Pool } from '@kanal/postgres';

/**
 * The customer id that is live now: the id itself, or the customer it was merged into. Redirects
 * are kept flat (every merge repoints the ids merged into the loser, migration 0005), so one hop
 * answers however long the chain of merges was.
 */
export async function liveCustomerId(pool: Pool, id: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ id: string }>(
    'SELECT COALESCE(merged_into, id) AS id FROM customers WHERE id = $1',
    [id],
  );
  return rows[0]?.id;
}

export async function customerProfile(pool: Pool, requested: string) {
  const id = await liveCustomerId(pool, requested);
  if (!id) return undefined;
  const [customer, identities, merges] = await Promise.all([
    pool.query('SELECT id, display_name, attributes, created_at, updated_at FROM customers WHERE id = $1', [id]),
    pool.query(
      'SELECT type, value, created_at FROM identities WHERE customer_id = $1 ORDER BY created_at, type, value',
      [id],
    ),
    pool.query(
      `SELECT id, survivor_id, merged_id, evidence, moved_identities, created_at, undone_at, split_id FROM merges
        WHERE survivor_id = $1 OR merged_id = $1 ORDER BY created_at`,
      [id],
    ),
  ]);
  const c = customer.rows[0];
  return {
    id,
    ...(requested !== id ? { redirectedFrom: requested } : {}),
    displayName: c.display_name ?? undefined,
    attributes: c.attributes,
    createdAt: c.created_at.toISOString(),
    identities: identities.rows.map((r) => ({ type: r.type, value: r.value, since: r.created_at.toISOString() })),
    merges: merges.rows.map((m) => ({
      mergeId: m.id,
      survivorId: m.survivor_id,
      mergedId: m.merged_id,
      evidence: m.evidence,
      movedIdentities: m.moved_identities,
      mergedAt: m.created_at.toISOString(),
      ...(m.undone_at ? { undoneAt: m.undone_at.toISOString(), splitId: m.split_id } : {}),
    })),
  };
}

/** Where a timeline page starts: after the (occurredAt, message id) of the previous page's last item. */
export type TimelineCursor = [occurredAt: string, messageId: string];

/** Newest first across channels; `next` is the cursor of the last item when there is more. */
export async function timelinePage(pool: Pool, customerId: string, limit: number, after?: TimelineCursor) {
  const { rows } = await pool.query(
    `SELECT id, external_id, channel, account_id, direction, conversation_id, text, occurred_at, data, state FROM messages
      WHERE customer_id = $1 ${after ? 'AND (occurred_at, id) < ($3::timestamptz, $4::uuid)' : ''}
      ORDER BY occurred_at DESC, id DESC LIMIT $2`,
    after ? [customerId, limit + 1, after[0], after[1]] : [customerId, limit + 1],
  );
  const items = rows.slice(0, limit).map((r) => ({
    messageId: r.id,
    externalId: r.external_id,
    channel: r.channel,
    provider: r.data.provider,
    accountId: r.account_id,
    direction: r.direction,
    conversationId: r.conversation_id,
    ...(r.text !== null ? { text: r.text } : {}),
    ...(r.data.subject ? { subject: r.data.subject } : {}),
    attachments: r.data.attachments ?? [],
    occurredAt: r.occurred_at.toISOString(),
    state: r.state,
  }));
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, next: last ? ([last.occurred_at.toISOString(), last.id] as TimelineCursor) : undefined };
}
