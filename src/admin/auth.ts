/**
 * Logins, sessions and CSRF tokens for the admin pages.
 *
 * - Sessions live in SQLite. The cookie carries a random token; the table keeps only its
 *   SHA-256, so a copy of the database does not hand out live sessions.
 * - A session ends after `idleMinutes` without activity or `absoluteHours` after login,
 *   whichever comes first; both use the injected clock, so tests move time instead of waiting.
 * - Each session has its own CSRF token, required on every POST (see `index.ts`).
 * - Logins are throttled from the `login_attempts` table (so the limit survives a restart and
 *   holds across processes), in two ways:
 *   - per account *and* address, with exponential backoff: after `freeFailures` wrong
 *     passwords for one account from one address, that address waits `backoffSeconds`, then
 *     twice as long after each further failure, up to `maxBackoffMinutes`. There is no lock on
 *     the account itself: someone failing on purpose from their own address cannot keep the
 *     real user (at another address) out, which a per-account lockout allowed;
 *   - per address, any account: `maxFailuresPerIp` failures within `windowMinutes` make the
 *     address wait until the oldest of them leaves the window (guessing many accounts).
 *   A refused attempt is not recorded as a failure (no password was tried), and the answer
 *   says how long to wait.
 * - An address is an IPv4 address or an IPv6 /64 (a subscriber's own block: http/server.ts
 *   addressKey), so a client cannot take a fresh address for each guess.
 * - An address's attempts are checked one at a time (a burst sent at once is not tried side
 *   by side, before any of its failures is recorded), at most `maxPendingPerIp` waiting.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Db } from '../db/index.js';
import {
  deleteSession,
  deleteUserSessions,
  getSessionRow,
  insertSession,
  ipLoginFailures,
  pairLoginFailures,
  purgeAdminState,
  recordLoginAttempt,
  touchSession,
  type SessionRow,
} from '../db/admin.js';
import {
  getPasswordHash,
  getUser,
  getUserByName,
  hashPassword,
  latestPasswordSetFor,
  notePasswordChanged,
  notePasswordFirstLogin,
  oneTimePasswordExpired,
  setPassword,
  verifyPassword,
  type PasswordSetFor,
  type User,
} from '../db/users.js';
import { addressKey } from '../http/server.js';

/** Options of {@link createAuth}; every field has a default. */
export interface AuthOptions {
  /** Minutes of inactivity after which a session ends. */
  idleMinutes: number;
  /**
   * The same for a session opened as "Máy dùng chung" (a shared office computer): the next
   * person to sit down should find it ended. Its cookie also lasts only until the browser closes.
   */
  sharedIdleMinutes: number;
  /** Hours after login after which a session ends regardless of activity. */
  absoluteHours: number;
  /** Wrong passwords for one account from one address before that address has to wait. */
  freeFailures: number;
  /** The first wait after `freeFailures`, in seconds; each further failure doubles it. */
  backoffSeconds: number;
  /** The longest wait for one account from one address, in minutes. */
  maxBackoffMinutes: number;
  /** Hours after which an account's failures from an address are forgotten. */
  failureMemoryHours: number;
  /** Failed logins per IP (any account) within the window before the IP is throttled. */
  maxFailuresPerIp: number;
  /** The per-IP window in minutes. */
  windowMinutes: number;
  /**
   * Login attempts of one address waiting for their turn (they are checked one at a time)
   * beyond which the address is told to wait a second.
   */
  maxPendingPerIp: number;
  /**
   * Password checks (scrypt, ~50–100 ms and 32 MiB each) running at once, all addresses
   * together. They run on libuv's thread pool (4 threads), which also serves DNS look-ups and
   * file reads: a login flood from many addresses (one at a time each) filled it, and the bot's
   * replies waited behind it (measured: 300 addresses at once delayed Telegram replies by 130 s).
   */
  maxConcurrentChecks: number;
  /** Checks waiting for one of those slots beyond which a login is told the server is busy. */
  maxQueuedChecks: number;
}

