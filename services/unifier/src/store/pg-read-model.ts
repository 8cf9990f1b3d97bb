import type { Pool } from '@kanal/postgres';

/** Follows merge redirects to the customer id that is live now. */
export async function liveCustomerId(pool: Pool, id: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ id: string }>(
    `WITH RECURSIVE chain(id, merged_into, depth) AS (
        SELECT id, merged_into, 0 FROM customers WHERE id = $1
        UNION ALL SELECT c.id, c.merged_into, chain.depth + 1 FROM customers c JOIN chain ON c.id = chain.merged_into WHERE chain.depth < 50)
      SELECT id FROM chain WHERE merged_into IS NULL LIMIT 1`,
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

const encodeCursor = (at: Date, id: string) =>
  Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');

function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && !Number.isNaN(Date.parse(v[0])) && /^[0-9a-f-]{36}$/.test(v[1]))
      return [v[0], v[1]];
  } catch {
    return undefined;
  }
  return undefined;
}

/** Newest first across channels; the cursor is the (occurredAt, id) of the last item. */
export async function timelinePage(pool: Pool, customerId: string, limit: number, cursor?: string) {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (cursor !== undefined && !after) return undefined;
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
  return { items, nextCursor: last ? encodeCursor(last.occurred_at, last.id) : null };
}
