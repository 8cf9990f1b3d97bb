import { describe, expect, it } from '@jest/globals';
import { proto } from '@whiskeysockets/baileys';
import { toPlainJson, upsertItemPayload } from './dead-letter-payload';
import type { RawUpsert, RawWaMessage } from './raw-message';
import { CTX, SELF, fixture } from './test-kit';
import { toInboundEvent } from './to-inbound-events';

const FIXTURES = [
  'upsert-notify-dm.json',
  'upsert-append-protobuf-json.json',
  'upsert-state.json',
  'upsert-wrappers.json',
  'upsert-rich-content.json',
  'upsert-non-messages.json',
  'upsert-identities.json',
  'upsert-times.json',
];

/**
 * A fixture item as Baileys holds it in memory: a protobuf `WebMessageInfo` (Long timestamps,
 * Uint8Array bytes, numeric enums, unset fields `null` on the prototype) with the plain 7.x key
 * (`remoteJidAlt`, `addressingMode` are not in WAProto).
 */
function live(message: RawWaMessage): RawWaMessage | undefined {
  try {
    return Object.assign(proto.WebMessageInfo.fromObject(message as object), {
      key: message.key,
    }) as unknown as RawWaMessage;
  } catch {
    return undefined; // not representable as a protobuf (a deliberately broken fixture item)
  }
}

const ctx = { ...CTX, ingestGroups: true, self: SELF };
const session = { id: ctx.accountId, user: SELF };
const items = FIXTURES.flatMap((name) => fixture<RawUpsert>(name).messages.map((m) => [name, m] as const));

describe('dead-letter payloads', () => {
  it('serialise live Baileys values as plain JSON: base64 bytes, Long as its fields, 7.x key fields kept', () => {
    const message = live(fixture<RawUpsert>('upsert-append-protobuf-json.json').messages[0]!)!;
    expect(message.message!.imageMessage!.fileSha256).toBeInstanceOf(Uint8Array);
    const plain = toPlainJson({ ...message, key: { ...message.key, remoteJidAlt: '123@lid' } }) as Record<
      string,
      never
    >;
    expect(plain).toMatchObject({
      key: { remoteJid: '905321234567@s.whatsapp.net', remoteJidAlt: '123@lid' },
      messageTimestamp: { low: 1767227000, high: 0, unsigned: true },
      message: {
        imageMessage: {
          fileSha256: 'q1MKE+RZFJgrefm34/uplM/R8/si9xzqGvvwK0YMbR0=',
          fileLength: { low: 53122, high: 0, unsigned: true },
        },
      },
    });
    // protobuf's own toJSON would have dropped the alt JID and turned the Long into a string.
    expect(JSON.parse(JSON.stringify(message)).key).not.toHaveProperty('remoteJidAlt');
  });

  it('are stable: serialising the parsed payload again gives the same bytes', () => {
    for (const [, message] of items) {
      const payload = upsertItemPayload(live(message) ?? message, session);
      const again = upsertItemPayload((JSON.parse(payload) as RawUpsert).messages[0], session);
      expect(again).toBe(payload);
    }
  });

  it('map exactly as the live object does, for every fixture item', () => {
    let compared = 0;
    for (const [name, message] of items) {
      const object = live(message);
      if (!object) continue;
      const replayed = (JSON.parse(upsertItemPayload(object, session)) as RawUpsert).messages[0]!;
      expect([name, object.key.id, toInboundEvent(replayed, ctx)]).toEqual([
        name,
        object.key.id,
        toInboundEvent(object, ctx),
      ]);
      compared++;
    }
    expect(compared).toBeGreaterThan(60);
  });

  it('survive cycles, non-finite numbers and BigInt', () => {
    const cyclic: Record<string, unknown> = { n: Number.NaN, big: 12n, bytes: Buffer.from('hi') };
    cyclic.self = cyclic;
    expect(toPlainJson(cyclic)).toEqual({ n: 'NaN', big: '12', bytes: 'aGk=', self: null });
  });
});
