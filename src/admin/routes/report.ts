/**
 * The yearly report page and its downloads: the Excel workbook (what staff open), the CSV (for
 * other programs) and the printable page. Each takes the same query: `?year=2026` for a
 * calendar year, or `?from=01/12/2025&to=30/11/2026` for another reporting period (the rules are
 * `chooseReportPeriod`'s, shared with `loa report`).
 */
import { z } from 'zod';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminContext, RegisterRoutes } from '../context.js';
import {
  buildYearReport,
  chooseReportPeriod,
  periodDays,
  periodText,
  reportCsv,
  reportFileName,
  reportHtml,
  reportViewHelpers,
  reportXlsx,
  regionChoices,
  regionReportScope,
  type ReportInputNames,
  type ReportScope,
  type YearReport,
} from '../report.js';
import { compareWithFiled, fileReport, filingsOf, getFiling, type Filing } from '../report-filings.js';
import { formatDateTime } from '../format.js';
import { loadContests } from '../../quiz/definition.js';
import { loadTraining } from '../../training/definition.js';
import { formatVietnamTime, vietnamYear } from '../../time/vietnam.js';
import { XLSX_CONTENT_TYPE } from '../../text/xlsx.js';

/** The form's fields as messages name them. */
const FORM_NAMES: ReportInputNames = { year: 'ô “Năm”', from: 'ô “Từ ngày”', to: 'ô “Đến ngày”', yearExample: (y) => `ô “Năm”: ${y}` };

/** A region slug as typed in the query (`?region=son-nam`); longer than any slug: not one. */
const regionTyped = z.string().max(100).optional().catch(undefined);

/**
 * One field of the report's query as typed (kept to fill the form again; cut at 40 characters,
 * which no date or year needs). Not a string (absent, or given twice): not given.
 */
const typed = z.string().transform((s) => s.slice(0, 40)).optional().catch(undefined);
/** The report's query: a year, or a period's first and last day; judged by chooseReportPeriod. */
const reportQuery = z.object({ year: typed, from: typed, to: typed, region: regionTyped });
type ReportQuery = z.infer<typeof reportQuery>;

function queryOf(req: FastifyRequest): ReportQuery {
  return reportQuery.parse(req.query ?? {});
}

/**
 * The report the query asks for (default: the current year in Vietnam time), or the reason it
 * cannot be made, in Vietnamese.
 */
function report(ctx: AdminContext, req: FastifyRequest, q: ReportQuery = queryOf(req)): { ok: true; r: YearReport } | { ok: false; error: string } {
  const now = ctx.now();
  const choice = chooseReportPeriod({ year: q.year, from: q.from, to: q.to }, now, FORM_NAMES, vietnamYear(now));
  if (!choice.ok) return { ok: false, error: `Chưa lập được báo cáo: ${choice.error}` };
  const scope = scopeOf(ctx, req, q.region);
  if (!scope.ok) return { ok: false, error: `Chưa lập được báo cáo: ${scope.error}` };
  const r = buildYearReport(
    ctx.db,
    choice.year,
    {
      office: ctx.config.bot.staff_contact?.name ?? ctx.config.bot.name,
      topics: ctx.knowledge.state.topics,
      contests: loadContests(ctx.config.contentDir).contests,
      trainingGroups: loadTraining(ctx.config.contentDir).groups,
    },
    now,
    scope.scope,
    choice.period,
  );
  return { ok: true, r };
}

/** The report for a download, or a 400 with the reason (the error page shows it). */
function reportOrRefuse(ctx: AdminContext, req: FastifyRequest): YearReport {
  const made = report(ctx, req);
  if (!made.ok) throw Object.assign(new Error(`${made.error} Sửa lại trên trang Báo cáo năm.`), { statusCode: 400 });
  return made.r;
}

/** The query that makes the same report again: `year=2026`, or the period's first and last day. */
function sameReport(r: YearReport, q: ReportQuery): string {
  const region = q.region && r.regionSlug ? `&region=${encodeURIComponent(r.regionSlug)}` : '';
  if (!q.from && !q.to) return `year=${r.year}${region}`;
  const { first, last } = periodDays(r);
  return `from=${encodeURIComponent(first)}&to=${encodeURIComponent(last)}${region}`;
}

