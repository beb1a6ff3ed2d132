/**
 * The door of a shut-out address must catch every request target that reaches
 * `POST /api/chat`, not only the literal one: Fastify's router decodes percent-escapes and reads
 * absolute-form targets, and a script that wrote `/api/%63hat` walked past the door and its
 * 250 ms hold (measured on a running Loa: 96 requests in 3 s on 8 connections to /api/chat,
 * 8,751 to /api/%63hat).
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routedTarget, SHUT_OUT_HOLD_MS } from '../../src/channels/web/web.js';
import { startTestApp } from '../support/app.js';

describe('routedTarget', () => {
  it.each([
    ['/api/chat', '/api/chat', ''],
    ['/api/chat?lang=en', '/api/chat', 'lang=en'],
    ['/api/%63hat', '/api/chat', ''],
    ['/%61pi/ch%61t?lang=en', '/api/chat', 'lang=en'],
    ['http://loa.example/api/chat?x=1', '/api/chat', 'x=1'],
    ['HTTPS://loa.example', '/', ''],
    ['/api/chat%', '/api/chat%', ''],
    ['/healthz', '/healthz', ''],
  ])('%s', (url, path, query) => expect(routedTarget(url)).toEqual({ path, query }));
});

describe('a shut-out address, whatever it writes as the target', () => {
  let ctx: Awaited<ReturnType<typeof startTestApp>>;
  beforeAll(async () => {
    ctx = await startTestApp({}, { bot: { web_chat_limits: { refusals_per_address: { count: 3, seconds: 60 } } } });
  });
  afterAll(async () => {
    await ctx.close();
  });
  const port = (): number => Number(new URL(ctx.url).port);

  /** One request with a raw target from `from`; its status and how long the answer took. */
  const raw = (target: string, from: string, body = '{"session":"bypass-one","text":"chào"}'): Promise<{ status: number; ms: number }> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const s = connect({ port: port(), host: '127.0.0.1', localAddress: from }, () =>
        s.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`),
      );
      let text = '';
      s.on('data', (d) => (text += String(d)));
      s.on('error', reject);
      s.on('close', () => resolve({ status: Number(text.split(' ')[1]), ms: performance.now() - t0 }));
    });

  const post = (from: string, body: unknown): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(`${ctx.url}/api/chat`, { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });

  it('is held at the door for /api/%63hat and http://host/api/chat as for /api/chat', async () => {
    const from = '127.0.0.91';
    // The same session past its limit: refusals until the address is shut out.
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) statuses.push(await post(from, { session: 'bypass-one', text: `chào ${i}` }));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
    for (const target of ['/api/chat', '/api/%63hat', '/%61pi/chat?lang=en', 'http://x/api/chat']) {
      const r = await raw(target, from);
      // Before: the variants were answered 429 at once, by the route's hook, without the hold.
      expect({ target, status: r.status, held: r.ms >= SHUT_OUT_HOLD_MS - 20 }).toEqual({ target, status: 429, held: true });
    }
    // Another address is answered as usual, also through an encoded target.
    expect((await raw('/api/%63hat', '127.0.0.92', '{"session":"bypass-two","text":"chào"}')).status).toBe(200);
  });
});
