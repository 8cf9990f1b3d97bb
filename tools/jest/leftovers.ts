import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listTopicNames, type TopicEnv } from '@kanal/kafka';
import { createPool } from '@kanal/postgres';
import { REPO_ROOT } from '@kanal/testing';

/**
 * Tests leave nothing behind: every suite drops the Postgres schemas and deletes the Kafka topics
 * it made. Setup notes what exists; teardown lists what the run added and did not remove. On a
 * broker this run started (CI, or a developer's clean run) nobody else can be using them, so a
 * leftover fails the run; on a shared broker another jest run may own them, so they are listed only.
 */
const SNAPSHOT = join(REPO_ROOT, '.kanal', 'test-infra-snapshot.json');

interface Snapshot {
  topics: string[];
  schemas: string[];
}

async function schemas(databaseUrl: string): Promise<string[]> {
  const pool = createPool(databaseUrl, { max: 1, service: 'jest-leftovers' });
  try {
    const { rows } = await pool.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`,
    );
    return rows.map((r) => r.nspname);
  } finally {
    await pool.end();
  }
}

async function current(env: TopicEnv, databaseUrl: string): Promise<Snapshot> {
  const topics = (await listTopicNames(env)).filter((t) => !t.startsWith('__'));
  return { topics, schemas: await schemas(databaseUrl) };
}

export async function noteInfra(env: TopicEnv, databaseUrl: string): Promise<void> {
  mkdirSync(join(REPO_ROOT, '.kanal'), { recursive: true });
  writeFileSync(SNAPSHOT, JSON.stringify(await current(env, databaseUrl)));
}

/** What the run added and left; throws when `strict` and anything is left. */
export async function checkLeftovers(env: TopicEnv, databaseUrl: string, strict: boolean): Promise<void> {
  const before = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Snapshot;
  const after = await current(env, databaseUrl);
  const added = (now: string[], then: string[]) => now.filter((x) => !then.includes(x)).sort();
  const topics = added(after.topics, before.topics);
  const leftSchemas = added(after.schemas, before.schemas);
  if (topics.length === 0 && leftSchemas.length === 0) return;
  const prefixes = [...new Set(topics.map((t) => (t.includes('kanal.') ? t.slice(0, t.indexOf('kanal.')) : t)))];
  const report =
    `tests left ${leftSchemas.length} Postgres schema(s) and ${topics.length} Kafka topic(s) behind` +
    `${leftSchemas.length ? `\n  schemas: ${leftSchemas.join(', ')}` : ''}` +
    `${prefixes.length ? `\n  topic prefixes: ${prefixes.join(', ')}` : ''}`;
  if (strict) throw new Error(`${report}\n(each suite must drop what it creates)`);
  process.stderr.write(`jest: ${report} (a shared broker: another run may still use them)\n`);
}
