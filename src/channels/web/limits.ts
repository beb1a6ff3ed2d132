/**
 * Limits of the public web chat, checked *before* anything is stored: anyone on the internet
 * can post to `/api/chat`, and each new session id would otherwise add a person and a message
 * row. Four limits, each a sliding window (time/sliding-window.ts):
 * - per address: messages from one IP;
 * - new sessions per address: visitors one IP may start (a script making up session ids);
 * - per session: messages in one conversation (the person's flood limit, enforced here too,
 *   so a refused message is never written);
 * - global: all web messages together; over it, new visitors wait while the conversations
 *   already going on continue (each still under its own limits), so a distributed flood can
 *   neither starve the server nor cut off the people it is answering.
 * A refusal is a 429 with `Retry-After` and a Vietnamese message saying when to try again.
 *
 * Refusals are cheap but not free: each one is still read, parsed and looked up. An address
 * refused `refusalsPerAddress.count` times within `refusalsPerAddress.seconds` (a script that
 * ignores `Retry-After`: people stop after a refusal or two) is *shut out* for that many
 * seconds: {@link WebLimits.door} refuses each of its requests as it arrives, before its body
 * is read, with a look-up in a map. A flood of 2,000 requests then costs a few dozen parsed
 * requests, and the rest the least a request can cost (docs/security.md). Refusals by the
 * global limit are not counted: a visitor refused for what others did is not held to it.
 */
import { createSlidingWindow } from '../../time/sliding-window.js';

/** One "at most `count` per `seconds`" limit. */
export interface Rate {
  count: number;
  seconds: number;
}

export interface WebLimitsConfig {
  perAddress: Rate;
  newSessionsPerAddress: Rate;
  perSession: Rate;
  global: Rate;
  /** Refusals after which an address is shut out, for `seconds`, at the door. */
  refusalsPerAddress: Rate;
}

/**
 * Defaults: generous for a person, and for the many people behind one address (mobile carriers
 * share one public address among many subscribers: CGNAT), tight for a script.
 */
export const defaultWebLimits: WebLimitsConfig = {
  perAddress: { count: 120, seconds: 60 },
  newSessionsPerAddress: { count: 60, seconds: 3600 },
  perSession: { count: 8, seconds: 10 },
  global: { count: 300, seconds: 1 },
  refusalsPerAddress: { count: 30, seconds: 60 },
};

/**
 * A limit's verdict. `shutsOut`: this refusal shuts the address out (once per shut-out: the caller
 * logs it); the door's refusals of a shut-out address name the limit `refusalsPerAddress`.
 */
export type WebLimitVerdict = { ok: true } | { ok: false; limit: keyof WebLimitsConfig; retryAfter: number; shutsOut?: boolean };

/** An address that was shut out, and how many of its requests the door refused meanwhile. */
export interface ShutOut {
  address: string;
  /** When the shut-out began and ended (ms, the clock passed in). */
  fromMs: number;
  untilMs: number;
  /** Requests refused at the door while it lasted. */
  refusedAtDoor: number;
}

export interface WebLimits {
  /**
   * Counts one message from `address` in `session` (`isNew`: the session has never written
   * before) unless a limit refuses it; a refused message counts against nothing. `isNew` may
   * be a function (a database look-up): it is called only when the limits of the address and
   * of the session let the message through, so their refusals cost no look-up.
   */
  check(address: string, session: string, isNew: boolean | (() => boolean), nowMs: number): WebLimitVerdict;
  /**
   * Checked when a request arrives, before its body is read and parsed, counting nothing but
   * its own refusals: a shut-out address (the module comment), then the per-address limit.
   */
  door(address: string, nowMs: number): WebLimitVerdict;
  /** The shut-out alone (the first check of {@link WebLimits.door}): a look-up in a map. */
  shutOut(address: string, nowMs: number): WebLimitVerdict;
  /**
   * Shut-outs that have ended by `nowMs`, each once (and forgotten): the caller logs one line
   * each, not one per refused request.
   */
  ended(nowMs: number): ShutOut[];
}

