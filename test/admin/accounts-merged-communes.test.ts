/**
 * Commune accounts after the 2025 reorganisation: the office updates regions.yaml (the old
 * communes go, the merged ones come), and the accounts still limited to an old commune's slug
 * stay as they were until an admin moves them. Saving such a row for another reason (a name)
 * made the account province-wide: the region list had no option for the old slug, so the browser
 * sent its first one, "Mọi địa bàn".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { getUserByName } from '../../src/db/users.js';
import { listAudit } from '../../src/db/audit.js';
import { run as userCli } from '../../src/cli/user.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** What a browser submits for a row's `<select name="region">`: the selected option, else the first. */
function submittedRegion(row: string): string {
  const select = /<select name="region"[^>]*>([\s\S]*?)<\/select>/.exec(row)![1]!;
  const options = [...select.matchAll(/<option value="([^"]*)"([^>]*)>/g)];
  return (options.find((o) => o[2]!.includes('selected')) ?? options[0]!)[1]!;
}

const rowOf = (html: string, name: string): string => html.split('<tr>').find((r) => r.includes(`<strong>${name}</strong>`))!;

describe('commune accounts after communes merged', { timeout: 120_000 }, () => {
  it("a row whose commune left the regions file keeps it when saved for another reason, and the page says to choose the new one", async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'quantri', ['admin']);
    // Scoped before regions.yaml was updated: 'hien-nam' merged into Phường Phố Hiến.
    addUser(t.app, 'xa.hiennam', ['editor'], 'hien-nam');
    const a = new AdminClient(t.url);
    await a.login('quantri', 'quantri-mat-khau-1');
    const page = await a.get('/admin/users');
    expect(page.text).toContain('data-stale-regions');
    expect(page.text).toContain('xa.hiennam (hien-nam)');
    const row = rowOf(page.text, 'xa.hiennam');
    // Before: no option selected, so the browser sent '' ("Mọi địa bàn").
    expect(submittedRegion(row)).toBe('hien-nam');
    const was = /name="was" value="([^"]*)"/.exec(row)![1]!.replace(/&quot;/g, '"');
    const saved = await a.post('/admin/users/xa.hiennam', { was, displayName: 'Trần Văn Nam', roles: ['editor'], region: submittedRegion(row) });
    expect(saved.status).toBe(303);
    expect(getUserByName(t.app.db, 'xa.hiennam')).toMatchObject({ region: 'hien-nam', displayName: 'Trần Văn Nam' });
    // Another unknown slug is still refused; the new commune is accepted.
    expect((await a.post('/admin/users/xa.hiennam', { displayName: 'Trần Văn Nam', roles: ['editor'], region: 'khong-co' })).status).toBe(400);
    expect((await a.post('/admin/users/xa.hiennam', { displayName: 'Trần Văn Nam', roles: ['editor'], region: 'pho-hien' })).status).toBe(303);
    expect(getUserByName(t.app.db, 'xa.hiennam')!.region).toBe('pho-hien');
    expect((await a.get('/admin/users')).text).not.toContain('data-stale-regions');
  });

  it('the commune officer is told on every page, and `loa user list` names the command', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'xa.hiennam', ['editor'], 'hien-nam');
    const c = new AdminClient(t.url);
    await c.login('xa.hiennam', 'xa.hiennam-mat-khau-1');
    expect((await c.get('/admin')).text).toContain('hien-nam: địa bàn không còn trong danh sách, nhờ quản trị viên chọn địa bàn mới');
    const out: string[] = [];
    expect(await userCli(['list'], { db: t.app.db, contentDir: t.contentDir, out: (s) => out.push(s) })).toBe(0);
    expect(out.join('\n')).toContain("địa bàn 'hien-nam' không còn trong regions.yaml: loa user role xa.hiennam --region <mã mới>");
    // The merged commune's accounts move at once, each audited.
    addUser(t.app, 'xa.hiennam2', ['viewer'], 'hien-nam');
    out.length = 0;
    expect(await userCli(['move-region', 'hien-nam', 'pho-hien'], { db: t.app.db, contentDir: t.contentDir, out: (s) => out.push(s) })).toBe(0);
    expect(out.join('\n')).toBe("Đã chuyển 2 tài khoản từ 'hien-nam' sang Phường Phố Hiến (pho-hien): xa.hiennam, xa.hiennam2.");
    expect(getUserByName(t.app.db, 'xa.hiennam2')!.region).toBe('pho-hien');
    expect(listAudit(t.app.db, { action: 'user.role' }).map((e) => e.details?.text)).toEqual([
      'Vai trò giữ nguyên: Xem. Địa bàn: hien-nam → Phường Phố Hiến (pho-hien). (chuyển địa bàn sau sáp nhập)',
      'Vai trò giữ nguyên: Biên tập. Địa bàn: hien-nam → Phường Phố Hiến (pho-hien). (chuyển địa bàn sau sáp nhập)',
    ]);
    const err: string[] = [];
    expect(await userCli(['move-region', 'hien-nam', 'khong-co'], { db: t.app.db, contentDir: t.contentDir, out: (s) => out.push(s), err: (s) => err.push(s) })).toBe(2);
  });
});

describe("a commune's own admin", { timeout: 120_000 }, () => {
  it('manages the accounts of its commune only, and cannot widen its own or anyone’s region', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'xa.admin', ['admin'], 'pho-hien');
    addUser(t.app, 'tinh.duyet', ['approver']);
    addUser(t.app, 'xa.bien', ['editor'], 'pho-hien');
    addUser(t.app, 'khac', ['editor'], 'hong-chau');
    addUser(t.app, 'xa.cu', ['editor'], 'hien-nam');
    const a = new AdminClient(t.url);
    await a.login('xa.admin', 'xa.admin-mat-khau-1');
    const page = await a.get('/admin/users');
    expect(page.text).toContain('<strong>xa.bien</strong>');
    expect(page.text).not.toContain('<strong>tinh.duyet</strong>');
    expect(page.text).not.toContain('<strong>khac</strong>');
    // Nor the names of other communes' accounts through the merged-communes warning.
    expect(page.text).not.toContain('xa.cu');
    expect(page.text).not.toContain('<option value="">Mọi địa bàn</option>');
    // Before: 200 and the provincial approver's one-time password on the commune admin's screen.
    const reset = await a.post('/admin/users/tinh.duyet/reset');
    expect(reset.status).toBe(403);
    expect(reset.text).toContain('Bạn chỉ quản lý được tài khoản thuộc địa bàn Phường Phố Hiến');
    expect(getUserByName(t.app.db, 'tinh.duyet')!.mustChangePassword).toBe(false);
    expect((await a.post('/admin/users/khac/disable')).status).toBe(403);
    // Its own region cannot become "every region", nor can a new account's.
    expect((await a.post('/admin/users/xa.admin', { roles: ['admin'], region: '' })).status).toBe(403);
    expect(getUserByName(t.app.db, 'xa.admin')!.region).toBe('pho-hien');
    expect((await a.post('/admin/users', { username: 'moi', roles: ['editor'], region: '' })).status).toBe(403);
    expect((await a.post('/admin/users', { username: 'moi2', roles: ['editor'], region: 'hong-chau' })).status).toBe(403);
    expect(getUserByName(t.app.db, 'moi')).toBeUndefined();
    // Within the commune, as before.
    expect((await a.post('/admin/users', { username: 'moi', roles: ['editor'], region: 'pho-hien' })).status).toBe(200);
    expect((await a.post('/admin/users/xa.bien/reset')).status).toBe(200);
  });
});
