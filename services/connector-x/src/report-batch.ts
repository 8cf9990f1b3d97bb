import type { Logger } from '@kanal/observability';
import type { Publishable } from './dead-letters';
import type { XMetrics } from './x-metrics';
import type { NormalizedBatch } from './x/normalized-batch';

// The last four are toStorableInbound's: a text cut or repaired, an optional id or part left out.
const FALLBACK_FLAGS = [
  'dateFallback',
  'identityFallback',
  'unsupported',
  'textTruncated',
  'textSanitized',
  'identifierDropped',
  'messageTrimmed',
] as const;

/**
 * Counts and logs what a page or webhook body came to, for the poller and the webhook alike:
 * skips at debug (expected noise), dead letters at warn, fallbacks as metrics. Ids and codes only,
 * never texts or names.
 */
export function reportBatch(batch: NormalizedBatch, out: Publishable, deps: { logger: Logger; metrics: XMetrics }) {
  const { logger, metrics } = deps;
  const account = batch.accountId;
  for (const s of batch.skipped) {
    metrics.skipped.inc({ reason: s.reason });
    if (s.reason === 'authorization-revoked')
      logger.warn({ account, item: s.item }, 'X reports the app was deauthorized');
    else logger.debug({ account, reason: s.reason, item: s.item }, 'skipped X item (not a message)');
  }
  for (const r of batch.rejected) {
    metrics.deadLettered.inc({ code: r.code });
    logger.warn(
      { account, code: r.code, item: r.item, detail: r.message },
      'X item dead-lettered with its raw payload',
    );
  }
  for (const letter of out.deadLetters) {
    if (letter.data.truncated)
      logger.warn(
        { account, code: letter.data.code, size: letter.data.size },
        'X dead letter truncated to fit the broker',
      );
  }
  for (const e of out.events) {
    const flags = (e.data.flags ?? {}) as Record<string, boolean | undefined>;
    for (const flag of FALLBACK_FLAGS) if (flags[flag]) metrics.fallbacks.inc({ flag });
  }
  if (batch.partialErrors.length > 0) {
    metrics.partialErrors.inc({ account }, batch.partialErrors.length);
    logger.warn({ account, errors: batch.partialErrors }, 'X returned partial errors; good items are published');
  }
}
