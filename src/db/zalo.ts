/**
 * Zalo OA storage: the token pair, its history, pending OAuth (PKCE) states and the
 * information followers submitted. Tokens are secrets: nothing here logs them, and the log
 * table records events, never token values.
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import { registerEraser } from './people.js';

/** The stored token pair of one Zalo app. */
export interface ZaloTokenRow {
  appId: string;
  accessToken: string | null;
  /** ISO time; null when unknown (a pair seeded from the environment). */
  accessExpiresAt: string | null;
  refreshToken: string;
  refreshExpiresAt: string | null;
  source: 'env' | 'connect' | 'refresh';
  generation: number;
  refreshingSince: string | null;
  refreshingUntil: string | null;
  lastRefreshAt: string | null;
  lastError: string | null;
  updatedAt: string;
}

interface Row {
  app_id: string;
  access_token: string | null;
  access_expires_at: string | null;
  refresh_token: string;
  refresh_expires_at: string | null;
  source: ZaloTokenRow['source'];
  generation: number;
  refreshing_since: string | null;
  refreshing_until: string | null;
  last_refresh_at: string | null;
  last_error: string | null;
  updated_at: string;
}

/** A new pair as Zalo issued it. */
export interface NewZaloPair {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  refreshExpiresAt: Date | null;
}

/** The stored pair of an app, or undefined when the OA was never connected. */
export function getZaloTokens(db: Db, appId: string): ZaloTokenRow | undefined {
  const r = db.prepare('SELECT * FROM zalo_tokens WHERE app_id = ?').get(appId) as Row | undefined;
  if (!r) return undefined;
  return {
    appId: r.app_id,
    accessToken: r.access_token,
    accessExpiresAt: r.access_expires_at,
    refreshToken: r.refresh_token,
    refreshExpiresAt: r.refresh_expires_at,
    source: r.source,
    generation: r.generation,
    refreshingSince: r.refreshing_since,
    refreshingUntil: r.refreshing_until,
    lastRefreshAt: r.last_refresh_at,
    lastError: r.last_error,
    updatedAt: r.updated_at,
  };
}

function log(db: Db, appId: string, event: string, generation: number | null, detail: string | null, now: Date): void {
  db.prepare('INSERT INTO zalo_token_log (app_id, event, generation, detail, created_at) VALUES (?, ?, ?, ?, ?)').run(
    appId,
    event,
    generation,
    detail,
    nowIso(now),
  );
}

/**
 * Stores a pair from the environment only when the app has no stored pair yet. Returns true
 * when it seeded: once a pair exists, `ZALO_ACCESS_TOKEN`/`ZALO_REFRESH_TOKEN` are stale by
 * definition (the stored refresh token has rotated past them).
 */
export function seedZaloTokens(
  db: Db,
  appId: string,
  seed: { accessToken?: string; refreshToken: string },
  now: Date = new Date(),
): boolean {
  return db.transaction(() => {
    const res = db
      .prepare(
        `INSERT INTO zalo_tokens (app_id, access_token, refresh_token, source, generation, updated_at)
         VALUES (?, ?, ?, 'env', 1, ?) ON CONFLICT (app_id) DO NOTHING`,
      )
      .run(appId, seed.accessToken ?? null, seed.refreshToken, nowIso(now));
    if (res.changes === 1) log(db, appId, 'seed', 1, null, now);
    return res.changes === 1;
  })();
}

/** Replaces the pair with one from `loa zalo connect` (a fresh authorisation). */
export function saveConnectedZaloTokens(db: Db, appId: string, pair: NewZaloPair, now: Date = new Date()): void {
  db.transaction(() => {
    db.prepare(
      `INSERT INTO zalo_tokens (app_id, access_token, access_expires_at, refresh_token, refresh_expires_at, source,
                                generation, updated_at)
       VALUES (@appId, @a, @ae, @r, @re, 'connect', 1, @now)
       ON CONFLICT (app_id) DO UPDATE SET
         access_token = @a, access_expires_at = @ae, refresh_token = @r, refresh_expires_at = @re,
         source = 'connect', generation = zalo_tokens.generation + 1, refreshing_since = NULL,
         refreshing_until = NULL, last_error = NULL, updated_at = @now`,
    ).run({
      appId,
      a: pair.accessToken,
      ae: nowIso(pair.accessExpiresAt),
      r: pair.refreshToken,
      re: pair.refreshExpiresAt ? nowIso(pair.refreshExpiresAt) : null,
      now: nowIso(now),
    });
    log(db, appId, 'connect', getZaloTokens(db, appId)!.generation, null, now);
  })();
}

