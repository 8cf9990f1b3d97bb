import type { Pool } from '@kanal/postgres';
import type { RouterContext } from '../router-context';

/** Dedup ids older than this cannot be redelivered any more (topic retention is shorter). */
const PROCESSED_RETENTION_MS = 14 * 24 * 3_600_000;

/**
 * Keeps the bookkeeping tables small: contacts beyond the longest repeat-contact window, surge
 * hits beyond twice the surge window, and dedup ids beyond the redelivery horizon.
 */
export async function pruneOldRows(ctx: RouterContext, pool: Pool): Promise<void> {
  const now = ctx.now().getTime();
  const contactWindow = Math.max(0, ...ctx.rules.repeatWindowsMs);
  await pool.query(`DELETE FROM contacts WHERE at < $1`, [new Date(now - contactWindow - 3_600_000)]);
  await pool.query(`DELETE FROM surge_hits WHERE at < $1`, [new Date(now - 2 * ctx.config.surge.window)]);
  await pool.query(`DELETE FROM processed_events WHERE processed_at < $1`, [new Date(now - PROCESSED_RETENTION_MS)]);
}
