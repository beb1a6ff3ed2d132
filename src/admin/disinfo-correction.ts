/**
 * A confirmed case of disinformation becomes a correction (issue 17, item 1): from the case page
 * staff start a Q&A, an article or a campaign ("Thông tin chính xác về …"), prefilled from the
 * case and linked to it when saved. The draft then goes through the usual approval (another
 * person approves content and campaigns), and the case page shows what it is linked to and
 * whether it is approved yet.
 *
 * Why a link carried through the form (`vuviec=<case id>` on the new-content and new-campaign
 * pages) rather than a draft created at once: nothing is written until staff have written the
 * correction, so an abandoned start leaves no empty draft behind; the content and campaign
 * routes stay the one place where drafts are validated and saved.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminContext } from './context.js';
import { can } from './roles.js';
import { canHaveCorrection, getCase, linkCorrection, type DisinfoCase } from '../db/disinfo.js';
import { getCampaign } from '../db/campaigns.js';
import { tellLateCorrections } from './disinfo.js';

/** The form field (and query parameter) that carries the case id. */
export const CASE_FIELD = 'vuviec';

/** What the case page says about its linked correction. */
export interface CorrectionView {
  id: string;
  kind: 'qa' | 'article';
  /** 'draft', 'approved' or 'retired'; undefined when the entry no longer exists. */
  status?: string;
  campaign?: { id: number; status: string };
}

/**
 * The case a correction is being written for, from a query or form value: it exists, is in
 * the user's region scope and was found false. Undefined otherwise (the page then opens as a
 * plain new draft, never revealing a case of another region).
 */
export function caseForCorrection(ctx: AdminContext, req: FastifyRequest, raw: unknown): DisinfoCase | undefined {
  const id = z.coerce.number().int().positive().catch(0).parse(raw ?? 0);
  const c = id ? getCase(ctx.db, id) : undefined;
  if (!c || !ctx.inScope(req, c.region) || !canHaveCorrection(c) || !can(ctx.me(req), 'disinfo.triage')) return undefined;
  return c;
}

function subject(ctx: AdminContext, c: DisinfoCase): string {
  const topic = c.topic && c.topic !== 'khac' ? ctx.knowledge.state.topics.find((t) => t.slug === c.topic)?.name : undefined;
  return `Thông tin chính xác về ${topic ? topic.toLocaleLowerCase('vi') : '…'}`;
}

/** The prefilled fields of a new Q&A or article written as the case's correction. */
export function correctionDraftForm(ctx: AdminContext, c: DisinfoCase, kind: 'qa' | 'article'): Record<string, unknown> {
  const topics = c.topic && ctx.knowledge.state.topics.some((t) => t.slug === c.topic) ? [c.topic] : [];
  const regions = c.region ? [c.region] : [];
  return kind === 'qa' ? { question: subject(ctx, c), topics, regions } : { title: subject(ctx, c), topics, regions };
}

/**
 * The prefilled campaign: the linked correction's text when it is approved (a Q&A's answer, an
 * article's first passage), the case's topic, and its region when the user may target it.
 */
export function correctionCampaignForm(ctx: AdminContext, req: FastifyRequest, c: DisinfoCase): Record<string, unknown> {
  const k = ctx.knowledge;
  const qa = c.correctionId ? k.getQa(c.correctionId) : undefined;
  const article = c.correctionId && !qa ? k.getArticle(c.correctionId) : undefined;
  let text = '';
  if (qa?.status === 'approved') text = qa.answer;
  else if (article?.status === 'approved') text = article.passages[0]?.text ?? '';
  return {
    title: qa?.status === 'approved' ? qa.question : article?.status === 'approved' ? article.title : subject(ctx, c),
    text,
    topics: c.topic && k.state.topics.some((t) => t.slug === c.topic) ? [c.topic] : [],
    regions: c.region && ctx.inScope(req, c.region) ? [c.region] : ctx.me(req).region ? [ctx.me(req).region] : [],
  };
}

/**
 * Links what was just saved from the case (a draft's id, or a campaign's id) and returns the
 * sentence added to the staff message. The case is checked again: it may have been reopened
 * or left the user's scope since the form was opened.
 */
export function linkFromCase(ctx: AdminContext, req: FastifyRequest, raw: unknown, saved: { correctionId: string } | { campaignId: number }): string {
  const c = caseForCorrection(ctx, req, raw);
  if (!c) return '';
  linkCorrection(ctx.db, c.id, { ...saved, actor: ctx.me(req).username, ip: req.ip }, ctx.now());
  return ` Đã gắn với vụ việc ${c.number}.`;
}

/** What the case page shows of its correction, or undefined when none is linked. */
export function correctionView(ctx: AdminContext, c: DisinfoCase): CorrectionView | undefined {
  if (!c.correctionId && !c.correctionCampaignId) return undefined;
  const content = ctx.content.get();
  const qa = c.correctionId ? content.qa.find((q) => q.id === c.correctionId) : undefined;
  const article = c.correctionId && !qa ? content.articles.find((a) => a.id === c.correctionId) : undefined;
  const campaign = c.correctionCampaignId ? getCampaign(ctx.db, c.correctionCampaignId) : undefined;
  return {
    id: c.correctionId ?? '',
    kind: article ? 'article' : 'qa',
    status: (qa ?? article)?.status,
    ...(campaign ? { campaign: { id: campaign.id, status: campaign.status } } : {}),
  };
}

/**
 * After content went live (a draft or an edit approved): a correction linked to a handled case
 * that was not yet approved when its reporters were told reaches them now, once. Returns how
 * many were queued.
 */
export function sendApprovedCorrections(ctx: AdminContext): number {
  return tellLateCorrections({ db: ctx.db, sender: ctx.sender, channels: ctx.channels, knowledge: ctx.knowledge }, ctx.now());
}
