import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { buildInboundEvent, TOPICS, type MessageData } from '@kanal/contracts';
import type { LoggerConfig } from '@kanal/observability';
import { waitFor } from '@kanal/testing';
import { PII, waBody } from './pii-canaries';

/**
 * Issue 9: no phone number, email address or message text reaches a log line.
 *
 * connector-api + unifier (e2e startPipeline) and connector-meta (its test harness) run in-process
 * at the most verbose level; every pino logger they create writes into `captured` (the real
 * createLogger, so the real redaction config, with a `destination` stream added: the services do
 * not pass one). They are sent valid and invalid input carrying known PII, through every edge
 * that logs (HTTP, signed webhooks, raw records on kanal.inbound.v1 that get dead-lettered), and
 * the captured lines are grepped for the exact values sent, in every form the code may produce.
 */

const captured: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, callback) {
    captured.push(...String(chunk).split('\n').filter(Boolean));
    callback();
  },
});

jest.unstable_mockModule('@kanal/observability', async () => {
  const logger = await import('../../libs/observability/src/logger');
  const metrics = await import('../../libs/observability/src/metrics');
  const trace = await import('../../libs/observability/src/trace-context');
  return {
    ...metrics,
    ...trace,
    ...logger,
    createLogger: (config: LoggerConfig) => logger.createLogger({ ...config, level: 'trace', destination: sink }),
  };
});

const { message, startPipeline } = await import('../../e2e/test/pipeline-harness');
const { startHarness, IG_ACCOUNT, SECRET, WA_PHONE_ID } = await import('../../services/connector-meta/test/harness');
const { signBody } = await import('../../services/connector-meta/src/webhook/verify-signature');

type Pipeline = Awaited<ReturnType<typeof startPipeline>>;
type MetaHarness = Awaited<ReturnType<typeof startHarness>>;

let pipeline: Pipeline | undefined;
let meta: MetaHarness | undefined;
const p = () => pipeline!;
const h = () => meta!;

async function stopAll(): Promise<void> {
  const [a, b] = [pipeline, meta];
  pipeline = meta = undefined;
  await Promise.all([a?.stop(), b?.stop()]);
}

beforeAll(async () => {
  // One after the other: two topic sets created at once can race the broker's metadata.
  // LOG_LEVEL goes to the unifier; the logger wrapper above raises every logger to trace anyway.
  pipeline = await startPipeline({
    LOG_LEVEL: 'debug',
    // A poison record is dead-lettered after 2 attempts (the default 5 back off for seconds).
    KAFKA_HANDLER_MAX_ATTEMPTS: '2',
    // Its own group: a member of the shared `kanal-unifier` group left by another run would stall the join.
    UNIFIER_GROUP_ID: `pii-${randomUUID()}`,
  });
  meta = await startHarness({ LOG_LEVEL: 'debug' });
}, 60_000);

/** Everything captured, rewritten by every run, for reading after a failure (the test names it). */
const file = join(tmpdir(), 'kanal-pii-in-logs.ndjson');

afterAll(async () => {
  await stopAll();
  writeFileSync(file, captured.join('\n') + '\n');
}, 30_000);

const json = (v: unknown) => JSON.stringify(v);

