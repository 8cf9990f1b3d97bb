import { Counter, Gauge, type Registry } from '@kanal/observability';
import type { StuckPartition } from './partition-progress';

/** What the bus reports beyond BusMetrics: the two conditions an operator must be paged for. */
export interface BusAlerts {
  parked(topic: string, code: string, deadLetterCode: string): void;
  /** A dead letter carried only a prefix of its record (replay needs the source topic to still hold it). */
  truncated(topic: string, code: string): void;
}

export interface PartitionState {
  groupId: string;
  topic: string;
  partition: number;
  stuck: boolean;
}

/**
 * Registers `kanal_parked_records_total{topic,code,dead_letter_code}` (records neither handled nor dead-lettered,
 * kept in the parking lot), `kanal_dlq_truncated_total{topic,code}` and `kanal_consumer_stuck{group,topic,partition}` (1 while a partition
 * has lag and no progress for KAFKA_STUCK_AFTER_MS), read at scrape time from the subscriptions.
 */
export function registerBusAlerts(registry: Registry, partitions: () => PartitionState[]): BusAlerts {
  const parked = new Counter({
    name: 'kanal_parked_records_total',
    help: 'Records that could neither be handled nor dead-lettered, kept in the parking lot (alert on any increase)',
    labelNames: ['topic', 'code', 'dead_letter_code'] as const,
    registers: [registry],
  });
  const truncated = new Counter({
    name: 'kanal_dlq_truncated_total',
    help: 'Dead letters that carry a prefix of a record too large to wrap whole (replayable while the source retains it)',
    labelNames: ['topic', 'code'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'kanal_consumer_stuck',
    help: 'Partitions with lag and no committed progress for KAFKA_STUCK_AFTER_MS (1 = stuck)',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of partitions())
        this.set({ group: p.groupId, topic: p.topic, partition: String(p.partition) }, p.stuck ? 1 : 0);
    },
  });
  return {
    parked: (topic, code, deadLetterCode) => parked.inc({ topic, code, dead_letter_code: deadLetterCode }),
    truncated: (topic, code) => truncated.inc({ topic, code }),
  };
}

export type { StuckPartition };
