/**
 * Writes Q&A and articles edited in the admin pages back to the content files, in the same
 * format and through the same zod schemas as the loader (`knowledge/content.ts`), so a file
 * saved here always loads, and a hand-edited file can be opened here.
 *
 * Writes are atomic (temp file + rename): the content watcher never sees half a file.
 *
 * **Pending revisions.** A new entry is written as a draft file: there is nothing to keep
 * serving. A change to an *approved* entry is not written to its file; the whole proposed
 * file text is kept in the database (`db/revisions.ts`) and replaces the file only when another
 * person approves it ({@link applyRevision}). Why the database and not a sidecar file beside the
 * approved one: the revision carries who changed it (four eyes), the questions attached through
 * it and its decision, which a file cannot hold honestly; the content watcher reloads the index
 * on any file change in `content/`, and an office's checkout of `content/` (often in git) should
 * hold only what is approved or deliberately drafted. The file stays the source of truth for
 * what is served; the revision stores the file's hash when it started, so an approval never
 * overwrites a hand edit made meanwhile.
 */
import { readDecoded } from '../text/encoding.js';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import {
  articleFrontMatterSchema,
  flattenRegions,
  parseContentDate,
  qaFrontMatterSchema,
  splitFrontMatter,
  type Region,
  type Topic,
} from '../knowledge/content.js';
import { foldedCanonical } from '../text/vietnamese.js';
import { vietnameseMessage } from '../text/zod-vi.js';

/** A validation problem on one form field, in Vietnamese for staff. */
export interface FieldError {
  field: string;
  message: string;
}

