import { waitFor } from '@kanal/testing';
import type { MessageStream } from './message-stream';
import type { Probes } from './probes';
import { poisonFault } from './poison-fault';
import type { Stack } from './stack';

export interface FaultContext {
  stack: Stack;
  probes: Probes;
  streams: MessageStream[];
  phase: string;
  log: (line: string) => void;
}

export interface FaultOutcome {
  /** When the fault was lifted (broker started, process respawned, last backend terminated). */
  restoredAt: number;
  notes: string[];
  /** SLA deadlines that were pending when the router died: each must breach exactly once. */
  deadlinesAtKill?: string[];
  /** Dead letters the fault causes on purpose (by record key); any other dead letter fails the run. */
  expectedDeadLetterKeys?: string[];
}

/** Injects a fault while the streams run, holds it until its effect is visible, then lifts it. */
export interface Fault {
  id: string;
  title: string;
  run(ctx: FaultContext): Promise<FaultOutcome>;
}

/** Until every stream has had `n` more failed POSTs in this phase: the senders felt the fault. */
async function sendersFelt(ctx: FaultContext, n: number, streams = ctx.streams, timeoutMs = 45_000): Promise<void> {
  const base = streams.map((s) => s.tally(ctx.phase).retried);
  await waitFor(() => streams.every((s, i) => s.tally(ctx.phase).retried >= base[i]! + n), {
    timeoutMs,
    what: () =>
      `${n} failed deliveries per sender (${streams.map((s) => `${s.name} ${s.tally(ctx.phase).retried}`).join(', ')})`,
  });
}

/** Until the unifier or router holds an open transaction: the kill lands mid-batch. */
async function midBatch(ctx: FaultContext, appName: string): Promise<boolean> {
  try {
    await waitFor(() => ctx.probes.busyBackends(appName), {
      timeoutMs: 10_000,
      intervalMs: 10,
      what: `${appName} mid-transaction`,
    });
    return true;
  } catch {
    return false; // the kill still happens; the report says it was not observed mid-batch
  }
}

const appName = (ctx: FaultContext, service: 'unifier' | 'router') =>
  ctx.probes.world.appNames.find((a) => a.endsWith(`_${service}`))!;

export const FAULTS: Fault[] = [
  {
    id: 'kafka',
    title: 'Kafka broker stop + start',
    async run(ctx) {
      const down = Date.now();
      await ctx.stack.broker.stop();
      // Down until both connectors have answered 503 (or refused) several times.
      await sendersFelt(ctx, 5);
      const starting = Date.now();
      await ctx.stack.broker.start();
      // Recovery is timed from the broker answering again: its own JVM boot is not Kanal's to recover.
      const restoredAt = Date.now();
      return {
        restoredAt,
        notes: [
          `broker down ${((starting - down) / 1000).toFixed(1)} s, restart took ${((restoredAt - starting) / 1000).toFixed(1)} s`,
        ],
      };
    },
  },
  {
    id: 'postgres',
    title: 'Postgres backends terminated',
    async run(ctx) {
      const notes: string[] = [];
      let restoredAt = Date.now();
      // Three rounds, each aimed at a moment the unifier is inside a transaction and after both
      // services reconnected from the previous round.
      for (let round = 1; round <= 3; round++) {
        const busy = await midBatch(ctx, appName(ctx, 'unifier'));
        const killed = await ctx.probes.terminateServiceBackends();
        restoredAt = Date.now();
        notes.push(`round ${round}: ${killed} backends terminated${busy ? ' (unifier mid-transaction)' : ''}`);
        await waitFor(
          async () => {
            const open = await ctx.probes.backends();
            return ctx.probes.world.appNames.every((a) => (open.get(a) ?? 0) > 0);
          },
          { timeoutMs: 30_000, what: 'unifier and router connected to Postgres again' },
        );
      }
      return { restoredAt, notes };
    },
  },
  {
    id: 'unifier',
    title: 'unifier SIGKILL mid-batch',
    async run(ctx) {
      const busy = await midBatch(ctx, appName(ctx, 'unifier'));
      await ctx.stack.services.unifier.kill();
      // Dead until a backlog has built up on kanal.inbound.v1.
      await waitFor(async () => (await ctx.probes.lag()).unifier >= 50, {
        timeoutMs: 30_000,
        what: 'inbound backlog ≥ 50',
      });
      const restoredAt = Date.now();
      await ctx.stack.services.unifier.start();
      return {
        restoredAt,
        notes: [busy ? 'killed with a transaction open' : 'no open transaction observed at the kill'],
      };
    },
  },
  {
    id: 'router',
    title: 'router SIGKILL, SLA deadlines pending',
    async run(ctx) {
      await waitFor(async () => (await ctx.probes.pendingDeadlines()).length >= 5, {
        timeoutMs: 20_000,
        what: '5 pending SLA deadlines',
      });
      const busy = await midBatch(ctx, appName(ctx, 'router'));
      const pending = await ctx.probes.pendingDeadlines();
      await ctx.stack.services.router.kill();
      // Dead until every deadline pending at the kill has fallen due: only the respawned router can fire them.
      const lastDue = Math.max(...pending.map((d) => d.dueAt.getTime()));
      await waitFor(() => Date.now() > lastDue + 1_000, {
        timeoutMs: 60_000,
        what: 'deadlines pending at the kill overdue',
      });
      const restoredAt = Date.now();
      await ctx.stack.services.router.start();
      return {
        restoredAt,
        deadlinesAtKill: pending.map((d) => d.id),
        notes: [`${pending.length} deadlines pending at the kill${busy ? ', router mid-transaction' : ''}`],
      };
    },
  },
  {
    id: 'connector',
    title: 'connector-api SIGKILL',
    async run(ctx) {
      const api = ctx.streams.find((s) => s.name === 'connector-api')!;
      await waitFor(() => api.pending > 0, {
        timeoutMs: 10_000,
        intervalMs: 5,
        what: 'a POST in flight to connector-api',
      });
      await ctx.stack.services['connector-api'].kill();
      await sendersFelt(ctx, 10, [api]);
      const restoredAt = Date.now();
      await ctx.stack.services['connector-api'].start();
      return { restoredAt, notes: [] };
    },
  },
  poisonFault,
];