async function apiTraffic(): Promise<string[]> {
  const valid = message({
    text: PII.apiText[0],
    sender: {
      displayName: PII.apiName[0],
      identities: [
        { type: 'phone', value: PII.apiPhone[0] },
        { type: 'email', value: PII.apiEmail[0] },
      ],
    },
  });
  const outbound = message({
    direction: 'outbound',
    text: PII.apiText2[0],
    sender: { identities: [{ type: 'external', value: 'crm:agent-1' }] },
    recipient: { identities: [{ type: 'phone', value: PII.apiPhone2[0] }] },
  });
  const statuses: Array<[string, number, string | Buffer, Record<string, string>?]> = [
    ['valid message', 202, json(valid)],
    ['valid outbound', 202, json(outbound)],
    [
      'invalid phone',
      400,
      json(message({ text: PII.badText[0], sender: { identities: [{ type: 'phone', value: PII.badPhone[0] }] } })),
    ],
    [
      'invalid email',
      400,
      json(message({ text: PII.badText[0], sender: { identities: [{ type: 'email', value: PII.badEmail[0] }] } })),
    ],
    [
      'schema errors around PII',
      400,
      json({
        text: PII.badText[0],
        occurredAt: PII.jsonPhone[0],
        sender: { displayName: PII.apiName[0], identities: PII.badEmail[0] },
      }),
    ],
    [
      'batch with one bad item',
      400,
      json([
        valid,
        message({ text: PII.badText[0], sender: { identities: [{ type: 'fax', value: PII.jsonPhone[0] }] } }),
      ]),
    ],
    [
      'malformed JSON',
      400,
      `{"text":"${PII.jsonText[0]}","sender":{"identities":[{"type":"phone","value":${PII.jsonPhone[0]}}]`,
    ],
    ['wrong charset', 415, json(valid), { 'content-type': 'application/json; charset=latin-7' }],
    ['bad token', 401, json(valid), { authorization: 'Bearer wrong' }],
    ['oversized', 413, json({ ...valid, text: `${PII.badText[0]} ${'x'.repeat(6_000_000)}` })],
  ];
  const problems: string[] = [];
  for (const [what, expected, body, headers] of statuses) {
    const res = await p().api('/v1/messages', { method: 'POST', body, headers: headers ?? {} });
    await res.arrayBuffer();
    if (res.status !== expected) problems.push(`connector-api ${what}: ${res.status}, expected ${expected}`);
  }
  return problems;
}

async function unifierHttpTraffic(): Promise<void> {
  const get = (path: string) =>
    p()
      .unifier(path)
      .then((r) => r.arrayBuffer());
  await get(`/v1/identities/phone/${encodeURIComponent(PII.apiPhone[2]!)}`);
  await get(`/v1/identities/phone/${encodeURIComponent(PII.badPhone[0]!)}`);
  await get(`/v1/identities/email/${encodeURIComponent(PII.apiEmail[0]!)}`);
  await get(`/v1/identities/email/${encodeURIComponent(PII.badEmail[0]!)}`);
  await get(`/v1/identities/fax/${encodeURIComponent(PII.jsonPhone[0]!)}`);
  await p()
    .unifier(`/v1/customers/${randomUUID()}/split`, {
      method: 'POST',
      body: json({
        identities: [
          { type: 'phone', value: PII.apiPhone[2] },
          { type: 'email', value: PII.badEmail[0] },
        ],
        reason: PII.badText[0],
      }),
    })
    .then((r) => r.arrayBuffer());
}

/** Records a misconfigured producer could write: not JSON, not an event, an event Postgres refuses. */
async function rawRecords(): Promise<number> {
  const good = buildInboundEvent(
    'kanal.message.received.v1',
    {
      channel: 'webchat',
      provider: 'http',
      accountId: 'shop',
      direction: 'inbound',
      externalId: `nul-${randomUUID()}`,
      conversationRef: `c-${randomUUID().slice(0, 8)}`,
      occurredAt: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      text: `${PII.nulText[0]}\u0000`,
      sender: { identities: [{ type: 'phone', value: PII.rawPhone[0]! }] },
      attachments: [],
    } satisfies MessageData,
    { source: 'kanal/test' },
  );
  const values = [
    PII.rawPhone[0]!,
    PII.rawEmail[0]!,
    PII.rawText[0]!,
    `{"specversion":"1.0","data":{"sender":{"identities":[{"type":"email","value":${PII.rawJsonEmail[0]}}]}}}`,
    json({
      ...good,
      id: randomUUID(),
      data: { ...good.data, text: PII.rawText[0], sender: { identities: PII.rawJsonEmail[0] } },
    }),
    json({ ...good, id: randomUUID(), type: `kanal.${PII.rawJsonEmail[0]}` }),
  ];
  const bus = p().bus as unknown as {
    publishRaw(topic: string, messages: Array<{ key: string; value: Buffer }>): Promise<void>;
  };
  await bus.publishRaw(
    `${p().prefix}${TOPICS.inbound}`,
    values.map((v) => ({ key: 'webchat:shop:raw', value: Buffer.from(v) })),
  );
  await p().bus.publish([{ topic: TOPICS.inbound, key: good.subject!, event: good }]);
  return values.length;
}

