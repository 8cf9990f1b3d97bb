import { TOPICS, type KanalEvent } from '@kanal/contracts';
import type { EventPublisher } from '@kanal/kafka';
import type { Logger } from '@kanal/observability';
import { isTransientPgError } from '@kanal/postgres';
import type { LidLookup } from '../mapping/jid-identity';
import type { MapContext, MapResult } from '../mapping/map-context';
import type { RawMessageUpdate, RawReaction, RawUpsert, RawWaMessage } from '../mapping/raw-message';
import { toInboundEvent } from '../mapping/to-inbound-events';
import { toReactionEvent, toUpdateEvent } from '../mapping/to-update-events';
import type { WhatsappMetrics } from '../whatsapp-metrics';
import type { MediaJob } from './media-worker';
import type { PublishedStore } from './pg-published-store';
import { publishWithRetry } from './publish-with-retry';

export interface IngestDeps {
  bus: EventPublisher;
  store: PublishedStore;
  ingestGroups: boolean;
  defaultRegion: string;
  logger: Logger;
  metrics: WhatsappMetrics;
  /** Media downloads, off the hot path. */
  enqueueMedia?: (job: MediaJob) => void;
  now?: () => Date;
}

/** Where the raw message came from, for media downloads bound to the live socket. */
export type MediaSource = (message: RawWaMessage) => MediaJob['download'];

export type Ingest = ReturnType<typeof createIngest>;

/**
 * The use case: map Baileys items, skip what is already published, publish the rest (acks=all),
 * remember them, then queue their media. Dedup by deterministic event id makes `append`
 * catch-up, stub resends and the second signal of an edit/revoke/reaction publish once.
 */
export function createIngest(deps: IngestDeps) {
  // The bus applies the deployment prefix (KAFKA_TOPIC_PREFIX) itself.
  const topic = TOPICS.inbound;
  let stopping = false;
  const context = (accountId: string, lidToPn?: LidLookup): MapContext => ({
    accountId,
    receivedAt: (deps.now?.() ?? new Date()).toISOString(),
    ingestGroups: deps.ingestGroups,
    defaultRegion: deps.defaultRegion,
    lidToPn,
  });

  /** A Postgres restart or failover must not lose the batch in hand: retry transient errors. */
  async function pgRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!isTransientPgError(error) || attempt >= 10 || stopping) throw error;
        deps.logger.warn({ attempt, code: (error as { code?: string }).code }, 'dedup store unavailable; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** attempt)));
      }
    }
  }

  async function publish(sessionId: string, items: Array<{ result: MapResult; raw?: RawWaMessage }>, media?: MediaSource) {
    const fresh = new Map<string, { event: KanalEvent; mediaIndexes: number[]; raw?: RawWaMessage }>();
    for (const { result, raw } of items) {
      if (result.kind === 'held') deps.metrics.held.inc();
      if (result.kind !== 'event') {
        deps.metrics.dropped.inc({ reason: result.kind === 'held' ? `held-${result.reason}` : result.reason });
        deps.logger.debug({ sessionId, reason: result.reason, id: raw?.key.id }, 'whatsapp item not published');
        continue;
      }
      if (!fresh.has(result.event.id)) fresh.set(result.event.id, { ...result, raw });
    }
    if (fresh.size === 0) return 0;
    const todo = await pgRetry(() => deps.store.unpublished(sessionId, [...fresh.keys()]));
    deps.metrics.duplicates.inc(fresh.size - todo.size);
    if (todo.size === 0) return 0;
    const pending = [...fresh.values()].filter((f) => todo.has(f.event.id));
    const records = pending.map((p) => ({ topic, key: p.event.subject!, event: p.event }));
    await publishWithRetry(deps.bus, records, deps.logger, { stopped: () => stopping, onRetry: () => deps.metrics.publishRetries.inc() });
    await pgRetry(() => deps.store.markPublished(sessionId, [...todo]));
    for (const p of pending) {
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
    async upsert(sessionId: string, payloads: RawUpsert | RawUpsert[], lidToPn?: LidLookup, media?: MediaSource): Promise<number> {
      const ctx = context(sessionId, lidToPn);
      const items = [payloads].flat().flatMap((payload) => {
        deps.metrics.upserts.inc({ type: payload.type }, payload.messages.length);
        return payload.messages.map((raw) => ({ result: toInboundEvent(raw, ctx), raw }));
      });
      return publish(sessionId, items, media);
    },
    async updates(sessionId: string, items: RawMessageUpdate[], lidToPn?: LidLookup): Promise<number> {
      const ctx = context(sessionId, lidToPn);
      return publish(sessionId, items.map((u) => ({ result: toUpdateEvent(u, ctx) })));
    },
    async reactions(sessionId: string, items: RawReaction[], lidToPn?: LidLookup): Promise<number> {
      const ctx = context(sessionId, lidToPn);
      return publish(sessionId, items.map((r) => ({ result: toReactionEvent(r, ctx) })));
    },
    stop() {
      stopping = true;
    },
  };
}
