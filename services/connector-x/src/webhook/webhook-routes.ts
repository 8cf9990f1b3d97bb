import express, { type Express } from 'express';
import { HttpError, requestTraceparent } from '@kanal/http';
import { BusUnavailableError } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import { publishableOf, unknownAccountLetter, type Publishable } from '../dead-letters';
import { X_DEAD_LETTER_CODES, X_ERROR_CODES } from '../errors';
import { reportBatch } from '../report-batch';
import type { XMetrics } from '../x-metrics';
import { webhookBodyToInbound } from '../x/webhook-to-inbound';
import { webhookBodySchema } from '../x/x-payload-schemas';
import { crcResponseToken, isValidSignature } from './x-signature';

export interface WebhookOptions {
  enabled: boolean;
  consumerSecret?: string;
  /** Subscribed accounts we publish for; DMs for any other `for_user_id` are dead-lettered whole. */
  accounts: string[];
  bodyLimit: string;
  /** `traceparent`: the W3C trace context the request's events carry. */
  publish(out: Publishable, traceparent?: string): Promise<void>;
  now?: () => Date;
  logger: Logger;
  metrics: XMetrics;
}

/** `GET /webhooks/x` (CRC) and `POST /webhooks/x` (signed Account Activity events). */
export function webhookRoutes(options: WebhookOptions) {
  const { metrics, logger } = options;
  const accounts = new Set(options.accounts);
  return (app: Express) => {
    app.get('/webhooks/x', (req, res) => {
      const secret = requireEnabled(options);
      const token = req.query['crc_token'];
      if (typeof token !== 'string' || token.length === 0) {
        metrics.webhookRequests.inc({ kind: 'crc', outcome: 'invalid' });
        throw new HttpError(400, X_ERROR_CODES.missingCrcToken, 'crc_token query parameter is required');
      }
      metrics.webhookRequests.inc({ kind: 'crc', outcome: 'ok' });
      res.json({ response_token: crcResponseToken(secret, token) });
    });

    // Raw bytes: the signature is over the body exactly as sent.
    app.post('/webhooks/x', express.raw({ type: () => true, limit: options.bodyLimit }), async (req, res) => {
      const secret = requireEnabled(options);
      const signature = req.get('x-twitter-webhooks-signature');
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!signature) {
        metrics.webhookRequests.inc({ kind: 'event', outcome: 'bad-signature' });
        throw new HttpError(401, X_ERROR_CODES.missingSignature, 'x-twitter-webhooks-signature header is required');
      }
      if (!isValidSignature(secret, raw, signature)) {
        metrics.webhookRequests.inc({ kind: 'event', outcome: 'bad-signature' });
        throw new HttpError(
          401,
          X_ERROR_CODES.invalidSignature,
          'x-twitter-webhooks-signature does not match the body',
        );
      }
      const body = webhookBodySchema.safeParse(parseJson(raw));
      if (!body.success) {
        metrics.webhookRequests.inc({ kind: 'event', outcome: 'invalid' });
        const issue = body.error.issues[0];
        throw new HttpError(
          400,
          X_ERROR_CODES.invalidPayload,
          `not an Account Activity body: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
        );
      }
      const accountId = body.data.for_user_id;
      const receivedAt = (options.now?.() ?? new Date()).toISOString();
      const batch = webhookBodyToInbound(body.data, { receivedAt });
      const served = accounts.has(accountId);
      if (!served && batch.events.length + batch.rejected.length === 0) {
        // Typing, follows, … of an account we do not serve: nothing a customer waits for.
        metrics.skipped.inc({ reason: 'unknown-account' });
        logger.debug({ account: accountId }, 'webhook activity for an account that is not configured; skipped');
        metrics.webhookRequests.inc({ kind: 'event', outcome: 'ok' });
        return void res.json({ status: 'ignored' });
      }
      // DMs for a subscription we do not serve are kept whole, so they can be replayed once it is.
      const out: Publishable = served
        ? publishableOf(batch, receivedAt)
        : { events: [], deadLetters: [unknownAccountLetter(raw, accountId, receivedAt)] };
      try {
        await options.publish(out, requestTraceparent(req));
      } catch (error) {
        metrics.webhookRequests.inc({ kind: 'event', outcome: 'unavailable' });
        if (error instanceof BusUnavailableError)
          throw new HttpError(503, error.code, 'Kafka is unavailable; retry later');
        throw error;
      }
      if (served) reportBatch(batch, out, { logger, metrics });
      else {
        metrics.deadLettered.inc({ code: X_DEAD_LETTER_CODES.unknownAccount });
        logger.warn({ account: accountId }, 'webhook DMs for an account that is not configured; dead-lettered');
      }
      metrics.webhookRequests.inc({ kind: 'event', outcome: 'ok' });
      res.json({ status: 'accepted', events: out.events.length, deadLetters: out.deadLetters.length });
    });
  };
}

function requireEnabled(options: WebhookOptions): string {
  if (!options.enabled || !options.consumerSecret) {
    throw new HttpError(404, X_ERROR_CODES.webhookDisabled, 'the X webhook is not enabled (X_WEBHOOK_ENABLED)');
  }
  return options.consumerSecret;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'HTTP.INVALID_JSON', 'request body is not valid JSON');
  }
}
