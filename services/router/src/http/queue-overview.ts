import type { Pool } from '@kanal/postgres';
import type { RouterContext } from '../router-context';

/** Per configured queue: waiting conversations, the oldest waiting since, breached ones, open total. */
export async function queueOverview(pool: Pool, ctx: RouterContext) {
  const { rows } = await pool.query(
    `SELECT queue,
            count(*) FILTER (WHERE status = 'waiting')::int AS depth,
            min(sla_started_at) FILTER (WHERE status = 'waiting') AS oldest,
            count(*) FILTER (WHERE status = 'waiting' AND sla_breached)::int AS breached,
            count(*) FILTER (WHERE status IN ('waiting', 'responded'))::int AS open
     FROM conversations WHERE status IN ('waiting', 'responded') GROUP BY queue`,
  );
  const byQueue = new Map(rows.map((r) => [r.queue as string, r]));
  const now = ctx.now().getTime();
  return ctx.config.queues.map((q) => {
    const r = byQueue.get(q.id);
    const oldest = r?.oldest as Date | null | undefined;
    return {
      id: q.id,
      name: q.name,
      depth: (r?.depth as number | undefined) ?? 0,
      open: (r?.open as number | undefined) ?? 0,
      breached: (r?.breached as number | undefined) ?? 0,
      oldestWaitingSince: oldest ? oldest.toISOString() : undefined,
      oldestWaitingSeconds: oldest ? Math.max(0, Math.round((now - oldest.getTime()) / 1000)) : undefined,
    };
  });
}
