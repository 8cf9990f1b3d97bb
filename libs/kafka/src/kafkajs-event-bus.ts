import { Partitioners, type Admin, type Kafka, type Message, type Producer } from 'kafkajs';
import { TOPICS } from '@kanal/contracts';
import type { BusMetrics, Registry } from '@kanal/observability';
import { registerBusAlerts, type BusAlerts, type PartitionState } from './bus-alerts';
import { BUS_ERROR_CODES, BusError, BusUnavailableError } from './errors';
import type { BusHealth, EventBus, OutgoingRecord, SubscribeOptions, Subscription } from './event-bus.port';
import type { KafkaEnv } from './kafka-env';
import { type BusLogger, createKafkaClient, silentLogger } from './kafkajs-client';
import { KafkajsPublisher } from './kafkajs-publisher';
import { KafkajsSubscription } from './kafkajs-subscription';
import type { ParkingLot } from './parking-lot.port';
import { produceError } from './produce-errors';
import { chunkByBytes, recordBytes } from './record-size';

export interface KafkajsEventBusOptions {
  env: KafkaEnv;
  /** Service name: the Kafka client id and the CloudEvents `source` of dead letters. */
  service: string;
  logger?: BusLogger;
  metrics?: BusMetrics;
  /**
   * Durable store for records that can neither be handled nor dead-lettered (the DLQ refuses them
   * for good). Without one such a record stalls its partition, which then shows as stuck.
   */
  parkingLot?: ParkingLot;
  /** The clock stuck partitions are measured with (tests drive it). */
  clock?: () => number;
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
  private alerts: BusAlerts | undefined;
  private readonly instrumented = new WeakSet<Registry>();

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

  /**
   * Raw messages to a physical topic (dead letters, tests); bypasses encoding on purpose. Sent in
   * requests that fit the broker's limit; a refusal (size, topic) is a BusError with its code,
   * anything else BUS.UNAVAILABLE.
   */
  async publishRaw(topic: string, messages: Message[]): Promise<void> {
    for (const chunk of chunkByBytes(messages, recordBytes)) {
      try {
        await this.producer.sendBatch({ topicMessages: [{ topic, messages: chunk }], acks: -1 });
      } catch (error) {
        throw produceError(error);
      }
    }
  }

  instrument(registry: Registry): void {
    if (this.instrumented.has(registry)) return;
    this.instrumented.add(registry);
    this.alerts = registerBusAlerts(registry, () => this.partitionStates());
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (options.topics.length === 0) throw new BusError(BUS_ERROR_CODES.notStarted, 'subscribe needs topics');
    const prefix = this.options.env.KAFKA_TOPIC_PREFIX;
    const subscription = new KafkajsSubscription(options, {
      kafka: this.kafka,
      sendDeadLetters: (messages) => this.publishRaw(this.topic(TOPICS.dlq), messages),
      parkingLot: this.options.parkingLot,
      alerts: () => this.alerts,
      stuckAfterMs: this.options.env.KAFKA_STUCK_AFTER_MS,
      now: this.options.clock,
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
    const stuck = this.subscriptions
      .filter((s) => s.state !== 'stopped')
      .flatMap((s) => s.progress.stuck().map((p) => ({ groupId: s.groupId, ...p })));
    return {
      // Stuck means not ready: a consumer that is "ready" while a partition stalls hides the
      // problem; not-ready shows on every probe and dashboard, and readiness never restarts it.
      ok:
        broker &&
        this.producerConnected &&
        consumers.every((c) => c.state === 'running' || c.state === 'stopped') &&
        stuck.length === 0,
      producer: this.producerConnected ? 'connected' : 'disconnected',
      consumers,
      broker: broker ? 'reachable' : 'unreachable',
      stuck,
    };
  }

  private partitionStates(): PartitionState[] {
    return this.subscriptions
      .filter((s) => s.state !== 'stopped')
      .flatMap((s) => {
        const stuck = new Set(s.progress.stuck().map((p) => `${p.topic}/${p.partition}`));
        return s.progress.all().map((p) => ({
          groupId: s.groupId,
          topic: p.topic,
          partition: p.partition,
          stuck: stuck.has(`${p.topic}/${p.partition}`),
        }));
      });
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
