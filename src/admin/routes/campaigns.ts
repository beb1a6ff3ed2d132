/**
 * Campaign pages on top of the campaigns module (`campaigns/service.ts`): compose with a live
 * per-channel preview and audience count, submit, approve (another person), schedule, pause,
 * resume, cancel, and a live progress bar (polling a small JSON endpoint every 2 s: cheap for
 * old office PCs and robust behind proxies that buffer server-sent events).
 *
 * The lifecycle rules (roles, four-eyes, region scope, content limits) live in the service;
 * these routes only check the page permission first, so a refusal is explained before the
 * service would refuse it again.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminContext, RegisterRoutes } from '../context.js';
import { assertCan, Forbidden } from '../context.js';
import { can } from '../roles.js';
import { channelVi, deliveryListSheet, deliveryReport, deliveryReportSheet, usedColumns, DELIVERY_STATUS_VI, type DeliveryReport } from '../../campaigns/report.js';
import { toXlsx, XLSX_CONTENT_TYPE } from '../../text/xlsx.js';
import { escapeHtml } from '../../text/html.js';
import { CampaignError, createCampaignService, type CampaignService } from '../../campaigns/service.js';
import { campaignContentSchema, previewFor, validateContent } from '../../campaigns/content.js';
import { countCampaignAudience, type RegionTree } from '../../campaigns/audience.js';
import { formatVietnamTime, nextVietnamTime, parseStaffDateTime } from '../../time/vietnam.js';
import { campaignChannelSchema, getCampaign, listCampaigns, pendingByChannel, progressCounts, retryWaits, type Campaign, type ProgressCounts } from '../../db/campaigns.js';
import { flattenRegions } from '../../knowledge/content.js';
import { regionsAllowed, resetLinks, resetSentence } from '../../db/users.js';
import type { Permission } from '../roles.js';
import { listAudit } from '../../db/audit.js';
import { auditActionLabel, auditDetailLines } from '../audit-labels.js';
import { pausedBy, waitReasons } from '../../campaigns/waiting.js';
import { CASE_FIELD, caseForCorrection, correctionCampaignForm, linkFromCase } from '../disinfo-correction.js';

const STATUS_LABEL: Record<string, string> = {
  draft: 'Bản nháp',
  submitted: 'Chờ phê duyệt',
  approved: 'Đã duyệt',
  scheduled: 'Đã lên lịch',
  sending: 'Đang gửi',
  paused: 'Tạm dừng',
  done: 'Đã gửi xong',
  cancelled: 'Đã huỷ',
};

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : []);

/** The compose form as posted. */
const composeSchema = z.object({
  title: z.string().default(''),
  text: z.string().default(''),
  imageUrl: z.string().trim().default(''),
  /** One link per line: `label | url`. */
  links: z.string().default(''),
  channels: z.unknown().optional().transform(list),
  topics: z.unknown().optional().transform(list),
  regions: z.unknown().optional().transform(list),
  sendAt: z.string().trim().default(''),
  action: z.enum(['save', 'submit']).default('save'),
});

function parseLinks(text: string): { label: string; url: string }[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [label, url] = l.split('|').map((p) => p.trim());
      return { label: label ?? '', url: url ?? '' };
    });
}

/** A "Gửi lúc" field that cannot be used: shown on its form again, never as an error page. */
class SendAtError extends CampaignError {}

/**
 * The send time typed in a "Gửi lúc" field: day first with a 24-hour time, Vietnam time
 * (time/vietnam.ts `parseStaffDateTime`, the reader `loa campaign --at` shares), undefined when
 * left empty. The fields were `<input type="datetime-local">`, typed in the browser's language's
 * order: on a Chrome in English, 07/12/2026 08:30 became 12 July. A time already past is
 * refused rather than sent at once: someone who typed a past time meant another one. Throws a
 * {@link SendAtError} naming the field, the form expected and what leaving it empty does.
 */
