/**
 * Logins, sessions and CSRF tokens for the admin pages.
 *
 * - Sessions live in SQLite. The cookie carries a random token; the table keeps only its
 *   SHA-256, so a copy of the database does not hand out live sessions.
 * - A session ends after `idleMinutes` without activity or `absoluteHours` after login,
 *   whichever comes first; both use the injected clock, so tests move time instead of waiting.
 * - Each session has its own CSRF token, required on every POST (see `index.ts`).
 * - Logins are throttled per account and per IP from the `login_attempts` table, so the limit
 *   survives a restart and holds across processes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Db } from '../db/index.js';
import {
  countLoginFailures,
  deleteSession,
  deleteUserSessions,
  getSessionRow,
  insertSession,
  purgeAdminState,
  recordLoginAttempt,
  touchSession,
  type SessionRow,
} from '../db/admin.js';
import { getPasswordHash, getUser, getUserByName, hashPassword, setPassword, verifyPassword, type User } from '../db/users.js';

/** Options of {@link createAuth}; every field has a default. */
export interface AuthOptions {
  /** Minutes of inactivity after which a session ends. */
  idleMinutes: number;
  /** Hours after login after which a session ends regardless of activity. */
  absoluteHours: number;
  /** Failed logins per account within the window before the account is throttled. */
  maxFailuresPerAccount: number;
  /** Failed logins per IP within the window before the IP is throttled. */
  maxFailuresPerIp: number;
  /** The throttling window in minutes. */
  windowMinutes: number;
}

/** Defaults: a working day of use, 2 idle hours, 5 wrong passwords per account / 20 per IP per 15 min. */
export const defaultAuthOptions: AuthOptions = {
  idleMinutes: 120,
  absoluteHours: 12,
  maxFailuresPerAccount: 5,
  maxFailuresPerIp: 20,
  windowMinutes: 15,
};

/** The result of a login attempt. */
export type LoginResult =
  | { ok: true; token: string; user: User; session: SessionRow }
  | { ok: false; reason: 'invalid' | 'throttled' | 'disabled' };

/** A logged-in request's user and session. */
export interface AdminIdentity {
  user: User;
  session: SessionRow;
}

/** The session API used by the admin routes. */
export interface Auth {
  readonly options: AuthOptions;
  login(username: string, password: string, ip: string): Promise<LoginResult>;
  /** The user and session for a cookie token, or undefined when unknown, expired or disabled. */
  resolve(token: string | undefined): AdminIdentity | undefined;
  logout(token: string | undefined): void;
  /** Changes a password after checking the current one; ends the user's other sessions. */
  changePassword(user: User, current: string, next: string, keepSessionId: string): Promise<boolean>;
  /** Max-Age (seconds) to give the session cookie. */
  cookieMaxAge(): number;
}

/** SHA-256 of a token, hex: what the sessions table stores. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A random URL-safe token of 32 bytes. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time string comparison (CSRF tokens). */
export function safeEqual(a: string | undefined, b: string | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// Verified against when the username does not exist, so a wrong username costs as much time as
// a wrong password and the response time does not reveal which accounts exist.
let dummyHash: string | undefined;

/** Creates the session API over the database with an injectable clock. */
export function createAuth(db: Db, now: () => Date = () => new Date(), options: Partial<AuthOptions> = {}): Auth {
  const o: AuthOptions = { ...defaultAuthOptions, ...options };
  const minutes = (n: number): number => n * 60_000;
  const idleExpiry = (from: Date): Date => new Date(from.getTime() + minutes(o.idleMinutes));

  return {
    options: o,
    async login(username, password, ip) {
      const t = now();
      const since = new Date(t.getTime() - minutes(o.windowMinutes));
      purgeAdminState(db, t, new Date(t.getTime() - minutes(Math.max(o.windowMinutes, 60 * 24))));
      const name = username.trim().toLowerCase().slice(0, 64);
      if (
        countLoginFailures(db, { username: name }, since) >= o.maxFailuresPerAccount ||
        countLoginFailures(db, { ip }, since) >= o.maxFailuresPerIp
      ) {
        recordLoginAttempt(db, { username: name, ip, ok: false }, t);
        return { ok: false, reason: 'throttled' };
      }
      const user = getUserByName(db, name);
      const hash = user ? getPasswordHash(db, user.id) : null;
      dummyHash ??= hashPassword('loa-dummy-password');
      const ok = await verifyPassword(password, hash ?? dummyHash);
      if (!user || !hash || !ok) {
        recordLoginAttempt(db, { username: name, ip, ok: false }, t);
        return { ok: false, reason: 'invalid' };
      }
      if (user.disabledAt) {
        recordLoginAttempt(db, { username: name, ip, ok: false }, t);
        return { ok: false, reason: 'disabled' };
      }
      recordLoginAttempt(db, { username: name, ip, ok: true }, t);
      const token = randomToken();
      const id = hashToken(token);
      insertSession(db, { id, userId: user.id, csrfToken: randomToken(), expiresAt: idleExpiry(t), ip }, t);
      return { ok: true, token, user, session: getSessionRow(db, id)! };
    },
    resolve(token) {
      if (!token || token.length > 100) return undefined;
      const id = hashToken(token);
      const s = getSessionRow(db, id);
      if (!s) return undefined;
      const t = now();
      const absolute = new Date(s.createdAt).getTime() + o.absoluteHours * 3_600_000;
      if (new Date(s.expiresAt).getTime() <= t.getTime() || absolute <= t.getTime()) {
        deleteSession(db, id);
        return undefined;
      }
      const user = getUser(db, s.userId);
      if (!user || user.disabledAt) {
        deleteSession(db, id);
        return undefined;
      }
      // Slide the idle expiry at most once a minute: one write per page view is wasted I/O.
      if (t.getTime() - new Date(s.lastSeenAt).getTime() > 60_000) touchSession(db, id, idleExpiry(t), t);
      return { user, session: s };
    },
    logout(token) {
      if (token) deleteSession(db, hashToken(token));
    },
    async changePassword(user, current, next, keepSessionId) {
      const hash = getPasswordHash(db, user.id);
      if (!hash || !(await verifyPassword(current, hash))) return false;
      setPassword(db, user.id, next, false);
      deleteUserSessions(db, user.id, keepSessionId);
      return true;
    },
    cookieMaxAge() {
      return o.absoluteHours * 3600;
    },
  };
}

/** The session cookie: a random token; the sessions table keeps only its SHA-256. */
export const SESSION_COOKIE = 'loa_admin';
/** The pre-login CSRF cookie (double submit on the login form, which has no session yet). */
export const LOGIN_CSRF_COOKIE = 'loa_login';

/**
 * Options of every admin cookie, for `reply.setCookie` (@fastify/cookie): `HttpOnly` (no script
 * reads it), `SameSite=Lax` (not sent on cross-site POSTs), `Secure` when the request came over
 * https (behind a proxy named in `LOA_TRUST_PROXY`, its X-Forwarded-Proto counts; plain
 * http stays usable on a LAN), scoped to `/admin`. `maxAgeSeconds` 0 deletes the cookie. The values are not signed:
 * they are 32 random bytes, worthless unless the server knows them (see {@link hashToken}).
 *
 * @example reply.setCookie(SESSION_COOKIE, token, adminCookie(auth.cookieMaxAge()))
 */
export function adminCookie(maxAgeSeconds: number): CookieSerializeOptions {
  return { path: '/admin', maxAge: maxAgeSeconds, httpOnly: true, sameSite: 'lax', secure: 'auto' };
}
