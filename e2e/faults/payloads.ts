import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@kanal/testing';
import { signBody } from '../../services/connector-meta/src/webhook/verify-signature';

/** (channel, account_id, external_id): the unifier's unique key of a message, joined by `|`. */
export type MessageKey = string;

export const messageKey = (channel: string, accountId: string, externalId: string): MessageKey =>
  `${channel}|${accountId}|${externalId}`;

/** One message a sender delivers until a connector accepts it: the same bytes on every retry. */
export interface Outgoing {
  key: MessageKey;
  /** Which phase's customer wrote it (the table row it is counted in). */
  phase: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  accepted: (status: number, body: string) => boolean;
}

/** Neutral text: no routing keyword, so every conversation gets the default queue and P3 SLA. */
const TEXT = 'Merhaba, siparişimle ilgili bir sorum olacaktı.';

/**
 * Web chat visitor `k` of a phase, through connector-api. Each visitor is one customer with one
 * conversation (a single identity type, so no cross-customer merges blur the per-phase counts).
 */
export function apiMessage(base: string, token: string, phase: string, k: number): Outgoing {
  const externalId = `f-${phase}-${randomUUID()}`;
  const message = {
    channel: 'webchat',
    accountId: 'faults',
    externalId,
    conversationRef: `visitor-${phase}-${k}`,
    occurredAt: new Date().toISOString(),
    sender: { displayName: `Ziyaretçi ${k}`, identities: [{ type: 'webchat', value: `faults:${phase}-${k}` }] },
    text: TEXT,
  };
  return {
    key: messageKey('webchat', 'faults', externalId),
    phase,
    url: `${base}/v1/messages`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(message),
    accepted: (status) => status === 202,
  };
}

const FIXTURE = join(REPO_ROOT, 'services/connector-meta/src/whatsapp/__fixtures__/text-turkish-escaped.json');

interface WaFixture {
  entry: Array<{
    changes: Array<{
      value: {
        metadata: { phone_number_id: string };
        contacts: Array<{ profile: { name: string }; wa_id: string }>;
        messages: Array<{ from: string; id: string; timestamp: string; text: { body: string }; type: string }>;
      };
    }>;
  }>;
}

/**
 * WhatsApp Cloud webhook with one text message from customer `k` of a phase (`phaseIndex` 0-9
 * keeps the phones of different phases apart): the shipped fixture with a fresh wamid, signed
 * with the app secret over the exact bytes sent.
 */
export function metaMessage(
  base: string,
  secret: string,
  phoneNumberId: string,
  phase: string,
  phaseIndex: number,
  k: number,
): Outgoing {
  const payload = JSON.parse(readFixture()) as WaFixture;
  const value = payload.entry[0]!.changes[0]!.value;
  const waId = `90532${phaseIndex}${String(k).padStart(6, '0')}`;
  const wamid = `wamid.faults-${phase}-${randomUUID()}`;
  value.metadata.phone_number_id = phoneNumberId;
  value.contacts = [{ profile: { name: `Müşteri ${k}` }, wa_id: waId }];
  value.messages = [
    { from: waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), text: { body: TEXT }, type: 'text' },
  ];
  const body = JSON.stringify(payload);
  return {
    key: messageKey('whatsapp', phoneNumberId, wamid),
    phase,
    url: `${base}/webhooks/whatsapp`,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, secret) },
    body,
    // 200 with published 1: a 200 that dropped the message (unknown account) is not an acceptance.
    accepted: (status, text) => status === 200 && (JSON.parse(text) as { published?: number }).published === 1,
  };
}

let fixture: string | undefined;
function readFixture(): string {
  fixture ??= readFileSync(FIXTURE, 'utf8');
  return fixture;
}
