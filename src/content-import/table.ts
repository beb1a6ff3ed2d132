/**
 * Reads an office's FAQ sheet (Excel .xlsx, a CSV saved from it, or cells copied from Excel,
 * which paste as tab-separated text) into entries, as {@link readBooklet} reads a booklet.
 *
 * Offices keep such lists with Vietnamese headings, often under a title row ("DANH MỤC CÂU HỎI
 * THƯỜNG GẶP") and beside a "STT" column. The header is the first of the first ten rows that
 * names a question column and an answer column; the columns are found by their headings, in any
 * order and any case, with or without diacritics:
 * - question: "Câu hỏi", "Nội dung câu hỏi", "Hỏi";
 * - answer: "Trả lời", "Câu trả lời", "Nội dung trả lời", "Đáp";
 * - sources (optional): "Căn cứ pháp lý", "Căn cứ", "Cơ sở pháp lý", "Nguồn", "Văn bản";
 * - topic (optional): "Lĩnh vực", "Chủ đề" (several separated by ";");
 * - regions (optional): "Địa bàn", "Xã, phường" (names or slugs of regions.yaml, separated by ";");
 * - other wordings (optional): "Cách hỏi khác".
 * Other columns (STT, ghi chú…) are left out. Rows with neither a question nor an answer are
 * skipped; a row with only one of them is kept, so the preview can say what it lacks.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { decodeTextFile, notUtf8CsvMessage } from '../text/encoding.js';
import { foldedCanonical } from '../text/vietnamese.js';
import { cleanPastedText, readBooklet, sourcesFrom, type ImportRead, type ImportedEntry } from './booklet.js';
import { MAX_XLSX_CELLS, MAX_XLSX_XML, checkXlsxArchive } from './xlsx-guard.js';
import { readDocxBytes } from './docx.js';

type Column = 'question' | 'answer' | 'sources' | 'topic' | 'regions' | 'variants';

/** Headings, folded (foldedCanonical), for each column. */
const HEADINGS: Record<Column, string[]> = {
  question: ['cau hoi', 'noi dung cau hoi', 'hoi', 'cau hoi thuong gap', 'question'],
  answer: ['tra loi', 'cau tra loi', 'noi dung tra loi', 'dap', 'giai dap', 'noi dung giai dap', 'answer'],
  sources: ['can cu phap ly', 'can cu', 'co so phap ly', 'nguon', 'van ban', 'van ban phap luat', 'van ban can cu', 'source', 'sources'],
  topic: ['linh vuc', 'chu de', 'topic', 'topics'],
  regions: ['dia ban', 'dia ban ap dung', 'pham vi ap dung', 'xa phuong', 'phuong xa', 'don vi', 'region', 'regions'],
  variants: ['cach hoi khac', 'cau hoi tuong tu', 'variants'],
};

function columnOf(heading: string): Column | undefined {
  const h = foldedCanonical(heading);
  for (const [col, names] of Object.entries(HEADINGS) as [Column, string[]][]) if (names.includes(h)) return col;
  return undefined;
}

/** A cell as text: numbers and dates as written, nothing for an empty cell. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

/** The text of a cell cleaned as pasted text is (a cell from Word keeps Word's spaces). */
const clean = (v: unknown): string => cleanPastedText(cellText(v)).trim();

/** A booklet's label copied into a cell with its question ("Câu 3:", "Hỏi:"), left out. */
const QUESTION_LABEL = /^(?:Câu(?:\s+hỏi)?(?:\s+số)?\s*\d{1,4}\s*[.:)–—-]|Câu\s+hỏi\s*[:.]|Hỏi\s*[:.])\s*/iu;
/** The same for an answer ("Trả lời:", "Đáp:"). */
const ANSWER_LABEL = /^(?:Trả\s+lời|Đáp|TL)\s*[:.–—-]\s*/iu;

/** An answer cell as Markdown: its lines, blank lines between paragraphs kept. */
function answerText(v: unknown): string {
  return clean(v)
    .replace(ANSWER_LABEL, '')
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
}

/**
 * Reads rows (the header among them). `rowNumber(i)` is how staff find row i in their file.
 *
 * @example readRows([['STT', 'Câu hỏi', 'Trả lời'], ['1', 'Ai…?', 'Công dân…']], 'csv').entries.length // 1
 */
