/**
 * The unanswered-questions queue: grouped by similarity, "answer this", dismiss.
 *
 * The queue is filtered in SQL (`db/admin.ts`), never cut at the newest few hundred: a flood of
 * junk questions must not push real ones out of sight. Staff narrow it by kind, channel, the
 * asker's region (a region and everything under it, inside their own region scope) and the day
 * it was asked (Vietnam time); every page link keeps the filters. Similar questions are grouped
 * across the whole filtered queue (up to {@link MAX_GROUPED} newest), the largest groups first,
 * and the page shows {@link GROUPS_PER_PAGE} groups. They were grouped within a page of 200
 * questions: at 5,000 open questions the same question made a group on each of 26 pages, and the
 * 443 people who asked for a building permit were never seen together.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { AdminContext, RegisterRoutes } from '../context.js';
import { countQueue, listQueuePage, openQueueQuestions, type QueueFilter } from '../../db/admin.js';
import { QUEUE_KIND_LABELS, queueItemDetails, resolveUnanswered, type QueueKind } from '../../db/questions.js';
import { CHANNEL_NAMES, type ChannelName } from '../../messages.js';
import { flattenRegions, parseContentDate } from '../../knowledge/content.js';
import { parseVietnamTime } from '../../time/vietnam.js';
import { groupSimilar } from '../cluster.js';
import { createHash } from 'node:crypto';
import type { QueueQuestion } from '../../db/admin.js';

const idsSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((x) => Number(x)).filter((n) => Number.isInteger(n) && n > 0));

/** Groups per page: the largest first, so the first page is the most of the work. */
export const GROUPS_PER_PAGE = 50;

/** Open questions of one kind grouped at most (the newest); older ones are reached by date. */
export const MAX_GROUPED = 20_000;

/**
 * Question ids a group's links carry ("Trả lời câu này", "Gắn vào…": GET, so in the URL, which
 * Node caps at 16 KB of headers); the dismiss form posts them all.
 */
export const LINK_IDS_MAX = 1_000;

/**
 * The last groupings, by filter and kind, with a digest of what was grouped (ids and texts in
 * order): paging through the queue, or coming back to it, regroups only when the queue changed.
 */
const groupingCache = new Map<string, { digest: string; groups: number[][] }>();

/** The open questions grouped by similarity, largest groups first (ids; see the cache above). */
function groupedIds(key: string, items: readonly QueueQuestion[]): number[][] {
  const h = createHash('sha256');
  for (const x of items) h.update(`${x.id}\u0000${x.question}\u0001`);
  const digest = h.digest('base64');
  const hit = groupingCache.get(key);
  if (hit && hit.digest === digest) return hit.groups;
  const groups = groupSimilar(items, (x) => x.question).map((g) => g.items.map((x) => x.id));
  groupingCache.delete(key);
  groupingCache.set(key, { digest, groups });
  if (groupingCache.size > 20) groupingCache.delete(groupingCache.keys().next().value as string);
  return groups;
}

/** The queue filter in the URL (`?loai=co-the-sai`): all, unanswered only, or maybe-wrong answers only. */
const KIND_FILTERS: Record<string, QueueKind> = { 'chua-tra-loi': 'unanswered', 'co-the-sai': 'maybe_wrong' };

/** What staff call each channel. */
export const CHANNEL_LABELS: Record<ChannelName, string> = { telegram: 'Telegram', zalo: 'Zalo', 'zalo-bot': 'Zalo Bot', web: 'Web chat' };

/**
 * A day typed in the filter: day first as staff write it (07/12/2026) or YYYY-MM-DD, kept as
 * YYYY-MM-DD. The fields were `<input type="date">`, typed in the browser's language's order:
 * 07/12/2026 on a Chrome in English filtered from 12 July.
 */
const day = z
  .string()
  .transform((s) => parseContentDate(s) ?? '')
  .refine((d) => d !== '' && parseVietnamTime(d) !== undefined);

/**
 * The page's query string. A value that cannot be read is dropped (the queue shows more, never
 * an error page), so an old or hand-edited link still opens.
 */
const queueQuery = z.object({
  loai: z.string().max(20).catch(''),
  kenh: z.enum(CHANNEL_NAMES as [ChannelName, ...ChannelName[]]).optional().catch(undefined),
  diaban: z.string().max(60).regex(/^[a-z0-9-]*$/).catch(''),
  tu: day.optional().catch(undefined),
  den: day.optional().catch(undefined),
  trang: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});
