import { sanitizeText } from '@kanal/contracts';
import type { ParkedRecord, ParkingLot } from '@kanal/kafka';
import type pg from 'pg';

/**
 * The parking lot in the service's own schema: `parked_records`, one row per (group, topic,
 * partition, offset), the original key, value and headers as bytes. The table is created by
 * `open()` (CREATE TABLE IF NOT EXISTS under an advisory lock, so replicas starting together do
 * not race), not by a service migration: every consumer service gets it the same way without
 * each carrying a copy of the DDL.
 */
export class PgParkingLot implements ParkingLot {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {}

  /** Creates the table when missing; `schema` defaults to the pool's search_path. */
  static async open(pool: pg.Pool, { schema }: { schema?: string } = {}): Promise<PgParkingLot> {
    const table = schema ? `${quoteIdent(schema)}.parked_records` : 'parked_records';
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Any fixed key will do: it only serialises this DDL between replicas of one service.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('kanal.parked_records'))`);
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
        consumer_group text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        "offset" bigint NOT NULL,
        record_key bytea,
        record_value bytea,
        headers text NOT NULL,
        code text NOT NULL,
        reason text NOT NULL,
        attempts integer NOT NULL,
        dead_letter_code text NOT NULL,
        failed_at timestamptz NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, topic, partition, "offset")
      )`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    return new PgParkingLot(pool, table);
  }

  async park(record: ParkedRecord): Promise<void> {
    // A redelivered batch parks the same record again: the first copy stays.
    await this.pool.query(
      `INSERT INTO ${this.table} (consumer_group, topic, partition, "offset", record_key, record_value, headers, code,
         reason, attempts, dead_letter_code, failed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (consumer_group, topic, partition, "offset") DO NOTHING`,
      [
        record.consumerGroup,
        record.topic,
        record.partition,
        record.offset,
        record.key,
        record.value,
        // Headers and reason are free text from the record: text columns take no NUL, JSON escapes it.
        JSON.stringify(record.headers),
        storable(record.code),
        storable(record.reason),
        record.attempts,
        storable(record.deadLetterCode),
        record.failedAt,
      ],
    );
  }

  /** The parked records, oldest first (operators and tests). */
  async list({ limit = 100 }: { limit?: number } = {}): Promise<ParkedRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT consumer_group, topic, partition, "offset"::text AS offset, record_key, record_value, headers, code, reason,
         attempts, dead_letter_code, failed_at FROM ${this.table} ORDER BY parked_at, topic, partition, "offset" LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      consumerGroup: r.consumer_group,
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      key: r.record_key,
      value: r.record_value,
      headers: JSON.parse(r.headers),
      code: r.code,
      reason: r.reason,
      attempts: r.attempts,
      deadLetterCode: r.dead_letter_code,
      failedAt: (r.failed_at as Date).toISOString(),
    }));
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const storable = (text: string) => sanitizeText(text).text;
