/**
 * Writes Q&A and articles edited in the admin pages back to the content files, in the same
 * format and through the same zod schemas as the loader (`knowledge/content.ts`), so a file
 * saved here always loads, and a hand-edited file can be opened here.
 *
 * Writes are atomic (temp file + rename): the content watcher never sees half a file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import {
  articleFrontMatterSchema,
  flattenRegions,
  qaFrontMatterSchema,
  splitFrontMatter,
  type Region,
  type Topic,
} from '../knowledge/content.js';
import { foldedCanonical } from '../text/vietnamese.js';

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

const FIELD_LABELS: Record<string, string> = {
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

function zodToFieldErrors(err: z.ZodError): FieldError[] {
  return err.issues.map((i) => {
    const field = String(i.path[0] ?? '(tệp)');
    return { field, message: `${FIELD_LABELS[field] ?? field}${i.path.length > 1 ? ` (${i.path.slice(1).join('.')})` : ''}: ${i.message}` };
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

function toFile(front: Record<string, unknown>, body: string): string {
  return `---\n${stringify(front, { lineWidth: 0 }).trimEnd()}\n---\n${body.trim()}\n`;
}

/** What the content dir knows, for validating references. */
export interface ContentRefs {
  topics: Topic[];
  regions: Region[];
}

/**
 * Saves a Q&A draft from the form: validates it with the loader's schema and references, and
 * writes `qa/<first topic>/<id>.md` (or the existing file when editing). Saving always makes
 * the entry a draft again: an edited answer needs a fresh approval. Returns the file (relative).
 */
export function saveQaDraft(contentDir: string, form: QaForm, refs: ContentRefs, existingFile?: string): { id: string; file: string } {
  const front: Record<string, unknown> = {
    id: form.id,
    question: form.question.normalize('NFC').trim(),
    ...(lines(form.variants).length ? { variants: lines(form.variants).map((l) => l.normalize('NFC')) } : {}),
    topics: form.topics,
    ...(form.regions.length ? { regions: form.regions } : {}),
    sources: parseSources(form.sources.normalize('NFC')),
    status: 'draft',
    ...(form.expires ? { expires: form.expires } : {}),
  };
  const parsed = qaFrontMatterSchema.safeParse(front);
  const errors = parsed.success ? checkRefs(parsed.data, refs.topics, refs.regions) : zodToFieldErrors(parsed.error);
  const answer = form.answer.normalize('NFC').replace(/\r\n/g, '\n').trim();
  if (!answer) errors.push({ field: 'answer', message: 'Câu trả lời: không được để trống' });
  if (errors.length) throw new ContentValidationError(errors);
  const file = existingFile ?? join('qa', form.topics[0]!, `${form.id}.md`);
  writeAtomic(inside(contentDir, file), toFile(front, answer));
  return { id: form.id, file };
}

/** Saves an article draft from the form (same rules as {@link saveQaDraft}); `articles/<id>.md`. */
export function saveArticleDraft(
  contentDir: string,
  form: ArticleForm,
  refs: ContentRefs,
  existingFile?: string,
): { id: string; file: string } {
  const front: Record<string, unknown> = {
    id: form.id,
    title: form.title.normalize('NFC').trim(),
    published: form.published,
    source: { title: form.source_title.normalize('NFC').trim(), ...(form.source_url ? { url: form.source_url } : {}) },
    topics: form.topics,
    ...(form.regions.length ? { regions: form.regions } : {}),
    status: 'draft',
    ...(form.expires ? { expires: form.expires } : {}),
  };
  const parsed = articleFrontMatterSchema.safeParse(front);
  const errors = parsed.success ? checkRefs(parsed.data, refs.topics, refs.regions) : zodToFieldErrors(parsed.error);
  const body = form.body.normalize('NFC').replace(/\r\n/g, '\n').trim();
  if (!body) errors.push({ field: 'body', message: 'Nội dung: không được để trống' });
  if (errors.length) throw new ContentValidationError(errors);
  const file = existingFile ?? join('articles', `${form.id}.md`);
  writeAtomic(inside(contentDir, file), toFile(front, body));
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
  const text = readFileSync(abs, 'utf8');
  const parts = splitFrontMatter(text);
  if (!parts) throw new Error(`content: ${file}: missing front matter`);
  const doc = parseDocument(parts.front);
  doc.set('status', status);
  if (status === 'approved') {
    doc.set('reviewed_by', reviewer);
    doc.set('reviewed_at', today);
  }
  const schema = kind === 'qa' ? qaFrontMatterSchema : articleFrontMatterSchema;
  const check = schema.safeParse(doc.toJS());
  if (!check.success) throw new ContentValidationError(zodToFieldErrors(check.error));
  writeAtomic(abs, `---\n${doc.toString({ lineWidth: 0 }).trimEnd()}\n---\n${parts.body.replace(/^\n+/, '')}`);
}

/** The relative path of a file under the content dir (for audit details). */
export function relPath(contentDir: string, abs: string): string {
  return relative(contentDir, abs);
}
