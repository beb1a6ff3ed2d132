/**
 * The login throttle against a script: guesses sent all at once, and a flood of posts that
 * keeps going while refused (docs/security.md, "Login throttle by account and address").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, csrfOf, startAdminApp } from './support.js';
import { listAudit } from '../../src/db/audit.js';
import { createAuth, throttleAuditGate } from '../../src/admin/auth.js';
import { openDb } from '../../src/db/index.js';
import { createUser } from '../../src/db/users.js';
import { useProductionPasswordCost, useTestPasswordCost } from '../support/password-cost.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** Posts `n` logins at once from one address, all with the same login-form token. */
async function burst(url: string, ip: string, n: number, form: (i: number) => { username: string; password: string }): Promise<number[]> {
  const page = await new AdminClient(url, ip).get('/admin/login');
  const cookie = page.headers.getSetCookie().find((c) => c.startsWith('loa_login='))!.split(';')[0]!;
  const token = csrfOf(page.text);
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const res = await fetch(`${url}/admin/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': ip, accept: 'text/html' },
        body: new URLSearchParams({ _csrf: token, ...form(i) }).toString(),
      });
      await res.text();
      return res.status;
    }),
  );
}

describe('login throttle under a burst', () => {
  it('tries at most the free failures of a burst sent at once, not every guess in it', async () => {
    const t = await startAdminApp({ env: { LOA_TRUST_PROXY: '127.0.0.1' } });
    close = t.close;
    addUser(t.app, 'lan', ['editor']);
    // Twelve guesses at once: before, all twelve were checked side by side (each read "no
    // failures yet") and answered 401. Three free tries, then the address waits 30 s; beyond
    // eight waiting, the rest are told to wait at once.
    const statuses = await burst(t.url, '10.1.1.1', 12, (i) => ({ username: 'lan', password: `doan-sai-${i}-mk` }));
    expect(statuses.filter((s) => s === 401).length).toBe(3);
    expect(statuses.filter((s) => s === 429).length).toBe(9);
    const tried = t.app.db.prepare("SELECT COUNT(*) AS n FROM login_attempts WHERE ip = '10.1.1.1'").get() as { n: number };
    expect(tried.n).toBe(3);
    // Spraying many accounts at once from one address stops at the per-address limit (20).
    const sprayed = await burst(t.url, '10.2.2.2', 30, (i) => ({ username: `khong-co-${i}`, password: 'mat-khau-doan' }));
    expect(sprayed.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
    // Another address, the real user: not held up by the other address's queue.
    expect((await new AdminClient(t.url, '10.3.3.3').login('lan', 'lan-mat-khau-1')).status).toBe(303);
  });

  it('audits a throttled address once a minute, with how many refusals were not written', async () => {
    let ms = new Date('2026-11-23T02:00:00Z').getTime();
    const t = await startAdminApp({ now: () => new Date(ms), env: { LOA_TRUST_PROXY: '127.0.0.1' } });
    close = t.close;
    addUser(t.app, 'lan', ['editor']);
    const c = new AdminClient(t.url, '10.4.4.4');
    for (let i = 0; i < 3; i++) expect((await c.login('lan', `doan-sai-${i}-mk`)).status).toBe(401);
    // A script keeps posting while refused: before, one audit row per request.
    for (let i = 0; i < 40; i++) expect((await c.login('lan', `doan-tiep-${i}-mk`)).status).toBe(429);
    expect(listAudit(t.app.db, { action: 'login.throttled' }).length).toBe(1);
    ms += 60_000;
    expect((await c.login('lan', 'doan-nua-mk')).status).toBe(401); // the 30 s wait is over
    expect((await c.login('lan', 'doan-nua-nua-mk')).status).toBe(429);
    const rows = listAudit(t.app.db, { action: 'login.throttled' });
    expect(rows.length).toBe(2);
    expect(rows.map((r) => r.details?.refusedUnaudited ?? 0).sort()).toEqual([0, 39]);
    // Failed passwords are still audited one by one (the throttle bounds them).
    expect(listAudit(t.app.db, { action: 'login.invalid' }).length).toBe(4);
  });

  it('throttleAuditGate: first refusal, then one a period, bounded memory', () => {
    const gate = throttleAuditGate(1000, 3);
    expect(gate('a', 0)).toBe(0);
    expect(gate('a', 10)).toBeUndefined();
    expect(gate('a', 999)).toBeUndefined();
    expect(gate('a', 1000)).toBe(2);
    for (const ip of ['b', 'c', 'd', 'e']) expect(gate(ip, 1500)).toBe(0);
    // 'a' was forgotten to make room: written anew, not lost.
    expect(gate('a', 1600)).toBe(0);
  });
});

describe('password checks from many addresses at once', () => {
  it('runs at most maxConcurrentChecks at once, queues maxQueuedChecks and tells the rest the server is busy', async () => {
    const db = openDb(':memory:');
    createUser(db, { username: 'lan', roles: ['editor'], password: 'lan-mat-khau-1' });
    const auth = createAuth(db);
    const { maxConcurrentChecks, maxQueuedChecks } = auth.options;
    // Forty addresses, one guess each (each within its own free tries): before, all forty
    // scrypt checks were handed to the thread pool at once, and the bot's DNS look-ups and file
    // reads waited behind them (300 at once delayed Telegram replies by 130 s).
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => auth.login('lan', `doan-sai-${i}`, `10.9.${i}.1`)));
    const busy = results.filter((r) => !r.ok && r.reason === 'throttled' && r.busy);
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(maxConcurrentChecks + maxQueuedChecks);
    expect(busy).toHaveLength(40 - maxConcurrentChecks - maxQueuedChecks);
    expect(busy.every((r) => !r.ok && r.reason === 'throttled' && r.retryAfterSeconds > 0)).toBe(true);
    // A refusal for busyness tried nothing and counted nothing against the address.
    const counted = db.prepare('SELECT COUNT(*) AS n FROM login_attempts').get() as { n: number };
    expect(counted.n).toBe(maxConcurrentChecks + maxQueuedChecks);
    // Once the checks are done, the real user logs in.
    expect((await auth.login('lan', 'lan-mat-khau-1', '10.9.200.1')).ok).toBe(true);
    db.close();
  });

  it('says so in Vietnamese with Retry-After, not "too many wrong passwords"', async () => {
    const t = await startAdminApp({ env: { LOA_TRUST_PROXY: '127.0.0.1' }, adminAuth: { maxConcurrentChecks: 1, maxQueuedChecks: 0 } });
    close = t.close;
    // At the production cost (~50-100 ms a check), so that the first check is surely still
    // running when the others arrive.
    useProductionPasswordCost();
    try {
      addUser(t.app, 'lan', ['editor']);
    } finally {
      useTestPasswordCost();
    }
    const pages = await Promise.all(['10.7.0.1', '10.7.0.2', '10.7.0.3'].map(async (ip) => ({ ip, page: await new AdminClient(t.url, ip).get('/admin/login') })));
    const posts = await Promise.all(
      pages.map(async ({ ip, page }) => {
        const cookie = page.headers.getSetCookie().find((c) => c.startsWith('loa_login='))!.split(';')[0]!;
        const res = await fetch(`${t.url}/admin/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': ip, accept: 'text/html' },
          body: new URLSearchParams({ _csrf: csrfOf(page.text), username: 'lan', password: 'doan-sai-mk' }).toString(),
        });
        return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
      }),
    );
    const refused = posts.filter((p) => p.status === 429);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.retryAfter).toBe('2');
      expect(r.text).toContain('Hệ thống đang nhận quá nhiều lượt đăng nhập cùng lúc');
      expect(r.text).not.toContain('Đăng nhập sai quá nhiều lần');
    }
    expect(listAudit(t.app.db, { action: 'login.throttled' }).some((e) => (e.details as { busy?: boolean } | null)?.busy === true)).toBe(true);
  });
});
