import type { Identity } from '@kanal/contracts';
import type { Pool } from '@kanal/postgres';
import type { BlockedEntry, IdentityPolicy } from '../identity/identity-policy';
import { learnedDetails, learnedPage, type LearnedIdentityRow } from '../store/pg-learned-identities';

/** Where a page starts: an offset into the configured entries, or after a learned (type, value). */
export type BlockedCursor = { s: number } | { l: [string, string] };

const split = (entry: string): Identity => {
  const at = entry.indexOf(':');
  return { type: entry.slice(0, at), value: entry.slice(at + 1) } as Identity;
};

/**
 * Every blocked value and pattern with its source: the configured ones first (shared-inbox
 * defaults, UNIFIER_BLOCKED_IDENTITIES, BUSINESS_IDENTITIES), then the learned ones in key order.
 * A configured value that was also learned is listed once, under its configuration, with where
 * it was learned.
 */
export async function listBlocked(pool: Pool, policy: IdentityPolicy, limit: number, cursor?: BlockedCursor) {
  const configured = policy.entries();
  const exact = configured.filter((e) => !e.pattern && e.entry.includes(':')).map((e) => split(e.entry));
  const items: Array<ReturnType<typeof configuredItem> | ReturnType<typeof learnedItem>> = [];
  if (!cursor || 's' in cursor) {
    const from = cursor?.s ?? 0;
    const slice = configured.slice(from, from + limit);
    const learned = await learnedDetails(
      pool,
      slice.filter((e) => !e.pattern && e.entry.includes(':')).map((e) => split(e.entry)),
    );
    items.push(...slice.map((e) => configuredItem(e, learned.get(e.entry))));
    if (from + limit < configured.length) return { items, next: { s: from + limit } as BlockedCursor };
  }
  const room = limit - items.length;
  const after = cursor && 'l' in cursor ? cursor.l : undefined;
  const rows = await learnedPage(pool, after, room + 1, exact);
  items.push(...rows.slice(0, room).map(learnedItem));
  if (rows.length <= room) return { items, next: undefined };
  const last = rows[room - 1];
  return { items, next: { l: last ? [last.type, last.value] : (after ?? ['', '']) } as BlockedCursor };
}

function configuredItem(e: BlockedEntry, learned: LearnedIdentityRow | undefined) {
  const { type, value } = e.entry.includes(':') ? split(e.entry) : { type: '', value: e.entry };
  return {
    entry: e.entry,
    type,
    value,
    pattern: e.pattern,
    source: e.source,
    ...(learned ? { learned: where(learned) } : {}),
  };
}

function learnedItem(r: LearnedIdentityRow) {
  return {
    entry: `${r.type}:${r.value}`,
    type: r.type,
    value: r.value,
    pattern: false,
    source: 'learned' as const,
    learned: where(r),
  };
}

const where = (r: LearnedIdentityRow) => ({
  channel: r.channel,
  provider: r.provider,
  accountId: r.accountId,
  firstSeenAt: r.firstSeenAt,
  lastSeenAt: r.lastSeenAt,
});
