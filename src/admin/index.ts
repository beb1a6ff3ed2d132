/**
 * The admin pages under `/admin`: server-rendered (eta templates via @fastify/view), plain HTML
 * forms, a little vanilla JavaScript served from this folder (never a CDN), no build step.
 *
 * Security is enforced in one place, a preHandler on every admin route:
 * - a valid session (SQLite, httpOnly SameSite=Lax cookie, idle and absolute expiry);
 * - a forced password change after a one-time password;
 * - the route's declared permission (`config.permission`), refused by default when missing;
 * - on every POST, the session's CSRF token (form field `_csrf` or header `x-csrf-token`) and,
 *   when the browser sends one, an Origin matching the Host.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyView from '@fastify/view';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import { parse as parseQuery } from 'node:querystring';
import { Eta } from 'eta';
import { z } from 'zod';
import { LOGIN_CSRF_COOKIE, SESSION_COOKIE, adminCookie, auditedLoginName, createAuth, safeEqual, randomToken, throttleAuditGate, type AuthOptions } from './auth.js';
import { can, PERMISSIONS, type Permission } from './roles.js';
import { createContext, type AdminContext, type AdminDeps } from './context.js';
import type { Db } from '../db/index.js';
import { ONE_TIME_PASSWORD_DAYS, ROLE_LABELS, createUser, generatePassword, getUserByName, hasAdmin, latestPasswordSetFor, passwordSchema, setRoles, setPassword } from '../db/users.js';
import { recordAudit } from '../db/audit.js';
import { vietnameseMessage } from './content-files.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerQuestionRoutes } from './routes/questions.js';
import { registerContentRoutes } from './routes/content.js';
import { registerContentImportRoutes } from './routes/content-import.js';
import { registerAttachRoutes } from './routes/attach.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerUserRoutes } from './routes/users.js';
import { registerReportRoutes } from './routes/report.js';
import { registerCampaignRoutes } from './routes/campaigns.js';
import { registerContestRoutes } from './routes/contests.js';
import { registerDisinfoRoutes } from './routes/disinfo.js';
import { registerTrainingRoutes } from './routes/training.js';
import { formatDateTime, formatDay, formatNumber, formatWait, maskedText, round1, shownText } from './format.js';
import { escapeHtml } from '../text/html.js';
import { addressKey } from '../http/server.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Options of {@link installAdmin}. */
export interface AdminOptions {
  /** Clock (tests move it to expire sessions and throttling windows). */
  now?: () => Date;
  auth?: Partial<AuthOptions>;
  /** Where the first admin's one-time password is printed (default: stdout, unless logging is silent). */
  print?: (line: string) => void;
}

const ASSETS: Record<string, string> = {
  'admin.css': 'text/css; charset=utf-8',
  'admin.js': 'application/javascript; charset=utf-8',
  'print.css': 'text/css; charset=utf-8',
};

/** Navigation: label, URL and the permission that shows it. */
const NAV: { label: string; href: string; permission: Permission }[] = [
  { label: 'Tổng quan', href: '/admin', permission: 'dashboard.view' },
  { label: 'Câu hỏi chưa trả lời', href: '/admin/questions', permission: 'questions.view' },
  { label: 'Nội dung', href: '/admin/content', permission: 'content.view' },
  { label: 'Chiến dịch', href: '/admin/campaigns', permission: 'campaigns.view' },
  { label: 'Cuộc thi', href: '/admin/contests', permission: 'contests.view' },
  { label: 'Tin giả', href: '/admin/disinfo', permission: 'disinfo.view' },
  { label: 'Tập huấn', href: '/admin/training', permission: 'training.view' },
  { label: 'Mời người dân', href: '/admin/reach', permission: 'dashboard.view' },
  { label: 'Báo cáo năm', href: '/admin/report', permission: 'report.view' },
  { label: 'Nhật ký', href: '/admin/audit', permission: 'audit.view' },
  { label: 'Tài khoản', href: '/admin/users', permission: 'users.manage' },
];

/**
 * Creates the first admin account when none exists: username `admin` (or `quantri` if that
 * name is taken by a non-admin), a random one-time password printed once, to be changed at the
 * first login. Returns the password, or undefined when an admin already existed.
 */
