import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { inboundEventId, parseEvent } from '@kanal/contracts';
import { REPO_ROOT } from '@kanal/testing';

const US = '1580001122334455667';
const fixture = (name: string) => fileURLToPath(new URL(`./x/__fixtures__/${name}`, import.meta.url));
const kanal = (file: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/kanal.mjs', 'normalize', 'x-dm', file], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('kanal normalize x-dm', () => {
  it('prints a dm_events page as NDJSON CloudEvents with the same ids on every run', () => {
    const first = kanal(fixture('dm-events-page.json'), { X_ACCOUNT_ID: US });
    const second = kanal(fixture('dm-events-page.json'), { X_ACCOUNT_ID: US });
    expect(first.status).toBe(0);
    const events = lines(first.stdout);
    expect(events).toHaveLength(5);
    for (const e of events) expect(parseEvent(e)).toMatchObject({ ok: true });
    expect(events.map((e) => e.id)).toEqual(lines(second.stdout).map((e) => e.id));
    expect(events[0].id).toBe(inboundEventId('x', US, '1790000000000000005'));
    expect(events.map((e) => e.type)).toEqual([
      'kanal.message.received.v1',
      'kanal.message.sent.v1',
      'kanal.message.received.v1',
      'kanal.message.received.v1',
      'kanal.message.received.v1',
    ]);
    // Drops are reported on stderr, never mixed into the events.
    expect(first.stderr).toContain('participants-event');
  });

  it('prints a webhook body using its for_user_id, without X_ACCOUNT_ID', () => {
    const result = kanal(fixture('webhook-dm.json'));
    expect(result.status).toBe(0);
    expect(lines(result.stdout).map((e) => [e.type, e.data.externalId])).toEqual([
      ['kanal.message.received.v1', '1790000000000000020'],
      ['kanal.message.sent.v1', '1790000000000000021'],
    ]);
  });

  it('fails with a reason when a page comes without X_ACCOUNT_ID or the file is not JSON', () => {
    const noAccount = kanal(fixture('dm-events-page.json'));
    expect(noAccount.status).toBe(1);
    expect(noAccount.stdout).toBe('');
    expect(noAccount.stderr).toContain('X.ACCOUNT_REQUIRED');
    const notJson = kanal(fileURLToPath(import.meta.url), { X_ACCOUNT_ID: US });
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toContain('X.INVALID_PAYLOAD');
  });
});
