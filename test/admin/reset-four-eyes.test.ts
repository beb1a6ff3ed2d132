/**
 * The open item of the last session: an admin resets a colleague's password on "Tài khoản",
 * signs in as them with the one-time password (and sets "their" password), and so writes as one
 * account and approves as another. The reset now links the two accounts for four eyes (content
 * and campaigns) from the reset on; the sign-in and the change say in the log whose one-time
 * password it was; a one-time password expires after ONE_TIME_PASSWORD_DAYS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { listAudit } from '../../src/db/audit.js';
import { insertCampaign, transitionCampaign, getCampaign } from '../../src/db/campaigns.js';
import { createUser, getUserByName, possibleHolders, resetPassword } from '../../src/db/users.js';
import { openDb } from '../../src/db/index.js';
import { run as userCli } from '../../src/cli/user.js';
import { checkFourEyes } from '../../src/admin/four-eyes.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A clock the test moves by hand. */
function clock(start = '2026-03-02T02:00:00Z') {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

const DRAFT = { id: 'dat-lai-mat-khau', question: 'Ai duyệt câu trả lời sau khi đặt lại mật khẩu?', answer: 'Một người khác.', topics: 'ho-tich', sources: 'Quy chế' };
const DAY = 86_400_000;

async function as(url: string, name: string, password = `${name}-mat-khau-1`, ip?: string): Promise<AdminClient> {
  const c = new AdminClient(url, ip);
  expect((await c.login(name, password)).status).toBe(303);
  return c;
}

/** The admin resets `name` on the page; returns the one-time password shown. */
async function resetOnPage(admin: AdminClient, name: string): Promise<string> {
  const page = await admin.post(`/admin/users/${name}/reset`);
  expect(page.status).toBe(200);
  return /data-one-time-password>([^<]+)</.exec(page.text)![1]!;
}

/** Signs in with a one-time password and sets a password of one's own, as the page makes one. */
async function takeOver(url: string, name: string, oneTime: string, ip: string): Promise<AdminClient> {
  const c = new AdminClient(url, ip);
  const login = await c.login(name, oneTime);
  expect(login.status).toBe(303);
  expect(login.location).toBe('/admin/account/password');
  await c.get('/admin/account/password');
  const mine = `${name}-rieng-cua-toi`;
  const changed = await c.post('/admin/account/password', { current: oneTime, next: mine, confirm: mine });
  expect(changed.status).toBe(303);
  return c;
}

describe('four eyes after a password reset', { timeout: 120_000 }, () => {
  it('the admin who reset an editor cannot approve what was written as that editor; another approver can, and the page says why', async () => {
    const t = await startAdminApp({ env: { LOA_TRUST_PROXY: '127.0.0.1' } });
    close = t.close;
    addUser(t.app, 'quantri', ['admin']);
    addUser(t.app, 'lan', ['editor']);
    addUser(t.app, 'duyet', ['approver']);
    const admin = await as(t.url, 'quantri', undefined, '10.0.0.1');
    const pw = await resetOnPage(admin, 'lan');
    // The admin, not Lan, uses the one-time password (from another computer of the office).
    const asLan = await takeOver(t.url, 'lan', pw, '10.0.0.66');
    expect((await asLan.post('/admin/content/qa/new', DRAFT)).status).toBe(303);

    // Before: 303, the draft approved by the same person who wrote it.
    const refused = await admin.post(`/admin/content/qa/${DRAFT.id}/approve`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Không phê duyệt được (hai người: một người soạn, một người duyệt)');
    expect(refused.text).toMatch(/mật khẩu của 'lan' được đặt lại bởi 'quantri' lúc \d\d:\d\d \d\d\/\d\d\/\d{4}; đăng nhập lần đầu bằng mật khẩu đó lúc .* từ 10\.0\.0\.66/);
    expect(t.app.knowledge.getQa(DRAFT.id)?.status).toBe('draft');
    // The entry page shows no button to the admin, and the reset to every approver.
    const page = await admin.get(`/admin/content/qa/${DRAFT.id}`);
    expect(page.text).not.toContain(`action="/admin/content/qa/${DRAFT.id}/approve"`);
    expect(page.text).toContain('data-four-eyes-reset');
    const other = await as(t.url, 'duyet');
    const seen = await other.get(`/admin/content/qa/${DRAFT.id}`);
    expect(seen.text).toContain('data-reset-note>Lưu ý: mật khẩu của &#39;lan&#39; được đặt lại bởi &#39;quantri&#39;');
    expect(seen.text).toContain(`action="/admin/content/qa/${DRAFT.id}/approve"`);
    // The bulk approval leaves it out for the admin, with the reason.
    const many = await admin.get('/admin/content/approve-many');
    const row = many.text.split('<article').find((r) => r.includes(`data-draft="qa:${DRAFT.id}"`))!;
    expect(row).not.toContain('name="pick"');
    expect(row).toContain('Không duyệt được (đặt lại mật khẩu)');
    expect((await other.post(`/admin/content/qa/${DRAFT.id}/approve`)).status).toBe(303);

    // The log says whose one-time password signed in, and that it was replaced.
    const login = listAudit(t.app.db, { action: 'login.ok' }).find((e) => e.actor === 'lan')!;
    expect(login.details?.text).toMatch(/^Đăng nhập bằng mật khẩu dùng một lần do 'quantri' đặt lúc/);
    expect(login.ip).toBe('10.0.0.66');
    const change = listAudit(t.app.db, { action: 'user.passwd' }).find((e) => e.actor === 'lan')!;
    expect(change.details?.text).toMatch(/^Thay mật khẩu dùng một lần \(do 'quantri' đặt lúc .*\) bằng mật khẩu riêng\.$/);
    // The account list shows the reset, and who signed in with it from where.
    const list = await admin.get('/admin/users');
    const lanRow = list.text.split('<tr>').find((r) => r.includes('<strong>lan</strong>'))!;
    expect(lanRow).toMatch(/data-password-set>Mật khẩu đặt lại bởi quantri lúc .*; đã đổi thành mật khẩu riêng lúc .* \(đăng nhập đầu từ 10\.0\.0\.66\)/);
    const reset = listAudit(t.app.db, { action: 'user.passwd' }).find((e) => e.actor === 'quantri')!;
    expect(reset.details?.text).toContain('người đặt lại không phê duyệt được việc');
  });

  it('the other way round: the reset account cannot approve what its resetter wrote, nor a campaign', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'quantri', ['admin']);
    addUser(t.app, 'hung', ['approver']);
    const admin = await as(t.url, 'quantri');
    expect((await admin.post('/admin/content/qa/new', DRAFT)).status).toBe(303);
    const id = insertCampaign(t.app.db, { text: 'Lịch tiêm chủng tháng 3', channels: ['telegram'], author: 'quantri' });
    transitionCampaign(t.app.db, id, ['draft'], 'submitted');
    const asHung = await takeOver(t.url, 'hung', await resetOnPage(admin, 'hung'), '10.0.0.9');

    const refused = await asHung.post(`/admin/content/qa/${DRAFT.id}/approve`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("mật khẩu của 'hung' được đặt lại bởi 'quantri'");
    const campaign = await asHung.post(`/admin/campaigns/${id}/approve`);
    expect(campaign.status).toBeGreaterThanOrEqual(400);
    expect(campaign.text).toContain('không duyệt được chiến dịch');
    expect(getCampaign(t.app.db, id)!.status).toBe('submitted');
  });

  it('the admin who reset a broadcaster cannot approve a campaign written as them', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'quantri', ['admin']);
    addUser(t.app, 'minh', ['broadcaster']);
    const admin = await as(t.url, 'quantri');
    await takeOver(t.url, 'minh', await resetOnPage(admin, 'minh'), '10.0.0.9');
    const id = insertCampaign(t.app.db, { text: 'Tin do minh soạn sau khi đặt lại', channels: ['telegram'], author: 'minh' });
    transitionCampaign(t.app.db, id, ['draft'], 'submitted');
    const page = await admin.get(`/admin/campaigns/${id}`);
    expect(page.text).not.toContain(`action="/admin/campaigns/${id}/approve"`);
    expect(page.text).toContain('data-four-eyes-reset>Bạn không phê duyệt được chiến dịch này: mật khẩu của &#39;minh&#39; được đặt lại bởi &#39;quantri&#39;');
    expect(page.text).toContain(`action="/admin/campaigns/${id}/reject"`);
    const res = await admin.post(`/admin/campaigns/${id}/approve`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.text).toContain("mật khẩu của 'minh' được đặt lại bởi 'quantri'");
    expect(getCampaign(t.app.db, id)!.status).toBe('submitted');
  });

  it('a one-time password stops working after the days it is given for, with what to do', async () => {
    const k = clock();
    const t = await startAdminApp({ now: k.now });
    close = t.close;
    addUser(t.app, 'quantri', ['admin']);
    addUser(t.app, 'lan', ['editor']);
    const admin = await as(t.url, 'quantri');
    const pw = await resetOnPage(admin, 'lan');
    k.advance(3 * DAY + 60_000);
    const c = new AdminClient(t.url);
    const res = await c.login('lan', pw);
    expect(res.status).toBe(401);
    expect(res.text).toContain('Mật khẩu dùng một lần này đã hết hạn lúc');
    expect(res.text).toContain('Hãy nhờ quản trị viên đặt lại mật khẩu một lần nữa.');
    expect(listAudit(t.app.db, { action: 'login.expired' })).toHaveLength(1);
    await admin.login('quantri', 'quantri-mat-khau-1');
    expect((await admin.get('/admin/users')).text).toContain('data-expired>Mật khẩu dùng một lần đã hết hạn');
    // A new reset works at once, and a password of one's own never expires.
    await admin.login('quantri', 'quantri-mat-khau-1');
    const again = await resetOnPage(admin, 'lan');
    const lan = await takeOver(t.url, 'lan', again, '10.0.0.5');
    k.advance(30 * DAY);
    expect((await lan.login('lan', 'lan-rieng-cua-toi')).status).toBe(303);
    // A new account's one-time password expires too.
    await admin.login('quantri', 'quantri-mat-khau-1');
    const created = await admin.post('/admin/users', { username: 'moi', roles: ['viewer'] });
    const first = /data-one-time-password>([^<]+)</.exec(created.text)![1]!;
    k.advance(4 * DAY);
    expect((await new AdminClient(t.url).login('moi', first)).status).toBe(401);
  });

  it('who may hold an account: the reset before the changes began and every one after; a later reset by someone else ends the first', () => {
    const db = openDb(':memory:');
    for (const u of ['an', 'bao', 'cuc', 'xuan']) createUser(db, { username: u, roles: ['admin'], password: `${u}-mat-khau-dai` });
    const id = getUserByName(db, 'bao')!.id;
    resetPassword(db, id, 'mot-lan-1-dai', true, 'an', new Date('2026-01-10T00:00:00Z'));
    resetPassword(db, id, 'mot-lan-2-dai', true, 'cuc', new Date('2026-02-10T00:00:00Z'));
    const by = (since: string): string[] => possibleHolders(db, 'bao', since).map((r) => r.setBy);
    expect(by('2026-01-01T00:00:00Z')).toEqual(['an', 'cuc']);
    expect(by('2026-01-20T00:00:00Z')).toEqual(['an', 'cuc']);
    expect(by('2026-03-01T00:00:00Z')).toEqual(['cuc']);
    // Whoever held c's account when c reset b's may hold b's too.
    resetPassword(db, getUserByName(db, 'cuc')!.id, 'mot-lan-3-dai', true, 'xuan', new Date('2026-02-01T00:00:00Z'));
    expect(by('2026-03-01T00:00:00Z')).toEqual(['cuc', 'xuan']);
    // A reset of cuc's account after cuc reset bao's says nothing about who did that.
    resetPassword(db, getUserByName(db, 'cuc')!.id, 'mot-lan-4-dai', true, 'an', new Date('2026-02-20T00:00:00Z'));
    expect(by('2026-03-01T00:00:00Z')).toEqual(['cuc', 'xuan']);
    db.close();
  });

  it('a reset from the server is counted as the server operator, and `loa user add` one-time passwords expire', async () => {
    const t = await startAdminApp();
    close = t.close;
    const out: string[] = [];
    const cli = (args: string[]) => userCli(args, { db: t.app.db, contentDir: t.contentDir, out: (s) => out.push(s), err: (s) => out.push(s) });
    expect(await cli(['add', 'tam', '--role', 'editor'])).toBe(0);
    expect(getUserByName(t.app.db, 'tam')!.passwordExpiresAt).not.toBeNull();
    expect(await cli(['passwd', 'tam'])).toBe(0);
    expect(possibleHolders(t.app.db, 'tam', '2000-01-01T00:00:00Z').map((r) => r.setBy)).toEqual(['cli']);
    // The only admin's password reset on the server, then an editor's by that admin, and an
    // approver's on the server: the operator may be behind all three, and the refusal says how.
    expect(await cli(['passwd', 'admin'])).toBe(0);
    createUser(t.app.db, { username: 'lan', roles: ['editor'], password: 'lan-mat-khau-1' });
    resetPassword(t.app.db, getUserByName(t.app.db, 'lan')!.id, 'mot-lan-dai-1', true, 'admin');
    createUser(t.app.db, { username: 'hung', roles: ['approver'], password: 'hung-mat-khau-1' });
    expect(await cli(['passwd', 'hung'])).toBe(0);
    const c = checkFourEyes(t.app.db, 'hung', ['lan'], '2000-01-01T00:00:00Z');
    expect(c.refusal).toMatch(/mật khẩu của 'lan' được đặt lại bởi 'admin' lúc .*; mật khẩu của 'admin' được đặt lại trên máy chủ \(loa user passwd\) lúc .*; mật khẩu của 'hung' được đặt lại trên máy chủ/);
  });

  it('the person signing in with a one-time password sees who set it and its first use, so a sign-in before theirs shows', async () => {
    const t = await startAdminApp({ env: { LOA_TRUST_PROXY: '127.0.0.1' } });
    close = t.close;
    addUser(t.app, 'quantri', ['admin']);
    addUser(t.app, 'lan', ['editor']);
    const admin = await as(t.url, 'quantri', undefined, '10.0.0.1');
    const pw = await resetOnPage(admin, 'lan');
    // Someone signs in with it from another computer and goes away without changing it.
    expect((await new AdminClient(t.url, '10.0.0.66').login('lan', pw)).status).toBe(303);
    const lan = new AdminClient(t.url, '10.0.0.8');
    expect((await lan.login('lan', pw)).status).toBe(303);
    const page = await lan.get('/admin/account/password');
    expect(page.text).toMatch(/data-one-time-origin>Mật khẩu dùng một lần này do quantri đặt lúc .*; được dùng để đăng nhập lần đầu lúc .* từ 10\.0\.0\.66\. Nếu lần đăng nhập đó không phải của bạn, hãy báo ngay cho một quản trị viên khác\./);
  });
});
