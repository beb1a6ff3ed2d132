/**
 * CSV in and out, for the spreadsheets the office works with: contest results and the yearly
 * report going out, subscriber lists coming in.
 *
 * The quoting and parsing are csv-stringify's and csv-parse's (the `csv` project): RFC 4180
 * with its corner cases (quotes inside quotes, line breaks inside fields, a BOM, mixed line
 * ends) is easy to get almost right by hand, and we had two hand-written parsers that disagreed
 * on several of them. What stays ours is the policy:
 *
 * - **Excel first.** Output is UTF-8 with a byte order mark (without it Excel reads Vietnamese
 *   as mojibake) and CRLF line ends.
 * - **No formulas from the public.** A text field starting with `=`, `+`, `-`, `@`, a tab or a
 *   carriage return gets a leading apostrophe, so a spreadsheet shows it instead of running it
 *   (names and units are typed by citizens). Numbers are written as they are: `-3` is a number.
 * - **Quoted where a spreadsheet could misread.** Besides RFC 4180's `,` `"` and line breaks, a
 *   field with `;` (Excel's list separator in many locales) or leading/trailing spaces is
 *   quoted, so it survives a round trip unchanged.
 */
import { parse } from 'csv-parse/sync';
import { stringify, type Options as StringifyOptions } from 'csv-stringify/sync';

/** One cell of an export: text, a number, or empty (`null`). */
export type CsvValue = string | number | null;

/** Text that a spreadsheet would run as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

const stringifyOptions: StringifyOptions = {
  record_delimiter: 'windows',
  // csv-stringify quotes `,` `"` and the record delimiter (`\r\n` as a whole); a lone `\n` or
  // `\r`, a `;` and edge spaces are quoted by this rule.
  quoted_match: /[;\r\n]|^\s|\s$/,
  cast: { string: (s) => (FORMULA_START.test(s) ? `'${s}` : s) },
};

/**
 * Writes rows as CSV for Excel: a UTF-8 byte order mark, CRLF after every row (the last one
 * too), formulas defused, quoted where needed (see the module comment).
 *
 * @example
 * toCsv([['Họ và tên', 'Điểm'], ['Nguyễn Văn An', 40]]) // '\uFEFFHọ và tên,Điểm\r\nNguyễn Văn An,40\r\n'
 */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return `\uFEFF${stringify(rows as CsvValue[][], stringifyOptions)}`;
}

/**
 * One field as {@link toCsv} writes it (quoted, formula defused); `null` is empty.
 *
 * @example csvField('a"b') // '"a""b"'
 */
export function csvField(v: CsvValue): string {
  return stringify([[v]], { ...stringifyOptions, record_delimiter: '' });
}

/**
 * Reads CSV text (RFC 4180, as written by {@link toCsv} or saved by a spreadsheet) into rows of
 * strings. A leading BOM is dropped; CRLF, LF and CR line ends are all accepted; blank lines are
 * skipped; rows may have different lengths (the caller checks its columns). A stray quote inside
 * an unquoted field is kept as text.
 *
 * `delimiter` is `,` unless given: a spreadsheet in a Vietnamese locale may save with `;`.
 *
 * @throws Error `csv: line N: …` when the text is not CSV (e.g. a quoted field never closed).
 */
export function parseCsv(text: string, delimiter: ',' | ';' = ','): string[][] {
  try {
    return parse(text, {
      bom: true,
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
    }) as string[][];
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new Error(`csv: line ${e.lines ?? '?'}: ${e.message}; check the quotes of that line (a quoted field must end with '"')`, { cause: err });
  }
}

/**
 * Reads a staff CSV with a fixed header: ',' or, when the header line has ';' and no ',', ';'
 * (Excel in a Vietnamese locale); UTF-8 with or without a BOM. Returns each data row as
 * column -> cell with its line number, or the problem (in Vietnamese) that stops the whole file.
 * Shared by the imports (`loa subscribers import`, `loa training import` and its admin page).
 */
export function readCsvRecords<C extends string>(
  text: string,
  columns: readonly C[],
): { records: { line: number; cells: Record<C, string> }[]; problems: string[] } {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  let table: string[][];
  try {
    table = parseCsv(text, delimiter);
  } catch (err) {
    const line = /line (\d+)/.exec((err as Error).message)?.[1] ?? '?';
    return { records: [], problems: [`dòng ${line}: tệp không đúng dạng CSV: kiểm tra dấu ngoặc kép của dòng đó (ô mở bằng '"' phải đóng bằng '"')`] };
  }
  const header = (table[0] ?? []).map((h) => h.trim().toLowerCase());
  if (columns.some((c, i) => header[i] !== c))
    return { records: [], problems: [`dòng 1: dòng đầu phải là tên các cột, đúng thứ tự: ${columns.join(delimiter)}`] };
  return {
    records: table.slice(1).map((cells, i) => ({ line: i + 2, cells: Object.fromEntries(columns.map((c, j) => [c, cells[j] ?? ''])) as Record<C, string> })),
    problems: [],
  };
}
