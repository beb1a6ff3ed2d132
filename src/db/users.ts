/**
 * Staff accounts: usernames, scrypt password hashes, roles and an optional region scope.
 *
 * Roles are a small fixed set; `admin` implies every other role. A user scoped to a region
 * may only see and target that region and its descendants (see {@link regionAllowed}).
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Db } from './index.js';
import { nowIso } from './index.js';

/** Every role, in the order shown to staff. */
export const ROLES = ['admin', 'editor', 'approver', 'broadcaster', 'quiz_organizer', 'viewer'] as const;
/** A staff role. */
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Vietnamese names of the roles, for the admin pages and the CLI. */
export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Quản trị',
  editor: 'Biên tập',
  approver: 'Phê duyệt',
  broadcaster: 'Gửi tin',
  quiz_organizer: 'Tổ chức thi',
  viewer: 'Xem',
};

/** Usernames: short, lower-case ASCII, so they are easy to type on any keyboard. */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,31}$/, 'user: tên đăng nhập dài 2–32 ký tự, chỉ gồm a-z không dấu, 0-9, . _ - (ví dụ "hoa" hoặc "nguyen.hoa")');

/** Passwords: long enough to resist guessing (the login is also throttled). */
export const passwordSchema = z.string().min(10, 'user: mật khẩu phải có ít nhất 10 ký tự');

/** A staff account as stored (without the password hash). */
export interface User {
  id: number;
  username: string;
  displayName: string | null;
  roles: Role[];
  /** Region slug the user is limited to; null = every region. */
  region: string | null;
  mustChangePassword: boolean;
  hasPassword: boolean;
  createdAt: string;
  disabledAt: string | null;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string | null;
  password_hash: string | null;
  roles: string;
  region: string | null;
  must_change_password: number;
  created_at: string;
  disabled_at: string | null;
}

const rolesJson = z.array(roleSchema);

function toUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    roles: rolesJson.parse(JSON.parse(r.roles)),
    region: r.region,
    mustChangePassword: r.must_change_password === 1,
    hasPassword: r.password_hash !== null,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
  };
}

/** scrypt cost. N = 2^15, r = 8 (32 MiB, ~50–100 ms): OWASP's floor is 2^17 with p=1 at 128 MiB,
 * too heavy for the old office PCs this runs on; the login is throttled on top. The parameters
 * are stored in each hash, so raising them later keeps old hashes valid. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };

/** Hashes a password with scrypt: `scrypt$N$r$p$salt$hash` (base64). */
export function hashPassword(password: string, params: { N: number; r: number; p: number } = SCRYPT_PARAMS): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, SCRYPT_PARAMS.keylen, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r,
  });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a password against a stored hash without blocking the event loop. Constant-time compare. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, expected.length, { N, r, p, maxmem: 256 * N * r }, (err, k) =>
      err ? reject(err) : resolve(k),
    ),
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A random password that is easy to read aloud and type: 4 groups of 4 (no 0/O, 1/l/I). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i > 0 && i % 4 === 0) out += '-';
    out += alphabet[bytes[i]! % alphabet.length];
  }
  return out;
}

/** Input of {@link createUser}. */
export const newUserSchema = z.object({
  username: usernameSchema,
  displayName: z.string().trim().min(1).optional(),
  roles: z.array(roleSchema).min(1, 'user: hãy chọn ít nhất một vai trò'),
  region: z.string().min(1).nullable().default(null),
  /** The plain password (hashed here); omit for an account that cannot log in yet. */
  password: passwordSchema.optional(),
  mustChangePassword: z.boolean().default(false),
});
export type NewUser = z.input<typeof newUserSchema>;

/**
 * Creates an account. Throws if the username is taken.
 *
 * @example createUser(db, { username: 'hoa', roles: ['broadcaster'], region: 'pho-hien', password: 'mật khẩu dài' })
 */
