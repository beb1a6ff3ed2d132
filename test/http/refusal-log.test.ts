/**
 * Refusals anyone can cause are logged a few a minute, with how many were left out: one line
 * each (~180 bytes, the attacker's URL in it) let a script write about 0.5 MB of log a second
 * on a running Loa, unbounded under Docker's default log driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, loggedUrl, refusalLogSampler } from '../../src/http/server.js';
import { startTestApp } from '../support/app.js';
import { startFakeZalo, zaloEnv, type FakeZalo } from '../support/fake-zalo.js';
import { captureLogger } from '../support/capture-log.js';

describe('refusalLogSampler', () => {
  it('logs the first of a kind in a window, then one line per window with the count left out', () => {
    let t = 0;
    const sample = refusalLogSampler(3, 1000, () => t);
    expect([sample('a'), sample('a'), sample('a'), sample('a'), sample('a')]).toEqual([0, 0, 0, undefined, undefined]);
    expect(sample('b')).toBe(0); // another kind has its own
    t = 1000;
    expect(sample('a')).toBe(2);
    expect(sample('a')).toBe(0);
    t = 5000;
    expect(sample('a')).toBe(0);
  });

  it('cuts long URLs', () => {
    expect(loggedUrl('/x')).toBe('/x');
    expect(loggedUrl(`/x?${'a'.repeat(10_000)}`)).toMatch(/^\/x\?a{197}…\(10003 characters\)$/);
  });
});

describe('floods of refusals over HTTP', () => {
  let zalo: FakeZalo;
  let ctx: Awaited<ReturnType<typeof startTestApp>>;
  const log = captureLogger();
  beforeAll(async () => {
    zalo = await startFakeZalo();
    ctx = await startTestApp(zaloEnv(zalo), { logger: log.logger });
  });
  afterAll(async () => {
    await ctx.close();
    await zalo.close();
  });
  const lines = (msg: string): Record<string, unknown>[] => log.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

  it('a hundred bodies that are not JSON write at most ten lines', async () => {
    for (let i = 0; i < 100; i++) await (await fetch(`${ctx.url}/api/chat?${'q'.repeat(5000)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).text();
    const refused = lines('web chat: request refused');
    // Before: 100 lines, each with the 5,000-character URL.
    expect(refused.length).toBe(10);
    expect(Math.max(...refused.map((l) => String(l.url).length))).toBeLessThan(250);
  });

  it('a hundred forged Zalo deliveries write at most ten lines of each kind', async () => {
    const post = (body: string, signature?: string) =>
      fetch(`${ctx.url}/webhooks/zalo`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-zevent-signature': signature } : {}) }, body }).then((r) => r.status);
    for (let i = 0; i < 100; i++) {
      expect(await post(JSON.stringify({ event_name: 'user_send_text'.repeat(100), app_id: 'x'.repeat(1000) }))).toBe(401);
      expect(await post(JSON.stringify({ event_name: 'user_send_text', app_id: zalo.appId, timestamp: '1' }), `mac=${'0'.repeat(64)}`)).toBe(401);
    }
    expect(lines('zalo: webhook refused: app_id is not ours').length).toBe(10);
    expect(lines('zalo: webhook refused: bad or missing signature').length).toBe(10);
    expect(String(lines('zalo: webhook refused: app_id is not ours')[0]!.appId).length).toBe(64);
  });

  it('the server-wide handler too (any route that parses JSON)', async () => {
    const { logger, lines: out } = captureLogger();
    const app = createHttpServer(logger);
    app.post('/in', async () => ({ ok: true }));
    for (let i = 0; i < 50; i++) await app.inject({ method: 'POST', url: '/in', headers: { 'content-type': 'application/json' }, payload: '[' });
    expect(out.filter((l) => l.includes('http: request refused')).length).toBe(10);
    await app.close();
  });
});