/**
 * Defaults: a working day of use, 2 idle hours; per account and address 3 free tries, then
 * 30 s, 1, 2, 4, 8 min, 15 min at most (about a hundred guesses a day from one address);
 * 20 failures per address in 15 minutes across accounts.
 */
export const defaultAuthOptions: AuthOptions = {
  idleMinutes: 120,
  sharedIdleMinutes: 15,
  absoluteHours: 12,
  freeFailures: 3,
  backoffSeconds: 30,
  maxBackoffMinutes: 15,
  failureMemoryHours: 24,
  maxFailuresPerIp: 20,
  windowMinutes: 15,
  maxPendingPerIp: 8,
  maxConcurrentChecks: 2,
  maxQueuedChecks: 16,
};

/** The result of a login attempt; a throttled one says how many seconds to wait. */
export type LoginResult =
  | {
      ok: true;
      token: string;
      user: User;
      session: SessionRow;
      /** Signed in with a one-time password someone else set: who, when (for the audit). */
      oneTime?: PasswordSetFor;
    }
  | { ok: false; reason: 'invalid' | 'disabled' }
  /** The right one-time password, past its expiry: someone must set a new one. */
  | { ok: false; reason: 'expired'; expiredAt: string; setBy?: string }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number; /** Too many logins from everywhere at once, not this address's failures. */ busy?: boolean };

/**
 * When an address may next try an account: the later of the pair's backoff and the address's
 * window. Pure, for tests: `pair` is that account's failures from that address (count, latest),
 * `ip` the address's failures in the window (count, the `maxFailuresPerIp`-th most recent).
 *
 * @example loginWaitUntil(o, { n: 4, lastAt: '2026-01-01T00:00:00Z' }, { n: 4, nthAt: null }) // 00:01:00
 */
export function loginWaitUntil(
  o: AuthOptions,
  pair: { n: number; lastAt: string | null },
  ip: { n: number; nthAt: string | null },
): number {
  let until = 0;
  if (pair.n >= o.freeFailures && pair.lastAt) {
    const wait = Math.min(o.backoffSeconds * 1000 * 2 ** (pair.n - o.freeFailures), o.maxBackoffMinutes * 60_000);
    until = Date.parse(pair.lastAt) + wait;
  }
  if (ip.n >= o.maxFailuresPerIp && ip.nthAt) until = Math.max(until, Date.parse(ip.nthAt) + o.windowMinutes * 60_000);
  return until;
}

/**
 * Wrong current passwords in one session's password change form at which the session is ended.
 * The form was a way to guess the password with a session alone, with no limit: signing in
 * again goes through the login's throttle, which needs the password.
 */
export const MAX_WRONG_CURRENT = 5;

/**
 * The result of a password change: `wrong` says how many tries the session has left; `ended`: this
 * try ended the session; `gone`: the session had ended before the try was checked.
 */
export type PasswordChangeResult =
  | { ok: true; /** The one-time password someone else set that this change replaced. */ replaced?: PasswordSetFor }
  | { ok: false; reason: 'wrong'; left: number } | { ok: false; reason: 'ended' | 'gone' | 'busy' };

/** A logged-in request's user and session. */
export interface AdminIdentity {
  user: User;
  session: SessionRow;
}

/** The session API used by the admin routes. */
export interface Auth {
  readonly options: AuthOptions;
  /** `ip`: the client's address; throttled by {@link addressKey} (an IPv6 /64). */
  login(username: string, password: string, ip: string, opts?: { shared?: boolean }): Promise<LoginResult>;
  /** The user and session for a cookie token, or undefined when unknown, expired or disabled. */
  resolve(token: string | undefined): AdminIdentity | undefined;
  logout(token: string | undefined): void;
  /**
   * Changes a password after checking the current one; ends the user's other sessions. The
   * checks of one session run one at a time, within the login's cap on checks at once; the
   * {@link MAX_WRONG_CURRENT}th wrong current password of a session ends that session.
   */
  changePassword(user: User, current: string, next: string, keepSessionId: string): Promise<PasswordChangeResult>;
  /** Max-Age (seconds) to give the session cookie. */
  cookieMaxAge(): number;
  /**
   * The account's sessions still alive (neither idle nor past the absolute limit), newest use
   * first: where staff left themselves signed in (a shared office computer).
   */
  activeSessions(userId: number): ActiveSession[];
  /** Ends the account's sessions, but `keepId`; returns how many ended. */
  endSessions(userId: number, keepId?: string): number;
}

