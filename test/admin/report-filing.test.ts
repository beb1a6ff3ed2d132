/**
 * The yearly report as an office files it with the province under its plan (Decision
 * 1079/QĐ-TTg): a year of officials' training (groups with 100% and 70% targets, an empty group,
 * an official who left midyear, passes either side of the Vietnam-time year boundary) and of
 * reported disinformation (handled, confirmed but not yet handled, not false, out of scope,
 * still open, cases either side of the boundary). Every figure is counted by hand here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { buildYearReport, reportCsv, reportHtml } from '../../src/admin/report.js';
import { run as reportCli } from '../../src/cli/report.js';
import { loadTraining } from '../../src/training/definition.js';
import { parseCsv } from '../../src/text/csv.js';
import { tempDir } from '../support/app.js';
import { readXlsx } from '../support/xlsx.js';

const groups = loadTraining('content').groups;
const names = { office: 'Phòng Văn hoá - Xã hội xã Phố Hiến', topics: [], contests: [], trainingGroups: groups };

function official(db: Db, o: { id: number; group: string; unit: string; trainedAt?: string; removedAt?: string; importedAt?: string }): void {
  db.prepare(
    `INSERT INTO training_officials (id, name, unit, group_id, region, channel, external_id, imported_at, updated_at, removed_at, trained_at)
     VALUES (?, ?, ?, ?, NULL, 'telegram', ?, ?, ?, ?, ?)`,
  ).run(o.id, `Cán bộ ${o.id}`, o.unit, o.group, String(9000 + o.id), o.importedAt ?? '2026-01-15T02:00:00.000Z', '2026-01-15T02:00:00.000Z', o.removedAt ?? null, o.trainedAt ?? null);
  // Where they count, from their import to their removal (as migration 097 carries rows over).
  db.prepare(`INSERT INTO training_memberships (official_id, group_id, unit, region, valid_from, valid_to) VALUES (?, ?, ?, NULL, ?, ?)`).run(
    o.id,
    o.group,
    o.unit,
    o.importedAt ?? '2026-01-15T02:00:00.000Z',
    o.removedAt ?? null,
  );
}

let caseSeq = 0;
function disinfoCase(db: Db, status: string, firstAt: string, outcome: string | null = null, platform = 'facebook'): void {
  caseSeq++;
  db.prepare(
    `INSERT INTO disinfo_cases (number, year, seq, match_key, url, status, outcome, platform, reporter_count, first_at, last_at, updated_at)
     VALUES (?, 2026, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
  ).run(`BC-2026-${caseSeq}`, caseSeq, `u:${caseSeq}`, `https://example.org/${caseSeq}`, status, outcome, platform, firstAt, firstAt, firstAt);
}

/** The office's year 2026, in UTC instants (Vietnam is UTC+7). */
function seedYear(db: Db): void {
  const ubnd = 'UBND xã Phố Hiến';
  // Human-rights officials (target 100%): one passed in March, one at 23:59 on 31/12 (inside
  // the year), one at 00:00:00.000 on 1/1/2027 (outside): 2 of 3 by the year's end.
  official(db, { id: 1, group: 'quyen-con-nguoi', unit: ubnd, trainedAt: '2026-03-10T03:00:00.000Z' });
  official(db, { id: 2, group: 'quyen-con-nguoi', unit: ubnd, trainedAt: '2026-12-31T16:59:00.000Z' });
  official(db, { id: 3, group: 'quyen-con-nguoi', unit: ubnd, trainedAt: '2026-12-31T17:00:00.000Z' });
  // Information officials (100%): one trained then left on 30/06 (off the list), one trained.
  official(db, { id: 4, group: 'thong-tin-truyen-thong', unit: ubnd, trainedAt: '2026-03-01T03:00:00.000Z', removedAt: '2026-06-30T03:00:00.000Z' });
  official(db, { id: 5, group: 'thong-tin-truyen-thong', unit: ubnd, trainedAt: '2026-04-01T03:00:00.000Z' });
  // No press officials at a commune: the group is empty.
  // Key officials of the socio-political organisations (70%): 7 of 10, over two units.
  for (let i = 0; i < 10; i++)
    official(db, {
      id: 10 + i,
      group: 'to-chuc-chinh-tri-xa-hoi',
      unit: i < 5 ? 'Hội Liên hiệp Phụ nữ xã' : 'Đoàn Thanh niên xã',
      ...(i < 7 ? { trainedAt: `2026-0${(i % 9) + 1}-05T03:00:00.000Z` } : {}),
    });

  // Disinformation first reported in 2026: 6 handled, 1 confirmed false but not handled yet,
  // 2 not false, 1 out of scope, 1 new, 1 being checked. Outside: 23:59 on 31/12/2025 and
  // 00:00 on 1/1/2027.
  for (let i = 0; i < 6; i++) disinfoCase(db, 'handled', `2026-0${i + 2}-10T03:00:00.000Z`, i < 4 ? 'platform' : 'correction');
  disinfoCase(db, 'confirmed_false', '2026-12-20T03:00:00.000Z');
  disinfoCase(db, 'not_false', '2026-05-10T03:00:00.000Z');
  disinfoCase(db, 'not_false', '2026-05-11T03:00:00.000Z', null, 'zalo');
  disinfoCase(db, 'out_of_scope', '2026-06-10T03:00:00.000Z', null, 'tiktok');
  disinfoCase(db, 'new', '2026-12-30T03:00:00.000Z');
  disinfoCase(db, 'checking', '2026-12-29T03:00:00.000Z');
  disinfoCase(db, 'confirmed_false', '2025-12-31T16:59:00.000Z');
  disinfoCase(db, 'confirmed_false', '2026-12-31T17:00:00.000Z');
}

