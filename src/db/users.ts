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
import { formatVietnamTime } from '../time/vietnam.js';

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
  /** When a one-time password set by someone else stops working; null for none. */
  passwordExpiresAt: string | null;
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
  password_expires_at: string | null;
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
    passwordExpiresAt: r.password_expires_at,
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
  /**
   * Who chose the first password when it is one-time (an admin's username, or `cli`): recorded
   * in `password_resets` (kind `create`) and the password expires after
   * {@link ONE_TIME_PASSWORD_DAYS}.
   */
  setBy: z.string().min(1).optional(),
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
  const id = Number(res.lastInsertRowid);
  if (u.setBy && u.password && u.mustChangePassword) recordPasswordSetFor(db, id, u.setBy, 'create', true, now);
  return getUser(db, id)!;
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
  db.prepare('UPDATE users SET password_hash = ?, must_change_password = ?, password_expires_at = NULL WHERE id = ?').run(
    hashPassword(password),
    mustChange ? 1 : 0,
    id,
  );
}

/**
 * Days a one-time password set by someone else (a reset, a new account) works. It is read
 * aloud or written on paper; one that nobody used should not keep working for months. Expired,
 * the login says to ask for a new one.
 */
export const ONE_TIME_PASSWORD_DAYS = 3;

/**
 * Records that `setBy` (an admin's username, or `cli`) chose this account's password: they knew
 * it, and could sign in as the account before its owner did. A one-time password gets its
 * expiry. Four eyes reads these rows (`possibleHolders`).
 */
function recordPasswordSetFor(db: Db, id: number, setBy: string, kind: 'reset' | 'create', oneTime: boolean, now: Date): void {
  db.prepare('INSERT INTO password_resets (user_id, set_by, kind, at) VALUES (?, ?, ?, ?)').run(id, setBy, kind, nowIso(now));
  db.prepare('UPDATE users SET password_expires_at = ? WHERE id = ?').run(
    oneTime ? nowIso(new Date(now.getTime() + ONE_TIME_PASSWORD_DAYS * 86_400_000)) : null,
    id,
  );
}

/**
 * A password set for someone else (an admin's reset, `loa user passwd`): the new password, the
 * end of every session of the account (whoever held it no longer does), and the account's
 * failed logins forgotten. Those failures made the login wait up to 15 minutes before trying a
 * password at all, so the person handed a new password (or the only admin who just reset their
 * own from the server) was told to wait instead of signing in. `setBy` (the admin, or `cli`) is
 * recorded: they knew the password, and four eyes counts them as possibly behind the account's
 * work from now on (`possibleHolders`).
 */
export function resetPassword(db: Db, id: number, password: string, mustChange: boolean, setBy: string, now: Date = new Date()): void {
  passwordSchema.parse(password);
  const u = getUser(db, id);
  if (!u) throw new Error(`user: không có tài khoản số ${id}`);
  db.transaction(() => {
    setPassword(db, id, password, mustChange);
    recordPasswordSetFor(db, id, setBy, 'reset', mustChange, now);
    db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
    db.prepare('DELETE FROM login_attempts WHERE username = ? AND ok = 0').run(u.username);
  })();
}

/** A password someone else set for an account, as `password_resets` keeps it. */
export interface PasswordSetFor {
  id: number;
  /** The account whose password it is. */
  username: string;
  /** Who chose it: an admin's username, or `cli` (on the server). */
  setBy: string;
  kind: 'reset' | 'create';
  at: string;
  firstLoginAt: string | null;
  firstLoginIp: string | null;
  changedAt: string | null;
}

const passwordSetSelect = `SELECT r.id, u.username, r.set_by AS setBy, r.kind, r.at, r.first_login_at AS firstLoginAt,
  r.first_login_ip AS firstLoginIp, r.changed_at AS changedAt FROM password_resets r JOIN users u ON u.id = r.user_id`;

/** The latest password someone else set for the account, or undefined. */
export function latestPasswordSetFor(db: Db, userId: number): PasswordSetFor | undefined {
  return db.prepare(`${passwordSetSelect} WHERE r.user_id = ? ORDER BY r.at DESC, r.id DESC LIMIT 1`).get(userId) as PasswordSetFor | undefined;
}

/** Marks the first sign-in with a one-time password (the audit says whose it was). */
export function notePasswordFirstLogin(db: Db, resetId: number, ip: string, now: Date = new Date()): void {
  db.prepare('UPDATE password_resets SET first_login_at = ?, first_login_ip = ? WHERE id = ? AND first_login_at IS NULL').run(nowIso(now), ip, resetId);
}

/** Marks the one-time password replaced by the account's own (changed at the first sign-in). */
export function notePasswordChanged(db: Db, resetId: number, now: Date = new Date()): void {
  db.prepare('UPDATE password_resets SET changed_at = ? WHERE id = ? AND changed_at IS NULL').run(nowIso(now), resetId);
}

