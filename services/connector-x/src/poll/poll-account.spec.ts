import { describe, expect, it } from '@jest/globals';
import type { Publishable } from '../dead-letters';
import type { DmPageResponse } from '../x/twitter-dm-api';
import type { CursorStore, PollCursor } from './pg-cursor-store';
import { pollAccount } from './poll-account';

const US = '1580001122334455667';
const CONVERSATION = `98765432-${US}`;
const id = (n: number) => String(1790000000000000000n + BigInt(n));
const dm = (n: number) => ({
  id: id(n),
  event_type: 'MessageCreate',
  text: `message ${n}`,
  sender_id: '98765432',
  dm_conversation_id: CONVERSATION,
  created_at: '2026-11-20T09:00:00.000Z',
});
const unknown = (n: number) => ({ id: id(n), event_type: 'MessageReactionCreate', dm_conversation_id: CONVERSATION });

/** Records publishes and saves in the order they happen. */
function harness(pages: DmPageResponse['body'][], start: PollCursor = { lastEventId: null, backfill: null }) {
  const log: Array<{ publish: Publishable } | { save: PollCursor }> = [];
  let cursor = start;
  const store: CursorStore = {
    load: async () => cursor,
    save: async (_account, next) => void log.push({ save: (cursor = next) }),
  };
  let served = 0;
  const deps = {
    api: { fetchPage: async () => ({ body: pages[served++] }) },
    store,
    publish: async (out: Publishable) => void log.push({ publish: out }),
    now: () => new Date('2026-11-20T10:00:00.000Z'),
  };
  return { log, deps, cursor: () => cursor };
}

describe('pollAccount', () => {
  it('publishes the dead letter of an unknown event with the good events, then advances the cursor past it', async () => {
    const { log, deps, cursor } = harness([{ data: [dm(3), unknown(2), dm(1)], meta: { result_count: 3 } }]);
    const outcome = await pollAccount(US, deps);
    expect(outcome).toMatchObject({ pages: 1, published: 2, deadLettered: 1, stoppedAt: 'end' });
    const [first, second] = log;
    expect(Object.keys(first!)).toEqual(['publish']);
    const out = (first as { publish: Publishable }).publish;
    expect(out.events.map((e) => e.data.externalId)).toEqual([id(1), id(3)]); // oldest first
    expect(out.deadLetters.map((l) => l.data.code)).toEqual(['X.UNKNOWN_EVENT_TYPE']);
    expect(JSON.parse(out.deadLetters[0]!.data.value)).toEqual({ data: [unknown(2)], meta: { result_count: 1 } });
    expect(out.deadLetters[0]!.data.receivedAt).toBe('2026-11-20T10:00:00.000Z');
    expect(second).toEqual({ save: { lastEventId: id(3), backfill: null } });
    expect(cursor().lastEventId).toBe(id(3));
  });

  it('moves the cursor past a page that held only non-messages and dead letters', async () => {
    const { deps, cursor } = harness(
      [{ data: [unknown(6), { id: id(5), event_type: 'ParticipantsJoin', participant_ids: ['1'] }] }],
      { lastEventId: id(4), backfill: null },
    );
    expect(await pollAccount(US, deps)).toMatchObject({ published: 0, deadLettered: 1 });
    expect(cursor().lastEventId).toBe(id(6));
  });

  it('saves nothing when the publish fails, so the page comes again', async () => {
    const { log, deps, cursor } = harness([{ data: [unknown(8), dm(7)] }], { lastEventId: id(4), backfill: null });
    deps.publish = async () => {
      throw new Error('broker down');
    };
    await expect(pollAccount(US, deps)).rejects.toThrow('broker down');
    expect(log).toEqual([]);
    expect(cursor().lastEventId).toBe(id(4));
  });
});
