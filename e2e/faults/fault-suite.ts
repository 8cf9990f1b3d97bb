/**
 * `npm run test:faults`: the whole local stack (connector-api, connector-meta, unifier, router as
 * production bundles, on the suite's own Kafka broker and Postgres schemas) under a steady stream
 * of messages through both connectors, while six faults strike in turn: the broker stops and
 * starts, Postgres terminates the services' connections, the unifier is SIGKILLed mid-batch, the
 * router is SIGKILLed with SLA deadlines pending, connector-api is SIGKILLed, and a poison record
 * larger than the broker's limit lands on the unifier's input. Then: every accepted message is
 * unified exactly once, every conversation is assigned once and breaches its SLA once, nothing
 * but the poison is dead-lettered and no consumer group lags.
 * Progress goes to stderr; stdout gets the table and, as its last line, one JSON object.
 * Exit code 1 when any check fails, with the failed checks named.
 */
import { rm } from 'node:fs/promises';
import { TOPICS, type CloudEvent } from '@kanal/contracts';
import { waitFor } from '@kanal/testing';
import { FAULTS, type Fault } from './faults';
import { MessageStream } from './message-stream';
import { apiMessage, metaMessage, type MessageKey } from './payloads';
import { Probes } from './probes';
import { table } from './report';
import { META_SECRET, startStack, stopStack, TOKEN, WA_PHONE_ID, type Stack } from './stack';
import { readTopic } from './topic-reader';
import { verifyPhase, type PhaseResult, type PhaseRun } from './verify';

/** Messages per second into each connector. */
const RATE = Number(process.env.FAULTS_RATE ?? 25);
/** Customers (hence conversations) per connector per phase; each writes several messages. */
const CUSTOMERS = Number(process.env.FAULTS_CUSTOMERS ?? 15);
/** `FAULTS_ONLY=postgres,router` runs a subset (when chasing one failure). */
const ONLY = process.env.FAULTS_ONLY?.split(',').map((s) => s.trim());
const SELECTED = FAULTS.filter((f) => !ONLY || ONLY.includes(f.id));

const t0 = Date.now();
const log = (line: string) => process.stderr.write(`[faults +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);

async function main(): Promise<boolean> {
  const stack = await startStack(log);
  const probes = new Probes(stack.world);
  const base = (name: 'connector-api' | 'connector-meta') => `http://127.0.0.1:${stack.services[name].port}`;
  // Phones of different phases differ in one digit, so every phase has its own customers.
  const phoneDigit = (phase: string) => FAULTS.findIndex((f) => f.id === phase) + 1;
  const streams = [
    new MessageStream('connector-api', RATE, (phase, seq) =>
      apiMessage(base('connector-api'), TOKEN, phase, seq % CUSTOMERS),
    ),
    new MessageStream('connector-meta', RATE, (phase, seq) =>
      metaMessage(base('connector-meta'), META_SECRET, WA_PHONE_ID, phase, phoneDigit(phase), seq % CUSTOMERS),
    ),
  ];
  let ok = false;
  try {
    const runs: PhaseRun[] = [];
    if (SELECTED.length === 0)
      throw new Error(`FAULTS_ONLY names no fault; known: ${FAULTS.map((f) => f.id).join(', ')}`);
    for (const fault of SELECTED) {
      // A service dying on its own fails the phase at once, naming the service and its log.
      const phase = runPhase(fault, stack, probes, streams);
      phase.catch(() => {}); // after a crash the race has already failed; its own ending is moot
      runs.push(
        await Promise.race([
          phase,
          stack.crashed.catch((e: Error) => Promise.reject(new Error(`${fault.title}: ${e.message}`))),
        ]),
      );
    }
    ok = await Promise.race([verifyAll(stack, probes, runs), stack.crashed]);
  } finally {
    await Promise.all(streams.map((s) => s.stop()));
    await stopStack(stack).catch((error) => log(`stopping the stack failed: ${(error as Error).message}`));
    if (!ok) {
      for (const s of Object.values(stack.services)) log(`last lines of ${s.logFile}:\n${await s.tail()}`);
    }
    // The database is shared with other suites: this run's schemas go unless asked to keep them.
    if (process.env.FAULTS_KEEP === '1') log(`kept: schemas ${stack.world.unifierSchema}, ${stack.world.routerSchema}`);
    else await probes.dropSchemas();
    await probes.close();
    // The logs stay when something failed (or when asked), for the failure report.
    if (ok && process.env.FAULTS_KEEP !== '1') await rm(stack.runDir, { recursive: true, force: true });
    else log(`service logs kept in ${stack.runDir}`);
  }
  return ok;
}

