/**
 * "Mời người dân dùng Loa": each channel's public address and QR code, the deep links of the
 * subscription, a report and each open contest, and a printable A4 poster of any of them
 * (src/admin/reach.ts). Every staff member may see it: the addresses are public.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminContext, RegisterRoutes } from '../context.js';
import { originWarning, parseTarget, purposeOf, qrSvg, reachLinks, type ReachPurpose, type ReachSources } from '../reach.js';
import { openContests } from './contests.js';
import { formatDateTime } from '../format.js';

const qrQuery = z.object({ target: z.string().max(80), tai: z.literal('1').optional().catch(undefined) });
const posterQuery = z.object({ muc: z.string().max(80).default('chung') });

function sources(ctx: AdminContext, req: FastifyRequest): ReachSources {
  const region = ctx.me(req).region;
  return {
    ...(ctx.config.http.publicUrl ? { publicUrl: ctx.config.http.publicUrl } : {}),
    requestOrigin: `${req.protocol}://${req.host}`,
    channels: ctx.channels,
    configured: { telegram: !!ctx.config.telegram, zalo: !!ctx.config.zalo },
    // A commune account's QR codes and posters of the web chat route to its commune.
    ...(region && ctx.knowledge.regionInfo(region) ? { webRegion: region } : {}),
  };
}

/** A contest by id, among those that exist (open or not). */
function contestById(ctx: AdminContext) {
  return (id: string) => {
    const c = ctx.contests.get(id);
    return c ? { id: c.id, title: c.title } : undefined;
  };
}

function notFound(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 404 });
}

/** The web chat's tag for one portal: the province's (no region) or a commune's. */
interface WebEmbed {
  /** The region's name, or null for the tag without a region. */
  name: string | null;
  slug: string | null;
  tag: string;
  /** The chat page routed as that portal's chat is (`/?region=`): to try the tag's routing. */
  page: string;
}

/**
 * The web chat's tag to copy onto each portal the staff member looks after: a commune account
 * gets its region's (and those below it), province-wide staff the province portal's tag (its
 * questions go to province-wide staff) and every region's. The region only routes the visitor's
 * questions to that region's staff (channels/web/web.ts); it opens nothing to the visitor.
 */
function webEmbeds(ctx: AdminContext, req: FastifyRequest, origin: string): WebEmbed[] {
  if (!ctx.channels.has('web')) return [];
  const base = origin.replace(/\/+$/, '');
  const tag = (slug: string | null): string => `<script src="${base}/widget.js"${slug ? ` data-loa-region="${slug}"` : ''} defer></script>`;
  const scope = ctx.scopeRegions(req);
  const out: WebEmbed[] = scope === null ? [{ name: null, slug: null, tag: tag(null), page: `${base}/` }] : [];
  const slugs: string[] = [];
  const walk = (nodes: readonly { slug: string; children?: readonly unknown[] }[]): void => {
    for (const n of nodes) {
      slugs.push(n.slug);
      if (n.children) walk(n.children as { slug: string; children?: unknown[] }[]);
    }
  };
  walk(ctx.knowledge.state.regions);
  for (const slug of slugs) {
    if (scope !== null && !scope.includes(slug)) continue;
    // The province itself (the top of the tree, with communes below): its portal's tag is the
    // first row's, without a region; a second row naming it only puzzled province staff.
    const info = ctx.knowledge.regionInfo(slug);
    if (scope === null && info?.parent === null && slugs.some((s) => ctx.knowledge.regionInfo(s)?.parent === slug)) continue;
    out.push({ name: info?.name ?? slug, slug, tag: tag(slug), page: `${base}/?region=${encodeURIComponent(slug)}` });
  }
  return out;
}

/** Where a purpose's poster is, by its start payload (`chung` for the whole bot). */
function posterKey(p: ReachPurpose): string {
  return p.kind === 'thi' ? `thi_${p.contestId}` : p.kind;
}

