/**
 * Reads a Word booklet (.docx) directly, so the office no longer has to select all, copy and
 * paste it: the paragraphs become the lines {@link readBooklet} reads, Word's automatic
 * numbering is written out ("Câu %1." becomes "Câu 1.", "Câu 2." …, as Word shows it), and a
 * table with a "Câu hỏi" and a "Trả lời" column is read as a sheet is ({@link readRows}).
 *
 * Why no library: the well-kept .docx readers (mammoth) bring a second zip and XML stack
 * (jszip, @xmldom/xmldom) next to the one read-excel-file already uses, and convert to HTML,
 * which we would then have to turn back into lines. A .docx is a zip, and its text is in one XML
 * part (word/document.xml): the archive goes through the .xlsx's guard (xlsx-guard.ts: the
 * entries inflated off the main thread within a budget, whatever sizes the archive declares, so
 * a zip bomb is refused before anything is parsed), and the part is read by the small tag scanner
 * below, which only needs paragraphs (`w:p`), their text runs (`w:t`, tabs, breaks), their
 * numbering (`w:numPr`, numbering.xml) and tables (`w:tbl`, `w:tr`, `w:tc`). Text Word keeps but
 * does not show is left out: deleted tracked changes (`w:del`, `w:moveFrom`), field codes
 * (`w:instrText`), and a drawing's fallback copy (`mc:Fallback`).
 */
import { readBooklet, type ImportRead, type ImportedEntry, type IgnoredLine } from './booklet.js';
import { bookletTooLong, readRows, type ReadLimits } from './table.js';
import { unpackXmlEntries } from './xlsx-guard.js';

/**
 * The most XML a .docx's text parts may unpack to (bytes). Word's document.xml of a 300-page
 * booklet with its run markup is 5–10 MB; an embedded picture is not XML and not unpacked.
 */
export const MAX_DOCX_XML = 32 * 1024 * 1024;

/** A block of the document body, in order. */
export type DocxBlock = { kind: 'p'; text: string } | { kind: 'table'; rows: string[][] };

/** One level of a numbering definition (numbering.xml `w:lvl`). */
interface Level {
  start: number;
  format: string;
  text: string;
}

/** The numbering definitions: each `w:num` to its abstract definition and start overrides. */
interface Numbering {
  abstract: Map<string, Map<number, Level>>;
  nums: Map<string, { abstractId: string; overrides: Map<number, number> }>;
}

const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML text with its entities and character references decoded. */
function decodeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (all, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return ENTITY[e] ?? all;
  });
}

/** An attribute's value in a tag's attribute text (`w:val="3"`), any namespace prefix. */
function attr(attrs: string, local: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)(?:[A-Za-z0-9_]+:)?${local}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? decodeXml(m[2] ?? m[3] ?? '') : undefined;
}

/** A tag without its namespace prefix ("w:p" → "p"). */
const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