/** True when the account's one-time password has passed its expiry (see {@link ONE_TIME_PASSWORD_DAYS}). */
export function oneTimePasswordExpired(u: Pick<User, 'mustChangePassword' | 'passwordExpiresAt'>, now: Date): boolean {
  return u.mustChangePassword && !!u.passwordExpiresAt && Date.parse(u.passwordExpiresAt) <= now.getTime();
}

/**
 * Who, besides the account's owner, may have been signed in as it at some time from `since` on:
 * whoever reset its password last before `since`, and whoever reset it after, and, in turn,
 * whoever may have held *their* accounts when they did it (the last reset of the resetter's own
 * account before that moment, and so on: an admin whose own password another admin had reset). Changing the password after a reset does not end this: the first change is made by
 * whoever signs in with the one-time password, which may be the admin who set it. A later reset
 * by someone else does, for what is done after it.
 *
 * Only resets count, not a new account's first password: an admin who wanted a second identity
 * could create one anyway, in plain sight on the account list; a reset borrows the identity of a
 * colleague others trust (see docs/admin.md, "Four eyes after a password reset").
 *
 * @example possibleHolders(db, 'lan', '2026-02-01T00:00:00Z') // [{ username: 'lan', setBy: 'quantri', … }]
 */
export function possibleHolders(db: Db, username: string, since: string): PasswordSetFor[] {
  const q = {
    before: db.prepare(`${passwordSetSelect} WHERE u.username = ? AND r.kind = 'reset' AND r.at <= ? ORDER BY r.at DESC, r.id DESC LIMIT 1`),
    after: db.prepare(`${passwordSetSelect} WHERE u.username = ? AND r.kind = 'reset' AND r.at > ? ORDER BY r.at, r.id LIMIT 50`),
  };
  const out: PasswordSetFor[] = [];
  const seen = new Set<number>();
  // Who held `name`'s account when it reset someone at `at`: its latest reset before, and so on.
  const chain = (name: string, at: string): void => {
    for (let i = 0; i < 20; i++) {
      const r = q.before.get(name, at) as PasswordSetFor | undefined;
      if (!r || seen.has(r.id) || r.setBy.toLowerCase() === name.toLowerCase()) return;
      seen.add(r.id);
      out.push(r);
      if (r.setBy === 'cli') return;
      [name, at] = [r.setBy, r.at];
    }
  };
  const first = q.before.get(username, since) as PasswordSetFor | undefined;
  for (const r of first ? [first, ...(q.after.all(username, since) as PasswordSetFor[])] : (q.after.all(username, since) as PasswordSetFor[])) {
    if (seen.has(r.id) || r.setBy.toLowerCase() === username.toLowerCase()) continue;
    seen.add(r.id);
    out.push(r);
    if (r.setBy !== 'cli') chain(r.setBy, r.at);
  }
  return out;
}

/**
 * How one person may be behind both an approver's account and a changer's, by password resets:
 * the approver's own latest reset (whoever may hold the account now) and each changer's resets
 * since `since` (when the changes began). `conflict` is the first changer someone may share with
 * the approver, with the resets that link them; `involved` lists every changer's reset (and the
 * approver's when it is part of a conflict), for the approval page.
 */
export function resetLinks(
  db: Db,
  approver: string,
  changers: readonly string[],
  since: string,
  now: Date,
): { conflict?: { changer: string; resets: PasswordSetFor[] }; involved: PasswordSetFor[] } {
  const mine = possibleHolders(db, approver, nowIso(now));
  const behindMe = new Set([approver.toLowerCase(), ...mine.map((r) => r.setBy.toLowerCase())]);
  const involved = new Map<number, PasswordSetFor>();
  let conflict: { changer: string; resets: PasswordSetFor[] } | undefined;
  for (const c of changers) {
    if (c.toLowerCase() === approver.toLowerCase()) continue;
    const theirs = possibleHolders(db, c, since);
    for (const r of theirs) involved.set(r.id, r);
    const behindThem = new Set([c.toLowerCase(), ...theirs.map((r) => r.setBy.toLowerCase())]);
    if (conflict || ![...behindThem].some((p) => behindMe.has(p))) continue;
    // The whole path, so the refusal can be followed: a changer's reset by an admin whose own
    // password the server had set, and the approver's set there too, say so all three.
    const resets = [...theirs, ...mine];
    conflict = { changer: c, resets };
    for (const r of mine) involved.set(r.id, r);
  }
  return { ...(conflict ? { conflict } : {}), involved: [...involved.values()] };
}

/** A reset as staff read it: whose password, by whom, when, and its first sign-in. */
export function resetSentence(r: PasswordSetFor): string {
  const at = (iso: string): string => formatVietnamTime(new Date(iso), 'HH:mm dd/MM/yyyy');
  const by = r.setBy === 'cli' ? 'trên máy chủ (loa user passwd)' : `bởi '${r.setBy}'`;
  const first = r.firstLoginAt ? `; đăng nhập lần đầu bằng mật khẩu đó lúc ${at(r.firstLoginAt)}${r.firstLoginIp ? ` từ ${r.firstLoginIp}` : ''}` : '';
  return `mật khẩu của '${r.username}' được đặt lại ${by} lúc ${at(r.at)}${first}`;
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