export function readRows(rows: unknown[][], format: ImportRead['format'], limits: ReadLimits = {}): ImportRead {
  const headerAt = rows.slice(0, 10).findIndex((r) => {
    const cols = r.map((c) => columnOf(cellText(c)));
    return cols.includes('question') && cols.includes('answer');
  });
  if (headerAt < 0)
    return {
      format,
      entries: [],
      ignored: [],
      problems: ['Không thấy dòng tên cột: bảng cần một cột “Câu hỏi” và một cột “Trả lời” (có thể thêm “Căn cứ pháp lý” hoặc “Nguồn”, “Lĩnh vực”, “Cách hỏi khác”).'],
    };
  const index = new Map<Column, number>();
  rows[headerAt]!.forEach((c, i) => {
    const col = columnOf(cellText(c));
    if (col && !index.has(col)) index.set(col, i);
  });
  const at = (r: unknown[], col: Column): unknown => (index.has(col) ? r[index.get(col)!] : undefined);
  if (limits.maxRows !== undefined && rows.length - headerAt - 1 > limits.maxRows) {
    // Counted before anything is cleaned: each row costs ~6 µs to read, and 2,000,000 rows of an
    // 8 MB CSV held the event loop 13 s here only to be refused for their number.
    const filled = (v: unknown): boolean => cellText(v).trim() !== '';
    let count = 0;
    for (let i = headerAt + 1; i < rows.length; i++) if (filled(at(rows[i]!, 'question')) || filled(at(rows[i]!, 'answer'))) count++;
    if (count > limits.maxRows) return { format, entries: [], ignored: [], problems: [tooManyRows(limits.maxRows, `bảng có ${count.toLocaleString('vi-VN')} dòng câu hỏi`)] };
  }
  const entries: ImportedEntry[] = [];
  const ignored = rows.slice(0, headerAt).flatMap((r, i) => {
    const text = r.map(clean).filter(Boolean).join(' · ');
    return text ? [{ line: i + 1, text }] : [];
  });
  rows.slice(headerAt + 1).forEach((r, k) => {
    const question = clean(at(r, 'question')).replace(/\s+/g, ' ').replace(QUESTION_LABEL, '');
    const answer = answerText(at(r, 'answer'));
    if (!question && !answer) return;
    const topic = clean(at(r, 'topic'));
    const regions = clean(at(r, 'regions'));
    const variants = clean(at(r, 'variants'))
      .split(/\n|;/)
      .map((v) => v.trim())
      .filter(Boolean);
    entries.push({
      line: headerAt + k + 2,
      question,
      answer,
      sources: sourcesFrom(clean(at(r, 'sources'))),
      ...(topic ? { topic } : {}),
      ...(regions ? { regions } : {}),
      ...(variants.length ? { variants } : {}),
    });
  });
  return {
    format,
    entries,
    ignored,
    problems: entries.length ? [] : ['Bảng không có dòng câu hỏi nào dưới dòng tên cột.'],
  };
}

/** What a reader may stop at: more rows than one import takes (the admin's preview is one page). */
export interface ReadLimits {
  /** Entries of a sheet beyond which it is refused, unread. */
  maxRows?: number;
}

/** Lines of a CSV (answers of many lines included) read per entry allowed, before parsing. */
const LINES_PER_ROW = 50;

/** The refusal of a sheet too long for one import; `what` says how long. */
function tooManyRows(max: number, what: string, part = 'bảng'): string {
  return `Mỗi lần nhập tối đa ${max.toLocaleString('vi-VN')} câu hỏi; ${what}: chia thành nhiều lần (mỗi lần một phần của ${part}).`;
}

/** The delimiter of a CSV: ';' (Excel on a Vietnamese Windows), ',' or a tab, by the header line. */
function delimiterOf(text: string): string {
  const first = text.split('\n').find((l) => l.trim()) ?? '';
  const count = (ch: string): number => first.split(ch).length - 1;
  return [';', '\t', ','].reduce((best, ch) => (count(ch) > count(best) ? ch : best), ',');
}

/**
 * Reads a CSV's bytes: UTF-8 (Excel's "CSV UTF-8") or UTF-16; another encoding is refused with
 * how to save it again.
 */