function readSendAt(typed: string, now: Date, blank = 'gửi ngay khi lên lịch'): Date | undefined {
  if (!typed.trim()) return undefined;
  const r = parseStaffDateTime(typed);
  if (!r.ok) throw new SendAtError(`Gửi lúc: ${r.error}. Để trống thì ${blank}.`);
  // Within the current minute is "now": 08:30 typed at 08:30:40 is not in the past.
  if (r.at.getTime() < Math.floor(now.getTime() / 60_000) * 60_000)
    throw new SendAtError(`Gửi lúc: ${formatVietnamTime(r.at)} đã qua (bây giờ là ${formatVietnamTime(now)}, giờ Việt Nam): hãy nhập một thời điểm sau bây giờ. Để trống thì ${blank}.`);
  return r.at;
}

/** A time to show how to write one: a morning one or two days ahead, day first. */
function sendAtExample(now: Date): string {
  return formatVietnamTime(nextVietnamTime(new Date(now.getTime() + 12 * 3_600_000), 8, 30));
}

/** What the schedule form's empty "Gửi lúc" does: the time set on the draft while it is ahead, else now. */
function scheduleBlank(c: Campaign, now: Date): string {
  return c.sendAt && new Date(c.sendAt).getTime() > now.getTime() ? `gửi theo giờ đã hẹn (${formatVietnamTime(c.sendAt)})` : 'gửi ngay';
}

/** The actions on one campaign and the permission each needs (the service checks again). */
const ACTIONS: Record<
  string,
  { permission: Permission; run: (svc: CampaignService, user: string, c: Campaign, body: Record<string, unknown>, now: Date) => unknown; done: string | ((result: Campaign, now: Date) => string) }
> = {
  submit: { permission: 'campaigns.compose', run: (s, u, c) => s.submit(u, c.id), done: 'Đã gửi đi chờ phê duyệt.' },
  // The approver often may not schedule (approver only): say that nothing has gone yet and who sends it.
  approve: { permission: 'campaigns.approve', run: (s, u, c) => s.approve(u, c.id), done: 'Đã phê duyệt. Tin chưa đi: bước tiếp theo là “Lên lịch gửi” trên trang này, do cán bộ gửi tin (người soạn) bấm.' },
  reject: { permission: 'campaigns.approve', run: (s, u, c, b) => s.reject(u, c.id, typeof b.reason === 'string' ? b.reason : undefined), done: 'Đã trả lại bản nháp cho người soạn.' },
  schedule: {
    permission: 'campaigns.compose',
    run: (s, u, c, b, now) => s.schedule(u, c.id, readSendAt(typeof b.sendAt === 'string' ? b.sendAt : '', now, scheduleBlank(c, now))),
    done: (c, now) =>
      c.sendAt && new Date(c.sendAt).getTime() > now.getTime() ? `Đã lên lịch gửi lúc ${formatVietnamTime(c.sendAt)} (giờ Việt Nam).` : 'Đã lên lịch gửi ngay.',
  },
  pause: { permission: 'campaigns.compose', run: (s, u, c) => s.pause(u, c.id), done: 'Đã tạm dừng.' },
  resume: { permission: 'campaigns.compose', run: (s, u, c) => s.resume(u, c.id), done: 'Đã tiếp tục gửi.' },
  cancel: { permission: 'campaigns.compose', run: (s, u, c) => s.cancel(u, c.id), done: 'Đã huỷ chiến dịch.' },
  'resend-unknown': { permission: 'campaigns.compose', run: (s, u, c) => s.resendUnknown(u, c.id), done: 'Đã xếp lại các tin chưa rõ kết quả.' },
  // The rows that failed (a Zalo quota, a platform error), sent again; the others are not touched.
  'retry-failed': {
    permission: 'campaigns.compose',
    run: (s, u, c) => s.retryFailed(u, c.id),
    done: (r) => `Đã xếp lại ${(r as unknown as { requeued: number }).requeued} tin lỗi để gửi lại.`,
  },
};