export function ensureFirstAdmin(app: { db: Db }, print: (line: string) => void): string | undefined {
  if (hasAdmin(app.db)) return undefined;
  const password = generatePassword();
  const existing = getUserByName(app.db, 'admin');
  let username = 'admin';
  if (existing && !existing.disabledAt) {
    // An 'admin' account that lost its role: give it back rather than invent another name.
    setRoles(app.db, existing.id, [...new Set([...existing.roles, 'admin' as const])]);
    setPassword(app.db, existing.id, password, true);
  } else {
    if (existing) username = 'quantri';
    createUser(app.db, { username, displayName: 'Quản trị viên', roles: ['admin'], password, mustChangePassword: true });
  }
  recordAudit(app.db, { actor: 'system', action: 'user.first-admin', targetType: 'user', targetId: username });
  print(`Loa: đã tạo tài khoản quản trị đầu tiên '${username}'.`);
  print(`Loa: mật khẩu dùng một lần: ${password}`);
  print('Loa: đăng nhập ở /admin và đổi mật khẩu ngay; mật khẩu này sẽ không hiển thị lại.');
  return password;
}

/** What the admin pages are installed with: the service's parts, its HTTP server and start hook. */
export interface AdminHost extends AdminDeps {
  server: FastifyInstance;
  onStart(fn: () => Promise<void> | void): void;
}

