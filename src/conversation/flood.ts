/**
 * Inbound flood limit per person: a sliding window of recent message times. The first message
 * over the limit gets one polite warning; further ones in the window are dropped silently, so
 * a flood never turns into a flood of replies.
 */
import { createSlidingWindow } from '../time/sliding-window.js';

export interface FloodLimiter {
  /** Records a message at `nowMs`; says whether to handle it, warn once, or drop it. */
  hit(key: string, nowMs: number): 'ok' | 'warn' | 'drop';
}

/** A limiter allowing `max` messages per `windowMs` per key. */
export function createFloodLimiter(max: number, windowMs: number): FloodLimiter {
  // Keys warned in their current burst; a burst ends when the window empties.
  const warned = new Set<string>();
  const window = createSlidingWindow({ windowMs, onForget: (key) => warned.delete(key) });
  return {
    hit(key, nowMs) {
      if (window.count(key, nowMs) === 0) warned.delete(key);
      if (window.hit(key, nowMs) <= max) return 'ok';
      if (!warned.has(key)) {
        warned.add(key);
        return 'warn';
      }
      return 'drop';
    },
  };
}