type QueueQuery = z.infer<typeof queueQuery>;

/** A date typed by staff (YYYY-MM-DD, Vietnam time) as the instant its day starts, `plusDays` later. */
function dayStart(d: string, plusDays = 0): string | undefined {
  const start = parseVietnamTime(d);
  return start && new Date(start.getTime() + plusDays * 86_400_000).toISOString();
}

/** The link to the queue with these filters (empty ones left out, page 1 left out). */
export function queueUrl(q: Partial<QueueQuery>): string {
  const p = new URLSearchParams();
  for (const k of ['loai', 'kenh', 'diaban', 'tu', 'den'] as const) if (q[k]) p.set(k, String(q[k]));
  if (q.trang && q.trang > 1) p.set('trang', String(q.trang));
  const s = p.toString();
  return `/admin/questions${s ? `?${s}` : ''}`;
}

/** "1 2 … 7 8 9 … 40": the pages worth a link around the current one. */
function pageNumbers(current: number, pages: number): (number | null)[] {
  const want = new Set([1, 2, pages - 1, pages, current - 2, current - 1, current, current + 1, current + 2].filter((n) => n >= 1 && n <= pages));
  const out: (number | null)[] = [];
  let last = 0;
  for (const n of [...want].sort((a, b) => a - b)) {
    if (n > last + 1) out.push(null);
    out.push(n);
    last = n;
  }
  return out;
}

/** The regions a staff member may filter by: their scope (or the whole tree), with depth for indenting. */
function regionChoices(ctx: AdminContext, scope: string[] | null): { slug: string; name: string; depth: number; path: string[] }[] {
  const allowed = scope ? new Set(scope) : null;
  return [...flattenRegions(ctx.knowledge.state.regions).entries()]
    .filter(([slug]) => !allowed || allowed.has(slug))
    .map(([slug, r]) => ({ slug, name: r.name, depth: r.path.length - 1, path: r.path }));
}

/** The queue filter for a request: the URL's choices inside the staff member's region scope. */
function queueFilter(ctx: AdminContext, req: FastifyRequest, q: QueueQuery, regions: ReturnType<typeof regionChoices>): QueueFilter {
  const chosen = q.diaban ? regions.filter((r) => r.path.includes(q.diaban)).map((r) => r.slug) : undefined;
  return {
    scope: ctx.scopeRegions(req),
    // A region outside the scope (or unknown) matches nothing rather than being ignored.
    regions: chosen,
    channel: q.kenh,
    kind: Object.hasOwn(KIND_FILTERS, q.loai) ? KIND_FILTERS[q.loai] : undefined,
    from: q.tu ? dayStart(q.tu) : undefined,
    to: q.den ? dayStart(q.den, 1) : undefined,
  };
}

