import type { CloudEvent } from '@kanal/contracts';
import type { PhaseTally } from './message-stream';
import { messageKey, type MessageKey } from './payloads';

/** What one fault phase produced, as the senders saw it. */
export interface PhaseRun {
  id: string;
  title: string;
  tallies: PhaseTally[];
  recoverySeconds: number;
  notes: string[];
  deadlinesAtKill?: string[];
  expectedDeadLetterKeys?: string[];
}

export interface PhaseResult {
  fault: string;
  sent: number;
  accepted: number;
  retried: number;
  unified: number;
  duplicates: number;
  lost: number;
  recovery_s: number;
  conversations: number;
  assigned_once: number;
  breached_once: number;
  /** Every check that failed, in words. */
  failures: string[];
  notes: string[];
}

export interface Evidence {
  /** Unifier `messages` rows per accepted key (keys without a row are absent). */
  rows: Map<MessageKey, { rows: number; conversationId: string }>;
  customers: CloudEvent[];
  routing: CloudEvent[];
}

const count = <K>(map: Map<K, Set<string>>, key: K) => map.get(key)?.size ?? 0;

function idsBy(events: CloudEvent[], type: string, keyOf: (data: Record<string, unknown>) => string | undefined) {
  const out = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.type !== type) continue;
    const key = keyOf(e.data as Record<string, unknown>);
    if (key === undefined) continue;
    const ids = out.get(key) ?? new Set<string>();
    ids.add(e.id);
    out.set(key, ids);
  }
  return out;
}

/**
 * Exactly once, end to end, for one phase: every accepted message is one `messages` row and one
 * unified event id; every conversation it opened has one assignment id and, its SLA having run
 * out with no response, one breach id. The same id read twice is at-least-once redelivery and
 * fine; two ids for one message, assignment or deadline are duplicates.
 */
export function verifyPhase(run: PhaseRun, evidence: Evidence): PhaseResult {
  const failures: string[] = [];
  const accepted = [...new Set(run.tallies.flatMap((t) => t.accepted))];
  for (const t of run.tallies) {
    if (t.gaveUp.length) failures.push(`${t.gaveUp.length} messages never accepted, e.g. ${t.gaveUp[0]}`);
    if (t.rejected.length) failures.push(`${t.rejected.length} POSTs rejected, e.g. ${t.rejected[0]}`);
  }

  const unifiedIds = idsBy(evidence.customers, 'kanal.customer.message.v1', (d) => {
    const m = d['message'] as { channel: string; accountId: string; externalId: string } | undefined;
    return d['kind'] === 'received' && m ? messageKey(m.channel, m.accountId, m.externalId) : undefined;
  });
  let unified = 0;
  let dupRows = 0;
  let dupEvents = 0;
  const missingRow: string[] = [];
  const missingEvent: string[] = [];
  let lostMessages = 0;
  const conversations = new Set<string>();
  for (const key of accepted) {
    const row = evidence.rows.get(key);
    if (row) {
      unified++;
      dupRows += row.rows - 1;
      conversations.add(row.conversationId);
    } else missingRow.push(key);
    const events = count(unifiedIds, key);
    if (events === 0) missingEvent.push(key);
    if (!row || events === 0) lostMessages++;
    dupEvents += Math.max(0, events - 1);
  }
  if (missingRow.length)
    failures.push(
      `${missingRow.length} accepted messages missing from the unifier's messages table, e.g. ${missingRow[0]}`,
    );
  if (missingEvent.length)
    failures.push(
      `${missingEvent.length} accepted messages without a kanal.customer.message.v1 event, e.g. ${missingEvent[0]}`,
    );
  if (dupRows) failures.push(`${dupRows} extra messages rows for one (channel, account, external id)`);
  if (dupEvents) failures.push(`${dupEvents} extra unified event ids for one message`);

  const conversationOf = (d: Record<string, unknown>) => d['conversationId'] as string | undefined;
  const assigned = idsBy(evidence.routing, 'kanal.conversation.assigned.v1', conversationOf);
  const breached = idsBy(evidence.routing, 'kanal.sla.breached.v1', conversationOf);
  let assignedOnce = 0;
  let breachedOnce = 0;
  let dupAssign = 0;
  let dupBreach = 0;
  const unassigned: string[] = [];
  const unbreached: string[] = [];
  for (const c of conversations) {
    const a = count(assigned, c);
    const b = count(breached, c);
    if (a === 1) assignedOnce++;
    if (b === 1) breachedOnce++;
    if (a === 0) unassigned.push(c);
    if (b === 0) unbreached.push(c);
    dupAssign += Math.max(0, a - 1);
    dupBreach += Math.max(0, b - 1);
  }
  if (unassigned.length) failures.push(`${unassigned.length} conversations never assigned, e.g. ${unassigned[0]}`);
  if (dupAssign) failures.push(`${dupAssign} extra assignment ids (a conversation assigned twice)`);
  // No agent answers, so every deadline ran out: each conversation breaches exactly once.
  if (unbreached.length)
    failures.push(`${unbreached.length} conversations whose SLA ran out without a breach, e.g. ${unbreached[0]}`);
  if (dupBreach) failures.push(`${dupBreach} extra breach ids (an SLA breach fired twice)`);

  let lostAtKill = 0;
  if (run.deadlinesAtKill) {
    const byDeadline = idsBy(evidence.routing, 'kanal.sla.breached.v1', (d) => d['deadlineId'] as string | undefined);
    for (const id of run.deadlinesAtKill) {
      const n = count(byDeadline, id);
      if (n === 0) lostAtKill++;
      if (n > 1) failures.push(`deadline ${id}, pending at the router kill, breached with ${n} ids`);
    }
    if (lostAtKill) failures.push(`${lostAtKill} deadlines pending at the router kill never breached`);
  }

  const duplicates = dupRows + dupEvents + dupAssign + dupBreach;
  // Deadlines pending at the kill belong to this phase's conversations: counted in `unbreached`.
  const lost = lostMessages + unassigned.length + unbreached.length;
  const sum = (f: (t: PhaseTally) => number) => run.tallies.reduce((s, t) => s + f(t), 0);
  return {
    fault: run.title,
    sent: sum((t) => t.sent),
    accepted: accepted.length,
    retried: sum((t) => t.retried),
    unified,
    duplicates,
    lost,
    recovery_s: +run.recoverySeconds.toFixed(1),
    conversations: conversations.size,
    assigned_once: assignedOnce,
    breached_once: breachedOnce,
    failures,
    notes: run.notes,
  };
}
