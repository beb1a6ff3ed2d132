/**
 * Officials trained in person (a conference, a class the office ran) count toward the plan's
 * target as a passed test does: `loa training trained KÊNH MÃ --date … --note …`. Before, only
 * the bot's test could count one, so an office that trained most of a group in a hall showed the
 * group far below its target (ORG's office trial).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/training.js';
import { openDb } from '../../src/db/index.js';
import { trainingCoverage } from '../../src/db/training.js';
import { listAudit } from '../../src/db/audit.js';
import { loadTraining } from '../../src/training/definition.js';
import { vietnamInstant } from '../../src/time/vietnam.js';
import { tempDir } from '../support/app.js';

const groups = loadTraining('content').groups;
const FILE =
  [
    '\uFEFFHọ và tên;Đơn vị;Nhóm đối tượng;Địa bàn;Kênh;Mã tài khoản',
    'Nguyễn Thị Hoa;UBND phường Phố Hiến;Cán bộ làm công tác quyền con người;Phường Phố Hiến;telegram;9401',
    'Lê Văn Đức;Sở Tư pháp;Cán bộ làm công tác quyền con người;;telegram;9402',
  ].join('\r\n') + '\r\n';
const group = (db: ReturnType<typeof openDb>, at?: Date) => trainingCoverage(db, groups, at ? { at } : {}).find((g) => g.groupId === 'quyen-con-nguoi')!;

describe('loa training trained', () => {
  it('counts an official trained in person from that day, once, and audits it with the session', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'can-bo.csv');
      writeFileSync(path, FILE);
      const cli = async (args: string[], now = vietnamInstant(2026, 11, 20)): Promise<{ code: number; out: string }> => {
        const out: string[] = [];
        const code = await run(args, { db, config: { dataDir: dir, contentDir: 'content' }, out: (s) => out.push(s), err: (s) => out.push(s), now });
        return { code, out: out.join('\n') };
      };
      expect((await cli(['import', path], vietnamInstant(2026, 1, 5))).code).toBe(0);
      expect(group(db)).toMatchObject({ officials: 2, trained: 0 });

      const note = 'Hội nghị tập huấn Đề án 1079, Sở Tư pháp';
      const r = await cli(['trained', 'telegram', '9401', '--date', '15/10/2026', '--note', note]);
      expect(r).toMatchObject({ code: 0 });
      expect(r.out).toContain('Đã ghi nhận Nguyễn Thị Hoa (UBND phường Phố Hiến) tập huấn trực tiếp ngày 15/10/2026');
      expect(group(db)).toMatchObject({ trained: 1, share: 0.5 });
      // From that day: not yet at the start of October.
      expect(group(db, vietnamInstant(2026, 10, 1)).trained).toBe(0);
      expect(listAudit(db, {}).find((e) => e.action === 'training.in_person')).toMatchObject({ details: { date: '15/10/2026', note } });

      // A second record changes nothing; an earlier day moves the first training back.
      expect((await cli(['trained', 'telegram', '9401', '--date', '20/10/2026', '--note', 'Lớp bồi dưỡng'])).out).toContain('đã được tính là đã tập huấn từ 15/10/2026');
      await cli(['trained', 'telegram', '9401', '--date', '01/09/2026', '--note', 'Lớp bồi dưỡng tháng 9']);
      expect(group(db, vietnamInstant(2026, 10, 1)).trained).toBe(1);

      // Refused with what to do: no note, a day to come, an account not on the list.
      expect((await cli(['trained', 'telegram', '9402', '--date', '15/10/2026'])).out).toContain('hãy cho biết kênh, mã tài khoản, ngày và buổi tập huấn');
      expect((await cli(['trained', 'telegram', '9402', '--date', '15/12/2026', '--note', note])).out).toContain('Ngày tập huấn không được sau hôm nay');
      expect((await cli(['trained', 'telegram', '9999', '--date', '15/10/2026', '--note', note])).out).toContain('không có cán bộ nào còn trong danh sách');
      expect(group(db).trained).toBe(1);
    } finally {
      cleanup();
      db.close();
    }
  });
});

describe('the officials page', () => {
  it('records an official trained in person from the row, and refuses a day to come with what to do', async () => {
    const { AdminClient, addUser, startAdminApp } = await import('../admin/support.js');
    const { listOfficials } = await import('../../src/db/training.js');
    const t = await startAdminApp();
    try {
      const staff = new AdminClient(t.url);
      expect((await staff.login('tochuc', addUser(t.app, 'tochuc', ['quiz_organizer']))).status).toBe(303);
      await staff.get('/admin/training/import');
      await staff.post('/admin/training/import', { csv: FILE });
      const hoa = listOfficials(t.app.db).find((o) => o.externalId === '9401')!;
      const page = await staff.get('/admin/training/officials');
      expect(page.text).toContain(`action="/admin/training/officials/${hoa.id}/trained"`);
      const future = await staff.post(`/admin/training/officials/${hoa.id}/trained`, { date: '01/01/2099', note: 'Hội nghị' });
      expect(decodeURIComponent(future.location ?? '')).toContain('Ngày tập huấn không được sau hôm nay.');
      const ok = await staff.post(`/admin/training/officials/${hoa.id}/trained`, { date: '15/10/2026', note: 'Hội nghị tập huấn Đề án 1079' });
      expect(decodeURIComponent(ok.location ?? '')).toContain('Đã ghi nhận Nguyễn Thị Hoa (UBND phường Phố Hiến) tập huấn trực tiếp ngày 15/10/2026');
      expect(group(t.app.db)).toMatchObject({ trained: 1 });
      // A day, not "00:00 15/10/2026": the record is of a day (a passed test shows its time).
      const list = (await staff.get('/admin/training/officials')).text;
      expect(list).toContain('Đã tập huấn từ 15/10/2026');
      expect(list).not.toContain('00:00 15/10/2026');
    } finally {
      await t.close();
    }
  });
});
