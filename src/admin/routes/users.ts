/** Staff accounts (admin only): add with a one-time password, change roles and region, reset, disable. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminContext, RegisterRoutes } from '../context.js';
import {
  ROLES,
  accountChangeText,
  createUser,
  generatePassword,
  getUserByName,
  lastAdminRefusal,
  listUsers,
  newAccountText,
  ONE_TIME_PASSWORD_DAYS,
  latestPasswordSetFor,
  oneTimePasswordExpired,
  resetPassword,
  roleSchema,
  setDisabled,
  setDisplayName,
  setRoles,
  setUserRegion,
  usernameSchema,
  type User,
} from '../../db/users.js';
import { flattenRegions } from '../../knowledge/content.js';
import { formatDateTime } from '../format.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : []);
const form = z.object({
  username: z.string().default(''),
  displayName: z.string().trim().max(100).default(''),
  roles: z.unknown().optional().transform(list).pipe(z.array(roleSchema).min(1, 'Chọn ít nhất một vai trò.')),
  region: z.string().trim().default(''),
});

/**
 * A message of the account rules as staff read it on the page: the CLI's 'user: ' prefix off
 * and a capital first letter ('user: tên đăng nhập dài…' was shown as it was).
 */
const staffText = (m: string): string => {
  const t = m.replace(/^user: /, '');
  return t.charAt(0).toLocaleUpperCase('vi') + t.slice(1);
};

/** An account's roles, region and name as one string: the users page's `was` field. */
export const rowState = (u: Pick<User, 'roles' | 'region' | 'displayName'>): string =>
  JSON.stringify([[...u.roles].sort(), u.region ?? '', u.displayName ?? '']);

/** Days without a sign-in after which an account is listed as "Lâu không dùng". */
export const IDLE_DAYS = 90;

const listQuery = z.object({
  q: z.string().trim().max(60).default(''),
  diaban: z.string().trim().max(80).default(''),
  trangthai: z.enum(['', 'dang-dung', 'da-khoa', 'lau-khong-dung']).default(''),
});

/** Lower case without diacritics, for the name filter ('Nguyễn' finds 'nguyen'). */
const fold = (t: string): string => t.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase();