/** Thrown when an edit does not validate; `errors` name the fields. */
export class ContentValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`content: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  }
}

const lines = (s: string | undefined): string[] =>
  (s ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : []);

/** The Q&A edit form as posted. */
export const qaFormSchema = z.object({
  id: z.string().trim().default(''),
  question: z.string().default(''),
  variants: z.string().default(''),
  topics: z.unknown().optional().transform(list),
  regions: z.unknown().optional().transform(list),
  /** One source per line: `title | article | url` (article and url optional). */
  sources: z.string().default(''),
  expires: z.string().trim().default(''),
  answer: z.string().default(''),
});
export type QaForm = z.infer<typeof qaFormSchema>;

/** The article edit form as posted. */
export const articleFormSchema = z.object({
  id: z.string().trim().default(''),
  title: z.string().default(''),
  published: z.string().trim().default(''),
  source_title: z.string().default(''),
  source_url: z.string().trim().default(''),
  topics: z.unknown().optional().transform(list),
  regions: z.unknown().optional().transform(list),
  expires: z.string().trim().default(''),
  body: z.string().default(''),
});
export type ArticleForm = z.infer<typeof articleFormSchema>;

/**
 * A date as staff type it in a form field (day first, 07/12/2026, or 2026-12-07), as the file
 * keeps it: YYYY-MM-DD. Anything else is returned as typed, so the loader's schema refuses it
 * with its message. The fields were `<input type="date">`, which reads what is typed in the
 * browser's own order: on a Chrome in English, 07/12/2026 typed by a Vietnamese officer became
 * 12 July, silently.
 */
export function formDate(typed: string): string {
  return parseContentDate(typed) ?? typed;
}

/** A YYYY-MM-DD date shown day first for a form field (07/12/2026); anything else as it is. */
export function dayFirst(v: unknown): string {
  const s = typeof v === 'string' ? v : '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : s;
}

/** Parses the sources textarea: `title | article | url` per line. */
export function parseSources(text: string): { title: string; article?: string; url?: string }[] {
  return lines(text).map((l) => {
    const [title, ...rest] = l.split('|').map((p) => p.trim());
    let article: string | undefined;
    let url: string | undefined;
    for (const p of rest) {
      if (!p) continue;
      if (/^https?:\/\//.test(p)) url = p;
      else article = p;
    }
    return { title: title ?? '', ...(article ? { article } : {}), ...(url ? { url } : {}) };
  });
}

/** Formats sources back into the textarea format. */
export function formatSources(sources: { title: string; article?: string; url?: string }[]): string {
  return sources.map((s) => [s.title, s.article, s.url].filter(Boolean).join(' | ')).join('\n');
}

/** A slug for a new id from the question or title: folded words, at most 56 characters. */
export function slugFrom(text: string, taken: (id: string) => boolean): string {
  const words = foldedCanonical(text).split(' ').filter(Boolean);
  let base = '';
  for (const w of words) {
    const next = base ? `${base}-${w}` : w;
    if (next.length > 48) break;
    base = next;
  }
  base = base.replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^-|-$/g, '') || 'hoi-dap';
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  return id;
}

/** Vietnamese names of the content fields (also used by the raw editor, `raw-content.ts`). */
export const FIELD_LABELS: Record<string, string> = {
  id: 'Mã',
  question: 'Câu hỏi',
  variants: 'Cách hỏi khác',
  topics: 'Chủ đề',
  regions: 'Địa bàn',
  sources: 'Nguồn',
  expires: 'Hết hạn',
  answer: 'Câu trả lời',
  title: 'Tiêu đề',
  published: 'Ngày đăng',
  source: 'Nguồn',
  body: 'Nội dung',
  reviewed_by: 'Người duyệt',
  reviewed_at: 'Ngày duyệt',
};

/** A schema issue's message in Vietnamese (moved to text/zod-vi.ts; the loader uses it too). */
export { vietnameseMessage };

function zodToFieldErrors(err: z.ZodError): FieldError[] {
  return err.issues.map((i) => {
    const field = String(i.path[0] ?? '(tệp)');
    return {
      field,
      message: `${(Object.hasOwn(FIELD_LABELS, field) ? FIELD_LABELS[field] : undefined) ?? field}${i.path.length > 1 ? ` (${i.path.slice(1).join('.')})` : ''}: ${vietnameseMessage(i)}`,
    };
  });
}

function checkRefs(v: { topics: string[]; regions: string[] }, topics: Topic[], regions: Region[]): FieldError[] {
  const errs: FieldError[] = [];
  const ts = new Set(topics.map((t) => t.slug));
  const rs = new Set(flattenRegions(regions).keys());
  for (const t of v.topics) if (!ts.has(t)) errs.push({ field: 'topics', message: `Chủ đề không tồn tại: ${t}` });
  for (const r of v.regions) if (!rs.has(r)) errs.push({ field: 'regions', message: `Địa bàn không tồn tại: ${r}` });
  return errs;
}

/** Resolves a content-relative path, refusing anything outside the content dir. */
function inside(contentDir: string, rel: string): string {
  const root = resolve(contentDir);
  const abs = resolve(root, rel);
  if (abs !== root && !abs.startsWith(root + sep)) throw new Error(`content: '${rel}' is outside the content directory`);
  return abs;
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Whether a Q&A or article file with this id is on disk (`qa/<any topic>/<id>.md`,
 * `articles/<id>.md`), loaded or not: an import's draft written a moment ago is not in the
 * admin's cached view of the content yet.
 */
export function idOnDisk(contentDir: string, id: string): boolean {
  if (!id || /[\\/]/.test(id)) return false;
  if (existsSync(join(contentDir, 'articles', `${id}.md`))) return true;
  let topics: string[];
  try {
    topics = readdirSync(join(contentDir, 'qa'));
  } catch {
    return false;
  }
  return topics.some((t) => existsSync(join(contentDir, 'qa', t, `${id}.md`)));
}

/** The refusal of a new entry whose id another file took meanwhile. */
export function idTakenError(id: string): ContentValidationError {
  return new ContentValidationError([{ field: 'id', message: `Mã: '${id}' vừa được dùng cho một mục khác (có thể do một lần nhập hoặc một người khác lưu cùng lúc); hãy chọn mã khác, hoặc để trống ô Mã để Loa tự tạo` }]);
}

/**
 * Writes a new entry's file, never over another: the id is checked against every file on disk,
 * and the file is created with a hard link, which fails if the path exists (atomic, unlike
 * rename, which replaces). An import (whose writes yield to the event loop between entries) and a
 * form save of the same new id in the same moment used to write one over the other, and the first
 * draft, with its audit entry, was silently gone.
 */
function writeNew(contentDir: string, rel: string, id: string, text: string): void {
  if (idOnDisk(contentDir, id)) throw idTakenError(id);
  const path = inside(contentDir, rel);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-new`;
  writeFileSync(tmp, text);
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw idTakenError(id);
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** What the content dir knows, for validating references. */
export interface ContentRefs {
  topics: Topic[];
  regions: Region[];
}

/**
 * Saves a Q&A draft from the form: validates it with the loader's schema and references, and
 * writes `qa/<first topic>/<id>.md` (or the existing file when editing). A new entry's file is
 * never written over another's: an id already on disk throws {@link idTakenError}. Saving always makes
 * the entry a draft again: an edited answer needs a fresh approval. Returns the file (relative).
 */
