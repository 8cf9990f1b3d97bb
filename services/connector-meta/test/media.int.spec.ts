import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { FsBlobStore } from '@kanal/blob-store';
import type { AttachmentStoredData, CloudEvent } from '@kanal/contracts';
import { waitFor } from '@kanal/testing';
import { IG_ACCOUNT, startHarness, WA_PHONE_ID, type Harness } from './harness';

const TOKEN = 'EAAG-test-access-token';
const dir = mkdtempSync(join(tmpdir(), 'connector-meta-media-'));
const IMAGE = Buffer.from('\xff\xd8\xff\xe0 fake jpeg bytes of a damaged parcel', 'latin1');
const STORY = Buffer.from('story mention video bytes');
const requests: string[] = [];
let graphFailuresLeft = 1;
let server: Server;
let h: Harness;

beforeAll(async () => {
  // A self-signed certificate the service trusts through META_GRAPH_CA_FILE (TLS is never switched off).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
    const base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
    // Shaped like the Graph API: GET /v21.0/<media-id> → JSON with a short-lived download URL.
    if (req.url === '/v21.0/1003383421387256') {
      if (graphFailuresLeft-- > 0) return void res.writeHead(500).end('{"error":{"message":"temporarily unavailable"}}');
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ messaging_product: 'whatsapp', url: `${base}/whatsapp_business/attachments/?mid=1003383421387256`, mime_type: 'image/jpeg', sha256: 'x', file_size: String(IMAGE.length), id: '1003383421387256' }));
    }
    if (req.url?.startsWith('/whatsapp_business/attachments/') && req.headers.authorization === `Bearer ${TOKEN}`) {
      return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(IMAGE);
    }
    if (req.url?.startsWith('/ig_messaging_cdn/')) return void res.writeHead(200, { 'content-type': 'video/mp4' }).end(STORY);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  h = await startHarness({
    META_MEDIA_ENABLED: 'true',
    META_ACCESS_TOKEN: TOKEN,
    META_GRAPH_BASE_URL: `https://127.0.0.1:${port}`,
    META_GRAPH_CA_FILE: join(dir, 'cert.pem'),
    META_MEDIA_RETRY_BASE_MS: '50',
    BLOB_DIR: join(dir, 'blobs'),
  });
}, 60_000);
afterAll(async () => {
  await h?.stop();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

const stored = () => h.seen.filter((e): e is CloudEvent<'kanal.attachment.stored.v1', AttachmentStoredData> => e.type === 'kanal.attachment.stored.v1');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

it('fetches Cloud API media by id through the Graph API after answering, retrying a failure', async () => {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '908505551234', phone_number_id: WA_PHONE_ID },
      contacts: [{ profile: { name: 'Ayse' }, wa_id: '905321234567' }],
      messages: [{ from: '905321234567', id: 'wamid.MEDIA-INT-1', timestamp: '1764050200', type: 'image',
        image: { caption: 'Hasarlı paket', mime_type: 'image/jpeg', sha256: 'k8uq=', id: '1003383421387256' } }],
    } }] }],
  });
  const res = await h.post('/webhooks/whatsapp', body);
  expect(res.status).toBe(200);
  const [event] = await waitFor(() => (stored().length ? stored() : undefined), { what: 'attachment.stored event' });
  const message = h.seen.find((e) => e.type === 'kanal.message.received.v1' && (e.data as { externalId: string }).externalId === 'wamid.MEDIA-INT-1')!;
  expect(event!.data).toMatchObject({
    target: { externalId: 'wamid.MEDIA-INT-1' },
    attachments: [{ index: 0, kind: 'image', mimeType: 'image/jpeg', sha256: sha(IMAGE), size: IMAGE.length, blobRef: `blob:sha256/${sha(IMAGE)}` }],
  });
  expect(event!.subject).toBe(message.subject);
  expect(await new FsBlobStore(join(dir, 'blobs')).has(`blob:sha256/${sha(IMAGE)}`)).toBe(true);
  // One refused lookup, one retried lookup, then the download with the token.
  expect(requests.filter((r) => r.startsWith('GET /v21.0/1003383421387256'))).toHaveLength(2);
  expect(requests.every((r) => r.endsWith(`Bearer ${TOKEN}`))).toBe(true);
  const metrics = await (await fetch(`${h.base}/metrics`)).text();
  expect(metrics).toMatch(/kanal_meta_media_total\{[^}]*outcome="retried"[^}]*\} 1/);
});

it('fetches Instagram CDN urls without sending the access token', async () => {
  const port = (server.address() as { port: number }).port;
  const body = JSON.stringify({
    object: 'instagram',
    entry: [{ id: IG_ACCOUNT, time: 1764051000123, messaging: [{ sender: { id: '1234567890123456' }, recipient: { id: IG_ACCOUNT }, timestamp: 1764051000004,
      message: { mid: 'aWdfMEDIAINT', attachments: [{ type: 'story_mention', payload: { url: `https://127.0.0.1:${port}/ig_messaging_cdn/?asset_id=mention1` } }] } }] }],
  });
  expect((await h.post('/webhooks/instagram', body)).status).toBe(200);
  const event = await waitFor(() => stored().find((e) => e.data.target.externalId === 'aWdfMEDIAINT'), { what: 'story mention stored' });
  expect(event.data.attachments).toEqual([{ index: 0, kind: 'story-mention', mimeType: 'video/mp4', sha256: sha(STORY), size: STORY.length, blobRef: `blob:sha256/${sha(STORY)}` }]);
  expect(requests.find((r) => r.startsWith('GET /ig_messaging_cdn/'))).toMatch(/ -$/);
});
