import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { expect, it } from '@jest/globals';
import { CharsetGuard } from './charset-guard';

const raw = Buffer.from(
  'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain;\r\n charset="unknown-8bit"\r\n\r\ncharset=x-fake in the body\r\n--b\r\nContent-Type: text/plain; charset=ISO-8859-9\r\n\r\n\xfe\r\n--b--\r\n',
  'latin1',
);

it('rewrites unknown charset labels on header lines only, byte-exact elsewhere, across any chunking', async () => {
  for (const size of [1, 7, 64, raw.length]) {
    const chunks = [];
    for (let i = 0; i < raw.length; i += size) chunks.push(raw.subarray(i, i + size));
    const guard = new CharsetGuard('windows-1254');
    const out = (await buffer(Readable.from(chunks).pipe(guard))).toString('latin1');
    expect(out).toBe(raw.toString('latin1').replace('unknown-8bit', 'windows-1254'));
    expect(guard.replaced).toEqual(['unknown-8bit']);
  }
});