export function readCsvBytes(bytes: Uint8Array, limits: ReadLimits = {}): ImportRead {
  const decoded = decodeTextFile(bytes);
  if (!decoded.ok) return { format: 'csv', entries: [], ignored: [], problems: [`Tệp CSV: ${notUtf8CsvMessage(decoded.line)}`] };
  return readCsvText(decoded.text, 'csv', limits);
}

/** Reads CSV (or tab-separated) text. */
export function readCsvText(text: string, format: 'csv' | 'tsv', limits: ReadLimits = {}): ImportRead {
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (limits.maxRows !== undefined) {
    // Parsing 2,000,000 short lines took 4 s before the rows were even counted.
    let lines = 0;
    for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lines++;
    if (lines > limits.maxRows * LINES_PER_ROW) return { format, entries: [], ignored: [], problems: [tooManyRows(limits.maxRows, `bảng dài ${lines.toLocaleString('vi-VN')} dòng`)] };
  }
  const parsed = csvRows(body);
  if (!parsed.ok) return { format, entries: [], ignored: [], problems: [parsed.problem] };
  return readRows(parsed.rows, format, limits);
}

/**
 * A CSV's (or tab-separated) cells, its delimiter found from the header line; a refusal in
 * Vietnamese (which line, what to check) when it cannot be parsed. Shared by the Q&A import and
 * the contest questions' import (quiz/import.ts).
 */
export function csvRows(text: string): { ok: true; rows: string[][] } | { ok: false; problem: string } {
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  try {
    return { ok: true, rows: parseCsv(body, { delimiter: delimiterOf(body), relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true }) as string[][] };
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    return { ok: false, problem: `Không đọc được bảng${line ? ` ở dòng ${line}` : ''}: kiểm tra dấu ngoặc kép (") trong các ô, hoặc lưu lại từ Excel dạng “CSV UTF-8”.` };
  }
}

/** Whether pasted text is cells copied from Excel (tab-separated, with the headings). */
export function looksLikeSheet(text: string): boolean {
  // The first line with text, found without splitting the whole paste (800,000 lines took 1.5 s).
  let first = '';
  for (let at = 0; at < text.length; ) {
    const end = text.indexOf('\n', at);
    const line = text.slice(at, end < 0 ? text.length : end).replace(/^\uFEFF/, '').replace(/\r$/, '');
    if (line.trim()) {
      first = line;
      break;
    }
    if (end < 0) break;
    at = end + 1;
  }
  if (!first.includes('\t')) return false;
  const cols = first.split('\t').map(columnOf);
  return cols.includes('question') && cols.includes('answer');
}

/**
 * Reads an .xlsx workbook's first sheet (or the first sheet with the headings). read-excel-file
 * is loaded on the first import, not with the server.
 */
export async function readXlsxBytes(bytes: Buffer, limits: ReadLimits = {}): Promise<ImportRead> {
  const unreadable: ImportRead = {
    format: 'xlsx',
    entries: [],
    ignored: [],
    problems: ['Không đọc được tệp Excel: tệp phải là .xlsx (Excel 2007 trở lên). Với tệp .xls cũ, mở bằng Excel rồi “Lưu thành” kiểu “Excel Workbook (.xlsx)”.'],
  };
  // The archive is checked and its XML unpacked within a limit first (xlsx-guard.ts: a small
  // file can unpack to gigabytes); read-excel-file reads what was checked.
  const book = await xlsxSheets(bytes);
  const oneSheet = 'Hãy chép trang tính hỏi – đáp sang một tệp Excel mới (chỉ trang đó, chỉ các dòng có câu hỏi) rồi tải lên tệp mới.';
  if (!book.ok)
    return book.reason === 'unreadable'
      ? unreadable
      : {
          format: 'xlsx',
          entries: [],
          ignored: [],
          problems: [
            book.reason === 'too-large'
              ? `Tệp Excel này giải nén ra hơn ${MAX_XLSX_XML / 1024 / 1024} MB dữ liệu, quá lớn với một bảng hỏi – đáp: có thể tệp còn những trang tính khác rất lớn. ${oneSheet}`
              : `Tệp Excel này có hơn ${MAX_XLSX_CELLS.toLocaleString('vi-VN')} ô (kể cả ô trống có định dạng), quá nhiều với một bảng hỏi – đáp tối đa 1.000 câu. ${oneSheet}`,
          ],
        };
  const sheets = book.sheets;
  let first: ImportRead | undefined;
  for (const s of sheets) {
    const read = readRows(s.data, 'xlsx', limits);
    if (read.entries.length) return sheets.length > 1 ? { ...read, ignored: [{ line: 0, text: `Đọc trang tính “${s.sheet}”` }, ...read.ignored] } : read;
    first ??= read;
  }
  return first ?? { format: 'xlsx', entries: [], ignored: [], problems: ['Tệp Excel không có trang tính nào.'] };
}

