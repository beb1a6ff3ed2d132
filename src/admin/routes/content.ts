/**
 * Content: list and search Q&A and articles, create and edit them (validated with the
 * loader's schemas and written back as files), approve (approver role, none of the people who
 * changed it since it was last approved: `four-eyes.ts`), retire. Every write reloads the knowledge index, so the bot answers
 * with the change at once, without a restart.
 *
 * An edit of an *approved* entry never takes it offline: it is kept as a pending revision
 * (`db/revisions.ts`, see `content-files.ts` for why in the database) while the approved file
 * keeps serving; approving the revision (by someone who did not change it) writes it over the
 * file, rejecting it leaves the file as it was.
 */
import { readDecoded } from '../../text/encoding.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminContext, RegisterRoutes } from '../context.js';
import { Forbidden } from '../context.js';
import {
  ContentValidationError,
  applyRevision,
  articleFormSchema,
  buildArticleText,
  buildQaText,
  dayFirst,
  formFromText,
  formatSources,
  idOnDisk,
  qaFormSchema,
  readEntryFile,
  saveArticleDraft,
  saveQaDraft,
  setEntryStatus,
  slugFrom,
  type FieldError,
} from '../content-files.js';
import { linkUnansweredToDraft, openQueueQuestions, unansweredWaitingFor } from '../../db/admin.js';
import { listAudit, recordAudit } from '../../db/audit.js';
import { decideRevision, listRevisions, openRevision, openRevisions, saveRevision, unlinkUnanswered, type Revision } from '../../db/revisions.js';
import { listNotices, noticeCounts } from '../../db/notices.js';
import { entriesWithOpenQuestions } from '../../db/questions.js';
import { foldedCanonical } from '../../text/vietnamese.js';
import { NOTICE_STATUS_LABEL, notifyAskers, type NotifySummary } from '../answers.js';
import { flattenRegions, formatContentErrors, splitFrontMatter, type ArticleEntry, type QaEntry } from '../../knowledge/content.js';
import { isEntryFile } from '../../knowledge/knowledge.js';
import { noticeWhy } from '../notice-reasons.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changersSinceApproval, changesSince, checkFourEyes, type FourEyesCheck } from '../four-eyes.js';
import { checkRawEntryText, type RawError } from '../raw-content.js';
import { maskedWordings, takeBack } from './attach.js';
import { CASE_FIELD, caseForCorrection, correctionDraftForm, linkFromCase, sendApprovedCorrections } from '../disinfo-correction.js';

const kindSchema = z.enum(['qa', 'article']);
type Kind = z.infer<typeof kindSchema>;
const KIND_LABEL: Record<Kind, string> = { qa: 'Hỏi – đáp', article: 'Bài viết' };
const STATUS_LABEL: Record<string, string> = { draft: 'Bản nháp', approved: 'Đã duyệt', retired: 'Đã gỡ' };

const listQuery = z.object({
  q: z.string().max(200).default(''),
  kind: z.enum(['all', 'qa', 'article']).default('all'),
  /** An entry status, or `cho-duyet`: what an approver has to look at (drafts and pending changes). */
  status: z.enum(['', 'draft', 'approved', 'retired', 'cho-duyet']).default(''),
  topic: z.string().max(60).default(''),
});

function find(ctx: AdminContext, kind: Kind, id: string): QaEntry | ArticleEntry | undefined {
  const c = ctx.content.get();
  return kind === 'qa' ? c.qa.find((q) => q.id === id) : c.articles.find((a) => a.id === id);
}

/** The broken file that would hold entry `id` (`qa/…/<id>.md`, `articles/<id>.md`), with its errors. */
function brokenFile(ctx: AdminContext, kind: Kind, id: string): { file: string; errors: { field: string; message: string }[] } | undefined {
  const dir = kind === 'qa' ? 'qa' : 'articles';
  const errors = ctx.content.get().errors.filter((e) => e.file.split(/[\\/]/)[0] === dir && e.file.split(/[\\/]/).at(-1) === `${id}.md`);
  return errors.length ? { file: errors[0]!.file, errors: errors.filter((e) => e.file === errors[0]!.file) } : undefined;
}

/** The last person who saved this entry in the admin pages (undefined for hand-edited files). */
function lastEditor(ctx: AdminContext, kind: Kind, id: string): string | undefined {
  return listAudit(ctx.db, { action: 'content.save', targetType: kind, targetId: id, limit: 1 })[0]?.actor;
}

/**
 * Reloads the index after a write. `blocked` says why nothing went live (a shared file such as
 * topics.yaml is broken); `note` (possibly empty) tells staff that other entry files are broken
 * and keep their last good version, while this change went live.
 */
async function reload(ctx: AdminContext, approvedNow: readonly string[] = []): Promise<{ blocked?: string; note: string }> {
  ctx.content.invalidate();
  // Built on the build thread: the bot keeps answering from the old index meanwhile.
  const r = await ctx.knowledge.reload();
  // A disinformation case's correction that just went live reaches the reporters told without it.
  if (r.ok || r.published) sendApprovedCorrections(ctx);
  if (r.ok || r.published) notifyLateAskers(ctx, approvedNow);
  if (r.ok) return { note: '' };
  if (!r.published) return { blocked: `Đã lưu, nhưng bot chưa cập nhật vì nội dung còn lỗi:\n${formatContentErrors(r.errors)}`, note: '' };
  const files = [...new Set(r.errors.map((e) => e.file))];
  return { note: ` Lưu ý: ${files.length} tệp nội dung khác đang lỗi (${files.join(', ')}); bot vẫn dùng bản tốt trước đó của các tệp này. Sửa ở trang Nội dung.` };
}

/**
 * Tells the askers of entries approved while the index could not be reloaded (a shared file
 * such as topics.yaml was broken): the approval skipped their notices, and their questions
 * stayed linked to an approved entry with nothing left to approve, marked "chờ phê duyệt" in the
 * queue for good. Run after every reload that went live; `approvedNow` are the entries the
 * caller is about to notify itself (with the staff message).
 */
function notifyLateAskers(ctx: AdminContext, approvedNow: readonly string[]): void {
  const now = ctx.now();
  for (const id of entriesWithOpenQuestions(ctx.db)) {
    if (approvedNow.includes(id) || openRevision(ctx.db, 'qa', id)) continue;
    const served = ctx.knowledge.getQa(id);
    if (!served || served.status !== 'approved') continue;
    const summary = notifyAskers(ctx, served, now, null);
    const total = noticeTotal(summary);
    if (total)
      recordAudit(
        ctx.db,
        { actor: 'loa', action: 'question.notify', targetType: 'qa', targetId: id, details: { ...summary, text: `Đã giải quyết ${total} câu hỏi sau khi nội dung nạp lại được (mục đã duyệt lúc nội dung còn lỗi); ${noticeCountsText(summary)}` } },
        now,
      );
  }
}

