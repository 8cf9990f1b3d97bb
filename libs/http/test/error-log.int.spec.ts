import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, createMetrics } from '@kanal/observability';
import { waitFor } from '@kanal/testing';
import { HttpError } from '../src/http-error';
import { createHttpApp, listen } from '../src/ops-server';

/**
 * A 500 is logged with the route it matched, never the raw path: paths carry identity values
 * (`/v1/identities/email/ayse@example.com`), and so do the messages of the errors they cause.
 */
const lines: string[] = [];
let base = '';
let close: () => Promise<void>;

beforeAll(async () => {
  const app = createHttpApp({
    service: 'http-log-test',
    registry: createMetrics('http-log-test').registry,
    logger: createLogger({ service: 'http-log-test', destination: { write: (line: string) => void lines.push(line) } }),
    readiness: [],
    routes: (a) => {
      a.get('/v1/identities/:type/:value', (req) => {
        throw new Error(`lookup of ${req.params.type} ${req.params.value} failed`);
      });
      a.get('/v1/customers/:id/outage', (req) => {
        throw new HttpError(503, 'TEST.DOWN', `store down while reading ${req.params.id}`);
      });
      // A middleware that fails before any route matched.
      a.use('/v1/broken', () => {
        throw new Error('middleware failed for +905321234567');
      });
    },
  });
  const server = await listen(app, 0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  close = server.close;
});
afterAll(() => close());

/** The log lines written for requests to `path`'s distinctive part, parsed. */
async function logOf(status: number, path: string, marker: string) {
  const before = lines.length;
  const res = await fetch(`${base}${path}`);
  expect(res.status).toBe(status);
  const line = await waitFor(() => lines.slice(before).find((l) => l.includes(marker)), {
    what: `the log line of ${path}`,
  });
  return { res, line, entry: JSON.parse(line) as Record<string, unknown> };
}

describe('error logs', () => {
  it('logs an unexpected 500 with the route template, without the email in the path or the message', async () => {
    const { res, line, entry } = await logOf(500, '/v1/identities/email/ayse@example.com', 'unhandled error');
    expect(await res.json()).toEqual({ code: 'HTTP.INTERNAL', message: 'internal error' });
    expect(entry).toMatchObject({ level: 'error', route: '/v1/identities/:type/:value' });
    expect(line).not.toContain('ayse@example.com');
    expect(line).not.toContain('ayse%40example.com');
    expect((entry.err as { message: string }).message).toBe('lookup of email [email] failed');
  });

  it('logs a phone number in the path as the template too', async () => {
    const { line, entry } = await logOf(500, '/v1/identities/phone/+905321234567', 'unhandled error');
    expect(entry.route).toBe('/v1/identities/:type/:value');
    expect(line).not.toContain('905321234567');
  });

  it('logs a 5xx HttpError with the route template and a masked message', async () => {
    const { res, line, entry } = await logOf(503, '/v1/customers/ayse@example.com/outage', 'TEST.DOWN');
    expect(await res.json()).toMatchObject({ code: 'TEST.DOWN' });
    expect(entry).toMatchObject({ route: '/v1/customers/:id/outage', code: 'TEST.DOWN' });
    expect(line).not.toContain('ayse@example.com');
  });

  it('logs "(unmatched)" when the error came before any route matched', async () => {
    const { line, entry } = await logOf(500, '/v1/broken/ayse@example.com', 'unhandled error');
    expect(entry.route).toBe('(unmatched)');
    expect(line).not.toContain('ayse@example.com');
    expect(line).not.toContain('905321234567');
  });
});
