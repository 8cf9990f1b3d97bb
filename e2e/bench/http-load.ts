import { Agent, request } from 'node:http';
import { randomUUID } from 'node:crypto';

// A plain keep-alive agent: fetch (undici) costs the load generator several times the CPU per
// request, and the generator shares the two cores with what it measures.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export function postJson(url: string, token: string, payload: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const TEXTS = [
  'Merhaba, siparişim 3 gündür kargoda görünüyor, ne zaman gelir?',
  'Kartımdan iki kez çekildi, ödeme iadesi istiyorum',
  'Ürünü iade etmek istiyorum, iade kodu alabilir miyim?',
  'Hesabım çalındı, şifremi ben değiştirmedim!',
  'Where is my order? It was due yesterday.',
  'Merhaba',
];

/**
 * Bench person k: a phone, an email and a web chat visitor id (run-scoped). A message picks one
 * channel by k, and with `cross` also carries the next channel's identity (a cross-channel link).
 */
export function benchPerson(k: number, run: string, cross: boolean) {
  const phone = `+9053${String(10_000_000 + (k % 89_999_999)).padStart(8, '0')}`;
  const channels = [
    { channel: 'whatsapp', id: { type: 'phone', value: phone } },
    { channel: 'email', id: { type: 'email', value: `p${k}.${run}@example.com` } },
    { channel: 'webchat', id: { type: 'webchat', value: `shop:${run}-${k}` } },
  ];
  const pick = channels[k % 3]!;
  return { channel: pick.channel, identities: cross ? [pick.id, channels[(k + 1) % 3]!.id] : [pick.id] };
}

/**
 * Bench messages. Each one is a new person's first message (a new customer, hence a new
 * conversation), so the router answers every message with one `assigned` event and end-to-end
 * latency is defined for all of them. Channels rotate, 20% carry a second channel's identity (a
 * cross-channel link in the unifier) and texts rotate over the routing rules.
 */
export class MessageSource {
  private person = 0;
  private readonly run = randomUUID().slice(0, 8);

  next() {
    const k = this.person++;
    const { channel, identities } = benchPerson(k, this.run, k % 5 === 0);
    return {
      channel,
      accountId: 'bench',
      externalId: `b-${this.run}-${k}`,
      conversationRef: `${channel}-${this.run}-${k}`,
      occurredAt: new Date().toISOString(),
      sender: { identities },
      text: TEXTS[k % TEXTS.length]!,
    };
  }
}

/** One message: the inbound event id it was accepted as, its POST start (the latency clock) and 202. */
export interface Sent {
  id: string;
  at: number;
  acceptedAt: number;
}

export interface LoadOutcome {
  sent: Sent[];
  /** Messages answered with anything but 202 (not followed through the pipeline). */
  rejected: number;
  firstRejection?: string;
  /** performance.now() at the first POST start: the clock of the stage throughputs. */
  startedAt: number;
  /** From the first POST start to the last one. */
  sendSeconds: number;
  /** From the first POST start until every POST was answered. */
  acceptSeconds: number;
}

/** `POST /v1/messages` with one message (as an object) or several (as an array). */
export class MessageClient {
  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly source: MessageSource,
  ) {}

  /** Posts `count` fresh messages and records them in `out`; the clock starts before serialising. */
  async post(count: number, out: LoadOutcome): Promise<void> {
    const at = performance.now();
    const batch = Array.from({ length: count }, () => this.source.next());
    const res = await postJson(this.url, this.token, JSON.stringify(count === 1 ? batch[0] : batch));
    if (res.status !== 202) {
      out.rejected += count;
      out.firstRejection ??= `${res.status}: ${res.body.slice(0, 200)}`;
      return;
    }
    const acceptedAt = performance.now();
    for (const id of (JSON.parse(res.body) as { ids: string[] }).ids) out.sent.push({ id, at, acceptedAt });
  }
}

const emptyOutcome = (): LoadOutcome => ({
  sent: [],
  rejected: 0,
  startedAt: performance.now(),
  sendSeconds: 0,
  acceptSeconds: 0,
});

/**
 * Open-loop load: `rate` messages/s for `seconds`, `perPost` messages per POST, each POST started
 * on its schedule whether or not earlier ones were answered (a slow service does not slow the
 * offered load down, so queueing shows up in the latency instead of being hidden).
 */
export async function pacedLoad(
  client: MessageClient,
  { rate, seconds, perPost }: { rate: number; seconds: number; perPost: number },
): Promise<LoadOutcome> {
  const out = emptyOutcome();
  const posts = Math.max(1, Math.round((rate * seconds) / perPost));
  const intervalMs = (perPost * 1000) / rate;
  const inFlight: Promise<void>[] = [];
  const t0 = out.startedAt;
  for (let i = 0; i < posts; i++) {
    const wait = t0 + i * intervalMs - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(client.post(perPost, out));
  }
  // The last POST opens one interval: posts × interval is the span the offered load covered.
  out.sendSeconds = (performance.now() - t0 + intervalMs) / 1000;
  await Promise.all(inFlight);
  out.acceptSeconds = (performance.now() - t0) / 1000;
  return out;
}

/** Closed-loop saturation: `total` messages in POSTs of `perPost`, `clients` POSTs in flight at a time. */
export async function burstLoad(
  client: MessageClient,
  { total, perPost, clients }: { total: number; perPost: number; clients: number },
): Promise<LoadOutcome> {
  const out = emptyOutcome();
  let remaining = total;
  const t0 = out.startedAt;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (remaining > 0) {
        const count = Math.min(perPost, remaining);
        remaining -= count;
        await client.post(count, out);
      }
    }),
  );
  out.acceptSeconds = (performance.now() - t0) / 1000;
  out.sendSeconds = out.acceptSeconds;
  return out;
}