export const registerUserRoutes: RegisterRoutes = (s, ctx) => {
  const regions = (): { slug: string; name: string }[] =>
    [...flattenRegions(ctx.knowledge.state.regions).entries()].map(([slug, r]) => ({ slug, name: r.name }));
  /**
   * Accounts limited to a region the regions file no longer has (communes merged on 1/7/2025 and
   * the file updated): they see no region's data until given a new one. Their row offers the old
   * slug, selected, so that saving the row for another reason keeps it: with no option matching,
   * the browser sent the first one, "Mọi địa bàn", and a commune account became province-wide.
   */
  const staleRegions = (): Record<string, string> =>
    Object.fromEntries(listUsers(ctx.db).flatMap((u) => (u.region && !ctx.knowledge.regionInfo(u.region) ? [[u.username, u.region]] : [])));
  /**
   * An admin limited to a region (a commune's admin) manages the accounts of that region only:
   * before, such an admin saw every account, could reset the provincial approver's password, and
   * could set their own or anyone's region to "Mọi địa bàn". Province-wide admins manage all.
   */
  const manageable = (req: FastifyRequest, u: User): boolean =>
    !ctx.me(req).region || u.id === ctx.me(req).id || (!!u.region && !!ctx.knowledge.regionInfo(u.region) && ctx.inScope(req, u.region));
  const scopeRefusal = (req: FastifyRequest): string => {
    const mine = ctx.me(req).region!;
    return `Bạn chỉ quản lý được tài khoản thuộc địa bàn ${ctx.knowledge.regionInfo(mine)?.name ?? mine}: hãy chọn một địa bàn trong đó. Tài khoản cấp tỉnh hoặc của địa bàn khác do quản trị viên cấp tỉnh quản lý.`;
  };
  const page = (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}): Promise<FastifyReply> => {
    const everyone = listUsers(ctx.db);
    const each = <T>(f: (u: User) => T): Record<string, T> => Object.fromEntries(everyone.map((u) => [u.username, f(u)]));
    return ctx.render(req, reply, 'users', {
      title: 'Tài khoản',
      ...listed(req),
      anyRegion: !ctx.me(req).region,
      staleRegions: ctx.me(req).region ? {} : staleRegions(),
      sessions: each((u) => ctx.auth.activeSessions(u.id)),
      // Who last set each password for someone else (four eyes counts a reset: docs/admin.md),
      // and the one-time passwords nobody used in time.
      passwordSet: each((u) => latestPasswordSetFor(ctx.db, u.id)),
      expired: each((u) => oneTimePasswordExpired(u, ctx.now())),
      lastLogin: each((u) => lastLoginOf.get(u.username) as string | undefined),
      oneTimeDays: ONE_TIME_PASSWORD_DAYS,
      idleDays: IDLE_DAYS,
      rowState,
      roles: ROLES,
      regions: regions().filter((r) => ctx.inScope(req, r.slug)),
      error: undefined,
      created: undefined,
      ...extra,
    });
  };
  /**
   * Each account's last sign-in, from the audit log (login attempts are kept a day only): after
   * a year, the accounts nobody has used are the ones of people who left. One look-up per
   * account on the (actor, at) index, newest first.
   */
  const lastLoginOf = ctx.db.prepare(`SELECT at FROM audit WHERE actor = ? AND action = 'login.ok' ORDER BY at DESC LIMIT 1`).pluck();
  const checkRegion = (req: FastifyRequest, slug: string, current: string | null = null): string | null => {
    const scoped = !!ctx.me(req).region;
    if (!slug) {
      if (scoped) throw Object.assign(new Error(scopeRefusal(req)), { statusCode: 403 });
      return null;
    }
    // An account's own old region, kept as it is (see staleRegions).
    if (slug === current && !scoped) return slug;
    if (!ctx.knowledge.regionInfo(slug)) throw Object.assign(new Error(`Địa bàn không tồn tại: ${slug}`), { statusCode: 400 });
    if (!ctx.inScope(req, slug)) throw Object.assign(new Error(scopeRefusal(req)), { statusCode: 403 });
    return slug;
  };
  const target = (req: FastifyRequest) => {
    const u = getUserByName(ctx.db, (req.params as { name: string }).name);
    if (!u) throw Object.assign(new Error('Không có tài khoản này.'), { statusCode: 404 });
    if (!manageable(req, u)) throw Object.assign(new Error(scopeRefusal(req)), { statusCode: 403 });
    return u;
  };

  s.get('/admin/users', { config: { permission: 'users.manage' } }, async (req, reply) => page(req, reply));

  /**
   * The list as filtered: a province with a hundred communes has a few hundred accounts, and the
   * yearly clean-up looks for the ones nobody uses. `q` (name or display name, diacritics
   * ignored), `diaban` (a region and everything under it), `trangthai`: `dang-dung`, `da-khoa`, or
   * `lau-khong-dung` (enabled, older than {@link IDLE_DAYS} days, no sign-in for as long).
   */
  function listed(req: FastifyRequest): { users: User[]; total: number; filter: z.infer<typeof listQuery>; back: string } {
    const parsed = listQuery.safeParse(req.method === 'GET' ? req.query : backFilter(req));
    const f = parsed.success ? parsed.data : listQuery.parse({});
    const all = listUsers(ctx.db).filter((u) => manageable(req, u));
    const needle = fold(f.q);
    const cutoff = new Date(ctx.now().getTime() - IDLE_DAYS * 86_400_000).toISOString();
    const users = all.filter((u) => {
      if (needle && !fold(`${u.username} ${u.displayName ?? ''}`).includes(needle)) return false;
      if (f.diaban && !(u.region && ctx.knowledge.regionInfo(u.region)?.path.includes(f.diaban))) return false;
      if (f.trangthai === 'dang-dung' && u.disabledAt) return false;
      if (f.trangthai === 'da-khoa' && !u.disabledAt) return false;
      if (f.trangthai === 'lau-khong-dung') {
        if (u.disabledAt || u.createdAt > cutoff) return false;
        const last = lastLoginOf.get(u.username) as string | undefined;
        if (last && last > cutoff) return false;
      }
      return true;
    });
    const back = new URLSearchParams(Object.entries(f).filter(([, v]) => v)).toString();
    return { users, total: all.length, filter: f, back };
  }

  /** The list's filter a row's form carries back (`back`), so an action returns to it. */
  function backFilter(req: FastifyRequest): Record<string, string> {
    const raw = (req.body as Record<string, unknown> | undefined)?.back;
    const b = new URLSearchParams(typeof raw === 'string' && raw.length <= 400 ? raw : '');
    return Object.fromEntries(['q', 'diaban', 'trangthai'].flatMap((k) => (b.get(k) ? [[k, b.get(k)!]] : [])));
  }

  /** Back to the list as it was filtered, with a status line. */
  const toList = (req: FastifyRequest, msg: string): string => {
    const f = listQuery.safeParse(backFilter(req));
    const q = new URLSearchParams(f.success ? Object.entries(f.data).filter(([, v]) => v) : []);
    q.set('msg', msg);
    return `/admin/users?${q.toString()}`;
  };

  s.post('/admin/users', { config: { permission: 'users.manage' } }, async (req, reply) => {
    const parsed = form.safeParse(req.body ?? {});
    const name = usernameSchema.safeParse((req.body as Record<string, unknown> | undefined)?.username ?? '');
    if (!parsed.success || !name.success) {
      reply.code(400);
      return page(req, reply, { error: [...(parsed.error?.issues ?? []), ...(name.error?.issues ?? [])].map((i) => staffText(i.message)).join(' ') });
    }
    if (parsed.data.region && !ctx.knowledge.regionInfo(parsed.data.region)) {
      reply.code(400);
      return page(req, reply, { error: `Không có địa bàn '${parsed.data.region}' trong danh sách địa bàn; hãy chọn lại trong ô "Địa bàn".` });
    }
    const taken = getUserByName(ctx.db, name.data);
    if (taken) {
      reply.code(409);
      // A name of someone who left stays taken (the log keeps it): say so, and what to do.
      const why = taken.disabledAt
        ? ` Đó là tài khoản đã khoá (từ ${formatDateTime(taken.disabledAt)}): nếu đúng là người đó trở lại, mở khoá tài khoản ấy; nếu là người khác, chọn tên khác (ví dụ '${name.data}2' hoặc thêm họ), để nhật ký không lẫn việc của hai người.`
        : ' Hãy chọn tên khác (ví dụ thêm họ: nguyen.hoa).';
      return page(req, reply, { error: `Tên đăng nhập '${name.data}' đã có.${why}` });
    }
    const password = generatePassword();
    const u = createUser(ctx.db, {
      username: name.data,
      displayName: parsed.data.displayName || undefined,
      roles: parsed.data.roles,
      region: checkRegion(req, parsed.data.region),
      password,
      mustChangePassword: true,
      setBy: ctx.me(req).username,
    }, ctx.now());
    const text = newAccountText(u, (slug) => ctx.knowledge.regionInfo(slug)?.name ?? slug);
    ctx.audit(req, { action: 'user.add', targetType: 'user', targetId: u.username, details: { text, roles: u.roles, region: u.region } });
    return page(req, reply, { created: { username: u.username, password } });
  });

  s.post('/admin/users/:name', { config: { permission: 'users.manage' } }, async (req, reply) => {
    const u = target(req);
    // The row as the page showed it: another admin may have saved it since (two admins on the
    // list at once), and saving the stale row put back what they had just changed, unseen.
    const was = (req.body as Record<string, unknown> | undefined)?.was;
    if (typeof was === 'string' && was !== rowState(u))
      return page(req, reply.code(409), {
        error: `Tài khoản '${u.username}' vừa được người khác sửa sau khi bạn mở trang (xem Nhật ký). Dòng bên dưới là thông tin hiện tại; sửa lại và lưu nếu vẫn muốn thay đổi.`,
      });
    const parsed = form.omit({ username: true }).safeParse(req.body ?? {});
    if (!parsed.success) {
      reply.code(400);
      return page(req, reply, { error: parsed.error.issues.map((i) => i.message).join(' ') });
    }
    if (u.id === ctx.me(req).id && !parsed.data.roles.includes('admin'))
      return page(req, reply.code(400), { error: 'Bạn không thể tự bỏ quyền quản trị của mình. Nếu cần, nhờ một quản trị viên khác làm việc này.' });
    const refusal = lastAdminRefusal(ctx.db, u.id, { roles: parsed.data.roles });
    if (refusal) return page(req, reply.code(400), { error: staffText(refusal) });
    const region = checkRegion(req, parsed.data.region, u.region);
    const displayName = parsed.data.displayName || null;
    const roles = [...new Set(parsed.data.roles)];
    const sameRoles = roles.length === u.roles.length && roles.every((r) => u.roles.includes(r));
    if (sameRoles && region === u.region && displayName === u.displayName)
      return reply.redirect(toList(req, `'${u.username}' không có gì thay đổi.`), 303);
    ctx.db.transaction(() => {
      setRoles(ctx.db, u.id, roles);
      setUserRegion(ctx.db, u.id, region);
      setDisplayName(ctx.db, u.id, displayName);
    })();
    const regionName = (slug: string): string => ctx.knowledge.regionInfo(slug)?.name ?? slug;
    const text = [
      accountChangeText(u, { roles, region }, regionName),
      displayName !== u.displayName ? `Tên hiển thị: ${u.displayName ?? '(không có)'} → ${displayName ?? '(không có)'}.` : '',
    ].filter(Boolean).join(' ');
    ctx.audit(req, { action: 'user.role', targetType: 'user', targetId: u.username, details: { text, roles, region } });
    return reply.redirect(toList(req, `Đã cập nhật '${u.username}'. ${text}`), 303);
  });

  s.post('/admin/users/:name/reset', { config: { permission: 'users.manage' } }, async (req, reply) => {
    const u = target(req);
    // One's own password is changed knowing the current one; a reset here ended one's own
    // session under the page that showed the new password.
    if (u.id === ctx.me(req).id)
      return page(req, reply.code(400), { error: 'Để đổi mật khẩu của chính bạn, dùng "Đổi mật khẩu" (cần mật khẩu hiện tại). Nếu quên mật khẩu, nhờ một quản trị viên khác đặt lại, hoặc chạy trên máy chủ: loa user passwd ' + u.username });
    const password = generatePassword();
    resetPassword(ctx.db, u.id, password, true, ctx.me(req).username, ctx.now());
    ctx.audit(req, {
      action: 'user.passwd',
      targetType: 'user',
      targetId: u.username,
      details: {
        text: `Quản trị viên đặt lại mật khẩu (mật khẩu dùng một lần, hết hạn sau ${ONE_TIME_PASSWORD_DAYS} ngày, phải đổi ở lần đăng nhập đầu); các phiên đăng nhập của tài khoản đã đóng. Từ nay người đặt lại không phê duyệt được việc '${u.username}' làm, và ngược lại (bốn mắt).`,
        reset: true,
      },
    });
    return page(req, reply, { created: { username: u.username, password } });
  });

  /**
   * Ends an account's sessions without touching its password: someone left signed in on a
   * shared office computer, or a phone was lost. A reset did this too, but it hands the admin a
   * password (and, since, links the two accounts for four eyes); this does nothing else.
   */
  s.post('/admin/users/:name/sessions/end', { config: { permission: 'users.manage' } }, async (req, reply) => {
    const u = target(req);
    if (u.id === ctx.me(req).id)
      return page(req, reply.code(400), { error: 'Để đăng xuất các máy khác của chính bạn, dùng “Đăng xuất các máy khác” ở trang “Đổi mật khẩu” (trang này giữ phiên bạn đang dùng).' });
    const live = ctx.auth.activeSessions(u.id);
    const ended = ctx.auth.endSessions(u.id);
    const where = live.map((x) => `${x.ip ?? 'không rõ địa chỉ'}, dùng lần cuối ${formatDateTime(x.lastSeenAt)}`).join('; ');
    const text = ended ? `Đăng xuất mọi phiên của '${u.username}' (${live.length} phiên: ${where}); mật khẩu không đổi.` : `'${u.username}' không có phiên đăng nhập nào đang mở.`;
    if (ended) ctx.audit(req, { action: 'user.sessions_end', targetType: 'user', targetId: u.username, details: { text, sessions: live.length } });
    return reply.redirect(toList(req, ended ? `Đã đăng xuất '${u.username}' trên ${live.length} máy; lần sau họ đăng nhập lại bằng mật khẩu của mình.` : text), 303);
  });

  /**
   * What a person leaving still has under way: campaigns they wrote that are not over and
   * content changes they proposed that nobody has decided. Disabling them stops none of it (an
   * approved campaign still goes out on its schedule; a draft waits for someone to take it
   * over), so the admin is told, and the audit keeps it.
   */
  const inFlight = (username: string): { text: string; counts: Record<string, number> } => {
    const rows = ctx.db
      .prepare(`SELECT status, COUNT(*) AS n FROM campaigns WHERE author = ? AND status IN ('draft','submitted','approved','scheduled','sending','paused') GROUP BY status`)
      .all(username) as { status: string; n: number }[];
    const c = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
    const revisions = (ctx.db.prepare(`SELECT COUNT(*) AS n FROM content_revisions WHERE created_by = ? AND status = 'pending'`).get(username) as { n: number }).n;
    const parts: string[] = [];
    if (c.draft) parts.push(`${c.draft} chiến dịch còn là bản nháp`);
    if (c.submitted) parts.push(`${c.submitted} chiến dịch chờ phê duyệt (người phê duyệt vẫn duyệt được)`);
    const going = (c.approved ?? 0) + (c.scheduled ?? 0) + (c.sending ?? 0);
    if (going) parts.push(`${going} chiến dịch đã duyệt hoặc đang gửi (vẫn gửi theo lịch; huỷ hoặc tạm dừng ở trang Chiến dịch nếu không muốn)`);
    if (c.paused) parts.push(`${c.paused} chiến dịch đang tạm dừng`);
    if (revisions) parts.push(`${revisions} bản sửa nội dung chờ phê duyệt`);
    return { text: parts.length ? `Việc còn dở của '${username}': ${parts.join('; ')}.` : '', counts: { ...c, revisions } };
  };

  for (const state of ['disable', 'enable'] as const)
    s.post(`/admin/users/:name/${state}`, { config: { permission: 'users.manage' } }, async (req, reply) => {
      const u = target(req);
      if (u.id === ctx.me(req).id) return page(req, reply.code(400), { error: 'Bạn không thể tự khoá tài khoản của mình. Nếu cần, nhờ một quản trị viên khác làm việc này.' });
      if (state === 'disable') {
        const refusal = lastAdminRefusal(ctx.db, u.id, { disabled: true });
        if (refusal) return page(req, reply.code(400), { error: staffText(refusal) });
      }
      setDisabled(ctx.db, u.id, state === 'disable', ctx.now());
      const left = state === 'disable' ? inFlight(u.username) : { text: '', counts: {} };
      ctx.audit(req, { action: `user.${state}`, targetType: 'user', targetId: u.username, details: left.text ? { text: left.text } : undefined });
      const msg = state === 'disable' ? `Đã khoá '${u.username}'; các phiên đăng nhập của tài khoản này đã đóng.${left.text ? ` ${left.text}` : ''}` : `Đã mở khoá '${u.username}'.`;
      return reply.redirect(toList(req, msg), 303);
    });
};
