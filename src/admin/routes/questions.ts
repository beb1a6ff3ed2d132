/** The unanswered-questions queue: grouped by similarity, "answer this", dismiss. */
import { z } from 'zod';
import type { RegisterRoutes } from '../context.js';
import { listQueue, type QueueQuestion } from '../../db/admin.js';
import { QUEUE_KIND_LABELS, queueItemDetails, resolveUnanswered, type QueueKind } from '../../db/questions.js';
import { groupSimilar } from '../cluster.js';

const idsSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((x) => Number(x)).filter((n) => Number.isInteger(n) && n > 0));

/** The open questions the user may see (their region scope applies to the askers' regions). */
export function visibleQueue(all: QueueQuestion[], scope: string[] | null): QueueQuestion[] {
  if (!scope) return all;
  const s = new Set(scope);
  return all.filter((q) => q.region !== null && s.has(q.region));
}

/** The queue filter in the URL (`?loai=co-the-sai`): all, unanswered only, or maybe-wrong answers only. */
const KIND_FILTERS: Record<string, QueueKind> = { 'chua-tra-loi': 'unanswered', 'co-the-sai': 'maybe_wrong' };
const queueQuery = z.object({ loai: z.string().max(20).default('') });

export const registerQuestionRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/questions', { config: { permission: 'questions.view' } }, async (req, reply) => {
    const all = visibleQueue(listQueue(ctx.app.db), ctx.scopeRegions(req));
    // Answered-but-maybe-wrong items (a 👎, a re-ask) carry the answer given; they are grouped
    // apart from unanswered ones, so a group's first item shows what the bot said.
    const details = queueItemDetails(ctx.app.db, all.map((q) => q.id));
    const kindOf = (id: number): QueueKind => details.get(id)?.kind ?? 'unanswered';
    const loai = queueQuery.parse(req.query).loai;
    const only = KIND_FILTERS[loai];
    const queue = only ? all.filter((q) => kindOf(q.id) === only) : all;
    const groups = [
      ...groupSimilar(queue.filter((q) => kindOf(q.id) === 'maybe_wrong'), (q) => q.question),
      ...groupSimilar(queue.filter((q) => kindOf(q.id) === 'unanswered'), (q) => q.question),
    ].sort((a, b) => b.items.length - a.items.length);
    const maybeWrong = all.filter((q) => kindOf(q.id) === 'maybe_wrong').length;
    return ctx.render(req, reply, 'questions', {
      title: 'Câu hỏi chưa trả lời',
      groups,
      total: queue.length,
      details,
      kindLabels: QUEUE_KIND_LABELS,
      loai: only ? loai : '',
      counts: { all: all.length, maybeWrong, unanswered: all.length - maybeWrong },
    });
  });

  s.post('/admin/questions/dismiss', { config: { permission: 'questions.answer' } }, async (req, reply) => {
    const { ids } = z.object({ ids: idsSchema }).parse(req.body);
    const visible = new Set(visibleQueue(listQueue(ctx.app.db), ctx.scopeRegions(req)).map((q) => q.id));
    const allowed = ids.filter((id) => visible.has(id));
    resolveUnanswered(ctx.app.db, allowed, 'dismissed', null, ctx.now());
    ctx.audit(req, { action: 'question.dismiss', targetType: 'unanswered', targetId: allowed.join(','), details: { count: allowed.length } });
    return reply.redirect(`/admin/questions?msg=${encodeURIComponent(`Đã bỏ qua ${allowed.length} câu hỏi.`)}`, 303);
  });
};
