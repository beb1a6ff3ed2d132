/**
 * Content files -> validated entries. `content/` is the source of truth for approved content:
 * - `qa/**\/*.md`: one Q&A per file, YAML front matter + Markdown answer;
 * - `articles/**\/*.md`: articles, split into passages at `##` headings;
 * - `topics.yaml`, `regions.yaml` (a tree of any depth), `synonyms.yaml`.
 * `articles/`, `quizzes/`, `regions.yaml` and `synonyms.yaml` are optional.
 *
 * The loader never stops at the first problem: it returns every error, each naming the file
 * and the field, so an editor can fix a batch in one go.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { decodeTextFile, legacyVietnamese, legacyVietnameseMessage, notUtf8Message, readOfficeFile } from '../text/encoding.js';
import { basename, join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { parse as parseYaml, parseDocument } from 'yaml';
import { z } from 'zod';
import { fieldIssueMessage, vietnameseMessage } from '../text/zod-vi.js';
import type { Lang } from '../text/language.js';

export { NOT_YAML, YAML_HINT, yamlFileError } from '../text/yaml-error.js';
import { NOT_YAML, YAML_HINT, yamlFileError } from '../text/yaml-error.js';

const slug = z
  .string()
  .max(56, 'must be at most 56 characters (ids travel in 64-byte button data)')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a slug: a-z, 0-9 and single dashes');
/**
 * A date as YYYY-MM-DD, or day first as Vietnamese write it (31/01/2026, 31-01-2026,
 * 31.01.2026). `new Date('07/12/2026')` read the Vietnamese 7 December as 12 July, in local time
 * (so 11 July in Vietnam once turned into UTC): an expiry date written that way hid or served an
 * entry months off, silently. Kept as YYYY-MM-DD.
 */
export function parseContentDate(text: string): string | undefined {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  const vn = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : vn ? [vn[3], vn[2], vn[1]] : [];
  if (!y || !m || !d) return undefined;
  const at = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  // 31/02/2026 rolls over to March: not a date.
  if (at.getUTCFullYear() !== Number(y) || at.getUTCMonth() !== Number(m) - 1 || at.getUTCDate() !== Number(d)) return undefined;
  return at.toISOString().slice(0, 10);
}

/** A YAML date (parsed to Date, at UTC midnight) or a date string ({@link parseContentDate}), kept as YYYY-MM-DD. */
const date = z.union([z.date(), z.string()]).transform((v, ctx) => {
  const d = v instanceof Date ? (Number.isNaN(v.getTime()) ? undefined : v.toISOString().slice(0, 10)) : parseContentDate(v);
  if (d === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a date such as 2026-01-31 or 31/01/2026' });
    return z.NEVER;
  }
  return d;
});
const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A legal or other source an answer cites. */
export const sourceSchema = z.object({
  title: nonEmpty,
  article: z.string().optional(),
  url: z.string().url().optional(),
});
export type Source = z.infer<typeof sourceSchema>;

/**
 * A list field also accepts one value written on its own ("topics: chung-thuc"); a list of
 * slugs also a comma-separated line ("topics: chung-thuc, ho-tich"). Offices write front matter
 * by hand, and the first two sessions of an office's trial each stopped on this.
 */
const listOf = <T extends z.ZodTypeAny>(item: T, { commas = false } = {}) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (commas ? v.split(',').map((x) => x.trim()).filter(Boolean) : [v]) : v),
    z.array(item),
  );
/** An enumerated value, whatever its case or surrounding spaces ("Approved", " draft"). */
const anyCase = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), schema);

const status = anyCase(z.enum(['draft', 'approved', 'retired']));
/**
 * The language an entry is written in (default Vietnamese). English entries are searched by
 * English questions only, in an index of their own (search.ts, docs/search.md).
 */
const lang = anyCase(z.enum(['vi', 'en'])).default('vi');

