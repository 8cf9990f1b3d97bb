import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { createTopics, deleteTopicsMatching, topicEnvSchema } from '@kanal/kafka';
import { createPool } from '@kanal/postgres';
import { ensurePostgres, freePort, productionBuild, REPO_ROOT, waitFor } from '@kanal/testing';
import { durationSchema } from '../../services/router/src/routing-config/duration';

export const SERVICES = ['connector-api', 'unifier', 'router'] as const;
export type ServiceName = (typeof SERVICES)[number];

const TOKEN = 'bench-report-token-0123456789';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * connector-api, unifier and router as production bundles, each in its own process, on this run's
 * own topic prefix (`bench<6hex>.`), Postgres schemas and consumer groups: consumer group ids are
 * not prefixed by KAFKA_TOPIC_PREFIX, so a default group id would be shared with anything else on
 * the broker. `stop()` undoes everything, also after a partial start.
 */
export class BenchStack {
  readonly tag = randomUUID().replaceAll('-', '').slice(0, 6);
  readonly prefix = `bench${this.tag}.`;
  readonly token = TOKEN;
  readonly schemas = { unifier: `bench_${this.tag}_unifier`, router: `bench_${this.tag}_router` };
  /** Bundles, routing config and the services' logs (kept when the run fails). */
  readonly runDir = join(REPO_ROOT, '.kanal', 'bench', this.tag);
  readonly ports = {} as Record<ServiceName, number>;
  readonly children = {} as Record<ServiceName, ChildProcess>;
  /** Rejects when a service exits while the bench is running: a crash is a finding, not a wait. */
  readonly crashed: Promise<never>;
  private failCrashed: (error: Error) => void = () => {};
  private stopping = false;

  constructor(readonly brokers: string) {
    this.crashed = new Promise<never>((_, reject) => (this.failCrashed = reject));
    this.crashed.catch(() => {}); // raced by the phases; never an unhandled rejection
  }

  async start(): Promise<void> {
    await ensurePostgres();
    await createTopics(this.topicEnv('6'));
    await mkdir(this.runDir, { recursive: true });
    // Its own build folder: productionBuild rewrites .kanal/build/<service>, which a benchmark run
    // by someone else on this machine may be starting from at the same moment.
    const [bundles, routingConfig] = await Promise.all([
      Promise.all(SERVICES.map((name) => productionBuild(name, join(this.runDir, 'build')))),
      this.writeRoutingConfig(),
    ]);
    for (const name of SERVICES) this.ports[name] = await freePort();
    SERVICES.forEach((name, i) => (this.children[name] = this.spawn(name, bundles[i]!, routingConfig)));
    await Promise.all(SERVICES.map((name) => this.waitReady(name)));
  }

  url(service: ServiceName, path: string): string {
    return `http://127.0.0.1:${this.ports[service]}${path}`;
  }

  /** SIGTERM (graceful drain, CPU profiles written), SIGKILL after 20 s; then schemas and topics go. */
  async stop({ keepLogs = false } = {}): Promise<void> {
    this.stopping = true;
    await Promise.all(Object.values(this.children).map((child) => terminate(child)));
    await this.dropSchemas();
    await deleteTopicsMatching(this.topicEnv(), new RegExp(`^${this.prefix.replaceAll('.', '\\.')}`));
    if (keepLogs) process.stderr.write(`service logs kept in ${this.runDir}\n`);
    else await rm(this.runDir, { recursive: true, force: true });
  }

  topicEnv(partitions?: string) {
    return topicEnvSchema.parse({
      KAFKA_BROKERS: this.brokers,
      KAFKA_TOPIC_PREFIX: this.prefix,
      ...(partitions ? { KAFKA_TOPIC_PARTITIONS: partitions } : {}),
    });
  }