export function saveQaDraft(contentDir: string, form: QaForm, refs: ContentRefs, existingFile?: string): { id: string; file: string } {
  const text = buildQaText(form, refs);
  const file = existingFile ?? join('qa', form.topics[0]!, `${form.id}.md`);
  if (existingFile) writeAtomic(inside(contentDir, file), text);
  else writeNew(contentDir, file, form.id, text);
  return { id: form.id, file };
}

/**
 * Unicode's line and paragraph separators (U+2028, U+2029) as the line breaks they are. Text
 * copied from a web page or a PDF can carry them into a form field or an imported sheet, and
 * YAML writes them as they are inside a quoted value: the loader's front matter reading
 * (knowledge/content.ts lenientFrontMatter, whose line pattern's `.` stops at them) then threw
 * on the file, and with it the whole content load: the admin's content pages, `loa index` and
 * the next start of the service. Fields of one line get a space instead ({@link oneLine}).
 */
const asLines = (s: string): string => s.replace(/\u2028|\u2029/g, '\n');
/** A field of one line (a question, a title): the separators as spaces. */
const oneLine = (s: string): string => s.replace(/[\u2028\u2029]/g, ' ');

/**
 * The file text of a Q&A from the form, validated like {@link saveQaDraft}. With `base` (the
 * approved file's text) the form's fields are set in the base's front matter, so its comments
 * and other fields (`sample`, the last review) stay, and its status is kept; without it the
 * result is a fresh draft.
 */
export function buildQaText(form: QaForm, refs: ContentRefs, base?: string): string {
  const variants = lines(asLines(form.variants)).map((l) => l.normalize('NFC'));
  const fields: Record<string, unknown> = {
    id: form.id,
    question: oneLine(form.question.normalize('NFC')).trim(),
    variants: variants.length ? variants : undefined,
    topics: form.topics,
    regions: form.regions.length ? form.regions : undefined,
    sources: parseSources(asLines(form.sources.normalize('NFC'))),
    expires: form.expires ? formDate(form.expires) : undefined,
  };
  const answer = asLines(form.answer.normalize('NFC')).replace(/\r\n/g, '\n').trim();
  return buildText(qaFrontMatterSchema, fields, answer, refs, base, { field: 'answer', message: 'Câu trả lời: không được để trống' });
}

/** The file text of an article from the form (see {@link buildQaText}). */
export function buildArticleText(form: ArticleForm, refs: ContentRefs, base?: string): string {
  const fields: Record<string, unknown> = {
    id: form.id,
    title: oneLine(form.title.normalize('NFC')).trim(),
    published: formDate(form.published),
    source: { title: oneLine(form.source_title.normalize('NFC')).trim(), ...(form.source_url ? { url: form.source_url } : {}) },
    topics: form.topics,
    regions: form.regions.length ? form.regions : undefined,
    expires: form.expires ? formDate(form.expires) : undefined,
  };
  const body = lawArticleHeadings(asLines(form.body.normalize('NFC')).replace(/\r\n/g, '\n').trim());
  return buildText(articleFrontMatterSchema, fields, body, refs, base, { field: 'body', message: 'Nội dung: không được để trống' });
}

/** A law article's heading on a line of its own, as laws are published: "Điều 32. Thời hạn …". */
const LAW_ARTICLE_HEADING = /^Điều\s+\d+[a-zđ]?\s*[.:]\s*\S.{0,160}$/u;

/**
 * Law pasted as published: with no "##" heading in the text, each "Điều N. …" line becomes one
 * ("## Điều N. …"), so each article of the law is a section of its own that the bot can quote,
 * as the form asks ("mỗi mục bắt đầu bằng ## Tiêu đề mục") and staff pasting a decree do not know.
 * A text with headings of its own is left as typed.
 */
