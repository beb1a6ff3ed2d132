/** The unanswered-questions queue: grouped by similarity, "answer this", dismiss. */
import { z } from 'zod';
import type { RegisterRoutes } from '../context.js';
import { listQueue, type QueueQuestion } from '../../db/admin.js';
import { resolveUnanswered } from '../../db/questions.js';
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

export const registerQuestionRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/questions', { config: { permission: 'questions.view' } }, async (req, reply) => {
    const queue = visibleQueue(listQueue(ctx.app.db), ctx.scopeRegions(req));
    const groups = groupSimilar(queue, (q) => q.question);
    return ctx.render(req, reply, 'questions', { title: 'Câu hỏi chưa trả lời', groups, total: queue.length });
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
