/**
 * Numbers as search terms. Offices write "18 tuổi", "06 tháng", "500.000 đồng"; citizens type
 * "mười tám tuổi", "6 tháng", "500k", "năm trăm nghìn". Both sides of the index are brought to
 * one form, digits with the unit as its own word ("18 tuổi", "6 tháng", "500 nghìn"), so that a
 * number and its unit meet as a phrase (the bigram "~18_tuoi") whichever way they were written.
 *
 * Only spelled numbers of 10 or more are read as digits ("mười tám", "hai mươi lăm", "năm
 * trăm"): no other word reads that way, and written as words they never meet the digits an
 * office writes. A single digit word stays a word: "ba" is also a father, "năm" a year, "một" an
 * article, and "hai người" must still meet "cả hai bên" (measured: reading them as digits too
 * lost as many cases as it won, docs/search.md).
 */

/** Digit words. "tư", "lăm", "mốt" are 4, 5 and 1 only after a ten ("hai mươi tư", "mười lăm"). */
const DIGITS: ReadonlyMap<string, number> = new Map([
  ['một', 1],
  ['hai', 2],
  ['ba', 3],
  ['bốn', 4],
  ['năm', 5],
  ['sáu', 6],
  ['bảy', 7],
  ['bẩy', 7],
  ['tám', 8],
  ['chín', 9],
]);
const AFTER_TEN: ReadonlyMap<string, number> = new Map([...DIGITS, ['tư', 4], ['lăm', 5], ['mốt', 1]]);

/**
 * Number words typed without diacritics, read as the number word they may be ("hai muoi lam"
 * is "hai mươi lăm"). "sau" is left out: "sau" (after) is far commoner than "sáu".
 */
const FOLDED: ReadonlyMap<string, string> = new Map([
  ['mot', 'một'],
  ['bon', 'bốn'],
  ['nam', 'năm'],
  ['bay', 'bảy'],
  ['tam', 'tám'],
  ['chin', 'chín'],
  ['muoi', 'mười'],
  ['tram', 'trăm'],
  ['lam', 'lăm'],
  ['tu', 'tư'],
]);

/** Units a lone "muoi" (mười, or muối, muỗi) must be followed by to be read as 10. */
const UNITS: ReadonlySet<string> = new Set(['tuoi', 'ngay', 'thang', 'nam', 'tuan', 'lan', 'nguoi', 'trieu', 'nghin', 'ngan', 'phut', 'gio']);

/**
 * Reads a spelled number starting at `words[i]` (lower-case, NFC, canonical tone, diacritics
 * as typed): its value and the number of words it takes, or undefined when `words[i]` starts
 * no number. The grammar is "[D trăm] [linh|lẻ D | D mươi [D'] | mười [D']]" or "D".
 *
 * @example spelledNumber(['hai', 'mươi', 'lăm', 'tuổi'], 0) // { value: 25, length: 3 }
 */
export function spelledNumber(words: readonly string[], i: number): { value: number; length: number } | undefined {
  const w = (k: number): string => words[k] ?? '';
  let j = i;
  let value = 0;
  const d = DIGITS.get(w(j));
  if (d !== undefined && w(j + 1) === 'trăm') {
    value = d * 100;
    j += 2;
    const u = DIGITS.get(w(j + 1));
    if ((w(j) === 'linh' || w(j) === 'lẻ') && u !== undefined) return { value: value + u, length: j + 2 - i };
  }
  const t = DIGITS.get(w(j));
  if (t !== undefined && t > 1 && w(j + 1) === 'mươi') {
    value += t * 10;
    j += 2;
    const u = AFTER_TEN.get(w(j));
    return u !== undefined ? { value: value + u, length: j + 1 - i } : { value, length: j - i };
  }
  if (w(j) === 'mười') {
    value += 10;
    j += 1;
    const u = AFTER_TEN.get(w(j));
    return u !== undefined && w(j) !== 'mốt' && w(j) !== 'tư' ? { value: value + u, length: j + 1 - i } : { value, length: j - i };
  }
  if (value > 0) return { value, length: j - i };
  return d !== undefined ? { value: d, length: 1 } : undefined;
}

/** The words a spelled number of 10 or more starts with, with diacritics or without. */
const STARTS: ReadonlySet<string> = new Set([...DIGITS.keys(), 'mười', ...FOLDED.keys()]);

/** A spelled number found in a text's words: where it is and its value. */
export interface SpelledNumber {
  start: number;
  length: number;
  value: number;
}

/**
 * The spelled numbers of 10 or more in a text's words, each with whether it was typed with
 * diacritics (a word without them is read as the number word it may be).
 *
 * @example spelledNumbers([{ exact: 'mười', marked: true }, { exact: 'tám', marked: true }])
 * // [{ start: 0, length: 2, value: 18 }]
 */
export function spelledNumbers(words: readonly { exact: string; marked: boolean }[]): SpelledNumber[] {
  const out: SpelledNumber[] = [];
  let reading: string[] | undefined;
  const read = (k: number): string => (words[k]!.marked ? words[k]!.exact : (FOLDED.get(words[k]!.exact) ?? words[k]!.exact));
  for (let i = 0; i < words.length; i++) {
    if (!STARTS.has(words[i]!.exact)) continue;
    // "hai muoi" is "hai mươi" (twenty), "muoi tam" "mười tám" (eighteen).
    reading ??= words.map((_, k) => (read(k) === 'mười' && k > 0 && DIGITS.has(read(k - 1)) ? 'mươi' : read(k)));
    const n = spelledNumber(reading, i);
    if (!n || n.value < 10) continue;
    if (n.length === 1 && !words[i]!.marked && !UNITS.has(words[i + 1]?.exact ?? '')) continue;
    out.push({ start: i, length: n.length, value: n.value });
    i += n.length - 1;
  }
  return out;
}

const AMOUNT = /(?<![\p{L}\p{N}.,])([1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d{4,})(?![\p{L}\p{N}]|[.,]\d)/gu;
const SHORT_UNIT = /(?<![\p{L}\p{N}])(\d+)\s?(k|tr)(?![\p{L}\p{N}])/giu;

/** An amount in its largest round unit: 15000000 -> "15 triệu", 500000 -> "500 nghìn". */
function amount(v: number): string {
  if (v % 1e9 === 0) return `${v / 1e9} tỷ`;
  if (v % 1e6 === 0) return `${v / 1e6} triệu`;
  if (v % 1e3 === 0) return `${v / 1e3} nghìn`;
  return String(v);
}

/**
 * Writes the amounts of a text in one form: "500.000" and "500000" become "500 nghìn",
 * "15.000.000" "15 triệu", "500k" "500 nghìn", "2tr" "2 triệu". Four-digit numbers without
 * separators stay (years), and so do numbers that start with 0 (phone numbers).
 *
 * @example writeAmounts('trợ cấp 500.000 đồng, thưởng 200k') // 'trợ cấp 500 nghìn đồng, thưởng 200 nghìn'
 */
export function writeAmounts(text: string): string {
  if (!/\d/.test(text)) return text;
  return text
    .replace(AMOUNT, (m) => amount(Number(m.replace(/\./g, ''))))
    .replace(SHORT_UNIT, (_, n: string, u: string) => `${n} ${u.toLowerCase() === 'k' ? 'nghìn' : 'triệu'}`);
}
