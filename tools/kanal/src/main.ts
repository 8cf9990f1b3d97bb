import { UsageError } from './usage-error';

const USAGE = `usage: kanal <command>

  topics create               create the contract topics that are missing (partitions/retention from env)
  topics list                 list topics with partition and record counts
  dlq tail [--follow] [--limit N] [--show-value]
                              print dead letters (metadata; --show-value adds the original record)
  dlq replay [--code C] [--source-topic T] [--provider P] [--limit N] [--dry-run]
                              republish consumer dead letters, unchanged, to the topic they came from;
                              re-normalize provider dead letters through today's mappers (same event
                              ids); exit 2 when some still fail or cannot be replayed
  normalize <provider> <file>... [<provider> <file>...] [--timings]
                              print the canonical events raw provider payloads become (NDJSON), dead
                              letters included; --timings writes per-file milliseconds to stderr
  demo [--api URL] [--unifier URL] [--router URL] [--token T]
                              play a WhatsApp → email → Instagram journey against the running platform
                              and print the unified timeline and the routing decisions

Configuration comes from the environment (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, ...), as for the services.`;

/** Returns the process exit code; output goes to stdout, diagnostics to stderr. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // Each command loads only what it needs: `normalize` must not pay for the Kafka client.
      case 'topics':
        return await (await import('./topics-command')).runTopics(rest);
      case 'dlq':
        return await (await import('./dlq-command')).runDlq(rest);
      case 'normalize':
        return await (await import('./normalize-command')).runNormalize(rest);
      case 'demo':
        return await (await import('./demo-command')).runDemo(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 64 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const err = error as Error & { code?: string };
    process.stderr.write(`kanal: ${err.message}${err.code ? ` [${err.code}]` : ''}\n`);
    if (err instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    return err instanceof UsageError ? 64 : 1;
  }
}
