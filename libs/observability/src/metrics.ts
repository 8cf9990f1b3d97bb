import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the event bus reports; the kafkajs adapter calls these (see libs/kafka). */
export interface BusMetrics {
  eventsIn(topic: string, type: string): void;
  eventsOut(topic: string, type: string): void;
  failed(topic: string, code: string): void;
  dlq(topic: string, code: string): void;
  observeHandler(topic: string, seconds: number): void;
  setLag(topic: string, partition: number, lag: number): void;
}

export interface ServiceMetrics {
  registry: Registry;
  bus: BusMetrics;
  /** Every record or request dropped on purpose, with the reason (nothing is dropped silently). */
  dropped: Counter<'reason'>;
}

/** The standard set every service exposes on /metrics, prefixed `kanal_`. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'kanal_process_' });
  const eventsIn = new Counter({
    name: 'kanal_events_in_total',
    help: 'Events consumed, per topic and type',
    labelNames: ['topic', 'type'] as const,
    registers: [registry],
  });
  const eventsOut = new Counter({
    name: 'kanal_events_out_total',
    help: 'Events published and acknowledged by Kafka, per topic and type',
    labelNames: ['topic', 'type'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'kanal_events_failed_total',
    help: 'Failed publishes and handler attempts, per topic and error code',
    labelNames: ['topic', 'code'] as const,
    registers: [registry],
  });
  const dlq = new Counter({
    name: 'kanal_dlq_records_total',
    help: 'Records dead-lettered, per source topic and error code',
    labelNames: ['topic', 'code'] as const,
    registers: [registry],
  });
  const handler = new Histogram({
    name: 'kanal_handler_duration_seconds',
    help: 'Time a consumer handler takes per batch',
    labelNames: ['topic'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'kanal_consumer_lag',
    help: 'Records behind the high watermark, per topic and partition',
    labelNames: ['topic', 'partition'] as const,
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'kanal_dropped_total',
    help: 'Inputs not published on purpose (unknown account, ignored kind), per reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return {
    registry,
    dropped,
    bus: {
      eventsIn: (topic, type) => eventsIn.inc({ topic, type }),
      eventsOut: (topic, type) => eventsOut.inc({ topic, type }),
      failed: (topic, code) => failed.inc({ topic, code }),
      dlq: (topic, code) => dlq.inc({ topic, code }),
      observeHandler: (topic, seconds) => handler.observe({ topic }, seconds),
      setLag: (topic, partition, value) => lag.set({ topic, partition: String(partition) }, value),
    },
  };
}
