/**
 * A script that keeps posting after its refusals (issue 15: a flood must not slow real
 * visitors down): its address is shut out and refused before its requests are read, with one
 * log line per shut-out rather than one per request; other addresses are not affected; and
 * at most two accepted messages of one address are answered at once.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebLimits, defaultWebLimits } from '../../src/channels/web/limits.js';
import { perKeyAtOnce } from '../../src/channels/web/web.js';
import { startTestApp } from '../support/app.js';

describe('shutting out an address that ignores its refusals', () => {
  const limits = () =>
    createWebLimits({ ...defaultWebLimits, perSession: { count: 2, seconds: 10 }, global: { count: 5, seconds: 1 }, refusalsPerAddress: { count: 3, seconds: 60 } });

  it('the refusal that reaches the count shuts the address out; the door then refuses it, and only it, until the window has passed', () => {
    const l = limits();
    const t = 1_000_000;
    expect(l.check('10.0.0.1', 'session-a', true, t).ok).toBe(true);
    expect(l.check('10.0.0.1', 'session-a', false, t).ok).toBe(true);
    const first = l.check('10.0.0.1', 'session-a', false, t + 1);
    expect(first).toMatchObject({ ok: false, limit: 'perSession' });
    expect(first.ok === false && first.shutsOut).toBeFalsy();
    expect(l.door('10.0.0.1', t + 2).ok).toBe(true);
    l.check('10.0.0.1', 'session-a', false, t + 2);
    const third = l.check('10.0.0.1', 'session-a', false, t + 3);
    expect(third).toMatchObject({ ok: false, limit: 'perSession', shutsOut: true, retryAfter: 60 });
    // Every request of that address now, even a new visitor's, is refused at the door.
    expect(l.door('10.0.0.1', t + 4)).toEqual({ ok: false, limit: 'refusalsPerAddress', retryAfter: 60 });
    expect(l.door('10.0.0.1', t + 30_003)).toEqual({ ok: false, limit: 'refusalsPerAddress', retryAfter: 30 });
    expect(l.door('10.0.0.2', t + 30_000).ok).toBe(true);
    expect(l.ended(t + 59_000)).toEqual([]);
    // Let in again once the window has passed, reported once, with what the door refused.
    expect(l.door('10.0.0.1', t + 60_003).ok).toBe(true);
    expect(l.ended(t + 60_003)).toEqual([{ address: '10.0.0.1', fromMs: t + 3, untilMs: t + 60_003, refusedAtDoor: 2 }]);
    expect(l.ended(t + 60_004)).toEqual([]);
    // It starts afresh: one refusal is not yet a shut-out.
    expect(l.check('10.0.0.1', 'session-b', true, t + 60_010).ok).toBe(true);
  });

  it('refusals by the global limit are not held against the address', () => {
    const l = limits();
    const t = 5_000_000;
    for (let i = 0; i < 5; i++) expect(l.check(`10.0.1.${i}`, `s-${i}`, true, t).ok).toBe(true);
    for (let i = 0; i < 10; i++) expect(l.check('10.0.0.9', `new-${i}`, true, t + 1)).toMatchObject({ ok: false, limit: 'global' });
    expect(l.door('10.0.0.9', t + 2).ok).toBe(true);
  });
});

describe('the door over HTTP', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('refuses a shut-out address before reading its body, logs it once, and keeps answering other addresses', async () => {
    const lines: { msg: string; address?: string; refusedAtDoor?: number }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const ctx = await startTestApp(
      {},
      {
        logger: pino({ level: 'info' }, sink),
        bot: { web_chat_limits: { new_sessions_per_address: { count: 2, seconds: 3600 }, refusals_per_address: { count: 3, seconds: 60 } } },
      },
    );
    close = ctx.close;
    // From `from` (any of 127.0.0.0/8 is this machine): a real visitor elsewhere.
    const post = (body: string, from = '127.0.0.1') =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; json: () => { error: string } }>((resolve, reject) => {
        const req = request(`${ctx.url}/api/chat`, { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, json: () => JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const people = (): number => (ctx.app.db.prepare('SELECT COUNT(*) AS n FROM people').get() as { n: number }).n;
    expect((await post(JSON.stringify({ session: 'door-visitor-1', text: 'chào bạn' }))).status).toBe(200);
    expect((await post(JSON.stringify({ session: 'door-visitor-2', text: 'chào bạn' }))).status).toBe(200);
    const before = people();
    for (let i = 0; i < 3; i++) expect((await post(JSON.stringify({ session: `door-script-${i}`, text: 'x'.repeat(500) }))).status).toBe(429);
    // Shut out: a body that is not even JSON gets 429, not 400 (it was never read), and so
    // does a visitor already talking from that address.
    const junk = await post('{not json');
    expect(junk.status).toBe(429);
    expect(Number(junk.headers['retry-after'])).toBeGreaterThan(50);
    expect(junk.json().error).toMatch(/^Bạn đang gửi tin nhắn quá nhanh\. Bạn vui lòng đợi \d+ giây rồi gửi lại\.$/);
    expect((await post(JSON.stringify({ session: 'door-visitor-1', text: 'bhyt tre em' }))).status).toBe(429);
    expect(people()).toBe(before);
    const shutLines = lines.filter((l) => l.msg.includes('shut out'));
    expect(shutLines).toHaveLength(1);
    expect(shutLines[0]!.address).toBe('127.0.0.1');
    // Another address is answered as before.
    expect((await post(JSON.stringify({ session: 'door-visitor-3', text: 'chào bạn' }), '127.0.0.2')).status).toBe(200);
  });
});

describe('messages of one address answered at once', () => {
  it('runs at most n calls per key at once, the others in order as slots free up, even after a failure; other keys do not wait', async () => {
    const atOnce = perKeyAtOnce(2);
    const log: string[] = [];
    const release: Record<string, () => void> = {};
    const task = (name: string, fail = false) => () => {
      log.push(name);
      return new Promise<string>((resolve, reject) => {
        release[name] = () => (fail ? reject(new Error(name)) : resolve(name));
      });
    };
    const a1 = atOnce('a', task('a1', true));
    const a2 = atOnce('a', task('a2'));
    const a3 = atOnce('a', task('a3'));
    const a4 = atOnce('a', task('a4'));
    const b1 = atOnce('b', task('b1'));
    const tick = () => new Promise((r) => setImmediate(r));
    await tick();
    expect(log).toEqual(['a1', 'a2', 'b1']);
    release.a1!();
    await expect(a1).rejects.toThrow('a1');
    await tick();
    expect(log).toEqual(['a1', 'a2', 'b1', 'a3']);
    release.a3!();
    expect(await a3).toBe('a3');
    await tick();
    expect(log).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
    for (const k of ['a2', 'a4', 'b1']) release[k]!();
    expect(await Promise.all([a2, a4, b1])).toEqual(['a2', 'a4', 'b1']);
    // All slots were freed: a new call starts at once.
    atOnce('a', task('a5'));
    await tick();
    expect(log.at(-1)).toBe('a5');
  });
});
