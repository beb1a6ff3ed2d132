/**
 * The admin import page takes the day the file's changes count from, as `loa training import
 * --date` does (one rule: training/import.ts readImportDate). Before, only the CLI had it: staff
 * learning in September that an official moved unit on 1 July could only import "from today",
 * and the months between counted the official in the old unit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOfficials, trainingCoverage } from '../../src/db/training.js';
import { loadTraining } from '../../src/training/definition.js';
import { vietnamInstant } from '../../src/time/vietnam.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';

const groups = loadTraining('content').groups;
const HEAD = 'Họ và tên;Đơn vị;Nhóm đối tượng;Địa bàn;Kênh;Mã tài khoản';
const file = (unit: string) => `${HEAD}\r\nNguyễn Thị Hoa;${unit};Cán bộ làm công tác quyền con người;;telegram;9301\r\n`;
const units = (db: Parameters<typeof trainingCoverage>[0], at: Date) =>
  trainingCoverage(db, groups, { at })
    .find((g) => g.groupId === 'quyen-con-nguoi')!
    .units.map((u) => u.unit);

describe('the admin import page: "Áp dụng từ ngày"', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let staff: AdminClient;
  beforeAll(async () => {
    t = await startAdminApp();
    staff = new AdminClient(t.url);
    expect((await staff.login('tochuc', addUser(t.app, 'tochuc', ['quiz_organizer']))).status).toBe(303);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts a move from the day typed, says so, and audits it', async () => {
    const today = new Date();
    // Last year's days: always in the past, whenever the test runs.
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(today)) - 1;
    // Imported on 2 January, moved on 1 July; staff import the new unit later with that day.
    const page = await staff.get('/admin/training/import');
    expect(page.text).toContain('Áp dụng từ ngày (ngày/tháng/năm)');
    expect((await staff.post('/admin/training/import', { csv: file('UBND xã Nghĩa Trụ'), date: `02/01/${year}` })).status).toBe(303);
    await staff.get('/admin/training/import');
    const moved = await staff.post('/admin/training/import', { csv: file('UBND phường Phố Hiến'), date: `01/07/${year}` });
    expect(moved.status).toBe(303);
    const msg = decodeURIComponent(moved.location ?? '');
    expect(msg).toContain(`1 người đổi nhóm đối tượng hoặc đơn vị: được tính theo nhóm, đơn vị mới từ ngày 01/07/${year}`);
    expect(units(t.app.db, vietnamInstant(year, 3, 1))).toEqual(['UBND xã Nghĩa Trụ']);
    expect(units(t.app.db, vietnamInstant(year, 7, 2))).toEqual(['UBND phường Phố Hiến']);
    const audit = t.app.db.prepare(`SELECT details FROM audit WHERE action = 'training.import' ORDER BY id DESC LIMIT 1`).pluck().get() as string;
    expect(JSON.parse(audit)).toMatchObject({ from: `01/07/${year}`, moved: 1 });
  });

  it('refuses a day that does not exist or is to come, in Vietnamese, keeping what was typed', async () => {
    const before = listOfficials(t.app.db).map((o) => o.unit);
    await staff.get('/admin/training/import');
    const bad = await staff.post('/admin/training/import', { csv: file('Sở Tư pháp'), date: '31/02/2026' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Áp dụng từ ngày: ');
    expect(bad.text).toContain('value="31/02/2026"');
    expect(bad.text).toContain('Sở Tư pháp');
    await staff.get('/admin/training/import');
    const later = await staff.post('/admin/training/import', { csv: file('Sở Tư pháp'), date: '01/01/2099' });
    expect(later.status).toBe(400);
    expect(later.text).toContain('Áp dụng từ ngày: ngày áp dụng không được sau hôm nay; để trống ô này để áp dụng từ hôm nay');
    expect(listOfficials(t.app.db).map((o) => o.unit)).toEqual(before);
  });
});

describe('the officials page: "Ngày chuyển công tác" when taking an official off the list', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let staff: AdminClient;
  beforeAll(async () => {
    t = await startAdminApp();
    staff = new AdminClient(t.url);
    expect((await staff.login('tochuc', addUser(t.app, 'tochuc', ['quiz_organizer']))).status).toBe(303);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts the official until the day typed, refuses a day before the listing or to come, and blank is today', async () => {
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date())) - 1;
    await staff.get('/admin/training/import');
    const two = `${HEAD}\r\nNguyễn Thị Hoa;UBND xã Nghĩa Trụ;Cán bộ làm công tác quyền con người;;telegram;9301\r\nLê Văn Đức;Sở Tư pháp;Cán bộ làm công tác quyền con người;;telegram;9302\r\n`;
    expect((await staff.post('/admin/training/import', { csv: two, date: `02/01/${year}` })).status).toBe(303);
    const [hoa, duc] = ['9301', '9302'].map((x) => listOfficials(t.app.db).find((o) => o.externalId === x)!);
    const page = await staff.get('/admin/training/officials');
    expect(page.text).toContain('Ngày chuyển công tác (ngày/tháng/năm)');
    // Before the listing, or a day to come: refused, nothing changes.
    const early = await staff.post(`/admin/training/officials/${hoa!.id}/remove`, { date: `01/01/${year}` });
    expect(decodeURIComponent(early.location ?? '')).toContain(`Ngày chuyển công tác: cán bộ Nguyễn Thị Hoa được tính trong danh sách từ ngày 02/01/${year}`);
    await staff.get('/admin/training/officials');
    const later = await staff.post(`/admin/training/officials/${hoa!.id}/remove`, { date: '01/01/2099' });
    expect(decodeURIComponent(later.location ?? '')).toContain('Ngày chuyển công tác: ngày chuyển công tác không được sau hôm nay');
    expect(listOfficials(t.app.db)).toHaveLength(2);
    // She left on 1 July: counted in March, not in August; the year's end counts one official.
    await staff.get('/admin/training/officials');
    const left = await staff.post(`/admin/training/officials/${hoa!.id}/remove`, { date: `01/07/${year}` });
    expect(decodeURIComponent(left.location ?? '')).toContain(`Đã đưa Nguyễn Thị Hoa (UBND xã Nghĩa Trụ) ra khỏi danh sách từ 01/07/${year}`);
    const officials = (at: Date) => trainingCoverage(t.app.db, groups, { at }).find((g) => g.groupId === 'quyen-con-nguoi')!.officials;
    expect(officials(vietnamInstant(year, 3, 1))).toBe(2);
    expect(officials(vietnamInstant(year, 8, 1))).toBe(1);
    // Blank: from today (as the button did before).
    await staff.get('/admin/training/officials');
    expect((await staff.post(`/admin/training/officials/${duc!.id}/remove`, {})).status).toBe(303);
    expect(officials(vietnamInstant(year, 12, 31))).toBe(1);
    expect(listOfficials(t.app.db)).toHaveLength(0);
  });
});
