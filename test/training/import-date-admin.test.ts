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
