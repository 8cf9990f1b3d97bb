import type { BlobStore } from '@kanal/blob-store';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import { HttpError } from '@kanal/http';
import { BUS_ERROR_CODES, errorCode, type EventPublisher, type OutgoingRecord } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import type { ConnectorMetrics } from '../connector-metrics';
import { FALLBACK_FLAGS, META_CODES } from '../normalize/meta-codes';
import { normalizeDelivery, type Delivery } from '../normalize/normalize-delivery';
import { InvalidWebhookBodyError, type MetaProvider, type NormalizeWebhook } from '../normalize/normalize-webhook';
import type { MediaJob } from '../normalize/normalized-batch';
import { verifySignature } from './verify-signature';

export interface IngestDeps {
  publisher: EventPublisher;
  appSecrets: readonly string[];
  /** Accounts this deployment serves, per provider; items of any other are dead-lettered for replay. */
  knownAccounts: Record<MetaProvider, ReadonlySet<string>>;
  /** Keeps dead-letter payloads too large to carry inline. */
  blobStore?: BlobStore;
  logger: Logger;
  metrics: ConnectorMetrics;
  enqueueMedia: (job: MediaJob) => void;
  /** The mapper; today's `normalizeWebhook` unless a test stands in the mapper of an older release. */
  normalize?: NormalizeWebhook;
  now?: () => Date;
}

export interface IngestResult {
  published: number;
  deadLettered: number;
  skipped: number;
}

/**
 * One webhook delivery: verify the signature over the raw bytes, normalize every item, publish
 * its events and its dead letters together with acks=all, and only then let the caller answer
 * 200. Nothing is acknowledged that is not durable: a failing publish or blob store answers 5xx,
 * and Meta redelivers the same bytes (same ids). Media is queued after the publish so a slow CDN
 * never delays the answer Meta is waiting for.
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
  let delivery: Delivery;
  try {
    delivery = await normalizeDelivery(provider, raw, {
      receivedAt: (deps.now?.() ?? new Date()).toISOString(),
      knownAccounts: deps.knownAccounts[provider],
      blobStore: deps.blobStore,
      normalize: deps.normalize,
    });
  } catch (error) {
    if (!(error instanceof InvalidWebhookBodyError)) {
      deps.metrics.webhooks.inc({ provider, outcome: 'error' });
      throw error;
    }
    deps.metrics.webhooks.inc({ provider, outcome: 'invalid-body' });
    throw new HttpError(400, error.code, error.message);
  }
  const record = (topic: string, event: CloudEvent): OutgoingRecord => ({
    topic,
    key: event.subject!,
    event,
    ...(traceparent ? { headers: { traceparent } } : {}),
  });
  try {
    await deps.publisher.publish([
      ...delivery.events.map(({ event }) => record(TOPICS.inbound, event)),
      ...delivery.deadLetters.map(({ event }) => record(TOPICS.dlq, event)),
    ]);
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
  account(deps, provider, delivery);
  for (const job of delivery.media) deps.enqueueMedia(job);
  deps.metrics.webhooks.inc({ provider, outcome: 'accepted' });
  return {
    published: delivery.events.length,
    deadLettered: delivery.deadLetters.length,
    skipped: delivery.skipped.length,
  };
}

/** Counts and logs what was published (after the publish: a redelivery of a failed one is not counted twice). */
function account(deps: IngestDeps, provider: MetaProvider, delivery: Delivery): void {
  const unknownAccounts = new Set<string>();
  for (const letter of delivery.deadLetters) {
    deps.metrics.deadLettered.inc({ provider, code: letter.code });
    if (letter.code === META_CODES.unknownAccount) unknownAccounts.add(letter.accountId ?? '');
    else {
      deps.logger.warn(
        { provider, accountId: letter.accountId, code: letter.code, item: letter.locator, eventId: letter.event.id },
        'webhook item not published',
      );
    }
  }
  for (const accountId of unknownAccounts) {
    deps.logger.warn(
      { provider, accountId, code: META_CODES.unknownAccount },
      'webhook for an account this deployment does not serve',
    );
  }
  for (const skip of delivery.skipped) {
    deps.metrics.skipped.inc({ provider, reason: skip.reason });
    deps.logger.debug(
      { provider, accountId: skip.accountId, reason: skip.reason, detail: skip.detail },
      'webhook item skipped',
    );
  }
  for (const { event } of delivery.events) {
    const flags = (event.data as { flags?: Record<string, boolean> }).flags;
    if (!flags) continue;
    for (const flag of FALLBACK_FLAGS) if (flags[flag]) deps.metrics.fallbacks.inc({ provider, flag });
  }
}
