import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { FsBlobStore } from '@kanal/blob-store';
import { parseEvent } from '@kanal/contracts';
import { mapMessage, type MapContext } from './map-message';
import { parseMail, type ParseOptions } from './mime/parse-mail';
import { MemoryThreadIndex } from './threading/thread-index';

const ACCOUNT = 'support@example.test';
const blobDir = mkdtempSync(join(tmpdir(), 'email-blobs-'));
const blobs = new FsBlobStore(blobDir);
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));
const limits: ParseOptions = { blobs, maxAttachmentBytes: 1_000_000, maxMessageBytes: 2_000_000, fallbackCharset: 'windows-1254' };

async function normalize(fixture: string, ctx: Partial<MapContext> = {}, options: Partial<ParseOptions> = {}) {
  const mail = await parseMail(readFileSync(join(import.meta.dirname, '__fixtures__', fixture)), { ...limits, ...options });
  const { event, entry } = await mapMessage(mail, {
    account: ACCOUNT,
    preferReplyTo: false,
    receivedAt: new Date('2025-12-01T00:00:00Z'),
    threads: new MemoryThreadIndex(),
    threadWindowDays: 14,
    ...ctx,
  });
  expect(parseEvent(JSON.parse(JSON.stringify(event))).ok).toBe(true);
  return { event, data: event.data, entry };
}

describe('Turkish mail', () => {
  it('decodes ISO-8859-9 as windows-1254 and strips the Gmail-TR attribution and iPhone footer', async () => {
    const { data, event } = await normalize('gmail-tr-reply-iso-8859-9.eml');
    expect(data.sender).toEqual({ displayName: 'Şule Yılmaz', identities: [{ type: 'email', value: 'sule@example.com' }] });
    expect(data.subject).toBe('YNT: İade talebi');
    expect(data.text).toBe('Siparişim hasarlı geldi. “Acil” dönüş bekliyorum.');
    expect(data.fullText).toContain('tarihinde şunu yazdı:');
    expect(data.conversationRef).toBe('CAF-root-1@mail.gmail.com');
    expect(data.email).toEqual({ messageId: 'CAF-reply-1@mail.gmail.com', inReplyTo: 'out-1@example.test', references: ['CAF-root-1@mail.gmail.com', 'out-1@example.test'] });
    expect(event.subject).toBe('email:support@example.test:CAF-root-1@mail.gmail.com');
    expect(data.occurredAt).toBe('2025-11-17T11:05:00.000Z');
  });

  it('strips an Outlook Turkish Kimden:/Gönderildi: block from a base64 windows-1254 body', async () => {
    const { data } = await normalize('outlook-tr-windows-1254.eml');
    expect(data.sender.displayName).toBe('Ayşe Öztürk');
    expect(data.text).toBe('Merhaba,\n\nFaturamı hâlâ alamadım. Lütfen kontrol eder misiniz?\n\nSaygılarımla\nAyşe Öztürk');
    expect(data.fullText).toContain('Gönderildi: 17 Kasım 2025');
  });

  it('decodes an unknown-8bit body with the fallback charset and flags it instead of emitting U+FFFD', async () => {
    const { data } = await normalize('unknown-8bit-charset.eml');
    expect(data.text).toBe('Şikayetim var: ürün ağır hasarlı, iade istiyorum.');
    expect(data.flags?.charsetFallback).toBe(true);
  });
});

describe('quotes and signatures in other languages', () => {
  it('English: "On … wrote:" split over two lines, "--" signature, "Sent from my iPhone"', async () => {
    const { data } = await normalize('english-reply-signature.eml');
    expect(data.text).toBe('Thanks, the parcel arrived damaged though.');
    expect(data.sender.identities[0]!.value).toBe('john.smith+shop@example.com');
  });

  it('German: "Am … schrieb …:" and "Von meinem iPhone gesendet"', async () => {
    const { data } = await normalize('german-reply.eml');
    expect(data.text).toBe('Die Lieferung ist noch nicht da.');
    expect(data.sender.displayName).toBe('Jürgen Müller');
    expect(data.conversationRef).toBe('de-root-1@example.test');
  });
});

