/**
 * A record that could neither be handled nor dead-lettered (the DLQ publish was refused for good:
 * too large, an invalid or unauthorized DLQ topic). It is kept here, durably, so the partition can
 * move past it; an operator replays it from the store once the cause is fixed.
 */
export interface ParkedRecord {
  consumerGroup: string;
  /** Physical topic, partition and offset of the original record. */
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Why the handler gave up on the record (the dead letter's code). */
  code: string;
  reason: string;
  attempts: number;
  /** Why the dead letter could not be published (`BUS.RECORD_TOO_LARGE`, `BUS.TOPIC_UNAUTHORIZED`, ...). */
  deadLetterCode: string;
  failedAt: string;
}

export interface ParkingLot {
  /** Resolves once the record is durable; parking the same record twice keeps one copy. */
  park(record: ParkedRecord): Promise<void>;
}
