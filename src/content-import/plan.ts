/**
 * From entries read out of a booklet or a sheet to draft files: the checks staff see in the
 * preview, the ids, and the writing once they confirm.
 *
 * Every entry is built with `buildQaText`, the admin form's own builder and the loader's schema,
 * and written as a draft with `saveQaDraft`: an imported entry is a draft like one typed in the
 * form, and four eyes apply to it the same way (its `content.save` audit entry names who
 * imported it, so that person cannot approve it). Drafts never serve, so the search index is not
 * rebuilt; the admin's view of the files is refreshed by the caller.
 *
 * Problems are per entry and in Vietnamese. Blocking ones (no question, no answer, no source, a
 * field the schema refuses) keep the entry out; warnings (a short answer, a question already in
 * the content or twice in the import) leave it to staff: such an entry is not ticked in the
 * preview, and the CLI leaves it out unless told to take it.
 */
import { basename, join } from 'node:path';
import { flattenRegions, type Content, type Source } from '../knowledge/content.js';
import { ContentValidationError, buildQaText, formatSources, idOnDisk, parseSources, saveQaDraft, slugFrom, type QaForm } from '../admin/content-files.js';
import { legacyVietnamese, legacyVietnameseMessage } from '../text/encoding.js';
import { canonical, foldedCanonical } from '../text/vietnamese.js';
import type { AuditInput } from '../db/audit.js';
import type { ImportRead, ImportedEntry } from './booklet.js';

/** An answer shorter than this (characters) is likely cut short by the copy or the reading. */
export const SHORT_ANSWER = 40;
/** A question longer than this is likely an answer read into it (no "Trả lời:" line). */
export const LONG_QUESTION = 300;

/** The kinds of problem an entry can have. */
export type ImportProblemCode =
  | 'no-question'
  | 'no-answer'
  | 'no-source'
  | 'invalid'
  | 'short-answer'
  | 'long-question'
  | 'approved-duplicate'
  | 'draft-duplicate'
  | 'import-duplicate'
  | 'unknown-topic'
  | 'unknown-region';

/** One problem of one entry, in Vietnamese. */
export interface ImportProblem {
  code: ImportProblemCode;
  /** Keeps the entry out of the import (else a warning staff may overrule). */
  blocking: boolean;
  message: string;
}

/** An entry as it will be written, with its problems. */
export interface PlannedEntry {
  /** 1-based position in the import. */
  n: number;
  entry: ImportedEntry;
  /** The id it gets ('' when it cannot be imported). */
  id: string;
  /** The draft file, relative to the content directory ('' when it cannot be imported). */
  file: string;
  topic: string;
  /** Every topic it is filed under: {@link topic} first, then the others its sheet row names. */
  topics: string[];
  /** The regions it applies to (slugs): its sheet row's "Địa bàn", else the import's; none is everywhere. */
  regions: string[];
  sources: Source[];
  /** Where its sources come from: the text ("Căn cứ…", a column), the staff's common source, or none. */
  sourceFrom: 'text' | 'common' | 'none';
  problems: ImportProblem[];
  /** No blocking problem: it can be written. */
  importable: boolean;
  /** No problem at all: ticked in the preview, written by the CLI without --force. */
  suggested: boolean;
  /** The form it is built from (for writing). */
  form?: QaForm;
}

/** A planned import. */
export interface ImportPlan {
  entries: PlannedEntry[];
  /** Problems of the whole import (nothing can be written), in Vietnamese. */
  problems: string[];
  /** Lines left out (the booklet's title, section headings), to show. */
  ignored: ImportRead['ignored'];
  format: ImportRead['format'];
}

/** What staff chose for the whole import. */
export interface ImportChoices {
  /** The topic slug every entry goes under (a sheet's "Lĩnh vực" that names a topic wins). */
  topic: string;
  /** The source of entries whose text cites none: `title | article | url`, as the form's field. */
  source?: string;
  /**
   * The regions (slugs of regions.yaml) every entry applies to, unless its sheet row names its
   * own ("Địa bàn"); none: the whole area the office serves.
   */
  regions?: string[];
}

/** The existing content the checks compare with. */
export type ImportContent = Pick<Content, 'qa' | 'articles' | 'topics' | 'regions' | 'errors'>;

/** Which entries are ids already: every Q&A and article, and the broken files' names. */
function takenIds(content: ImportContent): Set<string> {
  const ids = new Set<string>(['new']);
  for (const q of content.qa) ids.add(q.id);
  for (const a of content.articles) ids.add(a.id);
  for (const e of content.errors) if (/^(qa|articles)[\\/].*\.md$/.test(e.file)) ids.add(basename(e.file, '.md'));
  return ids;
}

