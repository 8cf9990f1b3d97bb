import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import type { MessageData } from '@kanal/contracts';
import { normalizeImap } from './normalize-eml';

const blobDir = mkdtempSync(join(tmpdir(), 'email-replies-'));
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));

it.each([
  ['russian-reply-wrapped.eml', 'Спасибо, но посылка так и не пришла.', 'ru-out-1@example.test'],
  ['gmail-en-wrapped-attribution.eml', 'Still no refund on my card.', 'refund-out-1@example.test'],
  ['yahoo-reply.eml', 'The box was empty.', 'yahoo-out-1@example.test'],
  ['bottom-posting.eml', 'Here it is, attached. The corner is crushed.', 'ticket-77@example.test'],
])('%s: text is the new part, fullText keeps the quote, the thread still resolves', async (fixture, text, root) => {
  const [event] = await normalizeImap(readFileSync(join(import.meta.dirname, '__fixtures__', fixture)), {
    BLOB_DIR: blobDir,
    EMAIL_ACCOUNT_ID: 'support@example.test',
  });
  const data = event!.data as MessageData;
  expect(data.text).toBe(text);
  expect(data.fullText!.length).toBeGreaterThan(text.length);
  expect(data.conversationRef).toBe(root);
  expect(data.email!.references).toContain(root);
});
