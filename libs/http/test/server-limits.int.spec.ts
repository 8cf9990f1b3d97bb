import { connect, type Socket } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { httpEnv, httpListener } from '@kanal/config';
import { createLogger, createMetrics } from '@kanal/observability';
import { waitFor } from '@kanal/testing';
import { createHttpApp, listen } from '../src/ops-server';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../src/server-limits';

/**
 * The limits against a real listener and raw sockets: a client that trickles its headers or its
 * body is answered 408 and cut off once the timeout passes, connections beyond the cap are closed
 * at once, and a slow handler (the request itself fully received) is never cut.
 */
const opened: Array<{ close: () => Promise<void> }> = [];
const sockets: Socket[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of sockets.splice(0)) s.destroy();
  for (const o of opened.splice(0)) await o.close();
});

let bodiesSeen = 0;

async function start(limits: Partial<ServerLimits>, routes?: (app: express.Express) => void) {
  const app = createHttpApp({
    service: 'http-limits-test',
    registry: createMetrics('http-limits-test').registry,
    logger: createLogger({ service: 'http-limits-test', level: 'silent' }),
    readiness: [],
    routes: (a) => {
      a.post('/v1/echo', express.json(), (req, res) => {
        bodiesSeen += 1;
        res.json(req.body);
      });
      routes?.(a);
    },
  });
  const http = await listen(app, 0, '127.0.0.1', limits);
  opened.push(http);
  return { ...http, port: (http.server.address() as { port: number }).port };
}

/** A raw client: what the server sent and whether (and when) it closed the connection. */
async function rawClient(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  const state = { data: '', closedAt: undefined as number | undefined };
  socket.on('data', (chunk: Buffer) => (state.data += chunk.toString('latin1')));
  socket.on('close', () => (state.closedAt = Date.now()));
  socket.on('error', () => undefined); // a reset is one of the ways to be cut off
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, state };
}

/** Writes one byte of `text` per interval, like a slowloris client. */
function trickle(socket: Socket, text: string, everyMs: number) {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.writable && i < text.length) socket.write(text[i++]!);
  }, everyMs);
  timers.push(timer);
}

describe('HTTP server limits', () => {
  it('answers 408 and closes the connection of a slow body once the request timeout passes', async () => {
    const requestTimeoutMs = 2_000;
    const { port } = await start({ headersTimeoutMs: 1_000, requestTimeoutMs });
    const before = bodiesSeen;
    const { socket, state } = await rawClient(port);
    const startedAt = Date.now();
    const body = JSON.stringify({ pad: 'x'.repeat(40) });
    socket.write(
      `POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    trickle(socket, body, 1_000); // one byte a second: 40+ s for the whole body
    // The server checks every timeout/4 (at most 1 s): allow that plus scheduling slack.
    await waitFor(() => state.closedAt, {
      what: 'the server to close the slow connection',
      timeoutMs: requestTimeoutMs + 3_000,
    });
    const elapsed = state.closedAt! - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(requestTimeoutMs - 100);
    expect(state.data).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodiesSeen).toBe(before); // the handler never ran on a partial body
  });

  it('answers 408 and closes the connection of headers sent one byte at a time', async () => {
    const headersTimeoutMs = 1_000;
    const { port } = await start({ headersTimeoutMs, requestTimeoutMs: 5_000 });
    const { socket, state } = await rawClient(port);
    const startedAt = Date.now();
    socket.write('GET /health/live HTTP/1.1\r\nHost: t\r\n');
    trickle(socket, 'X-Slow: abcdefghijklmnopqrstuvwxyz\r\n\r\n', 1_000);
    await waitFor(() => state.closedAt, { what: 'the server to close the slow-headers connection', timeoutMs: 5_000 });
    expect(state.closedAt! - startedAt).toBeLessThan(headersTimeoutMs + 2_000);
    expect(state.data).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('never cuts a request that arrived whole, however long its handler takes', async () => {
    const requestTimeoutMs = 500;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { port } = await start({ headersTimeoutMs: 500, requestTimeoutMs }, (a) =>
      a.get('/v1/slow', async (_req, res) => {
        await gate;
        res.json({ done: true });
      }),
    );
    const startedAt = Date.now();
    const answer = fetch(`http://127.0.0.1:${port}/v1/slow`);
    // The handler is held until well past the request timeout and its check interval.
    await waitFor(() => Date.now() - startedAt > requestTimeoutMs * 3, { what: 'three request timeouts to pass' });
    release();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
  });

  it('closes connections beyond maxConnections at once and serves the ones within it', async () => {
    const { port, server } = await start({ maxConnections: 2 });
    const first = await rawClient(port);
    const second = await rawClient(port);
    const connections = () =>
      new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
    await waitFor(async () => (await connections()) === 2, { what: 'two open connections' });
    const third = await rawClient(port);
    await waitFor(() => third.state.closedAt, { what: 'the connection over the cap to be closed' });
    expect(third.state.data).toBe('');
    // The two within the cap still work.
    first.socket.write('GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n');
    await waitFor(() => first.state.data.includes('"status":"ok"'), {
      what: 'an answer on a connection within the cap',
    });
    expect(first.state.data).toMatch(/^HTTP\/1\.1 200 /);
    expect(second.state.closedAt).toBeUndefined();
  });

  it('applies the defaults when no limits are given', async () => {
    const { server } = await start({});
    expect({
      headersTimeoutMs: server.headersTimeout,
      requestTimeoutMs: server.requestTimeout,
      keepAliveTimeoutMs: server.keepAliveTimeout,
      maxConnections: server.maxConnections,
    }).toEqual(DEFAULT_SERVER_LIMITS);
    expect(DEFAULT_SERVER_LIMITS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 1_024,
    });
  });
});

describe('HTTP server limits from env', () => {
  const schema = z.object(httpEnv);
  const limits = (env: Record<string, string>) => httpListener(schema.parse({ PORT: '1', ...env })).limits;

  it('defaults every variable to the server defaults and reads overrides', () => {
    expect(limits({})).toEqual(DEFAULT_SERVER_LIMITS);
    expect(
      limits({
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '4000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000',
        HTTP_MAX_CONNECTIONS: '64',
      }),
    ).toEqual({ headersTimeoutMs: 2_000, requestTimeoutMs: 4_000, keepAliveTimeoutMs: 5_000, maxConnections: 64 });
  });

  it('names the variable that is wrong', () => {
    const paths = (env: Record<string, string>) => {
      const r = schema.safeParse({ PORT: '1', ...env });
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(() => limits({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' })).toThrow(
      expect.objectContaining({ code: 'CONFIG.INVALID', variables: ['HTTP_HEADERS_TIMEOUT_MS'] }),
    );
    expect(paths({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '0' })).toEqual(['HTTP_KEEP_ALIVE_TIMEOUT_MS']);
    expect(paths({ HTTP_MAX_CONNECTIONS: 'many' })).toEqual(['HTTP_MAX_CONNECTIONS']);
  });
});
