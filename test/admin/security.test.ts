import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminClient, addUser, csrfOf, startAdminApp } from './support.js';
import { ensureFirstAdmin } from '../../src/admin/index.js';
import { createUser, getUserByName } from '../../src/db/users.js';
import { listCampaigns } from '../../src/db/campaigns.js';
import { listAudit } from '../../src/db/audit.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

// The tests on an app with default options share one (an app start is ~0.5 s of CPU): each has
// its own accounts, and none counts rows another one writes.
let shared: Promise<Awaited<ReturnType<typeof startAdminApp>>> | undefined;
const sharedApp = (): Promise<Awaited<ReturnType<typeof startAdminApp>>> => (shared ??= startAdminApp());
afterAll(async () => {
  await (await shared)?.close();
});

/** A clock the test moves by hand. */
function clock(start = '2026-11-23T02:00:00Z') {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe('admin accounts and sessions', () => {
  it('logs in with an httpOnly SameSite=Lax cookie and refuses anonymous requests', async () => {
    const t = await sharedApp();
    addUser(t.app, 'lan', ['editor']);
    const anon = new AdminClient(t.url);
    const r = await anon.get('/admin/content');
    expect(r.status).toBe(302);
    expect(r.location).toBe('/admin/login?next=%2Fadmin%2Fcontent');
    expect((await anon.request('POST', '/admin/content/qa/new', { question: 'x' })).status).toBe(401);

    const c = new AdminClient(t.url);
    const bad = await c.login('lan', 'sai-mat-khau-roi');
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    const ok = await c.login('lan', 'lan-mat-khau-1');
    expect(ok.status).toBe(303);
    const cookie = ok.headers.getSetCookie().find((s) => s.startsWith('loa_admin='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/admin/);
    expect(cookie).toMatch(/Max-Age=\d+/);
    expect((await c.get('/admin/content')).status).toBe(200);
    // The token is not stored: only its hash is.
    const token = c.cookies.get('loa_admin')!;
    expect(t.app.db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE id = ?').get(token)).toEqual({ n: 0 });

    expect((await c.post('/admin/logout')).status).toBe(303);
    expect((await c.get('/admin/content')).status).toBe(302);
  });

  it('requires the CSRF token on every POST, and a same-origin Origin', async () => {
    const t = await sharedApp();
    addUser(t.app, 'mai', ['editor']);
    const c = new AdminClient(t.url);
    await c.login('mai', 'mai-mat-khau-1');
    const form = { question: 'Câu hỏi thử CSRF?', answer: 'Trả lời.', topics: 'ho-tich', sources: 'Luật Hộ tịch' };
    expect((await c.request('POST', '/admin/content/qa/new', form)).status).toBe(403);
    expect((await c.request('POST', '/admin/content/qa/new', { ...form, _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await c.request('POST', '/admin/content/qa/new', { ...form, _csrf: c.csrf }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await c.request('POST', '/admin/logout', { _csrf: 'wrong' })).status).toBe(403);
    const ok = await c.post('/admin/content/qa/new', form);
    expect(ok.status).toBe(303);
    // The login form has its own double-submit token: a forged login is refused.
    const other = new AdminClient(t.url);
    expect((await other.request('POST', '/admin/login', { username: 'mai', password: 'mai-mat-khau-1', _csrf: 'forged' })).status).toBe(403);
  });

  it('throttles an account per address with exponential backoff; nobody can lock the real user out', async () => {
    const k = clock();
    // The clients below stand for different addresses behind a trusted proxy on loopback.
    const t = await startAdminApp({ now: k.now, env: { LOA_TRUST_PROXY: '127.0.0.1' } });
    close = t.close;
    addUser(t.app, 'lan', ['editor']);
    addUser(t.app, 'minh', ['viewer']);
    const attacker = new AdminClient(t.url, '10.0.0.1');
    // Three free tries, then a wait that doubles: 30 s, 1 min, 2 min…
    for (let i = 0; i < 3; i++) expect((await attacker.login('lan', `sai-${i}-mat-khau`)).status).toBe(401);
    const held = await attacker.login('lan', 'sai-3-mat-khau');
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toBe('30');
    expect(held.text).toContain('Hãy đợi 30 giây rồi thử lại.');
    // A refused try does not lengthen the wait, and tests no password (the right one is refused too).
    expect((await attacker.login('lan', 'lan-mat-khau-1')).status).toBe(429);
    k.advance(30_000);
    expect((await attacker.login('lan', 'sai-4-mat-khau')).status).toBe(401);
    const longer = await attacker.login('lan', 'sai-5-mat-khau');
    expect(longer.headers.get('retry-after')).toBe('60');
    expect(longer.text).toContain('Hãy đợi 1 phút rồi thử lại.');
    for (let n = 0; n < 8; n++) {
      k.advance(15 * 60_000);
      await attacker.login('lan', `sai-${6 + n}-mat-khau`);
    }
    const capped = await attacker.login('lan', 'sai-cuoi-mat-khau');
    expect(capped.status).toBe(429);
    expect(Number(capped.headers.get('retry-after'))).toBe(15 * 60);
    expect(capped.text).toContain('Hãy đợi 15 phút rồi thử lại.');

    // The real user, from their own address, logs in at once: the account itself is not locked.
    expect((await new AdminClient(t.url, '10.0.0.2').login('lan', 'lan-mat-khau-1')).status).toBe(303);
    // Another account from the attacker's address is unaffected by the pair's backoff.
    expect((await new AdminClient(t.url, '10.0.0.1').login('minh', 'minh-mat-khau-1')).status).toBe(303);
    // The pair's wait ends; a correct password from there works and resets it.
    k.advance(15 * 60_000);
    expect((await new AdminClient(t.url, '10.0.0.1').login('lan', 'lan-mat-khau-1')).status).toBe(303);
    expect((await new AdminClient(t.url, '10.0.0.1').login('lan', 'sai-lai-mat-khau')).status).toBe(401);

    // Per address: many accounts guessed from one address.
    const sprayer = new AdminClient(t.url, '10.9.9.9');
    for (let i = 0; i < 20; i++) expect((await sprayer.login(`khong-co-${i}`, 'mat-khau-doan')).status).toBe(401);
    const sprayed = await sprayer.login('minh', 'minh-mat-khau-1');
    expect(sprayed.status).toBe(429);
    expect(sprayed.text).toContain('Hãy đợi 15 phút rồi thử lại.');
    expect((await new AdminClient(t.url, '10.0.0.3').login('minh', 'minh-mat-khau-1')).status).toBe(303);
    k.advance(15 * 60_000);
    expect((await sprayer.login('minh', 'minh-mat-khau-1')).status).toBe(303);
    expect(listAudit(t.app.db, { action: 'login.throttled' }).length).toBeGreaterThanOrEqual(3);
  });

  it('ends sessions after 2 idle hours and 12 hours after login', async () => {
    const k = clock();
    const t = await startAdminApp({ now: k.now });
    close = t.close;
    addUser(t.app, 'lan', ['editor']);
    const c = new AdminClient(t.url);
    await c.login('lan', 'lan-mat-khau-1');
    k.advance(119 * 60_000);
    expect((await c.get('/admin/content')).status).toBe(200); // activity slides the idle expiry
    k.advance(119 * 60_000);
    expect((await c.get('/admin/content')).status).toBe(200);
    k.advance(121 * 60_000);
    expect((await c.get('/admin/content')).status).toBe(302);

    const d = new AdminClient(t.url);
    await d.login('lan', 'lan-mat-khau-1');
    for (let h = 0; h < 11; h++) {
      k.advance(60 * 60_000);
      expect((await d.get('/admin')).status).toBe(200);
    }
    k.advance(61 * 60_000);
    expect((await d.get('/admin')).status).toBe(302);
  });

  it('forces a one-time password to be changed first', async () => {
    const t = await sharedApp();
    createUser(t.app.db, { username: 'moi', roles: ['viewer'], password: 'mot-lan-thoi-1', mustChangePassword: true });
    const c = new AdminClient(t.url);
    const r = await c.login('moi', 'mot-lan-thoi-1');
    expect(r.location).toBe('/admin/account/password');
    expect((await c.get('/admin')).location).toBe('/admin/account/password');
    const page = await c.get('/admin/account/password');
    c.csrf = csrfOf(page.text);
    expect((await c.post('/admin/account/password', { current: 'mot-lan-thoi-1', next: 'ngan', confirm: 'ngan' })).status).toBe(400);
    expect((await c.post('/admin/account/password', { current: 'mot-lan-thoi-1', next: 'mat-khau-rieng-2', confirm: 'mat-khau-rieng-2' })).status).toBe(303);
    expect((await c.get('/admin')).status).toBe(200);
    expect(getUserByName(t.app.db, 'moi')!.mustChangePassword).toBe(false);
    expect((await new AdminClient(t.url).login('moi', 'mat-khau-rieng-2')).status).toBe(303);
  });

  it('creates the first admin once, with a one-time password', async () => {
    const t = await sharedApp();
    // startAdminApp ran onStart already (logging is silent in tests, so it went to the logger).
    expect(getUserByName(t.app.db, 'admin')).toMatchObject({ roles: ['admin'], mustChangePassword: true });
    t.app.db.prepare("DELETE FROM users WHERE username = 'admin'").run();
    const lines: string[] = [];
    const pw = ensureFirstAdmin(t.app, (l) => lines.push(l))!;
    expect(lines.join('\n')).toContain(pw);
    expect(ensureFirstAdmin(t.app, (l) => lines.push(l))).toBeUndefined();
    expect(lines.length).toBe(3);
    const c = new AdminClient(t.url);
    expect((await c.login('admin', pw)).location).toBe('/admin/account/password');
  });
});

describe('admin roles and regions', () => {
  it('a viewer sees pages but cannot approve content or campaigns, nor manage users', async () => {
    const t = await sharedApp();
    addUser(t.app, 'xem', ['viewer']);
    addUser(t.app, 'bien', ['editor']);
    addUser(t.app, 'gui', ['broadcaster']);
    const editor = new AdminClient(t.url);
    await editor.login('bien', 'bien-mat-khau-1');
    const saved = await editor.post('/admin/content/qa/new', { id: 'thu-quyen', question: 'Câu hỏi thử quyền?', answer: 'Trả lời.', topics: 'ho-tich', sources: 'Luật Hộ tịch' });
    expect(saved.status).toBe(303);
    const file = join(t.contentDir, 'qa/ho-tich/thu-quyen.md');
    const before = readFileSync(file, 'utf8');

    const viewer = new AdminClient(t.url);
    await viewer.login('xem', 'xem-mat-khau-1');
    expect((await viewer.get('/admin/content/qa/thu-quyen')).status).toBe(200);
    expect((await viewer.get('/admin/content/qa/thu-quyen')).text).not.toContain('/approve');
    expect((await viewer.post('/admin/content/qa/thu-quyen/approve')).status).toBe(403);
    expect((await viewer.post('/admin/content/qa/thu-quyen/retire')).status).toBe(403);
    expect((await viewer.post('/admin/content/qa/new', { question: 'x', answer: 'y', topics: 'ho-tich', sources: 'z' })).status).toBe(403);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect((await viewer.get('/admin/users')).status).toBe(403);
    expect((await viewer.get('/admin/audit')).status).toBe(403);
    // The editor cannot approve either (approver role).
    expect((await editor.post('/admin/content/qa/thu-quyen/approve')).status).toBe(403);

    const sender = new AdminClient(t.url);
    await sender.login('gui', 'gui-mat-khau-1');
    const created = await sender.post('/admin/campaigns/new', { text: 'Thông báo thử.', channels: 'telegram', action: 'submit' });
    expect(created.status).toBe(303);
    const id = listCampaigns(t.app.db)[0]!.id;
    for (const action of ['approve', 'schedule', 'cancel', 'pause'])
      expect((await viewer.post(`/admin/campaigns/${id}/${action}`)).status, action).toBe(403);
    expect((await viewer.get('/admin/campaigns/new')).status).toBe(403);
    expect(listCampaigns(t.app.db)[0]!.status).toBe('submitted');
  });

  it('a ward officer cannot target another region or the whole province', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['broadcaster'], 'pho-hien');
    const c = new AdminClient(t.url);
    await c.login('hoa', 'hoa-mat-khau-1');
    const form = await c.get('/admin/campaigns/new');
    expect(form.text).toContain('value="pho-hien"');
    expect(form.text).not.toContain('value="son-nam"');
    const other = await c.post('/admin/campaigns/new', { text: 'Tin cho phường khác.', channels: 'telegram', regions: 'son-nam' });
    expect(other.status).toBe(400);
    const all = await c.post('/admin/campaigns/new', { text: 'Tin cho cả tỉnh.', channels: 'telegram' });
    expect(all.status).toBe(400);
    expect(listCampaigns(t.app.db)).toHaveLength(0);
    const own = await c.post('/admin/campaigns/new', { text: 'Tin cho phường mình.', channels: 'telegram', regions: 'pho-hien' });
    expect(own.status).toBe(303);
    expect(listCampaigns(t.app.db).map((x) => x.regions)).toEqual([['pho-hien']]);
    // A province-wide campaign by someone else is invisible to the ward officer.
    addUser(t.app, 'tinh', ['broadcaster']);
    const province = new AdminClient(t.url);
    await province.login('tinh', 'tinh-mat-khau-1');
    await province.post('/admin/campaigns/new', { text: 'Tin cả tỉnh.', channels: 'telegram' });
    const provinceId = listCampaigns(t.app.db).find((x) => x.regions.length === 0)!.id;
    expect((await c.get(`/admin/campaigns/${provinceId}`)).status).toBe(404);
    expect((await c.post(`/admin/campaigns/${provinceId}/cancel`)).status).toBe(404);
  });
});