/**
 * Claims the right to spend `refreshToken` (the refresh intent): succeeds only while that token
 * is still the stored one and no other process holds an unexpired lease. The intent stays
 * recorded if the process dies before Zalo answers.
 */
export function claimZaloRefresh(db: Db, appId: string, refreshToken: string, leaseUntil: Date, now: Date = new Date()): boolean {
  const res = db
    .prepare(
      `UPDATE zalo_tokens SET refreshing_since = ?, refreshing_until = ?
       WHERE app_id = ? AND refresh_token = ? AND (refreshing_until IS NULL OR refreshing_until <= ?)`,
    )
    .run(nowIso(now), nowIso(leaseUntil), appId, refreshToken, nowIso(now));
  return res.changes === 1;
}

/**
 * Stores the pair a refresh returned, in one transaction, replacing `spentRefreshToken`.
 * Returns false if the stored pair is no longer the one that was spent (should not happen
 * under the lease; the caller then re-reads).
 */
export function saveRefreshedZaloTokens(
  db: Db,
  appId: string,
  spentRefreshToken: string,
  pair: NewZaloPair,
  now: Date = new Date(),
): boolean {
  return db.transaction(() => {
    const res = db
      .prepare(
        `UPDATE zalo_tokens SET access_token = ?, access_expires_at = ?, refresh_token = ?,
           refresh_expires_at = COALESCE(?, refresh_expires_at), source = 'refresh', generation = generation + 1,
           refreshing_since = NULL, refreshing_until = NULL, last_refresh_at = ?, last_error = NULL, updated_at = ?
         WHERE app_id = ? AND refresh_token = ?`,
      )
      .run(
        pair.accessToken,
        nowIso(pair.accessExpiresAt),
        pair.refreshToken,
        pair.refreshExpiresAt ? nowIso(pair.refreshExpiresAt) : null,
        nowIso(now),
        nowIso(now),
        appId,
        spentRefreshToken,
      );
    if (res.changes === 1) log(db, appId, 'refresh', getZaloTokens(db, appId)!.generation, null, now);
    return res.changes === 1;
  })();
}

/** Ends a failed refresh attempt: releases the lease and records the (secret-free) error. */
export function failZaloRefresh(db: Db, appId: string, error: string, now: Date = new Date()): void {
  db.transaction(() => {
    db.prepare(
      `UPDATE zalo_tokens SET refreshing_since = NULL, refreshing_until = NULL, last_error = ?, updated_at = ?
       WHERE app_id = ?`,
    ).run(error, nowIso(now), appId);
    log(db, appId, 'refresh_failed', getZaloTokens(db, appId)?.generation ?? null, error, now);
  })();
}

/** The last entries of the token history, newest first. */
export function zaloTokenLog(
  db: Db,
  appId: string,
  limit = 10,
): { event: string; generation: number | null; detail: string | null; createdAt: string }[] {
  return (
    db
      .prepare('SELECT event, generation, detail, created_at FROM zalo_token_log WHERE app_id = ? ORDER BY id DESC LIMIT ?')
      .all(appId, limit) as { event: string; generation: number | null; detail: string | null; created_at: string }[]
  ).map((r) => ({ event: r.event, generation: r.generation, detail: r.detail, createdAt: r.created_at }));
}

/** Remembers the PKCE verifier of a permission URL just handed out. */
export function saveZaloOAuthState(db: Db, state: string, codeVerifier: string, redirectUri: string | null, now: Date = new Date()): void {
  db.prepare('INSERT INTO zalo_oauth_states (state, code_verifier, redirect_uri, created_at) VALUES (?, ?, ?, ?)').run(
    state,
    codeVerifier,
    redirectUri,
    nowIso(now),
  );
}