async function metaTraffic(): Promise<string[]> {
  const ts = String(Math.floor(Date.now() / 1000));
  const valid = waBody(WA_PHONE_ID, {
    contacts: [{ profile: { name: PII.waName[0] }, wa_id: PII.waPhone[0] }],
    messages: [
      { from: PII.waPhone[0], id: 'wamid.PII0001', timestamp: ts, type: 'text', text: { body: PII.waText[0] } },
      {
        from: PII.waPhone[0],
        id: 'wamid.PII0002',
        timestamp: ts,
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: PII.waName[0] },
            phones: [{ phone: PII.waCardPhone[0] }],
            emails: [{ email: PII.waCardEmail[0] }],
          },
        ],
      },
    ],
    statuses: [{ id: 'wamid.OUT0001', status: 'read', timestamp: ts, recipient_id: PII.waPhone[0] }],
  });
  const invalid = waBody(WA_PHONE_ID, {
    contacts: [{ profile: { name: PII.waName[0] }, wa_id: PII.waBadPhone[0] }],
    messages: [
      // An invalid number: no sender identity, dropped.
      { from: PII.waBadPhone[0], id: 'wamid.PII0003', timestamp: ts, type: 'text', text: { body: PII.waBadText[0] } },
      // No id/timestamp: invalid item.
      { from: PII.waPhone[0], type: 'text', text: { body: PII.waBadText[0] } },
      // Out-of-range location: the event fails the contract.
      {
        from: PII.waPhone[0],
        id: 'wamid.PII0004',
        timestamp: ts,
        type: 'location',
        location: { latitude: 200, longitude: 0, name: PII.waBadText[0], address: PII.waText[0] },
      },
      // Text over the contract limit.
      {
        from: PII.waPhone[0],
        id: 'wamid.PII0005',
        timestamp: ts,
        type: 'text',
        text: { body: `${PII.waBadText[0]} ${'y'.repeat(100_001)}` },
      },
    ],
    statuses: [
      { id: 'wamid.OUT0002', status: 'exploded', timestamp: ts, recipient_id: PII.waPhone[0] },
      { status: 'read', recipient_id: PII.waPhone[0] },
    ],
    errors: [{ code: 131051, title: 'Unsupported message type', message: PII.waText[0] }],
  });
  const unknownAccount = waBody('106540352249999', {
    contacts: [{ profile: { name: PII.waName[0] }, wa_id: PII.waUnknownPhone[0] }],
    messages: [
      {
        from: PII.waUnknownPhone[0],
        id: 'wamid.PII0006',
        timestamp: ts,
        type: 'text',
        text: { body: PII.waUnknownText[0] },
      },
    ],
  });
  const unsupportedField = {
    ...waBody(WA_PHONE_ID, { messages: [{ from: PII.waPhone[0], text: { body: PII.waText[0] } }] }),
  };
  unsupportedField.entry[0]!.changes[0]!.field = 'account_update';
  const instagram = {
    object: 'instagram',
    entry: [
      {
        time: Date.now(),
        id: IG_ACCOUNT,
        messaging: [
          {
            sender: { id: '1234567890999' },
            recipient: { id: IG_ACCOUNT },
            timestamp: Date.now(),
            message: { mid: 'aWdfPII0001', text: PII.igText[0] },
          },
          {
            sender: { id: '1234567890999' },
            recipient: { id: IG_ACCOUNT },
            timestamp: Date.now(),
            message_edit: { mid: 'aWdfPII0001', text: PII.igText[0] },
          },
          {
            recipient: { id: IG_ACCOUNT },
            timestamp: Date.now(),
            message: { mid: 'aWdfPII0002', text: PII.igText[0] },
          },
        ],
      },
    ],
  };
  // [what, path, body, expected status (null: not checked), signature (undefined: signed with SECRET)]
  const cases: Array<[string, string, string | Buffer, number | null, string | null | undefined]> = [
    ['valid WhatsApp', '/webhooks/whatsapp', json(valid), 200, undefined],
    ['invalid WhatsApp items', '/webhooks/whatsapp', json(invalid), 200, undefined],
    ['unknown account', '/webhooks/whatsapp', json(unknownAccount), 200, undefined],
    ['unsupported field', '/webhooks/whatsapp', json(unsupportedField), 200, undefined],
    ['Instagram', '/webhooks/instagram', json(instagram), 200, undefined],
    ['WhatsApp body to Instagram', '/webhooks/instagram', json(valid), 400, undefined],
    [
      'signed malformed JSON',
      '/webhooks/whatsapp',
      `{"text":"${PII.metaBadJsonText[0]}","from":${PII.waPhone[0]}`,
      400,
      undefined,
    ],
    ['unsigned', '/webhooks/whatsapp', json(valid), 401, null],
    ['wrong signature', '/webhooks/whatsapp', json(valid), 401, signBody(json(valid), 'not-the-secret')],
    [
      'bad BSUID',
      '/webhooks/whatsapp',
      json(
        waBody(WA_PHONE_ID, {
          contacts: [{ profile: { name: PII.waName[0] }, wa_id: PII.waPhone[0], user_id: 'a b' }],
          messages: [
            { from_user_id: 'a b', id: 'wamid.PII0007', timestamp: ts, type: 'text', text: { body: PII.waText[0] } },
          ],
        }),
      ),
      // A BSUID with blanks: the id is dropped with a logged reason (it used to be a 500).
      null,
      undefined,
    ],
  ];
  const problems: string[] = [];
  for (const [what, path, body, expected, signature] of cases) {
    const res = await h().post(path, body, signature === undefined ? signBody(body, SECRET) : signature);
    await res.arrayBuffer();
    if (expected !== null && res.status !== expected)
      problems.push(`connector-meta ${what}: ${res.status}, expected ${expected}`);
  }
  return problems;
}

