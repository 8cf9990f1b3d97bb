import { runner } from 'node-pg-migrate';

export interface MigrateOptions {
  databaseUrl: string;
  /** The service's own schema; its migrations table lives there too. */
  schema: string;
  /** Folder of `NNNN_name.sql` migrations (`-- Up Migration` / `-- Down Migration`). */
  dir: string;
  log?: (message: string) => void;
}

/**
 * Applies pending migrations under an advisory lock (node-pg-migrate), so several replicas
 * starting together migrate once. Run on service start and by `npm start`.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const applied = await runner({
    databaseUrl: options.databaseUrl,
    dir: options.dir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    schema: options.schema,
    migrationsSchema: options.schema,
    createSchema: true,
    createMigrationsSchema: true,
    checkOrder: true,
    singleTransaction: true,
    // Replicas starting together: the second waits for the first instead of failing to boot.
    advisoryLockMode: 'wait',
    log: options.log ?? (() => {}),
    verbose: false,
  });
  return applied.map((m) => m.name);
}