/**
 * Takes (once) the verifier for `state` if it was issued less than `maxAgeMs` ago; undefined
 * for an unknown, used or stale state (a forged or replayed callback).
 */
export function takeZaloOAuthState(
  db: Db,
  state: string,
  maxAgeMs: number,
  now: Date = new Date(),
): { codeVerifier: string; redirectUri: string | null } | undefined {
  return db.transaction(() => {
    const r = db
      .prepare('SELECT code_verifier, redirect_uri, created_at FROM zalo_oauth_states WHERE state = ? AND used_at IS NULL')
      .get(state) as { code_verifier: string; redirect_uri: string | null; created_at: string } | undefined;
    if (!r) return undefined;
    db.prepare('UPDATE zalo_oauth_states SET used_at = ? WHERE state = ?').run(nowIso(now), state);
    if (now.getTime() - Date.parse(r.created_at) > maxAgeMs) return undefined;
    return { codeVerifier: r.code_verifier, redirectUri: r.redirect_uri };
  })();
}

/** What a follower submitted with `user_submit_info`. */
export interface ZaloSubmission {
  personId: number | null;
  userId: string;
  name?: string;
  phone?: string;
  address?: string;
  ward?: string;
  district?: string;
  city?: string;
  /** When the person consented (the event time: submitting is the consent). */
  consentAt: Date;
}

/** Stores a submission; returns its id. */
export function recordZaloSubmission(db: Db, s: ZaloSubmission, now: Date = new Date()): number {
  const res = db
    .prepare(
      `INSERT INTO zalo_submissions (person_id, user_id, name, phone, address, ward, district, city, consent_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      s.personId,
      s.userId,
      s.name ?? null,
      s.phone ?? null,
      s.address ?? null,
      s.ward ?? null,
      s.district ?? null,
      s.city ?? null,
      nowIso(s.consentAt),
      nowIso(now),
    );
  return Number(res.lastInsertRowid);
}

/** A person's submissions, newest first. */
export function zaloSubmissionsOf(db: Db, personId: number): (ZaloSubmission & { id: number })[] {
  const rows = db
    .prepare('SELECT * FROM zalo_submissions WHERE person_id = ? ORDER BY id DESC')
    .all(personId) as Record<string, string | number | null>[];
  const opt = (v: string | number | null | undefined): string | undefined => (v === null || v === undefined ? undefined : String(v));
  return rows.map((r) => ({
    id: Number(r.id),
    personId: r.person_id === null ? null : Number(r.person_id),
    userId: String(r.user_id),
    name: opt(r.name),
    phone: opt(r.phone),
    address: opt(r.address),
    ward: opt(r.ward),
    district: opt(r.district),
    city: opt(r.city),
    consentAt: new Date(String(r.consent_at)),
  }));
}

// A request to erase personal data removes what the person submitted through Zalo too.
registerEraser((db, personId) => {
  db.prepare('DELETE FROM zalo_submissions WHERE person_id = ?').run(personId);
});

/**
 * The latest time (ms, Zalo's own `timestamp`) of a follow or unfollow of `userId` already
 * stored, or null. Their dedupe keys are `zalo:follow:<user>:<ms>` and `zalo:unfollow:<user>:<ms>`
 * (channels/zalo/webhook.ts); the range scans use the messages' dedupe index.
 */
export function latestZaloLifecycleAt(db: Db, userId: string): number | null {
  let latest: number | null = null;
  for (const kind of ['follow', 'unfollow']) {
    const prefix = `zalo:${kind}:${userId}:`;
    // ';' is the character after ':': the range is exactly the keys that start with the prefix.
    const rows = db
      .prepare(`SELECT dedupe_key AS key FROM messages WHERE channel = 'zalo' AND dedupe_key >= ? AND dedupe_key < ?`)
      .all(prefix, `${prefix.slice(0, -1)};`) as { key: string }[];
    for (const r of rows) {
      const ms = r.key.slice(prefix.length);
      if (/^\d{1,16}$/.test(ms) && (latest === null || Number(ms) > latest)) latest = Number(ms);
    }
  }
  return latest;
}
