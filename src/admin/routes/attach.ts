/**
 * "Gắn vào câu trả lời có sẵn": from the unanswered-questions queue, staff attach a question
 * (or a group of similar ones) to an existing *approved* Q&A as new wordings. The bot learns
 * to answer them the way staff would, without anyone writing a new entry.
 *
 * - The entry is picked from the bot's own suggestions for those questions first, then a search
 *   box and a list of every approved Q&A.
 * - The wordings are masked (phones, e-mails, ID numbers: `text/mask.ts`) before they become
 *   content, on the server, whatever the form sent.
 * - The change is a pending revision of the entry (`db/revisions.ts`): the approved version
 *   keeps serving; another person approves it (four eyes: the attacher cannot), and then the
 *   askers are notified through the outbox (`admin/answers.ts`).
 * - An attachment made by mistake is taken back from the queue ("Gỡ khỏi mục này"): the
 *   questions go back to the queue and the wordings they brought leave the pending change, which
 *   is closed when nothing else is left in it. Before, only rejecting the whole change undid it
 *   (and with it every other attachment and edit waiting in it); editing the wordings away left
 *   the questions linked, and their askers were told the wrong entry's answer at approval.
 */
import { z } from 'zod';
import type { AdminContext, RegisterRoutes } from '../context.js';
import type { FastifyRequest } from 'fastify';
import { linkUnansweredToDraft, openQueueQuestions, type QueueQuestion } from '../../db/admin.js';
import { decideRevision, dropRevisionQuestions, openRevision, saveRevision, unlinkUnanswered } from '../../db/revisions.js';
import { listAudit } from '../../db/audit.js';
import { questionTexts } from '../../db/questions.js';
import { maskPersonalData, type MaskCounts } from '../../text/mask.js';
import { stripControls } from '../../text/controls.js';
import { foldedCanonical } from '../../text/vietnamese.js';
import { questionFeatures } from '../cluster.js';
import { ContentValidationError, addQaVariants, readEntryFile, removeQaVariants } from '../content-files.js';
import { revisionChanges } from './content.js';
import type { QaEntry } from '../../knowledge/content.js';

const idsSchema = z
  .union([z.string(), z.array(z.string())])
  .default('')
  .transform((v) => [...new Set((Array.isArray(v) ? v : v.split(',')).map((x) => Number(x)).filter((n) => Number.isInteger(n) && n > 0))]);

const attachQuery = z.object({ ids: idsSchema, q: z.string().max(200).default('') });
const detachBody = z.object({ ids: idsSchema, back: z.string().max(500).default('') });
/** The audit details of an attachment: its revision, questions and the wordings it added. */
const attachDetails = z.object({ revision: z.number(), questions: z.array(z.number()).default([]), added: z.array(z.string()).default([]) });
const attachBody = z.object({
  ids: idsSchema,
  qa: z.string().max(60).default(''),
  qa_select: z.string().max(60).default(''),
  variants: z.string().max(20_000).default(''),
});

/**
 * Distinct masked wordings of the questions, and what was masked in them. Distinct as folded
 * text; with `merge`, also as the grouping sees them (the same content words and word pairs): a
 * group's "…nhà riêng lẻ", "…nhà riêng lẻ ạ" and "…nhà riêng lẻ vậy" offer one wording, the
 * shortest, in the place of the first. For what the page offers; what staff post is kept as typed.
 */
export function maskedWordings(questions: string[], opts: { merge?: boolean } = {}): { wordings: string[]; masked: MaskCounts } {
  const masked: MaskCounts = { phone: 0, email: 0, id: 0 };
  const at = new Map<string, number>();
  const wordings: string[] = [];
  for (const q of questions) {
    // Bidi overrides and control characters never reach content.
    const m = maskPersonalData(stripControls(q).replace(/\s+/g, ' ').trim());
    masked.phone += m.counts.phone;
    masked.email += m.counts.email;
    masked.id += m.counts.id;
    const folded = foldedCanonical(m.text);
    if (!folded) continue;
    const features = opts.merge ? [...questionFeatures(m.text)].sort().join(' ') : '';
    const key = features || folded;
    const i = at.get(key);
    if (i === undefined) {
      at.set(key, wordings.length);
      wordings.push(m.text);
    } else if (m.text.length < wordings[i]!.length) wordings[i] = m.text;
  }
  return { wordings, masked };
}