/** A live session as the account pages show it (never its token or id's token). */
export interface ActiveSession {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
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
  const idleExpiry = (from: Date, idle: number | null = null): Date => new Date(from.getTime() + minutes(idle ?? o.idleMinutes));
  // The attempts of one address run one after another. The throttle reads the failures
  // recorded so far, and a password check takes ~100 ms: checked side by side, a burst of a
  // hundred guesses all read "no failures yet" and were all tried (measured: 100 wrong
  // passwords for one account from one address in one burst, all answered 401, where the
  // 4th should wait 30 s). One at a time, each attempt sees the ones before it.
  const lanes = new Map<string, { pending: number; tail: Promise<unknown> }>();
  // And at most `maxConcurrentChecks` password checks at once over all addresses, the next
  // `maxQueuedChecks` waiting in turn: the thread pool keeps threads for everything else.
  let checking = 0;
  const queued: (() => void)[] = [];
  const checkPassword = async (password: string, hash: string): Promise<boolean> => {
    if (checking >= o.maxConcurrentChecks) await new Promise<void>((resolve) => queued.push(resolve));
    else checking++;
    try {
      return await verifyPassword(password, hash);
    } finally {
      // The slot passes to the next in line, or is freed.
      const next = queued.shift();
      if (next) next();
      else checking--;
    }
  };
  const busy = (): boolean => checking >= o.maxConcurrentChecks && queued.length >= o.maxQueuedChecks;
  // The password change form's wrong current passwords by session id, and its lanes.
  const wrongCurrent = new Map<string, number>();
  const changeLanes = new Map<string, Promise<unknown>>();

