/** The CSV kit (text/csv.ts): Excel-friendly exports and a forgiving import. */
import { describe, expect, it } from 'vitest';
import { csvField, parseCsv, toCsv } from '../../src/text/csv.js';

describe('toCsv', () => {
  it('writes a BOM, CRLF after every row, and Vietnamese text as UTF-8', () => {
    const csv = toCsv([
      ['Hạng', 'Họ và tên', 'Điểm'],
      [1, 'Nguyễn Thị Ánh Tuyết', 95],
    ]);
    expect(csv).toBe('\uFEFFHạng,Họ và tên,Điểm\r\n1,Nguyễn Thị Ánh Tuyết,95\r\n');
    expect([...Buffer.from(csv, 'utf8').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it.each([
    ['plain', 'Chi đoàn 1', 'Chi đoàn 1'],
    ['comma', 'Tân Hưng, Hưng Yên', '"Tân Hưng, Hưng Yên"'],
    ['quotes doubled', 'huyện "A"', '"huyện ""A"""'],
    ['CRLF inside', 'dòng 1\r\ndòng 2', '"dòng 1\r\ndòng 2"'],
    ['lone LF inside', 'dòng 1\ndòng 2', '"dòng 1\ndòng 2"'],
    ['semicolon (Excel list separator)', 'a;b', '"a;b"'],
    ['edge spaces kept', ' Lan ', '" Lan "'],
    ['formula defused', '=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['plus', '+84 912', "'+84 912"],
    ['minus text', '-1+1', "'-1+1"],
    ['at', '@SUM(A1)', "'@SUM(A1)"],
    ['tab start', '\t=1', "'\t=1"],
    ['empty', '', ''],
  ])('quotes a field: %s', (_label, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes numbers as numbers (a negative number is not a formula) and null as empty', () => {
    expect(toCsv([[-3, 1.5, null, 0]])).toBe('\uFEFF-3,1.5,,0\r\n');
  });
});

describe('parseCsv', () => {
  it('reads quotes, commas, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
    ]);
  });

  it('reads line breaks inside quoted fields, LF / CR line ends, and skips blank lines', () => {
    expect(parseCsv('tên,ghi chú\n"Lê C","dòng 1\r\ndòng 2"\r\rTrần B,\rx')).toEqual([
      ['tên', 'ghi chú'],
      ['Lê C', 'dòng 1\r\ndòng 2'],
      ['Trần B', ''],
      ['x'],
    ]);
  });

  it('keeps a stray quote inside an unquoted field as text, and rows of different lengths', () => {
    expect(parseCsv('cao 1m7" ,b\nmột')).toEqual([['cao 1m7" ', 'b'], ['một']]);
  });

  it('reads back exactly what toCsv wrote (formulas keep their apostrophe)', () => {
    const rows = [
      ['Họ và tên', 'Đơn vị', 'Điểm'],
      ['Nguyễn Văn "Tèo"', 'Xã Tân Hưng,\nHưng Yên', '40'],
      ['=1+1', ' cách ', '-3'],
    ];
    expect(parseCsv(toCsv(rows))).toEqual([rows[0], rows[1], ["'=1+1", ' cách ', "'-3"]]);
  });

  it('says which line is broken when a quoted field never ends', () => {
    expect(() => parseCsv('a,b\n"chưa đóng,1\n')).toThrow(/^csv: line \d+: .*quote/);
  });
});
