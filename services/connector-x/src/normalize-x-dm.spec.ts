import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { inboundEventId, parseEvent, type CloudEvent } from '@kanal/contracts';
import { REPO_ROOT } from '@kanal/testing';
import { normalizeXDm, type NormalizeXOptions } from './normalize-x-dm';

const US = '1580001122334455667';
const RECEIVED_AT = '2026-11-20T15:00:00.000Z';
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
const inProcess = (
  name: string,
  env: NodeJS.ProcessEnv = {},
  options: NormalizeXOptions = { receivedAt: RECEIVED_AT },
) => normalizeXDm(readFileSync(fixture(name)), env, options);
const letters = (events: CloudEvent[]) => events.filter((e) => e.type === 'kanal.dlq.record.v1');

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
    // Skips are reported on stderr, never mixed into the events.
    expect(first.stderr).toContain('participants-join');
  });

  it('prints the dead letters the service would publish after the events', () => {
    const result = kanal(fixture('dm-events-unknown.json'), { X_ACCOUNT_ID: US });
    expect(result.status).toBe(0);
    const events = lines(result.stdout);
    expect(events.map((e) => [e.type, e.data.code ?? e.data.externalId])).toEqual([
      ['kanal.message.received.v1', '1790000000000000303'],
      ['kanal.dlq.record.v1', 'X.UNKNOWN_EVENT_TYPE'],
      ['kanal.dlq.record.v1', 'X.INVALID_EVENT'],
    ]);
    expect(result.stderr).toContain('X.UNKNOWN_EVENT_TYPE');
  });

  it('prints a webhook body using its for_user_id, without X_ACCOUNT_ID', () => {
    const result = kanal(fixture('webhook-dm.json'));
    expect(result.status).toBe(0);
    expect(lines(result.stdout).map((e) => [e.type, e.data.externalId])).toEqual([
      ['kanal.message.received.v1', '1790000000000000020'],
      ['kanal.message.sent.v1', '1790000000000000021'],
    ]);
  });

  it('fails with a reason when a page comes without our account or the file is not JSON', () => {
    const noAccount = kanal(fixture('dm-events-page.json'));
    expect(noAccount.status).toBe(1);
    expect(noAccount.stdout).toBe('');
    expect(noAccount.stderr).toContain('X.ACCOUNT_REQUIRED');
    const notJson = kanal(fileURLToPath(import.meta.url), { X_ACCOUNT_ID: US });
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toContain('X.INVALID_PAYLOAD');
  });
});

describe('normalizeXDm (the replay path)', () => {
  it('uses options.receivedAt for events and dead letters, so a replay reproduces them', () => {
    const events = inProcess('dm-events-unknown.json', { X_ACCOUNT_ID: US });
    for (const e of events) expect((e.data as { receivedAt: string }).receivedAt).toBe(RECEIVED_AT);
    const again = inProcess('dm-events-unknown.json', { X_ACCOUNT_ID: US });
    expect(again.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(again.filter((e) => e.type !== 'kanal.dlq.record.v1')).toEqual(
      events.filter((e) => e.type !== 'kanal.dlq.record.v1'),
    );
  });

  it("re-runs a dead letter's payload to the same dead letter (still failing) with the same id", () => {
    const [letter] = letters(inProcess('webhook-unknown.json'));
    const again = normalizeXDm(Buffer.from((letter!.data as { value: string }).value), {}, { receivedAt: RECEIVED_AT });
    expect(again.map((e) => e.id)).toEqual([letter!.id]);
  });

  it('takes our account from options, else X_ACCOUNT_ID, else the one polled account in the page', () => {
    const ids = (events: CloudEvent[]) => events.map((e) => (e.data as { accountId: string }).accountId);
    expect(ids(inProcess('dm-events-media.json', {}, { receivedAt: RECEIVED_AT, accountId: US }))).toEqual([
      US,
      US,
      US,
    ]);
    expect(ids(inProcess('dm-events-media.json', { X_ACCOUNTS: `424242, ${US}` }))).toEqual([US, US, US]);
    expect(() => inProcess('dm-events-media.json', { X_ACCOUNTS: '424242,434343' })).toThrow(/X_ACCOUNT_ID/);
  });
});
