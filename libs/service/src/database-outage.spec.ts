import { describe, expect, it } from '@jest/globals';
import { DependencyUnavailableError } from '@kanal/kafka';
import { createPool, withTransaction } from '@kanal/postgres';
import { asDependencyOutage } from './database-outage';

describe('asDependencyOutage', () => {
  it('turns an unreachable Postgres into DependencyUnavailableError with the given code', async () => {
    // Port 1 refuses connections: the same error a stopped or failing-over database gives.
    const pool = createPool('postgres://postgres@127.0.0.1:1/postgres', { max: 1, service: 'outage-test' });
    try {
      const work = asDependencyOutage('TEST.DB_UNAVAILABLE', () => withTransaction(pool, (db) => db.query('SELECT 1')));
      await expect(work).rejects.toBeInstanceOf(DependencyUnavailableError);
      await expect(work).rejects.toMatchObject({ code: 'TEST.DB_UNAVAILABLE' });
    } finally {
      await pool.end();
    }
  });

  it('passes other errors through unchanged, so bad records still dead-letter', async () => {
    const bug = Object.assign(new Error('null value in column "id"'), { code: '23502' });
    await expect(asDependencyOutage('TEST.DB_UNAVAILABLE', () => Promise.reject(bug))).rejects.toBe(bug);
  });
});