export const registerReachRoutes: RegisterRoutes = (s, ctx) => {
  s.get('/admin/reach', { config: { permission: 'dashboard.view' } }, async (req, reply) => {
    const src = sources(ctx, req);
    const contests = openContests(ctx).filter((c) => ctx.contests.get(c.id)?.listed !== false);
    const purposes: { title: string; purpose: ReachPurpose }[] = [
      { title: 'Hỏi đáp (cả bot)', purpose: { kind: 'chung' } },
      { title: 'Đăng ký nhận tin', purpose: { kind: 'dangky' } },
      { title: 'Báo tin giả, tin xuyên tạc', purpose: { kind: 'baocao' } },
      ...contests.map((c) => ({ title: `Cuộc thi: ${c.title}`, purpose: { kind: 'thi', contestId: c.id, contestTitle: c.title } as ReachPurpose })),
    ];
    const sections = purposes.map(({ title, purpose }) => ({
      title,
      key: posterKey(purpose),
      links: reachLinks(src, purpose).map((l) => ({ ...l, svg: l.url ? qrSvg(l.url) : undefined })),
    }));
    const origin = src.publicUrl ?? src.requestOrigin;
    return ctx.render(req, reply, 'reach', {
      embeds: webEmbeds(ctx, req, origin),
      title: 'Mời người dân dùng Loa',
      sections,
      origin,
      publicUrlSet: !!src.publicUrl,
      originWarning: originWarning(origin),
    });
  });

  s.get('/admin/reach/qr.svg', { config: { permission: 'dashboard.view' } }, async (req, reply) => {
    const q = qrQuery.safeParse(req.query);
    const t = q.success ? parseTarget(q.data.target) : null;
    if (!q.success || !t) throw notFound('Không có mã QR này. Hãy mở lại trang "Mời người dân dùng Loa".');
    const purpose = purposeOf(t.start, contestById(ctx));
    if (!purpose) throw notFound('Không có cuộc thi này. Hãy mở lại trang "Mời người dân dùng Loa".');
    const link = reachLinks(sources(ctx, req), purpose).find((l) => l.channel === t.channel);
    if (!link?.url) throw notFound(link?.missing ?? 'Kênh này chưa được bật.');
    reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'no-store');
    if (q.data.tai) reply.header('content-disposition', `attachment; filename="ma-qr-${q.data.target.replace(/[^A-Za-z0-9_-]/g, '-')}.svg"`);
    return reply.send(qrSvg(link.url));
  });

  s.get('/admin/reach/poster', { config: { permission: 'dashboard.view' } }, async (req, reply) => {
    const q = posterQuery.safeParse(req.query);
    const purpose = q.success ? purposeOf(q.data.muc === 'chung' ? undefined : q.data.muc, contestById(ctx)) : null;
    if (!purpose) throw notFound('Không có áp phích này. Hãy mở lại trang "Mời người dân dùng Loa".');
    const src = sources(ctx, req);
    const links = reachLinks(src, purpose)
      .filter((l) => l.url)
      .map((l) => ({ ...l, svg: qrSvg(l.url!) }));
    const contest = purpose.kind === 'thi' ? ctx.contests.get(purpose.contestId) : undefined;
    const headline =
      purpose.kind === 'thi'
        ? { title: purpose.contestTitle, lead: 'Quét mã để dự thi' }
        : purpose.kind === 'dangky'
          ? { title: 'Nhận tin của cơ quan trên điện thoại', lead: 'Quét mã để đăng ký nhận tin theo chủ đề và địa bàn' }
          : purpose.kind === 'baocao'
            ? { title: 'Gặp tin giả, tin xuyên tạc về quyền con người?', lead: 'Quét mã để báo cho cơ quan chức năng' }
            : { title: 'Hỏi – đáp về quyền con người, chính sách và thủ tục ở địa phương', lead: 'Quét mã để hỏi' };
    return reply.viewAsync('reach-poster', {
      office: ctx.config.bot.staff_contact?.name ?? ctx.config.bot.name,
      botName: ctx.config.bot.name,
      headline,
      window: contest ? { opens: formatDateTime(contest.opens.toISOString()), closes: formatDateTime(contest.closes.toISOString()) } : undefined,
      links,
      // The poster opens in its own tab and is printed from there: it says it too.
      originWarning: originWarning(src.publicUrl ?? src.requestOrigin),
    }).then((html) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html));
  });
};
