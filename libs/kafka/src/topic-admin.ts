import { randomUUID } from 'node:crypto';
import { ALL_TOPICS, TOPICS } from '@kanal/contracts';
import type { Admin } from 'kafkajs';
import { topicEnvSchema, type TopicEnv } from './kafka-env';
import { type BusLogger, createKafkaClient, silentLogger } from './kafkajs-client';

/** Retention that fits each topic's role: replayable intake, long-lived derived streams. */
const DEFAULT_RETENTION_HOURS: Record<string, number> = {
  [TOPICS.inbound]: 7 * 24,
  [TOPICS.customers]: 30 * 24,
  [TOPICS.routing]: 30 * 24,
  [TOPICS.dlq]: 30 * 24,
};

export interface TopicPlan {
  topic: string;
  partitions: number;
  replicationFactor: number;
  retentionHours: number;
}

export function planTopics(env: TopicEnv): TopicPlan[] {
  return ALL_TOPICS.map((name) => ({
    topic: `${env.KAFKA_TOPIC_PREFIX}${name}`,
    // The DLQ is low-volume and read in order by operators: one partition keeps `dlq tail` ordered.
    partitions: name === TOPICS.dlq ? 1 : env.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: env.KAFKA_TOPIC_REPLICATION_FACTOR,
    retentionHours: env.KAFKA_TOPIC_RETENTION_HOURS[name] ?? DEFAULT_RETENTION_HOURS[name] ?? 7 * 24,
  }));
}

export interface TopicStatus {
  topic: string;
  status: 'created' | 'exists';
  partitions: number;
  /** Set when an existing topic differs from the plan (never changed silently). */
  drift?: string;
}

/** Creates the contract topics that are missing; reports (does not alter) existing ones. */
export async function createTopics(env: TopicEnv, logger: BusLogger = silentLogger): Promise<TopicStatus[]> {
  const admin = createKafkaClient(env, 'kanal-topics', logger).admin();
  await admin.connect();
  try {
    const plan = planTopics(env);
    const existing = new Set(await admin.listTopics());
    const missing = plan.filter((p) => !existing.has(p.topic));
    if (missing.length > 0) {
      // kafkajs' own wait for leaders gives up on the first UNKNOWN_TOPIC_OR_PARTITION, which a
      // loaded KRaft broker answers for a moment after creation; fetchMetadataWhenReady waits instead.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((p) => ({
          topic: p.topic,
          numPartitions: p.partitions,
          replicationFactor: p.replicationFactor,
          configEntries: [
            { name: 'retention.ms', value: String(p.retentionHours * 3_600_000) },
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'min.insync.replicas', value: String(Math.min(2, p.replicationFactor)) },
          ],
        })),
      });
    }
    const metadata = await fetchMetadataWhenReady(
      admin,
      plan.map((p) => p.topic),
    );
    return plan.map((p) => {
      const partitions = metadata.topics.find((t) => t.name === p.topic)?.partitions.length ?? 0;
      const drift =
        partitions !== p.partitions ? `has ${partitions} partitions, config asks for ${p.partitions}` : undefined;
      return { topic: p.topic, status: existing.has(p.topic) ? 'exists' : 'created', partitions, drift };
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Right after creation (or a broker start with many partitions to load) the metadata of a new
 * topic can lag: the broker answers UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE, or lists
 * a partition without a leader, for a moment. Polled until every partition has a leader, not slept.
 */
async function fetchMetadataWhenReady(admin: Admin, topics: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lagging: string;
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const leaderless = metadata.topics.find(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (!leaderless) return metadata;
      lagging = `topic ${leaderless.name} has a partition without a leader`;
    } catch (error) {
      const type = (error as { type?: string }).type ?? '';
      if (!['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE'].includes(type)) throw error;
      lagging = type;
    }
    if (Date.now() > deadline) throw new Error(`topic metadata not ready after ${timeoutMs} ms: ${lagging}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The contract topics under a fresh random prefix (`t<8 hex>.`), so a test suite or bench sees
 * only its own records on a shared broker. Returns the prefix and its random tag (for schema names).
 */
export async function createIsolatedTopics(
  brokers: string,
  { partitions = 3, label = 't' }: { partitions?: number; label?: string } = {},
): Promise<{ prefix: string; tag: string }> {
  const tag = randomUUID().replaceAll('-', '').slice(0, 8);
  const prefix = `${label}${tag}.`;
  try {
    await createTopics(
      topicEnvSchema.parse({
        KAFKA_BROKERS: brokers,
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_TOPIC_PARTITIONS: String(partitions),
      }),
    );
  } catch (error) {
    // The caller never learns the prefix of a failed set: whatever was created is removed here.
    await removeIsolatedTopics(brokers, prefix).catch(() => undefined);
    throw error;
  }
  return { prefix, tag };
}

/** Deletes the topics createIsolatedTopics made under `prefix` (a test's cleanup). */
export async function removeIsolatedTopics(brokers: string, prefix: string): Promise<number> {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return deleteTopicsMatching(topicEnvSchema.parse({ KAFKA_BROKERS: brokers }), new RegExp(`^${escaped}`));
}

/** Deletes topics whose names match (test and bench leftovers on a developer's broker). */
export async function deleteTopicsMatching(env: TopicEnv, pattern: RegExp): Promise<number> {
  const admin = createKafkaClient(env, 'kanal-topics', silentLogger).admin();
  await admin.connect();
  try {
    const doomed = (await admin.listTopics()).filter((t) => pattern.test(t));
    for (let i = 0; i < doomed.length; i += 100)
      await admin.deleteTopics({ topics: doomed.slice(i, i + 100), timeout: 30_000 });
    return doomed.length;
  } finally {
    await admin.disconnect();
  }
}

/** Names of every topic on the cluster (internal ones included). */
export async function listTopicNames(env: TopicEnv): Promise<string[]> {
  const admin = createKafkaClient(env, 'kanal-topics', silentLogger).admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

export interface TopicListing {
  topic: string;
  partitions: number;
  messages: number;
}

export async function listTopics(env: TopicEnv, logger: BusLogger = silentLogger): Promise<TopicListing[]> {
  const admin = createKafkaClient(env, 'kanal-topics', logger).admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
    const out: TopicListing[] = [];
    for (const topic of names) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const messages = offsets.reduce((sum, o) => sum + Number(BigInt(o.high) - BigInt(o.low)), 0);
      out.push({ topic, partitions: offsets.length, messages });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Per partition: the group's committed offset (-1 when none) and the high watermark. */
export async function groupProgress(
  env: TopicEnv,
  groupId: string,
  topic: string,
): Promise<Array<{ partition: number; committed: bigint; low: bigint; high: bigint }>> {
  const admin = createKafkaClient(env, 'kanal-lag', silentLogger).admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? []);
    return ends.map((e) => ({
      partition: e.partition,
      committed: done.get(e.partition) ?? -1n,
      low: BigInt(e.low),
      high: BigInt(e.high),
    }));
  } finally {
    await admin.disconnect();
  }
}

/** Total uncommitted records of a consumer group on a topic (what "stuck in lag" measures). */
export async function consumerGroupLag(env: TopicEnv, groupId: string, topic: string): Promise<number> {
  const partitions = await groupProgress(env, groupId, topic);
  return partitions.reduce((sum, p) => sum + Number(p.high - (p.committed < 0n ? p.low : p.committed)), 0);
}
