/**
 * A provincial office's admin running accounts for a year: the only admin who forgot their
 * password, staff handed a new one, the last admin kept, role changes and departures that the
 * audit log can answer for, and the dashboard's channels in staff's words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { run as userCli } from '../../src/cli/user.js';
import { listAudit } from '../../src/db/audit.js';
import { createUser, getUserByName } from '../../src/db/users.js';
import { insertCampaign, transitionCampaign } from '../../src/db/campaigns.js';
import { subscribe, upsertPerson } from '../../src/db/people.js';
import type { Db } from '../../src/db/index.js';

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

/** Runs `loa user …` on the app's database; returns the exit code and what it printed. */
async function cli(t: { app: { db: Db }; contentDir: string }, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await userCli(args, { db: t.app.db, contentDir: t.contentDir, out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Wrong passwords from one address until the login makes it wait. */
async function lockOut(url: string, ip: string, username: string): Promise<void> {
  const c = new AdminClient(url, ip);
  let status = 0;
  for (let i = 0; i < 6 && status !== 429; i++) status = (await c.login(username, `doan-sai-${i}-mat-khau`)).status;
  expect(status).toBe(429);
}

describe('accounts over a year', () => {
  it("the only admin who forgot the password resets it from the server's CLI and signs in at once; old sessions end", async () => {
    const t = await start();
    addUser(t.app, 'quantri', ['admin'], null, 'mat-khau-cu-12345');
    // A session left open on the office PC (the reason to reset may be a leaked password).
    const old = new AdminClient(t.url, '10.9.9.9');
    expect((await old.login('quantri', 'mat-khau-cu-12345')).status).toBe(303);
    // Then, having forgotten it, the admin tries until the login makes them wait.
    await lockOut(t.url, '10.0.0.7', 'quantri');
    const r = await cli(t, ['passwd', 'quantri']);
    expect(r.code).toBe(0);
    const pw = /Mật khẩu dùng một lần: (\S+)/.exec(r.out)![1]!;
    // Before: 429 "wait", up to 15 minutes, with the password just printed.
    const c = new AdminClient(t.url, '10.0.0.7');
    const login = await c.login('quantri', pw);
    expect(login.status).toBe(303);
    expect(login.location).toBe('/admin/account/password');
    // The session opened before the reset is over.
    expect((await old.get('/admin')).status).not.toBe(200);
    // The audit names who ran it on the server.
    const e = listAudit(t.app.db, { action: 'user.passwd' })[0]!;
    expect(e.actor).toBe('cli');
    expect(e.details?.osUser).toBeTruthy();
    expect(e.details?.text).toBe('Đặt lại mật khẩu trên máy chủ (mật khẩu dùng một lần); các phiên đăng nhập của tài khoản đã đóng.');
  });

  it("an admin's reset of a staff password lets them sign in at once despite their wrong tries", async () => {
    const t = await start();
    addUser(t.app, 'admin1', ['admin']);
    addUser(t.app, 'lan', ['editor'], 'pho-hien');
    await lockOut(t.url, '10.0.0.8', 'lan');
    const a = new AdminClient(t.url, '10.0.0.1');
    await a.login('admin1', 'admin1-mat-khau-1');
    const page = await a.post('/admin/users/lan/reset');
    const pw = /data-one-time-password>([^<]+)</.exec(page.text)![1]!;
    expect((await new AdminClient(t.url, '10.0.0.8').login('lan', pw)).status).toBe(303);
  });

  it('the last enabled admin cannot be disabled or demoted from the CLI; with a second admin it can', async () => {
    const t = await start();
    // 'admin' is the first admin, made at the first start.
    expect(getUserByName(t.app.db, 'admin')!.roles).toEqual(['admin']);
    addUser(t.app, 'cu', ['admin']);
    expect((await cli(t, ['disable', 'cu'])).code).toBe(0);
    const refused = await cli(t, ['disable', 'admin']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/quản trị cuối cùng.*loa user add/s);
    expect(getUserByName(t.app.db, 'admin')!.disabledAt).toBeNull();
    const demote = await cli(t, ['role', 'admin', '--role', 'editor']);
    expect(demote.code).toBe(2);
    expect(getUserByName(t.app.db, 'admin')!.roles).toEqual(['admin']);
    // Nothing refused was audited as done.
    expect(listAudit(t.app.db, { action: 'user.role' })).toHaveLength(0);
    expect(await cli(t, ['add', 'moi', '--role', 'admin,approver', '--region', 'pho-hien'])).toMatchObject({ code: 0 });
    expect(listAudit(t.app.db, { action: 'user.add' })[0]!.details?.text).toBe('Vai trò: Quản trị, Phê duyệt. Địa bàn: Phường Phố Hiến (pho-hien).');
    expect((await cli(t, ['role', 'admin', '--role', 'editor,approver'])).code).toBe(0);
    const e = listAudit(t.app.db, { action: 'user.role' })[0]!;
    expect(e.details?.text).toBe('Vai trò: Quản trị → Biên tập, Phê duyệt. Địa bàn giữ nguyên: mọi địa bàn.');
    expect(e.details?.osUser).toBeTruthy();
    const list = await cli(t, ['list']);
    expect(list.out).toMatch(/^Tài khoản\s+Vai trò\s+Địa bàn\s+Trạng thái/);
    expect(list.out).toMatch(/cu\s+admin\s+mọi địa bàn\s+đã khoá/);
  });

  it("a commune officer moved to another commune and made approver: the audit says from what to what, by whom", async () => {
    const t = await start();
    addUser(t.app, 'admin1', ['admin']);
    addUser(t.app, 'hoa', ['editor'], 'pho-hien');
    const a = new AdminClient(t.url, '10.0.0.1');
    await a.login('admin1', 'admin1-mat-khau-1');
    const region = 'hong-chau';
    const res = await a.post('/admin/users/hoa', { displayName: 'Nguyễn Thị Hoa', roles: ['editor', 'approver'], region });
    expect(res.status).toBe(303);
    const e = listAudit(t.app.db, { action: 'user.role' })[0]!;
    expect(e.actor).toBe('admin1');
    expect(e.details?.text).toBe(
      'Vai trò: Biên tập → Biên tập, Phê duyệt. Địa bàn: Phường Phố Hiến → Phường Hồng Châu. Tên hiển thị: (không có) → Nguyễn Thị Hoa.',
    );
    // Saving the row unchanged is not a change in the log.
    await a.post('/admin/users/hoa', { displayName: 'Nguyễn Thị Hoa', roles: ['editor', 'approver'], region });
    expect(listAudit(t.app.db, { action: 'user.role' })).toHaveLength(1);
  });

  it("someone leaving: disabling says what they still have under way, and the audit keeps it", async () => {
    const t = await start();
    addUser(t.app, 'admin1', ['admin']);
    addUser(t.app, 'minh', ['broadcaster']);
    insertCampaign(t.app.db, { text: 'Bản nháp', channels: ['telegram'], author: 'minh' });
    const sub = insertCampaign(t.app.db, { text: 'Chờ duyệt', channels: ['telegram'], author: 'minh' });
    transitionCampaign(t.app.db, sub, ['draft'], 'submitted');
    const a = new AdminClient(t.url, '10.0.0.1');
    await a.login('admin1', 'admin1-mat-khau-1');
    const res = await a.post('/admin/users/minh/disable');
    expect(res.status).toBe(303);
    const page = await a.get(res.location!);
    expect(page.text).toContain('1 chiến dịch còn là bản nháp; 1 chiến dịch chờ phê duyệt');
    const e = listAudit(t.app.db, { action: 'user.disable' })[0]!;
    expect(String(e.details?.text)).toContain("Việc còn dở của 'minh'");
  });

  it('a refused new account says what is wrong in staff words, on the form', async () => {
    const t = await start();
    addUser(t.app, 'admin1', ['admin']);
    const a = new AdminClient(t.url, '10.0.0.1');
    await a.login('admin1', 'admin1-mat-khau-1');
    const bad = await a.post('/admin/users', { username: 'nguyễn.hoa', roles: ['editor'] });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/role="alert">Tên đăng nhập dài 2–32 ký tự/);
    expect(bad.text).not.toContain('user:');
    const region = await a.post('/admin/users', { username: 'hoa', roles: ['editor'], region: 'khong-co' });
    expect(region.status).toBe(400);
    expect(region.text).toContain('Không có địa bàn &#39;khong-co&#39;');
    expect(region.text).toContain('Thêm tài khoản');
    expect(getUserByName(t.app.db, 'hoa')).toBeUndefined();
    // The name of someone who left: said so, with what to do.
    await a.post('/admin/users', { username: 'cu.lan', roles: ['editor'] });
    await a.post('/admin/users/cu.lan/disable');
    const again = await a.post('/admin/users', { username: 'cu.lan', roles: ['editor'] });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Đó là tài khoản đã khoá');
    expect(again.text).toContain('mở khoá tài khoản ấy; nếu là người khác, chọn tên khác');
  });

  it('the account list says when each account last signed in, so the unused ones stand out after a year', async () => {
    const t = await start();
    addUser(t.app, 'admin1', ['admin']);
    addUser(t.app, 'cu', ['viewer']);
    const a = new AdminClient(t.url, '10.0.0.1');
    await a.login('admin1', 'admin1-mat-khau-1');
    const page = await a.get('/admin/users');
    const rowOf = (name: string): string => page.text.split('<tr>').find((r) => r.includes(`<strong>${name}</strong>`))!;
    expect(rowOf('admin1')).toMatch(/data-last-login>Đăng nhập lần cuối: \d\d:\d\d \d\d\/\d\d\/\d{4}</);
    expect(rowOf('cu')).toContain('data-last-login>Chưa đăng nhập lần nào<');
    // Disabling asks first (it signs the person out at once).
    expect(rowOf('cu')).toContain('data-confirm="Khoá tài khoản cu?');
    // One's own password is not reset from the list (it ended one's own session under the page).
    const self = await a.post('/admin/users/admin1/reset');
    expect(self.status).toBe(400);
    expect(self.text).toContain('dùng &quot;Đổi mật khẩu&quot;');
    expect((await a.get('/admin/users')).status).toBe(200);
  });

  it("two admins on the list at once: the second's stale row does not undo the first's change unseen", async () => {
    const t = await start();
    addUser(t.app, 'admin1', ['admin']);
    addUser(t.app, 'admin2', ['admin']);
    addUser(t.app, 'hoa', ['editor'], 'pho-hien');
    const a = new AdminClient(t.url, '10.0.0.1');
    const b = new AdminClient(t.url, '10.0.0.2');
    await a.login('admin1', 'admin1-mat-khau-1');
    await b.login('admin2', 'admin2-mat-khau-1');
    const wasOf = (html: string): string => {
      const row = html.split('<tr>').find((r) => r.includes('<strong>hoa</strong>'))!;
      const v = /name="was" value="([^"]*)"/.exec(row)![1]!;
      return v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    };
    const pageA = await a.get('/admin/users');
    const pageB = await b.get('/admin/users');
    expect((await a.post('/admin/users/hoa', { was: wasOf(pageA.text), roles: ['approver'], region: 'pho-hien' })).status).toBe(303);
    const stale = await b.post('/admin/users/hoa', { was: wasOf(pageB.text), roles: ['editor', 'viewer'], region: 'pho-hien' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('vừa được người khác sửa');
    expect(getUserByName(t.app.db, 'hoa')!.roles).toEqual(['approver']);
    // Seen again, the change goes through.
    const again = await b.get('/admin/users');
    expect((await b.post('/admin/users/hoa', { was: wasOf(again.text), roles: ['editor', 'viewer'], region: 'pho-hien' })).status).toBe(303);
    expect(listAudit(t.app.db, { action: 'user.role' }).map((e) => e.actor)).toEqual(['admin2', 'admin1']);
  });

  it("the dashboard names the channels as staff know them ('Zalo OA', not 'zalo')", async () => {
    const t = await start();
    addUser(t.app, 'admin1', ['admin']);
    const p = upsertPerson(t.app.db, 'zalo', 'z-1');
    subscribe(t.app.db, p.id, [], null);
    const a = new AdminClient(t.url, '10.0.0.1');
    await a.login('admin1', 'admin1-mat-khau-1');
    const page = await a.get('/admin');
    expect(page.text).toContain('<span class="tag">Zalo OA: 1</span>');
    expect(page.text).not.toContain('<span class="tag">zalo:');
  });

  it('after a year: the list filters by name (diacritics ignored), commune, and accounts nobody has used for 90 days', async () => {
    let now = Date.parse('2026-01-05T02:00:00Z');
    const t = await startAdminApp({ now: () => new Date(now) });
    close = t.close;
    addUser(t.app, 'quantri', ['admin']);
    for (const [name, region] of [['nguyen.lan', 'pho-hien'], ['tran.hung', 'hong-chau'], ['le.mai', 'pho-hien']] as const)
      createUser(t.app.db, { username: name, roles: ['editor'], region, password: `${name}-mat-khau-1`, displayName: name === 'nguyen.lan' ? 'Nguyễn Thị Lan' : undefined }, new Date(now));
    // Lan and Hùng sign in in January; only Lan again in November.
    expect((await new AdminClient(t.url).login('nguyen.lan', 'nguyen.lan-mat-khau-1')).status).toBe(303);
    expect((await new AdminClient(t.url).login('tran.hung', 'tran.hung-mat-khau-1')).status).toBe(303);
    now = Date.parse('2026-11-20T02:00:00Z');
    expect((await new AdminClient(t.url).login('nguyen.lan', 'nguyen.lan-mat-khau-1')).status).toBe(303);
    const a = new AdminClient(t.url);
    await a.login('quantri', 'quantri-mat-khau-1');
    const names = (html: string): string[] => [...html.matchAll(/<td><strong>([^<]+)<\/strong>/g)].map((m) => m[1]!);
    expect(names((await a.get('/admin/users?q=nguyen')).text)).toEqual(['nguyen.lan']);
    expect(names((await a.get(`/admin/users?q=${encodeURIComponent('Thị Lan')}`)).text)).toEqual(['nguyen.lan']);
    expect(names((await a.get('/admin/users?diaban=pho-hien')).text)).toEqual(['le.mai', 'nguyen.lan']);
    const idle = await a.get('/admin/users?trangthai=lau-khong-dung');
    expect(names(idle.text)).toEqual(['le.mai', 'tran.hung']);
    expect(idle.text).toContain('Hiện 2 trong 5 tài khoản.');
    const none = await a.get('/admin/users?q=khong-ai');
    expect(none.text).toContain('Không có tài khoản nào khớp bộ lọc này');
    expect((await a.get('/admin/users?trangthai=bad')).status).toBe(200);
    // Locking one of them from the filtered list comes back to the filtered list.
    const back = /name="back" value="([^"]*)"/.exec(idle.text)![1]!.replace(/&amp;/g, '&');
    expect(back).toBe('trangthai=lau-khong-dung');
    const locked = await a.post('/admin/users/tran.hung/disable', { back });
    expect(locked.status).toBe(303);
    expect(locked.location).toMatch(/^\/admin\/users\?trangthai=lau-khong-dung&msg=/);
    expect(names((await a.get(locked.location!)).text)).toEqual(['le.mai']);
  });
});
