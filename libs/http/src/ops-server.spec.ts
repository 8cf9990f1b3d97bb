import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, createMetrics } from '@kanal/observability';
import { requireBearer } from './auth';
import { HttpError } from './http-error';
import { createHttpApp, listen } from './ops-server';

let ready = true;
let base = '';
let close: () => Promise<void>;

beforeAll(async () => {
  const metrics = createMetrics('http-test');
  const app = createHttpApp({
    service: 'http-test',
    registry: metrics.registry,
    logger: createLogger({ service: 'http-test', level: 'silent' }),
    readiness: [
      {
        name: 'kafka',
        check: async () => (ready ? { ok: true } : { ok: false, detail: { stuck: [{ topic: 'in', partition: 0 }] } }),
      },
      { name: 'postgres', check: async () => true },
    ],
    routes: (a) => {
      a.post('/v1/echo', requireBearer(['a-token-of-sixteen-chars']), express.json({ limit: '1kb' }), (req, res) => {
        if (!req.body?.ok) throw new HttpError(400, 'TEST.NOT_OK', 'ok must be true');
        res.json(req.body);
      });
    },
  });
  const server = await listen(app, 0, '127.0.0.1');
  const address = server.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  close = server.close;
});
afterAll(() => close());

describe('ops server', () => {
  it('answers live, ready (per dependency) and metrics', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${base}/health/ready`)).json()).toEqual({
      status: 'ready',
      checks: { kafka: true, postgres: true },
    });
    ready = false;
    const notReady = await fetch(`${base}/health/ready`);
    expect(notReady.status).toBe(503);
    // What is wrong is named (a stuck partition), so a probe's answer says where to look.
    expect(await notReady.json()).toEqual({
      status: 'not-ready',
      checks: { kafka: false, postgres: true },
      details: { kafka: { stuck: [{ topic: 'in', partition: 0 }] } },
    });
    ready = true;
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('kanal_events_in_total');
  });

  it('answers errors as { code, message }', async () => {
    const post = (body: string, token = 'a-token-of-sixteen-chars') =>
      fetch(`${base}/v1/echo`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
    expect(await (await post('{"ok":true}')).json()).toEqual({ ok: true });
    const cases: Array<[Response, number, string]> = [
      [await post('{"ok":false}'), 400, 'TEST.NOT_OK'],
      [await post('{broken'), 400, 'HTTP.INVALID_JSON'],
      [await post(JSON.stringify({ ok: true, pad: 'x'.repeat(2_000) })), 413, 'HTTP.BODY_TOO_LARGE'],
      [await post('{"ok":true}', 'wrong-token-wrong-token'), 401, 'AUTH.INVALID_TOKEN'],
      [await fetch(`${base}/v1/echo`, { method: 'POST' }), 401, 'AUTH.MISSING_TOKEN'],
      [await fetch(`${base}/nowhere`), 404, 'HTTP.NOT_FOUND'],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ code, message: expect.any(String) });
    }
  });
});