function tree(ctx: AdminContext): RegionTree {
  return { regions: ctx.knowledge.state.regions, root: ctx.config.bot.regions_root };
}

function service(ctx: AdminContext): CampaignService {
  return createCampaignService({
    db: ctx.db,
    regions: () => tree(ctx),
    topics: () => ctx.knowledge.state.topics.map((t) => t.slug),
    now: ctx.now,
  });
}

/** Campaigns the user may see: a region-scoped user sees those inside their region. */
/** The campaigns a region-scoped user may see (all of them for an unscoped one). */
export function visible(ctx: AdminContext, req: FastifyRequest, campaigns: Campaign[]): Campaign[] {
  const u = ctx.me(req);
  if (!u.region) return campaigns;
  const flat = flattenRegions(ctx.knowledge.state.regions);
  return campaigns.filter((c) => regionsAllowed(u, c.regions, (s) => flat.get(s)?.path));
}

/** Progress figures of a campaign for the live bar. */
export function progress(ctx: AdminContext, c: Campaign, live?: ProgressCounts) {
  // Not deliveryCounts: the bar shows neither failures by reason nor opt-outs since the start,
  // whose queries made each poll of live.json (every 2 s per open page) 16-20 ms instead of 0.5.
  const k: ProgressCounts = c.counts ?? live ?? progressCounts(ctx.db, [c.id]).get(c.id)!;
  const total = k.targeted || c.audienceAtApproval || 0;
  const done = k.targeted ? k.targeted - k.pending - k.sending : 0;
  return {
    id: c.id,
    status: c.status,
    statusLabel: STATUS_LABEL[c.status] ?? c.status,
    total,
    done,
    sent: k.sent,
    failed: k.failed,
    gone: k.gone,
    outsideWindow: k.outsideWindow,
    optedOut: k.optedOut,
    unknown: k.unknown,
    /** Rows a cancellation stopped: counted as processed, never as sent. */
    cancelled: k.cancelled,
    pending: k.pending,
    retrying: k.retrying,
    percent: total ? Math.round((100 * done) / total) : 0,
  };
}

/** Campaigns running and waiting, for the dashboard. */
export function dashboardExtras(ctx: AdminContext, req: FastifyRequest): { running: { id: number; title: string; status: string }[]; waiting: number } {
  const all = visible(ctx, req, listCampaigns(ctx.db, ['scheduled', 'sending', 'paused', 'submitted']));
  return {
    running: all.filter((c) => c.status !== 'submitted').map((c) => ({ id: c.id, title: c.title ?? c.text.slice(0, 60), status: STATUS_LABEL[c.status] ?? c.status })),
    waiting: all.filter((c) => c.status === 'submitted').length,
  };
}

/** Region choices for the compose form: only the user's scope for a scoped officer. */
function regionChoices(ctx: AdminContext, req: FastifyRequest): { slug: string; name: string; depth: number }[] {
  return [...flattenRegions(ctx.knowledge.state.regions).entries()]
    .filter(([slug]) => ctx.inScope(req, slug))
    .map(([slug, r]) => ({ slug, name: r.name, depth: r.path.length - 1 }));
}

