import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Env fragment every Kafka-using service composes into its config schema. */
export const kafkaEnv = {
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:19092')
    .transform((v) =>
      v
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port[,host:port…]')).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'may contain only letters, digits, ".", "_" and "-"')
    .default(''),
  KAFKA_SSL: flag.default(false),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** Attempts for a failing handler before its records are dead-lettered. */
  KAFKA_HANDLER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** How long publish() waits for the broker before reporting BUS.UNAVAILABLE. */
  KAFKA_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /**
   * How long the group waits for a silent member before handing its partitions to others. It also
   * bounds the stall after a broker restart: the restarted coordinator keeps the pre-restart
   * member until its session expires, and the group cannot rebalance before that.
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(15_000),
  /**
   * A partition with lag and no committed progress for this long is stuck: the kanal_consumer_stuck
   * gauge shows it and the service reports not-ready (visible to probes; readiness never restarts it).
   */
  KAFKA_STUCK_AFTER_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
};

export const kafkaEnvSchema = z.object(kafkaEnv);
export type KafkaEnv = z.infer<typeof kafkaEnvSchema>;

/** Env fragment for topic administration (`kanal topics create`). */
export const topicEnv = {
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
  /** Per-topic retention overrides, e.g. `kanal.inbound.v1=168,kanal.dlq.v1=720` (hours). */
  KAFKA_TOPIC_RETENTION_HOURS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const out: Record<string, number> = {};
      for (const part of v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const [name, hours] = part.split('=');
        const n = Number(hours);
        if (!name || !Number.isInteger(n) || n < 1) {
          ctx.addIssue({ code: 'custom', message: `"${part}" must be <topic>=<hours>` });
          return z.NEVER;
        }
        out[name] = n;
      }
      return out;
    }),
};
export const topicEnvSchema = z.object({ ...kafkaEnv, ...topicEnv });
export type TopicEnv = z.infer<typeof topicEnvSchema>;