/**
 * Every sheet of an .xlsx, its cells as rows (merged ranges filled, see {@link mergedCells}),
 * after the archive was checked and unpacked within its limits (xlsx-guard.ts: a small file can
 * unpack to gigabytes). Shared by the Q&A import and the contest questions' import
 * (quiz/import.ts), which word their own refusals.
 */
export async function xlsxSheets(bytes: Buffer): Promise<{ ok: true; sheets: { sheet: string; data: unknown[][] }[] } | { ok: false; reason: 'unreadable' | 'too-large' | 'too-many-cells' }> {
  const checked = await checkXlsxArchive(bytes);
  if (!checked.ok) return { ok: false, reason: checked.reason === 'not-zip' ? 'unreadable' : checked.reason };
  const { default: readXlsxFile } = await import('read-excel-file/node');
  let sheets: { sheet: string; data: unknown[][] }[];
  try {
    sheets = (await readXlsxFile(checked.bytes)) as { sheet: string; data: unknown[][] }[];
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  const merged = mergedCells(checked.parts);
  for (const s of sheets) fillMerged(s.data, merged.get(s.sheet) ?? []);
  return { ok: true, sheets };
}

const xmlText = (s: string): string => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Each sheet's merged ranges ("A3:A7"), by sheet name. read-excel-file gives a merged range's
 * value in its top-left cell only (its parseSheet leaves merges out on purpose), and FAQ sheets
 * merge "Lĩnh vực" down a group of rows, or one answer over two wordings of a question: the rows
 * below lost their topic, or their answer ("Không có câu trả lời").
 */
function mergedCells(parts: Map<string, Buffer>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const workbook = parts.get('xl/workbook.xml')?.toString('utf8');
  const rels = parts.get('xl/_rels/workbook.xml.rels')?.toString('utf8');
  if (!workbook || !rels) return out;
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
    const id = /\bId="([^"]*)"/.exec(m[0])?.[1];
    const target = /\bTarget="([^"]*)"/.exec(m[0])?.[1];
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  for (const m of workbook.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(m[0])?.[1];
    const rid = /\b\w+:id="([^"]*)"/.exec(m[0])?.[1];
    const xml = rid ? parts.get(targets.get(rid) ?? '')?.toString('utf8') : undefined;
    if (name === undefined || !xml || !xml.includes('mergeCell')) continue;
    out.set(xmlText(name), [...xml.matchAll(/<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]{1,3}\d{1,7}:[A-Z]{1,3}\d{1,7})"/g)].map((r) => r[1]!));
  }
  return out;
}

/** A cell address ("AB12") as 0-based row and column. */
function cellAt(ref: string): { row: number; col: number } {
  const m = /^([A-Z]+)(\d+)$/.exec(ref)!;
  let col = 0;
  for (const ch of m[1]!) col = col * 26 + (ch.charCodeAt(0) - 64);
  return { row: Number(m[2]) - 1, col: col - 1 };
}

/**
 * Gives every cell of a range merged down (over more than one row) the range's value, within the
 * rows and columns read (nothing is added: a range over a million rows fills only those there).
 * A range merged across one row only (a title over the columns) is left as it is.
 */
function fillMerged(data: unknown[][], ranges: string[]): void {
  for (const range of ranges) {
    const [from, to] = range.split(':').map(cellAt) as [{ row: number; col: number }, { row: number; col: number }];
    if (to.row <= from.row) continue;
    const value = data[from.row]?.[from.col];
    if (value === null || value === undefined || value === '') continue;
    for (let r = from.row; r <= to.row && r < data.length; r++)
      for (let c = from.col; c <= to.col && c < data[r]!.length; c++) if (data[r]![c] === null || data[r]![c] === undefined || data[r]![c] === '') data[r]![c] = value;
  }
}