/**
 * Takes questions back from the entries they are linked to (attached to a pending change, or a
 * draft written for them), except `except`: they go back to the queue, and the wordings they
 * brought leave the pending change (see the route "Gỡ khỏi mục này"). Returns a sentence per
 * entry for staff, each also in the audit log (`question.detach`). `questions` are the open ones
 * in the staff member's scope.
 */
export function takeBack(ctx: AdminContext, req: FastifyRequest, questions: readonly QueueQuestion[], except?: string): string[] {
  const me = ctx.me(req);
  const now = ctx.now();
  const approvedQa = (): QaEntry[] => ctx.content.get().qa.filter((q) => q.status === 'approved');
  const linked = questions.filter((q) => q.draftQaId !== null && q.draftQaId !== except);
  const byEntry = new Map<string, typeof linked>();
  for (const q of linked) byEntry.set(q.draftQaId!, [...(byEntry.get(q.draftQaId!) ?? []), q]);
  const said: string[] = [];
  for (const [entryId, qs] of byEntry) {
    const ids = qs.map((q) => q.id);
    const rev = openRevision(ctx.db, 'qa', entryId);
    const inRev = rev ? ids.filter((id) => rev.questionIds.includes(id)) : [];
    let removed: string[] = [];
    let closed = false;
    if (rev && inRev.length) {
      const remaining = rev.questionIds.filter((id) => !inRev.includes(id));
      const attaches = listAudit(ctx.db, { action: 'question.attach', targetType: 'qa', targetId: entryId, limit: 1000 })
        .map((a) => attachDetails.safeParse(a.details))
        .flatMap((d) => (d.success && d.data.revision === rev.id ? [d.data] : []));
      const stays = (a: z.infer<typeof attachDetails>): boolean => a.questions.some((q) => remaining.includes(q));
      const approved = approvedQa().find((e) => e.id === entryId);
      // The taken questions' own wordings go; so do all the wordings of an attachment none of
      // whose questions stay (staff may have edited them in the form). A partly taken attachment
      // keeps its other wordings, and the remaining questions' own wordings always stay.
      const own = maskedWordings(qs.filter((q) => inRev.includes(q.id)).map((q) => q.question)).wordings;
      const ownKeys = new Set(own.map((w) => foldedCanonical(w)));
      const keep = new Set(
        [
          ...(approved ? [approved.question, ...approved.variants] : []),
          ...attaches.filter(stays).flatMap((a) => a.added).filter((w) => !ownKeys.has(foldedCanonical(w))),
          ...maskedWordings([...questionTexts(ctx.db, remaining).values()]).wordings,
        ].map((w) => foldedCanonical(w)),
      );
      const drop = [...attaches.filter((a) => !stays(a)).flatMap((a) => a.added), ...own];
      let text = rev.text;
      try {
        ({ text, removed } = removeQaVariants(rev.text, drop, keep));
      } catch (err) {
        if (!(err instanceof ContentValidationError)) throw err;
        // The wordings stay (the change cannot be read); the questions still come off it.
      }
      const approvedText = readEntryFile(ctx.config.contentDir, rev.file)?.text;
      const left = revisionChanges('qa', approvedText, text);
      const empty = remaining.length === 0 && approvedText !== undefined && Object.values(left).every((v) => v.length === 0);
      ctx.db.transaction(() => {
        dropRevisionQuestions(ctx.db, rev.id, inRev, text, now);
        unlinkUnanswered(ctx.db, ids, entryId);
        if (empty) closed = decideRevision(ctx.db, rev.id, 'rejected', me.username, 'Không còn thay đổi: các câu hỏi gắn nhầm đã được gỡ', now);
      })();
    } else unlinkUnanswered(ctx.db, ids, entryId);
    const text =
      `Gỡ ${ids.length} câu hỏi khỏi “${entryId}”, đưa trở lại hàng chờ` +
      (removed.length ? `; bỏ ${removed.length} cách hỏi khỏi thay đổi chờ duyệt` : '') +
      (closed ? '; thay đổi chờ duyệt không còn gì nên đã đóng' : '');
    ctx.audit(req, {
      action: 'question.detach',
      targetType: 'qa',
      targetId: entryId,
      details: { text, questions: ids, ...(rev && inRev.length ? { revision: rev.id } : {}), ...(removed.length ? { removed } : {}), ...(closed ? { closed: true } : {}) },
    });
    said.push(`${text}.`);
  }
  return said;
}

