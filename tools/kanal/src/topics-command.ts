import { createTopics, listTopics } from '@kanal/kafka';
import { cliEnv } from './cli-env';
import { UsageError } from './usage-error';

export async function runTopics(args: string[]): Promise<number> {
  const [verb] = args;
  if (verb === 'create') {
    const statuses = await createTopics(cliEnv());
    for (const s of statuses) {
      process.stdout.write(
        `${s.status.padEnd(8)} ${s.topic} (${s.partitions} partitions)${s.drift ? `  WARNING: ${s.drift}` : ''}\n`,
      );
    }
    return statuses.some((s) => s.drift) ? 2 : 0;
  }
  if (verb === 'list') {
    for (const t of await listTopics(cliEnv())) {
      process.stdout.write(`${t.topic}\t${t.partitions} partitions\t${t.messages} records\n`);
    }
    return 0;
  }
  throw new UsageError(`topics needs "create" or "list", got ${verb ? `"${verb}"` : 'nothing'}`);
}
