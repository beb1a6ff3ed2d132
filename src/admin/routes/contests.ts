/**
 * Contest pages on top of the quiz module: list, open/close (by editing the contest file's
 * `opens`/`closes`, which the quiz registry reloads), live participant count, leaderboard,
 * per-question statistics and the CSV export (`quiz/results.ts`: UTF-8 with BOM for Excel).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminContext, RegisterRoutes } from '../context.js';
import { contestSchema, isOpen, parseLocal, viTime, type Contest, type ContestRegistry } from '../../quiz/definition.js';
import { contestStats, leaderboard, leaderboardCsv, leaderboardTop, leaderboardXlsx } from '../../quiz/results.js';
import { XLSX_CONTENT_TYPE } from '../../text/xlsx.js';
import { visibleControls } from '../../text/controls.js';
import { attemptCounts } from '../../db/quiz.js';
import { formatVietnamTime, parseStaffDateTime } from '../../time/vietnam.js';

/** The contests as the admin pages read them (the registry reloads a file when it changes). */
function registry(ctx: AdminContext): ContestRegistry {
  return ctx.contests;
}

/**
 * "23/11/2026 08:05" in Vietnam time: day first, as organisers write the contest files and as
 * docs/quizzes.md shows them, so a file written by hand does not come back in two formats.
 */
function localStamp(d: Date): string {
  return formatVietnamTime(d, 'dd/MM/yyyy HH:mm');
}

/** How long a contest opened from its page stays open when no closing time is given, nor one ahead in its file. */
const OPEN_DAYS = 7;

/** What an empty "Đóng lúc" does when the contest is opened now: its file's closing time while ahead, else a week. */
function closesBlank(c: Contest, now: Date): string {
  return c.closes.getTime() > now.getTime() ? `đóng theo giờ trong tệp (${viTime(c.closes)})` : `mở ${OPEN_DAYS} ngày, đến ${viTime(new Date(now.getTime() + OPEN_DAYS * 86_400_000))}`;
}

/**
 * The closing time typed in "Đóng lúc": read as the contest file reads it (`parseLocal`, on
 * time/vietnam.ts `parseStaffDate`: day first, Vietnam time; a bare date closes at the end of
 * that day), so what the page writes into the file reads back as typed. The field was
 * `<input type="datetime-local">`, typed in the browser's language's order: on a Chrome in
 * English 07/12/2026 became 12 July. A time not after now is refused, since the contest opens
 * now. Undefined when left empty; a Vietnamese message naming the field when refused.
 */
function readCloses(typed: string, c: Contest, now: Date): { at?: Date; error?: string } {
  if (!typed.trim()) return {};
  const at = parseLocal(typed, 'end');
  if (!at) {
    // Why, in the words of the reader underneath (parseLocal only says no).
    const howToWrite = `hãy viết ngày/tháng/năm giờ:phút theo 24 giờ, giờ Việt Nam, ví dụ ${localStamp(new Date(now.getTime() + OPEN_DAYS * 86_400_000))} (chỉ ghi ngày thì đóng cuối ngày đó)`;
    const why = parseStaffDateTime(typed, howToWrite);
    return { error: `Đóng lúc: ${why.ok ? `'${typed.trim()}' không đọc được; ${howToWrite}` : why.error}. Để trống thì ${closesBlank(c, now)}.` };
  }
  if (at.getTime() <= now.getTime())
    return { error: `Đóng lúc: ${viTime(at)} đã qua (bây giờ là ${viTime(now)}, giờ Việt Nam), mà cuộc thi mở từ bây giờ: hãy nhập một thời điểm sau bây giờ. Để trống thì ${closesBlank(c, now)}.` };
  return { at };
}

/** Live figures of a contest, counting only the people of the request's region scope. */
export function contestFigures(ctx: AdminContext, req: FastifyRequest, c: Contest) {
  const counts = attemptCounts(ctx.db, c.id, ctx.scopeRegions(req));
  const open = isOpen(c, ctx.now());
  // Registering or answering: under way while the contest is open; after it closed, abandoned
  // (never ranked; a web participant who left is only told at their next message). Someone
  // giving their prediction has answered everything: finished, not also "under way" (the page
  // counted them twice, and counted a closed contest's leftovers as "đang làm").
  const unfinished = counts.registering + counts.answering;
  return {
    id: c.id,
    open,
    started: Object.values(counts).reduce((a, b) => a + b, 0),
    inProgress: open ? unfinished : 0,
    abandoned: open ? 0 : unfinished,
    finished: counts.done + counts.predicting,
  };
}

/** Contests open now, for the dashboard. */
export function openContests(ctx: AdminContext): { id: string; title: string }[] {
  return registry(ctx)
    .all()
    .filter((c) => isOpen(c, ctx.now()))
    .map((c) => ({ id: c.id, title: c.title }));
}

function load(ctx: AdminContext, req: FastifyRequest): Contest {
  const c = registry(ctx).get((req.params as { id: string }).id);
  if (!c) throw Object.assign(new Error('Không tìm thấy cuộc thi này.'), { statusCode: 404 });
  return c;
}

