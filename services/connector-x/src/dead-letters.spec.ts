import { describe, expect, it } from '@jest/globals';
import { parseEvent } from '@kanal/contracts';
import { deadLettersOf, unknownAccountLetter } from './dead-letters';
import { normalizeXPayload } from './normalize-x-dm';
import { emptyBatch } from './x/normalized-batch';

const US = '1580001122334455667';
const RECEIVED_AT = '2026-11-20T14:00:00.000Z';
const unknownItem = {
  id: '1790000000000000302',
  event_type: 'MessageDelete',
  sender_id: '98765432',
  dm_conversation_id: `98765432-${US}`,
};

describe('provider dead letters of connector-x', () => {
  const batch = normalizeXPayload({ data: [unknownItem] }, { accountId: US, receivedAt: RECEIVED_AT });
  const [letter] = deadLettersOf(batch, RECEIVED_AT);

  it('is a valid kanal.dlq.record.v1 of origin provider, inline, with the minimal page as value', () => {
    expect(parseEvent(letter)).toMatchObject({ ok: true });
    expect(letter!.data).toMatchObject({
      origin: 'provider',
      provider: 'x-dm',
      channel: 'x',
      accountId: US,
      code: 'X.UNKNOWN_EVENT_TYPE',
      contentType: 'application/json',
      valueEncoding: 'utf8',
      receivedAt: RECEIVED_AT,
      item: 'data[0] id 1790000000000000302',
    });
    expect(letter!.data.truncated).toBeUndefined();
    expect(JSON.parse(letter!.data.value)).toEqual({ data: [unknownItem], meta: { result_count: 1 } });
  });

  it('is keyed like the conversation when that is known, by account otherwise', () => {
    const noConversation = normalizeXPayload(
      { data: [{ ...unknownItem, dm_conversation_id: undefined }] },
      { accountId: US, receivedAt: RECEIVED_AT },
    );
    expect(letter!.subject).toBe(`x:${US}:98765432-${US}`);
    expect(deadLettersOf(noConversation, RECEIVED_AT)[0]!.subject).toBe(`x-dm:${US}`);
    const missing = normalizeXPayload(
      { data: [{ ...unknownItem, event_type: 'MessageCreate', sender_id: undefined }] },
      { accountId: US, receivedAt: RECEIVED_AT },
    );
    expect(deadLettersOf(missing, RECEIVED_AT)[0]!.subject).toBe(`x:${US}:98765432-${US}`);
  });

  it('gets the same id when the same item fails again (a redelivery or the next poll)', () => {
    const later = deadLettersOf(batch, '2026-11-21T00:00:00.000Z')[0]!;
    expect(later.id).toBe(letter!.id);
  });

  it('keeps a body for an account we do not serve byte for byte', () => {
    const raw = Buffer.from('{"for_user_id":"424242", "direct_message_events":[]}');
    const l = unknownAccountLetter(raw, '424242', RECEIVED_AT);
    expect(parseEvent(l)).toMatchObject({ ok: true });
    expect(l.data).toMatchObject({ code: 'X.UNKNOWN_ACCOUNT', accountId: '424242', value: raw.toString('utf8') });
  });

  it('flags a letter too large to carry inline as truncated instead of failing the publish', () => {
    const huge = emptyBatch(US);
    huge.rejected.push({
      code: 'X.INVALID_EVENT',
      message: 'test',
      payload: { data: ['\u0000'.repeat(200_000)] },
      item: 'data[0]',
    });
    const [l] = deadLettersOf(huge, RECEIVED_AT);
    expect(l!.data).toMatchObject({ truncated: true, valueEncoding: 'base64' });
    expect(parseEvent(l)).toMatchObject({ ok: true });
  });
});