/**
 * A sheet cell naming several topics or regions ("Hộ tịch; Trẻ em", one a line, or with commas)
 * matched by `find`: a part that matches whole wins over its comma-separated pieces, since names
 * hold commas too ("Hộ tịch, khai sinh, căn cước"); `find` gives null for a part to skip. Returns
 * the slugs found and the parts not.
 */
function namesIn(cell: string | undefined, find: (name: string) => string | undefined | null): { found: string[]; unknown: string[] } {
  const found: string[] = [];
  const unknown: string[] = [];
  const add = (slug: string): void => void (found.includes(slug) || found.push(slug));
  for (const part of (cell ?? '').split(/[;\n]+/).map((x) => x.trim()).filter(Boolean)) {
    const whole = find(part);
    if (whole === null) continue; // a word for "everywhere"
    if (whole) {
      add(whole);
      continue;
    }
    const pieces = part.split(',').map((x) => x.trim()).filter(Boolean);
    const slugs = pieces.map(find);
    if (pieces.length > 1 && slugs.every(Boolean)) slugs.forEach((x) => add(x!));
    else unknown.push(part);
  }
  return { found, unknown };
}

/** The first answer words for a preview (a line, cut at a word). */
export function answerStart(answer: string, max = 160): string {
  const flat = answer.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20))} …`;
}

/**
 * Checks entries and gives each an id and a file, as they would be written into `contentDir`.
 * Ids are the folded question (`slugFrom`, as the form makes them), numbered on a collision
 * with the content, a file on disk or another entry of the import.
 */
export function planImport(read: ImportRead, content: ImportContent, choices: ImportChoices, contentDir?: string): ImportPlan {
  return finish(planSteps(read, content, choices, contentDir));
}

/**
 * {@link planImport} for the running service: it stops every {@link STEP} entries to let the
 * bot answer. Each entry is built and validated (about 1 ms at a load of 15 here): a workbook of
 * 1,000 answers held the event loop for 1.8 s in one go.
 */
export function planImportYielding(read: ImportRead, content: ImportContent, choices: ImportChoices, contentDir?: string): Promise<ImportPlan> {
  return finishYielding(planSteps(read, content, choices, contentDir));
}

/** Entries handled between two turns of the event loop in the yielding versions. */
const STEP = 25;

function finish<R>(steps: Generator<void, R>): R {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

async function finishYielding<R>(steps: Generator<void, R>): Promise<R> {
  for (let n = 1; ; n++) {
    const r = steps.next();
    if (r.done) return r.value;
    if (n % STEP === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

function* planSteps(read: ImportRead, content: ImportContent, choices: ImportChoices, contentDir?: string): Generator<void, ImportPlan> {
  const problems = [...read.problems];
  const topics = new Map(content.topics.map((t) => [t.slug, t]));
  if (!topics.has(choices.topic)) problems.push(choices.topic ? `Không có chủ đề “${choices.topic}”: chọn một chủ đề trong danh sách (content/topics.yaml).` : 'Hãy chọn chủ đề cho các câu hỏi – đáp.');
  const regionsBySlug = flattenRegions(content.regions);
  const chosenRegions = [...new Set(choices.regions ?? [])];
  for (const r of chosenRegions) if (!regionsBySlug.has(r)) problems.push(`Không có địa bàn “${r}”: chọn địa bàn trong danh sách (content/regions.yaml).`);
  const byRegionName = new Map<string, string>();
  for (const [slug, r] of regionsBySlug) {
    byRegionName.set(foldedCanonical(slug), slug);
    byRegionName.set(foldedCanonical(r.name), slug);
    // "Phường Phố Hiến" is written "Phố Hiến" in a sheet as often as not.
    const bare = foldedCanonical(r.name.replace(/^(?:Tỉnh|Thành phố|Phường|Xã|Đặc khu|Thị trấn|Huyện|Quận|Thị xã)\s+/iu, ''));
    if (bare && !byRegionName.has(bare)) byRegionName.set(bare, slug);
  }
  const regionName = (slug: string): string => regionsBySlug.get(slug)?.name ?? slug;
  const common = choices.source?.trim() ? parseSources(choices.source.normalize('NFC')) : [];
  if (common.some((s) => !s.title)) problems.push('Nguồn chung: ghi tên văn bản trước, ví dụ “Luật Hộ tịch 2014 | Điều 15”.');
  const all = read.entries.map((e) => `${e.question}\n${e.answer}`).join('\n');
  const legacy = legacyVietnamese(all);
  if (legacy) problems.push(`Nội dung có ${legacyVietnameseMessage(legacy)}.`);

  // Questions and wordings of the content, word for word (case, spacing, punctuation and tone
  // placement aside: text/vietnamese.ts canonical).
  const known = new Map<string, { id: string; status: string; question: string }>();
  for (const q of content.qa)
    for (const w of [q.question, ...q.variants]) {
      const key = canonical(w);
      const had = known.get(key);
      if (key && (!had || (had.status !== 'approved' && q.status === 'approved'))) known.set(key, { id: q.id, status: q.status, question: q.question });
    }
  const byTopicName = new Map<string, string>();
  for (const t of content.topics) {
    byTopicName.set(foldedCanonical(t.slug), t.slug);
    byTopicName.set(foldedCanonical(t.name), t.slug);
  }
  const taken = takenIds(content);
  const seen = new Map<string, PlannedEntry>();
  const planOne = (entry: ImportedEntry, i: number): PlannedEntry => {
    const n = i + 1;
    const out: ImportProblem[] = [];
    const warn = (code: ImportProblemCode, message: string): void => void out.push({ code, blocking: false, message });
    const block = (code: ImportProblemCode, message: string): void => void out.push({ code, blocking: true, message });
    if (!entry.question) block('no-question', 'Không có câu hỏi: kiểm tra dòng “Câu …” hoặc ô “Câu hỏi”.');
    if (!entry.answer)
      block('no-answer', read.format === 'booklet' || (read.format === 'docx' && !entry.label?.startsWith('Bảng')) ? 'Không có câu trả lời: thêm dòng “Trả lời:” và câu trả lời ngay sau câu hỏi.' : 'Không có câu trả lời: ô “Trả lời” đang trống.');
    else if (entry.answer.length < SHORT_ANSWER)
      warn('short-answer', `Câu trả lời quá ngắn (${entry.answer.length} ký tự): kiểm tra xem câu trả lời có bị cắt khi chép không.`);
    if (entry.question.length > LONG_QUESTION)
      warn('long-question', `Câu hỏi dài bất thường (${entry.question.length} ký tự): có thể thiếu dòng “Trả lời:” nên câu trả lời bị đọc vào câu hỏi.`);
    // A sheet's "Lĩnh vực" may name several topics ("Hộ tịch; Trẻ em"): the first it knows files
    // the entry, the others are added; none known, the import's topic.
    const { found: named, unknown: unknownTopics } = namesIn(entry.topic, (x) => byTopicName.get(foldedCanonical(x)));
    const topic = named[0] ?? choices.topic;
    const entryTopics = named.length ? named : [choices.topic];
    if (unknownTopics.length)
      warn(
        'unknown-topic',
        named.length
          ? `Lĩnh vực “${unknownTopics.join('; ')}” không khớp chủ đề nào; mục này chỉ vào ${named.map((t) => `“${topics.get(t)?.name ?? t}”`).join(', ')}.`
          : `Lĩnh vực “${entry.topic}” không khớp chủ đề nào; mục này vào chủ đề đã chọn “${topics.get(choices.topic)?.name ?? choices.topic}”.`,
      );
    // A sheet's "Địa bàn": its regions; a name not in regions.yaml is said, the others kept.
    const everywhere = /^(?:tất cả|toàn tỉnh|toàn xã|chung|mọi nơi|mọi địa bàn)$/iu;
    const { found: rowRegions, unknown: unknownRegions } = namesIn(entry.regions, (x) => (everywhere.test(x) ? null : byRegionName.get(foldedCanonical(x))));
    const regions = rowRegions.length ? rowRegions : chosenRegions;
    if (unknownRegions.length)
      warn(
        'unknown-region',
        `Địa bàn “${unknownRegions.join('; ')}” không có trong danh sách địa bàn; ${
          regions.length ? `mục này áp dụng cho ${regions.map(regionName).join(', ')}` : 'mục này áp dụng cho mọi địa bàn'
        }.`,
      );
    const sources = entry.sources.length ? entry.sources : common;
    const sourceFrom = entry.sources.length ? 'text' : common.length ? 'common' : 'none';
    if (!sources.length)
      block('no-source', 'Chưa có nguồn: thêm dòng “Căn cứ pháp lý: …” vào câu trả lời (hoặc cột “Căn cứ pháp lý”), hoặc điền ô “Nguồn chung”.');
    const key = canonical(entry.question);
    const same = key ? known.get(key) : undefined;
    if (same?.status === 'approved') warn('approved-duplicate', `Câu hỏi này đã có trong nội dung đã duyệt, từng chữ: mục “${same.id}”.`);
    else if (same) warn('draft-duplicate', `Câu hỏi này đã có ở mục “${same.id}” (${same.status === 'draft' ? 'bản nháp, có thể đã nhập lần trước' : 'đã gỡ'}).`);
    const earlier = key ? seen.get(key) : undefined;
    if (earlier) warn('import-duplicate', `Trùng câu hỏi với mục số ${earlier.n}${earlier.entry.label ? ` (${earlier.entry.label})` : ''} của lần nhập này.`);
    const planned: PlannedEntry = { n, entry, id: '', file: '', topic, topics: entryTopics, regions, sources, sourceFrom, problems: out, importable: false, suggested: false };
    if (key && !earlier) seen.set(key, planned);
    if (out.some((p) => p.blocking) || problems.length) return planned;
    const id = slugFrom(entry.question, (x) => taken.has(x) || (!!contentDir && idOnDisk(contentDir, x)));
    const form: QaForm = {
      id,
      question: entry.question,
      variants: (entry.variants ?? []).join('\n'),
      topics: entryTopics,
      regions,
      sources: formatSources(sources),
      expires: '',
      answer: entry.answer,
    };
    try {
      buildQaText(form, content);
    } catch (err) {
      if (!(err instanceof ContentValidationError)) throw err;
      for (const e of err.errors) block('invalid', e.message);
      return planned;
    }
    taken.add(id);
    return { ...planned, id, file: join('qa', topic, `${id}.md`), form, importable: true, suggested: out.length === 0 };
  };
  const entries: PlannedEntry[] = [];
  for (const [i, entry] of read.entries.entries()) {
    entries.push(planOne(entry, i));
    yield;
  }
  return { entries, problems, ignored: read.ignored, format: read.format };
}

/**
 * Writes one planned draft as a new file. Its id was chosen when the import was planned; a form
 * save (or another import) may have taken it since, while this import stopped to let the bot
 * answer: the entry then gets the next free id rather than the other's file (content-files.ts
 * writes a new file only where none is).
 */
function saveNew(contentDir: string, form: QaForm, content: ImportContent): { id: string; file: string } {
  for (let attempt = 0; ; attempt++) {
    try {
      return saveQaDraft(contentDir, form, content);
    } catch (err) {
      if (!(err instanceof ContentValidationError) || !err.errors.some((e) => e.field === 'id') || attempt >= 5) throw err;
      const taken = takenIds(content);
      form = { ...form, id: slugFrom(form.question, (x) => taken.has(x) || idOnDisk(contentDir, x)) };
    }
  }
}

/** What writing an import did. */
export interface ImportResult {
  written: { id: string; file: string; question: string }[];
}

/**
 * Writes the chosen entries of a plan as drafts (`n` of each), and audits them: one `content.save`
 * per entry (four eyes count its author as a changer) and one `content.import` for the whole
 * import with its count. Entries not importable are never written. Audits what was written even
 * when a write fails midway (then rethrows).
 */
export function writeImport(...args: WriteArgs): ImportResult {
  return finish(writeSteps(...args));
}

/** {@link writeImport} for the running service, stopping every few entries (see {@link planImportYielding}). */
export function writeImportYielding(...args: WriteArgs): Promise<ImportResult> {
  return finishYielding(writeSteps(...args));
}

type WriteArgs = [
  contentDir: string,
  plan: ImportPlan,
  chosen: ReadonlySet<number>,
  content: ImportContent,
  audit: (entry: Omit<AuditInput, 'actor' | 'ip'>) => void,
  what: { source: string },
];

function* writeSteps(...[contentDir, plan, chosen, content, audit, what]: WriteArgs): Generator<void, ImportResult> {
  if (plan.problems.length) throw new Error(`content import: ${plan.problems.join(' ')}`);
  const written: ImportResult['written'] = [];
  let failure: unknown;
  for (const p of plan.entries) {
    if (!chosen.has(p.n) || !p.importable || !p.form) continue;
    let saved: { id: string; file: string };
    try {
      saved = saveNew(contentDir, p.form, content);
    } catch (err) {
      failure = err;
      break;
    }
    written.push({ id: saved.id, file: saved.file, question: p.entry.question });
    yield;
  }
  for (const w of written)
    audit({
      action: 'content.save',
      targetType: 'qa',
      targetId: w.id,
      details: { text: `Tạo bản nháp “${w.id}” (nhập nhiều câu hỏi – đáp từ ${what.source})`, file: w.file, created: true },
    });
  if (written.length)
    audit({
      action: 'content.import',
      details: {
        text: `Nhập ${written.length} câu hỏi – đáp từ ${what.source} thành bản nháp, chờ phê duyệt${failure ? ' (dừng giữa chừng vì lỗi ghi tệp)' : ''}`,
        count: written.length,
        topics: [...new Set(written.map((w) => w.file.split(/[\\/]/)[1]!))],
        ids: written.map((w) => w.id),
      },
    });
  if (failure) throw failure;
  return { written };
}
