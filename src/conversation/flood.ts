/**
 * Inbound flood limit per person: a sliding window of the times of the messages it let through.
 * Only typed messages count (the conversation asks for nothing else: button presses and quiz
 * answers are bounded by what was offered). The first message over the limit gets one polite
 * warning; further ones are dropped silently while the window is full, so a flood never turns
 * into a flood of replies; as soon as the window has room again, messages are answered as usual.
 *
 * A second, hourly window bounds what a person can send at the limit's pace for long: at most
 * {@link SUSTAINED_MINUTES} minutes of it an hour (8 per 10 s: 240 an hour). A script kept under
 * the short limit for ever: one Telegram account sending 8 distinct questions every 10 s put
 * 2,880 an hour, 69,120 a day, into the staff's queue of unanswered questions, each one answered.
 * People type far fewer (a contest answered by typed numbers is about 40 messages).
 */
import { createSlidingWindow } from '../time/sliding-window.js';

/** Minutes an hour a person may send at the short limit's full pace (the hourly window's size). */
export const SUSTAINED_MINUTES = 5;

export interface FloodLimiter {
  /** Records a message at `nowMs`; says whether to handle it, warn once, or drop it. */
  hit(key: string, nowMs: number): 'ok' | 'warn' | 'drop';
}

/**
 * A limiter allowing `max` messages per `windowMs` per key, and per hour what `max` per
 * `windowMs` allows in {@link SUSTAINED_MINUTES} minutes (at least `max`).
 */
export function createFloodLimiter(max: number, windowMs: number): FloodLimiter {
  const hourMs = 3_600_000;
  const perHour = Math.max(max, Math.floor((max * SUSTAINED_MINUTES * 60_000) / windowMs));
  // Keys warned in their current burst; a burst ends when a message is let through again, or
  // when the key is forgotten by the longer window (the shorter one empties while a key over
  // the hourly limit is refused, and forgetting there would warn it again).
  const warned = new Set<string>();
  const long = Math.max(windowMs, hourMs);
  const window = createSlidingWindow({ windowMs });
  const hourly = createSlidingWindow({ windowMs: long, onForget: (key) => warned.delete(key) });
  return {
    hit(key, nowMs) {
      // Refused messages are not recorded: they must not keep the window full for ever.
      if (window.count(key, nowMs) < max && hourly.count(key, nowMs) < perHour) {
        window.hit(key, nowMs);
        hourly.hit(key, nowMs);
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