export function lawArticleHeadings(body: string): string {
  const lines = body.split('\n');
  if (lines.some((l) => /^##\s/.test(l)) || !lines.some((l) => LAW_ARTICLE_HEADING.test(l.trim()))) return body;
  return lines.map((l) => (LAW_ARTICLE_HEADING.test(l.trim()) ? `## ${l.trim()}` : l)).join('\n');
}

function buildText(
  schema: z.ZodTypeAny,
  fields: Record<string, unknown>,
  body: string,
  refs: ContentRefs,
  base: string | undefined,
  emptyBody: FieldError,
): string {
  let front: Record<string, unknown>;
  let frontText: string;
  if (base) {
    const parts = splitFrontMatter(base);
    if (!parts) throw new ContentValidationError([{ field: '(tệp)', message: 'Tệp đang dùng không có phần khai báo (front matter): sửa tệp bằng tay trước' }]);
    const doc = parseDocument(parts.front);
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) doc.delete(k);
      else doc.set(k, doc.createNode(v));
    }
    front = doc.toJS() as Record<string, unknown>;
    frontText = doc.toString({ lineWidth: 0 }).trimEnd();
  } else {
    front = Object.fromEntries(Object.entries({ ...fields, status: 'draft' }).filter(([, v]) => v !== undefined));
    // Keep the historical key order: status before expires.
    const { expires, ...rest } = front;
    front = { ...rest, ...(expires ? { expires } : {}) };
    frontText = stringify(front, { lineWidth: 0 }).trimEnd();
  }
  const parsed = schema.safeParse(front);
  const errors = parsed.success ? checkRefs(parsed.data as { topics: string[]; regions: string[] }, refs.topics, refs.regions) : zodToFieldErrors(parsed.error);
  if (!body) errors.push(emptyBody);
  if (errors.length) throw new ContentValidationError(errors);
  return `---\n${frontText}\n---\n${body}\n`;
}

/** Saves an article draft from the form (same rules as {@link saveQaDraft}); `articles/<id>.md`. */
export function saveArticleDraft(
  contentDir: string,
  form: ArticleForm,
  refs: ContentRefs,
  existingFile?: string,
): { id: string; file: string } {
  const text = buildArticleText(form, refs);
  const file = existingFile ?? join('articles', `${form.id}.md`);
  if (existingFile) writeAtomic(inside(contentDir, file), text);
  else writeNew(contentDir, file, form.id, text);
  return { id: form.id, file };
}

/**
 * Changes the status of an existing Q&A or article file in place, keeping its other fields,
 * comments and body. Approving records the reviewer and the date; the result is validated
 * with the loader's schema before it is written.
 */
export function setEntryStatus(
  contentDir: string,
  kind: 'qa' | 'article',
  file: string,
  status: 'approved' | 'retired' | 'draft',
  reviewer: string | undefined,
  today: string,
): void {
  const abs = inside(contentDir, file);
  if (!existsSync(abs)) throw new Error(`content: ${file} no longer exists; reload the page`);
  writeAtomic(abs, withStatus(readDecoded(abs), kind, status, reviewer, today, file));
}

/**
 * A content file's text with a new status (keeping its other fields, comments and body);
 * approving records the reviewer and the date. Validated with the loader's schema.
 */
export function withStatus(
  text: string,
  kind: 'qa' | 'article',
  status: 'approved' | 'retired' | 'draft',
  reviewer: string | undefined,
  today: string,
  file = '(tệp)',
): string {
  const parts = splitFrontMatter(text);
  if (!parts) throw new Error(`content: ${file}: missing front matter`);
  const doc = parseDocument(parts.front);
  doc.set('status', status);
  if (status === 'approved') {
    // A display name an admin pasted can carry U+2028 too (see asLines).
    doc.set('reviewed_by', reviewer === undefined ? reviewer : oneLine(reviewer));
    doc.set('reviewed_at', today);
  }
  const schema = kind === 'qa' ? qaFrontMatterSchema : articleFrontMatterSchema;
  const check = schema.safeParse(doc.toJS());
  if (!check.success) throw new ContentValidationError(zodToFieldErrors(check.error));
  return `---\n${doc.toString({ lineWidth: 0 }).trimEnd()}\n---\n${parts.body.replace(/^\n+/, '')}`;
}

/** SHA-256 of a file's text: what a revision was based on. */
export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The text and hash of a content file as it is now (undefined when it is gone). */
export function readEntryFile(contentDir: string, file: string): { text: string; hash: string } | undefined {
  const abs = inside(contentDir, file);
  if (!existsSync(abs)) return undefined;
  const text = readDecoded(abs);
  return { text, hash: textHash(text) };
}

/**
 * A Q&A text with more wordings in `variants` (those it already has, folded, are skipped);
 * comments and the other fields stay. Returns the text and the wordings actually added.
 */
export function addQaVariants(text: string, wordings: string[]): { text: string; added: string[] } {
  const parts = splitFrontMatter(text);
  if (!parts) throw new ContentValidationError([{ field: '(tệp)', message: 'Tệp không có phần khai báo (front matter)' }]);
  const doc = parseDocument(parts.front);
  const data = (doc.toJS() ?? {}) as { question?: string; variants?: unknown };
  const existing = Array.isArray(data.variants) ? data.variants.map(String) : [];
  const seen = new Set([data.question ?? '', ...existing].map((v) => foldedCanonical(v)));
  const added: string[] = [];
  // Citizens' own questions (the unanswered list's "gắn vào mục"): any character a phone sends,
  // U+2028 included (see asLines), on one line.
  for (const w of wordings.map((x) => oneLine(x.normalize('NFC')).trim()).filter(Boolean)) {
    const key = foldedCanonical(w);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    added.push(w);
  }
  if (added.length === 0) return { text, added };
  doc.set('variants', doc.createNode([...existing, ...added]));
  const check = qaFrontMatterSchema.safeParse(doc.toJS());
  if (!check.success) throw new ContentValidationError(zodToFieldErrors(check.error));
  return { text: `---\n${doc.toString({ lineWidth: 0 }).trimEnd()}\n---\n${parts.body.replace(/^\n+/, '')}`, added };
}

