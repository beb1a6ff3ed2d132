/**
 * Content: list and search Q&A and articles, create and edit them (validated with the
 * loader's schemas and written back as files), approve (approver role, another person than
 * the last editor), retire. Every write reloads the knowledge index, so the bot answers
 * with the change at once, without a restart.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminContext, RegisterRoutes } from '../context.js';
import { Forbidden } from '../context.js';
import {
  ContentValidationError,
  articleFormSchema,
  formatSources,
  qaFormSchema,
  saveArticleDraft,
  saveQaDraft,
  setEntryStatus,
  slugFrom,
  type FieldError,
} from '../content-files.js';
import { getOpenUnanswered, linkUnansweredToDraft, answerNotificationCounts } from '../../db/admin.js';
import { listAudit } from '../../db/audit.js';
import { foldedCanonical } from '../../text/vietnamese.js';
import { notifyAskers } from '../answers.js';
import { flattenRegions, formatContentErrors, splitFrontMatter, type ArticleEntry, type QaEntry } from '../../knowledge/content.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { visibleQueue } from './questions.js';
import { listQueue } from '../../db/admin.js';

const kindSchema = z.enum(['qa', 'article']);
type Kind = z.infer<typeof kindSchema>;
const KIND_LABEL: Record<Kind, string> = { qa: 'Hỏi – đáp', article: 'Bài viết' };
const STATUS_LABEL: Record<string, string> = { draft: 'Bản nháp', approved: 'Đã duyệt', retired: 'Đã gỡ' };

const listQuery = z.object({
  q: z.string().max(200).default(''),
  kind: z.enum(['all', 'qa', 'article']).default('all'),
  status: z.enum(['', 'draft', 'approved', 'retired']).default(''),
  topic: z.string().max(60).default(''),
});

function find(ctx: AdminContext, kind: Kind, id: string): QaEntry | ArticleEntry | undefined {
  const c = ctx.content.get();
  return kind === 'qa' ? c.qa.find((q) => q.id === id) : c.articles.find((a) => a.id === id);
}

/** The last person who saved this entry in the admin pages (undefined for hand-edited files). */
function lastEditor(ctx: AdminContext, kind: Kind, id: string): string | undefined {
  return listAudit(ctx.app.db, { action: 'content.save', targetType: kind, targetId: id, limit: 1 })[0]?.actor;
}

/** Reloads the index after a write; returns a message for staff if other files block it. */
function reload(ctx: AdminContext): string | undefined {
  ctx.content.invalidate();
  const r = ctx.app.knowledge.reload();
  if (r.ok) return undefined;
  return `Đã lưu, nhưng bot chưa cập nhật vì nội dung còn lỗi:\n${formatContentErrors(r.errors)}`;
}

function regionOptions(ctx: AdminContext): { slug: string; name: string; depth: number }[] {
  return [...flattenRegions(ctx.content.get().regions).entries()].map(([slug, r]) => ({ slug, name: r.name, depth: r.path.length - 1 }));
}

