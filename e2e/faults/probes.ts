import { TOPICS } from '@kanal/contracts';
import { consumerGroupLag, topicEnvSchema } from '@kanal/kafka';
import { createPool, type Pool } from '@kanal/postgres';
import type { MessageKey } from './payloads';

export interface World {
  brokers: string;
  prefix: string;
  databaseUrl: string;
  unifierSchema: string;
  routerSchema: string;
  unifierGroup: string;
  routerGroup: string;
  /** application_name of each service's connections (what the Postgres fault terminates). */
  appNames: string[];
}

/** Reads the services' own stores and offsets: what the suite checks is what is really there. */
export class Probes {
  readonly pool: Pool;

  constructor(readonly world: World) {
    this.pool = createPool(world.databaseUrl, { service: 'kanal-fault-suite', max: 2 });
  }

  /** Uncommitted records of the unifier (inbound) and router (customers) groups. */
  async lag(): Promise<{ unifier: number; router: number }> {
    const env = topicEnvSchema.parse({ KAFKA_BROKERS: this.world.brokers, KAFKA_TOPIC_PREFIX: this.world.prefix });
    const [unifier, router] = await Promise.all([
      consumerGroupLag(env, this.world.unifierGroup, `${this.world.prefix}${TOPICS.inbound}`),
      consumerGroupLag(env, this.world.routerGroup, `${this.world.prefix}${TOPICS.customers}`),
    ]);
    return { unifier, router };
  }

  /** Rows in the unifier's `messages` per key (only keys with at least one row). */
  async messageRows(keys: MessageKey[]): Promise<Map<MessageKey, { rows: number; conversationId: string }>> {
    const split = keys.map((k) => k.split('|'));
    const { rows } = await this.pool.query<{ key: string; n: string; conversation_id: string }>(
      `SELECT m.channel || '|' || m.account_id || '|' || m.external_id AS key, count(*) AS n, min(m.conversation_id::text) AS conversation_id
       FROM ${this.world.unifierSchema}.messages m
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(channel, account_id, external_id)
         ON m.channel = k.channel AND m.account_id = k.account_id AND m.external_id = k.external_id
       GROUP BY 1`,
      [split.map((s) => s[0]), split.map((s) => s[1]), split.map((s) => s.slice(2).join('|'))],
    );
    return new Map(rows.map((r) => [r.key, { rows: Number(r.n), conversationId: r.conversation_id }]));
  }

  /** SLA deadlines still pending although due more than `graceMs` ago (the scheduler polls every 250 ms). */
  async overdueDeadlines(graceMs = 2_000): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.world.routerSchema}.sla_deadlines
       WHERE state = 'pending' AND due_at < now() - make_interval(secs => $1)`,
      [graceMs / 1000],
    );
    return Number(rows[0]!.n);
  }

  async pendingDeadlines(): Promise<Array<{ id: string; conversationId: string; dueAt: Date }>> {
    const { rows } = await this.pool.query<{ deadline_id: string; conversation_id: string; due_at: Date }>(
      `SELECT deadline_id, conversation_id, due_at FROM ${this.world.routerSchema}.sla_deadlines WHERE state = 'pending'`,
    );
    return rows.map((r) => ({ id: r.deadline_id, conversationId: r.conversation_id, dueAt: r.due_at }));
  }

  async deadlineStates(ids: string[]): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ deadline_id: string; state: string }>(
      `SELECT deadline_id, state FROM ${this.world.routerSchema}.sla_deadlines WHERE deadline_id = ANY($1)`,
      [ids],
    );
    return new Map(rows.map((r) => [r.deadline_id, r.state]));
  }

  /** Backends of `appName` inside a transaction right now: the service is mid-batch. */
  async busyBackends(appName: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
       WHERE application_name = $1 AND state IN ('active', 'idle in transaction') AND xact_start IS NOT NULL`,
      [appName],
    );
    return Number(rows[0]!.n);
  }

  /** The Postgres fault: every connection of the services under test is terminated. */
  async terminateServiceBackends(): Promise<number> {
    const { rows } = await this.pool.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = ANY($1)`,
      [this.world.appNames],
    );
    return rows.filter((r) => r.terminated).length;
  }

  /** Open connections per service (application_name); a terminated pool reconnects on its next query. */
  async backends(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ app: string; n: string }>(
      `SELECT application_name AS app, count(*) AS n FROM pg_stat_activity WHERE application_name = ANY($1) GROUP BY 1`,
      [this.world.appNames],
    );
    return new Map(rows.map((r) => [r.app, Number(r.n)]));
  }

  async dropSchemas(): Promise<void> {
    for (const schema of [this.world.unifierSchema, this.world.routerSchema]) {
      await this.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
