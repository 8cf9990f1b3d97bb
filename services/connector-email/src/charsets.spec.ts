import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parseEvent, type MessageData } from '@kanal/contracts';
import { normalizeImap } from './normalize-eml';

const blobDir = mkdtempSync(join(tmpdir(), 'email-charsets-'));
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));

async function normalize(fixture: string): Promise<MessageData> {
  const [event, ...rest] = await normalizeImap(readFileSync(join(import.meta.dirname, '__fixtures__', fixture)), {
    BLOB_DIR: blobDir,
    EMAIL_ACCOUNT_ID: 'support@example.test',
  });
  expect(rest).toEqual([]);
  expect(event!.type).toBe('kanal.message.received.v1');
  expect(parseEvent(JSON.parse(JSON.stringify(event))).ok).toBe(true);
  return event!.data as MessageData;
}

describe('bodies and encoded-word headers in legacy charsets decode to the letters the customer typed', () => {
  it.each([
    ['charset-iso-2022-jp.eml', '山田 太郎', 'ご注文について', '注文番号 A-1042 の商品がまだ届いていません。'],
    ['charset-shift-jis.eml', '佐藤 花子', '返品の依頼', '返品をお願いできますか？'],
    ['charset-euc-kr.eml', '김민수', '주문 문의', '주문한 상품이 아직 도착하지 않았습니다.'],
    // Outlook's Korean label; 똠 exists only in CP949, the superset the label really means.
    ['charset-ks-c-5601-1987.eml', '이똠', '환불 요청', '환불을 요청합니다. 똠방각하.'],
    ['charset-windows-1250.eml', 'Zofia Wójcik', 'Zamówienie nr 1042 – reklamacja', 'Zażółć gęślą jaźń.'],
    ['charset-windows-1251.eml', 'Иван Петров', 'Где мой заказ?', 'Мой заказ № 1042 до сих пор не доставлен.'],
    [
      'charset-windows-1252.eml',
      'François Müller',
      'Commande « 1042 » – remboursement',
      'Remboursement de 12 € s’il vous plaît.\n„Grüße“ aus Köln.',
    ],
    [
      'charset-windows-1254.eml',
      'Gülşen Çağlar',
      'Ödeme iadesi – sipariş 1042',
      'ödememin iadesini hâlâ alamadım. “Acil” dönüş bekliyorum… Teşekkürler.',
    ],
    ['charset-windows-1256.eml', 'أحمد علي', 'أين طلبي؟', 'لم يصل طلبي رقم 1042 بعد. شكرا.'],
  ])('%s', async (fixture, name, subject, text) => {
    const data = await normalize(fixture);
    expect(data.sender.displayName).toBe(name);
    expect(data.subject).toBe(subject);
    expect(data.text).toContain(text);
    // Correctly labelled mail needs no fallback, and nothing was replaced on the way.
    expect(data.flags?.charsetFallback).toBeUndefined();
    expect(`${data.subject}${data.fullText}`).not.toContain('\uFFFD');
  });
});

describe('unknown and mislabelled charsets decode with the fallback and say so', () => {
  it('a body labelled UTF-8 but written in windows-1254, a raw 8-bit Subject and a UTF-8 encoded word with 1254 bytes', async () => {
    const data = await normalize('mislabelled-utf8-windows-1254.eml');
    expect(data.sender.displayName).toBe('Şükrü Öz');
    expect(data.subject).toBe('Sipariş iadesi');
    expect(data.text).toBe('Merhaba,\nsiparişim gelmedi, iade istiyorum.');
    expect(data.flags?.charsetFallback).toBe(true);
  });

  it('an 8-bit body without any Content-Type (RFC 822 mail)', async () => {
    const data = await normalize('no-charset-8bit.eml');
    expect(data.text).toBe('Kargom nerede? Çok bekledim, lütfen yardımcı olun.');
    expect(data.flags?.charsetFallback).toBe(true);
  });

  it('bad encoded words keep the readable part of the subject and the message', async () => {
    const data = await normalize('bad-encoded-words.eml');
    expect(data.sender).toEqual({
      displayName: 'Müşteri',
      identities: [{ type: 'email', value: 'musteri@example.com' }],
    });
    expect(data.subject).toMatch(/^Yarım kalan/);
    expect(data.subject).toContain('=?utf-8?Q?unterminated');
    expect(data.text).toBe('Başlık bozuk ama metin sağlam.');
    expect(data.flags?.charsetFallback).toBe(true); // `bogus-charset` was decoded with the fallback
  });

  it('UTF-8 with a few damaged bytes stays UTF-8 (broken quoted-printable is not a windows-1254 message)', async () => {
    const data = await normalize('torture-broken-quoted-printable.eml');
    expect(data.text).toMatch(/^Sipariş =ZZ numarası 1042, tutar 100€ ve sonda tek bir e/);
  });
});
