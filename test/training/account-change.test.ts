/**
 * An official who took the test from another account than the one on the list (a second
 * phone, Zalo instead of Telegram): the office edits the account in its sheet and imports the
 * file again. The import keeps the old row, so without a word the official counts twice in
 * their group (seen in the office trial: "quản lý thông tin, truyền thông" at 2/3 = 66,7%
 * where the hand count was 2/2 = 100%). The import now says which officials are on the list
 * under another account and how to take the old one off, on the CLI and on the admin page.
 * (One account in two of the plan's groups: test/training/two-groups.test.ts.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/training.js';
import { openDb } from '../../src/db/index.js';
import { listOfficials, trainingCoverage } from '../../src/db/training.js';
import { loadTraining } from '../../src/training/definition.js';
import { readOfficialsCsv, sameOfficialElsewhere } from '../../src/training/import.js';
import { flattenRegions, loadContent } from '../../src/knowledge/content.js';
import { tempDir } from '../support/app.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';

const groups = loadTraining('content').groups;
const known = { groups: new Map(groups.map((g) => [g.id, g.name])), regions: flattenRegions(loadContent('content').regions) };
const HEAD = '\uFEFFHọ và tên;Đơn vị;Nhóm đối tượng;Địa bàn;Kênh;Mã tài khoản';
const TUAN = 'Hoàng Minh Tuấn;Sở Văn hoá, Thể thao và Du lịch;Cán bộ làm công tác quản lý thông tin, truyền thông;;telegram;9305';
const khoa = (id: string, name = 'Ngô Văn Khoa') => `${name};Sở Văn hoá, Thể thao và Du lịch;Cán bộ làm công tác quản lý thông tin, truyền thông;;telegram;${id}`;
const file = (...rows: string[]) => [HEAD, ...rows].join('\r\n') + '\r\n';

describe('loa training import: an official already on the list under another account', () => {
  it('says so, with the command that takes the old account off; nothing said for updates or two people of one name', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const config = { dataDir: dir, contentDir: 'content' };
      const path = join(dir, 'can-bo.csv');
      const importFile = async (text: string): Promise<string> => {
        writeFileSync(path, text);
        const out: string[] = [];
        expect(await run(['import', path], { db, config, out: (s) => out.push(s), err: (s) => out.push(s) })).toBe(0);
        return out.join('\n');
      };
      expect(await importFile(file(TUAN, khoa('9309')))).not.toContain('Lưu ý');
      // The same file again: updates only.
      expect(await importFile(file(TUAN, khoa('9309')))).not.toContain('Lưu ý');
      // The office corrects Khoa's account in its sheet (he wrote from 9310) and imports again.
      const said = await importFile(file(TUAN, khoa('9310')));
      expect(said).toContain('1 người mới');
      expect(said).toContain('Lưu ý: 1 cán bộ trong tệp đã có trong danh sách với tài khoản khác');
      expect(said).toContain('dòng 3: Ngô Văn Khoa (Sở Văn hoá, Thể thao và Du lịch) đã có trong danh sách với tài khoản khác: telegram 9309');
      expect(said).toContain('loa training remove telegram 9309');
      // What the warning is about: without taking the old account off he counts twice.
      const tt = () => trainingCoverage(db, groups).find((g) => g.groupId === 'thong-tin-truyen-thong')!;
      expect(tt().officials).toBe(3);
      const out: string[] = [];
      expect(await run(['remove', 'telegram', '9309'], { db, config, out: (s) => out.push(s), err: (s) => out.push(s) })).toBe(0);
      expect(tt().officials).toBe(2);
      // Two people of the same name in one unit, both in the file: not the same official.
      const two = await importFile(file(TUAN, khoa('9310'), khoa('9311')));
      expect(two).not.toContain('Lưu ý');
    } finally {
      db.close();
      cleanup();
    }
  });

  it('when the old account already passed, says to keep it and take the new one off', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const config = { dataDir: dir, contentDir: 'content' };
      const path = join(dir, 'can-bo.csv');
      const importFile = async (text: string): Promise<string> => {
        writeFileSync(path, text);
        const out: string[] = [];
        expect(await run(['import', path], { db, config, out: (s) => out.push(s), err: (s) => out.push(s) })).toBe(0);
        return out.join('\n');
      };
      await importFile(file(TUAN, khoa('9309')));
      db.prepare(`UPDATE training_officials SET trained_at = '2026-06-01T03:00:00.000Z' WHERE external_id = '9309'`).run();
      const said = await importFile(file(TUAN, khoa('9310')));
      expect(said).toContain('tài khoản cũ đã tập huấn ngày 01/06/2026, nên giữ tài khoản cũ và đưa tài khoản mới telegram 9310 ra khỏi danh sách (loa training remove telegram 9310)');
      expect(said).not.toContain('loa training remove telegram 9309');
    } finally {
      db.close();
      cleanup();
    }
  });

  it('matches the name and unit whatever the letter case and spacing, not another name', () => {
    const onList = [{ id: 1, name: 'Ngô Văn Khoa', unit: 'Sở Văn hoá, Thể thao và Du lịch', groupId: 'thong-tin-truyen-thong', region: null, channel: 'telegram', externalId: '9309', personId: null, importedAt: '', updatedAt: '', removedAt: null, trainedAt: null }] as const;
    const read = (text: string) => readOfficialsCsv(text, known);
    const a = read(file(khoa('8713451786543210987', 'NGÔ  VĂN KHOA').replace('telegram', 'zalo')));
    expect(sameOfficialElsewhere(a.rows, a.lines, onList)).toMatchObject([{ line: 2, channel: 'zalo', other: { externalId: '9309' } }]);
    const b = read(file(khoa('9310', 'Ngô Văn Khôi')));
    expect(sameOfficialElsewhere(b.rows, b.lines, onList)).toEqual([]);
  });
});

describe('the admin import page', () => {
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

  it('tells staff which officials are on the list under another account, and which button takes it off', async () => {
    await staff.get('/admin/training/import');
    const first = await staff.post('/admin/training/import', { csv: file(TUAN, khoa('9309')) });
    expect(decodeURIComponent(first.location ?? '')).not.toContain('Lưu ý');
    await staff.get('/admin/training/import');
    const again = await staff.post('/admin/training/import', { csv: file(TUAN, khoa('9310')) });
    const msg = decodeURIComponent(again.location ?? '');
    expect(msg).toContain('Lưu ý: 1 cán bộ trong tệp đã có trong danh sách với tài khoản khác');
    expect(msg).toContain('Ngô Văn Khoa (Sở Văn hoá, Thể thao và Du lịch) đã có trong danh sách với tài khoản khác: telegram 9309');
    expect(msg).toContain('bấm “Đưa ra khỏi danh sách” ở tài khoản telegram 9309');
    // The message reaches the page (the redirect is signed).
    const page = await staff.get(again.location!.replace(/^https?:\/\/[^/]+/, ''));
    expect(page.text).toContain('đã có trong danh sách với tài khoản khác: telegram 9309');
    expect(listOfficials(t.app.db).filter((o) => o.name === 'Ngô Văn Khoa')).toHaveLength(2);
  });
});
