import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { CharsetGuard } from './charset-guard';
import { UTF8_OR_FALLBACK, looksSingleByte } from './utf8-or-fallback';

const MARK = UTF8_OR_FALLBACK;

async function guarded(raw: Buffer, size: number): Promise<{ out: string; guard: CharsetGuard }> {
  const chunks = [];
  for (let i = 0; i < raw.length; i += size) chunks.push(raw.subarray(i, i + size));
  const guard = new CharsetGuard('windows-1254');
  return { out: (await buffer(Readable.from(chunks).pipe(guard))).toString('latin1'), guard };
}

const multipart = Buffer.from(
  'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain;\r\n charset="unknown-8bit"\r\n\r\ncharset=x-fake in the body\r\n--b\r\nContent-Type: text/plain; charset=ISO-8859-9\r\n\r\n\xfe\r\n' +
    '--b\r\nContent-Type: application/octet-stream\r\n\r\n\xfe\xff charset=utf-8 \xfe\r\n--b--\r\n',
  'latin1',
);

describe('only header blocks are rewritten, whatever the chunking', () => {
  it.each([1, 7, 64, multipart.length])('chunks of %i bytes', async (size) => {
    const { out, guard } = await guarded(multipart, size);
    expect(out).toBe(multipart.toString('latin1').replace('unknown-8bit', 'windows-1254'));
    expect(guard.replaced).toEqual(['unknown-8bit']);
  });

  it('marks text parts labelled UTF-8/US-ASCII, or not labelled, for the checking decoder; bodies stay byte-exact', async () => {
    const raw = Buffer.from(
      'Subject: x\r\nContent-Type: multipart/alternative; boundary="a b"\r\n\r\npreamble\r\n--a b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\xfe\r\n--a b\r\n\r\nno header at all\r\n--a b\r\nContent-Type: text/html\r\n\r\n<p>\xfe</p>\r\n--a b--\r\nepilogue\r\n',
      'latin1',
    );
    const { out } = await guarded(raw, 5);
    expect(out).toContain(`Content-Type: text/plain; charset=${MARK}\r\n\r\n\xfe\r\n`);
    expect(out).toContain(`--a b\r\nContent-Type: text/plain; charset=${MARK}\r\n\r\nno header at all`);
    expect(out).toContain(`Content-Type: text/html; charset=${MARK}\r\n\r\n<p>\xfe</p>`);
    expect(out).toContain('\r\n\r\npreamble\r\n');
  });

  it('transcodes raw 8-bit header values and relabels encoded words that are not what they claim', async () => {
    const raw = Buffer.concat([
      Buffer.from('Subject: Sipari'),
      iconv.encode('ş', 'windows-1254'),
      Buffer.from(
        '\r\nFrom: =?utf-8?Q?=DE=FCkr=FC?= <s@example.com>\r\nTo: =?x-unknown?Q?a?= <t@example.com>\r\nCc: =?utf-8?Q?Ay=C5=9Fe?= <a@example.com>\r\n\r\nbody\r\n',
      ),
    ]);
    const { out, guard } = await guarded(raw, 3);
    const text = Buffer.from(out, 'latin1').toString('utf8');
    expect(text).toContain('Subject: Sipariş\r\n');
    expect(text).toContain('From: =?windows-1254?Q?=DE=FCkr=FC?= <s@example.com>');
    expect(text).toContain('To: =?windows-1254?Q?a?=');
    expect(text).toContain('Cc: =?utf-8?Q?Ay=C5=9Fe?='); // real UTF-8 stays as it is
    expect(guard.replaced).toEqual(['8bit-header', 'utf-8-word', 'x-unknown']);
    // The original lines, for the synthetic id's hash.
    expect(guard.restore.get('Subject: Sipari\u00c5\u009f')).toBe('Subject: Sipari\u00fe');
    expect(guard.restore.get(`Content-Type: text/plain; charset=${MARK}`)).toBeNull();
  });

  it('passes a header block too large for the parser on untouched', async () => {
    const raw = Buffer.from(`Subject: ${'a'.repeat(3 * 1024 * 1024)}\r\nFrom: =?x-unknown?Q?a?=\r\n\r\nbody\r\n`);
    const { out, guard } = await guarded(raw, 64 * 1024);
    expect(out).toBe(raw.toString('latin1'));
    expect(guard.replaced).toEqual([]);
  });
});

it('tells single-byte text from damaged UTF-8', () => {
  expect(looksSingleByte(iconv.encode('Siparişim gelmedi', 'windows-1254'))).toBe(true);
  expect(looksSingleByte(Buffer.concat([Buffer.from('Siparişim '), Buffer.from([0xc5])]))).toBe(false);
  expect(looksSingleByte(Buffer.from('plain ascii'))).toBe(false);
});