  // `ip` is the throttle's key (an IPv6 client's /64: http/server.ts addressKey); `from` the
  // address itself, kept with the session.
  const attempt = async (username: string, password: string, ip: string, from: string, shared: boolean): Promise<LoginResult> => {
    const t = now();
    const memory = Math.max(o.windowMinutes, o.failureMemoryHours * 60, o.maxBackoffMinutes);
    purgeAdminState(db, t, new Date(t.getTime() - minutes(memory)));
    const name = username.trim().toLowerCase().slice(0, 64);
    const until = loginWaitUntil(
      o,
      pairLoginFailures(db, name, ip, new Date(t.getTime() - minutes(o.failureMemoryHours * 60))),
      ipLoginFailures(db, ip, new Date(t.getTime() - minutes(o.windowMinutes)), o.maxFailuresPerIp),
    );
    if (until > t.getTime()) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.ceil((until - t.getTime()) / 1000) };
    // Nothing tried and nothing counted: the address did nothing wrong, everyone is asking.
    if (busy()) return { ok: false, reason: 'throttled', retryAfterSeconds: 2, busy: true };
    const user = getUserByName(db, name);
    const hash = user ? getPasswordHash(db, user.id) : null;
    dummyHash ??= hashPassword('loa-dummy-password');
    const ok = await checkPassword(password, hash ?? dummyHash);
    if (!user || !hash || !ok) {
      recordLoginAttempt(db, { username: name, ip, ok: false }, t);
      return { ok: false, reason: 'invalid' };
    }
    if (user.disabledAt) {
      recordLoginAttempt(db, { username: name, ip, ok: false }, t);
      return { ok: false, reason: 'disabled' };
    }
    // A one-time password read aloud or left on paper stops working after a few days.
    if (oneTimePasswordExpired(user, t)) {
      recordLoginAttempt(db, { username: name, ip, ok: false }, t);
      return { ok: false, reason: 'expired', expiredAt: user.passwordExpiresAt!, setBy: latestPasswordSetFor(db, user.id)?.setBy };
    }
    recordLoginAttempt(db, { username: name, ip, ok: true }, t);
    const token = randomToken();
    const id = hashToken(token);
    const idle = shared ? o.sharedIdleMinutes : null;
    insertSession(db, { id, userId: user.id, csrfToken: randomToken(), expiresAt: idleExpiry(t, idle), ip: from, ...(idle ? { idleMinutes: idle } : {}) }, t);
    // Whose one-time password this is: the audit of the sign-in names who set it.
    const set = user.mustChangePassword ? latestPasswordSetFor(db, user.id) : undefined;
    const oneTime = set && !set.changedAt ? set : undefined;
    if (oneTime) notePasswordFirstLogin(db, oneTime.id, from, t);
    return { ok: true, token, user, session: getSessionRow(db, id)!, ...(oneTime ? { oneTime } : {}) };
  };

  return {
    options: o,
    async login(username, password, from, opts = {}) {
      const ip = addressKey(from);
      let lane = lanes.get(ip);
      if (!lane) lanes.set(ip, (lane = { pending: 0, tail: Promise.resolve() }));
      // A queue this long is a script (staff behind one address do not log in eight at once):
      // it waits a second, and holds no more memory or connections than that.
      if (lane.pending >= o.maxPendingPerIp) return { ok: false, reason: 'throttled', retryAfterSeconds: 1 };
      lane.pending++;
      const run = lane.tail.then(() => attempt(username, password, ip, from, !!opts.shared));
      lane.tail = run.catch(() => undefined);
      try {
        return await run;
      } finally {
        if (--lane.pending === 0) lanes.delete(ip);
      }
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
      if (t.getTime() - new Date(s.lastSeenAt).getTime() > 60_000) touchSession(db, id, idleExpiry(t, s.idleMinutes), t);
      return { user, session: s };
    },
    logout(token) {
      if (token) deleteSession(db, hashToken(token));
    },
    changePassword(user, current, next, keepSessionId) {
      // One session's tries one after another: sent all at once, each would read "no wrong
      // tries yet" (as the login's lanes above).
      const lane = changeLanes.get(keepSessionId) ?? Promise.resolve();
      const run = lane.then(async (): Promise<PasswordChangeResult> => {
        if (!getSessionRow(db, keepSessionId)) return { ok: false, reason: 'gone' };
        if (busy()) return { ok: false, reason: 'busy' };
        const hash = getPasswordHash(db, user.id);
        if (!hash || !(await checkPassword(current, hash))) {
          const wrong = (wrongCurrent.get(keepSessionId) ?? 0) + 1;
          if (wrong < MAX_WRONG_CURRENT) {
            wrongCurrent.set(keepSessionId, wrong);
            return { ok: false, reason: 'wrong', left: MAX_WRONG_CURRENT - wrong };
          }
          wrongCurrent.delete(keepSessionId);
          deleteSession(db, keepSessionId);
          return { ok: false, reason: 'ended' };
        }
        wrongCurrent.delete(keepSessionId);
        const fresh = getUser(db, user.id);
        const set = fresh?.mustChangePassword ? latestPasswordSetFor(db, user.id) : undefined;
        const replaced = set && !set.changedAt ? set : undefined;
        db.transaction(() => {
          setPassword(db, user.id, next, false);
          if (replaced) notePasswordChanged(db, replaced.id, now());
          deleteUserSessions(db, user.id, keepSessionId);
        })();
        return { ok: true, ...(replaced ? { replaced } : {}) };
      });
      const tail = run.catch(() => undefined);
      changeLanes.set(keepSessionId, tail);
      void tail.then(() => changeLanes.get(keepSessionId) === tail && changeLanes.delete(keepSessionId));
      return run;
    },
    cookieMaxAge() {
      return o.absoluteHours * 3600;
    },
    activeSessions(userId) {
      const t = now();
      const oldest = new Date(t.getTime() - o.absoluteHours * 3_600_000).toISOString();
      return db
        .prepare(
          `SELECT id, created_at AS createdAt, last_seen_at AS lastSeenAt, ip FROM sessions
            WHERE user_id = ? AND expires_at > ? AND created_at > ? ORDER BY last_seen_at DESC`,
        )
        .all(userId, t.toISOString(), oldest) as ActiveSession[];
    },
    endSessions(userId, keepId) {
      return db.prepare('DELETE FROM sessions WHERE user_id = ? AND id != ?').run(userId, keepId ?? '').changes;
    },
  };
}

