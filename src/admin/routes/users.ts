/** Staff accounts (admin only): add with a one-time password, change roles and region, reset, disable. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminContext, RegisterRoutes } from '../context.js';
import {
  ROLES,
  createUser,
  generatePassword,
  getUserByName,
  listUsers,
  roleSchema,
  setDisabled,
  setDisplayName,
  setPassword,
  setRoles,
  setUserRegion,
  usernameSchema,
} from '../../db/users.js';
import { deleteUserSessions } from '../../db/admin.js';
import { flattenRegions } from '../../knowledge/content.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : []);
const form = z.object({
  username: z.string().default(''),
  displayName: z.string().trim().max(100).default(''),
  roles: z.unknown().optional().transform(list).pipe(z.array(roleSchema).min(1, 'Chọn ít nhất một vai trò.')),
  region: z.string().trim().default(''),
});

export const registerUserRoutes: RegisterRoutes = (s, ctx) => {
  const regions = (): { slug: string; name: string }[] =>
    [...flattenRegions(ctx.knowledge.state.regions).entries()].map(([slug, r]) => ({ slug, name: r.name }));
  const page = (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}): Promise<FastifyReply> =>
    ctx.render(req, reply, 'users', { title: 'Tài khoản', users: listUsers(ctx.db), roles: ROLES, regions: regions(), error: undefined, created: undefined, ...extra });
  const checkRegion = (slug: string): string | null => {
    if (!slug) return null;
    if (!ctx.knowledge.regionInfo(slug)) throw Object.assign(new Error(`Địa bàn không tồn tại: ${slug}`), { statusCode: 400 });
    return slug;
  };
  const target = (req: FastifyRequest) => {
    const u = getUserByName(ctx.db, (req.params as { name: string }).name);
    if (!u) throw Object.assign(new Error('Không có tài khoản này.'), { statusCode: 404 });
    return u;
  };

  s.get('/admin/users', { config: { permission: 'users.manage' } }, async (req, reply) => page(req, reply));

  s.post('/admin/users', { config: { permission: 'users.manage' } }, async (req, reply) => {
    const parsed = form.safeParse(req.body ?? {});
    const name = usernameSchema.safeParse((req.body as Record<string, unknown> | undefined)?.username ?? '');
    if (!parsed.success || !name.success) {
      reply.code(400);
      return page(req, reply, { error: [...(parsed.error?.issues ?? []), ...(name.error?.issues ?? [])].map((i) => i.message).join(' ') });
    }
    if (getUserByName(ctx.db, name.data)) {
      reply.code(409);
      return page(req, reply, { error: `Tên đăng nhập '${name.data}' đã có.` });
    }
    const password = generatePassword();
    const u = createUser(ctx.db, {
      username: name.data,
      displayName: parsed.data.displayName || undefined,
      roles: parsed.data.roles,
      region: checkRegion(parsed.data.region),
      password,
      mustChangePassword: true,
    });
    ctx.audit(req, { action: 'user.add', targetType: 'user', targetId: u.username, details: { roles: u.roles, region: u.region } });
    return page(req, reply, { created: { username: u.username, password } });
  });

  s.post('/admin/users/:name', { config: { permission: 'users.manage' } }, async (req, reply) => {
    const u = target(req);
    const parsed = form.omit({ username: true }).safeParse(req.body ?? {});
    if (!parsed.success) {
      reply.code(400);
      return page(req, reply, { error: parsed.error.issues.map((i) => i.message).join(' ') });
    }
    if (u.id === ctx.me(req).id && !parsed.data.roles.includes('admin'))
      return page(req, reply.code(400), { error: 'Bạn không thể tự bỏ quyền quản trị của mình.' });
    const region = checkRegion(parsed.data.region);
    ctx.db.transaction(() => {
      setRoles(ctx.db, u.id, parsed.data.roles);
      setUserRegion(ctx.db, u.id, region);
      setDisplayName(ctx.db, u.id, parsed.data.displayName || null);
    })();
    ctx.audit(req, { action: 'user.role', targetType: 'user', targetId: u.username, details: { roles: parsed.data.roles, region } });
    return reply.redirect(`/admin/users?msg=${encodeURIComponent(`Đã cập nhật '${u.username}'.`)}`, 303);
  });

  s.post('/admin/users/:name/reset', { config: { permission: 'users.manage' } }, async (req, reply) => {
    const u = target(req);
    const password = generatePassword();
    setPassword(ctx.db, u.id, password, true);
    deleteUserSessions(ctx.db, u.id);
    ctx.audit(req, { action: 'user.passwd', targetType: 'user', targetId: u.username, details: { reset: true } });
    return page(req, reply, { created: { username: u.username, password } });
  });

  for (const state of ['disable', 'enable'] as const)
    s.post(`/admin/users/:name/${state}`, { config: { permission: 'users.manage' } }, async (req, reply) => {
      const u = target(req);
      if (u.id === ctx.me(req).id) return page(req, reply.code(400), { error: 'Bạn không thể tự khoá tài khoản của mình.' });
      setDisabled(ctx.db, u.id, state === 'disable', ctx.now());
      ctx.audit(req, { action: `user.${state}`, targetType: 'user', targetId: u.username });
      return reply.redirect(`/admin/users?msg=${encodeURIComponent(state === 'disable' ? `Đã khoá '${u.username}'.` : `Đã mở khoá '${u.username}'.`)}`, 303);
    });
};
