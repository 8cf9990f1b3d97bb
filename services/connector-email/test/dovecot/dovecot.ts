import { freePort, waitFor } from '@kanal/testing';
import { execFile } from 'node:child_process';
import { chown, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = import.meta.dirname;

/** A private Dovecot on loopback (see start-dovecot.sh), plus the doveadm levers the tests pull. */
export interface TestDovecot {
  root: string;
  port: number;
  /** `doveadm save`: one delivery, exactly as the MTA would make it. */
  deliver(user: string, raw: string | Buffer, folder?: string): Promise<void>;
  /** Many messages at once, written straight into the Maildir (new/): Dovecot assigns UIDs on its next scan. */
  deliverMany(user: string, raws: Array<string | Buffer>): Promise<void>;
  kick(user: string): Promise<void>;
  setUidValidity(user: string, folder: string, value: number): Promise<void>;
  createFolder(user: string, folder: string): Promise<void>;
  messageCount(user: string, folder: string): Promise<number>;
  stop(): Promise<void>;
}


export async function startDovecot(): Promise<TestDovecot> {
  const port = await freePort();
  const tlsPort = await freePort();
  const { stdout } = await run('bash', [join(HERE, 'start-dovecot.sh')], {
    env: { ...process.env, PLAIN_PORT: String(port), TLS_PORT: String(tlsPort) },
  });
  const root = stdout.trim().split('\n').pop()!;
  const conf = join(root, 'dovecot.conf');
  const doveadm = (args: string[], input?: string | Buffer) =>
    new Promise<void>((resolve, reject) => {
      const child = execFile('doveadm', ['-c', conf, ...args], (err) => (err ? reject(err) : resolve()));
      child.stdin!.end(input ?? '');
    });
  const mailOwner = await stat(join(root, 'mail'));
  let seq = 0;
  return {
    root,
    port,
    deliver: (user, raw, folder = 'INBOX') => doveadm(['save', '-u', user, '-m', folder], raw),
    async deliverMany(user, raws) {
      const maildir = join(root, 'mail', user, 'Maildir');
      for (const d of ['', 'tmp', 'new', 'cur']) {
        await mkdir(join(maildir, d), { recursive: true });
        await chown(join(maildir, d), mailOwner.uid, mailOwner.gid);
      }
      await chown(join(root, 'mail', user), mailOwner.uid, mailOwner.gid);
      for (const raw of raws) {
        const name = `${Date.now()}.M${++seq}P${process.pid}.kanal-test`;
        const tmp = join(maildir, 'tmp', name);
        await writeFile(tmp, raw);
        await chown(tmp, mailOwner.uid, mailOwner.gid);
        await rename(tmp, join(maildir, 'new', name));
      }
    },
    // `doveadm kick` fails when it finds no connection: the client may be between a reconnect and
    // its next LOGIN, so the kick is retried until one lands.
    kick: (user) =>
      waitFor(
        () =>
          doveadm(['kick', user]).then(
            () => true,
            () => false,
          ),
        { timeoutMs: 10_000, intervalMs: 100, what: `a connection of ${user} to kick` },
      ).then(() => undefined),
    setUidValidity: (user, folder, value) => doveadm(['mailbox', 'update', '-u', user, '--uid-validity', String(value), folder]),
    createFolder: (user, folder) => doveadm(['mailbox', 'create', '-u', user, folder]),
    async messageCount(user, folder) {
      const { stdout } = await run('doveadm', ['-c', conf, 'mailbox', 'status', '-u', user, 'messages', folder]);
      return Number(/messages=(\d+)/.exec(stdout)?.[1] ?? NaN);
    },
    stop: async () => {
      await run('bash', [join(HERE, 'stop-dovecot.sh'), root]);
    },
  };
}
