export { createPool, isTransientPgError, pgReady, withTransaction, type Pool, type PoolClient, type QueryResultRow } from './pg-pool';
export { migrate, type MigrateOptions } from './migrate';