function previewHtml(ctx: AdminContext, req: FastifyRequest, body: unknown): string {
  const f = composeSchema.parse(body ?? {});
  const channels = f.channels.map((c) => campaignChannelSchema.safeParse(c)).filter((r) => r.success).map((r) => r.data);
  const parsed = campaignContentSchema.safeParse({ title: f.title || undefined, text: f.text, imageUrl: f.imageUrl || undefined, links: parseLinks(f.links) });
  const out: string[] = [];
  if (!channels.length) out.push('<p class="muted">Chọn ít nhất một kênh để xem trước.</p>');
  if (!parsed.success) out.push(`<div class="error">${parsed.error.issues.map((i) => escapeHtml(`${i.path.join('.') || 'nội dung'}: ${i.message}`)).join('<br>')}</div>`);
  else {
    for (const ch of channels) out.push(`<div class="preview" data-channel="${ch}">${previewFor(parsed.data, ch, { html: true })}</div>`);
    const issues = validateContent(parsed.data, channels);
    if (issues.length) out.push(`<ul>${issues.map((i) => `<li class="${i.severity === 'error' ? 'error' : 'muted'}">${escapeHtml(i.message)}</li>`).join('')}</ul>`);
  }
  const okRegions = f.regions.every((r) => ctx.inScope(req, r)) && (f.regions.length > 0 || ctx.inScope(req, null));
  if (!okRegions) out.push('<p class="error">Bạn chỉ được gửi trong địa bàn của mình: hãy chọn địa bàn.</p>');
  else if (channels.length) {
    try {
      const a = countCampaignAudience(ctx.db, { channels, topics: f.topics, regions: f.regions }, tree(ctx));
      out.push(
        `<p><strong>Số người nhận hiện tại: <span data-audience>${a.total}</span></strong> ${Object.entries(a.byChannel)
          .map(([k, n]) => `<span class="tag">${escapeHtml(k)}: ${n}</span>`)
          .join(' ')}</p>`,
      );
    } catch {
      out.push('<p class="error">Địa bàn không hợp lệ.</p>');
    }
  }
  return out.join('\n');
}