const csvFinder = (csv: string) => {
  const rows = parseCsv(csv);
  return (indicator: string, group: string) => rows.find((r) => r[1] === indicator && r[2] === group)?.[3];
};

describe('the yearly report an office files', () => {
  it('counts training to 31/12 23:59 and not a pass at 00:00:00.000 on 1/1, Vietnam time', () => {
    const db = openDb(':memory:');
    seedYear(db);
    const r = buildYearReport(db, 2026, names, new Date('2027-01-10T03:00:00Z'));
    const byId = Object.fromEntries(r.training.groups.map((g) => [g.groupId, g]));
    expect(byId['quyen-con-nguoi']).toMatchObject({ officials: 3, trained: 2, met: false });
    expect(r.training.trainedInYear['quyen-con-nguoi']).toBe(2);
    // Left midyear: not on the list at the year's end, so neither counted nor trained.
    expect(byId['thong-tin-truyen-thong']).toMatchObject({ officials: 1, trained: 1, met: true });
    expect(byId['thong-tin-doi-ngoai']).toMatchObject({ officials: 0, trained: 0, share: null, met: false });
    expect(byId['to-chuc-chinh-tri-xa-hoi']).toMatchObject({ officials: 10, trained: 7, share: 0.7, met: true });
    const find = csvFinder(reportCsv(r));
    expect(find('Đã tập huấn (lũy kế đến cuối năm)', 'Cán bộ làm công tác quyền con người')).toBe('2');
    expect(find('Đánh giá', 'Cán bộ làm công tác quyền con người')).toBe('chưa đạt chỉ tiêu');
    expect(find('Đánh giá', 'Cán bộ chủ chốt của các tổ chức chính trị - xã hội')).toBe('đạt chỉ tiêu');
    expect(find('Đánh giá', 'Nhân sự tham gia công tác thông tin đối ngoại của các cơ quan báo chí')).toBe('chưa có cán bộ');
    expect(find('Tỷ lệ đã tập huấn theo đơn vị (%)', 'Cán bộ chủ chốt của các tổ chức chính trị - xã hội / Hội Liên hiệp Phụ nữ xã')).toBe('100');
    // The next year counts the 00:00 pass.
    const next = buildYearReport(db, 2027, names, new Date('2027-01-10T03:00:00Z'));
    expect(next.training.trainedInYear['quyen-con-nguoi']).toBe(1);
    expect(next.training.groups.find((g) => g.groupId === 'quyen-con-nguoi')).toMatchObject({ officials: 3, trained: 3, met: true });
  });

  it('says whether the 90% target for disinformation is met, and which cases it leaves out', () => {
    const db = openDb(':memory:');
    seedYear(db);
    const r = buildYearReport(db, 2026, names, new Date('2027-01-10T03:00:00Z'));
    expect(r.disinfo).toMatchObject({ cases: 12, foundFalse: 7, handled: 6 });
    expect(r.disinfo.byStatus).toMatchObject({ new: 1, checking: 1, confirmed_false: 1, handled: 6, not_false: 2, out_of_scope: 1 });
    const find = csvFinder(reportCsv(r));
    expect(find('Tỷ lệ phát hiện và xử lý (%)', 'chỉ tiêu 90%')).toBe('85.7');
    expect(find('Đánh giá', 'chỉ tiêu 90%')).toBe('chưa đạt chỉ tiêu');
    expect(find('Vụ việc chưa kết luận (không tính vào tỷ lệ)', 'tất cả')).toBe('2');
    const html = reportHtml(r);
    const s5 = html.slice(html.indexOf('<h2>5.'), html.indexOf('<h2>6.'));
    expect(s5).toContain('Chưa đạt chỉ tiêu');
    expect(s5).toContain('2 vụ việc chưa kết luận');
    expect(s5).not.toMatch(/, đạt <strong>/); // "đạt 85,7%" read as "met"
    expect(s5).toContain('85,7%');

    // One more handled: 7 of 8 = 87.5%, still short; two more: 8 of 9 = 88.9%; at 9 of 10, met.
    for (let i = 0; i < 3; i++) disinfoCase(db, 'handled', '2026-11-01T03:00:00.000Z', 'police');
    const met = buildYearReport(db, 2026, names, new Date('2027-01-10T03:00:00Z'));
    expect(met.disinfo).toMatchObject({ foundFalse: 10, handled: 9 });
    expect(csvFinder(reportCsv(met))('Đánh giá', 'chỉ tiêu 90%')).toBe('đạt chỉ tiêu');
    expect(reportHtml(met)).toContain('Đạt chỉ tiêu 90%');
  });

  it('with no case found false, the 90% target is not judged', () => {
    const db = openDb(':memory:');
    disinfoCase(db, 'not_false', '2026-05-10T03:00:00.000Z');
    const r = buildYearReport(db, 2026, names, new Date('2027-01-10T03:00:00Z'));
    expect(csvFinder(reportCsv(r))('Đánh giá', 'chỉ tiêu 90%')).toBe('chưa có vụ việc xác định là tin giả');
  });

  it('the CSV names the office, the period and when its figures stand; channels and dates in Vietnamese', () => {
    const db = openDb(':memory:');
    seedYear(db);
    db.prepare(`INSERT INTO people (id, channel, external_id, created_at, status) VALUES (1, 'web', 'w1', '2026-03-01T00:00:00Z', 'active')`).run();
    db.prepare(`INSERT INTO messages (channel, person_id, direction, kind, text, created_at) VALUES ('web', 1, 'in', 'text', 'x', '2026-03-01T00:00:00Z')`).run();
    // Filed before the year is over (the plan asks for results by late November).
    const r = buildYearReport(db, 2026, names, new Date('2026-11-25T03:30:00Z'));
    const csv = reportCsv(r);
    const find = csvFinder(csv);
    expect(find('Cơ quan báo cáo', 'tất cả')).toBe('Phòng Văn hoá - Xã hội xã Phố Hiến');
    expect(find('Kỳ báo cáo', 'tất cả')).toBe('01/01/2026 - 31/12/2026');
    expect(find('Số liệu tính đến', 'tất cả')).toBe('10:30 25/11/2026');
    expect(find('Số người dân được tiếp cận', 'Web chat')).toBe('1');
    expect(find('Số người dân được tiếp cận', 'web')).toBeUndefined();
    const html = reportHtml(r);
    expect(html).toContain('<td>Web chat</td>');
    // Not "to the end of 31/12/2026" for figures taken on 25/11.
    expect(html).not.toContain('đến hết 31/12/2026');
    expect(html).toContain('Số liệu từ 01/01/2026 đến 10:30 25/11/2026');
    // After the year: the whole year.
    expect(reportHtml(buildYearReport(db, 2026, names, new Date('2027-01-02T00:00:00Z')))).toContain('đến hết 31/12/2026');
  });

  it('loa report does not call a year with only training and disinformation empty, and sums them up', async () => {
    const db = openDb(':memory:');
    seedYear(db);
    const { dir, cleanup } = tempDir();
    const out: string[] = [];
    const spyLog = vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
    try {
      expect(await reportCli(['--year', '2026', '--out', dir], { db, contentDir: 'content', office: 'x', now: new Date('2027-01-10T03:00:00Z') })).toBe(0);
      const text = out.join('\n');
      expect(text).not.toContain('không có số liệu nào');
      expect(text).toContain('12 vụ việc tin giả (xử lý 6/7 = 85,7%, chưa đạt chỉ tiêu 90%)');
      expect(text).toContain('tập huấn cán bộ: 2/3 nhóm đạt chỉ tiêu');
      expect(readFileSync(join(dir, 'bao-cao-2026.csv'), 'utf8')).toContain('Đánh giá');
    } finally {
      spyLog.mockRestore();
      cleanup();
    }
  });
});

