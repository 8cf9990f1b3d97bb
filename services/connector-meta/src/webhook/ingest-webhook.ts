import { TOPICS } from '@kanal/contracts';
import { HttpError } from '@kanal/http';
import { BUS_ERROR_CODES, errorCode, type EventPublisher } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import type { ConnectorMetrics } from '../connector-metrics';
import { InvalidWebhookBodyError, normalizeWebhook, type MetaProvider } from '../normalize/normalize-webhook';
import type { MediaJob } from '../normalize/normalized-batch';
import { verifySignature } from './verify-signature';

export interface IngestDeps {
  publisher: EventPublisher;
  appSecrets: readonly string[];
  /** Accounts this deployment serves, per provider; anything else is acknowledged and dropped. */
  knownAccounts: Record<MetaProvider, ReadonlySet<string>>;
  defaultRegion: string;
  logger: Logger;
  metrics: ConnectorMetrics;
  enqueueMedia: (job: MediaJob) => void;
  now?: () => Date;
}

export interface IngestResult {
  published: number;
  dropped: number;
}

/**
 * One webhook delivery: verify the signature over the raw bytes, normalize every item, publish
 * with acks=all, and only then let the caller answer 200. Media is queued after the publish so a
 * slow CDN never delays the answer Meta is waiting for.
 */
export async function ingestWebhook(
  deps: IngestDeps,
  provider: MetaProvider,
  raw: Buffer,
  signature: string | undefined,
  /** W3C trace context the delivery's events carry (requestTraceparent). */
  traceparent?: string,
): Promise<IngestResult> {
  const check = verifySignature(raw, signature, deps.appSecrets);
  if (!check.ok) {
    deps.metrics.signatureRejected.inc({ provider, reason: check.reason });
    deps.metrics.webhooks.inc({ provider, outcome: 'rejected-signature' });
    throw new HttpError(
      401,
      'META.SIGNATURE_INVALID',
      `X-Hub-Signature-256 ${check.reason === 'missing' ? 'is missing' : 'does not match the body'}`,
    );
  }
  let batch;
  try {
    batch = normalizeWebhook(provider, raw, {
      receivedAt: (deps.now?.() ?? new Date()).toISOString(),
      defaultRegion: deps.defaultRegion,
    });
  } catch (error) {
    if (!(error instanceof InvalidWebhookBodyError)) throw error;
    deps.metrics.webhooks.inc({ provider, outcome: 'invalid-body' });
    throw new HttpError(400, error.code, error.message);
  }
  const known = deps.knownAccounts[provider];
  const accepted = batch.events.filter((e) => known.has(e.accountId));
  const unknown = new Set(batch.events.filter((e) => !known.has(e.accountId)).map((e) => e.accountId));
  for (const accountId of unknown) {
    // Acknowledged anyway: a 4xx/5xx would make Meta retry an account we will never serve.
    deps.logger.warn(
      { provider, accountId, code: 'META.UNKNOWN_ACCOUNT' },
      'webhook for an account this deployment does not serve',
    );
  }
  const droppedUnknown = batch.events.length - accepted.length;
  if (droppedUnknown) deps.metrics.dropped.inc({ reason: 'unknown-account' }, droppedUnknown);
  for (const d of batch.dropped) {
    deps.metrics.dropped.inc({ reason: d.reason });
    deps.logger.warn(
      { provider, accountId: d.accountId, reason: d.reason, detail: d.detail },
      'webhook item not published',
    );
  }
  try {
    await deps.publisher.publish(
      accepted.map(({ event }) => ({
        topic: TOPICS.inbound,
        key: event.subject!,
        event,
        ...(traceparent ? { headers: { traceparent } } : {}),
      })),
    );
  } catch (error) {
    const code = errorCode(error, BUS_ERROR_CODES.publishFailed);
    deps.metrics.webhooks.inc({
      provider,
      outcome: code === BUS_ERROR_CODES.unavailable ? 'bus-unavailable' : 'error',
    });
    // 503 makes Meta redeliver (7 days WhatsApp, 36 h IG/Messenger); the same bytes give the same ids.
    if (code === BUS_ERROR_CODES.unavailable) throw new HttpError(503, code, 'event bus unavailable; retry later');
    throw error;
  }
  for (const job of batch.media)
    if (known.has((job.message.data as { accountId: string }).accountId)) deps.enqueueMedia(job);
  deps.metrics.webhooks.inc({ provider, outcome: 'accepted' });
  return { published: accepted.length, dropped: droppedUnknown + batch.dropped.length };
}