/**
 * The region the report counts: the one chosen (`?region=`: province staff compare communes,
 * one report each, as each commune's own account makes it; a district account one of its
 * communes), else a region-scoped staff member's own region subtree, else every region
 * (undefined). A region not in the regions file, or outside the account's scope, is refused.
 */
function scopeOf(ctx: AdminContext, req: FastifyRequest, chosen: string | undefined): { ok: true; scope: ReportScope | undefined } | { ok: false; error: string } {
  if (chosen) {
    const scope = regionReportScope(ctx.knowledge.state.regions, chosen);
    if (!scope) return { ok: false, error: `không có địa bàn “${chosen}” trong danh sách xã/phường (content/regions.yaml). Chọn địa bàn trong ô “Địa bàn”.` };
    if (!ctx.inScope(req, chosen)) return { ok: false, error: `địa bàn ${scope.name} không thuộc phạm vi tài khoản của bạn. Chọn địa bàn trong ô “Địa bàn”.` };
    return { ok: true, scope };
  }
  const regions = ctx.scopeRegions(req);
  if (!regions) return { ok: true, scope: undefined };
  const region = ctx.me(req).region!;
  return { ok: true, scope: { regions, name: ctx.knowledge.regionInfo(region)?.name ?? region, slug: region } };
}

/** A filing the account may see (its region in the account's scope; the province's: province staff), or a 404. */
async function filedOrRefuse(ctx: AdminContext, req: FastifyRequest): Promise<Filing> {
  const id = Number((req.params as { id?: string }).id);
  const f = Number.isSafeInteger(id) && id > 0 ? await getFiling(ctx.db, id) : undefined;
  const visible = f && (f.regionSlug === null ? ctx.scopeRegions(req) === null : ctx.inScope(req, f.regionSlug));
  if (!f || !visible) throw Object.assign(new Error('Không có báo cáo đã chốt này trong phạm vi tài khoản của bạn. Xem mục “Báo cáo đã chốt” trên trang Báo cáo năm.'), { statusCode: 404 });
  return f;
}

/**
 * What the page shows of the filings: this report's (same period and region), the newest
 * compared with the figures now; and for province staff on the whole province's report, every
 * region's filings of the period (which communes filed, and when).
 */
async function filingsView(ctx: AdminContext, req: FastifyRequest, r: YearReport): Promise<Record<string, unknown>> {
  const period = { from: r.from, to: r.to };
  const mine = filingsOf(ctx.db, period, { regionSlug: r.regionSlug ?? null });
  const latest = mine[0] ? await getFiling(ctx.db, mine[0].id) : undefined;
  const differences = latest ? compareWithFiled(latest.rows, r) : [];
  const others = !r.regionSlug ? filingsOf(ctx.db, period, { regions: ctx.scopeRegions(req) }).filter((f) => f.regionSlug !== null) : [];
  return { filings: mine, differences, regionFilings: others, filedStillRunning: latest ? Date.parse(latest.report.generatedAt) < Date.parse(r.to) : false };
}

/** The regions the account may choose a report of (its own scope's), for the “Địa bàn” list. */
function regionOptions(ctx: AdminContext, req: FastifyRequest): { slug: string; name: string; depth: number }[] {
  return regionChoices(ctx.knowledge.state.regions).filter((r) => ctx.inScope(req, r.slug));
}