export const registerContentRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/content', { config: { permission: 'content.view' } }, async (req, reply) => {
    const f = listQuery.parse(req.query);
    const c = ctx.content.get();
    const needle = foldedCanonical(f.q);
    const match = (text: string): boolean => !needle || foldedCanonical(text).includes(needle);
    const rows = [
      ...(f.kind === 'article' ? [] : c.qa.map((q) => ({ kind: 'qa' as const, id: q.id, title: q.question, text: `${q.id} ${q.question} ${q.variants.join(' ')} ${q.answer}`, status: q.status, topics: q.topics, reviewedBy: q.reviewedBy }))),
      ...(f.kind === 'qa' ? [] : c.articles.map((a) => ({ kind: 'article' as const, id: a.id, title: a.title, text: `${a.id} ${a.title} ${a.passages.map((p) => p.text).join(' ')}`, status: a.status, topics: a.topics, reviewedBy: undefined }))),
    ].filter((r) => match(r.text) && (!f.status || r.status === f.status) && (!f.topic || r.topics.includes(f.topic)));
    rows.sort((a, b) => (a.status === b.status ? a.title.localeCompare(b.title, 'vi') : a.status === 'draft' ? -1 : b.status === 'draft' ? 1 : 0));
    return ctx.render(req, reply, 'content-list', {
      title: 'Nội dung',
      rows: rows.slice(0, 500),
      count: rows.length,
      f,
      topics: c.topics,
      errors: c.errors,
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
    const waiting = kind === 'qa' && id ? listQueue(ctx.app.db).filter((q) => q.draftQaId === id) : [];
    return ctx.render(req, reply, kind === 'qa' ? 'qa-edit' : 'article-edit', {
      title: data.isNew ? `Thêm ${KIND_LABEL[kind].toLowerCase()}` : `${KIND_LABEL[kind]}: ${id}`,
      kind,
      ...data,
      errors: data.errors ?? [],
      from: data.from ?? [],
      topics: c.topics,
      regions: regionOptions(ctx),
      statusLabel: STATUS_LABEL,
      lastEditor: id ? lastEditor(ctx, kind, id) : undefined,
      waiting,
      notified: kind === 'qa' && id ? answerNotificationCounts(ctx.app.db, id) : {},
      history: id ? listAudit(ctx.app.db, { targetType: kind, targetId: id, limit: 20 }) : [],
    });
  };

  s.get('/admin/content/:kind/new', { config: { permission: 'content.edit' } }, async (req, reply) => {
    const kind = kindSchema.parse((req.params as { kind: string }).kind);
    const q = z.object({ from: z.string().optional() }).parse(req.query);
    let form: Record<string, unknown> = { topics: [], regions: [] };
    let from: number[] = [];
    if (kind === 'qa' && q.from) {
      const ids = q.from.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
      const visible = new Set(visibleQueue(listQueue(ctx.app.db), ctx.scopeRegions(req)).map((x) => x.id));
      const questions = getOpenUnanswered(ctx.app.db, ids).filter((x) => visible.has(x.id));
      from = questions.map((x) => x.id);
      const [first, ...rest] = questions.map((x) => x.question.trim());
      const variants = [...new Set(rest)].filter((v) => v !== first).slice(0, 10);
      form = { ...form, question: first ?? '', variants: variants.join('\n') };
    }
    if (kind === 'article') form.published = ctx.now().toISOString().slice(0, 10);
    return showForm(req, reply, kind, { form, from, isNew: true });
  });

  s.get('/admin/content/:kind/:id', { config: { permission: 'content.view' } }, async (req, reply) => {
    const p = req.params as { kind: string; id: string };
    const kind = kindSchema.parse(p.kind);
    const entry = find(ctx, kind, p.id);
    if (!entry) return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy nội dung này.');
    const form =
      entry.kind === 'qa'
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
            body: articleBody(ctx.app.config.contentDir, entry),
          };
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
    const taken = (id: string): boolean => id === 'new' || c.qa.some((q) => q.id === id) || c.articles.some((a) => a.id === id);
    try {
      let saved: { id: string; file: string };
      if (kind === 'qa') {
        const form = qaFormSchema.parse(body);
        form.id = existing ? existing.id : form.id || slugFrom(form.question, taken);
        if (isNew && taken(form.id)) throw new ContentValidationError([{ field: 'id', message: `Mã: '${form.id}' đã được dùng; chọn mã khác` }]);
        saved = saveQaDraft(ctx.app.config.contentDir, form, c, existing?.file);
      } else {
        const form = articleFormSchema.parse(body);
        form.id = existing ? existing.id : form.id || slugFrom(form.title, taken);
        if (isNew && taken(form.id)) throw new ContentValidationError([{ field: 'id', message: `Mã: '${form.id}' đã được dùng; chọn mã khác` }]);
        saved = saveArticleDraft(ctx.app.config.contentDir, form, c, existing?.file);
      }
      if (kind === 'qa' && from.length) {
        const visible = new Set(visibleQueue(listQueue(ctx.app.db), ctx.scopeRegions(req)).map((x) => x.id));
        linkUnansweredToDraft(ctx.app.db, from.filter((id) => visible.has(id)), saved.id, ctx.me(req).username, ctx.now());
      }
      ctx.audit(req, {
        action: 'content.save',
        targetType: kind,
        targetId: saved.id,
        details: { file: saved.file, created: isNew, wasApproved: existing?.status === 'approved', fromQuestions: from },
      });
      const problem = reload(ctx);
      const msg = problem ?? 'Đã lưu bản nháp. Người có quyền phê duyệt cần duyệt trước khi bot dùng nội dung này.';
      return reply.redirect(`/admin/content/${kind}/${saved.id}?msg=${encodeURIComponent(msg)}`, 303);
    } catch (err) {
      if (!(err instanceof ContentValidationError)) throw err;
      reply.code(400);
      return showForm(req, reply, kind, { entry: existing, form: { ...body, id: existing?.id ?? body.id }, errors: err.errors, from, isNew });
    }
  });

  s.post('/admin/content/:kind/:id/approve', { config: { permission: 'content.approve' } }, async (req, reply) => {
    const p = req.params as { kind: string; id: string };
    const kind = kindSchema.parse(p.kind);
    const entry = find(ctx, kind, p.id);
    if (!entry) return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy nội dung này.');
    const me = ctx.me(req);
    if (entry.status !== 'draft') throw Object.assign(new Error('Chỉ bản nháp mới cần phê duyệt.'), { statusCode: 409 });
    if (lastEditor(ctx, kind, entry.id) === me.username)
      throw new Forbidden('Người soạn không tự phê duyệt bài của mình: cần một người có quyền phê duyệt khác.');
    const now = ctx.now();
    setEntryStatus(ctx.app.config.contentDir, kind, entry.file, 'approved', me.displayName ?? me.username, now.toISOString().slice(0, 10));
    ctx.audit(req, { action: 'content.approve', targetType: kind, targetId: entry.id, details: { file: entry.file, reviewer: me.username } });
    const problem = reload(ctx);
    let msg = problem ?? 'Đã phê duyệt. Bot dùng nội dung này ngay từ bây giờ.';
    if (kind === 'qa' && !problem) {
      const approved = ctx.app.knowledge.getQa(entry.id);
      if (approved) {
        const summary = await notifyAskers(ctx.app, approved, now);
        const total = Object.values(summary).reduce((a, b) => a + b, 0);
        if (total) {
          ctx.audit(req, { action: 'question.notify', targetType: 'qa', targetId: entry.id, details: summary });
          msg += ` Đã báo cho ${summary.ok ?? 0}/${total} người đã hỏi${summary.outsideWindow ? ` (${summary.outsideWindow} người quá 7 ngày trên Zalo, không gửi được)` : ''}.`;
        }
      }
    }
    return reply.redirect(`/admin/content/${kind}/${entry.id}?msg=${encodeURIComponent(msg)}`, 303);
  });

  s.post('/admin/content/:kind/:id/retire', { config: { permission: 'content.approve' } }, async (req, reply) => {
    const p = req.params as { kind: string; id: string };
    const kind = kindSchema.parse(p.kind);
    const entry = find(ctx, kind, p.id);
    if (!entry) return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy nội dung này.');
    setEntryStatus(ctx.app.config.contentDir, kind, entry.file, 'retired', undefined, ctx.now().toISOString().slice(0, 10));
    ctx.audit(req, { action: 'content.retire', targetType: kind, targetId: entry.id, details: { file: entry.file, was: entry.status } });
    const msg = reload(ctx) ?? 'Đã gỡ. Bot không còn dùng nội dung này.';
    return reply.redirect(`/admin/content/${kind}/${entry.id}?msg=${encodeURIComponent(msg)}`, 303);
  });
};

/** An article's Markdown body as written in its file (passages lose the original layout). */
function articleBody(contentDir: string, a: ArticleEntry): string {
  try {
    const parts = splitFrontMatter(readFileSync(join(contentDir, a.file), 'utf8'));
    if (parts) return parts.body.trim();
  } catch {
    // Fall back to the loaded passages below.
  }
  return a.passages.map((p) => (p.n === 0 ? p.text : `## ${p.heading}\n${p.text}`)).join('\n\n');
}
