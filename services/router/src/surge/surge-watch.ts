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
 * open (no new event) while hits keep coming within the window. Called with a set of hits: the
 * (rule, term) groups are locked in sorted order in one statement, so concurrent calls cannot
 * deadlock, and the common case (open incidents extended, other groups' hits stored) is three
 * statements whatever the number of groups; only groups with no open incident are counted one by one.
 */
export async function watchSurges(ctx: RouterContext, db: Queryable, hits: SurgeHit[]): Promise<OutgoingRecord[]> {
  if (hits.length === 0) return [];
  const groups = new Map<string, SurgeHit[]>();
  for (const h of hits) {
    const key = groupKey(h);
    const list = groups.get(key);
    if (list) list.push(h);
    else groups.set(key, [h]);
  }
  const { window } = ctx.config.surge;
  // Serialises the check per (rule, term) across partitions and instances: one incident per surge.
  await db.query(`SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) AS k ORDER BY k`, [
    [...groups.keys()],
  ]);
  const summaries = [...groups.values()].map((list) => {
    const last = list.reduce((a, b) => (b.at > a.at ? b : a));
    return {
      rule_id: list[0]!.ruleId,
      term: list[0]!.term,
      last: last.at,
      since: new Date(last.at.getTime() - window),
      n: list.length,
      ids: list.map((h) => h.conversationId),
    };
  });
  const { rows: extended } = await db.query(
    `WITH g AS (SELECT * FROM jsonb_to_recordset($1::jsonb)
                  AS g(rule_id text, term text, last timestamptz, since timestamptz, n int, ids text[])),
          target AS (SELECT DISTINCT ON (g.rule_id, g.term) i.incident_id, g.rule_id, g.term, g.last, g.n, g.ids
                     FROM g JOIN incidents i ON i.rule_id = g.rule_id AND i.term = g.term AND i.last_seen_at > g.since
                     ORDER BY g.rule_id, g.term, i.last_seen_at DESC)
     UPDATE incidents i SET last_seen_at = GREATEST(i.last_seen_at, t.last), count = i.count + t.n,
       conversation_ids = (i.conversation_ids || t.ids)[1:100]
     FROM target t WHERE i.incident_id = t.incident_id
     RETURNING t.rule_id, t.term`,
    [JSON.stringify(summaries)],
  );
  const open = new Set(extended.map((r) => groupKey({ ruleId: r.rule_id as string, term: r.term as string })));
  // Hits of a group with an open incident are not stored: the incident's last_seen_at is at least
  // their time, so it stays open for as long as they are in the window and they can never count
  // towards another surge. During a surge (every message matching) this skips most of the writes.
  const fresh = hits.filter((h) => !open.has(groupKey(h)));
  if (fresh.length > 0) {
    await db.query(
      `INSERT INTO surge_hits (rule_id, term, conversation_id, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) ON CONFLICT DO NOTHING`,
      [
        fresh.map((h) => h.ruleId),
        fresh.map((h) => h.term),
        fresh.map((h) => h.conversationId),
        fresh.map((h) => h.at),
      ],
    );
  }
  const out: OutgoingRecord[] = [];
  for (const [key, list] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!open.has(key)) out.push(...(await detectSurge(ctx, db, list)));
  }
  return out;
}

/** A (rule, term) group's key, also its advisory lock's name. */
function groupKey(h: { ruleId: string; term: string }): string {
  return `surge:${h.ruleId}:${h.term}`;
}

/** A group with no open incident: counts its window and opens an incident when it crosses the threshold. */
async function detectSurge(ctx: RouterContext, db: Queryable, hits: SurgeHit[]): Promise<OutgoingRecord[]> {
  const { window, threshold } = ctx.config.surge;
  const { ruleId, term } = hits[0]!;
  const last = hits.reduce((a, b) => (b.at > a.at ? b : a));
  const since = new Date(last.at.getTime() - window);
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