/** Sends a report download as an attachment, after writing the export to the audit log. */
function download(ctx: AdminContext, req: FastifyRequest, reply: FastifyReply, r: YearReport, format: 'csv' | 'xlsx', body: string | Buffer, filing?: number): FastifyReply {
  const q = queryOf(req);
  const period = q.from || q.to || filing ? { period: periodText(r) } : {};
  ctx.audit(req, {
    action: 'report.export',
    targetType: 'report',
    targetId: String(r.year),
    details: { format, ...period, ...(r.region ? { region: r.region } : {}), ...(filing ? { filing } : {}) },
  });
  // A filed report's file says it is the filed one and when it was filed.
  const name = filing ? `${reportFileName(r)}-da-chot-${formatVietnamTime(new Date(r.generatedAt), 'dd-MM-yyyy')}` : reportFileName(r);
  return reply
    .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_CONTENT_TYPE)
    .header('content-disposition', `attachment; filename="${name}.${format}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

export const registerReportRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/report', { config: { permission: 'report.view' } }, async (req, reply) => {
    const q = queryOf(req);
    const thisYear = vietnamYear(ctx.now());
    const form = { year: q.year ?? String(thisYear), from: q.from ?? '', to: q.to ?? '', region: q.region ?? '', thisYear, regions: regionOptions(ctx, req), scoped: ctx.scopeRegions(req) !== null };
    const made = report(ctx, req);
    if (!made.ok) return ctx.render(req, reply.code(400), 'report', { title: 'Báo cáo năm', form, error: made.error });
    const r = made.r;
    const isPeriod = Boolean(q.from || q.to);
    const filings = await filingsView(ctx, req, r);
    return ctx.render(req, reply, 'report', {
      title: isPeriod ? `Báo cáo năm ${r.year} (kỳ ${periodText(r)})` : `Báo cáo năm ${r.year}`,
      r,
      form: isPeriod ? { ...form, year: String(r.year), from: periodDays(r).first, to: periodDays(r).last } : form,
      period: isPeriod ? periodText(r) : '',
      query: sameReport(r, q),
      ...filings,
      ...reportViewHelpers(r),
    });
  });
  // Filing ("chốt số liệu"): the report as it stands now is kept whole (admin/report-filings.ts).
  s.post('/admin/report/file', { config: { permission: 'report.file' } }, async (req, reply) => {
    const q = reportQuery.parse(req.body ?? {});
    const made = report(ctx, req, q);
    if (!made.ok) throw Object.assign(new Error(`${made.error} Sửa lại trên trang Báo cáo năm.`), { statusCode: 400 });
    const r = made.r;
    const id = await fileReport(ctx.db, r, ctx.me(req).username, ctx.now());
    ctx.audit(req, {
      action: 'report.file',
      targetType: 'report',
      targetId: String(r.year),
      details: { filing: id, period: periodText(r), ...(r.region ? { region: r.region } : {}) },
    });
    const done = `Đã chốt số liệu báo cáo ${periodText(r)}${r.region ? `, địa bàn ${r.region}` : ''} lúc ${formatDateTime(ctx.now().toISOString())}. Bản đã chốt tải lại được ở mục “Báo cáo đã chốt” dưới đây.`;
    return reply.redirect(`/admin/report?${sameReport(r, q)}&msg=${encodeURIComponent(done)}`, 303);
  });
  s.get('/admin/report/filed/:id/report.xlsx', { config: { permission: 'report.view' } }, async (req, reply) => {
    const f = await filedOrRefuse(ctx, req);
    return download(ctx, req, reply, f.report, 'xlsx', f.files.xlsx, f.id);
  });
  s.get('/admin/report/filed/:id/report.csv', { config: { permission: 'report.view' } }, async (req, reply) => {
    const f = await filedOrRefuse(ctx, req);
    return download(ctx, req, reply, f.report, 'csv', f.files.csv, f.id);
  });
  s.get('/admin/report/filed/:id/print', { config: { permission: 'report.view' } }, async (req, reply) => {
    const html = (await filedOrRefuse(ctx, req)).files.html;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', printPolicy(html)).send(html);
  });
  s.get('/admin/report.csv', { config: { permission: 'report.view' } }, async (req, reply) => {
    const r = reportOrRefuse(ctx, req);
    return download(ctx, req, reply, r, 'csv', reportCsv(r));
  });
  s.get('/admin/report.xlsx', { config: { permission: 'report.view' } }, async (req, reply) => {
    const r = reportOrRefuse(ctx, req);
    return download(ctx, req, reply, r, 'xlsx', await reportXlsx(r));
  });
  s.get('/admin/report/print', { config: { permission: 'report.view' } }, async (req, reply) => {
    const r = reportOrRefuse(ctx, req);
    const html = reportHtml(r);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', printPolicy(html)).send(html);
  });
};

/**
 * The printable report's policy: its one inline stylesheet (kept inline so that the file `loa
 * report` writes prints the same when opened from disk) allowed by its hash, nothing else. Under
 * the admin's policy (style-src 'self') the browser dropped it and the report printed without
 * its table borders, centred title or A4 margins.
 */
function printPolicy(html: string): string {
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
  return `default-src 'none'; style-src ${styles.join(' ') || "'none'"}; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'`;
}