/**
 * A Q&A text without the wordings in `variants` that fold like one of `wordings` (a question
 * attached by mistake, taken back: `routes/attach.ts`), except those in `keep` (folded: the
 * approved file's own wordings are never taken out this way). Comments and the other fields
 * stay. Returns the text and the wordings actually removed.
 */
export function removeQaVariants(text: string, wordings: readonly string[], keep: ReadonlySet<string> = new Set()): { text: string; removed: string[] } {
  const parts = splitFrontMatter(text);
  if (!parts) throw new ContentValidationError([{ field: '(tệp)', message: 'Tệp không có phần khai báo (front matter)' }]);
  const doc = parseDocument(parts.front);
  const data = (doc.toJS() ?? {}) as { variants?: unknown };
  const existing = Array.isArray(data.variants) ? data.variants.map(String) : [];
  const drop = new Set(wordings.map((w) => foldedCanonical(w)).filter((k) => k && !keep.has(k)));
  const removed = existing.filter((v) => drop.has(foldedCanonical(v)));
  if (removed.length === 0) return { text, removed };
  const left = existing.filter((v) => !drop.has(foldedCanonical(v)));
  if (left.length) doc.set('variants', doc.createNode(left));
  else doc.delete('variants');
  const check = qaFrontMatterSchema.safeParse(doc.toJS());
  if (!check.success) throw new ContentValidationError(zodToFieldErrors(check.error));
  return { text: `---\n${doc.toString({ lineWidth: 0 }).trimEnd()}\n---\n${parts.body.replace(/^\n+/, '')}`, removed };
}

/** The fields of a Q&A or article text, for filling the edit form from a pending revision. */
export function formFromText(kind: 'qa' | 'article', text: string): Record<string, unknown> | undefined {
  const parts = splitFrontMatter(text);
  if (!parts) return undefined;
  let data: Record<string, unknown>;
  try {
    data = (parseYaml(parts.front) ?? {}) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const day = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'string' ? v : '');
  const body = parts.body.trim();
  if (kind === 'qa') {
    return {
      id: data.id,
      question: data.question ?? '',
      variants: list(data.variants).join('\n'),
      topics: list(data.topics),
      regions: list(data.regions),
      sources: Array.isArray(data.sources) ? formatSources(data.sources as { title: string; article?: string; url?: string }[]) : '',
      expires: day(data.expires),
      answer: body,
    };
  }
  const source = (typeof data.source === 'string' ? { title: data.source } : (data.source ?? {})) as { title?: string; url?: string };
  return {
    id: data.id,
    title: data.title ?? '',
    published: day(data.published),
    source_title: source.title ?? '',
    source_url: source.url ?? '',
    topics: list(data.topics),
    regions: list(data.regions),
    expires: day(data.expires),
    body,
  };
}

/**
 * Writes an approved revision over its file: the revision's text with `status: approved` and
 * the reviewer. Refuses (409) when the file changed since the revision started (a hand edit, a
 * retirement), so an approval never silently overwrites it.
 */
export function applyRevision(
  contentDir: string,
  rev: { kind: 'qa' | 'article'; file: string; baseHash: string; text: string },
  reviewer: string,
  today: string,
): void {
  const current = readEntryFile(contentDir, rev.file);
  if (!current || current.hash !== rev.baseHash)
    throw Object.assign(
      new Error(
        `Tệp ${rev.file} đã bị thay đổi (sửa trực tiếp, gỡ hoặc xoá) sau khi thay đổi này được tạo. Hãy từ chối thay đổi này rồi sửa lại trên bản hiện tại.`,
      ),
      { statusCode: 409 },
    );
  writeAtomic(inside(contentDir, rev.file), withStatus(rev.text, rev.kind, 'approved', reviewer, today, rev.file));
}

/** The relative path of a file under the content dir (for audit details). */
export function relPath(contentDir: string, abs: string): string {
  return relative(contentDir, abs);
}