/** Installs the admin pages on the app's server and the first-admin check on start. */
export function installAdmin(app: AdminHost, opts: AdminOptions = {}): AdminContext {
  const now = opts.now ?? (() => new Date());
  const auth = createAuth(app.db, now, opts.auth);
  const eta = new Eta({ views: join(HERE, 'views'), cache: true, autoEscape: true, autoTrim: false });
  const assets = new Map(Object.keys(ASSETS).map((f) => [f, readFileSync(join(HERE, 'assets', f))]));

  const flash = createFlash();

  const render: AdminContext['render'] = async (req, reply, view, data) => {
    const user = req.admin?.user;
    const html = await reply.viewAsync(view, {
      ...data,
      me: user,
      // The user's region by its name: staff never read slugs.
      // A region the file no longer has (communes merged) says so: the account sees no region's data.
      myRegion: user?.region ? (app.knowledge.regionInfo(user.region)?.name ?? `${user.region}: địa bàn không còn trong danh sách, nhờ quản trị viên chọn địa bàn mới`) : undefined,
      csrf: req.admin?.session.csrfToken ?? '',
      nav: user ? NAV.filter((n) => can(user, n.permission)) : [],
      path: req.url.split('?')[0],
      can: (p: Permission) => !!user && can(user, p),
      roleLabels: ROLE_LABELS,
      fmt: { dt: formatDateTime, day: formatDay, n: formatNumber, r1: round1, masked: maskedText, shown: shownText },
      msg: flash.read(req.query),
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  };
  const ctx = createContext(app, auth, now, render);

  app.server.register(
    async (s: FastifyInstance) => {
      // Cookies parsed and written by @fastify/cookie, in the admin scope only (nothing else
      // reads cookies; the web chat is cross-origin and cookie-free).
      await s.register(fastifyCookie);
      await s.register(fastifyFormbody, { bodyLimit: 256 * 1024, parser: formParser });
      await s.register(fastifyView, { engine: { eta }, templates: join(HERE, 'views'), production: true });

      s.addHook('onSend', async (_req, reply, payload) => {
        flash.sign(reply);
        // No framing (clickjacking on approve buttons), no MIME sniffing, no referrer leaks.
        reply.header('x-frame-options', 'DENY');
        reply.header('x-content-type-options', 'nosniff');
        reply.header('referrer-policy', 'same-origin');
        // A route with a policy of its own (a platform's image, the printable report's one
        // inline stylesheet allowed by its hash) keeps it: both are narrower than this one.
        if (!reply.hasHeader('content-security-policy'))
          reply.header('content-security-policy', "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'");
        return payload;
      });

      // A form is read only for someone signed in. Fastify reads and parses a body before the
      // preHandler below, so anyone could make the service read the bulk import's 8 MB
      // multipart forms (parsed whole: 45,000 fields held the event loop 0.3 s a request) with
      // no session at all. Here the session is checked as the request arrives, before its body.
      s.addHook('onRequest', async (req, reply) => {
        if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || !req.routeOptions.url || req.routeOptions.config.public) return;
        if (!auth.resolve(req.cookies[SESSION_COOKIE]))
          return reply.code(401).header('connection', 'close').type('text/plain; charset=utf-8').send('Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.');
      });

      s.addHook('preHandler', async (req, reply) => {
        const cfg = req.routeOptions.config;
        if (cfg.public) return;
        const identity = auth.resolve(req.cookies[SESSION_COOKIE]);
        if (!identity) {
          if (req.method === 'GET') return reply.redirect(`/admin/login?next=${encodeURIComponent(req.url)}`);
          return reply.code(401).type('text/plain; charset=utf-8').send('Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.');
        }
        req.admin = identity;
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          if (!sameOrigin(req)) return refuse(req, reply, 403, 'Yêu cầu bị từ chối: sai nguồn gốc (Origin).');
          const body = req.body as Record<string, unknown> | undefined;
          const token = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? req.headers['x-csrf-token'];
          if (!safeEqual(typeof token === 'string' ? token : undefined, identity.session.csrfToken))
            return refuse(req, reply, 403, 'Yêu cầu bị từ chối: thiếu hoặc sai mã bảo vệ (CSRF). Hãy tải lại trang và thử lại.');
        }
        const self = req.routeOptions.url === '/admin/account/password' || req.routeOptions.url === '/admin/logout';
        if (identity.user.mustChangePassword && !self) {
          if (req.method === 'GET') return reply.redirect('/admin/account/password');
          return refuse(req, reply, 403, 'Hãy đổi mật khẩu trước.');
        }
        if (self) return;
        if (!cfg.permission || !(cfg.permission in PERMISSIONS))
          return refuse(req, reply, 403, 'Trang này chưa khai báo quyền truy cập.');
        if (!can(identity.user, cfg.permission))
          return refuse(req, reply, 403, 'Bạn không có quyền truy cập trang hoặc thao tác này.');
      });

      s.setErrorHandler((err: FastifyError, req, reply) => {
        if (err instanceof z.ZodError) {
          // A form or query that does not fit its schema: the user's input, not a server fault.
          req.log.info({ url: req.url, issues: err.issues.length }, 'admin: invalid input');
          return refuse(req, reply, 400, `Dữ liệu gửi lên không hợp lệ: ${err.issues.map((i) => `${i.path.join('.') || '(biểu mẫu)'}: ${vietnameseMessage(i)}`).join('; ')}`);
        }
        const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
        if (status >= 500) req.log.error({ err, url: req.url }, 'admin: request failed');
        else req.log.info({ status, url: req.url, msg: err.message }, 'admin: request refused');
        return refuse(req, reply, status, status >= 500 ? 'Đã có lỗi xảy ra. Hãy thử lại; nếu vẫn lỗi, báo cho quản trị viên.' : err.message);
      });

      s.get('/admin/assets/:file', { config: { public: true } }, async (req, reply) => {
        const file = (req.params as { file: string }).file;
        const body = assets.get(file);
        if (!body) return reply.code(404).send('not found');
        return reply.type(ASSETS[file]!).header('cache-control', 'public, max-age=3600').send(body);
      });

      registerAccountRoutes(s, ctx);
      registerDashboardRoutes(s, ctx);
      registerQuestionRoutes(s, ctx);
      registerContentImportRoutes(s, ctx);
      registerContentRoutes(s, ctx);
      registerAttachRoutes(s, ctx);
      registerCampaignRoutes(s, ctx);
      registerContestRoutes(s, ctx);
      registerDisinfoRoutes(s, ctx);
      registerTrainingRoutes(s, ctx);
      registerReportRoutes(s, ctx);
      registerAuditRoutes(s, ctx);
      registerUserRoutes(s, ctx);
    },
  );

  const print = opts.print ?? (app.config.logLevel === 'silent' ? undefined : (line: string) => console.log(line));
  app.onStart(() => {
    ensureFirstAdmin(app, print ?? ((line) => app.logger.warn(line)));
  });
  return ctx;
}

