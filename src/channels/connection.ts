/**
 * Channel connection state, and connecting in the background.
 *
 * Why: a platform that cannot be reached (the Bot API blocked on a government network, Zalo's
 * OAuth server down) must never hold up the rest of Loa. The web chat, the admin pages and the
 * first admin account come up at once; each platform channel connects on its own with a
 * capped exponential backoff (1 s, 2 s, 4 s … 5 min), logs the reason of every failed try, and
 * tells {@link ChannelHealth} where it stands, which `/healthz` and the admin dashboard show.
 *
 * A channel's `start()` signals what kind of failure it met by throwing a {@link ConnectError}:
 * `permanent` for what retrying cannot fix (a wrong token, an invalid app secret), which ends
 * in the state `failed` with a Vietnamese reason staff can act on. Anything else is retried.
 *
 * @example
 * const health = createChannelHealth(['web', 'telegram']);
 * const conn = connectInBackground({ name: 'telegram', channel, health, logger });
 * await health.waitFor('telegram', 'connected');
 * await conn.stop();
 */
import type { Logger } from 'pino';
import type { ChannelName } from './channel.js';

/** Where a channel stands: `off` when it is not configured. */
export type ChannelState = 'connected' | 'retrying' | 'failed' | 'off';

/** A channel's state as `/healthz` reports it (`reason` is Vietnamese, for staff). */
export interface ChannelStatus {
  state: ChannelState;
  /** When the channel entered this state (ISO). */
  since: string;
  /** Why it is not connected, and what to do about it. */
  reason?: string;
  /** Failed connection attempts in a row (while retrying). */
  attempts?: number;
  /** When the next attempt is due (ISO, while retrying). */
  nextAttemptAt?: string;
}

/**
 * A failure to connect, classified. `message` is English for the log; `reason` is Vietnamese
 * for staff (dashboard, `/healthz`); `permanent` means retrying cannot help.
 */
export class ConnectError extends Error {
  override name = 'ConnectError';
  constructor(
    message: string,
    /** Vietnamese: what is wrong and how to fix it. */
    readonly reason: string,
    /** True when only a change by the operator (token, secret, URL) can fix it. */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** What a started channel reports later, once `start()` has resolved. */
export interface ConnectionEvents {
  /** The connection works (again), e.g. a long poll answered. */
  up(): void;
  /** A passing problem the channel retries by itself (a long poll failed). */
  trouble(reason: string): void;
  /** The channel stopped working (its poll loop ended on an error): connect it again. */
  lost(err: ConnectError): void;
}

/** The state of every channel. */
export interface ChannelHealth {
  get(name: ChannelName): ChannelStatus;
  /** Every channel the app knows of, configured or not. */
  all(): Record<ChannelName, ChannelStatus>;
  set(name: ChannelName, state: ChannelState, extra?: Omit<ChannelStatus, 'state' | 'since'>): void;
  isConnected(name: ChannelName): boolean;
  /** Resolves once the channel is in `state` (at once if it is). */
  waitFor(name: ChannelName, state: ChannelState): Promise<void>;
  /** Called on every change (the outbox wakes up when a channel connects). */
  onChange(fn: (name: ChannelName, status: ChannelStatus) => void): void;
}

/**
 * Creates the registry. Channels named in `configured` start as `retrying` ("đang kết nối"),
 * the others as `off`.
 */
export function createChannelHealth(all: readonly ChannelName[], configured: readonly ChannelName[], now: () => Date = () => new Date()): ChannelHealth {
  const status = new Map<ChannelName, ChannelStatus>();
  const listeners: ((name: ChannelName, s: ChannelStatus) => void)[] = [];
  const at = now().toISOString();
  for (const n of all)
    status.set(n, configured.includes(n) ? { state: 'retrying', since: at, reason: 'Đang kết nối lần đầu.', attempts: 0 } : { state: 'off', since: at });
  const health: ChannelHealth = {
    get: (name) => status.get(name) ?? { state: 'off', since: at },
    all: () => Object.fromEntries([...status.entries()].map(([k, v]) => [k, { ...v }])) as Record<ChannelName, ChannelStatus>,
    set(name, state, extra = {}) {
      const prev = status.get(name);
      const since = prev?.state === state ? prev.since : now().toISOString();
      const next: ChannelStatus = { state, since, ...extra };
      status.set(name, next);
      for (const fn of [...listeners]) fn(name, next);
    },
    isConnected: (name) => status.get(name)?.state === 'connected',
    waitFor(name, state) {
      if (health.get(name).state === state) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const fn = (n: ChannelName, s: ChannelStatus): void => {
          if (n !== name || s.state !== state) return;
          listeners.splice(listeners.indexOf(fn), 1);
          resolve();
        };
        listeners.push(fn);
      });
    },
    onChange: (fn) => void listeners.push(fn),
  };
  return health;
}