describe('the printable page of a quiet year', () => {
  it('reads as sentences, lists the handling outcomes under "Đã xử lý", and names the scheme', () => {
    const db = openDb(':memory:');
    seedYear(db);
    const html = reportHtml(buildYearReport(db, 2026, names, new Date('2027-01-10T03:00:00Z')));
    // No new subscribers: not "Người đăng ký mới trong năm: người đăng ký nhận tin cuối năm: 0".
    expect(html).toContain('Người đăng ký mới trong năm: <strong>0</strong>; người đăng ký nhận tin cuối năm');
    expect(html).toContain('Không có lượt gửi nào trong năm.');
    expect(html).toContain('Không có cuộc thi nào có người làm bài trong năm.');
    // The outcome rows follow "Đã xử lý", not "Không thuộc phạm vi".
    const rows = [...html.matchAll(/data-(status|outcome)="([a-z_]+)"/g)].map((m) => m[2]);
    expect(rows).toEqual(['new', 'checking', 'confirmed_false', 'handled', 'platform', 'police', 'correction', 'not_false', 'out_of_scope']);
    expect(html).toContain('Quyết định số 1079/QĐ-TTg');
    // A date line and a place to sign, as a report sent to the province has.
    expect(html).toContain('<em>Ngày 10 tháng 01 năm 2027</em><br><strong>NGƯỜI LẬP BÁO CÁO</strong>');
  });
});

