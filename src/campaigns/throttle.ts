/**
 * A send throttle for one channel: as close to the platform's limit as possible without
 * tripping it.
 *
 * - **Global rate**: slots are handed out evenly spaced (`1 / rate` apart, GCRA style) rather
 *   than in bursts, because the platforms count requests in sliding windows: a full bucket
 *   emptied at once is exactly what earns a 429. A small tolerance lets a late timer catch up,
 *   so timer jitter does not eat into the rate.
 * - **Where the headroom goes**: aiming at 98 % of the limit leaves 20 ms a second. Half of it
 *   is the most a late timer may catch up; the other half is for the way from the slot to the
 *   platform, whose delay varies (a thread hop, the event loop, the network). Were the catch-up
 *   allowed the whole 20 ms (as it was), a second of slots could already hold the limit, and
 *   any send delayed a little more than its neighbours pushed one second over it.
 * - **Per chat**: Telegram allows about one message per second in one chat; a chat's next
 *   slot is reserved before the caller queues for a global slot, so one busy chat never
 *   holds up the others.
 * - **Priority**: replies to citizens are served before campaign sends waiting on the same
 *   channel.
 * - **Adaptation** (AIMD): a 429 pauses the channel for `retry_after`, cuts the rate, then
 *   every success raises it again by a small step until it is back at the configured limit.
 *   One cut per pause: the other sends that were already in flight and come back 429 too are
 *   the same congestion event.
 */

/** Time source and timer; tests pass a manual clock. */
export interface Clock {
  /** Milliseconds (any origin, monotonic enough). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock, or as soon as `signal` is aborted (early, not
   * rejected): a stop must not wait for a timer, nor leave one behind that keeps the process up.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((r) => {
      if (signal?.aborted) return r();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        r();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Options of {@link createThrottle}. */
export interface ThrottleOptions {
  /** The platform's limit across all chats, messages per second. */
  ratePerSecond: number;
  /** Most messages per second to one chat (Telegram: 1); omit for no per-chat limit. */
  perChatPerSecond?: number;
  /** Fraction of the limit aimed at, leaving room for network jitter (default 0.98). */
  headroom?: number;
  /** Rate multiplier applied on a 429 (default 0.7). */
  decrease?: number;
  /** Sends it takes to climb from zero back to the full rate (default 2 s worth). */
  rampSends?: number;
  /** Lowest rate the adaptation goes down to, as a fraction of the limit (default 0.1). */
  floor?: number;
  clock?: Clock;
}

type Priority = 'reply' | 'campaign';

interface Waiter {
  priority: Priority;
  cost: number;
  resolve: () => void;
  seq: number;
}

/** A throttle; see the module comment. */
export interface Throttle {
  /**
   * Waits for the right to send one message to `chat`. Replies go before campaign sends.
   * `cost` is the number of API calls the message takes (a photo plus a long text: 2).
   * Aborting `signal` (a stop) rejects with its reason at once and takes the request out of the
   * queue: no slot is granted to it, and no timer is left waiting on its behalf.
   */
  acquire(chat: string, priority?: Priority, cost?: number, signal?: AbortSignal): Promise<void>;
  /** The platform said 429: pause for `retryAfterSeconds`, then ramp back up. */
  throttled(retryAfterSeconds: number): void;
  /** A send went through; the rate climbs back towards the limit. */
  succeeded(): void;
  /** Current state, for logs and benchmarks. */
  stats(): { rate: number; limit: number; pausedMs: number; cuts: number; waiting: number };
}

/**
 * Creates a throttle.
 *
 * @example
 * const t = createThrottle({ ratePerSecond: 30, perChatPerSecond: 1 });
 * await t.acquire(chatId, 'campaign');
 * const res = await channel.send(chatId, reply, { broadcast: true });
 * if (res.kind === 'retryAfter') t.throttled(res.seconds); else t.succeeded();
 */
export function createThrottle(options: ThrottleOptions): Throttle {
  // Defaults completed once; `?? ` so an explicit `undefined` also gets the default.
  const o = {
    ...options,
    headroom: options.headroom ?? 0.98,
    decrease: options.decrease ?? 0.7,
    floor: options.floor ?? 0.1,
    clock: options.clock ?? systemClock,
    rampSends: options.rampSends ?? Math.max(10, options.ratePerSecond * 2),
  };
  if (!(o.ratePerSecond > 0)) throw new Error('campaigns: throttle ratePerSecond must be > 0; check TELEGRAM_RATE_GLOBAL / ZALO_RATE_PER_MINUTE');
  const max = o.ratePerSecond * o.headroom;
  const min = o.ratePerSecond * o.floor;
  const clock = o.clock;
  let rate = max;
  let nextSlot = -Infinity;
  let pausedUntil = -Infinity;
  let cuts = 0;
  let seq = 0;
  const queue: Waiter[] = [];
  const chats = new Map<string, number>();
  let pumping = false;
  // Wakes the pump from its wait when the queue was emptied by aborted requests.
  let pumpWait: AbortController | undefined;

  const interval = (): number => 1000 / rate;
  // How late a timer may fire and still keep the schedule: half the headroom's share of a second.
  const catchUpMs = ((1 - o.headroom) * 1000) / 2;

  const takeNext = (): Waiter | undefined => {
    let best = -1;
    for (let i = 0; i < queue.length; i++) {
      const w = queue[i]!;
      const b = queue[best];
      if (!b || (w.priority === 'reply' && b.priority !== 'reply') || (w.priority === b.priority && w.seq < b.seq)) best = i;
    }
    return best >= 0 ? queue.splice(best, 1)[0] : undefined;
  };

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    // The first grant after the queue was empty: an idle spell is not a stall, and earns no
    // catch-up.
    let idle = true;
    try {
      while (queue.length > 0) {
        const t = clock.now();
        const readyAt = Math.max(nextSlot, pausedUntil);
        if (readyAt > t) {
          pumpWait = new AbortController();
          await clock.sleep(readyAt - t, pumpWait.signal);
          pumpWait = undefined;
          continue;
        }
        const w = takeNext()!;
        // A timer that fired late keeps the schedule (slots are never granted early), so
        // jitter does not eat into the rate; later than `catchUpMs` (an idle spell, a stall)
        // only the last `catchUpMs` of slots are caught up, never more: every slot is granted
        // within `catchUpMs` of its time, which is what bounds a second's count.
        // After an empty queue (a sender that takes one slot at a time empties it between slots)
        // the schedule is kept when it is within the catch-up, and restarts from now otherwise.
        const base = idle && nextSlot < t - catchUpMs ? t : Math.max(nextSlot, t - catchUpMs);
        idle = false;
        nextSlot = base + interval() * w.cost;
        w.resolve();
      }
    } finally {
      pumping = false;
    }
  };