  private envFor(name: ServiceName, routingConfig: string): Record<string, string> {
    const common = {
      KAFKA_BROKERS: this.brokers,
      KAFKA_TOPIC_PREFIX: this.prefix,
      AUTH_TOKENS: TOKEN,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(this.ports[name]),
      DATABASE_URL: this.databaseUrl(name),
    };
    if (name === 'unifier') {
      return {
        ...common,
        UNIFIER_SCHEMA: this.schemas.unifier,
        UNIFIER_GROUP_ID: `bench-${this.tag}-unifier`,
        // As bench:pipeline: one consumer per partition of the 6-partition topics.
        UNIFIER_PARTITIONS_CONCURRENTLY: process.env.BENCH_UNIFIER_CONCURRENCY ?? '6',
      };
    }
    if (name === 'router') {
      return {
        ...common,
        ROUTER_DB_SCHEMA: this.schemas.router,
        ROUTER_GROUP_ID: `bench-${this.tag}-router`,
        ROUTER_CONFIG: routingConfig,
      };
    }
    return common;
  }

  private spawn(name: ServiceName, bundle: string, routingConfig: string): ChildProcess {
    // BENCH_PROFILE_DIR=/tmp/prof writes a V8 CPU profile per service on exit (open in Chrome DevTools).
    const dir = process.env.BENCH_PROFILE_DIR;
    const profile = dir
      ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.${this.tag}.cpuprofile`]
      : [];
    // Output straight to a file: piping it through the load generator would cost the generator CPU.
    const log = openSync(join(this.runDir, `${name}.log`), 'a');
    const child = spawn(process.execPath, [...profile, bundle], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.envFor(name, routingConfig) },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    child.once('exit', (code, signal) => {
      if (!this.stopping) {
        this.failCrashed(new Error(`${name} exited (code ${code}, signal ${signal}); log: ${this.runDir}/${name}.log`));
      }
    });
    return child;
  }

  private async waitReady(name: ServiceName): Promise<void> {
    await waitFor(
      async () => {
        const child = this.children[name];
        if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
        return (await fetch(this.url(name, '/health/ready'), { signal: AbortSignal.timeout(2_000) })).ok;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: `${name} ready (log: ${this.runDir}/${name}.log)` },
    );
  }

  /**
   * The shipped rules, calendar, surge watch and SLA targets, except that no first-response target
   * is under 15 min: with no agent answering, the shipped 1 min (webchat, api) would make every
   * conversation breach during the run, a burst of SLA work production does not see. 15 min × the
   * P1 factor (0.25) still falls due after the run's ~2 minutes of traffic.
   */
  private async writeRoutingConfig(): Promise<string> {
    const cfg = parse(await readFile(join(REPO_ROOT, 'services/router/config/default.yaml'), 'utf8'));
    const firstResponse = cfg.sla.firstResponse as Record<string, string>;
    for (const [channel, target] of Object.entries(firstResponse)) {
      if (durationSchema.parse(target) < 15 * 60_000) firstResponse[channel] = '15m';
    }
    const file = join(this.runDir, 'routing.yaml');
    await writeFile(file, stringify(cfg));
    return file;
  }

  /**
   * The Postgres backends serving each service now (pools open and close connections), found by
   * the application_name each service's DATABASE_URL carries: Postgres CPU is then attributed to
   * the stage that caused it.
   */
  async backendPids(): Promise<Record<string, number[]>> {
    const pool = createPool(DATABASE_URL, { service: `bench-${this.tag}`, max: 1 });
    try {
      const names = ['unifier', 'router'] as const;
      const { rows } = await pool.query<{ pid: number; application_name: string }>(
        'SELECT pid, application_name FROM pg_stat_activity WHERE application_name = ANY($1)',
        [names.map((n) => this.applicationName(n))],
      );
      return Object.fromEntries(
        names.map((n) => [n, rows.filter((r) => r.application_name === this.applicationName(n)).map((r) => r.pid)]),
      );
    } finally {
      await pool.end();
    }
  }

  private applicationName(service: ServiceName): string {
    return `bench_${this.tag}_${service.replace('-', '_')}`;
  }

  /** The URL's application_name wins over the pool's own (as in the fault suite): this run's backends are findable. */
  private databaseUrl(service: ServiceName): string {
    return `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}application_name=${this.applicationName(service)}`;
  }

  private async dropSchemas(): Promise<void> {
    const pool = createPool(DATABASE_URL, { service: `bench-${this.tag}`, max: 1 });
    try {
      for (const schema of Object.values(this.schemas)) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await pool.end();
    }
  }
}

async function terminate(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const escalate = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(escalate);
}

