/**
 * Reads back an .xlsx the way a test needs to check it, without a spreadsheet library: the zip
 * is opened with node:zlib (central directory, then each entry's stored or deflated data) and
 * the sheet's cells are read from the XML, with their type, shared-string text, formula (if any)
 * and number format. Enough for the workbooks `src/text/xlsx.ts` writes, not a general reader.
 */
import { inflateRawSync } from 'node:zlib';

/** The files inside a zip, by name. */
export function unzip(buf: Buffer): Map<string, Buffer> {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('unzip: no end of central directory: not a zip file');
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < entries; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('unzip: bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + compressed);
    files.set(name, method === 0 ? Buffer.from(data) : inflateRawSync(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const unescape = (s: string): string =>
  s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (m, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : e === 'amp' ? '&' : String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );

/** One cell as stored. */
export interface XlsxCell {
  ref: string;
  /** The `t` attribute: `s` shared string, `n` number (the default), `b`, `str`, `inlineStr`. */
  type: string;
  /** The text for strings, the number for numbers (dates are serial numbers). */
  value: string | number;
  /** The formula, when the cell has one. */
  formula?: string;
  /** The number format code of its style (`General` when none). */
  format: string;
  bold: boolean;
  wrap: boolean;
}

/** What a test checks in a workbook of one sheet. */
export interface ReadXlsx {
  files: Map<string, Buffer>;
  sheetName: string;
  /** Cells by reference, e.g. `B2`. */
  cells: Map<string, XlsxCell>;
  /** Rows of cell values (`null` where there is no cell), as a spreadsheet shows them in order. */
  rows: (string | number | null)[][];
  /** Column widths by position (1-based `min` of each `<col>`). */
  widths: number[];
  /** The frozen pane's top-left cell, if any. */
  frozenAt?: string;
}

const BUILTIN_FORMATS: Record<number, string> = { 0: 'General', 1: '0', 2: '0.00', 3: '#,##0', 4: '#,##0.00', 14: 'mm-dd-yy', 22: 'm/d/yy h:mm', 49: '@' };

/** Opens an .xlsx (first sheet) for checking. */
export function readXlsx(buf: Buffer): ReadXlsx {
  const files = unzip(buf);
  const text = (name: string): string => {
    const f = files.get(name);
    if (!f) throw new Error(`readXlsx: no ${name} in the workbook`);
    return f.toString('utf8');
  };
  const shared = [...(files.has('xl/sharedStrings.xml') ? text('xl/sharedStrings.xml') : '').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
    [...m[1]!.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => unescape(t[1]!)).join(''),
  );
  const styles = text('xl/styles.xml');
  const numFmts = new Map<number, string>([...styles.matchAll(/<numFmt\s+numFmtId="(\d+)"\s+formatCode="([^"]*)"/g)].map((m) => [Number(m[1]), unescape(m[2]!)]));
  const fonts = [...(styles.match(/<fonts[^>]*>([\s\S]*?)<\/fonts>/)?.[1] ?? '').matchAll(/<font>([\s\S]*?)<\/font>|<font\/>/g)].map((m) => /<b\/>/.test(m[1] ?? ''));
  const xfs = [...(styles.match(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/)?.[1] ?? '').matchAll(/<xf\b([^>]*?)(?:\/>|>([\s\S]*?)<\/xf>)/g)].map((m) => {
    const id = Number(/numFmtId="(\d+)"/.exec(m[1]!)?.[1] ?? 0);
    return { format: numFmts.get(id) ?? BUILTIN_FORMATS[id] ?? `#${id}`, bold: fonts[Number(/fontId="(\d+)"/.exec(m[1]!)?.[1] ?? 0)] ?? false, wrap: /wrapText="(1|true)"/.test(m[2] ?? '') };
  });
  const workbook = text('xl/workbook.xml');
  const sheetName = unescape(/<sheet\s[^>]*name="([^"]*)"/.exec(workbook)?.[1] ?? '');
  const sheet = text('xl/worksheets/sheet1.xml');
  const cells = new Map<string, XlsxCell>();
  const rows: (string | number | null)[][] = [];
  for (const m of sheet.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const attrs = m[1]!;
    const ref = /r="([A-Z]+\d+)"/.exec(attrs)![1]!;
    const type = /t="(\w+)"/.exec(attrs)?.[1] ?? 'n';
    const style = xfs[Number(/s="(\d+)"/.exec(attrs)?.[1] ?? 0)] ?? { format: 'General', bold: false, wrap: false };
    const inner = m[2] ?? '';
    const raw = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
    const formula = /<f(?:\s[^>]*)?>([\s\S]*?)<\/f>/.exec(inner)?.[1];
    let value: string | number;
    if (type === 's') value = shared[Number(raw)]!;
    else if (type === 'inlineStr') value = unescape(/<t[^>]*>([\s\S]*?)<\/t>/.exec(inner)?.[1] ?? '');
    else if (type === 'str') value = unescape(raw ?? '');
    else value = raw === undefined ? '' : Number(raw);
    cells.set(ref, { ref, type, value, ...(formula !== undefined ? { formula: unescape(formula) } : {}), ...style });
    const col = [...ref.replace(/\d+$/, '')].reduce((a, ch) => a * 26 + ch.charCodeAt(0) - 64, 0) - 1;
    const row = Number(ref.replace(/^[A-Z]+/, '')) - 1;
    while (rows.length <= row) rows.push([]);
    const r = rows[row]!;
    while (r.length < col) r.push(null);
    r[col] = raw === undefined && type !== 'inlineStr' ? null : value;
  }
  const widths: number[] = [];
  for (const m of sheet.matchAll(/<col\b([^>]*)\/>/g)) widths[Number(/min="(\d+)"/.exec(m[1]!)![1]) - 1] = Number(/width="([\d.]+)"/.exec(m[1]!)![1]);
  const frozenAt = /<pane\b[^>]*topLeftCell="([A-Z]+\d+)"[^>]*state="frozen"/.exec(sheet)?.[1] ?? /<pane\b[^>]*state="frozen"[^>]*topLeftCell="([A-Z]+\d+)"/.exec(sheet)?.[1];
  return { files, sheetName, cells, rows, widths, ...(frozenAt ? { frozenAt } : {}) };
}

/** An Excel serial date (days since 1899-12-30, as Excel counts) as the wall clock it shows: "dd/mm/yyyy hh:mm". */
export function serialToWallClock(serial: number): string {
  const d = new Date(Math.round((serial - 25569) * 86_400_000));
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
