import { expect, it } from '@jest/globals';
import { exceededLimit, FULL_TEXT_MAX_BYTES, jsonBytes, MESSAGE_MAX_BYTES, TEXT_MAX_BYTES } from './message-limits';
import type { MessageData } from './events/inbound-message';

const data = (fields: Partial<MessageData>): MessageData => ({
  channel: 'webchat',
  provider: 'http',
  accountId: 'shop',
  direction: 'inbound',
  externalId: 'm-1',
  conversationRef: 'c-1',
  occurredAt: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.000Z',
  sender: { identities: [] },
  attachments: [],
  ...fields,
});

it('measures JSON-encoded bytes, the way the broker counts them', () => {
  expect(jsonBytes('"')).toBe(2);
  expect(jsonBytes('\u0001')).toBe(6);
  expect(jsonBytes('ğ')).toBe(2);
  expect(jsonBytes({ a: 1 })).toBe(7);
});

it('names the first cap a message exceeds, exactly at the byte', () => {
  expect(exceededLimit(data({ fullText: '"'.repeat(FULL_TEXT_MAX_BYTES / 2) }), '')).toBeUndefined();
  expect(exceededLimit(data({ fullText: `${'"'.repeat(FULL_TEXT_MAX_BYTES / 2)}x` }), '[2]')).toEqual({
    field: '[2].fullText',
    limit: FULL_TEXT_MAX_BYTES,
    size: FULL_TEXT_MAX_BYTES + 1,
    code: 'API.FIELD_TOO_LARGE',
  });
  expect(exceededLimit(data({ text: 'x'.repeat(TEXT_MAX_BYTES + 1) }), '')).toMatchObject({ field: 'text' });
  const captions = Array.from({ length: 90 }, () => ({ kind: 'image' as const, caption: 'c'.repeat(10_000) }));
  expect(exceededLimit(data({ attachments: captions }), '')).toMatchObject({
    field: '(root)',
    limit: MESSAGE_MAX_BYTES,
    code: 'API.MESSAGE_TOO_LARGE',
  });
});