export const registerCampaignRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/campaigns', { config: { permission: 'campaigns.view' } }, async (req, reply) => {
    const rows = visible(ctx, req, listCampaigns(ctx.db)).sort((a, b) => b.id - a.id);
    // Counted together for the campaigns whose counts are not frozen (not done): one grouped query.
    const live = progressCounts(ctx.db, rows.filter((c) => !c.counts).map((c) => c.id));
    return ctx.render(req, reply, 'campaigns', { title: 'Chiến dịch', rows: rows.map((c) => ({ c, p: progress(ctx, c, live.get(c.id)), channels: c.channels.map(channelVi).join(', ') })), statusLabel: STATUS_LABEL });
  });

  const compose = (req: FastifyRequest, reply: FastifyReply, form: Record<string, unknown>, error?: string, editing?: Campaign): Promise<FastifyReply> =>
    ctx.render(req, reply, 'campaign-new', {
      title: editing ? `Sửa chiến dịch #${editing.id}` : 'Soạn chiến dịch',
      form,
      error,
      editing,
      formAction: editing ? `/admin/campaigns/${editing.id}/edit` : '/admin/campaigns/new',
      sendAtExample: sendAtExample(ctx.now()),
      topics: ctx.knowledge.state.topics,
      regions: regionChoices(ctx, req),
      channels: [
        { slug: 'telegram', name: 'Telegram', configured: ctx.channels.has('telegram') },
        { slug: 'zalo', name: 'Zalo OA', configured: ctx.channels.has('zalo') },
        { slug: 'zalo-bot', name: 'Zalo Bot', configured: ctx.channels.has('zalo-bot') },
      ],
    });

  s.get('/admin/campaigns/new', { config: { permission: 'campaigns.compose' } }, async (req, reply) => {
    const form: Record<string, unknown> = { channels: [...ctx.channels.keys()].filter((c) => c !== 'web'), topics: [], regions: ctx.me(req).region ? [ctx.me(req).region] : [] };
    // A correction campaign started from a disinformation case: prefilled, linked when saved.
    const fromCase = caseForCorrection(ctx, req, (req.query as Record<string, unknown>)[CASE_FIELD]);
    return compose(req, reply, fromCase ? { ...form, ...correctionCampaignForm(ctx, req, fromCase), [CASE_FIELD]: fromCase.id } : form);
  });

  s.post('/admin/campaigns/preview', { config: { permission: 'campaigns.compose' } }, async (req, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(previewHtml(ctx, req, req.body)),
  );

  s.post('/admin/campaigns/new', { config: { permission: 'campaigns.compose' } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const f = composeSchema.parse(body);
    const svc = service(ctx);
    const user = ctx.me(req).username;
    let created: Campaign | undefined;
    try {
      const sendAt = readSendAt(f.sendAt, ctx.now());
      const channels = f.channels.map((c) => campaignChannelSchema.safeParse(c)).filter((r) => r.success).map((r) => r.data);
      created = svc.create(user, {
        title: f.title.trim() || undefined,
        text: f.text,
        imageUrl: f.imageUrl || undefined,
        links: parseLinks(f.links),
        channels,
        topics: f.topics,
        regions: f.regions,
        sendAt,
      });
      let msg = 'Đã lưu bản nháp.';
      if (f.action === 'submit') {
        svc.submit(user, created.id);
        msg = 'Đã lưu và gửi đi chờ phê duyệt.';
      }
      msg += linkFromCase(ctx, req, body[CASE_FIELD], { campaignId: created.id });
      return reply.redirect(`/admin/campaigns/${created.id}?msg=${encodeURIComponent(msg)}`, 303);
    } catch (err) {
      if (!(err instanceof CampaignError)) throw err;
      reply.code(400);
      // The service's messages are the CLI's too ("campaign: …"); staff get them without the prefix.
      let message = err.message.replace(/^campaign: /, '');
      // Saved, but not submitted (its text is over a limit): the form is now that draft's edit
      // form, so fixing it and submitting again does not leave a second copy behind (trial: a
      // refused submission saved draft #1, the corrected one became #2).
      if (created)
        return compose(req, reply, { ...f, [CASE_FIELD]: body[CASE_FIELD] }, `Đã lưu bản nháp #${created.id} nhưng chưa gửi phê duyệt được: ${message}`, getCampaign(ctx.db, created.id) ?? created);
      // No channel to tick because none is configured: say who can change that, and how.
      if (f.channels.length === 0 && !campaignChannelSchema.options.some((ch) => ctx.channels.has(ch)))
        message += ' Máy chủ này chưa cấu hình kênh nào gửi được chiến dịch: quản trị viên cần đặt khoá của Telegram hoặc Zalo trong tệp .env rồi khởi động lại dịch vụ (lệnh `loa doctor` cho biết còn thiếu gì). Bản nháp chưa được lưu.';
      return compose(req, reply, { ...f, channels: f.channels, topics: f.topics, regions: f.regions, [CASE_FIELD]: body[CASE_FIELD] }, message);
    }
  });

  const load = (req: FastifyRequest): Campaign => {
    const id = Number((req.params as { id: string }).id);
    const c = Number.isInteger(id) ? getCampaign(ctx.db, id) : undefined;
    if (!c || visible(ctx, req, [c]).length === 0) throw Object.assign(new Error('Không tìm thấy chiến dịch này.'), { statusCode: 404 });
    return c;
  };

  /** The compose form filled with a campaign, for its edit page. */
  const formOf = (c: Campaign): Record<string, unknown> => ({
    title: c.title ?? '',
    text: c.text,
    imageUrl: c.imageUrl ?? '',
    links: c.links.map((l) => `${l.label} | ${l.url}`).join('\n'),
    channels: c.channels,
    topics: c.topics,
    regions: c.regions,
    sendAt: c.sendAt ? formatVietnamTime(c.sendAt) : '',
  });

  s.get('/admin/campaigns/:id/edit', { config: { permission: 'campaigns.compose' } }, async (req, reply) => {
    const c = load(req);
    return compose(req, reply, formOf(c), undefined, c);
  });

  s.post('/admin/campaigns/:id/edit', { config: { permission: 'campaigns.compose' } }, async (req, reply) => {
    const c = load(req);
    const f = composeSchema.parse(req.body ?? {});
    const svc = service(ctx);
    const user = ctx.me(req).username;
    try {
      const sendAt = readSendAt(f.sendAt, ctx.now());
      const channels = f.channels.map((ch) => campaignChannelSchema.safeParse(ch)).filter((r) => r.success).map((r) => r.data);
      svc.edit(user, c.id, {
        title: f.title.trim(),
        text: f.text,
        imageUrl: f.imageUrl,
        links: parseLinks(f.links),
        channels,
        topics: f.topics,
        regions: f.regions,
        // An emptied time means "as soon as it is scheduled", as on the compose form.
        sendAt: sendAt ?? null,
      });
      let msg = c.status === 'draft' ? 'Đã lưu bản sửa.' : 'Đã lưu bản sửa; chiến dịch trở về bản nháp và phải được phê duyệt lại.';
      if (f.action === 'submit') {
        svc.submit(user, c.id);
        msg = c.status === 'draft' ? 'Đã lưu bản sửa và gửi đi chờ phê duyệt.' : 'Đã lưu bản sửa và gửi phê duyệt lại.';
      }
      return reply.redirect(`/admin/campaigns/${c.id}?msg=${encodeURIComponent(msg)}`, 303);
    } catch (err) {
      if (!(err instanceof CampaignError)) throw err;
      reply.code(400);
      return compose(req, reply, { ...f }, err.message.replace(/^campaign: /, ''), getCampaign(ctx.db, c.id) ?? c);
    }
  });

  /**
   * A campaign's page. `schedule` is the schedule form as it was posted when it was refused:
   * the message, and the time as typed, kept.
   */
  const show = (req: FastifyRequest, reply: FastifyReply, c: Campaign, schedule?: { error: string; sendAt: string }): Promise<FastifyReply> => {
    const svc = service(ctx);
    const now = ctx.now();
    const issues = svc.issues(c);
    const audience = ['draft', 'submitted', 'approved'].includes(c.status) ? svc.audience(c) : undefined;
    const content = campaignContentSchema.parse({ title: c.title ?? undefined, text: c.text, imageUrl: c.imageUrl ?? undefined, links: c.links });
    // Once sending started: the results per platform and commune, as `loa campaign report` gives them.
    const report = c.startedAt ? deliveryReport(ctx.db, c, ctx.knowledge.state.regions, ctx.scopeRegions(req)) : undefined;
    // Four eyes after a password reset (db/users.ts resetLinks): the page says so instead of
    // offering a button the service refuses.
    const link = c.status === 'submitted' ? resetLinks(ctx.db, ctx.me(req).username, [c.author], c.createdAt, now).conflict : undefined;
    return ctx.render(req, reply, 'campaign', {
      title: `Chiến dịch #${c.id}`,
      resetLink: link ? link.resets.map(resetSentence).join('; ') : undefined,
      report: report && report.total.total > 0 ? reportTable(report) : undefined,
      // Channels, topics and regions by the names staff read, not their slugs.
      described: describe(ctx, c),
      mayListPeople: mayListPeople(ctx, req),
      scoped: ctx.scopeRegions(req) !== null,
      c,
      p: progress(ctx, c),
      issues,
      audience,
      previews: c.channels.map((ch) => previewFor(content, ch, { html: true })),
      statusLabel: STATUS_LABEL,
      // Who cancelled it and when: a cancelled campaign never shows the time it would have gone out.
      cancelled: svc.cancellation(c),
      // Why it is not sending now (quiet hours, a retry wait, a channel not configured, paused by whom).
      waiting: waitingFor(ctx, c),
      history: listAuditFor(ctx, c.id).map((h) => ({ ...h, label: auditActionLabel(h.action), lines: auditDetailLines(pickDetails(h.details)) })),
      // Why a draft came back: the approver's reason, for its author.
      rejected: svc.lastRejection(c),
      editable: !c.startedAt && ['draft', 'submitted', 'approved', 'scheduled', 'paused'].includes(c.status),
      // The schedule form: the time set on the draft while it is ahead, day first, else empty.
      schedule: {
        sendAt: schedule ? schedule.sendAt : c.sendAt && new Date(c.sendAt).getTime() > now.getTime() ? formatVietnamTime(c.sendAt) : '',
        blank: scheduleBlank(c, now),
        example: sendAtExample(now),
        error: schedule?.error,
      },
    });
  };

  s.get('/admin/campaigns/:id', { config: { permission: 'campaigns.view' } }, async (req, reply) => show(req, reply, load(req)));

  // Downloads for staff, who have no command line: what `loa campaign report` and `loa campaign
  // export` give, as .xlsx (Excel opens it whatever Windows' regional settings), with Vietnamese
  // headers. A region-scoped user gets the people of their region only, as in the contest export.
  const xlsx = (reply: FastifyReply, name: string, body: Buffer): FastifyReply =>
    reply.type(XLSX_CONTENT_TYPE).header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store').send(body);

  s.get('/admin/campaigns/:id/report.xlsx', { config: { permission: 'campaigns.view' } }, async (req, reply) => {
    const c = load(req);
    return xlsx(reply, `chien-dich-${c.id}-ket-qua.xlsx`, await toXlsx(deliveryReportSheet(c, deliveryReport(ctx.db, c, ctx.knowledge.state.regions, ctx.scopeRegions(req)))));
  });

  // The list names people (their platform id and name): for those who run campaigns, audited.
  s.get('/admin/campaigns/:id/deliveries.xlsx', { config: { permission: 'campaigns.view' } }, async (req, reply) => {
    const c = load(req);
    if (!mayListPeople(ctx, req)) throw new Forbidden(LIST_REFUSAL);
    const scope = ctx.scopeRegions(req);
    const sheet = deliveryListSheet(ctx.db, c, ctx.knowledge.state.regions, scope);
    const region = ctx.me(req).region;
    ctx.audit(req, { action: 'campaign.export', targetType: 'campaign', targetId: c.id, details: { rows: sheet.rows.length - 1, format: 'xlsx', ...(scope && region ? { region } : {}) } });
    return xlsx(reply, `chien-dich-${c.id}-danh-sach-gui.xlsx`, await toXlsx(sheet));
  });

  // The reasons ride along, so a 429's wait appears and goes away without a reload.
  s.get('/admin/campaigns/:id/live.json', { config: { permission: 'campaigns.view' } }, async (req, reply) => {
    const c = load(req);
    return reply.header('cache-control', 'no-store').send({ ...progress(ctx, c), waitingText: waitingFor(ctx, c).join('\n') });
  });

  s.post('/admin/campaigns/:id/:action', { config: { permission: 'campaigns.view' } }, async (req, reply) => {
    const c = load(req);
    const name = (req.params as { action: string }).action;
    // Own keys only: `constructor` or `__proto__` would find Object's members and fail with a 500.
    const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
    if (!action) throw Object.assign(new Error('Thao tác không hợp lệ.'), { statusCode: 404 });
    assertCan(req, action.permission);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const now = ctx.now();
    let result: unknown;
    try {
      result = action.run(service(ctx), ctx.me(req).username, c, body, now);
    } catch (err) {
      if (!(err instanceof CampaignError)) throw err;
      const message = err.message.replace(/^campaign: /, '');
      // A send time that cannot be read: the page again, with the message and what was typed.
      if (err instanceof SendAtError) {
        reply.code(400);
        return show(req, reply, c, { error: message, sendAt: typeof body.sendAt === 'string' ? body.sendAt : '' });
      }
      throw Object.assign(new Error(message), { statusCode: 409 });
    }
    const done = typeof action.done === 'string' ? action.done : action.done(result as Campaign, now);
    return reply.redirect(`/admin/campaigns/${c.id}?msg=${encodeURIComponent(done)}`, 303);
  });
};

