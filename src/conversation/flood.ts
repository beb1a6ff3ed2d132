/**
 * Inbound flood limit per person: a sliding window of the times of the messages it let through.
 * Only typed messages count (the conversation asks for nothing else: button presses and quiz
 * answers are bounded by what was offered). The first message over the limit gets one polite
 * warning; further ones are dropped silently while the window is full, so a flood never turns
 * into a flood of replies; as soon as the window has room again, messages are answered as usual.
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
      // Refused messages are not recorded: they must not keep the window full for ever.
      if (window.count(key, nowMs) < max) {
        window.hit(key, nowMs);
        warned.delete(key);
        return 'ok';
      }
      if (!warned.has(key)) {
        warned.add(key);
        return 'warn';
      }
      return 'drop';
    },
  };
}
