import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, waitFor } from '@kanal/testing';

/**
 * One service as deployed: its production bundle in its own process, so SIGKILL is a real crash
 * (no in-process shutdown hooks run). stdout/stderr go to a log file per service, kept for the
 * failure report instead of interleaving with the table on stdout.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: WriteStream;
  /** Pid of every process this handle started (the only ones it may signal). */
  readonly pids: number[] = [];
  /** Set while the suite itself kills or stops the process: any other exit is a crash. */
  private expectingExit = false;
  /** Called when the process exits on its own (a crash the suite did not inject). */
  onUnexpectedExit: (description: string) => void = () => {};

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly bundle: string,
    private readonly env: Record<string, string>,
    readonly logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the bundle and resolves once /health/ready answers 200 (bus connected, group joined). */
  async start(timeoutMs = 90_000): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child!.pid})`);
    this.log.write(`\n--- ${new Date().toISOString()} start ${this.name}\n`);
    this.expectingExit = false;
    const child = spawn(process.execPath, [this.bundle], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    if (child.pid) this.pids.push(child.pid);
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        const description = `${this.name} exited (code ${code}, signal ${signal})`;
        this.log.write(`--- ${new Date().toISOString()} ${description}\n`);
        if (!this.expectingExit) this.onUnexpectedExit(`${description} on its own; log: ${this.logFile}`);
        resolve();
      }),
    );
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${this.name} exited with code ${child.exitCode}; see ${this.logFile}`);
        return (await fetch(`http://127.0.0.1:${this.port}/health/ready`, { signal: AbortSignal.timeout(2_000) })).ok;
      },
      { timeoutMs, intervalMs: 100, what: `${this.name} ready on port ${this.port} (log: ${this.logFile})` },
    );
  }

  /** A crash: SIGKILL, nothing flushed or committed; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) throw new Error(`${this.name} is not running; cannot kill it`);
    this.log.write(`--- ${new Date().toISOString()} SIGKILL ${this.name}\n`);
    this.expectingExit = true;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** A graceful stop (SIGTERM drains and commits), escalating to SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.running) return;
    const child = this.child!;
    this.expectingExit = true;
    child.kill('SIGTERM');
    const escalate = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(escalate);
  }

  async closeLog(): Promise<void> {
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  /** The last lines of the log, for a failure report. */
  async tail(lines = 15): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }
}

export function logPath(dir: string, service: string): string {
  return join(dir, `${service}.log`);
}