/**
 * The status line a page shows after an action (`?msg=…` on the redirect). The text comes from
 * the URL, so anyone could send staff a link to a real admin page showing a sentence of their
 * own ("/admin?msg=Hệ thống yêu cầu xác minh lại: gửi mật khẩu cho …") as if Loa said it.
 * Redirects the admin makes carry a signature of their message (`&ms=`, an HMAC under a key of
 * this process), added in one place as they leave; a page shows only a message signed so. After
 * a restart an old link shows no message, which is all it loses.
 */
export function createFlash(key: Buffer = randomBytes(32)): {
  /** Adds the signature to a redirect's `Location` that carries a `msg`. */
  sign(reply: FastifyReply): void;
  /** The message of a request's query, when signed by this process. */
  read(query: unknown): string | undefined;
} {
  const mac = (msg: string): string => createHmac('sha256', key).update(msg, 'utf8').digest('base64url').slice(0, 22);
  return {
    sign(reply) {
      const location = reply.getHeader('location');
      if (typeof location !== 'string' || !location.includes('msg=')) return;
      const at = location.indexOf('?');
      if (at < 0) return;
      const params = new URLSearchParams(location.slice(at + 1).split('#')[0]);
      const msg = params.get('msg');
      if (msg === null || params.has('ms')) return;
      const hash = location.includes('#') ? location.slice(location.indexOf('#')) : '';
      reply.header('location', `${location.slice(0, location.length - hash.length)}&ms=${mac(msg)}${hash}`);
    },
    read(query) {
      const q = (query ?? {}) as Record<string, unknown>;
      if (typeof q.msg !== 'string' || typeof q.ms !== 'string') return undefined;
      return safeEqual(q.ms, mac(q.msg)) ? q.msg : undefined;
    },
  };
}

/** Most fields a form may post (the largest, a campaign's regions, has a few hundred). */
export const MAX_FORM_FIELDS = 2_000;

/**
 * The admin's form parser behind a count of its fields: forms are parsed before the session is
 * checked, and 250 KB of distinct fields took 30-65 ms of the event loop for anyone on the
 * internet (measured on a running Loa). Node's own parser, which @fastify/formbody's default
 * (fast-querystring) copies: the same objects (repeated names as arrays, no prototype), except
 * for malformed percent-escapes, which browsers do not send.
 */
export function formParser(text: string): Record<string, unknown> {
  let fields = 1;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1))
    if (++fields > MAX_FORM_FIELDS)
      throw Object.assign(new Error(`Biểu mẫu gửi lên có quá ${MAX_FORM_FIELDS} trường.`), { statusCode: 400 });
  return parseQuery(text, '&', '=', { maxKeys: 0 }) as Record<string, unknown>;
}

/**
 * False when the browser says the request comes from a page of another site: an `Origin` that
 * is not this Host's. A request without one (a script, an older browser) or with `null` is left
 * to the CSRF token.
 */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Answers a refusal: an HTML page for browsers, plain text for scripts. */
async function refuse(req: FastifyRequest, reply: FastifyReply, status: number, message: string): Promise<FastifyReply> {
  reply.code(status).header('cache-control', 'no-store');
  // A browser (a page, or a form it posted) gets a styled page with a way back to where it was.
  if ((req.headers.accept ?? '').includes('text/html')) {
    const back = backPath(req);
    return reply.type('text/html; charset=utf-8').send(
      `<!doctype html><html lang="vi"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="stylesheet" href="/admin/assets/admin.css"><title>${status === 409 || status === 400 ? 'Không thực hiện được' : `Lỗi ${status}`}</title><main class="narrow"><h1>${status === 409 || status === 400 ? 'Không thực hiện được' : `Lỗi ${status}`}</h1><p class="error">${escapeHtml(message)}</p><p>${back ? `<a class="button" href="${escapeHtml(back)}">← Quay lại</a> ` : ''}<a href="/admin">Về trang tổng quan</a></p></main></html>`,
    );
  }
  return reply.type('text/plain; charset=utf-8').send(message);
}

/** The admin page the request came from (same host, under /admin), for a "back" link. */
function backPath(req: FastifyRequest): string | undefined {
  try {
    const ref = new URL(req.headers.referer ?? '');
    return ref.host === req.headers.host && ref.pathname.startsWith('/admin') ? `${ref.pathname}${ref.search}` : undefined;
  } catch {
    return undefined;
  }
}

