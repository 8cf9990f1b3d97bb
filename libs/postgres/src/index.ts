export {
  createPool,
  isTransientPgError,
  pgReady,
  preparedStatements,
  withTransaction,
  type Pool,
  type PoolClient,
  type QueryResultRow,
} from './pg-pool';
export { migrate, type MigrateOptions } from './migrate';
export { PgParkingLot } from './pg-parking-lot';
