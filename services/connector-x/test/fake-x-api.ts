import { createServer, type Server } from 'node:https';

/** One DM as the fake stores it; served in the v2 dm_events shape. */
export interface FakeDm {
  id: string;
  senderId: string;
  conversationId: string;
  text: string;
  createdAt: string;
}

/** An item served as given: for shapes the connector must not choke on. */
export interface RawDmEvent {
  id: string;
  raw: Record<string, unknown>;
}

export interface FakeRequest {
  status: number;
  query: URLSearchParams;
  authorization: string | undefined;
  /** `x-rate-limit-reset` sent with the answer (epoch seconds). */
  reset: number;
}

/**
 * A local HTTPS stand-in for `GET /2/dm_events`: newest first, `max_results` pages, an offset-based
 * `next_token` (so events arriving between two page requests shift the pages and make them overlap,
 * as on X), `x-rate-limit-*` headers, and scripted 429s.
 */
export class FakeXApi {
  private server!: Server;
  private dms: Array<FakeDm | RawDmEvent> = [];
  readonly requests: FakeRequest[] = [];
  /** Header values for the next responses; tests lower `remaining` to use up the window. */
  rateLimit = { limit: 15, remaining: 1_000, resetInSec: 900 };
  private scripted: Array<{ status: 429; resetInSec: number }> = [];
  /** Called after a page is computed and before it is sent (to add events "during" a run). */
  afterPage: ((token: string | null) => void) | undefined;

  constructor(private readonly tls: { key: string; cert: string; certFile: string }) {}

  /** The PEM the client must trust (X_API_CA_FILE). */
  get certFile(): string {
    return this.tls.certFile;
  }

  async start(): Promise<string> {
    this.server = createServer(this.tls, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const nowSec = Math.ceil(Date.now() / 1_000);
      const record = (status: number, reset = nowSec + this.rateLimit.resetInSec) =>
        this.requests.push({
          status,
          query: url.searchParams,
          authorization: req.headers.authorization,
          reset,
        });
      if (url.pathname !== '/2/dm_events') {
        record(404);
        return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"title":"Not Found"}');
      }
      const forced = this.scripted.shift();
      if (forced) {
        record(429, nowSec + forced.resetInSec);
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-rate-limit-limit': '15',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(nowSec + forced.resetInSec),
        });
        return void res.end(
          JSON.stringify({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }),
        );
      }
      record(200);
      const size = Number(url.searchParams.get('max_results') ?? 100);
      const token = url.searchParams.get('pagination_token');
      const offset = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
      if (!Number.isInteger(offset)) {
        record(400);
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({
            errors: [
              {
                parameters: { pagination_token: [token] },
                message: 'The `pagination_token` query parameter value is invalid',
              },
            ],
            title: 'Invalid Request',
            detail: 'One or more parameters to your request was invalid.',
            type: 'https://api.twitter.com/2/problems/invalid-request',
          }),
        );
      }
      const slice = this.dms.slice(offset, offset + size);
      const more = offset + size < this.dms.length;
      const body = {
        ...(slice.length ? { data: slice.map(toV2) } : {}),
        meta: {
          result_count: slice.length,
          ...(more ? { next_token: Buffer.from(String(offset + size)).toString('base64url') } : {}),
        },
      };
      this.afterPage?.(token);
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-rate-limit-limit': String(this.rateLimit.limit),
        'x-rate-limit-remaining': String(this.rateLimit.remaining),
        'x-rate-limit-reset': String(nowSec + this.rateLimit.resetInSec),
      });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as { port: number }).port}/`;
  }

  /** New DMs arrive: they go on top (X lists newest first). */
  add(...dms: Array<FakeDm | RawDmEvent>): void {
    this.dms = [...dms].sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1)).concat(this.dms);
  }

  answer429(resetInSec: number): void {
    this.scripted.push({ status: 429, resetInSec });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function toV2(dm: FakeDm | RawDmEvent) {
  if ('raw' in dm) return dm.raw;
  return {
    id: dm.id,
    event_type: 'MessageCreate',
    text: dm.text,
    sender_id: dm.senderId,
    dm_conversation_id: dm.conversationId,
    created_at: dm.createdAt,
  };
}
