import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ParkedRecord } from '@kanal/kafka';
import { createPool, type Pool } from '../src/pg-pool';
import { PgParkingLot } from '../src/pg-parking-lot';

const schema = `parking_t${randomUUID().slice(0, 8)}`;
let pool: Pool;
beforeAll(() => {
  pool = createPool(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres', {
    service: 'parking-test',
    max: 4,
  });
});
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

const record = (offset: string): ParkedRecord => ({
  consumerGroup: 'kanal-unifier',
  topic: 'kanal.inbound.v1',
  partition: 2,
  offset,
  key: Buffer.from('whatsapp:1065:905321234567'),
  value: Buffer.from([0x7b, 0x00, 0xff, 0x7d]),
  headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  code: 'EVENT.SCHEMA_INVALID',
  reason: 'a reason with a NUL\u0000 inside',
  attempts: 5,
  deadLetterCode: 'BUS.RECORD_TOO_LARGE',
  failedAt: '2026-12-03T10:00:00.000Z',
});

it('creates its table once under concurrent starts, keeps the bytes whole and parks a record once', async () => {
  const [lot] = await Promise.all([0, 1, 2].map(() => PgParkingLot.open(pool, { schema })));
  await lot!.park(record('41'));
  // A redelivered batch parks the same record again: one row stays.
  await lot!.park(record('41'));
  await lot!.park(record('42'));
  const parked = await lot!.list();
  expect(parked.map((p) => p.offset)).toEqual(['41', '42']);
  expect(parked[0]!.value!.equals(record('41').value!)).toBe(true);
  expect(parked[0]!.key!.toString()).toBe('whatsapp:1065:905321234567');
  // Text columns take no NUL: the reason is stored repaired, the raw bytes are not touched.
  expect(parked[0]).toMatchObject({ reason: 'a reason with a NUL inside', headers: record('41').headers, attempts: 5 });
});
