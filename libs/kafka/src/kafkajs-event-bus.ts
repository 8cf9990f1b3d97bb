import { Partitioners, type Admin, type Kafka, type Message, type Producer } from 'kafkajs';
import { TOPICS } from '@kanal/contracts';
import type { BusMetrics } from '@kanal/observability';
import { BUS_ERROR_CODES, BusError, BusUnavailableError } from './errors';
import type { BusHealth, EventBus, OutgoingRecord, SubscribeOptions, Subscription } from './event-bus.port';
import type { KafkaEnv } from './kafka-env';
import { type BusLogger, createKafkaClient, silentLogger } from './kafkajs-client';
import { KafkajsPublisher } from './kafkajs-publisher';
import { KafkajsSubscription } from './kafkajs-subscription';

export interface KafkajsEventBusOptions {
  env: KafkaEnv;
  /** Service name: the Kafka client id and the CloudEvents `source` of dead letters. */
  service: string;
  logger?: BusLogger;
  metrics?: BusMetrics;
}

/**
 * The kafkajs adapter of the event-bus port. Contract topic names are used by callers; the
 * deployment prefix (`KAFKA_TOPIC_PREFIX`) is applied here and nowhere else.
 */
export class KafkajsEventBus implements EventBus {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly publisher: KafkajsPublisher;
  private readonly subscriptions: KafkajsSubscription[] = [];
  private readonly logger: BusLogger;
  private admin: Admin | undefined;
  private producerConnected = false;
  private lastBrokerCheck = { at: 0, ok: false };

  constructor(private readonly options: KafkajsEventBusOptions) {
    this.logger = options.logger ?? silentLogger;
    this.kafka = createKafkaClient(options.env, options.service, this.logger);
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      // Murmur2, as the Java client: integrators' producers and ours put a key on the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      maxInFlightRequests: 1,
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 5 },
    });
    this.producer.on(this.producer.events.CONNECT, () => (this.producerConnected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.producerConnected = false));
    this.publisher = new KafkajsPublisher(this.producer, {
      timeoutMs: options.env.KAFKA_PUBLISH_TIMEOUT_MS,
      logger: this.logger,
      metrics: options.metrics,
    });
  }

  /** Physical topic name for a contract topic name. */
  topic(name: string): string {
    return `${this.options.env.KAFKA_TOPIC_PREFIX}${name}`;
  }

  async start(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (error) {
      throw new BusUnavailableError(`cannot connect to Kafka: ${(error as Error).message}`, { cause: error });
    }
  }

  publish(records: OutgoingRecord[]): Promise<void> {
    return this.publisher.publish(records.map((r) => ({ ...r, topic: this.topic(r.topic) })));
  }

  /** Raw messages to a physical topic (DLQ replay and tests); bypasses encoding on purpose. */
  async publishRaw(topic: string, messages: Message[]): Promise<void> {
    try {
      await this.producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
    } catch (error) {
      throw new BusUnavailableError(`publish failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (options.topics.length === 0) throw new BusError(BUS_ERROR_CODES.notStarted, 'subscribe needs topics');
    const prefix = this.options.env.KAFKA_TOPIC_PREFIX;
    const subscription = new KafkajsSubscription(options, {
      kafka: this.kafka,
      sendDeadLetters: (messages) => this.publishRaw(this.topic(TOPICS.dlq), messages),
      dlqTopic: this.topic(TOPICS.dlq),
      source: `kanal/${this.options.service}`,
      maxAttempts: this.options.env.KAFKA_HANDLER_MAX_ATTEMPTS,
      sessionTimeoutMs: this.options.env.KAFKA_SESSION_TIMEOUT_MS,
      logger: this.logger,
      metrics: this.options.metrics,
      logicalTopic: (t) => (prefix && t.startsWith(prefix) ? t.slice(prefix.length) : t),
    });
    this.subscriptions.push(subscription);
    await subscription.start(options.topics.map((t) => this.topic(t)));
    return subscription;
  }

  async health(): Promise<BusHealth> {
    const broker = await this.brokerReachable();
    const consumers = this.subscriptions.map((s) => ({ groupId: s.groupId, state: s.state }));
    return {
      ok: broker && this.producerConnected && consumers.every((c) => c.state === 'running' || c.state === 'stopped'),
      producer: this.producerConnected ? 'connected' : 'disconnected',
      consumers,
      broker: broker ? 'reachable' : 'unreachable',
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.stop()));
    await this.publisher.drain();
    await this.producer.disconnect();
    await this.admin?.disconnect();
  }

  /** Cached for a second so frequent readiness probes do not hammer the broker. */
  private async brokerReachable(): Promise<boolean> {
    if (Date.now() - this.lastBrokerCheck.at < 1_000) return this.lastBrokerCheck.ok;
    let ok = false;
    try {
      this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
      await withTimeout(
        this.admin.connect().then(() => this.admin!.describeCluster()),
        2_000,
      );
      ok = true;
    } catch {
      ok = false;
    }
    this.lastBrokerCheck = { at: Date.now(), ok };
    return ok;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
