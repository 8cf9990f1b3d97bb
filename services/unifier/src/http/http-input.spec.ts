import { expect, it } from '@jest/globals';
import { HttpError } from '@kanal/http';
import { UnifierError } from '../use-cases/split-customer';
import { mapped } from './http-input';

it('answers use-case errors with their status and details, and a transaction out of restarts with a 503', async () => {
  const fail = (error: unknown) => mapped(() => Promise.reject(error));
  await expect(fail(new UnifierError('UNIFIER.SELF_MERGE', 'same', { field: 'customerIds' }))).rejects.toMatchObject({
    status: 400,
    code: 'UNIFIER.SELF_MERGE',
    details: { field: 'customerIds' },
  });
  for (const code of ['40001', '40P01'])
    await expect(fail(Object.assign(new Error('deadlock detected'), { code }))).rejects.toMatchObject({
      status: 503,
      code: 'UNIFIER.CONTENDED',
    });
  const other = new Error('boom');
  await expect(fail(other)).rejects.toBe(other);
  await expect(fail(other)).rejects.not.toBeInstanceOf(HttpError);
});
