import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaEnv } from './kafka-env';

/** Minimal logger shape the adapter needs (pino satisfies it). */
export interface BusLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function createKafkaClient(env: KafkaEnv, clientId: string, logger: BusLogger): Kafka {
  return new Kafka({
    clientId: env.KAFKA_CLIENT_ID ?? clientId,
    brokers: env.KAFKA_BROKERS,
    ssl: env.KAFKA_SSL,
    sasl: saslOptions(env),
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
    logLevel: logLevel.WARN,
    // kafkajs logs broker outages as ERROR on every retry; the bus reports outages itself
    // (health, BUS.UNAVAILABLE), so its chatter is kept at warn.
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      const fields = { component: 'kafkajs', namespace: entry.namespace, broker: extra['broker'] };
      if (entry.level <= logLevel.WARN) logger.warn(fields, message);
      else logger.debug(fields, message);
    },
  });
}

function saslOptions(env: KafkaEnv): SASLOptions | undefined {
  if (!env.KAFKA_SASL_MECHANISM) return undefined;
  return {
    mechanism: env.KAFKA_SASL_MECHANISM,
    username: env.KAFKA_SASL_USERNAME ?? '',
    password: env.KAFKA_SASL_PASSWORD ?? '',
  } as SASLOptions;
}
