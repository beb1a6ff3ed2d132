/**
 * The door's hold of a shut-out address's answers (issue 15): each answer comes about a
 * quarter second later, the holds spread between 200 and 300 ms, so that a script's
 * connections refused together are not answered, and do not write again, all at once.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { SHUT_OUT_HOLD_MS } from '../../src/channels/web/web.js';
import { startTestApp } from '../support/app.js';

describe('the hold of a shut-out address\'s answers', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('answers each refusal after 200-300 ms, not all after the same time', async () => {
    const ctx = await startTestApp({}, { bot: { web_chat_limits: { new_sessions_per_address: { count: 1, seconds: 3600 }, refusals_per_address: { count: 2, seconds: 60 } } } });
    close = ctx.close;
    const post = (session: string) =>
      new Promise<{ status: number; ms: number }>((resolve, reject) => {
        const t = performance.now();
        const req = request(`${ctx.url}/api/chat`, { method: 'POST', localAddress: '127.0.0.1', headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - t }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ session, text: 'chào bạn' }));
      });
    expect((await post('hold-visitor-0')).status).toBe(200);
    // Two new visitors over the limit: refused, and the second refusal shuts the address out.
    for (const s of ['hold-visitor-1', 'hold-visitor-2']) expect((await post(s)).status).toBe(429);
    const held = await Promise.all(Array.from({ length: 12 }, (_, i) => post(`hold-script-${i}`)));
    expect(held.every((r) => r.status === 429)).toBe(true);
    const ms = held.map((r) => r.ms).sort((a, b) => a - b);
    expect(ms[0]).toBeGreaterThanOrEqual(SHUT_OUT_HOLD_MS * 0.8 - 2);
    // Drawn between 200 and 300 ms: twelve of them are not all within a few milliseconds.
    expect(ms.at(-1)! - ms[0]!).toBeGreaterThan(40);
  });
});