/** What a pending revision changes (see {@link revisionChanges}). */
export interface RevisionChanges {
  /** Wordings (variants) the change adds. */
  added: string[];
  /** Wordings the change removes. */
  removed: string[];
  /** The other fields that differ, by their form labels. */
  fields: string[];
  /** Lines of the answer (an article's body) that are new. */
  textAdded: string[];
  /** Lines of the answer (an article's body) that are gone: an approver must see what goes. */
  textRemoved: string[];
  /**
   * Where a changed line changed, when lines were changed one for one: the words that go and
   * the words that come, with a few words either side. An answer is often one paragraph of
   * 150 words; shown only as the old paragraph and the new one, the approver had to find the
   * one number that changed by eye.
   */
  textChanged: WordChange[];
}

/** One place a line changed, in words ({@link wordChange}). */
export interface WordChange {
  /** Up to six unchanged words before the change ('…' first when cut). */
  before: string;
  removed: string;
  added: string;
  /** Up to six unchanged words after it ('…' last when cut). */
  after: string;
}

/**
 * The words that differ between two versions of a line: the common words at the start and at
 * the end are kept out, with six of them either side for context.
 *
 * @example wordChange('nghỉ 05 ngày làm việc', 'nghỉ năm ngày làm việc') // { before: 'nghỉ', removed: '05', added: 'năm', after: 'ngày làm việc' }
 */
export function wordChange(oldLine: string, newLine: string): WordChange {
  const a = oldLine.split(/\s+/).filter(Boolean);
  const b = newLine.split(/\s+/).filter(Boolean);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let post = 0;
  while (post < a.length - pre && post < b.length - pre && a[a.length - 1 - post] === b[b.length - 1 - post]) post++;
  const CONTEXT = 6;
  const head = a.slice(Math.max(0, pre - CONTEXT), pre).join(' ');
  const tail = a.slice(a.length - post, a.length - post + CONTEXT).join(' ');
  return {
    before: (pre > CONTEXT ? '… ' : '') + head,
    removed: a.slice(pre, a.length - post).join(' '),
    added: b.slice(pre, b.length - post).join(' '),
    after: tail + (post > CONTEXT ? ' …' : ''),
  };
}

/**
 * What a pending revision changes, in words staff read on the approval screen: the wordings it
 * adds or removes, which other fields differ from the approved file, and the lines of the answer
 * (or article) it adds and removes. Lines, not words: answers are written a paragraph or a list
 * item a line, and a changed line shows as the old one gone and the new one added.
 */
