import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createIsolatedTopics } from '@kanal/kafka';
import { broker, ensurePostgres, portOpen, productionBuild, REPO_ROOT, type BrokerHandle } from '@kanal/testing';
import type { World } from './probes';
import { logPath, ServiceProcess } from './service-process';

/** The suite's own broker: it is stopped and started on purpose, so never the shared 19092. */
export const BROKER_PORT = 19692;
export const TOKEN = 'fault-suite-token-0123456789';
export const META_SECRET = 'fault-suite-app-secret';
export const WA_PHONE_ID = '106540352242922';
/** First-response SLA of every channel: short, so deadlines fall due (and breach) during the run. */
export const SLA = '4s';
const PORTS = { 'connector-api': 18681, 'connector-meta': 18682, unifier: 18690, router: 18691 } as const;
export type ServiceName = keyof typeof PORTS;

export interface Stack {
  tag: string;
  runDir: string;
  broker: BrokerHandle;
  world: World;
  services: Record<ServiceName, ServiceProcess>;
  /** Rejects when a service exits without the suite killing it: a crash is a finding, not a wait. */
  crashed: Promise<never>;
}

/**
 * The whole local stack on the suite's own broker, topic prefix and Postgres schemas: both
 * connectors, the unifier and the router, each a production bundle in its own process. Every
 * service's DATABASE_URL names its connections (`application_name`), so the Postgres fault
 * terminates exactly this run's backends and nobody else's on the shared server.
 */
export async function startStack(log: (line: string) => void): Promise<Stack> {
  for (const [name, port] of Object.entries(PORTS)) {
    if (await portOpen(port)) throw new Error(`port ${port} (for ${name}) is already in use; stop what holds it`);
  }
  await ensurePostgres();
  const kafka = broker(BROKER_PORT, { reset: true });
  const t0 = Date.now();
  await kafka.start();
  log(`broker on ${kafka.brokers} started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const { prefix, tag: longTag } = await createIsolatedTopics(kafka.brokers, { partitions: 3, label: 'faults' });
  const tag = longTag.slice(0, 6);
  const runDir = join(REPO_ROOT, '.kanal', 'faults', tag);
  await mkdir(runDir, { recursive: true });
  const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const appName = (service: string) => `faults_${tag}_${service}`;
  const dbUrl = (service: string) =>
    `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}application_name=${appName(service)}`;
  const world: World = {
    brokers: kafka.brokers,
    prefix,
    databaseUrl: baseUrl,
    unifierSchema: `faults_${tag}_unifier`,
    routerSchema: `faults_${tag}_router`,
    unifierGroup: `faults-${tag}-unifier`,
    routerGroup: `faults-${tag}-router`,
    appNames: [appName('unifier'), appName('router')],
  };

  const routingConfig = join(runDir, 'routing.yaml');
  await writeFile(routingConfig, await shortSlaRouting());
  const common = {
    KAFKA_BROKERS: kafka.brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    // The default 15 s also bounds the stall after a crash or broker restart (the group waits for
    // the dead member's session to expire); 10 s keeps five faults inside the CI budget.
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    AUTH_TOKENS: TOKEN,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
  };
  const env: Record<ServiceName, Record<string, string>> = {
    'connector-api': common,
    'connector-meta': {
      ...common,
      META_APP_SECRETS: META_SECRET,
      META_VERIFY_TOKEN: 'fault-suite-verify',
      META_WHATSAPP_PHONE_NUMBER_IDS: WA_PHONE_ID,
      META_MEDIA_ENABLED: 'false',
      BLOB_DIR: join(runDir, 'blobs'),
    },
    unifier: {
      ...common,
      DATABASE_URL: dbUrl('unifier'),
      UNIFIER_SCHEMA: world.unifierSchema,
      UNIFIER_GROUP_ID: world.unifierGroup,
    },
    router: {
      ...common,
      DATABASE_URL: dbUrl('router'),
      ROUTER_DB_SCHEMA: world.routerSchema,
      ROUTER_GROUP_ID: world.routerGroup,
      ROUTER_CONFIG: routingConfig,
      ROUTER_SLA_POLL_MS: '250',
    },
  };
  const names = Object.keys(PORTS) as ServiceName[];
  const bundles = await Promise.all(names.map((name) => productionBuild(name, join(runDir, 'build'))));
  const services = Object.fromEntries(
    names.map((name, i) => [
      name,
      new ServiceProcess(name, PORTS[name], bundles[i]!, env[name], logPath(runDir, name)),
    ]),
  ) as Record<ServiceName, ServiceProcess>;
  const crashed = new Promise<never>((_, reject) => {
    for (const s of Object.values(services)) s.onUnexpectedExit = (description) => reject(new Error(description));
  });
  crashed.catch(() => {}); // observed by the phases that race it; never an unhandled rejection
  // Consumers first, so the connectors' first messages are read as they arrive.
  await Promise.all([services.unifier.start(), services.router.start()]);
  await Promise.all([services['connector-api'].start(), services['connector-meta'].start()]);
  log(
    `stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s (topics ${prefix}*, schemas faults_${tag}_*, logs ${runDir})`,
  );
  return { tag, runDir, broker: kafka, world, services, crashed };
}

/** The shipped routing rules with every channel's first-response SLA at `SLA` and surges off. */
async function shortSlaRouting(): Promise<string> {
  const cfg = parse(await readFile(join(REPO_ROOT, 'services/router/config/default.yaml'), 'utf8'));
  cfg.sla.firstResponse = Object.fromEntries(Object.keys(cfg.sla.firstResponse).map((channel) => [channel, SLA]));
  cfg.surge = { window: '10m', threshold: 100_000 };
  return stringify(cfg);
}

export async function stopStack(stack: Stack): Promise<void> {
  await Promise.all(Object.values(stack.services).map((s) => s.stop()));
  await Promise.all(Object.values(stack.services).map((s) => s.closeLog()));
  await stack.broker.stop();
}