describe('an official who left midyear, recorded late', () => {
  it('loa training remove --date takes them off the list from that day, so the past year counts right', async () => {
    const { run: trainingCli } = await import('../../src/cli/training.js');
    const db = openDb(':memory:');
    official(db, { id: 1, group: 'quyen-con-nguoi', unit: 'UBND xã Phố Hiến', trainedAt: '2026-03-10T03:00:00.000Z' });
    official(db, { id: 2, group: 'quyen-con-nguoi', unit: 'UBND xã Phố Hiến' }); // left on 01/07/2026, untrained
    const now = new Date('2027-01-20T03:00:00Z'); // staff learn of it in January
    const out: string[] = [];
    const err: string[] = [];
    const cli = (args: string[]) => trainingCli(args, { db, config: { dataDir: '.', contentDir: 'content' }, out: (s) => out.push(s), err: (s) => err.push(s), now });
    const before = buildYearReport(db, 2026, names, now).training.groups.find((g) => g.groupId === 'quyen-con-nguoi');
    expect(before).toMatchObject({ officials: 2, trained: 1, met: false });
    expect(await cli(['remove', 'telegram', '9002', '--date', '31/02/2026'])).toBe(2);
    expect(await cli(['remove', 'telegram', '9002', '--date', '01/01/2025'])).toBe(2); // before they were on the list
    expect(await cli(['remove', 'telegram', '9002', '--date', '01/02/2027'])).toBe(2); // in the future
    expect(await cli(['remove', 'telegram', '9999'])).toBe(1);
    expect(await cli(['remove', 'telegram', '9002', '--date', '01/07/2026'])).toBe(0);
    expect(out.join('\n')).toContain('Đã đưa Cán bộ 2 (UBND xã Phố Hiến) ra khỏi danh sách từ 01/07/2026');
    const after = buildYearReport(db, 2026, names, now).training.groups.find((g) => g.groupId === 'quyen-con-nguoi');
    expect(after).toMatchObject({ officials: 1, trained: 1, met: true });
    // Still on the list in the first half of the year.
    expect(db.prepare(`SELECT removed_at, updated_at FROM training_officials WHERE id = 2`).get()).toEqual({ removed_at: '2026-06-30T17:00:00.000Z', updated_at: now.toISOString() });
    expect(await cli(['remove', 'telegram', '9002'])).toBe(1); // already off the list
  });
});