// A tag (start, end or empty) or a comment, processing instruction or CDATA section; text between.
const TOKEN = /<(\/?)([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>/g;

/** Reads numbering.xml's definitions (what Word needs to show "Câu 3." for a numbered paragraph). */
export function readNumbering(xml: string): Numbering {
  const abstract = new Map<string, Map<number, Level>>();
  const nums = new Map<string, { abstractId: string; overrides: Map<number, number> }>();
  let absId: string | undefined;
  let level: { ilvl: number; l: Level } | undefined;
  let num: { id: string; abstractId: string; overrides: Map<number, number> } | undefined;
  let overrideLvl: number | undefined;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(xml); m; m = TOKEN.exec(xml)) {
    if (!m[2]) continue;
    const name = localName(m[2]);
    const close = m[1] === '/';
    const attrs = m[3] ?? '';
    if (name === 'abstractNum') {
      if (close) absId = undefined;
      else {
        absId = attr(attrs, 'abstractNumId') ?? '';
        abstract.set(absId, new Map());
      }
    } else if (name === 'lvl' && absId !== undefined) {
      if (close) {
        if (level) abstract.get(absId)!.set(level.ilvl, level.l);
        level = undefined;
      } else level = { ilvl: Number(attr(attrs, 'ilvl') ?? 0), l: { start: 1, format: 'decimal', text: '' } };
    } else if (level && !close && name === 'start') level.l.start = Number(attr(attrs, 'val') ?? 1) || 0;
    else if (level && !close && name === 'numFmt') level.l.format = attr(attrs, 'val') ?? 'decimal';
    else if (level && !close && name === 'lvlText') level.l.text = attr(attrs, 'val') ?? '';
    else if (name === 'num' && !close) {
      num = { id: attr(attrs, 'numId') ?? '', abstractId: '', overrides: new Map() };
      if (m[4] === '/') num = undefined;
    } else if (name === 'num' && close) {
      if (num) nums.set(num.id, { abstractId: num.abstractId, overrides: num.overrides });
      num = undefined;
    } else if (num && !close && name === 'abstractNumId') num.abstractId = attr(attrs, 'val') ?? '';
    else if (num && name === 'lvlOverride') overrideLvl = close ? undefined : Number(attr(attrs, 'ilvl') ?? 0);
    else if (num && !close && name === 'startOverride' && overrideLvl !== undefined) num.overrides.set(overrideLvl, Number(attr(attrs, 'val') ?? 1));
  }
  return { abstract, nums };
}

/** A paragraph style's numbering (a "Câu hỏi" style numbered "Câu %1."), its base style's when it has none. */
export type StyleNumbering = Map<string, { numId?: string; ilvl?: number; basedOn?: string }>;

/** Reads styles.xml: each paragraph style's numbering and the style it is based on. */
export function readStyles(xml: string): StyleNumbering {
  const out: StyleNumbering = new Map();
  let style: { id: string; numId?: string; ilvl?: number; basedOn?: string } | undefined;
  let inPPr = false;
  const re = new RegExp(TOKEN.source, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (!m[2]) continue;
    const name = localName(m[2]);
    const close = m[1] === '/';
    const attrs = m[3] ?? '';
    if (name === 'style') {
      if (close) {
        if (style) out.set(style.id, style);
        style = undefined;
      } else style = { id: attr(attrs, 'styleId') ?? '' };
    } else if (!style) continue;
    else if (name === 'pPr') inPPr = !close && m[4] !== '/';
    else if (name === 'basedOn' && !close) style.basedOn = attr(attrs, 'val');
    else if (inPPr && name === 'numId' && !close) style.numId = attr(attrs, 'val');
    else if (inPPr && name === 'ilvl' && !close) style.ilvl = Number(attr(attrs, 'val') ?? 0) || 0;
  }
  return out;
}

/** The numbering a style gives its paragraphs, through its base styles. */
function styleNumbering(styles: StyleNumbering, id: string | undefined): { numId: string; ilvl: number } | undefined {
  for (let depth = 0; id && depth < 10; depth++) {
    const st = styles.get(id);
    if (!st) return undefined;
    if (st.numId !== undefined) return { numId: st.numId, ilvl: st.ilvl ?? 0 };
    id = st.basedOn;
  }
  return undefined;
}

const ROMAN: [number, string][] = [
  [1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I'],
];

function roman(n: number): string {
  let out = '';
  for (const [v, s] of ROMAN) while (n >= v) ((out += s), (n -= v));
  return out;
}

function letters(n: number): string {
  // Word's letters repeat past z: aa, bb …
  const ch = String.fromCharCode(97 + ((n - 1) % 26));
  return ch.repeat(Math.floor((n - 1) / 26) + 1);
}

/** A number as a level's format writes it. */
function formatNumber(n: number, format: string): string {
  switch (format) {
    case 'upperRoman':
      return roman(n);
    case 'lowerRoman':
      return roman(n).toLowerCase();
    case 'upperLetter':
      return letters(n).toUpperCase();
    case 'lowerLetter':
      return letters(n);
    case 'decimalZero':
      return n < 10 ? `0${n}` : String(n);
    case 'none':
      return '';
    default:
      return String(n);
  }
}

/** Counts numbered paragraphs as Word does: per abstract definition, a level resetting those below it. */
function createNumberer(numbering: Numbering): (numId: string, ilvl: number) => string {
  const counters = new Map<string, number[]>();
  const started = new Set<string>();
  return (numId, ilvl) => {
    const num = numbering.nums.get(numId);
    if (!num || numId === '0') return '';
    const levels = numbering.abstract.get(num.abstractId);
    const level = levels?.get(ilvl);
    if (!levels || !level) return '';
    if (level.format === 'bullet') return '-';
    let c = counters.get(num.abstractId);
    if (!c) counters.set(num.abstractId, (c = []));
    // A w:num with a start override restarts the list the first time it is used.
    if (!started.has(numId)) {
      started.add(numId);
      for (const [l, v] of num.overrides) c[l] = v - 1;
    }
    for (let l = 0; l < ilvl; l++) if (c[l] === undefined) c[l] = levels.get(l)?.start ?? 1;
    c[ilvl] = c[ilvl] === undefined ? level.start : c[ilvl] + 1;
    c.length = ilvl + 1;
    return level.text.replace(/%([1-9])/g, (_, d: string) => {
      const l = Number(d) - 1;
      const fmt = levels.get(l)?.format ?? 'decimal';
      return formatNumber(c[l] ?? levels.get(l)?.start ?? 1, l === ilvl ? level.format : fmt);
    });
  };
}

/** Tokens scanned between two turns of the event loop. */
const STEP = 20_000;

/**
 * The body of word/document.xml as paragraphs and tables, in order, numbering written out.
 * Stops every {@link STEP} tags to let the bot answer (a 10 MB part is about 400,000 tags).
 */
export async function readDocumentXml(xml: string, numbering: Numbering = { abstract: new Map(), nums: new Map() }, styles: StyleNumbering = new Map()): Promise<DocxBlock[]> {
  const number = createNumberer(numbering);
  const blocks: DocxBlock[] = [];
  // Paragraphs nest (a text box's paragraphs inside a run of another): one buffer each.
  const paras: { text: string; numId?: string; ilvl?: number; style?: string; inPPr: boolean }[] = [];
  // Tables nest too: the innermost gets the rows; a nested table's text goes in its outer cell.
  // A cell's horizontal span (w:gridSpan) and whether it continues the merged cell above
  // (w:vMerge without "restart"): rows keep their columns, and a "Lĩnh vực" merged down a group
  // of rows is every row's.
  const tables: { rows: string[][]; cell?: string[]; span?: number; below?: boolean }[] = [];
  let hidden = 0; // inside w:del, w:moveFrom, mc:Fallback, w:instrText
  let inText = false;
  let count = 0;
  const emit = (text: string): void => {
    const t = tables.at(-1);
    if (t?.cell) t.cell.push(text);
    else if (tables.length === 0) blocks.push({ kind: 'p', text });
  };
  const re = new RegExp(TOKEN.source, 'g');
  let last = 0;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (++count % STEP === 0) await new Promise((resolve) => setImmediate(resolve));
    const between = xml.slice(last, m.index);
    last = re.lastIndex;
    const p = paras.at(-1);
    if (inText && !hidden && p && between) p.text += decodeXml(between);
    if (m[5] !== undefined && inText && !hidden && p) p.text += m[5];
    if (!m[2]) continue;
    const name = m[2];
    const local = localName(name);
    const close = m[1] === '/';
    const empty = m[4] === '/';
    const attrs = m[3] ?? '';
    // Deleted text, field codes, a drawing's fallback copy, and a tracked change's old formatting
    // (whose numbering is not the paragraph's).
    if (local === 'del' || local === 'moveFrom' || name === 'mc:Fallback' || local === 'instrText' || local === 'delText' || local === 'pPrChange' || local === 'rPrChange' || local === 'numberingChange') {
      if (!empty) hidden += close ? -1 : 1;
      continue;
    }
    if (hidden) continue;
    switch (local) {
      case 't':
        inText = !close && !empty;
        break;
      case 'tab':
      case 'ptab':
        if (p && !close && !p.inPPr) p.text += '\t';
        break;
      case 'br':
      case 'cr':
        if (p && !close) p.text += '\n';
        break;
      case 'noBreakHyphen':
        if (p && !close) p.text += '-';
        break;
      case 'pPr':
        if (p) p.inPPr = !close && !empty;
        break;
      case 'numId':
        if (p?.inPPr && !close) p.numId = attr(attrs, 'val');
        break;
      case 'ilvl':
        if (p?.inPPr && !close) p.ilvl = Number(attr(attrs, 'val') ?? 0) || 0;
        break;
      case 'pStyle':
        if (p?.inPPr && !close) p.style = attr(attrs, 'val');
        break;
      case 'p':
        if (!close) {
          paras.push({ text: '', inPPr: false });
          if (empty) emit(String(paras.pop()!.text));
        } else {
          const done = paras.pop();
          if (!done) break;
          // Numbered directly, or by its style (a "Câu hỏi" style numbered "Câu %1.").
          const byStyle = done.numId === undefined ? styleNumbering(styles, done.style) : undefined;
          const numId = done.numId ?? byStyle?.numId;
          const label = numId ? number(numId, done.ilvl ?? byStyle?.ilvl ?? 0) : '';
          emit(label ? `${label} ${done.text.replace(/^\s+/, '')}` : done.text);
        }
        break;
      case 'tbl':
        if (!close) tables.push({ rows: [] });
        else {
          const t = tables.pop();
          if (!t) break;
          if (tables.length === 0) blocks.push({ kind: 'table', rows: t.rows });
          // A table inside a cell: its rows as lines of the outer cell.
          else for (const row of t.rows) emit(row.filter(Boolean).join(' – '));
        }
        break;
      case 'tr':
        if (!close && tables.length) tables.at(-1)!.rows.push([]);
        break;
      case 'tc': {
        const t = tables.at(-1);
        if (!t) break;
        if (!close) {
          t.cell = [];
          t.span = 1;
          t.below = false;
        } else {
          const row = t.rows.at(-1);
          if (row) {
            const above = t.rows.at(-2)?.[row.length];
            const text = (t.cell ?? []).join('\n').trim();
            row.push(t.below && !text && above !== undefined ? above : text);
            for (let k = 1; k < (t.span ?? 1); k++) row.push('');
          }
          t.cell = undefined;
        }
        break;
      }
      case 'gridSpan': {
        const t = tables.at(-1);
        if (t?.cell && !close) t.span = Math.min(64, Math.max(1, Number(attr(attrs, 'val') ?? 1) || 1));
        break;
      }
      case 'vMerge': {
        const t = tables.at(-1);
        if (t?.cell && !close) t.below = attr(attrs, 'val') !== 'restart';
        break;
      }
    }
  }
  return blocks;
}

/** The part word/document.xml is by convention; `_rels/.rels` may name another. */
function mainPartName(rels: string | undefined): string {
  const m = rels ? /<Relationship\b[^>]*Type="[^"]*\/officeDocument"[^>]*>/.exec(rels) : null;
  const target = m ? /Target="([^"]+)"/.exec(m[0])?.[1] : undefined;
  return target ? target.replace(/^\//, '') : 'word/document.xml';
}