/** Front matter of a Q&A file. */
export const qaFrontMatterSchema = z
  .object({
    id: slug,
    question: nonEmpty,
    variants: listOf(nonEmpty).default([]),
    topics: listOf(slug, { commas: true }).pipe(z.array(slug).min(1, 'list at least one topic')),
    regions: listOf(slug, { commas: true }).default([]),
    sources: z.array(sourceSchema).min(1, 'cite at least one source'),
    status,
    reviewed_by: z.string().optional(),
    reviewed_at: date.optional(),
    expires: date.optional(),
    sample: z.boolean().optional(),
    lang,
    /** For an English entry: the id of the Vietnamese entry it translates (approved on its own). */
    translation_of: slug.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.status === 'approved' && !v.reviewed_by)
      ctx.addIssue({ code: 'custom', path: ['reviewed_by'], message: 'required when status is approved' });
    if (v.status === 'approved' && !v.reviewed_at)
      ctx.addIssue({ code: 'custom', path: ['reviewed_at'], message: 'required when status is approved' });
    if (v.translation_of && v.lang !== 'en')
      ctx.addIssue({ code: 'custom', path: ['translation_of'], message: "only an English entry (lang: en) translates another: add 'lang: en' or remove the field" });
  });
export type QaFrontMatter = z.infer<typeof qaFrontMatterSchema>;

/** Front matter of an article file. */
export const articleFrontMatterSchema = z.object({
  id: slug,
  title: nonEmpty,
  published: date,
  source: z.union([nonEmpty.transform((title) => ({ title })), sourceSchema]),
  topics: listOf(slug, { commas: true }).pipe(z.array(slug).min(1, 'list at least one topic')),
  regions: listOf(slug, { commas: true }).default([]),
  status,
  reviewed_by: z.string().optional(),
  reviewed_at: date.optional(),
  expires: date.optional(),
  sample: z.boolean().optional(),
  lang,
  translation_of: slug.optional(),
});
export type ArticleFrontMatter = z.infer<typeof articleFrontMatterSchema>;

/** A topic; `name_en` names it in the English menu (topics without one are not listed there). */
export const topicsSchema = z.array(z.object({ slug, name: nonEmpty, name_en: nonEmpty.optional(), description: z.string().optional() }));
export type Topic = z.infer<typeof topicsSchema>[number];

/** A region and its children, to any depth (province > commune; older setups: > district > …). */
export interface Region {
  slug: string;
  name: string;
  children?: Region[];
}
export const regionSchema: z.ZodType<Region> = z.lazy(() =>
  z.object({ slug, name: nonEmpty, children: z.array(regionSchema).optional() }),
);
export const regionsSchema = z.array(regionSchema);
export const synonymsSchema = z.array(z.array(nonEmpty).min(2, 'a group needs at least two terms'));

/** A Q&A as served. */
export interface QaEntry {
  kind: 'qa';
  id: string;
  file: string;
  question: string;
  variants: string[];
  topics: string[];
  regions: string[];
  sources: Source[];
  status: 'draft' | 'approved' | 'retired';
  reviewedBy?: string;
  reviewedAt?: string;
  expires?: string;
  answer: string;
  /** The language it is written in. */
  lang: Lang;
  /** For an English entry: the Vietnamese entry it translates. */
  translationOf?: string;
}

/** One `##` section of an article. `n` is 1-based; passage 0 is the intro (if any). */
export interface Passage {
  /** `<articleId>#<n>` */
  id: string;
  articleId: string;
  n: number;
  heading: string;
  text: string;
}

/** An article as served. */
export interface ArticleEntry {
  kind: 'article';
  id: string;
  file: string;
  title: string;
  published: string;
  source: Source;
  topics: string[];
  regions: string[];
  status: 'draft' | 'approved' | 'retired';
  expires?: string;
  passages: Passage[];
  lang: Lang;
  translationOf?: string;
}

/** A problem in one content file: the file (relative to the content dir), the field, the message. */
export interface ContentError {
  file: string;
  field: string;
  message: string;
}

/** Everything loaded from a content directory. */
export interface Content {
  dir: string;
  qa: QaEntry[];
  articles: ArticleEntry[];
  topics: Topic[];
  regions: Region[];
  synonyms: string[][];
  errors: ContentError[];
  /** Hash of every content file's path and bytes. */
  hash: string;
}

