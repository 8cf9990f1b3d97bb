import { createHash, randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export type SourceRecord =
  | { found: true; message: KafkaMessage }
  /** Retention (or a compaction, or a recreated topic) removed the record, or it is not the one dead-lettered. */
  | { found: false; reason: 'gone' | 'mismatch' | 'unreadable' };

/**
 * Reads the one record a truncated dead letter stands for, straight from its source partition,
 * by a throw-away consumer group that commits nothing (and is deleted afterwards). `sha256` is the
 * letter's hash of the whole value: a different record at that offset is reported, not replayed.
 */
export async function readSourceRecord(
  kafka: Kafka,
  at: { topic: string; partition: number; offset: string; sha256?: string },
  timeoutMs = 30_000,
): Promise<SourceRecord> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `kanal-dlq-source-${randomUUID()}`;
  try {
    const offsets = await admin.fetchTopicOffsets(at.topic).catch(() => []);
    const range = offsets.find((o) => o.partition === at.partition);
    const wanted = BigInt(at.offset);
    if (!range || wanted < BigInt(range.low) || wanted >= BigInt(range.high)) return { found: false, reason: 'gone' };

    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
    let finish: (r: SourceRecord) => void = () => {};
    const done = new Promise<SourceRecord>((resolve) => (finish = resolve));
    const timer = setTimeout(() => finish({ found: false, reason: 'unreadable' }), timeoutMs);
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [at.topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (partition !== at.partition) return;
          const offset = BigInt(message.offset);
          // Past the offset without seeing it: compaction or a transaction marker took it.
          if (offset > wanted) return finish({ found: false, reason: 'gone' });
          if (offset < wanted) return;
          const sha = createHash('sha256')
            .update(message.value ?? Buffer.alloc(0))
            .digest('hex');
          finish(at.sha256 && sha !== at.sha256 ? { found: false, reason: 'mismatch' } : { found: true, message });
        },
      });
      consumer.seek({ topic: at.topic, partition: at.partition, offset: at.offset });
      return await done;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
}
