/**
 * Excel workbooks (.xlsx) for the files staff open in a spreadsheet: contest results and the
 * yearly report, beside their CSV.
 *
 * Why not only CSV: Excel opens a double-clicked .csv with the list separator of Windows'
 * regional settings. In Vietnamese settings that is `;` (the decimal symbol is `,`), so a
 * comma-separated file opens with every row in one column, and `36.7` is not read as a number.
 * An .xlsx carries its own types: a number is a number cell whatever the locale (shown as 36,7
 * in Vietnamese settings), a date is a date cell with a day-first format, text is text.
 *
 * The workbook is written by `write-excel-file` (one dependency, fflate for the zip); what stays
 * ours is the policy, the same as `text/csv.ts`'s:
 *
 * - **A header row**: the first row is bold and stays in view when scrolling (frozen).
 * - **No formulas from the public.** A cell is a formula only when written as one, which we never
 *   do: every string is a text cell, so `=1+1` typed by a citizen shows as `=1+1` and runs nothing.
 *   Text that starts like a formula (`=`, `+`, `-`, `@`, tab, carriage return, the same test as
 *   the CSV's) is also given Excel's Text format (`@`), so opening the cell and pressing Enter
 *   keeps it text instead of turning it into a formula then.
 * - **Dates in Vietnam time, day first**: a `Date` is an instant; the cell shows Vietnam's wall
 *   clock (`dd/mm/yyyy hh:mm` unless the column says otherwise). An .xlsx date has no time zone,
 *   so the instant is shifted by Vietnam's offset before it is written.
 * - **Sensible widths**: each column is as wide as its longest value (header included), between
 *   {@link MIN_WIDTH} and {@link MAX_WIDTH} characters; longer text wraps.
 * - **Off the event loop when large.** write-excel-file builds the XML and deflates it on the
 *   calling thread: measured at load ~13 on this 2-core machine, 300 rows took ~90 ms, 20,300
 *   rows (a province-wide contest) 3.7-7.3 s with the event loop blocked the whole time, while
 *   the same process answers webhooks. A sheet of more than {@link THREAD_ROWS} rows is
 *   therefore written on a worker thread (`xlsx-worker.ts`); smaller ones are not worth a
 *   worker's start.
 */
import type { Worker } from 'node:worker_threads';
import type { Cell, CellObject, SheetData } from 'write-excel-file/node';
import { VIETNAM_OFFSET_MINUTES } from '../time/vietnam.js';
import { startModuleWorker } from '../worker-thread.js';

/** One cell: text, a number, an instant (shown in Vietnam time), or empty (`null` or `''`). */
export type XlsxValue = string | number | Date | null;

/** How one column is shown; every field is optional. */
export interface XlsxColumn {
  /** Width in characters; default: fitted to the column's longest value. */
  width?: number;
  /** Excel number format for the column's numbers, e.g. `'0.0'`; default: General. */
  numberFormat?: string;
  /** Excel date format for the column's dates; default {@link DATE_TIME_FORMAT}. */
  dateFormat?: string;
}

/** One sheet: a tab name, rows (the first is the header) and optional column settings. */
export interface XlsxSheet {
  /** The tab's name: at most 31 characters, none of `[ ] : * ? / \`. */
  name: string;
  rows: readonly (readonly XlsxValue[])[];
  /** Settings by column position; a missing entry takes the defaults. */
  columns?: readonly (XlsxColumn | undefined)[];
}

/** The MIME type of an .xlsx, for a download's content-type. */
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Day first, 24-hour clock: how Vietnamese staff write a time. */
export const DATE_TIME_FORMAT = 'dd/mm/yyyy hh:mm';
/** Day first, a day alone. */
export const DATE_FORMAT = 'dd/mm/yyyy';

/** Above this many rows a workbook is written on a worker thread (see the module comment). */
export const THREAD_ROWS = 2000;

/** Narrowest and widest fitted column, in characters. */
export const MIN_WIDTH = 6;
export const MAX_WIDTH = 60;

/** Excel's default font, which has every Vietnamese letter. */
const FONT = { family: 'Calibri', size: 11 };
/** Text that a spreadsheet would run as a formula (the same test as `text/csv.ts`). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Excel's Text number format: what is typed into the cell stays text. */
const TEXT_FORMAT = '@';
const OFFSET_MS = VIETNAM_OFFSET_MINUTES * 60_000;

/** How many characters `v` takes on screen (its longest line, for text). */
function shownLength(v: XlsxValue, col: XlsxColumn | undefined): number {
  if (v === null) return 0;
  if (v instanceof Date) return (col?.dateFormat ?? DATE_TIME_FORMAT).length;
  if (typeof v === 'number') return String(v).length + 1;
  return Math.max(...v.split(/\r\n|\n|\r/).map((line) => line.length));
}