export function createUser(db: Db, input: NewUser, now: Date = new Date()): User {
  const u = newUserSchema.parse(input);
  if (getUserByName(db, u.username)) throw new Error(`user: tài khoản '${u.username}' đã có; hãy chọn tên khác, hoặc đổi vai trò bằng 'loa user role'`);
  const res = db
    .prepare(
      `INSERT INTO users (username, display_name, password_hash, roles, region, must_change_password, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      u.username,
      u.displayName ?? null,
      u.password ? hashPassword(u.password) : null,
      JSON.stringify([...new Set(u.roles)]),
      u.region,
      u.mustChangePassword ? 1 : 0,
      nowIso(now),
    );
  return getUser(db, Number(res.lastInsertRowid))!;
}

/** The account with this id, or undefined. */
export function getUser(db: Db, id: number): User | undefined {
  const r = db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  return r ? toUser(r) : undefined;
}

/** The account with this username (case-insensitive), or undefined. */
export function getUserByName(db: Db, username: string): User | undefined {
  const r = db.prepare('SELECT * FROM users WHERE username = ?').get(username.trim()) as UserRow | undefined;
  return r ? toUser(r) : undefined;
}

/** The stored password hash of an account (for login only), or null. */
export function getPasswordHash(db: Db, id: number): string | null {
  const r = db.prepare('SELECT password_hash FROM users WHERE id = ?').get(id) as { password_hash: string | null } | undefined;
  return r?.password_hash ?? null;
}

/** Sets a new password; `mustChange` forces a change at next login (one-time passwords). */
export function setPassword(db: Db, id: number, password: string, mustChange = false): void {
  passwordSchema.parse(password);
  db.prepare('UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?').run(
    hashPassword(password),
    mustChange ? 1 : 0,
    id,
  );
}

/**
 * A password set for someone else (an admin's reset, `loa user passwd`): the new password, the
 * end of every session of the account (whoever held it no longer does), and the account's
 * failed logins forgotten. Those failures made the login wait up to 15 minutes before trying a
 * password at all, so the person handed a new password (or the only admin who just reset their
 * own from the server) was told to wait instead of signing in.
 */
export function resetPassword(db: Db, id: number, password: string, mustChange: boolean): void {
  passwordSchema.parse(password);
  const u = getUser(db, id);
  if (!u) throw new Error(`user: không có tài khoản số ${id}`);
  db.transaction(() => {
    setPassword(db, id, password, mustChange);
    db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
    db.prepare('DELETE FROM login_attempts WHERE username = ? AND ok = 0').run(u.username);
  })();
}

/** Enabled accounts holding the admin role. */
export function enabledAdmins(db: Db): User[] {
  return listUsers(db).filter((u) => !u.disabledAt && u.roles.includes('admin'));
}

/**
 * Why a change would leave no enabled admin (nobody could then add, unlock or reset accounts
 * from the pages), or null when another enabled admin remains.
 */
export function lastAdminRefusal(db: Db, id: number, after: { disabled?: boolean; roles?: readonly Role[] }): string | null {
  const u = getUser(db, id);
  if (!u || u.disabledAt || !u.roles.includes('admin')) return null;
  const stillAdmin = !after.disabled && (after.roles ?? u.roles).includes('admin');
  if (stillAdmin) return null;
  if (enabledAdmins(db).some((a) => a.id !== id)) return null;
  return `user: '${u.username}' là tài khoản quản trị cuối cùng còn hoạt động; nếu khoá hoặc bỏ quyền quản trị thì không ai quản lý được tài khoản. Hãy tạo (hoặc mở khoá) một tài khoản quản trị khác trước, ví dụ: loa user add ten-moi --role admin`;
}

/** Replaces the roles of an account. */
export function setRoles(db: Db, id: number, roles: Role[]): void {
  const parsed = z.array(roleSchema).min(1, 'user: hãy chọn ít nhất một vai trò').parse(roles);
  db.prepare('UPDATE users SET roles = ? WHERE id = ?').run(JSON.stringify([...new Set(parsed)]), id);
}

/** Sets (or clears, with null) the region an account is limited to. */
export function setUserRegion(db: Db, id: number, region: string | null): void {
  db.prepare('UPDATE users SET region = ? WHERE id = ?').run(region, id);
}

/** Sets the name shown in the pages. */
export function setDisplayName(db: Db, id: number, name: string | null): void {
  db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(name, id);
}

/** Disables (or re-enables) an account; a disabled account cannot log in and its sessions end. */
export function setDisabled(db: Db, id: number, disabled: boolean, now: Date = new Date()): void {
  db.transaction(() => {
    db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(disabled ? nowIso(now) : null, id);
    if (disabled) db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
  })();
}

/** Every account, by username. */
export function listUsers(db: Db): User[] {
  return (db.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
}

/** True when there is at least one enabled admin account. */
export function hasAdmin(db: Db): boolean {
  return listUsers(db).some((u) => !u.disabledAt && u.roles.includes('admin'));
}

/** True when the user holds the role (admin implies every role) and is not disabled. */
export function hasRole(user: Pick<User, 'roles' | 'disabledAt'>, role: Role): boolean {
  if (user.disabledAt) return false;
  return user.roles.includes('admin') || user.roles.includes(role);
}

/** True when the user holds any of the roles. */
export function hasAnyRole(user: Pick<User, 'roles' | 'disabledAt'>, roles: readonly Role[]): boolean {
  return roles.some((r) => hasRole(user, r));
}

/**
 * True when the user may see or target `region`. `pathOf` gives a region's path from the root
 * (e.g. `app.knowledge.regionInfo(slug)?.path`). A user without a scope may target anything;
 * a scoped user only their region and its descendants, and never "every region" (null).
 *
 * @example regionAllowed(hoa, 'pho-hien', (s) => app.knowledge.regionInfo(s)?.path)
 */
export function regionAllowed(
  user: Pick<User, 'region'>,
  region: string | null,
  pathOf: (slug: string) => string[] | undefined,
): boolean {
  if (!user.region) return true;
  if (!region) return false;
  const path = pathOf(region);
  return !!path && path.includes(user.region);
}

/** True when a scoped user may target every region in the list (an empty list means "all"). */
export function regionsAllowed(
  user: Pick<User, 'region'>,
  regions: readonly string[],
  pathOf: (slug: string) => string[] | undefined,
): boolean {
  if (!user.region) return true;
  if (regions.length === 0) return false;
  return regions.every((r) => regionAllowed(user, r, pathOf));
}

/**
 * One Vietnamese sentence saying what a role or region change did, before and after, for the
 * audit log: "who made Hoa an approver, and what was she before?" was not answerable from
 * entries that kept the new roles only. `regionName` turns a slug into the name staff know.
 *
 * @example accountChangeText({ roles: ['editor'], region: null }, { roles: ['approver'], region: 'pho-hien' }, (s) => 'Phường Phố Hiến')
 * // 'Vai trò: Biên tập → Phê duyệt. Địa bàn: mọi địa bàn → Phường Phố Hiến.'
 */
export function accountChangeText(
  before: Pick<User, 'roles' | 'region'>,
  after: Pick<User, 'roles' | 'region'>,
  regionName: (slug: string) => string = (s) => s,
): string {
  const roles = (r: readonly Role[]): string => r.map((x) => ROLE_LABELS[x]).join(', ');
  const region = (r: string | null): string => (r ? regionName(r) : 'mọi địa bàn');
  const parts: string[] = [];
  const sameRoles = before.roles.length === after.roles.length && before.roles.every((r) => after.roles.includes(r));
  parts.push(sameRoles ? `Vai trò giữ nguyên: ${roles(after.roles)}.` : `Vai trò: ${roles(before.roles)} → ${roles(after.roles)}.`);
  parts.push(before.region === after.region ? `Địa bàn giữ nguyên: ${region(after.region)}.` : `Địa bàn: ${region(before.region)} → ${region(after.region)}.`);
  return parts.join(' ');
}

/** The audit sentence of a new account: its roles and region in staff's words. */
export function newAccountText(u: Pick<User, 'roles' | 'region'>, regionName: (slug: string) => string = (s) => s): string {
  return `Vai trò: ${u.roles.map((r) => ROLE_LABELS[r]).join(', ')}. Địa bàn: ${u.region ? regionName(u.region) : 'mọi địa bàn'}.`;
}