/** Sets `opens`/`closes` in the contest file (comments and layout kept), validated first. */
function setWindow(ctx: AdminContext, c: Contest, fields: { opens?: string; closes?: string }): void {
  const path = join(ctx.config.contentDir, c.file);
  const doc = parseDocument(readFileSync(path, 'utf8'));
  if (fields.opens) doc.set('opens', fields.opens);
  if (fields.closes) doc.set('closes', fields.closes);
  const check = contestSchema.safeParse(doc.toJS());
  if (!check.success) throw Object.assign(new Error(`Tệp cuộc thi không hợp lệ: ${check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`), { statusCode: 400 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, doc.toString({ lineWidth: 0 }));
  renameSync(tmp, path);
}

export const registerContestRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/contests', { config: { permission: 'contests.view' } }, async (req, reply) => {
    const rows = registry(ctx)
      .all()
      .map((c) => ({ c, f: contestFigures(ctx, req, c), opens: viTime(c.opens), closes: viTime(c.closes) }));
    return ctx.render(req, reply, 'contests', { title: 'Cuộc thi', rows, errors: registry(ctx).errors() });
  });

  /** A contest's page; `open` is the open form as it was posted when it was refused. */
  const show = (req: FastifyRequest, reply: FastifyReply, c: Contest, open?: { error: string; closes: string }): Promise<FastifyReply> => {
    const now = ctx.now();
    // Region-scoped staff see their region's people only: figures, board and statistics.
    const scope = ctx.scopeRegions(req);
    // The top 100, ranked in SQL: a year's contest has thousands of finished attempts.
    const board = leaderboardTop(ctx.db, c.id, 100, scope);
    return ctx.render(req, reply, 'contest', {
      title: c.title,
      c,
      f: contestFigures(ctx, req, c),
      opens: viTime(c.opens),
      closes: viTime(c.closes),
      board: { participants: board.participants, finished: board.finished ?? board.participants, entries: board.entries },
      stats: contestStats(ctx.db, c, scope),
      // The bot's own address once Telegram said who it is (admin "Mời người dân": reach.ts).
      telegramLink: ctx.channels.get('telegram')?.publicLink?.(),
      open: { closes: open?.closes ?? '', error: open?.error, blank: closesBlank(c, now), example: localStamp(new Date(now.getTime() + OPEN_DAYS * 86_400_000)) },
    });
  };

  s.get('/admin/contests/:id', { config: { permission: 'contests.view' } }, async (req, reply) => show(req, reply, load(ctx, req)));

  s.get('/admin/contests/:id/live.json', { config: { permission: 'contests.view' } }, async (req, reply) =>
    reply.header('cache-control', 'no-store').send(contestFigures(ctx, req, load(ctx, req))),
  );

  // The results for prizes: .xlsx for Excel (what organisers open), CSV for other programs.
  for (const format of ['csv', 'xlsx'] as const)
    s.get(`/admin/contests/:id/export.${format}`, { config: { permission: 'contests.export' } }, async (req, reply) => {
      const c = load(ctx, req);
      const scope = ctx.scopeRegions(req);
      const ranked = leaderboard(ctx.db, c.id, scope);
      // Names and units are what contestants typed: a right-to-left override in one made the
      // spreadsheet show it reversed (read as another contestant's name), as the board page
      // never does. The same visible markers as on the page.
      const shown = (v: string | null): string | null => (v === null ? null : visibleControls(v));
      const board = { ...ranked, entries: ranked.entries.map((e) => ({ ...e, name: shown(e.name), unit: shown(e.unit) })) };
      const region = ctx.me(req).region;
      ctx.audit(req, { action: 'contest.export', targetType: 'contest', targetId: c.id, details: { format, rows: board.entries.length, ...(scope && region ? { region } : {}) } });
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_CONTENT_TYPE)
        .header('content-disposition', `attachment; filename="ket-qua-${c.id}.${format}"`)
        .header('cache-control', 'no-store')
        .send(format === 'csv' ? leaderboardCsv(board) : await leaderboardXlsx(board));
    });

  s.post('/admin/contests/:id/open', { config: { permission: 'contests.manage' } }, async (req, reply) => {
    const c = load(ctx, req);
    const now = ctx.now();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = typeof body.closes === 'string' ? body.closes : '';
    const read = readCloses(typed, c, now);
    if (read.error) {
      reply.code(400);
      return show(req, reply, c, { error: read.error, closes: typed });
    }
    // Written day first, as organisers write the file; an open page from before the field was
    // text sends the browser's "2030-01-01T08:00", read the same way.
    const closes = read.at ? localStamp(read.at) : c.closes.getTime() > now.getTime() ? undefined : localStamp(new Date(now.getTime() + OPEN_DAYS * 86_400_000));
    setWindow(ctx, c, { opens: localStamp(now), closes });
    ctx.audit(req, { action: 'contest.open', targetType: 'contest', targetId: c.id, details: { opens: localStamp(now), closes: closes ?? viTime(c.closes) } });
    return reply.redirect(`/admin/contests/${c.id}?msg=${encodeURIComponent('Đã mở cuộc thi.')}`, 303);
  });

  s.post('/admin/contests/:id/close', { config: { permission: 'contests.manage' } }, async (req, reply) => {
    const c = load(ctx, req);
    const now = ctx.now();
    // `opens` must stay before `closes`: a contest that had not opened yet opens and closes now.
    const opens = c.opens.getTime() >= now.getTime() ? localStamp(new Date(now.getTime() - 60_000)) : undefined;
    setWindow(ctx, c, { opens, closes: localStamp(now) });
    ctx.audit(req, { action: 'contest.close', targetType: 'contest', targetId: c.id, details: { closes: localStamp(now) } });
    return reply.redirect(`/admin/contests/${c.id}?msg=${encodeURIComponent('Đã đóng cuộc thi.')}`, 303);
  });
};
