import express, { type Express } from 'express';
import { HttpError, requestTraceparent } from '@kanal/http';
import type { MetaProvider } from '../normalize/normalize-webhook';
import { ingestWebhook, type IngestDeps } from './ingest-webhook';
import { verifySubscription } from './verify-subscription';

const PATHS: Record<string, MetaProvider> = {
  '/webhooks/whatsapp': 'whatsapp-cloud',
  '/webhooks/instagram': 'meta-instagram',
  '/webhooks/messenger': 'meta-messenger',
};

export interface WebhookRouteOptions {
  verifyToken: string;
  bodyLimit: string;
}

/** Thin HTTP edge: raw bytes in (the signature covers them), the use case, a status out. */
export function webhookRoutes(deps: IngestDeps, options: WebhookRouteOptions) {
  // Any content type: the bytes are verified before anything tries to interpret them.
  const rawBody = express.raw({ type: () => true, limit: options.bodyLimit });
  return (app: Express) => {
    for (const [path, provider] of Object.entries(PATHS)) {
      app.get(path, (req, res, next) => {
        const challenge = verifySubscription(req.query as Record<string, unknown>, options.verifyToken);
        if (challenge === undefined)
          return next(new HttpError(403, 'META.VERIFY_FAILED', 'hub.mode/hub.verify_token do not match'));
        res.type('text/plain').send(challenge);
      });
      app.post(path, rawBody, async (req, res, next) => {
        const end = deps.metrics.webhookSeconds.startTimer({ provider });
        try {
          const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          const result = await ingestWebhook(
            deps,
            provider,
            raw,
            req.get('x-hub-signature-256'),
            requestTraceparent(req),
          );
          res.status(200).json({ status: 'ok', ...result });
        } catch (error) {
          next(error);
        } finally {
          end();
        }
      });
    }
  };
}
