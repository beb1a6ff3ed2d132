/**
 * Triage of reported disinformation (issue 17, item 1): the queue of cases by newest or by most
 * reported, one case with its reports and steps, a status step with a note and evidence, and the
 * link to a correction. Region-scoped staff see the cases of their region subtree (a case takes
 * its first reporter's region; a case of no region is for province-wide staff). Every step is
 * audited (`db/disinfo.ts`) and a closing step tells the reporters (`admin/disinfo.ts`).
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { AdminContext, RegisterRoutes } from '../context.js';
import { assertCan } from '../context.js';
import { CASE_OUTCOMES, CASE_STATUSES, CaseStepError, NEXT_STATUSES, canHaveCorrection, getCase, linkCorrection, caseByNumber, listCases, mergeCase, outcomeDeliveries, reportsOfCase, webReportsOf, setCaseStatus, splitCase, stepsOfCase, type DisinfoCase } from '../../db/disinfo.js';
import { CASE_OUTCOME_LABEL, CASE_STATUS_LABEL, tellReporters } from '../disinfo.js';
import { PLATFORMS } from '../../conversation/disinfo.js';
import { CASE_FIELD, correctionView } from '../disinfo-correction.js';
import { getCampaign } from '../../db/campaigns.js';
import { visible } from './campaigns.js';
import type { ChannelName } from '../../messages.js';
import { channelLabel } from '../report.js';

/** Campaign statuses as the case page names them. */
const CAMPAIGN_STATUS_LABEL: Record<string, string> = {
  draft: 'bản nháp',
  submitted: 'chờ phê duyệt',
  approved: 'đã duyệt',
  scheduled: 'đã lên lịch',
  sending: 'đang gửi',
  paused: 'tạm dừng',
  done: 'đã gửi xong',
  cancelled: 'đã huỷ',
};

const PAGE = 100;
/** The largest screenshot fetched for viewing (Telegram lets bots download up to 20 MB). */
const MEDIA_MAX_BYTES = 10 * 1024 * 1024;

const listQuery = z.object({
  xep: z.enum(['moi', 'nhieu', 'cho']).catch('moi'),
  trangthai: z.enum(CASE_STATUSES).optional().catch(undefined),
  trang: z.coerce.number().int().min(1).max(100_000).catch(1),
  /** A case number to go to ("BC-2026-0042", as a citizen reads it out). */
  ma: z.string().trim().max(40).optional().catch(undefined),
});

/** Reports listed on a case page at first (a case of thousands made a page of megabytes); `?baocao=tat-ca` lists all. */
const REPORTS_SHOWN = 200;

const stepBody = z.object({
  status: z.enum(CASE_STATUSES),
  outcome: z.enum(CASE_OUTCOMES).optional().or(z.literal('').transform(() => undefined)),
  note: z.string().trim().max(2000).default(''),
  evidence: z.string().trim().max(2000).default(''),
});

const mergeBody = z.object({ _csrf: z.string().optional(), into: z.string().trim().min(1, 'Hãy nhập mã vụ việc cần gộp vào.').max(40) });
const splitBody = z.object({ _csrf: z.string().optional(), note: z.string().trim().max(2000).default('') });
const correctionBody = z.object({
  correctionId: z.string().trim().min(1).max(200),
  campaignId: z
    .string()
    .trim()
    .regex(/^\d*$/)
    .default('')
    .transform((v) => (v ? Number(v) : null)),
});

/**
 * Whether campaign `id` exists and is one the user may see: a commune account must not link (and
 * then read the id and status of, on the case page) another commune's campaign. One message for
 * both, as for cases: never "exists elsewhere".
 */
function campaignInScope(ctx: AdminContext, req: FastifyRequest, id: number): boolean {
  const c = getCampaign(ctx.db, id);
  return c !== undefined && visible(ctx, req, [c]).length === 1;
}

