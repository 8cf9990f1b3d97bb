import { DependencyUnavailableError } from '@kanal/kafka';
import { isTransientPgError } from '@kanal/postgres';

/**
 * Runs a consumer's database work so that a Postgres outage (connection refused, terminated
 * backend, failover) reaches the bus as DependencyUnavailableError: the bus then retries the batch
 * without limit instead of dead-lettering healthy records after a few attempts.
 */
export async function asDependencyOutage<T>(code: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isTransientPgError(error)) throw error;
    throw new DependencyUnavailableError(code, `Postgres unavailable: ${(error as Error).message}`, { cause: error });
  }
}
