import { conversationParticipants } from './x-ids';
import type { DmEventsPage, WebhookBody } from './x-payload-schemas';

/*
 * A dead letter carries the smallest X-shaped document that holds its item: a dm_events page or a
 * webhook body with only that item and the users (media, posts, apps) it refers to. Fed to
 * `kanal normalize x-dm`, it comes out exactly as the item would have.
 */

type Raw = Record<string, unknown>;
const asRecord = (v: unknown): Raw | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(str).filter((s): s is string => s !== undefined) : [];

/** A dm_events page holding only `item` and the `includes` it refers to. */
export function minimalPage(item: unknown, includes: DmEventsPage['includes']): DmEventsPage {
  const e = asRecord(item) ?? {};
  const users = new Set<string>([
    ...strings([e['sender_id']]),
    ...strings(e['participant_ids']),
    ...conversationParticipants(str(e['dm_conversation_id']) ?? ''),
  ]);
  const mediaKeys = new Set(strings(asRecord(e['attachments'])?.['media_keys']));
  const tweetIds = new Set(
    (Array.isArray(e['referenced_tweets']) ? e['referenced_tweets'] : []).map((t) => str(asRecord(t)?.['id'])),
  );
  const tweets = (includes?.tweets ?? []).filter((t) => tweetIds.has(str(asRecord(t)?.['id'])));
  for (const t of tweets) {
    const author = str(asRecord(t)?.['author_id']);
    if (author) users.add(author);
  }
  const picked = {
    users: (includes?.users ?? []).filter((u) => users.has(str(asRecord(u)?.['id']) ?? '')),
    media: (includes?.media ?? []).filter((m) => mediaKeys.has(str(asRecord(m)?.['media_key']) ?? '')),
    tweets,
  };
  const kept = Object.fromEntries(Object.entries(picked).filter(([, list]) => list.length > 0));
  return { data: [item], ...(Object.keys(kept).length > 0 ? { includes: kept } : {}), meta: { result_count: 1 } };
}

/** A webhook body holding only `value` under `key`, with the users and apps named (all when unknown). */
export function minimalWebhookBody(
  body: WebhookBody,
  key: string,
  value: unknown,
  refs: { users: string[]; apps: string[] } | 'all',
): Raw {
  const pick = (record: Record<string, unknown> | undefined, ids: string[] | 'all') => {
    if (!record) return undefined;
    const entries =
      ids === 'all' ? Object.entries(record) : ids.filter((id) => id in record).map((id) => [id, record[id]]);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  };
  const users = pick(body.users, refs === 'all' ? 'all' : refs.users);
  const apps = pick(body.apps, refs === 'all' ? 'all' : refs.apps);
  return { for_user_id: body.for_user_id, [key]: value, ...(users ? { users } : {}), ...(apps ? { apps } : {}) };
}

/** The users and app a v1.1 DM or read event names. */
export function webhookRefs(item: unknown): { users: string[]; apps: string[] } {
  const e = asRecord(item) ?? {};
  const create = asRecord(e['message_create']) ?? e;
  const target = asRecord(create['target']);
  return {
    users: [...new Set(strings([create['sender_id'], target?.['recipient_id']]))],
    apps: strings([create['source_app_id']]),
  };
}