  const chatDelay = (chat: string, cost: number): number => {
    if (!o.perChatPerSecond) return 0;
    const t = clock.now();
    if (chats.size > 10_000) for (const [k, v] of chats) if (v < t) chats.delete(k);
    const at = Math.max(t, chats.get(chat) ?? -Infinity);
    chats.set(chat, at + (1000 * Math.max(1, cost)) / o.perChatPerSecond);
    return at - t;
  };

  return {
    async acquire(chat, priority = 'campaign', cost = 1, signal) {
      signal?.throwIfAborted();
      const wait = chatDelay(chat, cost);
      if (wait > 0) await clock.sleep(wait, signal);
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const w: Waiter = { priority, cost: Math.max(1, cost), resolve, seq: seq++ };
        if (signal) {
          const onAbort = (): void => {
            const i = queue.indexOf(w);
            if (i < 0) return;
            queue.splice(i, 1);
            if (queue.length === 0) pumpWait?.abort();
            reject(signal.reason);
          };
          signal.addEventListener('abort', onAbort, { once: true });
          w.resolve = () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          };
        }
        queue.push(w);
        void pump();
      });
    },
    throttled(retryAfterSeconds) {
      const t = clock.now();
      const until = t + Math.max(0, retryAfterSeconds) * 1000;
      if (t >= pausedUntil) {
        // A new congestion event (not an echo of the one we are already paused for).
        rate = Math.max(min, rate * o.decrease);
        cuts++;
      }
      pausedUntil = Math.max(pausedUntil, until);
      nextSlot = Math.max(nextSlot, pausedUntil);
    },
    succeeded() {
      rate = Math.min(max, rate + max / o.rampSends);
    },
    stats() {
      return {
        rate,
        limit: o.ratePerSecond,
        pausedMs: Math.max(0, pausedUntil - clock.now()),
        cuts,
        waiting: queue.length,
      };
    },
  };
}
