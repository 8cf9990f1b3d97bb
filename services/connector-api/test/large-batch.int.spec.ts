import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { FULL_TEXT_MAX_BYTES, MESSAGE_MAX_BYTES, TEXT_MAX_BYTES, TOPICS } from '@kanal/contracts';
import { parseConfig } from '@kanal/config';
import { createIsolatedTopics, KafkajsEventBus, kafkaEnvSchema, removeIsolatedTopics } from '@kanal/kafka';
import type { RunningService } from '@kanal/service';
import { waitFor } from '@kanal/testing';
import { startConnectorApi } from '../src/app';
import { configSchema } from '../src/config';

const TOKEN = 'large-batch-token-0123456789';
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
let prefix: string;
let api: RunningService;

beforeAll(async () => {
  ({ prefix } = await createIsolatedTopics(brokers, { partitions: 3, label: 'api' }));
  const env = {
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    AUTH_TOKENS: TOKEN,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'fatal',
  };
  api = await startConnectorApi(parseConfig(configSchema, env), { handleSignals: false });
});
afterAll(async () => {
  await api?.shutdown('test');
  await removeIsolatedTopics(brokers, prefix);
});

const message = (fields: Record<string, unknown> = {}) => ({
  channel: 'webchat',
  accountId: 'shop',
  externalId: `m-${randomUUID()}`,
  conversationRef: 'c-1',
  occurredAt: new Date().toISOString(),
  text: 'Merhaba',
  sender: { identities: [{ type: 'webchat', value: 'shop:visitor-1' }] },
  ...fields,
});

async function post(body: unknown) {
  const res = await fetch(`http://127.0.0.1:${api.port}/v1/messages`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

it('accepts one client’s 500 messages of one conversation (over the broker’s request limit) beside 40 small requests', async () => {
  const batch = Array.from({ length: 500 }, () =>
    message({ conversationRef: 'big-conversation', text: 'ğ'.repeat(1_000) }),
  );
  expect(Buffer.byteLength(JSON.stringify(batch))).toBeGreaterThan(1_048_576);
  const small = Array.from({ length: 40 }, (_, i) => message({ conversationRef: `small-${i}` }));
  const answers = await Promise.all([post(batch), ...small.map((m) => post(m))]);
  expect(answers.map((a) => a.status)).toEqual(Array(41).fill(202));
  expect(answers[0]!.body['accepted']).toBe(500);

  // Every one of them is in Kafka, the big conversation in order.
  const reader = new KafkajsEventBus({
    env: kafkaEnvSchema.parse({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix }),
    service: 'reader',
  });
  await reader.start();
  const ids: string[] = [];
  await reader.subscribe({
    groupId: `r-${prefix}`,
    topics: [TOPICS.inbound],
    handler: async (r) => void ids.push(...r.map((x) => x.event.id)),
  });
  try {
    await waitFor(() => new Set(ids).size >= 540, {
      timeoutMs: 30_000,
      what: () => `540 events (have ${new Set(ids).size})`,
    });
    const big = answers[0]!.body['ids'] as string[];
    expect(ids.filter((id) => big.includes(id))).toEqual(big);
  } finally {
    await reader.stop();
  }
});

it('answers 413 naming the field and the limit, never 503, for a message over a cap', async () => {
  const cases: Array<[unknown, string, string, number]> = [
    [
      message({ fullText: '"'.repeat(FULL_TEXT_MAX_BYTES / 2 + 1) }),
      'API.FIELD_TOO_LARGE',
      'fullText',
      FULL_TEXT_MAX_BYTES,
    ],
    [
      [message(), message({ text: '\u0001'.repeat(TEXT_MAX_BYTES / 6 + 1) })],
      'API.FIELD_TOO_LARGE',
      '[1].text',
      TEXT_MAX_BYTES,
    ],
    // 600,000 é once answered 500: two bytes each, over the fullText cap.
    [message({ fullText: 'é'.repeat(600_000) }), 'API.FIELD_TOO_LARGE', 'fullText', FULL_TEXT_MAX_BYTES],
    [
      message({
        fullText: 'a'.repeat(FULL_TEXT_MAX_BYTES),
        text: 'b'.repeat(100_000),
        metadata: { pad: 'c'.repeat(1_000) },
        attachments: Array.from({ length: 30 }, () => ({ kind: 'image', caption: 'd'.repeat(8_000) })),
      }),
      'API.MESSAGE_TOO_LARGE',
      '(root)',
      MESSAGE_MAX_BYTES,
    ],
  ];
  for (const [body, code, field, limit] of cases) {
    const answer = await post(body);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ code, details: { field, limit, size: expect.any(Number) } });
    expect((answer.body['details'] as { size: number }).size).toBeGreaterThan(limit);
  }
});
