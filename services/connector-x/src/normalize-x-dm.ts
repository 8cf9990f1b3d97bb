import type { CloudEvent } from '@kanal/contracts';
import { X_ERROR_CODES, XError } from './errors';
import { dmEventsPageToInbound, type NormalizedBatch } from './x/dm-events-to-inbound';
import { webhookBodyToInbound } from './x/webhook-to-inbound';
import { dmEventsPageSchema, webhookBodySchema } from './x/x-payload-schemas';

/**
 * `kanal normalize x-dm <file.json>`: a `GET /2/dm_events` page or an Account Activity webhook
 * body → the events connector-x publishes for it (same mappers, same ids). A page does not say
 * whose inbox it is, so `X_ACCOUNT_ID` names our participant; a webhook body carries `for_user_id`.
 */
export function normalizeXDm(raw: Buffer, env: NodeJS.ProcessEnv): CloudEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new XError(X_ERROR_CODES.invalidPayload, `not JSON: ${(error as Error).message}`);
  }
  const batch = normalizeXPayload(json, {
    accountId: env.X_ACCOUNT_ID?.trim() || undefined,
    receivedAt: new Date().toISOString(),
  });
  for (const d of batch.dropped)
    process.stderr.write(`dropped ${d.externalId ?? '(no id)'}: ${d.reason}${d.detail ? ` (${d.detail})` : ''}\n`);
  for (const e of batch.partialErrors)
    process.stderr.write(`partial error from X: ${e.title ?? 'error'} ${e.type ?? ''}\n`);
  return batch.events;
}

export function normalizeXPayload(json: unknown, ctx: { accountId?: string; receivedAt: string }): NormalizedBatch {
  if (json && typeof json === 'object' && 'for_user_id' in json) {
    const body = webhookBodySchema.safeParse(json);
    if (!body.success)
      throw new XError(X_ERROR_CODES.invalidPayload, `not a webhook body: ${body.error.issues[0]?.message}`);
    return webhookBodyToInbound(body.data, ctx);
  }
  const page = dmEventsPageSchema.safeParse(json);
  if (!page.success)
    throw new XError(X_ERROR_CODES.invalidPayload, `not a dm_events page: ${page.error.issues[0]?.message}`);
  if (!ctx.accountId || !/^\d{1,30}$/.test(ctx.accountId)) {
    throw new XError(
      X_ERROR_CODES.accountRequired,
      'X_ACCOUNT_ID (our numeric X user id) is required to normalize a dm_events page',
    );
  }
  return dmEventsPageToInbound(page.data, { accountId: ctx.accountId, receivedAt: ctx.receivedAt });
}
