/**
 * The three gaps an office meets when it files its training figures year after year:
 *
 * 1. The plan's groups overlap. Its targets are shares of each group ("100% cán bộ làm công tác
 *    quyền con người, 100% cán bộ làm công tác quản lý thông tin, truyền thông, … 70% cán bộ chủ
 *    chốt của các tổ chức chính trị - xã hội … được cập nhật thông tin …, tập huấn …"), and the
 *    commune plan lists its audience as overlapping roles ("Cán bộ lãnh đạo chủ chốt các tổ chức
 *    chính trị - xã hội; cán bộ làm công tác quyền con người, truyền thông, …"): the chairwoman
 *    of the Women's Union may also do the commune's human-rights work. She is in both groups'
 *    lists; one training, the same content for all, counts for both. The import refused her
 *    second row ("mỗi cán bộ chỉ được tính vào một nhóm đối tượng"), so one group's share was
 *    wrong whichever row the office kept.
 * 2. A past year's report used the officials' current group and unit: a move in 2027 changed
 *    the 2026 report. Memberships now carry their dates.
 * 3. "Người được tiếp cận" counted the office's own officials writing to the bot for their
 *    training as citizens reached.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/training.js';
import { MIGRATIONS_DIR, openDb, type Db } from '../../src/db/index.js';
import { coverageTotals, listOfficials, markTrainedInPerson, removeOfficial, trainingCoverage } from '../../src/db/training.js';
import { buildYearReport, reportCsv, reportHtml, reportRows } from '../../src/admin/report.js';
import { loadTraining } from '../../src/training/definition.js';
import { leftOfficials, readOfficialsCsv, sameOfficialElsewhere } from '../../src/training/import.js';
import { flattenRegions, loadContent } from '../../src/knowledge/content.js';
import { parseCsv } from '../../src/text/csv.js';
import { vietnamInstant } from '../../src/time/vietnam.js';
import { tempDir } from '../support/app.js';

const groups = loadTraining('content').groups;
const known = { groups: new Map(groups.map((g) => [g.id, g.name])), regions: flattenRegions(loadContent('content').regions) };
const names = { office: 'Phòng Văn hoá - Xã hội xã Phố Hiến', topics: [], contests: [], trainingGroups: groups };
const HEAD = '\uFEFFHọ và tên;Đơn vị;Nhóm đối tượng;Địa bàn;Kênh;Mã tài khoản';
const file = (...rows: string[]) => [HEAD, ...rows].join('\r\n') + '\r\n';
const HR = 'Cán bộ làm công tác quyền con người';
const INFO = 'Cán bộ làm công tác quản lý thông tin, truyền thông';
const KEY = 'Cán bộ chủ chốt của các tổ chức chính trị - xã hội';
const HOA_KEY = `Nguyễn Thị Hoa;Hội Liên hiệp Phụ nữ phường Phố Hiến;${KEY};Phường Phố Hiến;telegram;9301`;
const HOA_HR = `Nguyễn Thị Hoa;Hội Liên hiệp Phụ nữ phường Phố Hiến;${HR};Phường Phố Hiến;telegram;9301`;

const byGroup = (db: Db, at?: Date) => Object.fromEntries(trainingCoverage(db, groups, at ? { at } : {}).map((g) => [g.groupId, g]));

async function cli(db: Db, dir: string, text: string, now: Date, extra: string[] = []): Promise<{ code: number; out: string }> {
  const path = join(dir, 'can-bo.csv');
  writeFileSync(path, text);
  const out: string[] = [];
  const code = await run(['import', path, ...extra], { db, config: { dataDir: dir, contentDir: 'content' }, out: (s) => out.push(s), err: (s) => out.push(s), now });
  return { code, out: out.join('\n') };
}

describe('one official in two of the plan groups', () => {
  it('is read as one official with two groups; the same group twice, another name or another region is refused', () => {
    const r = readOfficialsCsv(file(HOA_KEY, HOA_HR), known);
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => x.groupId)).toEqual(['to-chuc-chinh-tri-xa-hoi', 'quyen-con-nguoi']);
    expect(readOfficialsCsv(file(HOA_KEY, HOA_HR, HOA_KEY), known).problems).toEqual(['dòng 4: external_id: trùng tài khoản telegram 9301 với dòng 2']);
    // Another name on the same account is two people on one account: a mistake in the sheet.
    expect(readOfficialsCsv(file(HOA_KEY, HOA_HR.replace('Nguyễn Thị Hoa', 'Trần Văn Nam')), known).problems).toEqual([
      'dòng 3: external_id: trùng tài khoản telegram 9301 với dòng 2',
    ]);
    expect(readOfficialsCsv(file(HOA_KEY, HOA_HR.replace('Phường Phố Hiến', 'son-nam')), known).problems).toEqual([
      'dòng 3: region: tài khoản telegram 9301 đã có ở dòng 2 với địa bàn khác; một cán bộ thuộc hai nhóm đối tượng ghi hai dòng cùng họ tên, cùng địa bàn, mỗi dòng một nhóm',
    ]);
  });

  it('is said once, not once per row, when the account left or is on the list under another account', () => {
    const r = readOfficialsCsv(file(HOA_KEY, HOA_HR), known);
    const left = leftOfficials(r.rows, r.lines, [{ channel: 'telegram', externalId: '9301', removedAt: '2026-06-30T17:00:00.000Z' }], false);
    expect(left.rows).toEqual([]);
    expect(left.left.map((l) => l.line)).toEqual([2]);
    const back = leftOfficials(r.rows, r.lines, [{ channel: 'telegram', externalId: '9301', removedAt: '2026-06-30T17:00:00.000Z' }], true);
    expect([back.rows.length, back.broughtBack]).toEqual([2, 1]);
    const old = { id: 7, name: 'Nguyễn Thị Hoa', unit: 'Hội Liên hiệp Phụ nữ phường Phố Hiến', channel: 'zalo' as const, externalId: '8713451786543210987', trainedAt: null };
    expect(sameOfficialElsewhere(r.rows, r.lines, [old]).map((x) => x.line)).toEqual([2]);
  });

  it('counts in each group, trained once for both, and the report says how many people there are', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const nam = `Trần Văn Nam;UBND phường Phố Hiến;${HR};Phường Phố Hiến;telegram;9302`;
      const said = await cli(db, dir, file(HOA_KEY, HOA_HR, nam), vietnamInstant(2026, 2, 2));
      expect(said.code).toBe(0);
      expect(said.out).toContain('Đã nhập 2 cán bộ: 2 người mới, 0 người đã có được cập nhật.');
      expect(said.out).toContain('1 người thuộc từ hai nhóm đối tượng trở lên (mỗi nhóm một dòng): được tính vào tỉ lệ của từng nhóm');
      expect(listOfficials(db).map((o) => [o.name, o.groupIds])).toEqual([
        ['Trần Văn Nam', ['quyen-con-nguoi']],
        ['Nguyễn Thị Hoa', ['to-chuc-chinh-tri-xa-hoi', 'quyen-con-nguoi']],
      ]);
      expect(listOfficials(db, { groupId: 'quyen-con-nguoi' }).map((o) => o.name).sort()).toEqual(['Nguyễn Thị Hoa', 'Trần Văn Nam']);
      const hoa = listOfficials(db).find((o) => o.externalId === '9301')!;
      markTrainedInPerson(db, hoa.id, vietnamInstant(2026, 3, 10));
      const g = byGroup(db);
      expect(g['quyen-con-nguoi']).toMatchObject({ officials: 2, trained: 1, share: 0.5, met: false });
      expect(g['to-chuc-chinh-tri-xa-hoi']).toMatchObject({ officials: 1, trained: 1, share: 1, met: true });
      expect(g['quyen-con-nguoi']!.units).toEqual([
        { unit: 'Hội Liên hiệp Phụ nữ phường Phố Hiến', officials: 1, trained: 1, share: 1 },
        { unit: 'UBND phường Phố Hiến', officials: 1, trained: 0, share: 0 },
      ]);
      expect(coverageTotals(db)).toEqual({ officials: 2, trained: 1, trainedSince: 0, inSeveralGroups: 1 });
      const coverage: string[] = [];
      expect(await run(['coverage'], { db, config: { dataDir: dir, contentDir: 'content' }, out: (s) => coverage.push(s) })).toBe(0);
      expect(coverage.join('\n')).toContain('Số cán bộ khác nhau: 2, đã tập huấn 1; 1 người thuộc từ hai nhóm trở lên được tính ở mỗi nhóm');
      // --json has the same distinct totals (it had the groups only: a program summing them got 3 officials).
      const json: string[] = [];
      expect(await run(['coverage', '--json'], { db, config: { dataDir: dir, contentDir: 'content' }, out: (s) => json.push(s) })).toBe(0);
      const parsed = JSON.parse(json.join('\n')) as { groups: { officials: number }[]; totals: unknown };
      expect(parsed.groups.reduce((a, g) => a + g.officials, 0)).toBe(3);
      expect(parsed.totals).toEqual({ officials: 2, trained: 1, share: 0.5, inSeveralGroups: 1 });

      const r = buildYearReport(db, 2026, names, vietnamInstant(2027, 1, 10));
      const rows = parseCsv(reportCsv(r).replace(/^\uFEFF/, ''));
      const find = (indicator: string, group: string) => rows.find((x) => x[1] === indicator && x[2] === group)?.[3];
      expect(find('Cán bộ trong danh sách cuối năm', HR)).toBe('2');
      expect(find('Cán bộ trong danh sách cuối năm', KEY)).toBe('1');
      expect(find('Tập huấn trong năm', HR)).toBe('1');
      expect(find('Tập huấn trong năm', KEY)).toBe('1');
      // The groups add up to 3 officials and 2 trained; there are 2 people, 1 trained.
      expect(find('Số cán bộ khác nhau trong danh sách (mỗi người tính một lần)', 'tất cả các nhóm')).toBe('2');
      expect(find('Số cán bộ khác nhau đã tập huấn (lũy kế đến cuối năm)', 'tất cả các nhóm')).toBe('1');
      expect(find('Số cán bộ khác nhau tập huấn trong năm', 'tất cả các nhóm')).toBe('1');
      expect(find('Cán bộ thuộc từ hai nhóm trở lên (được tính ở mỗi nhóm)', 'tất cả các nhóm')).toBe('1');
      expect(reportHtml(r)).toContain('1 cán bộ thuộc từ hai nhóm đối tượng trở lên được tính ở mỗi nhóm của mình');

      // The next sheet keeps her in one group only: the other membership ends then.
      const later = await cli(db, dir, file(HOA_KEY, nam), vietnamInstant(2027, 3, 1));
      expect(later.out).toContain('1 người đổi nhóm đối tượng hoặc đơn vị');
      expect(byGroup(db)['quyen-con-nguoi']).toMatchObject({ officials: 1, trained: 0 });
      expect(byGroup(db, vietnamInstant(2027, 1, 1))['quyen-con-nguoi']).toMatchObject({ officials: 2, trained: 1 });
    } finally {
      db.close();
      cleanup();
    }
  });
});

describe('a past year after officials moved, changed group or left', () => {
  it('the 2026 report made in 2027 reads as it did on 31/12/2026', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const sheet2026 = file(
        `Nguyễn Thị Hoa;UBND phường Phố Hiến;${HR};Phường Phố Hiến;telegram;9301`,
        `Trần Văn Nam;UBND phường Phố Hiến;${HR};Phường Phố Hiến;telegram;9302`,
        `Lê Văn Đức;Sở Tư pháp;${HR};;telegram;9303`,
        `Ngô Văn Khoa;Sở Văn hoá, Thể thao và Du lịch;${INFO};;telegram;9309`,
      );
      expect((await cli(db, dir, sheet2026, vietnamInstant(2026, 1, 5))).code).toBe(0);
      const id = (ext: string) => listOfficials(db).find((o) => o.externalId === ext)!.id;
      markTrainedInPerson(db, id('9301'), vietnamInstant(2026, 4, 1));
      markTrainedInPerson(db, id('9309'), vietnamInstant(2026, 10, 20));
      const section6 = (now: Date) =>
        reportRows(buildYearReport(db, 2026, names, now))
          .filter((r) => r[0] === '6. Cập nhật thông tin, tập huấn cán bộ')
          .map((r) => r.slice(1).join(' | '));
      const filed = section6(vietnamInstant(2027, 1, 2));
      expect(filed).toContain(`Cán bộ trong danh sách cuối năm | ${HR} | 3`);
      expect(filed).toContain(`Đã tập huấn (lũy kế đến cuối năm) | ${HR} | 1`);
      expect(filed).toContain(`Cán bộ trong danh sách theo đơn vị | ${HR} / UBND phường Phố Hiến | 2`);

      // 2027: Hoa moves to the Culture department's information work, Nam to the Justice
      // department, Đức leaves on 01/03, Khoa is taken off (left), and a newcomer is trained.
      const sheet2027 = file(
        `Nguyễn Thị Hoa;Sở Văn hoá, Thể thao và Du lịch;${INFO};;telegram;9301`,
        `Trần Văn Nam;Sở Tư pháp;${HR};;telegram;9302`,
        `Phạm Thị Lan;UBND phường Phố Hiến;${HR};Phường Phố Hiến;telegram;9304`,
        `Lê Văn Đức;Sở Tư pháp;${HR};;telegram;9303`,
      );
      const moved = await cli(db, dir, sheet2027, vietnamInstant(2027, 2, 15));
      expect(moved.out).toContain('Đã nhập 4 cán bộ: 1 người mới, 3 người đã có được cập nhật. 2 người đổi nhóm đối tượng hoặc đơn vị');
      removeOfficial(db, id('9303'), vietnamInstant(2027, 3, 10), vietnamInstant(2027, 3, 1));
      removeOfficial(db, id('9309'), vietnamInstant(2027, 3, 10));
      markTrainedInPerson(db, id('9304'), vietnamInstant(2027, 3, 20));

      expect(section6(vietnamInstant(2027, 4, 1))).toEqual(filed);
      // Today's coverage is the new one.
      const now = byGroup(db);
      expect(now['quyen-con-nguoi']).toMatchObject({ officials: 2, trained: 1 });
      expect(now['quyen-con-nguoi']!.units.map((u) => u.unit)).toEqual(['Sở Tư pháp', 'UBND phường Phố Hiến']);
      expect(now['thong-tin-truyen-thong']).toMatchObject({ officials: 1, trained: 1 });
      // A removal dated before a move ends the new membership too: Đức counts nowhere from 01/03.
      expect(byGroup(db, vietnamInstant(2027, 3, 5))['quyen-con-nguoi']!.units).toEqual([
        { unit: 'Sở Tư pháp', officials: 1, trained: 0, share: 0 },
        { unit: 'UBND phường Phố Hiến', officials: 1, trained: 0, share: 0 },
      ]);
    } finally {
      db.close();
      cleanup();
    }
  });

  it('a move staff learn of late counts from the day given with --date, not from the import', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const nam = (unit: string, group = HR) => `Trần Văn Nam;${unit};${group};;telegram;9302`;
      await cli(db, dir, file(nam('UBND phường Phố Hiến'), `Lê Văn Đức;Sở Tư pháp;${HR};;telegram;9303`), vietnamInstant(2026, 1, 5));
      // January 2027: the office learns Nam moved to the Culture department's information work on 01/07/2026.
      const late = await cli(db, dir, file(nam('Sở Văn hoá, Thể thao và Du lịch', INFO)), vietnamInstant(2027, 1, 10), ['--date', '01/07/2026']);
      expect(late.code).toBe(0);
      expect(late.out).toContain('1 người đổi nhóm đối tượng hoặc đơn vị: được tính theo nhóm, đơn vị mới từ ngày 01/07/2026; số liệu trước ngày 01/07/2026 vẫn theo nhóm, đơn vị cũ.');
      const end2026 = byGroup(db, vietnamInstant(2027, 1, 1));
      expect([end2026['quyen-con-nguoi']!.officials, end2026['thong-tin-truyen-thong']!.officials]).toEqual([1, 1]);
      const june = byGroup(db, vietnamInstant(2026, 6, 30));
      expect([june['quyen-con-nguoi']!.officials, june['thong-tin-truyen-thong']!.officials]).toEqual([2, 0]);
      // A newcomer listed with --date counts from that day; a day to come is refused.
      await cli(db, dir, file(`Phạm Thị Lan;Sở Tư pháp;${HR};;telegram;9304`), vietnamInstant(2027, 1, 10), ['--date', '01/09/2026']);
      expect(byGroup(db, vietnamInstant(2026, 10, 1))['quyen-con-nguoi']!.officials).toBe(2);
      // She may then be taken off from a day after 01/09/2026 (before her import), not before it.
      const off = (date: string) => run(['remove', 'telegram', '9304', '--date', date], { db, config: { dataDir: dir, contentDir: 'content' }, out: () => {}, err: () => {}, now: vietnamInstant(2027, 1, 12) });
      expect(await off('15/08/2026')).toBe(2);
      expect(await off('01/12/2026')).toBe(0);
      expect(byGroup(db, vietnamInstant(2026, 11, 1))['quyen-con-nguoi']!.officials).toBe(2);
      expect(byGroup(db, vietnamInstant(2027, 1, 1))['quyen-con-nguoi']!.officials).toBe(1);
      const future = await cli(db, dir, file(nam('Sở Tư pháp')), vietnamInstant(2027, 1, 10), ['--date', '01/02/2027']);
      expect([future.code, future.out]).toEqual([2, 'training: --date: ngày áp dụng không được sau hôm nay; bỏ --date để áp dụng từ hôm nay']);
      expect(byGroup(db)['thong-tin-truyen-thong']!.officials).toBe(1);
    } finally {
      db.close();
      cleanup();
    }
  });

  it('a bring-back does not count the official in the months they were off the list', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const sheet = file(`Lê Văn Đức;Sở Tư pháp;${HR};;telegram;9303`, `Trần Văn Nam;Sở Tư pháp;${HR};;telegram;9302`);
      await cli(db, dir, sheet, vietnamInstant(2026, 1, 5));
      removeOfficial(db, listOfficials(db)[0]!.id, vietnamInstant(2026, 3, 1));
      await cli(db, dir, sheet, vietnamInstant(2027, 2, 1), ['--include-removed']);
      // Off the list on 31/12/2026 (back in 2027): 1 official then, as the report filed said.
      expect(byGroup(db, vietnamInstant(2027, 1, 1))['quyen-con-nguoi']!.officials).toBe(1);
      expect(byGroup(db)['quyen-con-nguoi']!.officials).toBe(2);
    } finally {
      db.close();
      cleanup();
    }
  });
});

describe('migration 097 on an office database of the year before', () => {
  it("carries every official's group, unit and region over, from their import to their removal", () => {
    const { dir, cleanup } = tempDir();
    try {
      const before = join(dir, 'migrations');
      mkdirSync(before);
      for (const f of readdirSync(MIGRATIONS_DIR)) if (f < '097') copyFileSync(join(MIGRATIONS_DIR, f), join(before, f));
      const file = join(dir, 'loa.sqlite');
      const old = openDb(file, { migrationsDir: before });
      const add = old.prepare(
        `INSERT INTO training_officials (name, unit, group_id, region, channel, external_id, imported_at, updated_at, removed_at, trained_at)
         VALUES (?, ?, ?, ?, 'telegram', ?, '2026-01-05T02:00:00.000Z', '2026-01-05T02:00:00.000Z', ?, ?)`,
      );
      add.run('Nguyễn Thị Hoa', 'UBND phường Phố Hiến', 'quyen-con-nguoi', 'pho-hien', '9301', null, '2026-04-01T02:00:00.000Z');
      add.run('Trần Văn Nam', 'UBND phường Phố Hiến', 'quyen-con-nguoi', 'pho-hien', '9302', '2026-06-30T17:00:00.000Z', null);
      add.run('Lê Văn Đức', 'Sở Tư pháp', 'quyen-con-nguoi', null, '9303', null, null);
      old.close();
      const db = openDb(file);
      try {
        // As the 2026 report counted them before the migration: Nam left on 01/07.
        expect(byGroup(db, vietnamInstant(2027, 1, 1))['quyen-con-nguoi']).toMatchObject({
          officials: 2,
          trained: 1,
          units: [
            { unit: 'Sở Tư pháp', officials: 1, trained: 0, share: 0 },
            { unit: 'UBND phường Phố Hiến', officials: 1, trained: 1, share: 1 },
          ],
        });
        expect(byGroup(db, vietnamInstant(2026, 6, 1))['quyen-con-nguoi']).toMatchObject({ officials: 3, trained: 1 });
        expect(listOfficials(db, { scope: ['pho-hien'] }).map((o) => [o.name, o.groupIds])).toEqual([['Nguyễn Thị Hoa', ['quyen-con-nguoi']]]);
      } finally {
        db.close();
      }
    } finally {
      cleanup();
    }
  });
});

describe('people reached and the officials of the training list', () => {
  it('counts citizens only as reached, officials on their own line, no one twice', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const person = db.prepare(`INSERT INTO people (id, channel, external_id, created_at, status) VALUES (?, ?, ?, '2026-01-01T00:00:00.000Z', 'active')`);
      const msg = db.prepare(`INSERT INTO messages (channel, person_id, direction, kind, text, created_at) VALUES (?, ?, 'in', 'text', 'x', ?)`);
      // Two citizens on Telegram, one on Zalo; the official Hoa (Telegram 9301) writes to take her training.
      person.run(1, 'telegram', '111');
      person.run(2, 'telegram', '112');
      person.run(3, 'zalo', '113');
      person.run(4, 'telegram', '9301');
      for (const [p, ch] of [[1, 'telegram'], [2, 'telegram'], [3, 'zalo'], [4, 'telegram'], [4, 'telegram']] as const) msg.run(ch, p, '2026-05-02T03:00:00.000Z');
      // A citizen and Hoa each ask a question (hers unanswered: she typed during her training).
      const question = db.prepare(`INSERT INTO questions (person_id, channel, answered, created_at) VALUES (?, 'telegram', ?, '2026-05-02T03:00:00.000Z')`);
      question.run(1, 1);
      question.run(4, 0);
      // In 2025, before she was on the list, she wrote as a citizen.
      msg.run('telegram', 4, '2025-06-02T03:00:00.000Z');
      await cli(db, dir, file(HOA_HR), vietnamInstant(2026, 2, 1));
      // She was not linked yet (never typed /taphuan): the account alone makes her an official.
      expect(listOfficials(db)[0]!.personId).toBe(4);
      db.prepare(`UPDATE training_officials SET person_id = NULL`).run();

      const r = buildYearReport(db, 2026, names, vietnamInstant(2027, 1, 2));
      expect(r.reachedByChannel).toEqual([
        { channel: 'telegram', people: 2, wrote: 2, received: 0 },
        { channel: 'zalo', people: 1, wrote: 1, received: 0 },
      ]);
      expect(r.officialsReached).toEqual([{ channel: 'telegram', people: 1, wrote: 1, received: 0 }]);
      const rows = parseCsv(reportCsv(r).replace(/^\uFEFF/, ''));
      const find = (indicator: string, group: string) => rows.find((x) => x[1] === indicator && x[2] === group)?.[3];
      expect(rows.find((x) => x[0] === '1. Người dân được tiếp cận')).toBeDefined();
      expect(find('Tổng số người dân được tiếp cận', 'tất cả')).toBe('3');
      expect(find('Cán bộ trong danh sách tập huấn đã nhắn bot hoặc nhận tin (không tính vào số người dân được tiếp cận)', 'tất cả')).toBe('1');
      // Section 3 counts the citizens' questions (the citizen's); Hoa's is on its own row.
      expect(find('Câu hỏi đã nhận', 'tất cả')).toBe('1');
      expect(find('Bot chưa trả lời được', 'tất cả')).toBe('0');
      expect(find('Câu hỏi của cán bộ trong danh sách tập huấn (không tính vào số câu hỏi của người dân)', 'tất cả')).toBe('1');
      const html = reportHtml(r);
      expect(html).toContain('Đã nhận <strong>1</strong> câu hỏi của người dân');
      expect(html).toMatch(/Không tính vào số trên: <strong>1<\/strong> câu hỏi của cán bộ có tên trong danh sách tập huấn/);
      expect(html).toContain('1. Người dân được tiếp cận theo kênh');
      expect(html).toMatch(/Không tính vào số trên: <strong>1<\/strong> cán bộ có tên trong danh sách tập huấn/);

      // 2025, before she was on the list: a citizen reached.
      const before = buildYearReport(db, 2025, names, vietnamInstant(2027, 1, 2));
      expect(before.reachedByChannel).toEqual([{ channel: 'telegram', people: 1, wrote: 1, received: 0 }]);
      expect(before.officialsReached).toEqual([]);
      // Region scope: the same rules (people of the region only).
      const scoped = buildYearReport(db, 2026, names, vietnamInstant(2027, 1, 2), { regions: ['son-nam'], name: 'Xã Sơn Nam' });
      expect(scoped.reachedByChannel).toEqual([]);
      expect(scoped.officialsReached).toEqual([]);
    } finally {
      db.close();
      cleanup();
    }
  });
});
