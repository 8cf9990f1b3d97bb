import { deadLetterWithBlob, type BlobStore } from '@kanal/blob-store';
import { TOPICS, type KanalEvent, type MessageData } from '@kanal/contracts';
import type { EventPublisher } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import { isTransientPgError } from '@kanal/postgres';
import type { LidLookup } from '../mapping/jid-identity';
import {
  mapReactions,
  mapUpdates,
  mapUpsert,
  publishable,
  type LetterInput,
  type Outcome,
} from '../mapping/map-baileys-events';
import type { MapContext } from '../mapping/map-context';
import type { RawMessageUpdate, RawReaction, RawSessionUser, RawUpsert, RawWaMessage } from '../mapping/raw-message';
import type { WhatsappMetrics } from '../whatsapp-metrics';
import type { MediaJob } from './media-worker';
import type { PublishedStore } from './pg-published-store';
import { publishWithRetry, retrying } from './publish-with-retry';

/**
 * Flags counted in `kanal_whatsapp_fallbacks_total`: each means a provider value was replaced or
 * left out (the last four are toStorableInbound's: cut, repaired, an optional id or part left out).
 */
const FALLBACK_FLAGS = [
  'identityFallback',
  'dateFallback',
  'textTruncated',
  'textSanitized',
  'identifierDropped',
  'messageTrimmed',
] as const;

export interface IngestDeps {
  bus: EventPublisher;
  store: PublishedStore;
  /** Where dead letters too large to carry inline are kept (the connector's media store). */
  blobs?: BlobStore;
  ingestGroups: boolean;
  logger: Logger;
  metrics: WhatsappMetrics;
  /** Media downloads, off the hot path. */
  enqueueMedia?: (job: MediaJob) => void;
  now?: () => Date;
}

/** Where the raw message came from, for media downloads bound to the live socket. */
export type MediaSource = (message: RawWaMessage) => MediaJob['download'];

/** What the session knows beside the items: its LID store answers, own account, media source. */
export interface SessionInput {
  lidToPn?: LidLookup;
  self?: RawSessionUser;
  media?: MediaSource;
}

export type Ingest = ReturnType<typeof createIngest>;

/**
 * The use case: map Baileys items, skip what is already published, publish the rest (acks=all)
 * together with a dead letter for every item that could not be mapped, remember them, then queue
 * their media. Dedup by deterministic id (events and letters alike) makes `append` catch-up, stub
 * resends and the second signal of an edit/revoke/reaction publish once.
 */
export function createIngest(deps: IngestDeps) {
  // The bus applies the deployment prefix (KAFKA_TOPIC_PREFIX) itself.
  const stopped = () => stopping;
  let stopping = false;
  const context = (accountId: string, input: SessionInput): MapContext => ({
    accountId,
    receivedAt: (deps.now?.() ?? new Date()).toISOString(),
    ingestGroups: deps.ingestGroups,
    lidToPn: input.lidToPn,
    ...(input.self ? { self: { id: input.self.id, lid: input.self.lid } } : {}),
  });

  /** A Postgres restart or failover must not lose the batch in hand: retry transient errors until shutdown. */
  async function pgRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!isTransientPgError(error) || stopping) throw error;
        deps.logger.warn({ attempt, code: (error as { code?: string }).code }, 'dedup store unavailable; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** Math.min(attempt, 6))));
      }
    }
  }

  /** A letter whose payload is too large to carry goes to the blob store; a failing store is retried, never skipped. */
  const toLetter = (input: LetterInput): Promise<KanalEvent> =>
    retrying(() => deadLetterWithBlob(input, deps.blobs), deps.logger, { stopped, what: 'dead-letter blob store' });

  function count(sessionId: string, outcomes: Outcome[]) {
    for (const { result, raw } of outcomes) {
      if (result.kind === 'skipped') {
        if (result.reason === 'held-ciphertext-stub') deps.metrics.held.inc();
        deps.metrics.skipped.inc({ reason: result.reason });
        deps.logger.debug({ sessionId, reason: result.reason, id: raw?.key?.id }, 'whatsapp item skipped');
      } else if (result.kind === 'failed') {
        deps.logger.warn({ sessionId, code: result.code, reason: result.message }, 'whatsapp item dead-lettered');
      }
    }
  }

  async function publish(sessionId: string, outcomes: Outcome[], media?: MediaSource) {
    count(sessionId, outcomes);
    const fresh = new Map((await publishable(outcomes, toLetter)).map((p) => [p.event.id, p]));
    if (fresh.size === 0) return 0;
    const todo = await pgRetry(() => deps.store.unpublished(sessionId, [...fresh.keys()]));
    deps.metrics.duplicates.inc(fresh.size - todo.size);
    if (todo.size === 0) return 0;
    const pending = [...fresh.values()].filter((f) => todo.has(f.event.id));
    const records = pending.map((p) => ({
      topic: p.event.type === 'kanal.dlq.record.v1' ? TOPICS.dlq : TOPICS.inbound,
      key: p.event.subject!,
      event: p.event,
    }));
    await publishWithRetry(deps.bus, records, deps.logger, {
      stopped,
      onRetry: () => deps.metrics.publishRetries.inc(),
    });
    await pgRetry(() => deps.store.markPublished(sessionId, [...todo]));
    for (const p of pending) {
      if (p.event.type === 'kanal.dlq.record.v1') {
        deps.metrics.deadLettered.inc({ code: (p.event.data as { code: string }).code });
        continue;
      }
      const flags = (p.event.data as MessageData).flags;
      if (flags?.phoneUnverified) deps.metrics.phoneUnverified.inc();
      for (const flag of FALLBACK_FLAGS) if (flags?.[flag]) deps.metrics.fallbacks.inc({ flag });
      if (p.mediaIndexes.length && p.raw && media && deps.enqueueMedia) {
        deps.enqueueMedia({ sessionId, event: p.event, indexes: p.mediaIndexes, download: media(p.raw) });
      }
    }
    return pending.length;
  }

  return {
    /**
     * `notify` and `append` alike (offline catch-up must not be skipped). Several consecutive
     * upserts may come as one call: one dedup query and one publish for the lot.
     */
    async upsert(sessionId: string, payloads: RawUpsert | RawUpsert[], input: SessionInput = {}): Promise<number> {
      const ctx = context(sessionId, input);
      const outcomes = [payloads].flat().flatMap((payload) => {
        const n = Array.isArray(payload?.messages) ? payload.messages.length : 1;
        deps.metrics.upserts.inc(
          { type: typeof payload?.type === 'string' ? payload.type.slice(0, 16) : 'unknown' },
          n,
        );
        return mapUpsert(payload, ctx);
      });
      return publish(sessionId, outcomes, input.media);
    },
    async updates(sessionId: string, items: RawMessageUpdate[], input: SessionInput = {}): Promise<number> {
      return publish(sessionId, mapUpdates(items, context(sessionId, input)));
    },
    async reactions(sessionId: string, items: RawReaction[], input: SessionInput = {}): Promise<number> {
      return publish(sessionId, mapReactions(items, context(sessionId, input)));
    },
    stop() {
      stopping = true;
    },
  };
}
