/** The dashboard: subscribers by channel and region, questions over 7 and 30 days, work waiting. */
import type { AdminContext, RegisterRoutes } from '../context.js';
import { countQueue, questionCounts, subscriberCounts } from '../../db/admin.js';
import { PERSON_QUEUE_CAP, SOURCE_QUEUE_CAP, turnedAwayLately } from '../../db/questions.js';
import { dashboardExtras } from './campaigns.js';
import { registerReachRoutes } from './reach.js';
import { openContests } from './contests.js';
import { countWaitingForApproval } from './content.js';
import type { FastifyRequest } from 'fastify';
import type { DecisionModel } from '../../knowledge/decision.js';
import { formatDecimal, formatNumber } from '../format.js';
import { CHANNEL_LABELS, STATE_LABELS, contentAdvice, healthReport } from '../../http/health.js';

/** A channel as staff name it ('Zalo OA', not 'zalo'); an unknown id as it is. */
const channelLabel = (channel: string): string => CHANNEL_LABELS[channel as keyof typeof CHANNEL_LABELS] ?? channel;

/** The dashboard figures for a user (their region scope applied). */
export function dashboardFigures(ctx: AdminContext, req: FastifyRequest) {
  const scope = ctx.scopeRegions(req);
  const inScope = (r: string | null): boolean => !scope || (r !== null && scope.includes(r));
  const subs = subscriberCounts(ctx.db).filter((s) => inScope(s.region));
  const byChannel = new Map<string, number>();
  const byRegion = new Map<string, number>();
  for (const s of subs) {
    byChannel.set(s.channel, (byChannel.get(s.channel) ?? 0) + s.n);
    const key = s.region ?? '';
    byRegion.set(key, (byRegion.get(key) ?? 0) + s.n);
  }
  const now = ctx.now().getTime();
  const period = (days: number) => {
    const rows = questionCounts(ctx.db, new Date(now - days * 86_400_000), scope);
    const asked = rows.reduce((a, r) => a + r.asked, 0);
    const answered = rows.reduce((a, r) => a + r.answered, 0);
    return { days, asked, answered, unanswered: asked - answered, rows: rows.map((r) => ({ ...r, label: channelLabel(r.channel) })) };
  };
  const queue = countQueue(ctx.db, { scope });
  return {
    subscribers: subs.reduce((a, s) => a + s.n, 0),
    byChannel: [...byChannel.entries()].map(([channel, n]) => ({ channel, label: channelLabel(channel), n })),
    byRegion: [...byRegion.entries()]
      .map(([region, n]) => ({ region, name: region ? ctx.knowledge.regionInfo(region)?.name ?? region : 'Chưa chọn địa bàn', n }))
      .sort((a, b) => b.n - a.n),
    periods: [period(7), period(30)],
    queue: queue.unanswered + queue.maybe_wrong,
    // Not kept by region (the counts hold no person): shown to province-wide accounts.
    turnedAway: scope ? undefined : { ...turnedAwayLately(ctx.db, ctx.now()), personCap: PERSON_QUEUE_CAP, sourceCap: SOURCE_QUEUE_CAP },
  };
}

export const registerDashboardRoutes: RegisterRoutes = (s, ctx) => {
  registerReachRoutes(s, ctx);
  s.get('/admin', { config: { permission: 'dashboard.view' } }, async (req, reply) => {
    return ctx.render(req, reply, 'dashboard', {
      title: 'Tổng quan',
      d: dashboardFigures(ctx, req),
      campaigns: dashboardExtras(ctx, req),
      contests: openContests(ctx),
      health: channelHealth(ctx),
      contentWaiting: countWaitingForApproval(ctx),
      decision: decisionSummary(ctx.knowledge.decisionModel),
    });
  });
};

/** The channels' connection states and the content errors, as `/healthz` reports them, in words staff read. */
export function channelHealth(ctx: AdminContext) {
  const report = healthReport({ health: ctx.health, knowledge: ctx.knowledge });
  return {
    ok: report.ok,
    channels: Object.entries(report.channels)
      .filter(([, s]) => s.state !== 'off')
      .map(([name, s]) => ({ name, label: CHANNEL_LABELS[name as keyof typeof CHANNEL_LABELS], state: s.state, stateLabel: STATE_LABELS[s.state], since: s.since, reason: s.state === 'connected' ? undefined : s.reason })),
    contentErrors: report.content.errors,
    /** What to do about them, true to what is served meanwhile (health.ts contentAdvice). */
    contentAdvice: contentAdvice(new Set(report.content.errors.map((e) => e.file)).size, report.content.lastGoodMissing),
  };
}


/**
 * How the bot decides to answer, in sentences staff read: the threshold fitted to the content
 * being served, what it was fitted on, and the calibration's warnings (content too thin to
 * calibrate, too few out-of-scope questions). These went to the log only: an office that
 * replaced the sample content with ten entries never learnt that the bot was answering on the
 * default threshold.
 */
export function decisionSummary(m: DecisionModel): { lines: string[]; warnings: string[] } {
  const i = m.info;
  const lines: string[] = [];
  const thresholds = `ngưỡng tin cậy ${formatDecimal(m.threshold, 2)}${m.longThreshold !== undefined ? ` (câu hỏi dài: ${formatDecimal(m.longThreshold, 2)})` : ''}`;
  if (i.source === 'fitted') {
    lines.push(`Bot chỉ trả lời khi đủ tin cậy: ${thresholds}, hiệu chỉnh theo chính nội dung đang phục vụ, từ ${formatNumber(i.positives)} câu hỏi luyện tập tạo từ nội dung và ${formatNumber(i.negatives)} câu hỏi ngoài phạm vi.`);
    if (i.estimated !== false)
      lines.push(`Ước tính trên bộ thử: ${Math.round(i.estNoAnswerRecall * 100)}% câu hỏi ngoài phạm vi được trả lời "chưa có câu trả lời".`);
  } else {
    lines.push(`Bot đang dùng ${thresholds} mặc định, chưa hiệu chỉnh theo nội dung của cơ quan (lý do bên dưới).`);
  }
  lines.push('Câu hỏi bot chưa trả lời được vào hàng đợi "Câu hỏi chưa trả lời": gắn chúng vào câu trả lời có sẵn làm cách hỏi khác thì lần sau bot trả lời được.');
  return { lines, warnings: i.warnings };
}
