import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { MAX_RECORD_BYTES } from '@kanal/kafka';
import { waitFor } from '@kanal/testing';
import { FULL_TEXT_MAX_BYTES, jsonBytes, MESSAGE_MAX_BYTES, TEXT_MAX_BYTES } from '@kanal/contracts';
import { toInboundEvents } from '../../services/connector-api/src/to-inbound-events';
import { message, startPipeline } from './pipeline-harness';

// connector-api's size caps guarantee every downstream event fits the broker: a message exactly
// at each cap is unified and routed (never dead-lettered), one byte over is a 413 naming the field.
let p: Awaited<ReturnType<typeof startPipeline>>;
beforeAll(async () => {
  p = await startPipeline({}, { withRouter: true });
}, 90_000);
afterAll(() => p.stop(), 30_000);

/** Ten long identities: a large customer summary rides along in the unified event. */
const sender = () => ({
  displayName: 'Ş'.repeat(256),
  identities: Array.from({ length: 10 }, (_, i) => ({
    type: 'external',
    value: `crm${i}:${randomUUID()}${'x'.repeat(200)}`,
  })),
});

/** Size of the message as connector-api will publish it (defaults and receivedAt included). */
function publishedBytes(body: Record<string, unknown>): number {
  const result = toInboundEvents(body, { maxBatch: 1, defaultRegion: 'TR' });
  if (result.ok) return jsonBytes(result.events[0]!.data);
  if ('tooLarge' in result && result.tooLarge.field === '(root)') return result.tooLarge.size;
  throw new Error(`not accepted: ${JSON.stringify(result).slice(0, 300)}`);
}

/** Pads a message with attachment captions (plain ASCII) until it is exactly `target` bytes. */
function padTo(body: Record<string, unknown>, target: number): Record<string, unknown> {
  const attachments: Array<{ kind: string; caption: string }> = [];
  const withAttachments = () => ({ ...body, attachments });
  for (;;) {
    attachments.push({ kind: 'document', caption: 'd'.repeat(10_000) });
    if (publishedBytes(withAttachments()) > target) break;
  }
  const last = attachments[attachments.length - 1]!;
  last.caption = '';
  last.caption = 'd'.repeat(target - publishedBytes(withAttachments()));
  expect(publishedBytes(withAttachments())).toBe(target);
  return withAttachments();
}

/** Quotes cost two bytes each as JSON (and four once a dead letter wraps them): the worst common case. */
const quotes = (bytes: number) => '"'.repeat(bytes / 2);

async function post(body: unknown) {
  const res = await p.api('/v1/messages', { method: 'POST', body: JSON.stringify(body) });
  return {
    status: res.status,
    body: (await res.json()) as { code?: string; details?: { field: string; limit: number } },
  };
}

it('unifies and routes a message at every cap, and answers 413 with the field one byte over', async () => {
  const atLimit = {
    fullText: message({ fullText: quotes(FULL_TEXT_MAX_BYTES), sender: sender() }),
    text: message({ text: quotes(TEXT_MAX_BYTES), sender: sender() }),
    message: padTo(
      message({ fullText: quotes(FULL_TEXT_MAX_BYTES), text: quotes(TEXT_MAX_BYTES), sender: sender() }),
      MESSAGE_MAX_BYTES,
    ),
  };
  for (const body of Object.values(atLimit)) expect((await post(body)).status).toBe(202);

  const externalIds = Object.values(atLimit).map((m) => m['externalId'] as string);
  const unified = await waitFor(
    () => {
      const found = externalIds.map((id) =>
        p.customers.find((r) => (r.event.data as { message?: { externalId?: string } }).message?.externalId === id),
      );
      return found.every(Boolean) ? found : undefined;
    },
    {
      timeoutMs: 60_000,
      what: () => `three unified events (have ${p.customers.length}, dead letters ${p.dlq.length})`,
    },
  );
  // The largest unified event is the message at MESSAGE_MAX_BYTES plus its customer: still under the limit.
  const sizes = unified.map((r) => Buffer.byteLength(JSON.stringify(r!.event)));
  console.log(`[intake-limits] unified event bytes at each cap: ${sizes.join(', ')} (limit ${MAX_RECORD_BYTES})`);
  expect(Math.max(...sizes)).toBeGreaterThan(MESSAGE_MAX_BYTES);
  expect(Math.max(...sizes)).toBeLessThan(MAX_RECORD_BYTES);
  const conversations = unified.map((r) => (r!.event.data as { conversation: { id: string } }).conversation.id);
  await waitFor(
    () =>
      conversations.every((id) =>
        p.routing.some(
          (r) =>
            (r.event.data as { conversationId?: string }).conversationId === id &&
            ['kanal.conversation.assigned.v1', 'kanal.conversation.updated.v1'].includes(r.event.type),
        ),
      ),
    { timeoutMs: 60_000, what: () => `each conversation routed (routing events: ${p.routing.length})` },
  );
  expect(p.dlq.map((r) => (r.event.data as { code: string }).code)).toEqual([]);

  const over = [
    [message({ fullText: `${quotes(FULL_TEXT_MAX_BYTES)}x`, sender: sender() }), 'fullText', FULL_TEXT_MAX_BYTES],
    [message({ text: `${quotes(TEXT_MAX_BYTES)}x`, sender: sender() }), 'text', TEXT_MAX_BYTES],
    [{ ...atLimit.message, externalId: `m-${randomUUID()}y` }, '(root)', MESSAGE_MAX_BYTES],
  ] as const;
  for (const [body, field, limit] of over) {
    const answer = await post(body);
    expect([answer.status, answer.body.details]).toEqual([413, expect.objectContaining({ field, limit })]);
  }
}, 120_000);
