/**
 * Sessions on shared office computers: a commune office has one or two computers for everyone.
 * Staff forget to sign out; the next person sits down; someone notices from home. Before, the
 * only way to end a session left open was to reset the password (which hands the admin a
 * password) or disable the account; signing in as someone else left the first session alive.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, csrfOf, startAdminApp } from './support.js';
import { listAudit } from '../../src/db/audit.js';
import { getUserByName } from '../../src/db/users.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start() {
  const t = await startAdminApp({ env: { LOA_TRUST_PROXY: '127.0.0.1' } });
  close = t.close;
  return t;
}

async function as(url: string, name: string, ip: string): Promise<AdminClient> {
  const c = new AdminClient(url, ip);
  expect((await c.login(name, `${name}-mat-khau-1`)).status).toBe(303);
  return c;
}

describe('sessions on shared office computers', { timeout: 120_000 }, () => {
  it('staff see where they are signed in and sign the other computers out themselves', async () => {
    const t = await start();
    addUser(t.app, 'lan', ['editor']);
    const office = await as(t.url, 'lan', '10.0.0.20');
    const home = await as(t.url, 'lan', '10.0.0.30');
    const page = await home.get('/admin/account/password');
    expect(page.text).toContain('Nơi bạn đang đăng nhập');
    expect(page.text).toContain('10.0.0.20');
    expect(page.text).toMatch(/10\.0\.0\.30 · đăng nhập .* <span class="tag">máy này<\/span>/);
    const res = await home.post('/admin/account/sessions/end-others');
    expect(res.status).toBe(303);
    expect((await home.get(res.location!)).text).toContain('Đã đăng xuất 1 máy khác. Máy này vẫn đăng nhập.');
    expect((await office.get('/admin')).status).toBe(302);
    expect((await home.get('/admin')).status).toBe(200);
    const e = listAudit(t.app.db, { action: 'user.sessions_end' })[0]!;
    expect(e.actor).toBe('lan');
    expect(e.details?.text).toMatch(/^Tự đăng xuất 1 máy khác \(10\.0\.0\.20, dùng lần cuối/);
  });

  it('an admin signs a person out everywhere without touching the password (no reset, no four-eyes link)', async () => {
    const t = await start();
    addUser(t.app, 'quantri', ['admin']);
    addUser(t.app, 'hoa', ['broadcaster'], 'pho-hien');
    const left = await as(t.url, 'hoa', '10.0.0.20');
    const admin = await as(t.url, 'quantri', '10.0.0.1');
    const list = await admin.get('/admin/users');
    const row = list.text.split('<tr>').find((r) => r.includes('<strong>hoa</strong>'))!;
    expect(row).toContain('data-sessions>Đang đăng nhập trên 1 máy');
    expect(row).toContain('action="/admin/users/hoa/sessions/end"');
    const res = await admin.post('/admin/users/hoa/sessions/end');
    expect(res.status).toBe(303);
    expect((await left.get('/admin')).status).toBe(302);
    // The password is the same, and nothing links the admin to the account.
    expect((await new AdminClient(t.url, '10.0.0.21').login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    expect(t.app.db.prepare('SELECT COUNT(*) FROM password_resets').pluck().get()).toBe(0);
    expect(getUserByName(t.app.db, 'hoa')!.mustChangePassword).toBe(false);
    expect(listAudit(t.app.db, { action: 'user.sessions_end' })[0]!.details?.text).toMatch(/^Đăng xuất mọi phiên của 'hoa' \(1 phiên: 10\.0\.0\.20, .*\); mật khẩu không đổi\.$/);
    // One's own row points to the own page instead.
    expect((await admin.post('/admin/users/quantri/sessions/end')).status).toBe(400);
  });

  it('signing in on a browser that holds someone else’s session says so, and ends that session', async () => {
    const t = await start();
    addUser(t.app, 'lan', ['editor']);
    addUser(t.app, 'hung', ['approver']);
    const pc = await as(t.url, 'lan', '10.0.0.20');
    const lanCookie = pc.cookies.get('loa_admin')!;
    const login = await pc.get('/admin/login');
    expect(login.text).toContain('data-signed-in>Trình duyệt này đang đăng nhập với tài khoản <strong>lan</strong>');
    expect((await pc.login('hung', 'hung-mat-khau-1')).status).toBe(303);
    // Lan's session, whose cookie the browser no longer sends, is over (it stayed alive before).
    const stale = new AdminClient(t.url, '10.0.0.20');
    stale.cookies.set('loa_admin', lanCookie);
    expect((await stale.get('/admin')).status).toBe(302);
    const out = listAudit(t.app.db, { action: 'logout' })[0]!;
    expect(out.actor).toBe('lan');
    expect(out.details?.text).toBe("Đăng xuất vì 'hung' đăng nhập trên cùng trình duyệt.");
  });

  it("'Máy dùng chung' at the login: the session ends after a short idle time and its cookie with the browser", async () => {
    let now = Date.parse('2026-03-02T02:00:00Z');
    const t = await startAdminApp({ now: () => new Date(now), env: { LOA_TRUST_PROXY: '127.0.0.1' } });
    close = t.close;
    addUser(t.app, 'lan', ['editor']);
    const shared = new AdminClient(t.url, '10.0.0.20');
    const form = await shared.get('/admin/login');
    expect(form.text).toContain('name="shared"');
    const res = await shared.request('POST', '/admin/login', { _csrf: csrfOf(form.text), username: 'lan', password: 'lan-mat-khau-1', next: '/admin', shared: '1' });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('loa_admin='))!;
    expect(cookie).not.toMatch(/Max-Age/i);
    const own = await as(t.url, 'lan', '10.0.0.30');
    expect((await shared.get('/admin')).status).toBe(200);
    now += 16 * 60_000;
    // Left 16 minutes: the shared computer's session is over, the other one is not.
    expect((await shared.get('/admin')).status).toBe(302);
    expect((await own.get('/admin')).status).toBe(200);
  });

  it('a locked account with the right password is told it is locked and whom to ask', async () => {
    const t = await start();
    addUser(t.app, 'cu', ['editor']);
    t.app.db.prepare("UPDATE users SET disabled_at = '2026-06-30T00:00:00Z' WHERE username = 'cu'").run();
    const right = await new AdminClient(t.url).login('cu', 'cu-mat-khau-1');
    expect(right.status).toBe(403);
    expect(right.text).toContain('Tài khoản này đã bị khoá');
    // A wrong password learns nothing about the account.
    const wrong = await new AdminClient(t.url).login('cu', 'sai-mat-khau-123');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
  });
});