/** Lists files under `dir` (recursively) whose names end with `ext`, sorted. */
export function listFiles(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    // The entries' types come with the listing; only a link is stat'ed (to follow it).
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory() || (!e.isFile() && statSync(p).isDirectory())) walk(p);
      else if (e.name.endsWith(ext)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** All files that make up a content directory (what the hash covers). */
export function contentFiles(dir: string): string[] {
  const files = [
    ...listFiles(join(dir, 'qa'), '.md'),
    ...listFiles(join(dir, 'articles'), '.md'),
    ...listFiles(join(dir, 'quizzes'), '.yaml'),
  ];
  for (const f of ['topics.yaml', 'regions.yaml', 'synonyms.yaml']) if (existsSync(join(dir, f))) files.push(join(dir, f));
  return files;
}

/** Hash of the content directory: paths and bytes of every content file. Cheap: no parsing. */
export function hashContent(dir: string): string {
  const h = createHash('sha256');
  for (const f of contentFiles(dir)) {
    h.update(relative(dir, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

function zodErrors(file: string, err: z.ZodError, prefix = ''): ContentError[] {
  return err.issues.map((i) => ({
    file,
    field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(tệp)',
    message: vietnameseMessage(i),
  }));
}

/** Splits a Markdown file into YAML front matter and body. */
export function splitFrontMatter(text: string): { front: string; body: string } | null {
  const m = text.replace(/^\uFEFF/, '').match(/^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/);
  return m ? { front: lenientFrontMatter(m[1]!), body: m[2]! } : null;
}

/** Fields whose value is a sentence staff write freely (a colon or a '#' in it is text). */
const FREE_TEXT_FIELDS = new Set(['question', 'title', 'reviewed_by', 'article', 'heading']);
/** Fields that list such sentences, one an item. */
const FREE_TEXT_LISTS = new Set(['variants']);

/**
 * Front matter as staff type it, read as they meant it. Line for line (an error's line number
 * stays the file's), three slips of Word and Notepad are mended before the YAML is parsed:
 *
 * - a non-breaking space (Word puts one after a colon) is a space: "topics:\u00a0[x]" was
 *   a YAML error; so is indenting with Tab (Notepad), now two spaces a Tab;
 * - a value in typographic quotes ("status: “approved”", Word's autocorrect) is quoted text;
 * - a sentence with ": " or " #" in it ("question: Hỏi: …", "- Cho hỏi: …", "title: Luật
 *   X: …", "question: Gọi #111 …") is quoted text: YAML read the first as a nested mapping, an
 *   error, and the last as a comment, silently dropping the rest of the question.
 *
 * Only in free-text fields and the items of `variants`; values already in YAML syntax (quoted,
 * a list, a block) are left as they are.
 */
export function lenientFrontMatter(front: string): string {
  let field: string | undefined;
  return front
    .split('\n')
    .map((raw) => {
      const line = raw.replace(/\u00a0/g, ' ').replace(/^\t+/, (tabs) => '  '.repeat(tabs.length));
      // `s`: a line separator (U+2028, U+2029, pasted from a web page or a PDF) is not the end
      // of the value; without it the pattern did not match and the whole load threw.
      const m = /^(\s*(?:-\s+)?)(?:([A-Za-z_][\w-]*):(\s+|$))?(.*?)(\s*)$/s.exec(line);
      if (!m) return line;
      const [, lead = '', key, gap = '', value = '', tail = ''] = m;
      if (!lead && key) field = key;
      const item = lead.includes('-');
      if (!value || (!key && !item)) return line;
      const free = key ? FREE_TEXT_FIELDS.has(key) : !!field && FREE_TEXT_LISTS.has(field);
      return `${lead}${key ? `${key}:${gap}` : ''}${lenientValue(value, free)}${tail}`;
    })
    .join('\n');
}

function lenientValue(v: string, free: boolean): string {
  if (/^["'[{|>&*!%@`]/.test(v)) return v;
  const typographic = /^[“‘„](.*)[”’“]$/.exec(v);
  if (typographic) return JSON.stringify(typographic[1]);
  return free && /:\s|:$|\s#/.test(v) ? JSON.stringify(v) : v;
}

/** What {@link readYamlFile} returns for a file that does not parse (already reported). */
const UNREADABLE = Symbol('unreadable YAML');

function readYamlFile(path: string, rel: string, errors: ContentError[]): unknown {
  let text: string;
  try {
    text = readOfficeFile(path);
  } catch (err) {
    errors.push({ file: rel, field: '(tệp)', message: (err as Error).message });
    return UNREADABLE;
  }
  try {
    return parseYaml(text);
  } catch (err) {
    errors.push({ file: rel, field: '(tệp)', message: yamlFileError(err) });
    return UNREADABLE;
  }
}

/**
 * An entry file's text (text/encoding.ts: UTF-8, or UTF-16 with a BOM), or the problem of a
 * file saved in another encoding.
 */
function readEntryFile(path: string, rel: string): { text: string } | { problem: EntryProblem } {
  const decoded = decodeTextFile(readFileSync(path));
  if (decoded.ok) return { text: decoded.text };
  return { problem: { file: rel, field: '(tệp)', code: 'encoding', yamlLine: decoded.line, message: notUtf8Message(decoded.line) } };
}

/**
 * What kind of problem an entry file has. The loader reports only `file`, `field` and `message`
 * (English, for the log and `loa index`); the admin's raw editor words each kind in Vietnamese
 * and finds its line from `path` or `yamlLine`.
 */
export type EntryProblemCode = 'encoding' | 'legacy-font' | 'front-matter' | 'yaml' | 'schema' | 'id-file' | 'empty-body' | 'unknown-topic' | 'unknown-region' | 'duplicate-id';

/** A problem in one Q&A or article file's text, with what the admin needs to explain it. */
export interface EntryProblem extends ContentError {
  code: EntryProblemCode;
  /** Where in the front matter (schema, reference and id problems). */
  path?: PropertyKey[];
  /** The schema issue (code `schema`). */
  issue?: z.core.$ZodIssue;
  /** A YAML syntax error's line within the front matter (1-based); for `encoding`, the file's line. */
  yamlLine?: number;
  /** A YAML syntax error's own (English) message, without its position. */
  yamlDetail?: string;
  /** The offending value (an unknown topic or region, a duplicate id, the file name). */
  value?: string;
}

/** The loader's view of a problem: file, field, message. */
export function toContentError(p: EntryProblem): ContentError {
  return { file: p.file, field: p.field, message: p.message };
}

/** Front matter without an `id` takes the file's name as its id (the id must equal it anyway). */
function withId(data: unknown, name: string): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const d = data as Record<string, unknown>;
  return d.id === undefined || d.id === null ? { ...d, id: name } : d;
}

function parseMarkdownText(
  text: string,
  rel: string,
  problems: EntryProblem[],
  override?: Record<string, unknown>,
): { data: unknown; body: string } | null {
  const legacy = legacyVietnamese(text);
  if (legacy) {
    problems.push({ file: rel, field: '(tệp)', code: 'legacy-font', value: legacy.examples.join(' '), message: legacyVietnameseMessage(legacy) });
    return null;
  }
  const parts = splitFrontMatter(text);
  if (!parts) {
    problems.push({ file: rel, field: '(phần khai báo)', code: 'front-matter', message: "thiếu phần khai báo đầu tệp: bắt đầu tệp bằng dòng '---', rồi các trường, rồi dòng '---'" });
    return null;
  }
  const doc = parseDocument(parts.front);
  const bad = doc.errors[0];
  if (bad) {
    const yamlLine = bad.linePos?.[0]?.line;
    const yamlDetail = bad.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    // The front matter starts on the file's second line (after '---'): staff count in the file.
    const where = yamlLine ? ` ở dòng ${yamlLine + 1} của tệp` : '';
    problems.push({ file: rel, field: '(phần khai báo)', code: 'yaml', yamlLine, yamlDetail, message: `${NOT_YAML}${where}: ${YAML_HINT}. Chi tiết kỹ thuật: ${yamlDetail}` });
    return null;
  }
  let data = nfc((doc.toJS() ?? {}) as unknown);
  if (override && data && typeof data === 'object' && !Array.isArray(data)) data = { ...data, ...override };
  return { data, body: officeBody(parts.body.normalize('NFC')).trim() };
}

/**
 * An answer pasted from Word as the office wrote it: a bullet list came as "\t•\tSinh đôi…"
 * and was served with its tabs (found by the content author trial). A line starting with a
 * bullet sign (•, ●, ▪, ◦, ‣, ∙, ○, ■, □, ➢, ➤, ►, ✓, ✔), after any indent, is "• …"; the other
 * tabs and non-breaking spaces are spaces.
 */
export function officeBody(body: string): string {
  return body
    .replace(/^[ \t\u00a0]*[•●▪◦‣∙○■□➢➤►✓✔][ \t\u00a0]+/gm, '• ')
    .replace(/[\t\u00a0]+/g, ' ');
}

/** Whether `data` has the field at `path`, even empty (a missing field and one of the wrong kind are worded apart). */
function hasPath(data: unknown, path: readonly PropertyKey[]): boolean {
  let node = data;
  for (const seg of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, seg)) return false;
    node = (node as Record<PropertyKey, unknown>)[seg];
  }
  return true;
}

function schemaProblems(file: string, err: z.ZodError, data: unknown): EntryProblem[] {
  return err.issues.map((i) => ({
    file,
    field: i.path.map(String).join('.') || '(tệp)',
    message: fieldIssueMessage(i, hasPath(data, i.path)),
    code: 'schema' as const,
    path: i.path,
    issue: i,
  }));
}

/**
 * Parses one Q&A file's text exactly as the loader does (front matter, schema, id equal to the
 * file name, a non-empty answer), without the checks that need the other files (topics,
 * regions, duplicate ids: {@link entryRefProblems}). `override` replaces front-matter fields
 * before validation (the admin checks a fix as it will be once approved).
 */
export function parseQaText(rel: string, text: string, override?: Record<string, unknown>): { entry?: QaEntry; problems: EntryProblem[] } {
  const problems: EntryProblem[] = [];
  const md = parseMarkdownText(text, rel, problems, override);
  if (!md) return { problems };
  const name = basename(rel, '.md');
  // The id is the file's name: a file without one takes it.
  const data = withId(md.data, name);
  const parsed = qaFrontMatterSchema.safeParse(data);
  if (!parsed.success) return { problems: schemaProblems(rel, parsed.error, data) };
  const v = parsed.data;
  if (v.id !== name) return { problems: [{ file: rel, field: 'id', code: 'id-file', path: ['id'], value: name, message: `mã '${v.id}' phải trùng với tên tệp '${name}'` }] };
  if (!md.body) return { problems: [{ file: rel, field: '(nội dung)', code: 'empty-body', message: 'câu trả lời đang trống: viết câu trả lời bên dưới dòng --- thứ hai' }] };
  return {
    problems,
    entry: {
      kind: 'qa',
      id: v.id,
      file: rel,
      question: v.question,
      variants: v.variants,
      topics: v.topics,
      regions: v.regions,
      sources: v.sources,
      status: v.status,
      reviewedBy: v.reviewed_by,
      reviewedAt: v.reviewed_at,
      expires: v.expires,
      answer: md.body,
      lang: v.lang,
      ...(v.translation_of ? { translationOf: v.translation_of } : {}),
    },
  };
}

/** Parses one article file's text exactly as the loader does (see {@link parseQaText}). */
export function parseArticleText(rel: string, text: string, override?: Record<string, unknown>): { entry?: ArticleEntry; problems: EntryProblem[] } {
  const problems: EntryProblem[] = [];
  const md = parseMarkdownText(text, rel, problems, override);
  if (!md) return { problems };
  const name = basename(rel, '.md');
  // The id is the file's name: a file without one takes it.
  const data = withId(md.data, name);
  const parsed = articleFrontMatterSchema.safeParse(data);
  if (!parsed.success) return { problems: schemaProblems(rel, parsed.error, data) };
  const v = parsed.data;
  if (v.id !== name) return { problems: [{ file: rel, field: 'id', code: 'id-file', path: ['id'], value: name, message: `mã '${v.id}' phải trùng với tên tệp '${name}'` }] };
  const passages = splitPassages(v.id, v.title, md.body);
  if (passages.length === 0) return { problems: [{ file: rel, field: '(nội dung)', code: 'empty-body', message: 'bài viết chưa có nội dung bên dưới dòng --- thứ hai' }] };
  return {
    problems,
    entry: {
      kind: 'article',
      id: v.id,
      file: rel,
      title: v.title,
      published: v.published,
      source: v.source,
      topics: v.topics,
      regions: v.regions,
      status: v.status,
      expires: v.expires,
      passages,
      lang: v.lang,
      ...(v.translation_of ? { translationOf: v.translation_of } : {}),
    },
  };
}

/**
 * The checks of an entry against the other files: its topics (when topics are known) and
 * regions exist, and its id is not used by another file (`ids`: id -> file; the entry's id is
 * added when it is free).
 */
export function entryRefProblems(
  rel: string,
  v: { id: string; topics: string[]; regions: string[] },
  refs: { topics: ReadonlySet<string>; regions: ReadonlySet<string>; ids: Map<string, string> },
): EntryProblem[] {
  const problems: EntryProblem[] = [];
  v.topics.forEach((t, i) => {
    if (refs.topics.size && !refs.topics.has(t))
      problems.push({ file: rel, field: `topics.${i}`, code: 'unknown-topic', path: ['topics', i], value: t, message: `không có chủ đề '${t}': thêm vào topics.yaml hoặc sửa mã chủ đề` });
  });
  v.regions.forEach((r, i) => {
    if (!refs.regions.has(r))
      problems.push({ file: rel, field: `regions.${i}`, code: 'unknown-region', path: ['regions', i], value: r, message: `không có địa bàn '${r}': thêm vào regions.yaml hoặc sửa mã địa bàn` });
  });
  const other = refs.ids.get(v.id);
  if (other && other !== rel)
    problems.push({ file: rel, field: 'id', code: 'duplicate-id', path: ['id'], value: other, message: `mã '${v.id}' trùng với tệp ${other}: mỗi mục cần một mã riêng` });
  else refs.ids.set(v.id, rel);
  return problems;
}

/** Deep NFC normalisation of parsed YAML, so content typed in any composition compares equal. */
function nfc<T>(v: T): T {
  if (typeof v === 'string') return v.normalize('NFC') as T;
  if (Array.isArray(v)) return v.map(nfc) as T;
  if (v && typeof v === 'object' && !(v instanceof Date))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nfc(x)])) as T;
  return v;
}

/** Splits an article body into passages at `##` headings. Text before the first heading is the intro (n = 0). */
export function splitPassages(articleId: string, title: string, body: string): Passage[] {
  const passages: Passage[] = [];
  const lines = body.split(/\r?\n/);
  let heading = title;
  let n = 0;
  let buf: string[] = [];
  const flush = (): void => {
    const text = buf.join('\n').trim();
    if (text) passages.push({ id: `${articleId}#${n}`, articleId, n, heading, text });
    buf = [];
  };
  for (const line of lines) {
    const m = line.match(/^##\s+(.+?)\s*#*\s*$/);
    if (m && !line.startsWith('###')) {
      flush();
      n += 1;
      heading = m[1]!;
    } else buf.push(line);
  }
  flush();
  return passages;
}

/** Flattens a region tree into slug -> {name, parent, path}. */
export function flattenRegions(regions: Region[]): Map<string, { name: string; parent: string | null; path: string[] }> {
  const out = new Map<string, { name: string; parent: string | null; path: string[] }>();
  const walk = (nodes: Region[], parent: string | null, path: string[]): void => {
    for (const r of nodes) {
      out.set(r.slug, { name: r.name, parent, path: [...path, r.slug] });
      if (r.children) walk(r.children, r.slug, [...path, r.slug]);
    }
  };
  walk(regions, null, []);
  return out;
}

/**
 * What parsing an entry file gave, by its path and text (`rel\0text`), most recently used last.
 * A reload after a save changes one file or a few; parsing the YAML front matter and validating
 * every file again cost about 120 ms on the sample content (1 ms per file) and scales with the
 * office's content. Parsing reads nothing but the path and the text, so an unchanged file (in
 * any folder: `loa eval --strip-variants` and the tests load copies) gets its earlier result, as
 * a copy: callers own what they get. Checks across files (topics, regions, duplicate ids,
 * translations) run on every load. Bounded by the text it holds.
 */
const parsedFiles = new Map<string, unknown>();
let parsedChars = 0;
/**
 * Text held at most (characters): about 40 times the sample content (182,000). A larger office's files are parsed
 * again on each load, as before (one pass over more than this evicts each file before its reuse).
 */
const PARSED_CHARS = 8_000_000;

/** parse(rel, text), or a copy of its result for the same path and text. */
function parseOnce<R>(rel: string, text: string, parse: (rel: string, text: string) => R): R {
  const key = `${rel}\0${text}`;
  let result = parsedFiles.get(key) as R | undefined;
  if (result === undefined) {
    result = parse(rel, text);
    parsedChars += key.length;
  } else parsedFiles.delete(key);
  parsedFiles.set(key, result);
  for (const old of parsedFiles.keys()) {
    if (parsedChars <= PARSED_CHARS) break;
    parsedFiles.delete(old);
    parsedChars -= old.length;
  }
  return structuredClone(result);
}

/**
 * Loads and validates a content directory. Never throws for content problems: they are in
 * `errors`, and the entries of files without errors are returned.
 */
export function loadContent(dir: string): Content {
  const errors: ContentError[] = [];
  const topicsFile = join(dir, 'topics.yaml');
  let topics: Topic[] = [];
  if (!existsSync(topicsFile)) errors.push({ file: 'topics.yaml', field: '(tệp)', message: 'thiếu tệp: liệt kê các chủ đề dạng [{slug, name}]' });
  else {
    const raw = readYamlFile(topicsFile, 'topics.yaml', errors);
    const parsed = raw === UNREADABLE ? undefined : topicsSchema.safeParse(nfc(raw));
    if (parsed?.success) topics = parsed.data;
    else if (parsed) errors.push(...zodErrors('topics.yaml', parsed.error));
  }
  let regions: Region[] = [];
  const regionsFile = join(dir, 'regions.yaml');
  if (existsSync(regionsFile)) {
    const raw = readYamlFile(regionsFile, 'regions.yaml', errors);
    const parsed = raw === UNREADABLE ? undefined : regionsSchema.safeParse(nfc(raw ?? []));
    if (parsed?.success) regions = parsed.data;
    else if (parsed) errors.push(...zodErrors('regions.yaml', parsed.error));
  }
  let synonyms: string[][] = [];
  const synFile = join(dir, 'synonyms.yaml');
  if (existsSync(synFile)) {
    const raw = readYamlFile(synFile, 'synonyms.yaml', errors);
    const parsed = raw === UNREADABLE ? undefined : synonymsSchema.safeParse(nfc(raw ?? []));
    if (parsed?.success) synonyms = parsed.data;
    else if (parsed) errors.push(...zodErrors('synonyms.yaml', parsed.error));
  }
  const topicSet = new Set(topics.map((t) => t.slug));
  const regionSet = new Set(flattenRegions(regions).keys());

  const refs = { topics: topicSet, regions: regionSet, ids: new Map<string, string>() };
  const checkRefs = (rel: string, v: { topics: string[]; regions: string[]; id: string }): boolean => {
    const problems = entryRefProblems(rel, v, refs);
    errors.push(...problems.map(toContentError));
    return problems.length === 0;
  };

  const qa: QaEntry[] = [];
  for (const path of listFiles(join(dir, 'qa'), '.md')) {
    const rel = relative(dir, path);
    const read = readEntryFile(path, rel);
    const r = 'text' in read ? parseOnce(rel, read.text, parseQaText) : { problems: [read.problem], entry: undefined };
    errors.push(...r.problems.map(toContentError));
    if (r.entry && checkRefs(rel, r.entry)) qa.push(r.entry);
  }

  const articles: ArticleEntry[] = [];
  for (const path of listFiles(join(dir, 'articles'), '.md')) {
    const rel = relative(dir, path);
    const read = readEntryFile(path, rel);
    const r = 'text' in read ? parseOnce(rel, read.text, parseArticleText) : { problems: [read.problem], entry: undefined };
    errors.push(...r.problems.map(toContentError));
    if (r.entry && checkRefs(rel, r.entry)) articles.push(r.entry);
  }
  // A translation names a Vietnamese entry of the same kind that exists.
  const checkTranslations = <E extends QaEntry | ArticleEntry>(list: E[]): E[] => {
    const byId = new Map(list.map((e) => [e.id, e]));
    return list.filter((e) => {
      const target = e.translationOf ? byId.get(e.translationOf) : undefined;
      if (!e.translationOf || target?.lang === 'vi') return true;
      errors.push({
        file: e.file,
        field: 'translation_of',
        message: target
          ? `'${e.translationOf}' không phải mục tiếng Việt: bản dịch phải trỏ tới mục gốc tiếng Việt`
          : `không có mục '${e.translationOf}': ghi mã của ${e.kind === 'qa' ? 'hỏi đáp' : 'bài viết'} tiếng Việt mà mục này dịch`,
      });
      return false;
    });
  };
  return { dir, qa: checkTranslations(qa), articles: checkTranslations(articles), topics, regions, synonyms, errors, hash: hashContent(dir) };
}

/** True when an entry may be answered today: approved and not expired. */
export function isServable(e: { status: string; expires?: string }, today: string): boolean {
  return e.status === 'approved' && (!e.expires || e.expires >= today);
}

/** Formats content errors for logs and the CLI: `file: field: message`, one per line. */
export function formatContentErrors(errors: ContentError[]): string {
  return errors.map((e) => `nội dung: ${e.file} · ${e.field}: ${e.message}`).join('\n');
}
