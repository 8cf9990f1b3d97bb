// Shared by the mapping specs: fixtures, a context, and event accessors that check the contract.
import { readFileSync } from 'node:fs';
import { expect } from '@jest/globals';
import { eventSchema, type KanalEvent, type MessageData } from '@kanal/contracts';
import type { MapContext } from './map-context';
import type { MapResult } from './map-result';
import type { RawUpsert } from './raw-message';
import { toInboundEvent } from './to-inbound-events';

export const CTX: MapContext = { accountId: 'shop-tr', receivedAt: '2026-01-01T00:10:00.000Z', ingestGroups: false };

/** The session's own account as Baileys keeps it in creds `me` (device-qualified JIDs). */
export const SELF = { id: '905320000000:3@s.whatsapp.net', lid: '77788899900011:3@lid' };
export const SELF_IDENTITIES = [
  { type: 'phone', value: '+905320000000' },
  { type: 'whatsapp-lid', value: '77788899900011@lid' },
];

export function fixture<T = RawUpsert>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')) as T;
}

/** Every item of an upsert fixture by `key.id`. */
export function mapFixture(name: string, ctx: MapContext = CTX): Map<string, MapResult> {
  return new Map(fixture(name).messages.map((m) => [String(m.key?.id), toInboundEvent(m, ctx)]));
}

export function eventOf(result: MapResult | undefined): KanalEvent {
  if (result?.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  // Every event the mapper builds must satisfy the public contract.
  expect(eventSchema(result.event.type).safeParse(result.event).success).toBe(true);
  return result.event;
}

export const dataOf = (result: MapResult | undefined) => eventOf(result).data as MessageData;
