import express, { type Express } from 'express';
import { HttpError, requestTraceparent } from '@kanal/http';
import { BusUnavailableError } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import { X_ERROR_CODES } from '../errors';
import type { XMetrics } from '../x-metrics';
import type { XMessageEvent } from '../x/build-x-message';
import { webhookBodyToInbound } from '../x/webhook-to-inbound';
import { webhookBodySchema } from '../x/x-payload-schemas';
import { crcResponseToken, isValidSignature } from './x-signature';

export interface WebhookOptions {
  enabled: boolean;
  consumerSecret?: string;
  /** Subscribed accounts we publish for; events for any other `for_user_id` are dropped and counted. */
  accounts: string[];
  bodyLimit: string;
  /** `traceparent`: the W3C trace context the request's events carry. */
  publish(events: XMessageEvent[], traceparent?: string): Promise<void>;
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
      if (!accounts.has(body.data.for_user_id)) {
        // Retrying cannot help, so X gets its 200; the drop is counted and logged instead.
        metrics.dropped.inc({ reason: 'x-unknown-account' });
        logger.warn({ account: body.data.for_user_id }, 'webhook event for an account that is not configured; dropped');
        metrics.webhookRequests.inc({ kind: 'event', outcome: 'ok' });
        return void res.json({ status: 'ignored' });
      }
      const batch = webhookBodyToInbound(body.data, { receivedAt: new Date().toISOString() });
      for (const d of batch.dropped) {
        metrics.dropped.inc({ reason: `x-${d.reason}` });
        logger.warn(
          { account: body.data.for_user_id, externalId: d.externalId, reason: d.reason, detail: d.detail },
          'dropped webhook DM event',
        );
      }
      try {
        await options.publish(batch.events, requestTraceparent(req));
      } catch (error) {
        metrics.webhookRequests.inc({ kind: 'event', outcome: 'unavailable' });
        if (error instanceof BusUnavailableError)
          throw new HttpError(503, error.code, 'Kafka is unavailable; retry later');
        throw error;
      }
      metrics.webhookRequests.inc({ kind: 'event', outcome: 'ok' });
      res.json({ status: 'accepted', events: batch.events.length });
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
