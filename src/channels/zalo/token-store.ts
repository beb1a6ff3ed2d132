/**
 * The OA's token pair, kept alive without anyone touching it.
 *
 * Zalo's refresh tokens work once, which makes the order of operations the whole design:
 *
 * 1. Before calling OAuth, the store records its *intent* (a lease on the current refresh
 *    token, in the database). Another process sharing the file (a CLI next to the server)
 *    sees the lease and waits for the new pair instead of spending the same token.
 * 2. The instant Zalo answers, the new pair replaces the spent one in one transaction
 *    (synchronous better-sqlite3, no `await` in between), and only then is the new access
 *    token handed to anyone. A crash after that point loses nothing: the next process reads
 *    the new pair. A crash before it cannot un-spend the token; the intent left behind lets
 *    the operator error say exactly what happened.
 * 3. Refreshes happen 5 minutes ahead of expiry and again when Zalo refuses a token
 *    (-216/-220), single-flight: however many sends notice at once, OAuth is called once.
 *
 * The pair is read from the database on every use (a few microseconds), so `loa zalo connect`
 * run beside a live server takes effect at once.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/index.js';
import {
  claimZaloRefresh,
  failZaloRefresh,
  getZaloTokens,
  saveConnectedZaloTokens,
  saveRefreshedZaloTokens,
  seedZaloTokens,
  type NewZaloPair,
  type ZaloTokenRow,
} from '../../db/zalo.js';
import type { AccessTokenSource, ZaloOAuth, ZaloTokenAnswer } from './client.js';
import { ZaloApiError, ZaloTokenError } from './errors.js';

/** Refresh this long before the access token expires. */
export const REFRESH_AHEAD_MS = 5 * 60_000;
/** How long one process may hold the refresh lease (longer than an OAuth call can take). */
export const REFRESH_LEASE_MS = 30_000;

/** Dependencies of {@link createZaloTokenStore}. */
export interface ZaloTokenStoreDeps {
  db: Db;
  appId: string;
  oauth: Pick<ZaloOAuth, 'refresh'>;
  /** ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN: stored on first start only. */
  seed?: { accessToken?: string; refreshToken?: string };
  logger?: Logger;
  now?: () => Date;
  /** Waits while another process holds the lease (tests inject an instant one). */
  sleep?: (ms: number) => Promise<void>;
}

/** The token store. */
export interface ZaloTokenStore extends AccessTokenSource {
  /** Forces a refresh now (single-flight); returns the new access token. */
  refresh(): Promise<string>;
  /** Stores a pair from a new authorisation (`loa zalo connect`). */
  saveConnected(answer: ZaloTokenAnswer): void;
  /** The stored row (never log it: it holds the tokens). */
  current(): ZaloTokenRow | undefined;
}

/** Turns Zalo's answer (lifetimes in seconds) into a pair with absolute expiry times. */
export function pairFromAnswer(answer: ZaloTokenAnswer, now: Date): NewZaloPair {
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    accessExpiresAt: new Date(now.getTime() + answer.expires_in * 1000),
    refreshExpiresAt:
      answer.refresh_token_expires_in !== undefined ? new Date(now.getTime() + answer.refresh_token_expires_in * 1000) : null,
  };
}

const CONNECT_FIX = 'Run `loa zalo connect` to authorise the OA again (see docs/zalo.md).';

/**
 * Creates the store and seeds it from the environment if the app has no pair yet.
 *
 * @example
 * const tokens = createZaloTokenStore({ db, appId, oauth: createZaloOAuth(opts) });
 * const client = createZaloClient({ ...opts, tokens });
 */