/** Whether a table's first rows hold a "Câu hỏi" and a "Trả lời" heading (read as a sheet). */
function isQaTable(rows: string[][]): boolean {
  return readRows(rows, 'docx').entries.length > 0;
}

/**
 * A table without such headings, as booklet lines: a row whose cell ends with "?" and is followed
 * by a longer cell is a question and its answer ("Hỏi:" / "Trả lời:"); other rows are their cells'
 * lines.
 */
function tableLines(rows: string[][]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const cells = row.map((c) => c.trim()).filter(Boolean);
    const q = cells.findIndex((c, i) => /\?\s*$/.test(c) && i < cells.length - 1);
    if (q >= 0 && !/^\s*(?:Câu|Hỏi)/iu.test(cells[q]!)) out.push(`Hỏi: ${cells[q]!.replace(/\n/g, ' ')}`, 'Trả lời:', ...cells.slice(q + 1).flatMap((c) => c.split('\n')));
    else out.push(...cells.flatMap((c) => c.split('\n')));
    out.push('');
  }
  return out;
}

/** The refusal of a file that is not a Word 2007+ document. */
const NOT_DOCX =
  'Không đọc được tệp Word: tệp phải là .docx (Word 2007 trở lên). Nếu là tệp .doc cũ, hoặc tệp được đặt mật khẩu, hãy mở bằng Word, bỏ mật khẩu (nếu có) rồi “Lưu thành” kiểu “Word Document (.docx)” và tải lên tệp mới.';

