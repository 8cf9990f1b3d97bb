import { readdir, readFile } from 'node:fs/promises';

/** Linux reports CPU times in USER_HZ ticks; 100 is that ABI constant on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

/** Resident set size of a process in bytes (VmRSS), or undefined once it is gone. */
async function rssBytes(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** Samples VmRSS of named processes on a timer and keeps each one's peak. */
export class RssSampler {
  readonly peakBytes: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: Record<string, number>) {}

  start(intervalMs = 250): void {
    this.timer = setInterval(() => void this.sample(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sample();
  }

  peakMb(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.peakBytes).map(([name, b]) => [name, Math.round(b / 1024 / 1024)]));
  }

  private async sample(): Promise<void> {
    await Promise.all(
      Object.entries(this.pids).map(async ([name, pid]) => {
        const rss = await rssBytes(pid);
        if (rss !== undefined) this.peakBytes[name] = Math.max(this.peakBytes[name] ?? 0, rss);
      }),
    );
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 once it is gone. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!stat) return 0;
  // Fields after the parenthesised command name (which may contain spaces); utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Busy CPU seconds of the whole machine (all cores), from the first line of /proc/stat. */
async function machineBusySeconds(): Promise<number> {
  const [, ...ticks] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
  const busy = ticks.slice(0, 8).reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t), 0);
  return busy / TICKS_PER_SECOND;
}

/**
 * The shared infrastructure this run leans on but did not start: the Kafka broker on `port` (its
 * command line names its state dir `broker-<port>`) and the Postgres processes not in `exclude`
 * (the backends already attributed to a service): WAL writer, checkpointer, other users' backends.
 */
export async function infrastructurePids(port: number, exclude: Set<number>): Promise<Record<string, number[]>> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  const groups: Record<string, number[]> = { broker: [], postgres: [] };
  await Promise.all(
    pids.map(async (pid) => {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes('kafka.Kafka') && cmdline.includes(`broker-${port}/`)) groups.broker!.push(pid);
      else if (exclude.has(pid)) return;
      else if ((await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === 'postgres') {
        groups.postgres!.push(pid);
      }
    }),
  );
  return groups;
}

export interface CpuSnapshot {
  at: number;
  /** Per group, CPU seconds per pid. */
  groups: Record<string, Map<number, number>>;
  machine: number;
}

/** CPU used so far by each process of each named group and by the whole machine, to diff across a phase. */
export async function cpuSnapshot(groups: Record<string, number[]>): Promise<CpuSnapshot> {
  const entries = await Promise.all(
    Object.entries(groups).map(
      async ([name, pids]) =>
        [name, new Map(await Promise.all(pids.map(async (pid) => [pid, await cpuSeconds(pid)] as const)))] as const,
    ),
  );
  return { at: performance.now(), groups: Object.fromEntries(entries), machine: await machineBusySeconds() };
}

/**
 * CPU seconds per group between two snapshots (a process new in `b` counts from zero), plus
 * `unaccounted` (whatever else ran on the machine: another user's work shows up here) and the
 * machine's total and wall time, so "which stage burns the cores" is answered in one object.
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  let known = 0;
  for (const [name, pids] of Object.entries(b.groups)) {
    let used = 0;
    for (const [pid, s] of pids) used += Math.max(0, s - (a.groups[name]?.get(pid) ?? 0)); // 0: exited
    out[name] = +used.toFixed(2);
    known += used;
  }
  out.unaccounted = +(b.machine - a.machine - known).toFixed(2);
  out.machine = +(b.machine - a.machine).toFixed(2);
  out.wall = +((b.at - a.at) / 1000).toFixed(2);
  return out;
}
