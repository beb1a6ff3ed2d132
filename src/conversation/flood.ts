/**
 * Inbound flood limit per person: a sliding window of recent message times. The first message
 * over the limit gets one polite warning; further ones in the window are dropped silently, so
 * a flood never turns into a flood of replies.
 */
export interface FloodLimiter {
  /** Records a message at `nowMs`; says whether to handle it, warn once, or drop it. */
  hit(key: string, nowMs: number): 'ok' | 'warn' | 'drop';
}

/** A limiter allowing `max` messages per `windowMs` per key. */
export function createFloodLimiter(max: number, windowMs: number): FloodLimiter {
  const hits = new Map<string, { times: number[]; warned: boolean }>();
  let sweeps = 0;
  return {
    hit(key, nowMs) {
      let h = hits.get(key);
      if (!h) hits.set(key, (h = { times: [], warned: false }));
      while (h.times.length > 0 && h.times[0]! <= nowMs - windowMs) h.times.shift();
      if (h.times.length === 0) h.warned = false;
      h.times.push(nowMs);
      // Forget idle keys now and then so memory stays bounded.
      if (++sweeps % 1000 === 0)
        for (const [k, v] of hits) if ((v.times[v.times.length - 1] ?? 0) <= nowMs - windowMs) hits.delete(k);
      if (h.times.length <= max) return 'ok';
      if (!h.warned) {
        h.warned = true;
        return 'warn';
      }
      return 'drop';
    },
  };
}
