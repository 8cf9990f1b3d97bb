import { routingEventId } from '@kanal/contracts';
import type { OutgoingRecord } from '@kanal/kafka';
import { routingRecord } from '../events/routing-records';
import type { RouterContext } from '../router-context';
import type { Queryable } from '../store/conversation-repo';

export interface SurgeHit {
  ruleId: string;
  term: string;
  conversationId: string;
  at: Date;
}

/**
 * Counts new conversations per (rule, term) in a sliding window stored in Postgres (so several
 * router instances share one count). Crossing the threshold opens one incident per surge; it stays
 * open (no new event) while hits keep coming within the window. Called once per batch with all its
 * hits: groups are locked in sorted order, so concurrent batches cannot deadlock.
 */
export async function watchSurges(ctx: RouterContext, db: Queryable, hits: SurgeHit[]): Promise<OutgoingRecord[]> {
  const groups = new Map<string, SurgeHit[]>();
  for (const h of hits) {
    const key = `${h.ruleId}\u0000${h.term}`;
    const list = groups.get(key);
    if (list) list.push(h);
    else groups.set(key, [h]);
  }
  const out: OutgoingRecord[] = [];
  for (const key of [...groups.keys()].sort()) out.push(...(await watchGroup(ctx, db, groups.get(key)!)));
  return out;
}

async function watchGroup(ctx: RouterContext, db: Queryable, hits: SurgeHit[]): Promise<OutgoingRecord[]> {
  const { window, threshold } = ctx.config.surge;
  const { ruleId, term } = hits[0]!;
  const last = hits.reduce((a, b) => (b.at > a.at ? b : a));
  const since = new Date(last.at.getTime() - window);
  // Serialises the check per (rule, term) across partitions and instances: one incident per surge.
  await db.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`surge:${ruleId}:${term}`]);
  await db.query(
    `INSERT INTO surge_hits (rule_id, term, conversation_id, at)
     SELECT $1, $2, unnest($3::text[]), unnest($4::timestamptz[]) ON CONFLICT DO NOTHING`,
    [ruleId, term, hits.map((h) => h.conversationId), hits.map((h) => h.at)],
  );
  const open = await db.query(
    `UPDATE incidents SET last_seen_at = GREATEST(last_seen_at, $3), count = count + $6,
       conversation_ids = (conversation_ids || $4::text[])[1:100]
     WHERE incident_id = (SELECT incident_id FROM incidents WHERE rule_id = $1 AND term = $2 AND last_seen_at > $5
                          ORDER BY last_seen_at DESC LIMIT 1)
     RETURNING incident_id`,
    [ruleId, term, last.at, hits.map((h) => h.conversationId), since, hits.length],
  );
  if (open.rowCount) return [];
  const { rows: counted } = await db.query(
    // No upper bound: batches from different partitions land out of time order, and a later hit
    // counted first must still count when an earlier one completes the surge.
    `SELECT count(*)::int AS n, min(at) AS first FROM surge_hits WHERE rule_id = $1 AND term = $2 AND at > $3`,
    [ruleId, term, since],
  );
  const count = counted[0]!.n as number;
  if (count < threshold) return [];
  const { rows } = await db.query(
    `SELECT conversation_id FROM surge_hits WHERE rule_id = $1 AND term = $2 AND at > $3 ORDER BY at LIMIT 100`,
    [ruleId, term, since],
  );
  const firstSeenAt = counted[0]!.first as Date;
  const at = last.at;
  const incidentId = routingEventId('incident', ruleId, term, last.conversationId);
  const conversationIds = rows.map((r) => r.conversation_id as string);
  await db.query(
    `INSERT INTO incidents (incident_id, rule_id, term, first_seen_at, detected_at, last_seen_at, count, conversation_ids)
     VALUES ($1,$2,$3,$4,$5,$5,$6,$7) ON CONFLICT DO NOTHING`,
    [incidentId, ruleId, term, firstSeenAt, at, count, conversationIds],
  );
  ctx.metrics.incidents.inc({ rule: ruleId });
  ctx.logger.warn({ incidentId, ruleId, count }, 'surge of new conversations: incident suspected');
  return [
    routingRecord(
      'kanal.incident.suspected.v1',
      incidentId,
      `incident:${ruleId}`,
      {
        incidentId,
        ruleId,
        ...(term ? { term } : {}),
        count,
        windowSeconds: Math.max(1, Math.round(window / 1000)),
        threshold,
        firstSeenAt: firstSeenAt.toISOString(),
        detectedAt: at.toISOString(),
        conversationIds,
      },
      at.toISOString(),
    ),
  ];
}

export async function openIncidents(db: Queryable, windowMs: number, now: Date) {
  const { rows } = await db.query(
    `SELECT incident_id, rule_id, term, first_seen_at, detected_at, last_seen_at, count, conversation_ids
     FROM incidents WHERE last_seen_at > $1 ORDER BY detected_at DESC LIMIT 100`,
    [new Date(now.getTime() - windowMs)],
  );
  return rows.map((r) => ({
    incidentId: r.incident_id as string,
    ruleId: r.rule_id as string,
    term: (r.term as string) || undefined,
    count: r.count as number,
    firstSeenAt: (r.first_seen_at as Date).toISOString(),
    detectedAt: (r.detected_at as Date).toISOString(),
    lastSeenAt: (r.last_seen_at as Date).toISOString(),
    conversationIds: r.conversation_ids as string[],
  }));
}
