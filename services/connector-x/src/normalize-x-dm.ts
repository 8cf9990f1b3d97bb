import type { CloudEvent } from '@kanal/contracts';
import { deadLettersOf } from './dead-letters';
import { X_ERROR_CODES, XError } from './errors';
import { dmEventsPageToInbound } from './x/dm-events-to-inbound';
import type { NormalizedBatch } from './x/normalized-batch';
import { webhookBodyToInbound } from './x/webhook-to-inbound';
import { conversationParticipants } from './x/x-ids';
import { dmEventsPageSchema, webhookBodySchema, type DmEventsPage } from './x/x-payload-schemas';

export interface NormalizeXOptions {
  /** When the payload first arrived (a dead letter's `receivedAt`); now otherwise. */
  receivedAt?: string;
  /** Our X user id for a dm_events page (a dead letter's `accountId`); else taken from the env. */
  accountId?: string;
}

const USER_ID = /^\d{1,30}$/;

/**
 * `kanal normalize x-dm <file.json>` and `kanal dlq replay`: a `GET /2/dm_events` page or an Account
 * Activity webhook body → the events and dead letters connector-x publishes for it (same mappers,
 * same ids). Skips and partial errors are reported on stderr; stdout is the caller's.
 */
export function normalizeXDm(raw: Buffer, env: NodeJS.ProcessEnv, options: NormalizeXOptions = {}): CloudEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new XError(X_ERROR_CODES.invalidPayload, `not JSON: ${(error as Error).message}`);
  }
  const receivedAt = options.receivedAt ?? new Date().toISOString();
  const batch = normalizeXPayload(json, { accountId: options.accountId, env, receivedAt });
  for (const s of batch.skipped) process.stderr.write(`skipped ${s.item}: ${s.reason}\n`);
  for (const r of batch.rejected) process.stderr.write(`dead letter ${r.item}: ${r.code} (${r.message})\n`);
  for (const e of batch.partialErrors)
    process.stderr.write(`partial error from X: ${e.title ?? 'error'} ${e.type ?? ''}\n`);
  return [...batch.events, ...deadLettersOf(batch, receivedAt)];
}

export interface PayloadContext {
  /** Our X user id, when the caller knows it; otherwise resolved from `env` for pages. */
  accountId?: string;
  env?: NodeJS.ProcessEnv;
  receivedAt: string;
}

/** A webhook body (it has `for_user_id`) or a dm_events page → the batch the service would build. */
export function normalizeXPayload(json: unknown, ctx: PayloadContext): NormalizedBatch {
  if (json && typeof json === 'object' && 'for_user_id' in json) {
    const body = webhookBodySchema.safeParse(json);
    if (!body.success)
      throw new XError(X_ERROR_CODES.invalidPayload, `not a webhook body: ${body.error.issues[0]?.message}`);
    return webhookBodyToInbound(body.data, ctx);
  }
  const page = dmEventsPageSchema.safeParse(json);
  if (!page.success)
    throw new XError(X_ERROR_CODES.invalidPayload, `not a dm_events page: ${page.error.issues[0]?.message}`);
  const accountId = pageAccount(page.data, ctx);
  return dmEventsPageToInbound(page.data, { accountId, receivedAt: ctx.receivedAt });
}

/**
 * A page does not say whose inbox it is. `X_ACCOUNT_ID` names us; without it, the one polled account
 * (`X_ACCOUNTS`) that takes part in the page's one-to-one conversations, as the service's env has it.
 */
function pageAccount(page: DmEventsPage, ctx: PayloadContext): string {
  const env = ctx.env ?? {};
  const given = (ctx.accountId ?? env['X_ACCOUNT_ID'])?.trim();
  if (given && USER_ID.test(given)) return given;
  const polled = (env['X_ACCOUNTS'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => USER_ID.test(s));
  const inPage = new Set(
    (page.data ?? []).flatMap((e) => {
      const conversation = (e as { dm_conversation_id?: unknown } | null)?.dm_conversation_id;
      return typeof conversation === 'string' ? conversationParticipants(conversation) : [];
    }),
  );
  const candidates = polled.length === 1 ? polled : polled.filter((id) => inPage.has(id));
  if (candidates.length === 1) return candidates[0]!;
  throw new XError(
    X_ERROR_CODES.accountRequired,
    'X_ACCOUNT_ID (our numeric X user id) is required to normalize a dm_events page',
  );
}
