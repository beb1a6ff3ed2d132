import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/text/analyzer.js';
import { spelledNumber, spelledNumbers, writeAmounts } from '../../src/text/numbers.js';

const typed = (text: string) => text.split(' ').map((exact) => ({ exact, marked: /[^a-z0-9]/.test(exact) }));

describe('spelledNumber', () => {
  const cases: [string, number, number][] = [
    ['mười', 10, 1],
    ['mười lăm', 15, 2],
    ['mười tám tuổi', 18, 2],
    ['hai mươi', 20, 2],
    ['hai mươi mốt', 21, 3],
    ['hai mươi tư', 24, 3],
    ['ba mươi lăm', 35, 3],
    ['năm trăm', 500, 2],
    ['một trăm linh năm', 105, 4],
    ['một trăm hai mươi', 120, 4],
    ['hai trăm mười lăm', 215, 4],
    ['ba', 3, 1],
  ];
  it.each(cases)('reads "%s" as %d in %d words', (text, value, length) => {
    expect(spelledNumber(text.split(' '), 0)).toEqual({ value, length });
  });
  it('starts no number on other words', () => {
    expect(spelledNumber(['tuổi'], 0)).toBeUndefined();
    expect(spelledNumber(['lăm'], 0)).toBeUndefined();
  });
});

describe('spelledNumbers: only numbers of 10 or more', () => {
  it('finds them with or without diacritics', () => {
    expect(spelledNumbers(typed('con mười tám tuổi'))).toEqual([{ start: 1, length: 2, value: 18 }]);
    expect(spelledNumbers(typed('hai muoi lam trieu'))).toEqual([{ start: 0, length: 3, value: 25 }]);
    expect(spelledNumbers(typed('muoi tam tuoi'))).toEqual([{ start: 0, length: 2, value: 18 }]);
  });
  it('leaves single digit words, which are also other words, as words', () => {
    expect(spelledNumbers(typed('ba mẹ tôi năm nay ba tuổi'))).toEqual([]);
    expect(spelledNumbers(typed('rút một lần'))).toEqual([]);
  });
  it('reads a lone "muoi" as ten only before a unit (it may be salt or a mosquito)', () => {
    expect(spelledNumbers(typed('bi muoi dot'))).toEqual([]);
    expect(spelledNumbers(typed('muoi ngay'))).toEqual([{ start: 0, length: 1, value: 10 }]);
  });
});

describe('writeAmounts', () => {
  it.each([
    ['500.000 đồng', '500 nghìn đồng'],
    ['15.000.000 đồng', '15 triệu đồng'],
    ['2.000.000.000', '2 tỷ'],
    ['1.490.000 đồng', '1490 nghìn đồng'],
    ['500000 đồng', '500 nghìn đồng'],
    ['thưởng 200k', 'thưởng 200 nghìn'],
    ['lương 7tr một tháng', 'lương 7 triệu một tháng'],
    ['lương 7 tr', 'lương 7 triệu'],
  ])('writes "%s" as "%s"', (text, out) => {
    expect(writeAmounts(text)).toBe(out);
  });
  it('leaves years, phone numbers, short numbers and decimals alone', () => {
    for (const t of ['năm 2025', 'gọi 0912345678', 'gọi 1800 1567', 'Điều 5, 100 người', '1,5 triệu', 'ngày 01.01.2025']) expect(writeAmounts(t)).toBe(t);
  });
});

describe('numbers in the analyzer', () => {
  const a = createAnalyzer();
  const terms = (q: string) => a.indexTerms(q).filter((t) => t.includes('_'));
  it('makes a number and its unit meet however either side wrote them', () => {
    expect(terms('con mười tám tuổi')).toContain('~18_tuoi');
    expect(terms('Con đủ 18 tuổi')).toContain('~18_tuoi');
    expect(terms('muoi tam tuoi')).toContain('~18_tuoi');
    expect(terms('nghỉ 06 tháng')).toContain('~6_thang');
    expect(terms('nghỉ 6 tháng')).toContain('~6_thang');
    expect(terms('mức 500.000 đồng')).toContain('~500_nghin');
    expect(terms('được 500k không')).toContain('~500_nghin');
    expect(terms('năm trăm nghìn')).toContain('~500_nghin');
  });
});