/** Backoff between connection attempts. */
export interface BackoffOptions {
  /** First wait (default 1 s). */
  minMs: number;
  /** Longest wait (default 5 min). */
  maxMs: number;
}

/** The default: 1 s, doubling, at most 5 minutes. */
export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 1000, maxMs: 5 * 60_000 };

/** The wait before attempt `n + 1` after `n` failures (n ≥ 1). */
export function backoffDelay(failures: number, o: BackoffOptions = DEFAULT_BACKOFF): number {
  return Math.min(o.maxMs, o.minMs * 2 ** Math.min(failures - 1, 30));
}

/** Dependencies of {@link connectInBackground}. */
export interface ConnectDeps {
  name: ChannelName;
  /** The channel's start: resolves once connected; rejects with a ConnectError (or anything). */
  start(events: ConnectionEvents): Promise<void>;
  health: ChannelHealth;
  logger: Logger;
  backoff?: Partial<BackoffOptions>;
  /**
   * Also retry after a permanent failure, at the longest interval: for a fix that does not
   * need a restart (Zalo: `loa zalo connect` beside the running server).
   */
  recheckFailed?: boolean;
}

/** A background connection; `stop()` ends its retries. */
export interface Connection {
  /** Settles when the first attempt has succeeded or failed (never rejects). */
  readonly firstAttempt: Promise<void>;
  stop(): void;
}

/**
 * Connects a channel in the background: tries at once, then after each failure waits the
 * backoff (logging why) and tries again, until connected or stopped. A `lost` event from the
 * channel starts it over.
 */
export function connectInBackground(deps: ConnectDeps): Connection {
  const { name, health, logger } = deps;
  const backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let running = false;
  let firstSettled!: () => void;
  const firstAttempt = new Promise<void>((r) => (firstSettled = r));

  const events: ConnectionEvents = {
    up() {
      if (!stopped && !running && !health.isConnected(name)) {
        failures = 0;
        health.set(name, 'connected');
        logger.info({ channel: name }, 'channel: connection works again');
      }
    },
    trouble(reason) {
      if (stopped || running) return;
      if (health.get(name).reason !== reason) logger.warn({ channel: name, reason }, 'channel: connection trouble; the channel retries by itself');
      health.set(name, 'retrying', { reason });
    },
    lost(err) {
      if (stopped || running) return;
      logger.warn({ channel: name, err: err.message }, 'channel: connection lost; connecting again');
      failed(err);
    },
  };

  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void attempt(), ms);
    timer.unref();
  };

  const failed = (err: unknown): void => {
    const ce = err instanceof ConnectError ? err : undefined;
    const reason = ce?.reason ?? `Lỗi không xác định khi kết nối: ${err instanceof Error ? err.message : String(err)}. Loa sẽ tự thử lại.`;
    failures++;
    if (ce?.permanent) {
      health.set(name, 'failed', { reason });
      logger.error({ channel: name, err: ce.message }, `channel: cannot connect; ${deps.recheckFailed ? 'checking again every few minutes' : 'not retrying until restarted'}`);
      if (deps.recheckFailed) schedule(backoff.maxMs);
      return;
    }
    const wait = backoffDelay(failures, backoff);
    health.set(name, 'retrying', { reason, attempts: failures, nextAttemptAt: new Date(Date.now() + wait).toISOString() });
    logger.warn({ channel: name, attempt: failures, retryInMs: wait, err: err instanceof Error ? err.message : String(err) }, 'channel: connection failed; retrying');
    schedule(wait);
  };

  const attempt = async (): Promise<void> => {
    if (stopped) return;
    running = true;
    try {
      await deps.start(events);
      running = false;
      if (stopped) return;
      failures = 0;
      health.set(name, 'connected');
      logger.info({ channel: name }, 'channel: connected');
    } catch (err) {
      running = false;
      if (!stopped) failed(err);
    } finally {
      firstSettled();
    }
  };

  void attempt();
  return {
    firstAttempt,
    stop() {
      firstSettled();
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