export function revisionChanges(kind: Kind, approvedText: string | undefined, revisionText: string): RevisionChanges {
  const before = approvedText ? formFromText(kind, approvedText) : undefined;
  const after = formFromText(kind, revisionText);
  if (!before || !after) return { added: [], removed: [], fields: [], textAdded: [], textRemoved: [], textChanged: [] };
  const labels: Record<string, string> =
    kind === 'qa'
      ? { question: 'Câu hỏi', answer: 'Câu trả lời', topics: 'Chủ đề', regions: 'Địa bàn', sources: 'Nguồn', expires: 'Hết hạn' }
      : { title: 'Tiêu đề', body: 'Nội dung', published: 'Ngày đăng', source_title: 'Nguồn', source_url: 'Đường dẫn nguồn', topics: 'Chủ đề', regions: 'Địa bàn', expires: 'Hết hạn' };
  const fields = Object.entries(labels)
    .filter(([k]) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map(([, label]) => label);
  const split = (v: unknown): string[] => String(v ?? '').split('\n').filter(Boolean);
  const was = new Set(split(before.variants));
  const now = new Set(split(after.variants));
  const lines = (v: unknown): string[] => String(v ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const textKey = kind === 'qa' ? 'answer' : 'body';
  const oldLines = lines(before[textKey]);
  const newLines = lines(after[textKey]);
  const oldSet = new Set(oldLines);
  const newSet = new Set(newLines);
  const textAdded = newLines.filter((l) => !oldSet.has(l));
  const textRemoved = oldLines.filter((l) => !newSet.has(l));
  return {
    added: [...now].filter((v) => !was.has(v)),
    removed: [...was].filter((v) => !now.has(v)),
    fields,
    textAdded,
    textRemoved,
    // Lines changed one for one (a paragraph edited in place): where, in words.
    textChanged: textAdded.length === textRemoved.length ? textRemoved.map((l, i) => wordChange(l, textAdded[i]!)) : [],
  };
}

/** How many askers a notify summary counts, whatever became of their notices. */
const noticeTotal = (summary: NotifySummary): number => Object.values(summary).reduce((a, b) => a + (b ?? 0), 0);

/** The staff message after queuing answer notices. */
export function notifyMessage(summary: NotifySummary): string {
  const total = noticeTotal(summary);
  if (!total) return '';
  if (summary.held === total)
    return ` ${total === 1 ? 'Người đã hỏi dùng' : `Cả ${total} người đã hỏi đều dùng`} web chat: tin báo được giữ lại và hiện ra khi họ quay lại trang. Kết quả từng người xem ở trang của mục này.`;
  const parts = [` Đã xếp ${summary.pending ?? 0}/${total} tin báo cho người đã hỏi vào hàng gửi (qua bộ điều tiết gửi như chiến dịch)`];
  if (summary.held) parts.push(`${summary.held} người hỏi qua web chat: tin được giữ lại và hiện ra khi họ quay lại trang`);
  if (summary.unreachable) parts.push(`${summary.unreachable} người hỏi qua kênh chưa cấu hình: không thể gửi`);
  if (summary.gone || summary.skipped) parts.push(`${(summary.gone ?? 0) + (summary.skipped ?? 0)} người đã chặn bot hoặc xoá dữ liệu: bỏ qua`);
  return `${parts.join('; ')}. Kết quả từng người xem ở trang của mục này.`;
}

/** The audit log's words for where the askers' notices went ("xếp 2 tin báo …; giữ 1 tin báo …"). */
function noticeCountsText(summary: NotifySummary): string {
  const parts = [];
  if (summary.pending) parts.push(`xếp ${summary.pending} tin báo cho người hỏi vào hàng gửi`);
  if (summary.held) parts.push(`giữ ${summary.held} tin báo cho người hỏi qua web chat đến khi họ quay lại`);
  const other = noticeTotal(summary) - (summary.pending ?? 0) - (summary.held ?? 0);
  if (other) parts.push(`${other} người hỏi không gửi được (kênh chưa cấu hình, đã chặn bot hoặc đã xoá dữ liệu)`);
  return parts.join('; ');
}

function regionOptions(ctx: AdminContext): { slug: string; name: string; depth: number }[] {
  return [...flattenRegions(ctx.content.get().regions).entries()].map(([slug, r]) => ({ slug, name: r.name, depth: r.path.length - 1 }));
}

/** The entries with a change waiting for approval, as `kind:id`. */
function pendingChanges(ctx: AdminContext): Set<string> {
  return new Set(openRevisions(ctx.db).map((r) => `${r.kind}:${r.entryId}`));
}

/**
 * Whether an entry waits for an approver: a draft, or any entry with a change pending (an
 * approved answer's edit or attached questions: listed as "Đã duyệt", it was found only by its
 * tag among all). The content list's "Chờ phê duyệt" and the dashboard's count.
 */
function waitsForApproval(pending: Set<string>): (r: { kind: Kind; id: string; status: string }) => boolean {
  return (r) => r.status === 'draft' || pending.has(`${r.kind}:${r.id}`);
}

/** How many entries wait for an approver ({@link waitsForApproval}). */
export function countWaitingForApproval(ctx: AdminContext): number {
  const waits = waitsForApproval(pendingChanges(ctx));
  const c = ctx.content.get();
  return c.qa.filter((q) => waits({ kind: 'qa', id: q.id, status: q.status })).length + c.articles.filter((a) => waits({ kind: 'article', id: a.id, status: a.status })).length;
}

/** No approval to check (a new entry, no pending revision). */
const NO_CHECK: FourEyesCheck = { refusal: null, notes: [] };

export const registerContentRoutes: RegisterRoutes = (s, ctx) => {
  /**
   * Four eyes for the signed-in approver on one entry: its changers since the last approval and
   * the password resets that may put one person behind two accounts (`four-eyes.ts`).
   */
  const fourEyesOf = (req: FastifyRequest, kind: Kind, id: string, revision?: Revision): FourEyesCheck =>
    checkFourEyes(ctx.db, ctx.me(req).username, changersSinceApproval(ctx.db, kind, id, revision), changesSince(ctx.db, kind, id, revision), ctx.now());
  s.get('/admin/content', { config: { permission: 'content.view' } }, async (req, reply) => {
    const f = listQuery.parse(req.query);
    const c = ctx.content.get();
    const needle = foldedCanonical(f.q);
    const match = (text: string): boolean => !needle || foldedCanonical(text).includes(needle);
    const all = [
      ...(f.kind === 'article' ? [] : c.qa.map((q) => ({ kind: 'qa' as const, id: q.id, title: q.question, text: `${q.id} ${q.question} ${q.variants.join(' ')} ${q.answer}`, status: q.status, topics: q.topics, reviewedBy: q.reviewedBy }))),
      ...(f.kind === 'qa' ? [] : c.articles.map((a) => ({ kind: 'article' as const, id: a.id, title: a.title, text: `${a.id} ${a.title} ${a.passages.map((p) => p.text).join(' ')}`, status: a.status, topics: a.topics, reviewedBy: undefined }))),
    ];
    const pending = pendingChanges(ctx);
    const waits = waitsForApproval(pending);
    const statusOk = (r: { kind: Kind; id: string; status: string }): boolean => !f.status || (f.status === 'cho-duyet' ? waits(r) : r.status === f.status);
    const rows = all.filter((r) => match(r.text) && statusOk(r) && (!f.topic || r.topics.includes(f.topic)));
    rows.sort((a, b) => Number(waits(b)) - Number(waits(a)) || (a.status === b.status ? a.title.localeCompare(b.title, 'vi') : a.status === 'draft' ? -1 : b.status === 'draft' ? 1 : 0));
    // A broken Q&A or article file's errors in Vietnamese, by line (the raw editor's wording);
    // shared files (topics.yaml…) keep the loader's.
    const listErrorsVi = (errors: typeof c.errors): { file: string; field: string; message: string }[] =>
      [...new Set(errors.map((e) => e.file))].flatMap((file) => {
        const own = errors.filter((e) => e.file === file);
        const text = isEntryFile(file) ? readEntryFile(ctx.config.contentDir, file)?.text : undefined;
        if (text === undefined) return own;
        const vi = checkRawEntryText(file.startsWith('qa') ? 'qa' : 'article', file, text, c).errors;
        return vi.length ? vi.map((e) => ({ file, field: e.line ? `Dòng ${e.line}` : e.field, message: e.message })) : own;
      });
    return ctx.render(req, reply, 'content-list', {
      pending,
      title: 'Nội dung',
      rows: rows.slice(0, 500),
      count: rows.length,
      f,
      topics: c.topics,
      errors: listErrorsVi(c.errors),
      // Only entry files broken: the others are served (and the broken ones' last good versions).
      frozen: !c.errors.every((e) => isEntryFile(e.file)),
      kindLabel: KIND_LABEL,
      statusLabel: STATUS_LABEL,
    });
  });

  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    kind: Kind,
    data: { entry?: QaEntry | ArticleEntry; form: Record<string, unknown>; errors?: FieldError[]; from?: number[]; isNew: boolean },
  ): Promise<FastifyReply> => {
    const c = ctx.content.get();
    const id = String(data.form.id ?? '');
    const waiting = kind === 'qa' && id ? unansweredWaitingFor(ctx.db, id) : [];
    const revision = id && !data.isNew ? openRevision(ctx.db, kind, id) : undefined;
    const approvedText = revision ? readEntryFile(ctx.config.contentDir, revision.file) : undefined;
    return ctx.render(req, reply, kind === 'qa' ? 'qa-edit' : 'article-edit', {
      revision,
      revisionChanges: revision ? revisionChanges(kind, approvedText?.text, revision.text) : undefined,
      revisionConflict: revision ? approvedText?.hash !== revision.baseHash : false,
      pastRevisions: id && !data.isNew ? listRevisions(ctx.db, kind, id).filter((r) => r.status !== 'pending') : [],
      notices: kind === 'qa' && id ? listNotices(ctx.db, id) : [],
      noticeLabel: NOTICE_STATUS_LABEL,
      noticeWhy,
      title: data.isNew ? `Thêm ${KIND_LABEL[kind].toLowerCase()}` : `${KIND_LABEL[kind]}: ${id}`,
      kind,
      ...data,
      // Dates day first, as staff read and type them (the fields are plain text, see formDate).
      form: { ...data.form, expires: dayFirst(data.form.expires), ...(kind === 'article' ? { published: dayFirst(data.form.published) } : {}) },
      errors: data.errors ?? [],
      from: data.from ?? [],
      topics: c.topics,
      regions: regionOptions(ctx),
      statusLabel: STATUS_LABEL,
      lastEditor: id ? lastEditor(ctx, kind, id) : undefined,
      changers: id && !data.isNew ? changersSinceApproval(ctx.db, kind, id, revision) : [],
      fourEyes: id && !data.isNew ? fourEyesOf(req, kind, id, revision) : NO_CHECK,
      waiting,
      notified: kind === 'qa' && id ? noticeCounts(ctx.db, id) : {},
      history: id ? listAudit(ctx.db, { targetType: kind, targetId: id, limit: 20 }) : [],
      // Who retired it and when: the file keeps only the last review, which read "Đã gỡ · duyệt
      // bởi lan" on a retired entry.
      retiredBy: data.entry?.status === 'retired' ? listAudit(ctx.db, { action: 'content.retire', targetType: kind, targetId: id, limit: 1 })[0] : undefined,
    });
  };

  s.get('/admin/content/:kind/new', { config: { permission: 'content.edit' } }, async (req, reply) => {
    const kind = kindSchema.parse((req.params as { kind: string }).kind);
    const q = z.object({ from: z.string().optional() }).parse(req.query);
    let form: Record<string, unknown> = { topics: [], regions: [] };
    let from: number[] = [];
    if (kind === 'qa' && q.from) {
      const ids = q.from.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
      const questions = openQueueQuestions(ctx.db, ids, ctx.scopeRegions(req));
      from = questions.map((x) => x.id);
      // The citizens' words become content: masked (phones, e-mails, ID numbers) before they
      // reach the draft, and distinct as the search sees them.
      const [first, ...rest] = maskedWordings(questions.map((x) => x.question), { merge: true }).wordings;
      const variants = rest.slice(0, 10);
      form = { ...form, question: first ?? '', variants: variants.join('\n') };
    }
    if (kind === 'article') form.published = ctx.now().toISOString().slice(0, 10);
    // A correction written from a disinformation case: prefilled, and linked to it when saved.
    const fromCase = caseForCorrection(ctx, req, (req.query as Record<string, unknown>)[CASE_FIELD]);
    if (fromCase) form = { ...form, ...correctionDraftForm(ctx, fromCase, kind), [CASE_FIELD]: fromCase.id };
    return showForm(req, reply, kind, { form, from, isNew: true });
  });

  s.get('/admin/content/:kind/:id', { config: { permission: 'content.view' } }, async (req, reply) => {
    const p = req.params as { kind: string; id: string };
    const kind = kindSchema.parse(p.kind);
    const entry = find(ctx, kind, p.id);
    if (!entry) {
      // A file that does not validate opens in the raw editor: its errors, its text, what the
      // bot serves meanwhile, and a way to fix it.
      const broken = brokenFile(ctx, kind, p.id);
      if (!broken) return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy nội dung này.');
      return showFile(req, reply, kind, p.id, broken.file);
    }
    // With a change waiting, the form shows the pending version: editing continues it.
    const pending = openRevision(ctx.db, kind, entry.id);
    const fromRevision = pending ? formFromText(kind, pending.text) : undefined;
    const form =
      fromRevision ??
      (entry.kind === 'qa'
        ? { id: entry.id, question: entry.question, variants: entry.variants.join('\n'), topics: entry.topics, regions: entry.regions, sources: formatSources(entry.sources), expires: entry.expires ?? '', answer: entry.answer }
        : {
            id: entry.id,
            title: entry.title,
            published: entry.published,
            source_title: entry.source.title,
            source_url: entry.source.url ?? '',
            topics: entry.topics,
            regions: entry.regions,
            expires: entry.expires ?? '',
            body: articleBody(ctx.config.contentDir, entry),
          });
    return showForm(req, reply, kind, { entry, form, isNew: false });
  });

  s.post('/admin/content/:kind/:id', { config: { permission: 'content.edit' } }, async (req, reply) => {
    const p = req.params as { kind: string; id: string };
    const kind = kindSchema.parse(p.kind);
    const isNew = p.id === 'new';
    const body = (req.body ?? {}) as Record<string, unknown>;
    const c = ctx.content.get();
    const existing = isNew ? undefined : find(ctx, kind, p.id);
    if (!isNew && !existing) return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy nội dung này.');
    const from = z
      .string()
      .optional()
      .parse(body.from)
      ?.split(',')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0) ?? [];
    // The files on disk too: an import's drafts are written before the cached content is refreshed.
    const taken = (id: string): boolean => id === 'new' || c.qa.some((q) => q.id === id) || c.articles.some((a) => a.id === id) || idOnDisk(ctx.config.contentDir, id);
    // An id typed twice (copied from another entry): say which entry has it, and that the box
    // may be left empty.
    const idTaken = (id: string): FieldError => {
      const other = c.qa.find((q) => q.id === id)?.question ?? c.articles.find((a) => a.id === id)?.title;
      return { field: 'id', message: `Mã: '${id}' đã được dùng${other ? ` cho “${other}”` : ''}; hãy chọn mã khác, hoặc để trống ô Mã để Loa tự tạo` };
    };
    try {
      if (existing && (existing.status === 'approved' || openRevision(ctx.db, kind, existing.id))) {
        return await saveAsRevision(req, reply, kind, existing, body, from);
      }
      let saved: { id: string; file: string };
      if (kind === 'qa') {
        const form = qaFormSchema.parse(body);
        form.id = existing ? existing.id : form.id || slugFrom(form.question, taken);
        if (isNew && taken(form.id)) throw new ContentValidationError([idTaken(form.id)]);
        saved = saveQaDraft(ctx.config.contentDir, form, c, existing?.file);
      } else {
        const form = articleFormSchema.parse(body);
        form.id = existing ? existing.id : form.id || slugFrom(form.title, taken);
        if (isNew && taken(form.id)) throw new ContentValidationError([idTaken(form.id)]);
        saved = saveArticleDraft(ctx.config.contentDir, form, c, existing?.file);
      }
      if (kind === 'qa' && from.length) {
        const open = openQueueQuestions(ctx.db, from, ctx.scopeRegions(req));
        // Questions attached elsewhere come off that change first (routes/attach.ts takeBack).
        takeBack(ctx, req, open, saved.id);
        const visible = open.map((x) => x.id);
        linkUnansweredToDraft(ctx.db, from.filter((id) => visible.includes(id)), saved.id, ctx.me(req).username, ctx.now());
      }
      const linked = isNew ? linkFromCase(ctx, req, body[CASE_FIELD], { correctionId: saved.id }) : '';
      ctx.audit(req, {
        action: 'content.save',
        targetType: kind,
        targetId: saved.id,
        details: {
          text: isNew ? `Tạo bản nháp “${saved.id}”${from.length ? ` cho ${from.length} câu hỏi chưa trả lời` : ''}` : `Sửa bản nháp “${saved.id}”`,
          file: saved.file,
          created: isNew,
          fromQuestions: from,
        },
      });
      const r = await reload(ctx);
      const msg = (r.blocked ?? 'Đã lưu bản nháp. Người có quyền phê duyệt cần duyệt trước khi bot dùng nội dung này.') + linked + r.note;
      return reply.redirect(`/admin/content/${kind}/${saved.id}?msg=${encodeURIComponent(msg)}`, 303);
    } catch (err) {
      if (!(err instanceof ContentValidationError)) throw err;
      reply.code(400);
      return showForm(req, reply, kind, { entry: existing, form: { ...body, id: existing?.id ?? body.id }, errors: err.errors, from, isNew });
    }
  });

  /**
   * A change to an approved entry: kept as (or added to) its pending revision; the file, and
   * so the served answer, stays as approved.
   */
  const saveAsRevision = async (
    req: FastifyRequest,
    reply: FastifyReply,
    kind: Kind,
    existing: QaEntry | ArticleEntry,
    body: Record<string, unknown>,
    from: number[],
  ): Promise<FastifyReply> => {
    const c = ctx.content.get();
    const me = ctx.me(req);
    // A draft (or retired entry) with a change waiting has no approved version being served.
    const live = existing.status === 'approved';
    const current = readEntryFile(ctx.config.contentDir, existing.file);
    if (!current) throw Object.assign(new Error(`Tệp ${existing.file} không còn tồn tại; hãy tải lại trang.`), { statusCode: 409 });
    const open = openRevision(ctx.db, kind, existing.id);
    const base = open?.text ?? current.text;
    const text =
      kind === 'qa'
        ? buildQaText({ ...qaFormSchema.parse(body), id: existing.id }, c, base)
        : buildArticleText({ ...articleFormSchema.parse(body), id: existing.id }, c, base);
    const visible = new Set(openQueueQuestions(ctx.db, from, ctx.scopeRegions(req)).map((x) => x.id));
    const questions = kind === 'qa' ? from.filter((id) => visible.has(id)) : [];
    const revisionId = ctx.db.transaction(() => {
      const id = saveRevision(
        ctx.db,
        { kind, entryId: existing.id, file: existing.file, baseHash: current.hash, text, editor: me.username, questionIds: questions },
        ctx.now(),
      );
      if (questions.length) linkUnansweredToDraft(ctx.db, questions, existing.id, me.username, ctx.now());
      return id;
    })();
    ctx.audit(req, {
      action: 'content.revise',
      targetType: kind,
      targetId: existing.id,
      details: {
        text: live
          ? `Sửa mục đã duyệt “${existing.id}”: thay đổi chờ phê duyệt, bot vẫn dùng bản đã duyệt`
          : `Sửa “${existing.id}” (chưa duyệt): thay đổi chờ phê duyệt, bot chưa dùng mục này`,
        revision: revisionId,
        file: existing.file,
        fromQuestions: questions,
      },
    });
    const msg = live
      ? 'Đã lưu thay đổi, đang chờ phê duyệt. Bot vẫn dùng bản đã duyệt cho đến khi một người khác phê duyệt thay đổi này.'
      : 'Đã lưu thay đổi, đang chờ phê duyệt. Mục này chưa được duyệt nên bot chưa dùng; khi một người khác phê duyệt, bot bắt đầu dùng.';
    return reply.redirect(`/admin/content/${kind}/${existing.id}?msg=${encodeURIComponent(msg)}`, 303);
  };

  /**
   * The raw editor of one content file (a broken one, or any Q&A or article): the whole text,
   * checked with the loader's parser, saved as the entry's pending revision (the same one the
   * form edits), written over the file only when another person approves it.
   */
  const fileOf = (kind: Kind, id: string): { file: string; broken: boolean } | undefined => {
    const entry = find(ctx, kind, id);
    if (entry) return { file: entry.file, broken: false };
    const broken = brokenFile(ctx, kind, id);
    return broken ? { file: broken.file, broken: true } : undefined;
  };

  const approvalOf = (req: FastifyRequest): { reviewer: string; today: string } => {
    const me = ctx.me(req);
    return { reviewer: me.displayName ?? me.username, today: ctx.now().toISOString().slice(0, 10) };
  };

  const showFile = (
    req: FastifyRequest,
    reply: FastifyReply,
    kind: Kind,
    id: string,
    file: string,
    typed?: { text: string; errors: RawError[] },
  ): Promise<FastifyReply> => {
    const current = readEntryFile(ctx.config.contentDir, file);
    const currentText = current?.text ?? '';
    const broken = !find(ctx, kind, id);
    const revision = openRevision(ctx.db, kind, id);
    const served = kind === 'qa' ? ctx.knowledge.getQa(id) : ctx.knowledge.getArticle(id);
    const refs = ctx.content.get();
    return ctx.render(req, reply, 'content-file', {
      title: broken ? `Tệp lỗi: ${file}` : `Sửa tệp: ${file}`,
      kind,
      id,
      file,
      broken,
      servedLastGood: served?.status === 'approved',
      // The file's own problems, worded like the editor's (the loader's are English, for the log).
      fileErrors: broken ? fileErrorsVi(kind, file, currentText) : [],
      text: typed?.text ?? revision?.text ?? currentText,
      saveErrors: typed?.errors ?? [],
      currentText,
      revision,
      revisionErrors: revision ? checkRawEntryText(kind, file, revision.text, refs, approvalOf(req)).errors : [],
      revisionConflict: revision ? current?.hash !== revision.baseHash : false,
      changers: revision ? changersSinceApproval(ctx.db, kind, id, revision) : [],
      fourEyes: revision ? fourEyesOf(req, kind, id, revision) : NO_CHECK,
      pastRevisions: listRevisions(ctx.db, kind, id).filter((r) => r.status !== 'pending'),
      history: listAudit(ctx.db, { targetType: kind, targetId: id, limit: 20 }),
    });
  };

  /**
   * A broken file's problems as the loader sees them, in Vietnamese with lines; the loader's own
   * (English) errors if the check finds none (it runs the same code, so only if the other files
   * changed in between).
   */
  const fileErrorsVi = (kind: Kind, file: string, text: string): RawError[] => {
    const vi = checkRawEntryText(kind, file, text, ctx.content.get()).errors;
    return vi.length ? vi : ctx.content.get().errors.filter((e) => e.file === file).map((e) => ({ field: e.field, message: `${e.field}: ${e.message}` }));
  };

  s.get('/admin/content/:kind/:id/file', { config: { permission: 'content.view' } }, async (req, reply) => {
    const p = req.params as { kind: string; id: string };
    const kind = kindSchema.parse(p.kind);
    const at = fileOf(kind, p.id);
    if (!at) return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy nội dung này.');
    return showFile(req, reply, kind, p.id, at.file);
  });

  s.post('/admin/content/:kind/:id/file', { config: { permission: 'content.edit' } }, async (req, reply) => {
    const p = req.params as { kind: string; id: string };
    const kind = kindSchema.parse(p.kind);
    const at = fileOf(kind, p.id);
    if (!at) return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy nội dung này.');
    const typed = z.object({ text: z.string().max(500_000).default('') }).parse(req.body ?? {}).text;
    const checked = checkRawEntryText(kind, at.file, typed, ctx.content.get(), approvalOf(req));
    if (checked.errors.length) {
      reply.code(400);
      // What the person typed stays in the editor, as they typed it.
      return showFile(req, reply, kind, p.id, at.file, { text: typed, errors: checked.errors });
    }
    const current = readEntryFile(ctx.config.contentDir, at.file);
    if (!current) throw Object.assign(new Error(`Tệp ${at.file} không còn tồn tại; hãy tải lại trang.`), { statusCode: 409 });
    const me = ctx.me(req);
    const revisionId = saveRevision(
      ctx.db,
      { kind, entryId: p.id, file: at.file, baseHash: current.hash, text: checked.text, editor: me.username },
      ctx.now(),
    );
    ctx.audit(req, {
      action: 'content.revise_file',
      targetType: kind,
      targetId: p.id,
      details: {
        text: at.broken
          ? `Sửa tệp lỗi “${at.file}” trong trang quản trị: bản sửa chờ phê duyệt`
          : `Sửa trực tiếp tệp “${at.file}”: bản sửa chờ phê duyệt, ${find(ctx, kind, p.id)?.status === 'approved' ? 'bot vẫn dùng bản đang có' : 'bot chưa dùng mục này (chưa duyệt)'}`,
        revision: revisionId,
        file: at.file,
      },
    });
    const msg = `Đã lưu bản sửa, đang chờ phê duyệt. Khi một người có quyền phê duyệt khác phê duyệt, tệp được ghi lại và bot dùng bản mới${at.broken ? '; tệp sẽ không còn trong danh sách tệp lỗi' : ''}.`;
    return reply.redirect(`/admin/content/${kind}/${p.id}/file?msg=${encodeURIComponent(msg)}`, 303);
  });

  /** Approves an entry's pending revision: four eyes, then the file is replaced and reloaded. */
  const approveRevision = async (req: FastifyRequest, reply: FastifyReply, kind: Kind, rev: Revision): Promise<FastifyReply> => {
    const me = ctx.me(req);
    const check = fourEyesOf(req, kind, rev.entryId, rev);
    if (check.refusal) throw new Forbidden(check.refusal);
    const now = ctx.now();
    applyRevision(ctx.config.contentDir, rev, me.displayName ?? me.username, now.toISOString().slice(0, 10));
    if (!decideRevision(ctx.db, rev.id, 'approved', me.username, null, now))
      throw Object.assign(new Error('Thay đổi này vừa được người khác xử lý; hãy tải lại trang.'), { statusCode: 409 });
    ctx.audit(req, {
      action: 'content.approve',
      targetType: kind,
      targetId: rev.entryId,
      details: {
        text: `Phê duyệt thay đổi của “${rev.entryId}” (do ${rev.editors.join(', ')} soạn): bản mới thay bản cũ`,
        revision: rev.id,
        file: rev.file,
        reviewer: me.username,
      },
    });
    const r = await reload(ctx, kind === 'qa' ? [rev.entryId] : []);
    let msg = r.blocked ?? 'Đã phê duyệt thay đổi. Bot dùng bản mới ngay từ bây giờ.';
    if (kind === 'qa' && !r.blocked) msg += notifyAndAudit(req, rev.entryId, now, rev.id);
    msg += r.note;
    return reply.redirect(`/admin/content/${kind}/${rev.entryId}?msg=${encodeURIComponent(msg)}`, 303);
  };

  /** Queues the askers' notices for an approved Q&A; returns the message part for staff. */
  const notifyAndAudit = (req: FastifyRequest, qaId: string, now: Date, revisionId: number | null): string => {
    const approved = ctx.knowledge.getQa(qaId);
    if (!approved || approved.status !== 'approved') return '';
    const summary = notifyAskers(ctx, approved, now, revisionId);
    const total = noticeTotal(summary);
    if (!total) return '';
    ctx.audit(req, {
      action: 'question.notify',
      targetType: 'qa',
      targetId: qaId,
      details: { ...summary, text: `Đã giải quyết ${total} câu hỏi; ${noticeCountsText(summary)}` },
    });
    return notifyMessage(summary);
  };

  s.post('/admin/content/:kind/:id/reject', { config: { permission: 'content.approve' } }, async (req, reply) => {
    const p = req.params as { kind: string; id: string };
    const kind = kindSchema.parse(p.kind);
    const note = z.string().max(500).default('').parse((req.body as Record<string, unknown> | undefined)?.note).normalize('NFC').trim();
    const rev = openRevision(ctx.db, kind, p.id);
    if (!rev) throw Object.assign(new Error('Không có thay đổi nào đang chờ phê duyệt.'), { statusCode: 409 });
    const me = ctx.me(req);
    ctx.db.transaction(() => {
      decideRevision(ctx.db, rev.id, 'rejected', me.username, note || null, ctx.now());
      unlinkUnanswered(ctx.db, rev.questionIds, rev.entryId);
    })();
    ctx.audit(req, {
      action: 'content.reject',
      targetType: kind,
      targetId: rev.entryId,
      details: {
        text: `Từ chối thay đổi của “${rev.entryId}”: bản đã duyệt giữ nguyên${rev.questionIds.length ? `; ${rev.questionIds.length} câu hỏi trở lại hàng chờ` : ''}`,
        revision: rev.id,
        ...(note ? { note } : {}),
      },
    });
    const msg = `Đã từ chối thay đổi. Bot vẫn dùng bản đã duyệt.${rev.questionIds.length ? ` ${rev.questionIds.length} câu hỏi đã gắn trở lại hàng “Câu hỏi chưa trả lời”.` : ''}`;
    return reply.redirect(`/admin/content/${kind}/${rev.entryId}?msg=${encodeURIComponent(msg)}`, 303);
  });

  s.post('/admin/content/:kind/:id/approve', { config: { permission: 'content.approve' } }, async (req, reply) => {
    const p = req.params as { kind: string; id: string };
    const kind = kindSchema.parse(p.kind);
    // A pending revision first: a broken file has no entry, but may have a fix waiting.
    const rev = openRevision(ctx.db, kind, p.id);
    if (rev) return approveRevision(req, reply, kind, rev);
    const entry = find(ctx, kind, p.id);
    if (!entry) return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy nội dung này.');
    const me = ctx.me(req);
    if (entry.status !== 'draft') throw Object.assign(new Error('Chỉ bản nháp mới cần phê duyệt.'), { statusCode: 409 });
    const check = fourEyesOf(req, kind, entry.id);
    if (check.refusal) throw new Forbidden(check.refusal);
    const now = ctx.now();
    setEntryStatus(ctx.config.contentDir, kind, entry.file, 'approved', me.displayName ?? me.username, now.toISOString().slice(0, 10));
    ctx.audit(req, {
      action: 'content.approve',
      targetType: kind,
      targetId: entry.id,
      details: { text: `Phê duyệt bản nháp “${entry.id}”: bot bắt đầu dùng`, file: entry.file, reviewer: me.username },
    });
    const r = await reload(ctx, kind === 'qa' ? [entry.id] : []);
    let msg = r.blocked ?? 'Đã phê duyệt. Bot dùng nội dung này ngay từ bây giờ.';
    if (kind === 'qa' && !r.blocked) msg += notifyAndAudit(req, entry.id, now, null);
    msg += r.note;
    return reply.redirect(`/admin/content/${kind}/${entry.id}?msg=${encodeURIComponent(msg)}`, 303);
  });

  /**
   * "Duyệt nhiều bản nháp": the drafts of a filter on one page, each in full (question, answer,
   * sources, topics, regions, who made it), ticked by the approver and approved in one go. An
   * import of 80 answers otherwise meant opening 80 pages. Four eyes hold per entry: a draft the
   * approver made or changed is shown without a box; each approval is audited on its own. Each box
   * carries the hash of the file as shown, and a draft whose file changed since (an editor's save,
   * a hand edit) is left out and named, never approved unseen.
   */
  const manyQuery = z.object({ topic: z.string().max(60).default(''), q: z.string().max(200).default(''), kind: z.enum(['all', 'qa', 'article']).default('all') });
  const MAX_MANY = 200;

  s.get('/admin/content/approve-many', { config: { permission: 'content.approve' } }, async (req, reply) => {
    const f = manyQuery.parse(req.query);
    const c = ctx.content.get();
    const me = ctx.me(req);
    const pending = pendingChanges(ctx);
    const needle = foldedCanonical(f.q);
    const drafts = [
      ...(f.kind === 'article' ? [] : c.qa.map((e) => ({ kind: 'qa' as const, e, title: e.question, text: `${e.id} ${e.question} ${e.answer}` }))),
      ...(f.kind === 'qa' ? [] : c.articles.map((e) => ({ kind: 'article' as const, e, title: e.title, text: `${e.id} ${e.title}` }))),
    ]
      .filter((d) => d.e.status === 'draft' && !pending.has(`${d.kind}:${d.e.id}`) && (!f.topic || d.e.topics.includes(f.topic)) && (!needle || foldedCanonical(d.text).includes(needle)))
      .sort((a, b) => (a.e.topics[0] ?? '').localeCompare(b.e.topics[0] ?? '') || a.e.file.localeCompare(b.e.file));
    const regionNames = new Map(regionOptions(ctx).map((r) => [r.slug, r.name]));
    const topicNames = new Map(c.topics.map((t) => [t.slug, t.name]));
    const rows = drafts.slice(0, MAX_MANY).flatMap((d) => {
      const file = readEntryFile(ctx.config.contentDir, d.e.file);
      if (!file) return [];
      const changers = changersSinceApproval(ctx.db, d.kind, d.e.id);
      const check = fourEyesOf(req, d.kind, d.e.id);
      return [
        {
          kind: d.kind,
          id: d.e.id,
          title: d.title,
          body: d.e.kind === 'qa' ? d.e.answer : articleBody(ctx.config.contentDir, d.e),
          variants: d.e.kind === 'qa' ? d.e.variants : [],
          sources: d.e.kind === 'qa' ? d.e.sources : [d.e.source],
          topics: d.e.topics.map((t) => topicNames.get(t) ?? t),
          regions: d.e.regions.map((r) => regionNames.get(r) ?? r),
          changers,
          mine: !!check.refusal,
          self: changers.includes(me.username),
          resetNotes: check.notes,
          pick: `${d.kind}:${d.e.id}:${file.hash}`,
        },
      ];
    });
    return ctx.render(req, reply, 'content-approve-many', {
      title: 'Duyệt nhiều bản nháp',
      f,
      rows,
      count: drafts.length,
      max: MAX_MANY,
      topics: c.topics,
      waitingChanges: pending.size,
    });
  });

  const manyBody = z.object({
    pick: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((v) => [...new Set(Array.isArray(v) ? v : v ? [v] : [])]),
    back: z.string().max(400).default(''),
  });

  s.post('/admin/content/approve-many', { config: { permission: 'content.approve' } }, async (req, reply) => {
    const body = manyBody.parse(req.body ?? {});
    const me = ctx.me(req);
    const picks = body.pick.slice(0, MAX_MANY).flatMap((p) => {
      const m = /^(qa|article):([^:]{1,200}):([0-9a-f]{64})$/.exec(p);
      return m ? [{ kind: m[1] as Kind, id: m[2]!, hash: m[3]! }] : [];
    });
    // Back to the same filter (a path of this page only).
    const back = /^\/admin\/content\/approve-many(?:\?[\w%&=.~+-]*)?$/.test(body.back) ? body.back : '/admin/content/approve-many';
    const to = (msg: string): string => `${back}${back.includes('?') ? '&' : '?'}msg=${encodeURIComponent(msg)}`;
    if (!picks.length) return reply.redirect(to('Chưa chọn bản nháp nào: đánh dấu ô ở đầu các mục đã xem và đồng ý.'), 303);
    const now = ctx.now();
    const today = now.toISOString().slice(0, 10);
    const approved: { kind: Kind; id: string }[] = [];
    const skipped: { id: string; why: string }[] = [];
    for (const p of picks) {
      // Read, checked and written with no await in between: nothing else in this process can
      // change the file between the hash check and the approval.
      const entry = find(ctx, p.kind, p.id);
      if (!entry) {
        skipped.push({ id: p.id, why: 'không còn trong nội dung' });
        continue;
      }
      if (entry.status !== 'draft') {
        skipped.push({ id: p.id, why: entry.status === 'approved' ? 'đã được duyệt' : 'không còn là bản nháp' });
        continue;
      }
      if (openRevision(ctx.db, p.kind, p.id)) {
        skipped.push({ id: p.id, why: 'có thay đổi đang chờ: mở mục để xem thay đổi rồi duyệt' });
        continue;
      }
      const changers = changersSinceApproval(ctx.db, p.kind, p.id);
      if (changers.includes(me.username)) {
        skipped.push({ id: p.id, why: `bạn đã soạn hoặc sửa mục này (người soạn: ${changers.join(', ')}); cần người khác duyệt` });
        continue;
      }
      const check = fourEyesOf(req, p.kind, p.id);
      if (check.refusal) {
        skipped.push({ id: p.id, why: check.refusal });
        continue;
      }
      const current = readEntryFile(ctx.config.contentDir, entry.file);
      if (!current || current.hash !== p.hash) {
        skipped.push({ id: p.id, why: 'đã bị sửa sau khi danh sách hiện ra: xem lại bản mới' });
        continue;
      }
      try {
        setEntryStatus(ctx.config.contentDir, p.kind, entry.file, 'approved', me.displayName ?? me.username, today);
      } catch (err) {
        skipped.push({ id: p.id, why: err instanceof ContentValidationError ? `tệp có lỗi: ${err.errors.map((e) => e.message).join('; ')}` : 'không ghi được tệp' });
        continue;
      }
      approved.push({ kind: p.kind, id: p.id });
      ctx.audit(req, {
        action: 'content.approve',
        targetType: p.kind,
        targetId: p.id,
        details: {
          text: `Phê duyệt bản nháp “${p.id}” (duyệt nhiều bản nháp cùng lúc, do ${changers.length ? changers.join(', ') : 'người sửa tệp trực tiếp'} soạn): bot bắt đầu dùng`,
          file: entry.file,
          reviewer: me.username,
          many: true,
        },
      });
    }
    if (approved.length || skipped.length)
      ctx.audit(req, {
        action: 'content.approve_many',
        details: {
          text: `Duyệt nhiều bản nháp cùng lúc: phê duyệt ${approved.length} mục${skipped.length ? `, bỏ qua ${skipped.length} mục (${skipped.map((x) => `“${x.id}”: ${x.why}`).join('; ')})` : ''}`,
          approved: approved.map((a) => `${a.kind}:${a.id}`),
          skipped,
        },
      });
    let msg = '';
    if (approved.length) {
      const r = await reload(ctx, approved.filter((a) => a.kind === 'qa').map((a) => a.id));
      msg = r.blocked ?? `Đã phê duyệt ${approved.length} bản nháp. Bot dùng các mục này ngay từ bây giờ.`;
      if (!r.blocked) for (const a of approved) if (a.kind === 'qa') msg += notifyAndAudit(req, a.id, now, null);
      msg += r.note;
    }
    if (skipped.length)
      msg += `${msg ? ' ' : ''}Chưa phê duyệt ${skipped.length} mục: ${skipped
        .slice(0, 20)
        .map((x) => `“${x.id}” (${x.why})`)
        .join('; ')}${skipped.length > 20 ? ` và ${skipped.length - 20} mục khác` : ''}.`;
    return reply.redirect(to(msg), 303);
  });

  s.post('/admin/content/:kind/:id/retire', { config: { permission: 'content.approve' } }, async (req, reply) => {
    const p = req.params as { kind: string; id: string };
    const kind = kindSchema.parse(p.kind);
    const entry = find(ctx, kind, p.id);
    if (!entry) return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy nội dung này.');
    setEntryStatus(ctx.config.contentDir, kind, entry.file, 'retired', undefined, ctx.now().toISOString().slice(0, 10));
    // A change waiting on a retired entry has nothing left to replace.
    const rev = openRevision(ctx.db, kind, entry.id);
    // Questions waiting for this entry (a draft written for them, or attached to its change) go
    // back to the queue: nobody will be told from a retired entry. A retired draft's questions
    // stayed marked "Đã có bản nháp trả lời, chờ phê duyệt" and out of everyone's work.
    const back = kind === 'qa' ? unansweredWaitingFor(ctx.db, entry.id).map((w) => w.id) : [];
    ctx.db.transaction(() => {
      if (rev) {
        decideRevision(ctx.db, rev.id, 'rejected', ctx.me(req).username, 'Mục đã bị gỡ', ctx.now());
        unlinkUnanswered(ctx.db, rev.questionIds, rev.entryId);
      }
      unlinkUnanswered(ctx.db, back, entry.id);
    })();
    ctx.audit(req, {
      action: 'content.retire',
      targetType: kind,
      targetId: entry.id,
      details: {
        text: `Gỡ “${entry.id}”: bot không dùng nữa${rev ? '; thay đổi đang chờ bị huỷ' : ''}${back.length ? `; ${back.length} câu hỏi đang chờ mục này trở lại hàng chờ` : ''}`,
        file: entry.file,
        was: entry.status,
        ...(rev ? { revision: rev.id } : {}),
        ...(back.length ? { questions: back } : {}),
      },
    });
    const r = await reload(ctx);
    const msg =
      (r.blocked ?? 'Đã gỡ. Bot không còn dùng nội dung này.') +
      (back.length ? ` ${back.length} câu hỏi đang chờ mục này đã trở lại hàng “Câu hỏi chưa trả lời”.` : '') +
      r.note;
    return reply.redirect(`/admin/content/${kind}/${entry.id}?msg=${encodeURIComponent(msg)}`, 303);
  });
};

/** An article's Markdown body as written in its file (passages lose the original layout). */
function articleBody(contentDir: string, a: ArticleEntry): string {
  try {
    const parts = splitFrontMatter(readDecoded(join(contentDir, a.file)));
    if (parts) return parts.body.trim();
  } catch {
    // Fall back to the loaded passages below.
  }
  return a.passages.map((p) => (p.n === 0 ? p.text : `## ${p.heading}\n${p.text}`)).join('\n\n');
}