describe('a reporting period other than the calendar year', () => {
  it('loa report --from 01/12/2025 --to 30/11/2026: results due before 30/11 leave no December out', async () => {
    const db = openDb(':memory:');
    seedYear(db);
    disinfoCase(db, 'handled', '2025-12-10T03:00:00.000Z', 'police'); // December of the year before
    const { dir, cleanup } = tempDir();
    const out: string[] = [];
    const err: string[] = [];
    const spyLog = vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
    const spyErr = vi.spyOn(console, 'error').mockImplementation((m: string) => void err.push(m));
    const now = new Date('2026-11-28T03:00:00Z');
    const cli = (args: string[]) => reportCli([...args, '--out', dir], { db, contentDir: 'content', office: 'x', now });
    try {
      expect(await cli(['--from', '01/12/2025'])).toBe(2);
      expect(await cli(['--from', '01/12/2025', '--to', '31/12/2026'])).toBe(2); // 13 months
      expect(await cli(['--from', '01/12/2025', '--to', '30/11/2025'])).toBe(2);
      expect(await cli(['--from', '01/12/2025', '--to', '31/11/2026'])).toBe(2); // no 31/11
      expect(await cli(['--year', '2025', '--from', '01/12/2025', '--to', '30/11/2026'])).toBe(2);
      expect(await cli(['--from', '01/12/2026', '--to', '30/11/2027'])).toBe(2); // not begun on 28/11/2026
      expect(err.join('\n')).toContain('tối đa 12 tháng');
      expect(err.join('\n')).toContain('kỳ báo cáo bắt đầu 01/12/2026, chưa tới (hôm nay là 28/11/2026)');
      expect(await cli(['--from', '01/12/2025', '--to', '30/11/2026'])).toBe(0);
      expect(out.join('\n')).toContain('Đã lập báo cáo năm 2026 (kỳ báo cáo 01/12/2025 - 30/11/2026)');
      const csv = readFileSync(join(dir, 'bao-cao-01-12-2025-den-30-11-2026.csv'), 'utf8');
      const find = csvFinder(csv);
      expect(find('Kỳ báo cáo', 'tất cả')).toBe('01/12/2025 - 30/11/2026');
      // 6 handled Feb-Jul, 2 not false, 1 out of scope, 23:59 on 31/12/2025 (found false), 10/12/2025 (handled).
      expect(find('Vụ việc đã nhận', 'tất cả')).toBe('11');
      expect(find('Phát hiện là tin giả, tin xấu độc', 'tất cả')).toBe('8');
      expect(find('Đã xử lý', 'tất cả')).toBe('7');
      const months = parseCsv(csv).filter((r) => r[1] === 'Vụ việc theo tháng');
      expect(months.map((r) => r[2])).toEqual(['tháng 12/2025', ...Array.from({ length: 11 }, (_, i) => `tháng ${i + 1}/2026`)]);
      expect(months[0]![3]).toBe('2');
      expect(find('Tập huấn trong kỳ báo cáo', 'Cán bộ làm công tác quyền con người')).toBe('1');
      expect(find('Tập huấn trong năm', 'Cán bộ làm công tác quyền con người')).toBeUndefined();
      // The workbook for Excel has the same period and figures, as number cells.
      const x = readXlsx(readFileSync(join(dir, 'bao-cao-01-12-2025-den-30-11-2026.xlsx')));
      const cell = (indicator: string, group = 'tất cả') => x.cells.get(`D${x.rows.findIndex((r) => r[1] === indicator && r[2] === group) + 1}`);
      expect(cell('Kỳ báo cáo')).toMatchObject({ type: 's', value: '01/12/2025 - 30/11/2026' });
      expect(cell('Vụ việc đã nhận')).toMatchObject({ type: 'n', value: 11 });
      expect(cell('Vụ việc theo tháng', 'tháng 12/2025')).toMatchObject({ type: 'n', value: 2 });
      expect(out.join('\n')).toMatch(/bao-cao-01-12-2025-den-30-11-2026\.xlsx {3}\(mở bằng Excel\)/);
      // The period's files are named by its days: a calendar-year report of 2026 in the same
      // folder is another file, and neither overwrites the other.
      expect(existsSync(join(dir, 'bao-cao-2026.csv'))).toBe(false);
      expect(await cli(['--year', '2026'])).toBe(0);
      expect(readFileSync(join(dir, 'bao-cao-01-12-2025-den-30-11-2026.csv'), 'utf8')).toBe(csv);
      const html = readFileSync(join(dir, 'bao-cao-01-12-2025-den-30-11-2026.html'), 'utf8');
      expect(html).toContain('Số liệu từ 01/12/2025 đến 10:00 28/11/2026');
      expect(html).toContain('<td>Tháng 12/2025</td>');
    } finally {
      spyLog.mockRestore();
      spyErr.mockRestore();
      cleanup();
    }
  });
});