const loginBody = z.object({
  username: z.string().max(64).default(''),
  password: z.string().max(1024).default(''),
  _csrf: z.string().optional(),
  next: z.string().optional(),
  /** "Máy dùng chung": a shorter idle limit and a cookie that ends with the browser. */
  shared: z.string().max(10).optional(),
});

/**
 * The post-login destination: a same-site path under `/admin`, or `/admin` when `next` is
 * anything else. It goes into a `Location` header, so it must be printable ASCII: a CR/LF
 * (header injection), any other control character, a space or a non-ASCII character would make
 * the redirect throw (a 500). No `//` anywhere and no backslash (browsers read `/\` as `//`,
 * another site), no dot segment (`/admin/../`), and not too long.
 *
 * @example safeNext('/admin/content?q=bhyt') // '/admin/content?q=bhyt'
 * @example safeNext('/admin\r\nSet-Cookie: x=1') // '/admin'
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return '/admin';
  if (!/^[\x21-\x7e]+$/.test(next) || next.includes('//') || next.includes('\\')) return '/admin';
  // A dot segment (`/admin/../x`, also percent-encoded) would leave /admin once resolved.
  if (/\/(?:\.|%2e){1,2}(?:[/?#]|$)/i.test(next)) return '/admin';
  return /^\/admin(?:[/?#]|$)/.test(next) ? next : '/admin';
}

function registerAccountRoutes(s: FastifyInstance, ctx: AdminContext): void {
  const throttledToAudit = throttleAuditGate();
  s.get('/admin/login', { config: { public: true } }, async (req, reply) => {
    // An existing token is kept: every GET of this page used to set a new one, so a login page
    // loaded in another tab, or a signed-out page's poll redirected here (a campaign page's
    // live.json every 2 s), replaced the cookie under the form being filled in, and its login
    // failed with "Phiên của trang đăng nhập đã hết hạn" (seen as a flaky browser test).
    const kept = req.cookies[LOGIN_CSRF_COOKIE];
    const token = kept && /^[A-Za-z0-9_-]{43}$/.test(kept) ? kept : randomToken();
    reply.setCookie(LOGIN_CSRF_COOKIE, token, adminCookie(3600));
    const q = req.query as Record<string, string | undefined>;
    // On a shared office computer, the next person should know whose session this browser holds.
    const signedIn = ctx.auth.resolve(req.cookies[SESSION_COOKIE])?.user.username;
    return ctx.render(req, reply, 'login', { title: 'Đăng nhập', loginCsrf: token, next: safeNext(q.next), error: undefined, username: '', signedIn, sharedIdle: ctx.auth.options.sharedIdleMinutes });
  });

  s.post('/admin/login', { config: { public: true } }, async (req, reply) => {
    const body = loginBody.safeParse(req.body ?? {});
    const again = async (code: number, error: string, username = ''): Promise<FastifyReply> => {
      const token = randomToken();
      reply.setCookie(LOGIN_CSRF_COOKIE, token, adminCookie(3600));
      reply.code(code);
      return ctx.render(req, reply, 'login', { title: 'Đăng nhập', loginCsrf: token, next: safeNext(body.data?.next), error, username, shared: !!body.data?.shared, sharedIdle: ctx.auth.options.sharedIdleMinutes });
    };
    // A login posted from another site's page is refused as other forms are: its token is a
    // cookie, and a site under the same domain can set one (login CSRF: staff signed in to an
    // account of the attacker's, and what they then write goes there).
    if (!sameOrigin(req)) return refuse(req, reply, 403, 'Yêu cầu bị từ chối: sai nguồn gốc (Origin).');
    if (!body.success || !safeEqual(body.data._csrf, req.cookies[LOGIN_CSRF_COOKIE]))
      return again(403, 'Phiên của trang đăng nhập đã hết hạn. Hãy thử lại.');
    const { username, password } = body.data;
    const shared = !!body.data.shared;
    const result = await ctx.auth.login(username, password, req.ip, { shared });
    if (!result.ok) {
      const actor = auditedLoginName(username);
      const skipped = result.reason === 'throttled' ? throttledToAudit(addressKey(req.ip), ctx.now().getTime()) : 0;
      if (skipped !== undefined)
      {
        const busy = result.reason === 'throttled' && result.busy;
        const details = { ...(skipped ? { refusedUnaudited: skipped } : {}), ...(busy ? { busy: true } : {}) };
        recordAudit(ctx.db, { actor, action: `login.${result.reason}`, ip: req.ip, ...(Object.keys(details).length ? { details } : {}) }, ctx.now());
      }
      if (result.reason === 'throttled') {
        reply.header('retry-after', String(result.retryAfterSeconds));
        if (result.busy) return again(429, `Hệ thống đang nhận quá nhiều lượt đăng nhập cùng lúc. Hãy đợi ${formatWait(result.retryAfterSeconds)} rồi thử lại.`, username);
        return again(429, `Đăng nhập sai quá nhiều lần từ máy này. Hãy đợi ${formatWait(result.retryAfterSeconds)} rồi thử lại.`, username);
      }
      // Only whoever typed the right password reads this: a person back from leave, or who moved
      // office, is told to ask an admin instead of retrying until the login makes them wait.
      if (result.reason === 'disabled')
        return again(403, 'Tài khoản này đã bị khoá (người rời cơ quan hoặc chuyển công tác). Nếu bạn cần dùng lại, hãy nhờ quản trị viên mở khoá.', username);
      if (result.reason === 'expired')
        return again(
          401,
          `Mật khẩu dùng một lần này đã hết hạn lúc ${formatDateTime(result.expiredAt)} (chỉ dùng được ${ONE_TIME_PASSWORD_DAYS} ngày). Hãy nhờ quản trị viên đặt lại mật khẩu một lần nữa.`,
          username,
        );
      return again(401, 'Tên đăng nhập hoặc mật khẩu không đúng.', username);
    }
    // A sign-in with a one-time password someone else set names them: if it was not the account's
    // owner who signed in first, the log shows from where, and when.
    const oneTime = result.oneTime
      ? { text: `Đăng nhập bằng mật khẩu dùng một lần do ${result.oneTime.setBy === 'cli' ? 'máy chủ (loa user)' : `'${result.oneTime.setBy}'`} đặt lúc ${formatDateTime(result.oneTime.at)}.`, oneTimeBy: result.oneTime.setBy }
      : undefined;
    recordAudit(ctx.db, { actor: result.user.username, action: 'login.ok', ip: req.ip, ...(oneTime ? { details: oneTime } : {}) }, ctx.now());
    // The session this browser held (someone else's on a shared computer, or one's own) ends
    // here: its cookie is replaced, and the session would otherwise stay alive for hours unseen.
    const previous = ctx.auth.resolve(req.cookies[SESSION_COOKIE]);
    if (previous) {
      ctx.auth.logout(req.cookies[SESSION_COOKIE]);
      recordAudit(
        ctx.db,
        { actor: previous.user.username, action: 'logout', ip: req.ip, details: { text: `Đăng xuất vì '${result.user.username}' đăng nhập trên cùng trình duyệt.` } },
        ctx.now(),
      );
    }
    reply.setCookie(SESSION_COOKIE, result.token, adminCookie(shared ? null : ctx.auth.cookieMaxAge()));
    reply.setCookie(LOGIN_CSRF_COOKIE, '', adminCookie(0));
    return reply.redirect(result.user.mustChangePassword ? '/admin/account/password' : safeNext(body.data.next), 303);
  });

  s.post('/admin/logout', {}, async (req, reply) => {
    ctx.auth.logout(req.cookies[SESSION_COOKIE]);
    ctx.audit(req, { action: 'logout' });
    reply.setCookie(SESSION_COOKIE, '', adminCookie(0));
    return reply.redirect('/admin/login', 303);
  });

  // The password page also lists where one is signed in: staff who left a session open on a
  // shared office computer end it from here (their own, the current one kept).
  const ownSessions = (req: FastifyRequest) => ({
    sessions: ctx.auth.activeSessions(ctx.me(req).id),
    currentSession: req.admin!.session.id,
    // Whoever set the one-time password, and its first use: a person who finds an earlier sign-in
    // from another computer than theirs knows someone used it before them.
    oneTime: ctx.me(req).mustChangePassword ? latestPasswordSetFor(ctx.db, ctx.me(req).id) : undefined,
  });
  s.get('/admin/account/password', {}, async (req, reply) =>
    ctx.render(req, reply, 'password', { title: 'Đổi mật khẩu', error: undefined, ...ownSessions(req) }),
  );

  s.post('/admin/account/sessions/end-others', { config: { permission: 'dashboard.view' } }, async (req, reply) => {
    const me = ctx.me(req);
    const others = ctx.auth.activeSessions(me.id).filter((x) => x.id !== req.admin!.session.id);
    const ended = ctx.auth.endSessions(me.id, req.admin!.session.id);
    if (ended)
      ctx.audit(req, {
        action: 'user.sessions_end',
        targetType: 'user',
        targetId: me.username,
        details: { text: `Tự đăng xuất ${others.length} máy khác (${others.map((x) => `${x.ip ?? 'không rõ địa chỉ'}, dùng lần cuối ${formatDateTime(x.lastSeenAt)}`).join('; ')}).`, sessions: others.length },
      });
    const msg = ended ? `Đã đăng xuất ${others.length} máy khác. Máy này vẫn đăng nhập.` : 'Bạn không đăng nhập ở máy nào khác.';
    return reply.redirect(`/admin/account/password?msg=${encodeURIComponent(msg)}`, 303);
  });

  s.post('/admin/account/password', {}, async (req, reply) => {
    const b = z
      .object({ current: z.string().default(''), next: z.string().default(''), confirm: z.string().default('') })
      .parse(req.body ?? {});
    const fail = (error: string): Promise<FastifyReply> => {
      reply.code(400);
      return ctx.render(req, reply, 'password', { title: 'Đổi mật khẩu', error, ...ownSessions(req) });
    };
    if (b.next !== b.confirm) return fail('Hai lần nhập mật khẩu mới không khớp.');
    if (!passwordSchema.safeParse(b.next).success) return fail('Mật khẩu mới phải có ít nhất 10 ký tự.');
    if (b.next === b.current) return fail('Mật khẩu mới phải khác mật khẩu cũ.');
    const r = await ctx.auth.changePassword(ctx.me(req), b.current, b.next, req.admin!.session.id);
    if (!r.ok && r.reason === 'busy') {
      reply.header('retry-after', '2');
      return refuse(req, reply, 429, 'Hệ thống đang nhận quá nhiều lượt kiểm tra mật khẩu cùng lúc. Hãy đợi vài giây rồi thử lại.');
    }
    if (!r.ok && r.reason === 'wrong') {
      ctx.audit(req, { action: 'user.passwd.wrong', targetType: 'user', targetId: ctx.me(req).username, details: { left: r.left } });
      return fail(`Mật khẩu hiện tại không đúng. Nhập sai thêm ${r.left} lần nữa thì phiên đăng nhập này sẽ bị đóng.`);
    }
    if (!r.ok && r.reason === 'ended') {
      ctx.audit(req, { action: 'user.passwd.ended', targetType: 'user', targetId: ctx.me(req).username });
      reply.setCookie(SESSION_COOKIE, '', adminCookie(0));
      return reply.redirect(`/admin/login?msg=${encodeURIComponent('Phiên đăng nhập đã bị đóng vì nhập sai mật khẩu hiện tại quá nhiều lần. Hãy đăng nhập lại.')}`, 303);
    }
    // A try that waited behind the one that ended the session.
    if (!r.ok) return reply.code(401).type('text/plain; charset=utf-8').send('Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.');
    const replaced = r.replaced
      ? { text: `Thay mật khẩu dùng một lần (do ${r.replaced.setBy === 'cli' ? 'máy chủ (loa user)' : `'${r.replaced.setBy}'`} đặt lúc ${formatDateTime(r.replaced.at)}) bằng mật khẩu riêng.`, oneTimeBy: r.replaced.setBy }
      : undefined;
    ctx.audit(req, { action: 'user.passwd', targetType: 'user', targetId: ctx.me(req).username, ...(replaced ? { details: replaced } : {}) });
    return reply.redirect(`/admin?msg=${encodeURIComponent('Đã đổi mật khẩu.')}`, 303);
  });
}