/** A campaign's channels, topics and regions as staff read them. */
function describe(ctx: AdminContext, c: Campaign): { channels: string; topics: string; regions: string } {
  const flat = flattenRegions(ctx.knowledge.state.regions);
  const topic = new Map(ctx.knowledge.state.topics.map((t) => [t.slug, t.name]));
  return {
    channels: c.channels.map(channelVi).join(', '),
    topics: c.topics.map((s) => topic.get(s) ?? s).join(', ') || 'tất cả',
    regions: c.regions.map((s) => flat.get(s)?.name ?? s).join(', ') || 'cả tỉnh',
  };
}

/** Who may download a campaign's delivery list (people's ids and names): those who compose or approve campaigns. */
function mayListPeople(ctx: AdminContext, req: FastifyRequest): boolean {
  const u = ctx.me(req);
  return can(u, 'campaigns.compose') || can(u, 'campaigns.approve');
}

const LIST_REFUSAL = 'Danh sách người nhận có mã và tên của từng người nên chỉ người soạn hoặc người duyệt chiến dịch được tải. Bạn vẫn tải được kết quả theo kênh và địa bàn.';

/** The report as the page's table: a column for each status that occurs, a line per channel and per commune under it. */
function reportTable(r: DeliveryReport): { head: string[]; rows: { cells: (string | number)[]; channel: boolean }[] } {
  const statuses = usedColumns(r);
  const rows: { cells: (string | number)[]; channel: boolean }[] = [];
  for (const ch of r.byChannel) {
    rows.push({ cells: [channelVi(ch.channel), ch.total, ...statuses.map((st) => ch.counts[st])], channel: true });
    for (const line of r.byRegion.filter((x) => x.channel === ch.channel)) rows.push({ cells: [line.regionName ?? '', line.total, ...statuses.map((st) => line.counts[st])], channel: false });
  }
  rows.push({ cells: ['Tất cả', r.total.total, ...statuses.map((st) => r.total.counts[st])], channel: true });
  return { head: ['Kênh / địa bàn', 'Tổng', ...statuses.map((st) => DELIVERY_STATUS_VI[st])], rows };
}

