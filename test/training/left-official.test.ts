/**
 * An official who left mid-year, taken off the list with the day they left, while the office
 * keeps their row in its Excel sheet. Importing the sheet again used to put them back on the
 * list, silently, and with them the year they had left (seen in the office trial: the 2026
 * report of "Cán bộ làm công tác quyền con người" went from 2/3 = 66,7%, the hand count, to
 * 3/4 = 75% after a routine re-import). They now stay off, staff are told by line, and
 * `--include-removed` (the admin page's box) brings back one who returned.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/training.js';
import { openDb } from '../../src/db/index.js';
import { listOfficials, trainingCoverage } from '../../src/db/training.js';
import { loadTraining } from '../../src/training/definition.js';
import { vietnamInstant } from '../../src/time/vietnam.js';
import { tempDir } from '../support/app.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';

const groups = loadTraining('content').groups;
const HEAD = '\uFEFFHọ và tên;Đơn vị;Nhóm đối tượng;Địa bàn;Kênh;Mã tài khoản';
const ROWS = [
  'Nguyễn Thị Hoa;UBND phường Phố Hiến;Cán bộ làm công tác quyền con người;Phường Phố Hiến;telegram;9301',
  'Lê Văn Đức;Sở Tư pháp;Cán bộ làm công tác quyền con người;;telegram;9303',
  'Phạm Thị Lan;UBND xã Nghĩa Trụ;Cán bộ làm công tác quyền con người;;telegram;9304',
];
const FILE = [HEAD, ...ROWS].join('\r\n') + '\r\n';
const hr = (db: ReturnType<typeof openDb>, at?: Date) => trainingCoverage(db, groups, at ? { at } : {}).find((g) => g.groupId === 'quyen-con-nguoi')!;

describe('loa training import after an official left', () => {
  it('keeps them off the list and says so by line; --include-removed brings them back', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const config = { dataDir: dir, contentDir: 'content' };
      const path = join(dir, 'can-bo.csv');
      writeFileSync(path, FILE);
      const cli = async (args: string[], now: Date): Promise<{ code: number; out: string }> => {
        const out: string[] = [];
        const code = await run(args, { db, config, out: (s) => out.push(s), err: (s) => out.push(s), now });
        return { code, out: out.join('\n') };
      };
      expect((await cli(['import', path], vietnamInstant(2026, 1, 5))).code).toBe(0);
      expect((await cli(['remove', 'telegram', '9304', '--date', '01/07/2026'], vietnamInstant(2026, 9, 1))).code).toBe(0);
      const yearEnd = vietnamInstant(2027, 1, 1);
      expect(hr(db, yearEnd).officials).toBe(2);
      // December: the office imports its sheet again, Lan's row still in it.
      const again = await cli(['import', path], vietnamInstant(2026, 12, 2));
      expect(again.code).toBe(0);
      expect(again.out).toContain('Đã nhập 2 cán bộ: 0 người mới, 2 người đã có được cập nhật.');
      expect(again.out).toContain('Không nhập lại 1 cán bộ đã được đưa ra khỏi danh sách (chuyển công tác)');
      expect(again.out).toContain('dòng 4: Phạm Thị Lan (UBND xã Nghĩa Trụ), telegram 9304, từ 01/07/2026');
      expect(again.out).toContain('--include-removed');
      expect(hr(db, yearEnd).officials).toBe(2);
      expect(listOfficials(db).map((o) => o.externalId)).toEqual(['9303', '9301']);
      // She came back: staff say so.
      const back = await cli(['import', path, '--include-removed'], vietnamInstant(2027, 2, 1));
      expect(back.out).toContain('Đã nhập 3 cán bộ: 0 người mới, 3 người đã có được cập nhật (trong đó 1 người được đưa lại vào danh sách).');
      expect(listOfficials(db)).toHaveLength(3);
      expect((await cli(['import', path, 'thua'], vietnamInstant(2027, 2, 1))).code).toBe(2);
    } finally {
      db.close();
      cleanup();
    }
  });
});

describe('the admin import page after an official left', () => {
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

  it('keeps them off unless the box is ticked, and says who and since when', async () => {
    const page = await staff.get('/admin/training/import');
    expect(page.text).toContain('Đưa lại vào danh sách cán bộ đã đưa ra');
    await staff.post('/admin/training/import', { csv: FILE });
    const lan = listOfficials(t.app.db).find((o) => o.externalId === '9304')!;
    await staff.get('/admin/training/officials');
    expect((await staff.post(`/admin/training/officials/${lan.id}/remove`)).status).toBe(303);
    await staff.get('/admin/training/import');
    const again = await staff.post('/admin/training/import', { csv: FILE });
    const msg = decodeURIComponent(again.location ?? '');
    expect(msg).toContain('Đã nhập 2 cán bộ');
    expect(msg).toContain('Không nhập lại 1 cán bộ đã được đưa ra khỏi danh sách');
    expect(msg).toContain('Phạm Thị Lan (UBND xã Nghĩa Trụ), telegram 9304');
    expect(msg).toContain('đánh dấu ô “Đưa lại vào danh sách cán bộ đã đưa ra”');
    expect(listOfficials(t.app.db).map((o) => o.externalId)).not.toContain('9304');
    await staff.get('/admin/training/import');
    const back = await staff.post('/admin/training/import', { csv: FILE, back: '1' });
    expect(decodeURIComponent(back.location ?? '')).toContain('trong đó 1 người được đưa lại vào danh sách');
    expect(listOfficials(t.app.db).map((o) => o.externalId)).toContain('9304');
  });
});
