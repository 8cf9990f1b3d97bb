import type { z } from 'zod';

export const CONFIG_ERROR_CODE = 'CONFIG.INVALID';

/** A bad or missing variable; the message names it (`KAFKA_BROKERS: must be host:port…`). */
export class ConfigError extends Error {
  readonly code = CONFIG_ERROR_CODE;
  constructor(
    readonly variables: string[],
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses `env` once; throws ConfigError naming every offending variable. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.output<S> {
  // An empty variable means "not set" (compose files often pass `VAR=`), so defaults apply.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const variables = [...new Set(result.error.issues.map((i) => String(i.path[0] ?? '(env)')))];
  const reasons = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? '(env)');
    const missing = i.code === 'invalid_type' && cleaned[name] === undefined;
    return `${name}: ${missing ? 'is required but not set' : i.message}`;
  });
  throw new ConfigError(variables, [...new Set(reasons)].join('; '));
}

/**
 * The service-boot form: on a bad config, one line on stderr naming the variable(s), exit 78
 * (EX_CONFIG). Nothing else in a service reads process.env.
 */
export function loadConfigOrExit<S extends z.ZodType>(
  schema: S,
  { service, env = process.env }: { service: string; env?: Record<string, string | undefined> },
): z.output<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${service}: invalid configuration: ${error.message}\n`);
    process.exit(78);
  }
}