/** Stream, strike, keep streaming, lift the fault, stop the senders, time the recovery. */
async function runPhase(fault: Fault, stack: Stack, probes: Probes, streams: MessageStream[]): Promise<PhaseRun> {
  const phase = fault.id;
  log(`phase ${SELECTED.indexOf(fault) + 1}/${SELECTED.length}: ${fault.title}`);
  for (const s of streams) s.start(phase);
  const accepted = () => streams.map((s) => s.tally(phase).accepted.length);
  // A refused message (4xx, or 200 without publishing it) is a bug, not a fault to ride out: stop at once.
  const rejected = () => streams.flatMap((s) => s.tally(phase).rejected);
  await waitFor(() => rejected().length > 0 || accepted().every((n) => n >= RATE * 2), {
    timeoutMs: 30_000,
    what: () => `2 s of accepted traffic before the fault (${accepted().join(' / ')})`,
  });
  if (rejected().length > 0) throw new Error(`a connector refused a message: ${rejected()[0]}`);
  const outcome = await fault.run({ stack, probes, streams, phase, log });
  log(`  fault lifted${outcome.notes.length ? `: ${outcome.notes.join('; ')}` : ''}`);
  // The stack must take new traffic again: a second's worth accepted by each connector after the restore.
  const atRestore = accepted();
  await waitFor(() => accepted().every((n, i) => n >= atRestore[i]! + RATE), {
    timeoutMs: 90_000,
    what: () => `connectors accepting again after the restore (${accepted().join(' / ')} vs ${atRestore.join(' / ')})`,
  });
  await Promise.all(streams.map((s) => s.stop()));
  const keys = streams.flatMap((s) => s.tally(phase).accepted);
  let state = '';
  await waitFor(
    async () => {
      state = await recoveryState(probes, keys);
      return state === 'recovered';
    },
    { timeoutMs: 120_000, intervalMs: 250, what: () => `recovery after "${fault.title}": ${state}` },
  );
  const recoverySeconds = (Date.now() - outcome.restoredAt) / 1000;
  log(`  recovered in ${recoverySeconds.toFixed(1)} s (${keys.length} messages accepted in this phase)`);
  return {
    id: phase,
    title: fault.title,
    tallies: streams.map((s) => s.tally(phase)),
    recoverySeconds,
    notes: outcome.notes,
    deadlinesAtKill: outcome.deadlinesAtKill,
    expectedDeadLetterKeys: outcome.expectedDeadLetterKeys,
  };
}

/** 'recovered' when every accepted message is unified, both groups are caught up and no deadline is overdue. */
async function recoveryState(probes: Probes, keys: MessageKey[]): Promise<string> {
  const rows = await probes.messageRows(keys);
  if (rows.size < keys.length) return `${rows.size} of ${keys.length} accepted messages unified`;
  const lag = await probes.lag();
  if (lag.unifier > 0 || lag.router > 0) return `lag: unifier ${lag.unifier}, router ${lag.router}`;
  const overdue = await probes.overdueDeadlines();
  if (overdue > 0) return `${overdue} SLA deadlines overdue but not breached`;
  return 'recovered';
}

/** The end-to-end checks over the real stores and topics, the table and the JSON line. */
async function verifyAll(stack: Stack, probes: Probes, runs: PhaseRun[]): Promise<boolean> {
  // Every deadline of the last phase runs out too, so each conversation can be checked for its breach.
  await waitFor(async () => (await probes.pendingDeadlines()).length === 0 && (await probes.overdueDeadlines()) === 0, {
    timeoutMs: 60_000,
    what: 'every SLA deadline breached',
  });
  const lag = await probes.lag();
  const { brokers, prefix } = stack.world;
  // The poison phase dead-letters its poison on purpose; every other dead letter is a failure.
  const expected = new Set(runs.flatMap((r) => r.expectedDeadLetterKeys ?? []));
  const all = await readTopic(brokers, prefix, TOPICS.dlq);
  const dlq = all.filter((e) => !expected.has((e.data as { key?: string }).key ?? ''));
  const [customers, routing] = [
    await readTopic(brokers, prefix, TOPICS.customers),
    await readTopic(brokers, prefix, TOPICS.routing),
  ];
  const keys = runs.flatMap((r) => r.tallies.flatMap((t) => t.accepted));
  const rows = await probes.messageRows(keys);
  const results: PhaseResult[] = runs.map((run) => verifyPhase(run, { rows, customers, routing }));

  const failures = results.flatMap((r) => r.failures.map((f) => `${r.fault}: ${f}`));
  if (lag.unifier > 0 || lag.router > 0)
    failures.push(`consumer lag remains: unifier ${lag.unifier}, router ${lag.router}`);
  if (dlq.length > 0) {
    const codes = [...new Set(dlq.map((e) => (e.data as { code?: string }).code))].join(', ');
    failures.push(`${dlq.length} records dead-lettered (${codes})`);
  }
  const seconds = Math.round((Date.now() - t0) / 1000);
  process.stdout.write(`${table(results)}\n\n`);
  for (const r of results) if (r.notes.length) process.stdout.write(`${r.fault}: ${r.notes.join('; ')}\n`);
  process.stdout.write(
    `final lag: unifier ${lag.unifier}, router ${lag.router}; dead letters: ${dlq.length} unexpected, ${all.length - dlq.length} expected; ` +
      // More records than ids: redelivered copies after a crash keep their id (at-least-once, deduplicated downstream).
      `unified events ${customers.length} records / ${distinct(customers)} ids, routing events ${routing.length} records / ${distinct(routing)} ids; ` +
      `${seconds} s in total\n`,
  );
  for (const f of failures) process.stderr.write(`FAILED ${f}\n`);
  process.stdout.write(
    `${JSON.stringify({
      ok: failures.length === 0,
      seconds,
      rate_per_connector: RATE,
      lag,
      dead_letters: dlq.length,
      dead_letters_expected: all.length - dlq.length,
      rows: results.map(({ notes: _notes, ...row }) => row),
    })}\n`,
  );
  return failures.length === 0;
}

const distinct = (events: CloudEvent[]) => new Set(events.map((e) => e.id)).size;

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    process.stderr.write(`fault suite failed: ${(error as Error).stack}\n`);
    process.stdout.write(
      `${JSON.stringify({ ok: false, seconds: Math.round((Date.now() - t0) / 1000), error: (error as Error).message })}\n`,
    );
    process.exit(1);
  },
);
