import { buildProviderDeadLetter, type KanalEvent } from '@kanal/contracts';
import { X_DEAD_LETTER_CODES } from './errors';
import { X_SOURCE } from './x/build-x-message';
import type { NormalizedBatch, XInboundEvent } from './x/normalized-batch';

export type XDeadLetter = KanalEvent<'kanal.dlq.record.v1'>;

/** What one page or webhook body publishes, in one publish, before X is told OK. */
export interface Publishable {
  events: XInboundEvent[];
  deadLetters: XDeadLetter[];
}

/*
 * No blob store: an X item is small (a DM is at most 10,000 characters; its minimal page or body
 * a few KB), far below the 512 KB a dead letter carries inline. Something larger would be a
 * malformed item; its letter is truncated, flagged `truncated` and logged.
 */

/** The batch's rejected items as provider dead letters (deterministic ids: a redelivery is one record). */
export function deadLettersOf(batch: NormalizedBatch, receivedAt: string): XDeadLetter[] {
  return batch.rejected.map((r) =>
    buildProviderDeadLetter({
      source: X_SOURCE,
      provider: 'x-dm',
      channel: 'x',
      accountId: batch.accountId,
      code: r.code,
      message: r.message,
      payload: JSON.stringify(r.payload),
      contentType: 'application/json',
      receivedAt,
      item: r.item,
      ...(r.key ? { key: r.key } : {}),
    }),
  );
}

export function publishableOf(batch: NormalizedBatch, receivedAt: string): Publishable {
  return { events: batch.events, deadLetters: deadLettersOf(batch, receivedAt) };
}

/**
 * A webhook body for a subscription we do not serve, holding DMs: kept whole, byte for byte, so
 * configuring the account and replaying the letter publishes them.
 */
export function unknownAccountLetter(raw: Buffer, accountId: string, receivedAt: string): XDeadLetter {
  return buildProviderDeadLetter({
    source: X_SOURCE,
    provider: 'x-dm',
    channel: 'x',
    accountId,
    code: X_DEAD_LETTER_CODES.unknownAccount,
    message: `webhook body for X account ${accountId}, which is not in X_ACCOUNTS or X_ACCOUNT_ID`,
    payload: raw,
    contentType: 'application/json',
    receivedAt,
    item: 'body',
  });
}