/** The case if it exists and is in the user's scope; a 404 otherwise (never "exists elsewhere"). */
function caseFor(ctx: AdminContext, req: FastifyRequest): DisinfoCase {
  const id = z.coerce.number().int().positive().catch(0).parse((req.params as { id?: string }).id);
  const c = id ? getCase(ctx.db, id) : undefined;
  if (!c || !ctx.inScope(req, c.region)) throw Object.assign(new Error('Không tìm thấy vụ việc này.'), { statusCode: 404 });
  return c;
}

const labels = {
  status: CASE_STATUS_LABEL,
  outcome: CASE_OUTCOME_LABEL,
  platform: Object.fromEntries(PLATFORMS.map((p) => [p.id, p.label])) as Record<string, string>,
};

/** Registers the queue, the case page and the two triage actions. */
export const registerDisinfoRoutes: RegisterRoutes = (s, ctx) => {
  const topicName = (slug: string | null): string =>
    !slug ? '' : slug === 'khac' ? 'Khác' : (ctx.knowledge.state.topics.find((t) => t.slug === slug)?.name ?? slug);
  const regionName = (slug: string | null): string => (slug ? (ctx.knowledge.regionInfo(slug)?.name ?? slug) : '');

  s.get('/admin/disinfo', { config: { permission: 'disinfo.view' } }, async (req, reply) => {
    const q = listQuery.parse(req.query);
    // A number typed in the search box: straight to the case, if it is one the user may see.
    let notFound: string | undefined;
    if (q.ma) {
      const found = caseByNumber(ctx.db, q.ma);
      if (found && ctx.inScope(req, found.region)) return reply.redirect(`/admin/disinfo/${found.id}`, 303);
      notFound = `Không có vụ việc mã “${q.ma}” trong địa bàn của bạn. Mã vụ việc có dạng BC-${new Date(ctx.now().getTime() + 7 * 3_600_000).getUTCFullYear()}-0001 (trong tin nhắn cảm ơn người báo đã nhận).`;
    }
    const rows = listCases(ctx.db, {
      order: q.xep === 'nhieu' ? 'most' : q.xep === 'cho' ? 'waiting' : 'newest',
      status: q.trangthai,
      scope: ctx.scopeRegions(req),
      limit: PAGE + 1,
      offset: (q.trang - 1) * PAGE,
    });
    const shown = rows.slice(0, PAGE);
    return ctx.render(req, reply, 'disinfo', {
      title: 'Tin giả, tin xấu độc',
      rows: shown,
      notFound,
      web: webReportsOf(ctx.db, shown.map((c) => c.id)),
      more: rows.length > PAGE,
      q,
      statuses: CASE_STATUSES,
      labels,
      topicName,
      regionName,
    });
  });

  s.get('/admin/disinfo/:id', { config: { permission: 'disinfo.view' } }, async (req, reply) => {
    const c = caseFor(ctx, req);
    const all = reportsOfCase(ctx.db, c.id);
    const showAll = (req.query as { baocao?: unknown }).baocao === 'tat-ca';
    // The newest first when not all are shown: what came in since staff last looked.
    const reports = showAll || all.length <= REPORTS_SHOWN ? all : all.slice(-REPORTS_SHOWN);
    // Web chat sources by their order of appearance in the case ("nguồn 1", "nguồn 2"): the digest means nothing to staff.
    const sourceNo = new Map<string, number>();
    for (const r of all) if (r.reporterKey?.startsWith('w:') && !sourceNo.has(r.reporterKey)) sourceNo.set(r.reporterKey, sourceNo.size + 1);
    return ctx.render(req, reply, 'disinfo-case', {
      title: `Vụ việc ${c.number}`,
      c,
      reports,
      reportsTotal: all.length,
      deliveries: outcomeDeliveries(ctx.db, c.id),
      web: webReportsOf(ctx.db, [c.id]).get(c.id),
      sourceNo,
      channelLabel,
      steps: stepsOfCase(ctx.db, c.id),
      // A merged case is closed here: its reports and its steps from now on are the other case's.
      next: c.mergedInto === null ? NEXT_STATUSES[c.status] : [],
      mergedInto: c.mergedInto === null ? null : getCase(ctx.db, c.mergedInto) ?? null,
      correction: correctionView(ctx, c),
      caseField: CASE_FIELD,
      canCorrect: c.mergedInto === null && canHaveCorrection(c),
      contentStatus: { draft: 'bản nháp, chờ phê duyệt', approved: 'đã duyệt, bot đang dùng', retired: 'đã gỡ' },
      campaignStatus: CAMPAIGN_STATUS_LABEL,
      outcomes: CASE_OUTCOMES,
      labels,
      topicName,
      regionName,
    });
  });

  // The screenshot of a case, fetched from the platform that received it each time it is viewed
  // (never stored on this server), at most MEDIA_MAX_BYTES, images only.
  s.get('/admin/disinfo/:id/anh', { config: { permission: 'disinfo.view' } }, async (req, reply) => {
    const c = caseFor(ctx, req);
    const from = c.mediaRef ? reportsOfCase(ctx.db, c.id).find((r) => r.mediaRef === c.mediaRef) : undefined;
    const channel = from ? ctx.channels.get(from.channel as ChannelName) : undefined;
    const media = c.mediaRef && channel?.fetchMedia ? await channel.fetchMedia(c.mediaRef, MEDIA_MAX_BYTES) : null;
    if (!media)
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send('Không tải được ảnh: nền tảng không còn giữ ảnh, ảnh lớn hơn 10 MB hoặc không phải ảnh, hoặc kênh đó chưa được cấu hình trên máy chủ này.');
    return reply
      .type(media.contentType)
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'")
      .header('x-content-type-options', 'nosniff')
      .send(Buffer.from(media.bytes));
  });

  s.post('/admin/disinfo/:id/status', { config: { permission: 'disinfo.triage' } }, async (req, reply) => {
    const c = caseFor(ctx, req);
    const body = stepBody.parse(req.body);
    const me = ctx.me(req).username;
    let msg: string;
    try {
      const after = setCaseStatus(ctx.db, c.id, { ...body, actor: me, ip: req.ip }, ctx.now());
      const told = tellReporters({ db: ctx.db, sender: ctx.sender, channels: ctx.channels, knowledge: ctx.knowledge }, c.id, ctx.now());
      msg = `Đã chuyển sang “${CASE_STATUS_LABEL[after.status]}”.${told ? ` Đang gửi kết quả cho ${told.toLocaleString('vi-VN')} người báo tin.` : ''}`;
    } catch (err) {
      if (!(err instanceof CaseStepError)) throw err;
      msg = err.message;
    }
    return reply.redirect(`/admin/disinfo/${c.id}?msg=${encodeURIComponent(msg)}`, 303);
  });

  // The same rumour reported by another link or on another platform: merged into the case that
  // has it, so the plan's share counts it once (see db/disinfo.ts mergeCase).
  s.post('/admin/disinfo/:id/merge', { config: { permission: 'disinfo.triage' } }, async (req, reply) => {
    const c = caseFor(ctx, req);
    const body = mergeBody.parse(req.body);
    try {
      const into = mergeCase(ctx.db, c.id, body.into, { actor: ctx.me(req).username, ip: req.ip, canSee: (region) => ctx.inScope(req, region) }, ctx.now());
      // Its reporters learn the other case's outcome if it already has one.
      const told = tellReporters({ db: ctx.db, sender: ctx.sender, channels: ctx.channels, knowledge: ctx.knowledge }, into.id, ctx.now());
      const msg = `Đã gộp vụ việc ${c.number} vào đây: những người báo tin của vụ việc đó được tính ở vụ việc này.${told ? ` Đang gửi kết quả cho ${told.toLocaleString('vi-VN')} người báo tin.` : ''}`;
      return reply.redirect(`/admin/disinfo/${into.id}?msg=${encodeURIComponent(msg)}`, 303);
    } catch (err) {
      if (!(err instanceof CaseStepError)) throw err;
      return reply.redirect(`/admin/disinfo/${c.id}?msg=${encodeURIComponent(err.message)}`, 303);
    }
  });

  // A merge got wrong: the merged case and its reporters come back (see db/disinfo.ts splitCase).
  s.post('/admin/disinfo/:id/split', { config: { permission: 'disinfo.triage' } }, async (req, reply) => {
    const c = caseFor(ctx, req);
    const body = splitBody.parse(req.body);
    // The case it was merged into must be one the user may see too: a split changes its counts.
    const into = c.mergedInto === null ? undefined : getCase(ctx.db, c.mergedInto);
    let msg: string;
    if (into && !ctx.inScope(req, into.region)) msg = `Vụ việc ${c.number} được gộp vào một vụ việc ngoài địa bàn của bạn: hãy nhờ cán bộ cấp tỉnh tách.`;
    else {
      try {
        const { split, from } = splitCase(ctx.db, c.id, { actor: ctx.me(req).username, ip: req.ip, note: body.note }, ctx.now());
        // Reporters who came back and were never told this case's outcome learn it now.
        const told = tellReporters({ db: ctx.db, sender: ctx.sender, channels: ctx.channels, knowledge: ctx.knowledge }, split.id, ctx.now());
        msg = `Đã tách vụ việc ${split.number} khỏi vụ việc ${from.number}: vụ việc này có lại ${split.reporterCount} người báo tin và được tính lại trong số liệu.${told ? ` Đang gửi kết quả cho ${told.toLocaleString('vi-VN')} người báo tin.` : ''}`;
      } catch (err) {
        if (!(err instanceof CaseStepError)) throw err;
        msg = err.message;
      }
    }
    return reply.redirect(`/admin/disinfo/${c.id}?msg=${encodeURIComponent(msg)}`, 303);
  });

  s.post('/admin/disinfo/:id/correction', { config: { permission: 'disinfo.triage' } }, async (req, reply) => {
    assertCan(req, 'disinfo.triage');
    const c = caseFor(ctx, req);
    const body = correctionBody.parse(req.body);
    const k = ctx.knowledge;
    const approved = k.getQa(body.correctionId)?.status === 'approved' || k.getArticle(body.correctionId)?.status === 'approved';
    let msg: string;
    if (!approved) msg = `Không có bài hỏi đáp hoặc bài viết đã duyệt với mã “${body.correctionId}”. Hãy duyệt tin đính chính trước, rồi gắn mã của nó.`;
    else if (body.campaignId !== null && !campaignInScope(ctx, req, body.campaignId)) msg = `Không có chiến dịch số ${body.campaignId} trong địa bàn của bạn. Hãy kiểm tra lại số chiến dịch.`;
    else {
      try {
        linkCorrection(ctx.db, c.id, { correctionId: body.correctionId, campaignId: body.campaignId, actor: ctx.me(req).username, ip: req.ip }, ctx.now());
        // A case already handled: its reporters, told without it, get the correction now.
        const told = tellReporters({ db: ctx.db, sender: ctx.sender, channels: ctx.channels, knowledge: ctx.knowledge }, c.id, ctx.now());
        msg = `Đã gắn tin đính chính với vụ việc.${told ? ` Đang gửi tin đính chính cho ${told.toLocaleString('vi-VN')} người báo tin.` : ''}`;
      } catch (err) {
        if (!(err instanceof CaseStepError)) throw err;
        msg = err.message;
      }
    }
    return reply.redirect(`/admin/disinfo/${c.id}?msg=${encodeURIComponent(msg)}`, 303);
  });
};