/**
 * Which throttled logins to write to the audit log: an address's first refusal, then at most
 * one every `everyMs`, carrying how many were left out since. A script that keeps posting to
 * the login form while refused wrote one audit row per request (measured: 2,000 refused posts
 * from one address in 13 s, 1,966 rows and 6 MB of WAL, unbounded over hours); now it writes
 * one a minute. Returns undefined to skip, or the count of refusals skipped before this one.
 *
 * @example const gate = throttleAuditGate(); const skipped = gate(ip, Date.now()); if (skipped !== undefined) recordAudit(…)
 */
export function throttleAuditGate(everyMs = 60_000, maxAddresses = 10_000): (ip: string, nowMs: number) => number | undefined {
  const last = new Map<string, { at: number; skipped: number }>();
  return (ip, nowMs) => {
    const seen = last.get(ip);
    if (seen && nowMs - seen.at < everyMs) {
      seen.skipped++;
      return undefined;
    }
    // Many addresses: forget those audited longer ago than the period (they are written anew).
    if (!seen && last.size >= maxAddresses) for (const [k, v] of last) if (nowMs - v.at >= everyMs) last.delete(k);
    if (!seen && last.size >= maxAddresses) last.clear();
    last.set(ip, { at: nowMs, skipped: 0 });
    return seen?.skipped ?? 0;
  };
}

/**
 * The name typed at the login form, as the audit log records a failed or throttled login. A
 * staff username holds only `a-z 0-9 . _ -` (`usernameSchema`), so any other character cannot be
 * part of a real account's name, and is written as `[U+XXXX]`: typed as `ad<U+200B>min` (a
 * zero-width space) or `аdmin` (Cyrillic а), a failed login was listed in the audit under a name
 * that reads exactly as the real admin's. Trimmed, lowercased (as the login looks names up) and
 * cut to 64 characters first; `(trống)` when nothing was typed.
 *
 * @example auditedLoginName('ad\u200bmin') // 'ad[U+200B]min'
 */
export function auditedLoginName(typed: string): string {
  const name = [...typed.trim().toLowerCase()].slice(0, 64).join('');
  if (!name) return '(trống)';
  return name.replace(/[^a-z0-9._-]/gu, (ch) => `[U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** The session cookie: a random token; the sessions table keeps only its SHA-256. */
export const SESSION_COOKIE = 'loa_admin';
/** The pre-login CSRF cookie (double submit on the login form, which has no session yet). */
export const LOGIN_CSRF_COOKIE = 'loa_login';

/**
 * Options of every admin cookie, for `reply.setCookie` (@fastify/cookie): `HttpOnly` (no script
 * reads it), `SameSite=Lax` (not sent on cross-site POSTs), `Secure` when the request came over
 * https (behind a proxy named in `LOA_TRUST_PROXY`, its X-Forwarded-Proto counts; plain
 * http stays usable on a LAN), scoped to `/admin`. `maxAgeSeconds` 0 deletes the cookie; null
 * keeps it until the browser closes (a shared computer's session). The values are not signed:
 * they are 32 random bytes, worthless unless the server knows them (see {@link hashToken}).
 *
 * @example reply.setCookie(SESSION_COOKIE, token, adminCookie(auth.cookieMaxAge()))
 */
export function adminCookie(maxAgeSeconds: number | null): CookieSerializeOptions {
  return { path: '/admin', ...(maxAgeSeconds === null ? {} : { maxAge: maxAgeSeconds }), httpOnly: true, sameSite: 'lax', secure: 'auto' };
}
