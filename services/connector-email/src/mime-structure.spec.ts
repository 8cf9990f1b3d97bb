import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { FsBlobStore } from '@kanal/blob-store';
import { parseEvent, type MessageData } from '@kanal/contracts';
import { normalizeImap } from './normalize-eml';

const blobDir = mkdtempSync(join(tmpdir(), 'email-structure-'));
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));

async function normalize(fixture: string): Promise<MessageData> {
  const events = await normalizeImap(readFileSync(join(import.meta.dirname, '__fixtures__', fixture)), {
    BLOB_DIR: blobDir,
    EMAIL_ACCOUNT_ID: 'support@example.test',
  });
  expect(events.map((e) => e.type)).toEqual(['kanal.message.received.v1']);
  expect(parseEvent(JSON.parse(JSON.stringify(events[0]))).ok).toBe(true);
  return events[0]!.data as MessageData;
}

describe('attached messages and reports', () => {
  it('a forwarded message/rfc822 is an attachment; its own From never becomes the sender', async () => {
    const data = await normalize('forwarded-rfc822-attachment.eml');
    expect(data.sender.identities).toEqual([{ type: 'email', value: 'ali@example.com' }]);
    expect(data.text).toBe('Bu e-posta size mi ait? Bana şüpheli geldi.');
    expect(data.fullText).not.toContain('tıklayın');
    expect(data.attachments).toEqual([
      expect.objectContaining({
        kind: 'other',
        mimeType: 'message/rfc822',
        name: 'message.eml',
        blobRef: expect.any(String),
      }),
    ]);
    const stored = await new FsBlobStore(blobDir).get(data.attachments[0]!.blobRef!);
    expect((await stored.toArray()).join('')).toContain('From: Kanal Destek <billing@phish.example>');
    expect(data.flags).toEqual({ forwarded: true });
  });

  it('a DSN for several recipients is a bounce message naming the bounced message', async () => {
    const data = await normalize('dsn-multiple-recipients.eml');
    expect(data.flags).toEqual({ bounce: true, noAutoAck: true });
    expect(data.target).toEqual({ externalId: 'campaign-7@example.test' });
    expect(data.sender).toEqual({ displayName: 'Mail Delivery Subsystem', identities: [] });
    expect(data.text).toContain('mehmet@example.net');
    expect(data.attachments.map((a) => a.name)).toEqual(['delivery-status.txt', 'message.eml']);
  });

  it('an ARF feedback report is a message from a mail system about our campaign, never a customer', async () => {
    const data = await normalize('arf-feedback-report.eml');
    expect(data.flags).toEqual({ feedbackReport: true, noAutoAck: true });
    expect(data.target).toEqual({ externalId: 'campaign-8@example.test' });
    expect(data.sender.identities).toEqual([]);
    expect(data.attachments.map((a) => [a.mimeType, a.name])).toEqual([
      ['message/feedback-report', 'feedback-report.txt'],
      ['text/rfc822-headers', 'headers.txt'],
    ]);
  });
});

describe('parts without a name get one from their type', () => {
  it('a calendar invite whose text/calendar part has no name is invite.ics', async () => {
    const data = await normalize('calendar-invite-unnamed.eml');
    expect(data.flags).toEqual({ calendarInvite: true });
    expect(data.attachments).toEqual([
      expect.objectContaining({ mimeType: 'text/calendar', name: 'invite.ics', blobRef: expect.any(String) }),
    ]);
  });

  it('pdf, jpeg, xlsx, octet-stream and csv parts without names', async () => {
    const data = await normalize('unnamed-parts.eml');
    expect(data.attachments.map((a) => a.name)).toEqual([
      'attachment.pdf',
      'image.jpg',
      'attachment.xlsx',
      'attachment.bin',
      'attachment.csv',
    ]);
  });
});

describe('MIME torture', () => {
  it('40 levels of nested multiparts', async () => {
    expect((await normalize('torture-deep-nesting.eml')).text).toBe('En içteki metin.');
  });

  it('a declared boundary that never comes: the raw body is the text, flagged', async () => {
    const data = await normalize('torture-missing-boundaries.eml');
    expect(data.text).toContain('Sınır hiç gelmiyor ama metin burada.');
    expect(data.text).toContain('Bu parçanın sınırı yok.');
    expect(data.flags).toEqual({ structureFallback: true });
  });

  it('a multipart cut off before its closing boundary keeps the text and the partial attachment', async () => {
    const data = await normalize('torture-unclosed-multipart.eml');
    expect(data.text).toBe('Mesajın sonu kesildi.');
    expect(data.attachments).toEqual([expect.objectContaining({ name: 'yarim.pdf', size: 21 })]);
  });

  it('broken base64 keeps what decodes, and the broken image part', async () => {
    const data = await normalize('torture-broken-base64.eml');
    expect(data.text).toMatch(/^Merhaba, siparişim nerede\?/);
    expect(data.attachments).toEqual([expect.objectContaining({ kind: 'image', name: 'bozuk.png' })]);
  });

  it('a message with headers only (not even the blank line) is a message without text', async () => {
    const data = await normalize('headers-only.eml');
    expect(data).toMatchObject({ subject: 'Boş mesaj', occurredAt: '2025-11-25T13:35:00.000Z', attachments: [] });
    expect(data.text).toBeUndefined();
    expect(data.flags).toBeUndefined();
  });
});

describe('HTML-only mail', () => {
  it('headings and table headers keep the author’s case; cells stay apart', async () => {
    const data = await normalize('html-only-headings.eml');
    expect(data.text).toBe('Sipariş İptali\n\n\nÖzet\n\nLütfen siparişimi iptal edin.\n\nÜrün    Adet\nKılıf   2');
  });

  it('HTML nested too deep for the converter falls back to stripped tags, flagged', async () => {
    const data = await normalize('html-deep-nesting.eml');
    expect(data.text).toBe('Siparişim & faturam nerede?');
    expect(data.flags).toEqual({ htmlFallback: true });
  });
});