it('writes none of the phone numbers, emails and message texts it was sent into any log line', async () => {
  const [apiProblems, metaProblems, rawCount] = await Promise.all([apiTraffic(), metaTraffic(), rawRecords()]);
  await unifierHttpTraffic();

  // The valid messages went all the way through, and every bad record was dead-lettered.
  await waitFor(() => p().customers.length >= 2, { what: 'customer events for the two valid API messages' });
  await waitFor(() => p().dlq.length >= rawCount + 1, {
    timeoutMs: 20_000,
    what: () => `${rawCount + 1} dead letters (have ${p().dlq.length})`,
  });
  await waitFor(() => h().seen.length >= 3, { what: 'connector-meta events' });
  await stopAll();

  // The capture works and the error paths were taken (else the grep below proves nothing).
  const text = captured.join('\n');
  for (const service of ['connector-api', 'unifier', 'connector-meta'])
    expect(text).toContain(`"msg":"${service} listening"`);
  expect(text).toContain('record dead-lettered');
  expect(text).toContain('webhook item not published');
  expect(text).toContain('webhook for an account this deployment does not serve');

  const needles = [...new Set(Object.values(PII).flat())];
  const hits: string[] = [];
  captured.forEach((line, index) => {
    for (const needle of needles) {
      if (line.includes(needle))
        hits.push(`log line ${index + 1} contains ${JSON.stringify(needle)}: ${line.slice(0, 600)}`);
    }
  });
  expect({ hits, file }).toEqual({ hits: [], file });
  // Status surprises are reported after the PII verdict (they do not hide a leak).
  expect([...apiProblems, ...metaProblems]).toEqual([]);
}, 60_000);
