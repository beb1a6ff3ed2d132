/**
 * The token store against the fake OAuth server: refresh ahead of expiry, single flight (in
 * one process and across two sharing the database), a crash in the middle, a dead refresh
 * token. The fake refuses any refresh token used twice, so "never reused" is checked by it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/db/index.js';
import { claimZaloRefresh, getZaloTokens, zaloTokenLog } from '../../src/db/zalo.js';
import { createZaloOAuth, type ZaloOAuth } from '../../src/channels/zalo/client.js';
import { createZaloTokenStore, REFRESH_LEASE_MS, type ZaloTokenStoreDeps } from '../../src/channels/zalo/token-store.js';
import { ZaloHttpError, ZaloTokenError } from '../../src/channels/zalo/errors.js';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo.js';
import { tempDir } from '../support/app.js';

const HOUR = 3600_000;
let clock: Date;
const now = (): Date => clock;
const advance = (ms: number): void => {
  clock = new Date(clock.getTime() + ms);
};
/** Waiting for another process's lease passes fake time, never real time. */
const sleep = async (ms: number): Promise<void> => {
  advance(ms);
  await new Promise((r) => setImmediate(r));
};

let zalo: FakeZalo;
let oauth: ZaloOAuth;
let dir: { dir: string; cleanup: () => void };
let dbs: Db[];

const oauthCalls = (): number => zalo.calls.filter((c) => c.path === '/v4/oa/access_token').length;
const refusedRefreshes = (): number =>
  zalo.calls.filter((c) => c.path === '/v4/oa/access_token' && (c.answer as { error?: number }).error !== undefined).length;
const open = (): Db => {
  const db = openDb(join(dir.dir, 'loa.sqlite'));
  dbs.push(db);
  return db;
};
const store = (db: Db, extra: Partial<ZaloTokenStoreDeps> = {}) =>
  createZaloTokenStore({ db, appId: zalo.appId, oauth, now, sleep, ...extra });
/** A store holding a pair just issued by the fake (as after `loa zalo connect`). */
const connected = (db: Db) => {
  const s = store(db);
  const p = zalo.issueTokens();
  s.saveConnected({ access_token: p.accessToken, refresh_token: p.refreshToken, expires_in: 90_000 });
  return { s, pair: p };
};

beforeEach(async () => {
  clock = new Date('2026-11-23T03:00:00Z');
  zalo = await startFakeZalo({ now });
  oauth = createZaloOAuth({ apiBase: zalo.url, oauthBase: zalo.url, appId: zalo.appId, appSecret: zalo.appSecret });
  dir = tempDir('loa-zalo-tokens-');
  dbs = [];
});

afterEach(async () => {
  for (const db of dbs) if (db.open) db.close();
  dir.cleanup();
  await zalo.close();
});