export const registerQuestionRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/questions', { config: { permission: 'questions.view' } }, async (req, reply) => {
    const q = queueQuery.parse(req.query ?? {});
    // Own keys only: `?loai=constructor` must not find Object's members.
    if (!Object.hasOwn(KIND_FILTERS, q.loai)) q.loai = '';
    const regions = regionChoices(ctx, ctx.scopeRegions(req));
    if (q.diaban && !flattenRegions(ctx.knowledge.state.regions).has(q.diaban)) q.diaban = '';
    const filter = queueFilter(ctx, req, q, regions);
    const counts = countQueue(ctx.db, filter);
    const all = counts.unanswered + counts.maybe_wrong;
    const total = filter.kind ? counts[filter.kind] : all;
    // Grouped apart by kind: answered-but-maybe-wrong items (a 👎, a re-ask) carry the answer
    // given, so a group's first item shows what the bot said.
    const kinds: QueueKind[] = filter.kind ? [filter.kind] : ['maybe_wrong', 'unanswered'];
    const byId = new Map<number, QueueQuestion>();
    const allGroups: QueueQuestion[][] = [];
    let cut = false;
    for (const kind of kinds) {
      const items = listQueuePage(ctx.db, { ...filter, kind }, { limit: MAX_GROUPED, offset: 0 });
      if (counts[kind] > items.length) cut = true;
      for (const x of items) byId.set(x.id, x);
      const key = JSON.stringify([ctx.scopeRegions(req), filter, kind]);
      for (const ids of groupedIds(key, items)) allGroups.push(ids.map((id) => byId.get(id)!));
    }
    // Largest first; among groups as large, the one asked most recently.
    allGroups.sort((a, b) => b.length - a.length || (a[0]!.createdAt < b[0]!.createdAt ? 1 : a[0]!.createdAt > b[0]!.createdAt ? -1 : 0));
    const pages = Math.max(1, Math.ceil(allGroups.length / GROUPS_PER_PAGE));
    const page = Math.min(q.trang, pages);
    const groups = allGroups.slice((page - 1) * GROUPS_PER_PAGE, page * GROUPS_PER_PAGE).map((items) => ({ items }));
    const items = groups.flatMap((g) => g.items);
    const details = queueItemDetails(ctx.db, items.map((x) => x.id));
    const region = q.diaban ? regions.find((r) => r.slug === q.diaban) ?? { name: q.diaban } : undefined;
    // What narrows the queue besides its kind, in words, for the "nothing matches" message.
    const narrowing = [
      q.kenh ? `kênh ${CHANNEL_LABELS[q.kenh]}` : '',
      region ? `địa bàn ${region.name}` : '',
      q.tu ? `từ ngày ${q.tu.split('-').reverse().join('/')}` : '',
      q.den ? `đến ngày ${q.den.split('-').reverse().join('/')}` : '',
    ].filter(Boolean);
    const unfiltered = total === 0 && (narrowing.length || filter.kind) ? countQueue(ctx.db, { scope: filter.scope }) : counts;
    // A group already answered, waiting for approval: by a new draft, or attached to an approved
    // entry as a change. It read "Đã có bản nháp: <id>" for both, an approved entry included.
    // A link to an entry since retired (or whose file is gone) says so: nobody will be told, and
    // the group needs answering again ("Gỡ khỏi mục này").
    const answering = new Map<string, { title: string; status: string }>();
    for (const id of new Set(items.map((x) => x.draftQaId).filter((x): x is string => !!x))) {
      const e = ctx.content.get().qa.find((x) => x.id === id);
      if (e) answering.set(id, { title: e.question, status: e.status });
    }
    return ctx.render(req, reply, 'questions', {
      answering,
      unfiltered: unfiltered.unanswered + unfiltered.maybe_wrong,
      title: 'Câu hỏi chưa trả lời',
      groups,
      total,
      details,
      kindLabels: QUEUE_KIND_LABELS,
      loai: q.loai,
      q,
      counts: { all, maybeWrong: counts.maybe_wrong, unanswered: counts.unanswered },
      channels: CHANNEL_NAMES.map((c) => ({ slug: c, name: CHANNEL_LABELS[c] })),
      regions,
      narrowing,
      page,
      pages,
      pageNumbers: pageNumbers(page, pages),
      groupCount: allGroups.length,
      cut,
      maxGrouped: MAX_GROUPED,
      linkIdsMax: LINK_IDS_MAX,
      shown: { from: groups.length ? (page - 1) * GROUPS_PER_PAGE + 1 : 0, to: (page - 1) * GROUPS_PER_PAGE + groups.length },
      url: (over: Partial<QueueQuery>) => queueUrl({ ...q, trang: 1, ...over }),
    });
  });

  s.post('/admin/questions/dismiss', { config: { permission: 'questions.answer' } }, async (req, reply) => {
    const { ids } = z.object({ ids: idsSchema }).parse(req.body);
    const allowed = openQueueQuestions(ctx.db, ids, ctx.scopeRegions(req)).map((x) => x.id);
    resolveUnanswered(ctx.db, allowed, 'dismissed', null, ctx.now());
    ctx.audit(req, { action: 'question.dismiss', targetType: 'unanswered', targetId: allowed.join(','), details: { count: allowed.length } });
    // Back to the page the group was on, with its filters (only the queue's own links are followed,
    // which are percent-encoded: printable ASCII only, or the Location header throws, a 500).
    const back = z.string().max(500).regex(/^\/admin\/questions(\?[\x21-\x7e]*)?$/).catch('/admin/questions').parse((req.body as Record<string, unknown>).back ?? '');
    const sep = back.includes('?') ? '&' : '?';
    const msg = allowed.length
      ? `Đã bỏ qua ${allowed.length} câu hỏi.`
      : 'Không bỏ qua câu nào: các câu hỏi này đã được xử lý, hoặc không thuộc địa bàn bạn phụ trách. Hãy tải lại trang.';
    return reply.redirect(`${back}${sep}msg=${encodeURIComponent(msg)}`, 303);
  });
};