/**
 * Reads a .docx: paragraphs as a booklet, tables with "Câu hỏi"/"Trả lời" headings as sheets.
 * Entries' lines are the document's paragraphs (counted as Word's "Go to" does not, but as staff
 * count them scrolling: one for each paragraph, an empty one included; a table counts one).
 */
export async function readDocxBytes(bytes: Buffer, limits: ReadLimits = {}): Promise<ImportRead> {
  const refuse = (problem: string): ImportRead => ({ format: 'docx', entries: [], ignored: [], problems: [problem] });
  // An OLE container: a Word 97-2003 .doc renamed, or a password-protected .docx (Word encrypts
  // into the same container).
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0xd0cf11e0) return refuse(NOT_DOCX);
  const unpacked = await unpackXmlEntries(bytes, {
    wanted: (n) => n === '_rels/.rels' || (/^word\/[^/]+\.xml$/.test(n) && !/^word\/(?:fontTable|settings|webSettings|theme\d*|stylesWithEffects|footnotes|endnotes|comments|header\d*|footer\d*)\.xml$/.test(n)),
    maxXml: MAX_DOCX_XML,
  });
  if (!unpacked.ok)
    return refuse(
      unpacked.reason === 'not-zip'
        ? NOT_DOCX
        : `Tệp Word này giải nén ra hơn ${MAX_DOCX_XML / 1024 / 1024} MB văn bản, quá lớn với một tài liệu hỏi – đáp: hãy tách thành nhiều tệp (mỗi tệp một phần) rồi nhập từng tệp.`,
    );
  const part = (name: string): string | undefined => unpacked.files.find((f) => f.name.toString('utf8') === name)?.data.toString('utf8');
  const main = part(mainPartName(part('_rels/.rels')));
  if (main === undefined || !/<(?:\w+:)?document\b/.test(main.slice(0, 4096))) return refuse(NOT_DOCX);
  const numberingXml = part('word/numbering.xml');
  const stylesXml = part('word/styles.xml');
  const blocks = await readDocumentXml(main, numberingXml ? readNumbering(numberingXml) : undefined, stylesXml ? readStyles(stylesXml) : undefined);

  // Lines for the booklet reader, each with the paragraph it comes from.
  const lines: string[] = [];
  const paraOf: number[] = [];
  const tableEntries: ImportedEntry[] = [];
  const tableIgnored: IgnoredLine[] = [];
  let tableProblem: string | undefined;
  let tableNo = 0;
  blocks.forEach((b, i) => {
    const para = i + 1;
    if (b.kind === 'p') {
      for (const l of b.text.split('\n')) (lines.push(l), paraOf.push(para));
      return;
    }
    tableNo++;
    if (isQaTable(b.rows)) {
      const read = readRows(b.rows, 'docx', limits);
      if (read.problems.length) tableProblem ??= read.problems[0];
      for (const e of read.entries) tableEntries.push({ ...e, line: para, label: `Bảng ${tableNo}, hàng ${e.line}` });
      for (const l of read.ignored) tableIgnored.push({ line: para, text: l.text });
      return;
    }
    for (const l of tableLines(b.rows)) (lines.push(l), paraOf.push(para));
  });
  if (tableProblem) return refuse(tableProblem);
  const hasText = lines.some((l) => l.trim());
  const text = lines.join('\n');
  // Refused before it is read, as a paste is (table.ts bookletTooLong).
  const tooLong = hasText && limits.maxRows !== undefined ? bookletTooLong(text, limits.maxRows) : undefined;
  if (tooLong) return refuse(tooLong.replace('nội dung', 'tệp Word'));
  const booklet = hasText ? readBooklet(text) : undefined;
  const toPara = (line: number): number => paraOf[line - 1] ?? line;
  const fromText = booklet?.entries.map((e) => ({ ...e, line: toPara(e.line) })) ?? [];
  // Entries in the document's order (a table's rows at the table's place).
  const entries = [...fromText, ...tableEntries].sort((a, b) => a.line - b.line);
  const ignored = tableEntries.length && !fromText.length ? tableIgnored : [...(booklet?.ignored.map((l) => ({ ...l, line: toPara(l.line) })) ?? []), ...tableIgnored];
  if (limits.maxRows !== undefined && entries.length > limits.maxRows)
    return refuse(`Mỗi lần nhập tối đa ${limits.maxRows.toLocaleString('vi-VN')} câu hỏi; tệp Word có ${entries.length.toLocaleString('vi-VN')} câu: hãy tách thành nhiều tệp.`);
  if (!entries.length) {
    const empty = !hasText && !tableNo;
    return refuse(
      empty
        ? 'Tệp Word không có đoạn văn nào (tệp trống, hoặc nội dung nằm trong ảnh chụp: cần văn bản gõ được, không phải ảnh).'
        : `Không tìm thấy câu hỏi nào trong tệp Word: mỗi câu hỏi cần bắt đầu bằng “Câu 1.”, “Câu hỏi 1:” hoặc “Hỏi:”, câu trả lời bằng “Trả lời:” hoặc “Đáp:”; hoặc dùng một bảng có cột “Câu hỏi” và cột “Trả lời”.`,
    );
  }
  return { format: 'docx', entries, ignored, problems: [] };
}

/** Whether bytes look like a .docx's zip rather than text (for a file without its extension). */
export const looksLikeZip = (bytes: Buffer): boolean => bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50;