describe('a period from the 15th (15/12 to 14/12)', () => {
  it('lists 13 months and keeps the two Decembers apart', () => {
    const db = openDb(':memory:');
    disinfoCase(db, 'handled', '2025-12-20T03:00:00.000Z', 'platform'); // December 2025
    disinfoCase(db, 'not_false', '2026-12-10T03:00:00.000Z'); // December 2026, before the 14th
    disinfoCase(db, 'new', '2026-12-20T03:00:00.000Z'); // after the period
    const period = { from: new Date('2025-12-14T17:00:00.000Z'), to: new Date('2026-12-14T17:00:00.000Z') };
    const r = buildYearReport(db, 2026, names, new Date('2027-01-10T03:00:00Z'), undefined, period);
    const rows = parseCsv(reportCsv(r)).filter((x) => x[1] === 'Vụ việc theo tháng');
    expect(rows.map((x) => x[2])).toEqual(['tháng 12/2025', ...Array.from({ length: 12 }, (_, i) => `tháng ${i + 1}/2026`)]);
    expect(rows[0]![3]).toBe('1');
    expect(rows[12]![3]).toBe('1');
    expect(csvFinder(reportCsv(r))('Kỳ báo cáo', 'tất cả')).toBe('15/12/2025 - 14/12/2026');
  });
});