/**
 * Reads an uploaded file by its name: .xlsx, .docx, .csv (or .tsv/.txt, read by their contents).
 * A .xls, .doc or .pdf is refused with what to do.
 */
export async function readImportFile(name: string, bytes: Buffer, limits: ReadLimits = {}): Promise<ImportRead> {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  if (ext === 'xlsx') return readXlsxBytes(bytes, limits);
  if (ext === 'csv') return readCsvBytes(bytes, limits);
  const refuse = (problem: string): ImportRead => ({ format: 'booklet', entries: [], ignored: [], problems: [problem] });
  if (ext === 'xls') return refuse('Tệp .xls (Excel 97-2003) chưa đọc được: mở bằng Excel, chọn “Lưu thành” kiểu “Excel Workbook (.xlsx)” rồi tải lên tệp mới.');
  if (ext === 'docx') return readDocxBytes(bytes, limits);
  if (ext === 'doc')
    return refuse('Tệp .doc (Word 97-2003) chưa đọc được: mở bằng Word, chọn “Lưu thành” kiểu “Word Document (.docx)” rồi tải lên tệp mới (hoặc chọn toàn bộ, chép rồi dán vào ô “Nội dung”).');
  if (ext === 'pdf')
    return refuse('Tệp .pdf chưa đọc được trực tiếp: mở tệp, chọn toàn bộ (Ctrl+A), chép (Ctrl+C) rồi dán vào ô “Nội dung” của trang này; nếu có bản Word (.docx) của tài liệu, tải lên bản đó.');
  // .txt, .tsv, .md, no extension: text, read as what it looks like.
  const decoded = decodeTextFile(bytes);
  if (!decoded.ok) return refuse(`Tệp văn bản: ${notUtf8CsvMessage(decoded.line)}`);
  return readImportText(decoded.text, limits);
}

/** Lines of a booklet read per entry allowed (paragraphs, lists, blank lines), before parsing. */
const BOOKLET_LINES_PER_ENTRY = 40;
// A line that starts a question whatever else the booklet does ("Câu 12.", "Câu hỏi 3:", "Hỏi:").
const QUESTION_LINE = /^[ \t*_]*(?:câu(?:[ \t]+hỏi)?(?:[ \t]+số)?[ \t]*\d{1,4}[ \t]*[.:)–—-]|(?:câu[ \t]+hỏi|hỏi)[ \t]*[:.])/gimu;

/**
 * Why a booklet is too long for one import, found before it is read: its lines, then its lines
 * that start a question, are counted (a few tens of milliseconds for the 8 MB a form takes).
 * Reading costs about 25 µs a line at a load of 20 here: a paste of 100,000 one-line questions
 * (6.4 MB) held the event loop 4.8 s, 400,000 (26 MB, as a file) 22 s, only to be refused for
 * their number.
 */
export function bookletTooLong(text: string, maxRows: number): string | undefined {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  if (lines > maxRows * BOOKLET_LINES_PER_ENTRY) return tooManyRows(maxRows, `nội dung dài ${lines.toLocaleString('vi-VN')} dòng`, 'tài liệu');
  let questions = 0;
  QUESTION_LINE.lastIndex = 0;
  while (QUESTION_LINE.exec(text)) if (++questions > maxRows) break;
  if (questions > maxRows) return tooManyRows(maxRows, `nội dung có hơn ${maxRows.toLocaleString('vi-VN')} câu hỏi (dòng bắt đầu bằng “Câu …” hoặc “Hỏi:”)`, 'tài liệu');
  return undefined;
}

/** Reads pasted text: cells copied from Excel, or a booklet. */
export function readImportText(text: string, limits: ReadLimits = {}): ImportRead {
  if (looksLikeSheet(text)) return readCsvText(text, 'tsv', limits);
  const tooLong = limits.maxRows === undefined ? undefined : bookletTooLong(text, limits.maxRows);
  if (tooLong) return { format: 'booklet', entries: [], ignored: [], problems: [tooLong] };
  return readBooklet(text);
}