export function createWebLimits(config: WebLimitsConfig = defaultWebLimits): WebLimits {
  const windows = {
    perAddress: createSlidingWindow({ windowMs: config.perAddress.seconds * 1000 }),
    newSessionsPerAddress: createSlidingWindow({ windowMs: config.newSessionsPerAddress.seconds * 1000 }),
    perSession: createSlidingWindow({ windowMs: config.perSession.seconds * 1000 }),
    global: createSlidingWindow({ windowMs: config.global.seconds * 1000 }),
  };
  const refusals = createSlidingWindow({ windowMs: config.refusalsPerAddress.seconds * 1000 });
  const shut = new Map<string, ShutOut>();
  /** Counts a refusal of `address`; the verdict, marked when it shuts the address out. */
  const refuse = (address: string, limit: keyof WebLimitsConfig, nowMs: number): WebLimitVerdict => {
    const verdict: WebLimitVerdict = { ok: false, limit, retryAfter: Math.ceil(config[limit].seconds) };
    // Over the global limit a new visitor is refused for what others did: not held against them.
    if (limit === 'global' || refusals.hit(address, nowMs) < config.refusalsPerAddress.count) return verdict;
    const untilMs = nowMs + config.refusalsPerAddress.seconds * 1000;
    // Its refusals so far are all older than a window when the shut-out ends: it starts afresh.
    shut.set(address, { address, fromMs: nowMs, untilMs, refusedAtDoor: 0 });
    return { ...verdict, retryAfter: Math.max(verdict.retryAfter, Math.ceil(config.refusalsPerAddress.seconds)), shutsOut: true };
  };
  const shutOut = (address: string, nowMs: number): WebLimitVerdict => {
    const out = shut.get(address);
    if (!out || out.untilMs <= nowMs) return { ok: true };
    out.refusedAtDoor++;
    return { ok: false, limit: 'refusalsPerAddress', retryAfter: Math.ceil((out.untilMs - nowMs) / 1000) };
  };
  return {
    shutOut,
    check(address, session, newSession, nowMs) {
      const tests: [keyof typeof windows, string][] = [
        ['perAddress', address],
        ['perSession', session],
      ];
      for (const [limit, key] of tests)
        if (windows[limit].count(key, nowMs) >= config[limit].count) return refuse(address, limit, nowMs);
      const isNew = typeof newSession === 'function' ? newSession() : newSession;
      if (isNew) {
        const more: [keyof typeof windows, string][] = [
          ['global', '*'],
          ['newSessionsPerAddress', address],
        ];
        for (const [limit, key] of more)
          if (windows[limit].count(key, nowMs) >= config[limit].count) return refuse(address, limit, nowMs);
        tests.push(...more);
      }
      for (const [limit, key] of tests) windows[limit].hit(key, nowMs);
      // Every accepted message counts towards the global load, whoever sent it.
      if (!isNew) windows.global.hit('*', nowMs);
      return { ok: true };
    },
    door(address, nowMs) {
      const out = shutOut(address, nowMs);
      if (!out.ok) return out;
      return windows.perAddress.count(address, nowMs) >= config.perAddress.count ? refuse(address, 'perAddress', nowMs) : { ok: true };
    },
    ended(nowMs) {
      const done: ShutOut[] = [];
      for (const [address, out] of shut)
        if (out.untilMs <= nowMs) {
          shut.delete(address);
          done.push(out);
        }
      return done;
    },
  };
}

/**
 * The messages a limit lets through still cost a real answer each (a person created, the text
 * searched, rows written: a few milliseconds of the main thread and the search thread), and a
 * script sends them all at once. {@link BackloggedLane} keeps that work from delaying other
 * visitors: an address that sends faster than it is answered (one of its messages had to wait
 * for its turn: more than two at once from one address) is *backlogged* for `memoryMs`, and
 * its messages meanwhile are answered one at a time for all backlogged addresses together, in
 * turn by address, each only when no other visitor's message is being answered (or after
 * `maxDeferMs`, so they are never starved). Other visitors' messages are answered at once, as
 * before, and never wait for a backlogged address's.
 */
export interface BackloggedLane {
  /**
   * Runs `fn` (answering one message of `address`) at once, or in the lane when the address is
   * backlogged; `waited`: this message had to wait for its address's turn (it backlogs it).
   */
  run<T>(address: string, waited: boolean, fn: () => Promise<T>): Promise<T>;
  /** Messages waiting in the lane, and whether one of the lane's is being answered. */
  state(): { waiting: number; running: boolean; prompt: number };
}

export function createBackloggedLane(opts: { maxDeferMs?: number; memoryMs?: number; now?: () => number } = {}): BackloggedLane {
  const maxDeferMs = opts.maxDeferMs ?? 100;
  const memoryMs = opts.memoryMs ?? 10_000;
  const now = opts.now ?? (() => performance.now());
  /** Backlogged addresses and until when (ms). */
  const backlogged = new Map<string, number>();
  /** The lane: waiting messages by address, addresses in turn (the first is next). */
  const queues = new Map<string, (() => void)[]>();
  let waiting = 0;
  let running = false;
  /** Messages of other visitors being answered. */
  let prompt = 0;
  /** When the lane last started one, or last became non-empty: the deferral counts from it. */
  let since = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let soon = false;
  const pumpSoon = (): void => {
    // After the events already waiting (a visitor's request that has just come in goes first).
    if (soon) return;
    soon = true;
    setImmediate(() => {
      soon = false;
      pump();
    });
  };
  const pump = (): void => {
    if (running || waiting === 0) return;
    const t = now();
    if (prompt > 0 && t - since < maxDeferMs) {
      timer ??= setTimeout(() => {
        timer = undefined;
        pump();
      }, Math.max(1, Math.ceil(since + maxDeferMs - t)));
      return;
    }
    const [address, q] = queues.entries().next().value as [string, (() => void)[]];
    const start = q.shift()!;
    waiting--;
    queues.delete(address);
    // Its next message waits for every other backlogged address's turn.
    if (q.length) queues.set(address, q);
    running = true;
    since = t;
    start();
  };
  const isBacklogged = (address: string, t: number): boolean => {
    const until = backlogged.get(address);
    if (until === undefined) return false;
    if (until > t) return true;
    backlogged.delete(address);
    return false;
  };
  return {
    async run(address, waited, fn) {
      const t = now();
      if (waited) {
        // Addresses that stopped are forgotten; the map holds at most the recent ones.
        if (backlogged.size > 10_000) for (const [a, until] of backlogged) if (until <= t) backlogged.delete(a);
        backlogged.set(address, t + memoryMs);
      }
      if (!isBacklogged(address, t)) {
        prompt++;
        try {
          return await fn();
        } finally {
          if (--prompt === 0 && waiting > 0) pumpSoon();
        }
      }
      await new Promise<void>((resolve) => {
        if (waiting === 0 && !running) since = t;
        let q = queues.get(address);
        if (!q) queues.set(address, (q = []));
        q.push(resolve);
        waiting++;
        pump();
      });
      try {
        return await fn();
      } finally {
        running = false;
        pumpSoon();
      }
    },
    state: () => ({ waiting, running, prompt }),
  };
}