describe('MIME structure', () => {
  it('turns HTML-only mail into readable text without the Gmail quote and keeps the cid: image inline', async () => {
    const { data } = await normalize('html-only-inline-image.eml');
    expect(data.text).toBe('Kargom hâlâ gelmedi.\n\nEkran görüntüsü:');
    expect(data.fullText).toContain('Kargonuz yolda.');
    expect(data.attachments).toEqual([
      expect.objectContaining({ kind: 'image', mimeType: 'image/png', name: 'ekran.png', inline: true, contentId: 'shot1@example', blobRef: expect.stringMatching(/^blob:sha256\//) }),
    ]);
  });

  it('decodes RFC 2231 continuations and RFC 2047 words inside quoted filenames; attachments carry blobRef, size, sha256', async () => {
    const { data } = await normalize('attachment-rfc2231-filenames.eml');
    const names = data.attachments.map((a) => a.name).sort();
    expect(names).toEqual(['ödeme belgesi İstanbul.pdf', 'şikayet dilekçesi.pdf']);
    for (const a of data.attachments) {
      expect(a).toEqual(expect.objectContaining({ kind: 'document', mimeType: 'application/pdf', size: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }));
      expect(await blobs.has(a.blobRef!)).toBe(true);
    }
  });

  it('keeps a calendar invite once (alternative part and .ics attachment are the same bytes) and flags it', async () => {
    const { data } = await normalize('calendar-invite.eml');
    expect(data.flags?.calendarInvite).toBe(true);
    expect(data.attachments).toHaveLength(1);
    expect(data.text).toBe('Toplantiya davetlisiniz.');
  });

  it('stores nothing over the attachment cap but still describes the part and flags the message', async () => {
    const { data } = await normalize('attachment-rfc2231-filenames.eml', {}, { maxAttachmentBytes: 10 });
    expect(data.flags?.oversize).toBe(true);
    expect(data.attachments.every((a) => a.blobRef === undefined && (a.size ?? 0) > 10)).toBe(true);
  });

  it('falls back to INTERNALDATE on a malformed Date (never to now) and flags it', async () => {
    const internalDate = new Date('2025-11-24T07:00:05Z');
    expect((await normalize('malformed-date.eml', { internalDate })).data).toMatchObject({ occurredAt: '2025-11-24T07:00:05.000Z', flags: { dateFallback: true } });
    // Without a server date (a bare .eml) the newest Received hop is the arrival time.
    expect((await normalize('malformed-date.eml')).data.occurredAt).toBe('2025-11-24T07:00:00.000Z');
  });
});

describe('classification', () => {
  it.each([
    ['auto-reply-tr.eml', { autoReply: true, noAutoAck: true }],
    ['out-of-office-en.eml', { autoReply: true, noAutoAck: true }],
    ['list-mail.eml', { bulk: true, noAutoAck: true }],
  ])('%s is flagged and still published', async (fixture, flags) => {
    expect((await normalize(fixture)).data.flags).toEqual(flags);
  });

  it('a DSN bounce names the bounced message and gives the mail system no identity', async () => {
    const { data } = await normalize('bounce-dsn.eml');
    expect(data.flags).toEqual({ bounce: true, noAutoAck: true });
    expect(data.target).toEqual({ externalId: 'out-42@example.test' });
    expect(data.sender.identities).toEqual([]);
  });

  it('ordinary customer mail carries no flags', async () => {
    expect((await normalize('german-reply.eml')).data.flags).toBeUndefined();
  });
});

describe('threading and direction', () => {
  it('follows In-Reply-To to the known root of its parent', async () => {
    const threads = new MemoryThreadIndex();
    threads.remember(ACCOUNT, { messageId: 'out-2@example.test', root: 'thread-root@example.org', baseSubject: 'fatura talebi', sender: ACCOUNT, occurredAt: new Date('2025-11-17T09:00:00Z') });
    const { data } = await normalize('outlook-tr-windows-1254.eml', { threads });
    expect(data.conversationRef).toBe('thread-root@example.org');
    expect(data.email!.references).toEqual(['thread-root@example.org', 'out-2@example.test']);
  });

  it('falls back to a flagged subject match (YNT: stripped, same sender, inside the window) and a synthetic id', async () => {
    const threads = new MemoryThreadIndex();
    const earlier = { messageId: 'sip-1@example.org', root: 'sip-1@example.org', baseSubject: 'sipariş durumu', sender: 'ayse@example.org' };
    threads.remember(ACCOUNT, { ...earlier, occurredAt: new Date('2025-11-20T09:00:00Z') });
    const first = await normalize('no-message-id-subject-reply.eml', { threads });
    expect(first.data.conversationRef).toBe('sip-1@example.org');
    expect(first.data.flags).toEqual({ threadGuessed: true, syntheticId: true });
    expect(first.data.externalId).toMatch(/^[0-9a-f]{40}@synthetic\.kanal$/);
    expect((await normalize('no-message-id-subject-reply.eml', { threads })).event.id).toBe(first.event.id);

    const stale = new MemoryThreadIndex();
    stale.remember(ACCOUNT, { ...earlier, occurredAt: new Date('2025-10-01T09:00:00Z') });
    expect((await normalize('no-message-id-subject-reply.eml', { threads: stale })).data.flags?.threadGuessed).toBeUndefined();
  });

  it('flags İLT: forwards and cuts the Turkish "Özgün İleti" block', async () => {
    const { data } = await normalize('forward-ilt.eml');
    expect(data.flags).toEqual({ forwarded: true });
    expect(data.text).toBe('Asagidaki mesaji iletiyorum.');
  });

  it('mail from the mailbox itself is an outbound echo', async () => {
    const { event, data } = await normalize('outbound-from-mailbox.eml');
    expect(event.type).toBe('kanal.message.sent.v1');
    expect(data.direction).toBe('outbound');
    expect(data.recipient).toEqual({ displayName: 'Ayse', identities: [{ type: 'email', value: 'ayse@example.org' }] });
  });

  it('uses Reply-To as the customer only when configured', async () => {
    expect((await normalize('reply-to-differs.eml')).data.sender.identities[0]!.value).toBe('forms@shop.example');
    const { data } = await normalize('reply-to-differs.eml', { preferReplyTo: true });
    expect(data.sender).toEqual({ displayName: 'Gül Demir', identities: [{ type: 'email', value: 'gul.demir@example.com' }] });
  });
});