describe('Zalo token store', () => {
  it('uses the stored token until 5 minutes before expiry, then refreshes once and stores the new pair', async () => {
    const db = open();
    const { s, pair } = connected(db);
    advance(25 * HOUR - 6 * 60_000);
    expect(await s.get()).toBe(pair.accessToken);
    expect(oauthCalls()).toBe(0);

    advance(2 * 60_000); // 4 minutes left: inside the refresh margin
    const fresh = await s.get();
    expect(fresh).not.toBe(pair.accessToken);
    expect(oauthCalls()).toBe(1);
    const row = getZaloTokens(db, zalo.appId)!;
    expect(row).toMatchObject({ accessToken: fresh, source: 'refresh', generation: 2, refreshingSince: null });
    expect(row.refreshToken).not.toBe(pair.refreshToken);
    expect(Date.parse(row.accessExpiresAt!)).toBe(clock.getTime() + 90_000 * 1000);
    expect(zalo.spentRefreshTokens).toEqual([pair.refreshToken]);
    expect(await s.get()).toBe(fresh);
    expect(oauthCalls()).toBe(1);
  });

  it('refreshes once for many concurrent callers (expiry and -216 renewals alike)', async () => {
    const { s, pair } = connected(open());
    advance(26 * HOUR);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => s.get()));
    expect(new Set(tokens).size).toBe(1);
    expect(oauthCalls()).toBe(1);

    // Twenty sends all told "-216" for the same token: one refresh between them.
    zalo.expireAccessTokens();
    const renewed = await Promise.all(Array.from({ length: 20 }, () => s.renew(tokens[0]!)));
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(tokens[0]);
    expect(oauthCalls()).toBe(2);
    // A caller reporting a token already replaced gets the current one without a refresh.
    expect(await s.renew(pair.accessToken)).toBe(renewed[0]);
    expect(oauthCalls()).toBe(2);
    expect(refusedRefreshes()).toBe(0);
  });

  it('two processes sharing the database spend the refresh token once', async () => {
    const a = connected(open()).s;
    const b = store(open()); // a second connection to the same file: another process
    advance(26 * HOUR);
    const [ta, tb] = await Promise.all([a.get(), b.get()]);
    expect(ta).toBe(tb);
    expect(oauthCalls()).toBe(1);
    expect(refusedRefreshes()).toBe(0);
  });

  it('survives a crash right after Zalo answered: a new process uses the stored pair and never reuses a refresh token', async () => {
    const dbA = open();
    const { pair } = connected(dbA);
    let answered = false;
    const dying = store(dbA, {
      oauth: {
        refresh: async (rt) => {
          const answer = await oauth.refresh(rt);
          answered = true;
          return answer;
        },
      },
    });
    advance(26 * HOUR);
    await dying.refresh(); // the answer arrives and is stored; the process "dies" before using it
    expect(answered).toBe(true);
    dbA.close();

    const dbB = open(); // the restarted process
    const b = store(dbB);
    const token = await b.get();
    expect(oauthCalls()).toBe(1); // nothing to refresh: the pair saved by the dead process is used
    expect(token).toBe(getZaloTokens(dbB, zalo.appId)!.accessToken);
    expect(token).not.toBe(pair.accessToken);

    advance(26 * HOUR);
    await b.get(); // the next refresh spends the *new* refresh token
    expect(oauthCalls()).toBe(2);
    expect(refusedRefreshes()).toBe(0);
    expect(new Set(zalo.spentRefreshTokens).size).toBe(2);
  });

  it('after a crash while the request was in flight, waits out the lease and then refreshes', async () => {
    const db = open();
    const { pair } = connected(db);
    // The dead process recorded its intent but Zalo never got the request.
    claimZaloRefresh(db, zalo.appId, pair.refreshToken, new Date(clock.getTime() + REFRESH_LEASE_MS), clock);
    advance(26 * HOUR - REFRESH_LEASE_MS + 1000); // the lease is still 1 s from expiring
    const restarted = store(open());
    advance(0);
    await restarted.get();
    expect(oauthCalls()).toBe(1);
    expect(getZaloTokens(db, zalo.appId)!.refreshingSince).toBeNull();
  });

  it('when the interrupted refresh had reached Zalo, says so and how to fix it', async () => {
    const db = open();
    const { pair } = connected(db);
    claimZaloRefresh(db, zalo.appId, pair.refreshToken, new Date(clock.getTime() + REFRESH_LEASE_MS), clock);
    await oauth.refresh(pair.refreshToken); // Zalo rotated it, the answer was lost with the process
    advance(26 * HOUR);
    const err = await store(open())
      .get()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZaloTokenError);
    expect((err as ZaloTokenError).needsConnect).toBe(true);
    expect((err as Error).message).toMatch(/never finished/);
    expect((err as Error).message).toMatch(/loa zalo connect/);
  });

  it('a dead refresh token gives one clear operator error and no further OAuth calls until reconnected', async () => {
    const db = open();
    const { s, pair } = connected(db);
    zalo.revokeRefreshToken(pair.refreshToken);
    advance(26 * HOUR);
    await expect(s.get()).rejects.toThrow(/refresh token was refused \(error -14020.*Run `loa zalo connect`/);
    await expect(s.get()).rejects.toBeInstanceOf(ZaloTokenError);
    expect(oauthCalls()).toBe(1);
    expect(getZaloTokens(db, zalo.appId)!.lastError).toBe('refused: error -14020');
    expect(zaloTokenLog(db, zalo.appId)[0]).toMatchObject({ event: 'refresh_failed' });

    const p = zalo.issueTokens();
    s.saveConnected({ access_token: p.accessToken, refresh_token: p.refreshToken, expires_in: 90_000 });
    expect(await s.get()).toBe(p.accessToken);
  });

  it('a refresh refused for a wrong app secret names ZALO_APP_SECRET, not a reconnect', async () => {
    const db = open();
    const p = zalo.issueTokens();
    const wrong = createZaloOAuth({ apiBase: zalo.url, oauthBase: zalo.url, appId: zalo.appId, appSecret: 'not-the-secret' });
    const s = store(db, { oauth: wrong });
    s.saveConnected({ access_token: p.accessToken, refresh_token: p.refreshToken, expires_in: 90_000 });
    advance(26 * HOUR);
    await expect(s.get()).rejects.toThrow(/error -14002.*ZALO_APP_SECRET is wrong.*not spent/);
    await expect(s.get()).rejects.not.toThrow(/loa zalo connect/);
    expect(getZaloTokens(db, zalo.appId)!.lastError).toBe('refused: error -14002');
    // Corrected and restarted: the same refresh token still works.
    expect(await store(db).get()).not.toBe(p.accessToken);
    expect(zalo.spentRefreshTokens).toEqual([p.refreshToken]);
  });

  it('a network failure during refresh is retryable and releases the lease', async () => {
    const db = open();
    const { s } = connected(db);
    advance(26 * HOUR);
    zalo.failHttp('/v4/oa/access_token', 502);
    await expect(s.get()).rejects.toBeInstanceOf(ZaloHttpError);
    expect(getZaloTokens(db, zalo.appId)!.refreshingSince).toBeNull();
    await s.get();
    expect(oauthCalls()).toBe(2);
  });

  it('seeds from ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN on the first start only', async () => {
    const db = open();
    const first = zalo.issueTokens();
    const s = store(db, { seed: first });
    expect(await s.get()).toBe(first.accessToken); // expiry unknown: used until Zalo refuses it
    expect(getZaloTokens(db, zalo.appId)).toMatchObject({ source: 'env', accessExpiresAt: null });

    zalo.expireAccessTokens();
    const renewed = await s.renew(first.accessToken);
    const stale = zalo.issueTokens();
    const restarted = store(db, { seed: stale }); // env still set at the next start: ignored
    expect(await restarted.get()).toBe(renewed);
    expect(getZaloTokens(db, zalo.appId)!.source).toBe('refresh');
  });

  it('says how to connect when there is no pair', async () => {
    await expect(store(open()).get()).rejects.toThrow(/not connected.*loa zalo connect/);
  });
});
