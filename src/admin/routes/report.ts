/** The yearly report page, its CSV and its printable page. */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { AdminContext, RegisterRoutes } from '../context.js';
import { buildYearReport, reportCsv, reportHtml, reportViewHelpers, type YearReport } from '../report.js';
import { loadContests } from '../../quiz/definition.js';
import { loadTraining } from '../../training/definition.js';
import { formatVietnamTime } from '../../time/vietnam.js';

/** The report for the requested year (default: the current year in Vietnam time). */
function report(ctx: AdminContext, req: FastifyRequest): YearReport {
  const now = ctx.now();
  const thisYear = Number(formatVietnamTime(now, 'yyyy'));
  const { year } = z.object({ year: z.coerce.number().int().min(2000).max(2100).default(thisYear) }).parse(req.query);
  return buildYearReport(
    ctx.db,
    year,
    {
      office: ctx.config.bot.staff_contact?.name ?? ctx.config.bot.name,
      topics: ctx.knowledge.state.topics,
      contests: loadContests(ctx.config.contentDir).contests,
      trainingGroups: loadTraining(ctx.config.contentDir).groups,
    },
    now,
    scopeOf(ctx, req),
  );
}

/** The region subtree a region-scoped staff member's report counts (undefined: every region). */
function scopeOf(ctx: AdminContext, req: FastifyRequest): { regions: string[]; name: string } | undefined {
  const regions = ctx.scopeRegions(req);
  if (!regions) return undefined;
  const region = ctx.me(req).region!;
  return { regions, name: ctx.knowledge.regionInfo(region)?.name ?? region };
}

export const registerReportRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/report', { config: { permission: 'report.view' } }, async (req, reply) => {
    const r = report(ctx, req);
    return ctx.render(req, reply, 'report', { title: `Báo cáo năm ${r.year}`, r, ...reportViewHelpers(r) });
  });
  s.get('/admin/report.csv', { config: { permission: 'report.view' } }, async (req, reply) => {
    const r = report(ctx, req);
    ctx.audit(req, { action: 'report.export', targetType: 'report', targetId: String(r.year), details: { format: 'csv', ...(r.region ? { region: r.region } : {}) } });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="bao-cao-${r.year}.csv"`)
      .header('cache-control', 'no-store')
      .send(reportCsv(r));
  });
  s.get('/admin/report/print', { config: { permission: 'report.view' } }, async (req, reply) => {
    const r = report(ctx, req);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(reportHtml(r));
  });
};
