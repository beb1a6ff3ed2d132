/**
 * A sliding-window log per key: how many events a key had in the last `windowMs`. It is what
 * "at most N per window" limits are built on (the inbound flood limit per person in
 * conversation/flood.ts, the reply budget per Telegram group in telegram/updates.ts).
 *
 * A log of times rather than a fixed-window counter, because a fixed window lets twice the
 * limit through across its edge; the logs stay short since callers stop recording soon after
 * the limit. Times are passed in (ms, any origin), so tests need no clock. Keys idle for a whole
 * window are forgotten every so often, so memory stays bounded by the keys active recently.
 */

/** Options of {@link createSlidingWindow}. */
export interface SlidingWindowOptions {
  /** The window, ms: an event at `t` counts until `t + windowMs` (exclusive). */
  windowMs: number;
  /** Called when an idle key is forgotten, so the caller can drop what it keeps per key. */
  onForget?: (key: string) => void;
}

/** Per-key event counts over a sliding window; see the module comment. */
export interface SlidingWindow {
  /** Events of `key` in the window ending at `nowMs`. */
  count(key: string, nowMs: number): number;
  /** Records an event of `key` at `nowMs`; returns the count including it. */
  hit(key: string, nowMs: number): number;
  /** Takes back the last event of `key` recorded at exactly `atMs` (none: nothing happens). */
  release(key: string, atMs: number): void;
}

/** How many operations between two sweeps of idle keys. */
const SWEEP_EVERY = 1000;

/**
 * Creates a sliding window.
 *
 * @example
 * const perGroup = createSlidingWindow({ windowMs: 60_000 });
 * if (perGroup.count(chatId, Date.now()) < 10) perGroup.hit(chatId, Date.now());
 */
export function createSlidingWindow(options: SlidingWindowOptions): SlidingWindow {
  const { windowMs, onForget } = options;
  const logs = new Map<string, number[]>();
  let ops = 0;

  const recent = (key: string, nowMs: number): number[] => {
    let times = logs.get(key);
    if (!times) logs.set(key, (times = []));
    // The clock was set back (NTP stepping it, someone by hand): events logged "after" now count
    // as now. Kept as they were, they counted until the clock caught up again, so a step back of
    // an hour while the web chat's global limit was full refused everyone for that hour.
    for (let i = times.length - 1; i >= 0 && times[i]! > nowMs; i--) times[i] = nowMs;
    while (times.length > 0 && times[0]! <= nowMs - windowMs) times.shift();
    if (++ops % SWEEP_EVERY === 0)
      for (const [k, v] of logs)
        if (k !== key && (v.length === 0 || v[v.length - 1]! <= nowMs - windowMs)) {
          logs.delete(k);
          onForget?.(k);
        }
    return times;
  };

  return {
    count: (key, nowMs) => recent(key, nowMs).length,
    hit(key, nowMs) {
      const times = recent(key, nowMs);
      times.push(nowMs);
      return times.length;
    },
    release(key, atMs) {
      const times = logs.get(key);
      const i = times?.lastIndexOf(atMs) ?? -1;
      if (i >= 0) times!.splice(i, 1);
    },
  };
}