export function createZaloTokenStore(deps: ZaloTokenStoreDeps): ZaloTokenStore {
  const { db, appId, oauth, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let inflight: Promise<string> | null = null;
  // A refresh token Zalo refused: don't hammer OAuth with it for the life of this process. A
  // new pair (connect) has another refresh token, which clears this by itself.
  let dead: { refreshToken: string; error: ZaloTokenError } | null = null;

  if (deps.seed?.refreshToken) {
    if (seedZaloTokens(db, appId, { accessToken: deps.seed.accessToken, refreshToken: deps.seed.refreshToken }, now()))
      logger?.info('zalo: token pair seeded from ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN');
    else logger?.debug('zalo: a stored token pair exists; ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN are ignored');
  } else if (deps.seed?.accessToken && !getZaloTokens(db, appId))
    logger?.warn('zalo: ZALO_ACCESS_TOKEN without ZALO_REFRESH_TOKEN cannot be kept alive; set both, or run `loa zalo connect`');

  const read = (): ZaloTokenRow => {
    const row = getZaloTokens(db, appId);
    if (!row) throw new ZaloTokenError(`Zalo: the OA is not connected (no token pair stored). ${CONNECT_FIX}`, true);
    if (dead && dead.refreshToken === row.refreshToken) throw dead.error;
    return row;
  };

  const fresh = (row: ZaloTokenRow, at: Date): boolean =>
    row.accessToken !== null && (row.accessExpiresAt === null || Date.parse(row.accessExpiresAt) - REFRESH_AHEAD_MS > at.getTime());

  const doRefresh = async (): Promise<string> => {
    for (;;) {
      const row = read();
      const started = now();
      if (!claimZaloRefresh(db, appId, row.refreshToken, new Date(started.getTime() + REFRESH_LEASE_MS), started)) {
        // Another process holds the lease: wait for its pair rather than spend the same token.
        logger?.debug('zalo: another process is refreshing the token; waiting');
        await sleep(250);
        const after = read();
        if (after.refreshToken !== row.refreshToken && after.accessToken) return after.accessToken;
        continue;
      }
      const interrupted = row.refreshingSince; // an intent left by a process that died mid-refresh
      let answer: ZaloTokenAnswer;
      try {
        answer = await oauth.refresh(row.refreshToken);
      } catch (err) {
        if (err instanceof ZaloApiError) {
          const why = interrupted
            ? ` A refresh started at ${interrupted} never finished (the process stopped while Zalo was answering), so Zalo had already replaced this refresh token.`
            : '';
          // Zalo refused the app's own secret or id: the refresh token was not spent, and a new
          // authorisation would be refused the same way. The configuration must be corrected.
          const credential = err.code === -14002 ? 'ZALO_APP_SECRET' : err.code === -14001 ? 'ZALO_APP_ID' : undefined;
          const error = new ZaloTokenError(
            credential
              ? `Zalo: the refresh was refused for the app's credentials (error ${err.code}: ${err.description}): ${credential} is wrong. Correct it (developers.zalo.me, the OA's app) and restart Loa; the stored refresh token was not spent, so no new authorisation is needed.`
              : `Zalo: the stored refresh token was refused (error ${err.code}: ${err.description}).${why} Refresh tokens work once and expire after 3 months. ${CONNECT_FIX}`,
            true,
            err.code,
          );
          failZaloRefresh(db, appId, `refused: error ${err.code}`, now());
          dead = { refreshToken: row.refreshToken, error };
          logger?.error({ code: err.code }, error.message);
          throw error;
        }
        failZaloRefresh(db, appId, (err as Error).message, now());
        logger?.warn({ err: (err as Error).message }, 'zalo: token refresh failed; will try again');
        throw err;
      }
      // No await between receipt and this line: the new pair is on disk before anyone uses it.
      const pair = pairFromAnswer(answer, now());
      if (!saveRefreshedZaloTokens(db, appId, row.refreshToken, pair, now()))
        throw new ZaloTokenError('Zalo: the token pair changed during a refresh (another process?); the send will be retried', false);
      logger?.info({ expiresAt: pair.accessExpiresAt.toISOString() }, 'zalo: access token refreshed');
      return pair.accessToken;
    }
  };

  const refresh = (): Promise<string> => {
    if (!inflight) inflight = doRefresh().finally(() => (inflight = null));
    return inflight;
  };

  return {
    async get() {
      if (inflight) return inflight;
      const row = read();
      if (fresh(row, now())) return row.accessToken!;
      return refresh();
    },
    async renew(stale) {
      if (inflight) return inflight;
      const row = read();
      // Someone already replaced the refused token: use theirs rather than spend another refresh.
      if (row.accessToken && row.accessToken !== stale && fresh(row, now())) return row.accessToken;
      return refresh();
    },
    refresh,
    saveConnected(answer) {
      saveConnectedZaloTokens(db, appId, pairFromAnswer(answer, now()), now());
      dead = null;
    },
    current: () => getZaloTokens(db, appId),
  };
}