/** The fitted width of column `i`: its longest value (the bold header a little wider), clamped. */
function fittedWidth(rows: XlsxSheet['rows'], i: number, col: XlsxColumn | undefined): number {
  let longest = Math.ceil(shownLength(rows[0]?.[i] ?? null, col) * 1.1);
  for (const row of rows.slice(1)) longest = Math.max(longest, shownLength(row[i] ?? null, col));
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest + 2));
}

/** One body cell as write-excel-file takes it. */
function bodyCell(v: XlsxValue, col: XlsxColumn | undefined, width: number): Cell {
  if (v === null) return null;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    return { value: new Date(v.getTime() + OFFSET_MS), type: Date, format: col?.dateFormat ?? DATE_TIME_FORMAT };
  }
  if (typeof v === 'number') {
    // NaN or Infinity would be written as text into a number cell: Excel calls the file damaged.
    if (!Number.isFinite(v)) return null;
    return { value: v, type: Number, ...(col?.numberFormat ? { format: col.numberFormat } : {}) };
  }
  // An empty text is an empty cell (Excel's "blank" for filters and COUNTA), not a text of length 0.
  if (v === '') return null;
  const cell: CellObject = { value: v, type: String };
  if (FORMULA_START.test(v)) cell.format = TEXT_FORMAT;
  if (shownLength(v, col) > width || /[\r\n]/.test(v)) {
    cell.wrap = true;
    cell.alignVertical = 'top';
  }
  return cell;
}

/** How {@link toXlsx} runs. */
export interface XlsxOptions {
  /** Write on a worker thread; default: when the sheet has more than {@link THREAD_ROWS} rows. */
  thread?: boolean;
}

/**
 * Writes one sheet as an .xlsx workbook (see the module comment for the policy): a bold, frozen
 * header row; numbers as number cells; dates in Vietnam time, day first; text as text, formulas
 * never run; fitted column widths. A large sheet is written on a worker thread.
 *
 * @example
 * const body = await toXlsx({ name: 'Kết quả', rows: [['Họ và tên', 'Điểm'], ['Nguyễn Văn An', 40]] });
 * reply.type(XLSX_CONTENT_TYPE).send(body);
 */
export function toXlsx(sheet: XlsxSheet, options: XlsxOptions = {}): Promise<Buffer> {
  return (options.thread ?? sheet.rows.length > THREAD_ROWS) ? writeOnThread(sheet) : writeSheet(sheet);
}

/** What the worker thread answers: the workbook's bytes, or why it failed. */
export type FromXlsxThread = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

/** Writes `sheet` on a worker thread of its own, which exits when done. */
function writeOnThread(sheet: XlsxSheet): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = startModuleWorker(import.meta.url, './xlsx-worker', { sheet });
    } catch (err) {
      reject(err as Error);
      return;
    }
    let settled = false;
    worker.once('message', (m: FromXlsxThread) => {
      settled = true;
      if (m.ok) resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
      else reject(new Error(`xlsx: writing the workbook failed: ${m.message}`));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`xlsx: the worker thread exited (${code}) before the workbook was written`));
    });
  });
}

/** Writes `sheet` on this thread (the worker's side calls this too). */
export async function writeSheet(sheet: XlsxSheet): Promise<Buffer> {
  const [header = [], ...body] = sheet.rows;
  const count = Math.max(0, ...sheet.rows.map((r) => r.length));
  const widths = Array.from({ length: count }, (_, i) => sheet.columns?.[i]?.width ?? fittedWidth(sheet.rows, i, sheet.columns?.[i]));
  const data: SheetData = [
    header.map((h): Cell => (h === null ? null : { value: h instanceof Date ? h.toISOString() : String(h), type: String, fontWeight: 'bold', alignVertical: 'top', wrap: true })),
    ...body.map((row) => row.map((v, i) => bodyCell(v, sheet.columns?.[i], widths[i]!))),
  ];
  // The font is named: without it the styles carry no font name or size, and a spreadsheet
  // other than Excel may pick one without Vietnamese letters.
  // Loaded on the first export, not with the server: importing it took 80-95 ms of every start.
  const { default: writeXlsxFile } = await import('write-excel-file/node');
  return writeXlsxFile(data, { sheet: sheet.name, columns: widths.map((width) => ({ width })), stickyRowsCount: 1 }, { fontFamily: FONT.family, fontSize: FONT.size }).toBuffer();
}