export const registerAttachRoutes: RegisterRoutes = (s, ctx) => {
  /** The open questions (in the user's scope) among `ids`. */
  const questionsFor = (req: Parameters<typeof ctx.me>[0], ids: number[]) => openQueueQuestions(ctx.db, ids, ctx.scopeRegions(req));
  const approvedQa = (): QaEntry[] => ctx.content.get().qa.filter((q) => q.status === 'approved');

  s.get('/admin/questions/attach', { config: { permission: 'questions.answer' } }, async (req, reply) => {
    const f = attachQuery.parse(req.query);
    const questions = questionsFor(req, f.ids);
    if (questions.length === 0)
      return reply.redirect(`/admin/questions?msg=${encodeURIComponent('Các câu hỏi này đã được xử lý hoặc không còn trong hàng chờ.')}`, 303);
    const entries = approvedQa();
    const byId = new Map(entries.map((q) => [q.id, q]));
    // The bot's own candidates first: its answer (if it had a weak one) and its suggestions.
    const suggested: QaEntry[] = [];
    for (const q of questions.slice(0, 10)) {
      const a = ctx.knowledge.answer(q.question);
      const ids = a.kind === 'answer' ? [a.id, ...a.alternatives.map((x) => x.id)] : a.suggestions.map((x) => x.id);
      for (const id of ids) {
        const e = byId.get(id);
        if (e && !suggested.includes(e)) suggested.push(e);
      }
    }
    // An answer a citizen called wrong (👎 or asking again) stays on offer, but last and marked:
    // it may still be the right entry for the wording, but it is not the bot's best idea.
    const givenIds = new Set(questions.map((q) => q.givenAnswerId).filter((id): id is string => id !== null));
    const offered = [
      ...suggested.filter((e) => !givenIds.has(e.id)).slice(0, 5),
      ...[...givenIds].map((id) => byId.get(id)).filter((e): e is QaEntry => e !== undefined),
    ];
    const needle = foldedCanonical(f.q);
    const found = needle
      ? entries.filter((e) => !offered.includes(e) && foldedCanonical(`${e.id} ${e.question} ${e.variants.join(' ')} ${e.answer}`).includes(needle)).slice(0, 20)
      : [];
    const { wordings, masked } = maskedWordings(questions.map((q) => q.question), { merge: true });
    return ctx.render(req, reply, 'attach', {
      title: 'Gắn câu hỏi vào câu trả lời có sẵn',
      questions,
      ids: questions.map((q) => q.id).join(','),
      wordings,
      masked,
      suggested: offered,
      givenIds,
      found,
      q: f.q,
      all: [...entries].sort((a, b) => a.question.localeCompare(b.question, 'vi')),
      pendingIds: new Set(entries.filter((e) => openRevision(ctx.db, 'qa', e.id)).map((e) => e.id)),
      error: undefined,
    });
  });

  s.post('/admin/questions/attach', { config: { permission: 'questions.answer' } }, async (req, reply) => {
    const body = attachBody.parse(req.body);
    const questions = questionsFor(req, body.ids);
    const back = (msg: string): string => `/admin/questions/attach?ids=${body.ids.join(',')}&msg=${encodeURIComponent(msg)}`;
    if (questions.length === 0)
      return reply.redirect(`/admin/questions?msg=${encodeURIComponent('Các câu hỏi này đã được xử lý hoặc không còn trong hàng chờ.')}`, 303);
    const qaId = body.qa_select || body.qa;
    const entry = approvedQa().find((q) => q.id === qaId);
    if (!entry) return reply.redirect(back('Hãy chọn một mục hỏi – đáp đã được phê duyệt để gắn câu hỏi vào.'), 303);
    // Masked again here: the form is never trusted to have kept the mask.
    const { wordings, masked } = maskedWordings(body.variants.split(/\r?\n/));
    const me = ctx.me(req);
    const file = readEntryFile(ctx.config.contentDir, entry.file);
    if (!file) throw Object.assign(new Error(`Tệp ${entry.file} không còn tồn tại; hãy tải lại trang.`), { statusCode: 409 });
    const open = openRevision(ctx.db, 'qa', entry.id);
    let added: string[];
    let text: string;
    try {
      ({ text, added } = addQaVariants(open?.text ?? file.text, wordings));
    } catch (err) {
      if (!(err instanceof ContentValidationError)) throw err;
      return reply.redirect(back(err.errors.map((e) => e.message).join('; ')), 303);
    }
    const ids = questions.map((q) => q.id);
    // Questions attached elsewhere (a mistake being corrected) come off that change first: the
    // link moved, but the wordings stayed in the other change and went live with it.
    const movedFrom = takeBack(ctx, req, questions, entry.id);
    const revisionId = ctx.db.transaction(() => {
      const id = saveRevision(
        ctx.db,
        { kind: 'qa', entryId: entry.id, file: entry.file, baseHash: file.hash, text, editor: me.username, questionIds: ids },
        ctx.now(),
      );
      linkUnansweredToDraft(ctx.db, ids, entry.id, me.username, ctx.now());
      return id;
    })();
    const maskedTotal = masked.phone + masked.email + masked.id;
    ctx.audit(req, {
      action: 'question.attach',
      targetType: 'qa',
      targetId: entry.id,
      details: {
        text: `Gắn ${ids.length} câu hỏi vào “${entry.id}”${added.length ? `, thêm ${added.length} cách hỏi mới` : ''}; chờ phê duyệt, bot vẫn dùng bản đã duyệt`,
        revision: revisionId,
        questions: ids,
        added,
        ...(maskedTotal ? { masked } : {}),
      },
    });
    const msg =
      (movedFrom.length ? `${movedFrom.join(' ')} ` : '') +
      `Đã gắn ${ids.length} câu hỏi vào mục này${added.length ? ` (thêm ${added.length} cách hỏi mới)` : ''}. ` +
      'Thay đổi đang chờ một người khác phê duyệt; bot vẫn dùng bản đã duyệt. Khi được phê duyệt, người đã hỏi sẽ được báo.';
    return reply.redirect(`/admin/content/qa/${entry.id}?msg=${encodeURIComponent(msg)}`, 303);
  });

  /**
   * "Gỡ khỏi mục này": questions attached (or drafted for) by mistake go back to the queue. For an
   * attachment to an approved entry, the wordings it brought leave the pending change: those of
   * an attachment all of whose questions are taken back, and any wording that is one of the taken
   * questions themselves; never a wording of the approved file, nor one another question still
   * attached brought. A change left with nothing in it is closed. A new draft written for the
   * questions is left as it is (its wordings were typed by staff): only the link goes.
   */
  s.post('/admin/questions/detach', { config: { permission: 'questions.answer' } }, async (req, reply) => {
    const body = detachBody.parse(req.body ?? {});
    const said = takeBack(ctx, req, questionsFor(req, body.ids));
    const back = z.string().regex(/^\/admin\/questions(\?[\x21-\x7e]*)?$/).catch('/admin/questions').parse(body.back);
    const msg = said.length ? said.join(' ') : 'Các câu hỏi này không còn gắn với mục nào (đã được xử lý hoặc đã gỡ trước đó).';
    return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}msg=${encodeURIComponent(msg)}`, 303);
  });
};