/** Why `c` is not sending now, as its page and live.json say it. */
function waitingFor(ctx: AdminContext, c: Campaign): string[] {
  return waitReasons(c, {
    now: ctx.now(),
    quietHours: ctx.config.bot.quiet_hours,
    configured: new Set(campaignChannelSchema.options.filter((ch) => ctx.channels.has(ch))),
    paused: c.status === 'paused' ? pausedBy(ctx.db, c.id) : undefined,
    retries: c.status === 'sending' ? retryWaits(ctx.db, c.id) : undefined,
    // A channel the service cannot send on now (a Zalo OA out of quota): its reason, as /healthz gives it.
    channelsDown:
      c.status === 'sending'
        ? Object.fromEntries(
            c.channels.flatMap((ch) => {
              const h = ctx.health.get(ch);
              return ctx.channels.has(ch) && h.state !== 'connected' ? [[ch, h.reason]] : [];
            }),
          )
        : undefined,
    waiting: c.status === 'sending' ? pendingByChannel(ctx.db, c.id) : undefined,
  });
}

/** The details worth a line in a campaign's history (not where a CLI action came from). */
function pickDetails(d: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!d) return null;
  const keep = ['reason', 'changed', 'approvalCleared', 'previousApprover', 'audience', 'targeted', 'sendAt', 'sent', 'gone', 'outsideWindow', 'optedOut', 'failed', 'cancelled', 'unknown', 'requeued'];
  // Counts of a finished campaign: the ones that happened (a row of zeros says nothing).
  const counts = new Set(['sent', 'gone', 'outsideWindow', 'optedOut', 'failed', 'cancelled', 'unknown']);
  return Object.fromEntries(
    Object.entries(d)
      .filter(([k, v]) => keep.includes(k) && !(counts.has(k) && v === 0 && k !== 'sent'))
      .map(([k, v]) => [k, k === 'sendAt' && v === null ? 'ngay khi lên lịch' : v]),
  );
}

function listAuditFor(ctx: AdminContext, id: number) {
  return listAudit(ctx.db, { targetType: 'campaign', targetId: String(id), limit: 30 });
}
