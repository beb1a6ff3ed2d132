import { describe, expect, it } from 'vitest';
import { createThrottle, systemClock } from '../../src/campaigns/throttle.js';
import { manualClock } from './helpers.js';

/** Starts `n` acquires and records the clock time each is granted. */
function grants(acquire: (i: number) => Promise<void>, n: number, clock: { now(): number }): number[] {
  const at: number[] = [];
  for (let i = 0; i < n; i++) void acquire(i).then(() => at.push(clock.now()));
  return at;
}

describe('throttle', () => {
  it('spaces sends evenly and never exceeds the limit in any one-second window', async () => {
    const clock = manualClock();
    const t = createThrottle({ ratePerSecond: 10, headroom: 1, clock });
    const at = grants((i) => t.acquire(`chat-${i}`), 35, clock);
    await clock.advance(5000);
    expect(at).toHaveLength(35);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(100 - 1e-6);
    for (const start of at) expect(at.filter((x) => x >= start && x < start + 1000).length).toBeLessThanOrEqual(10);
    // And as fast as allowed: 35 sends at 10/s take 3.4 s.
    expect(at.at(-1)).toBeCloseTo(3400, 0);
  });

  it('after stalls, leaves half the headroom of every one-second window for the way to the platform', async () => {
    // Timers that fire late, as on a busy event loop: every 20th wait ends `lag` ms late.
    for (const lag of [5, 9, 15, 40, 300]) {
      const manual = manualClock();
      let waits = 0;
      const clock = { now: () => manual.now(), sleep: (ms: number) => manual.sleep(ms + (++waits % 20 === 0 ? lag : 0)) };
      const t = createThrottle({ ratePerSecond: 300, clock });
      const at = grants((i) => t.acquire(`chat-${i}`), 1500, manual);
      await manual.advance(60_000);
      expect(at).toHaveLength(1500);
      // 98 % of the limit is 294 a second; a late timer may catch up by 10 ms (half the
      // headroom), so a second holds at most 294 × 1.01 slots, never the whole 300: a send
      // delayed a few ms more than the others on its way still lands under the limit.
      let most = 0;
      for (let i = 0, j = 0; i < at.length; i++) {
        while (at[i]! - at[j]! >= 1000) j++;
        most = Math.max(most, i - j + 1);
      }
      expect(most, `lag ${lag} ms`).toBeLessThanOrEqual(Math.floor(294 * 1.01) + 1);
      // A timer late by less than that keeps the schedule: the stalls cost no rate.
      if (lag <= 10) expect(1499 / ((at.at(-1)! - at[0]!) / 1000), `lag ${lag} ms`).toBeGreaterThan(293);
    }
  });

  it('aims a little under the limit by default (headroom for network jitter)', async () => {
    const clock = manualClock();
    const t = createThrottle({ ratePerSecond: 30, clock });
    const at = grants((i) => t.acquire(`c${i}`), 31, clock);
    await clock.advance(2000);
    expect(at.at(-1)! - at[0]!).toBeGreaterThan(1000);
  });

  it('serves a waiting reply before queued campaign sends', async () => {
    const clock = manualClock();
    const t = createThrottle({ ratePerSecond: 10, headroom: 1, clock });
    const order: string[] = [];
    for (let i = 0; i < 5; i++) void t.acquire(`c${i}`, 'campaign').then(() => order.push(`campaign${i}`));
    await clock.advance(150); // campaign0 and campaign1 granted
    void t.acquire('citizen', 'reply').then(() => order.push('reply'));
    await clock.advance(2000);
    expect(order).toEqual(['campaign0', 'campaign1', 'reply', 'campaign2', 'campaign3', 'campaign4']);
  });

  it('keeps one chat to its own rate without holding up other chats', async () => {
    const clock = manualClock();
    const t = createThrottle({ ratePerSecond: 30, perChatPerSecond: 1, headroom: 1, clock });
    const same: number[] = [];
    const other: number[] = [];
    void t.acquire('a').then(() => same.push(clock.now()));
    void t.acquire('a').then(() => same.push(clock.now()));
    void t.acquire('b').then(() => other.push(clock.now()));
    await clock.advance(3000);
    expect(same[1]! - same[0]!).toBeGreaterThanOrEqual(1000);
    expect(other[0]!).toBeLessThan(100);
  });

  it('pauses for retry_after on a 429, cuts the rate once per event, then ramps back to the limit', async () => {
    const clock = manualClock();
    const t = createThrottle({ ratePerSecond: 10, headroom: 1, clock });
    await clock.advance(0);
    t.throttled(2);
    t.throttled(2); // an in-flight echo of the same event: no second cut
    expect(t.stats().cuts).toBe(1);
    expect(t.stats().rate).toBeCloseTo(7);
    const at = grants((i) => t.acquire(`c${i}`), 3, clock);
    await clock.advance(1999);
    expect(at).toHaveLength(0);
    await clock.advance(1000);
    expect(at.length).toBeGreaterThan(0);
    expect(at[0]).toBeGreaterThanOrEqual(2000);
    for (let i = 0; i < 20; i++) t.succeeded();
    expect(t.stats().rate).toBeCloseTo(10);
  });

  it('charges a message that takes several API calls for each of them', async () => {
    const clock = manualClock();
    const t = createThrottle({ ratePerSecond: 10, headroom: 1, clock });
    const at: number[] = [];
    void t.acquire('a', 'campaign', 3).then(() => at.push(clock.now()));
    void t.acquire('b', 'campaign', 1).then(() => at.push(clock.now()));
    await clock.advance(1000);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(300);
  });

  it('an aborted request (a stop) leaves the queue at once and takes no slot from the others', async () => {
    const clock = manualClock();
    const t = createThrottle({ ratePerSecond: 10, headroom: 1, clock });
    const stop = new AbortController();
    const at: Record<string, number> = {};
    const outcome: Record<string, string> = {};
    const ask = (name: string, signal?: AbortSignal): void =>
      void t.acquire(name, 'reply', 1, signal).then(
        () => ((at[name] = clock.now()), (outcome[name] = 'granted')),
        (err: unknown) => (outcome[name] = (err as Error).name),
      );
    ask('a');
    ask('b', stop.signal);
    ask('c', stop.signal);
    ask('d');
    await clock.advance(50);
    stop.abort();
    await clock.advance(1000);
    expect(outcome).toEqual({ a: 'granted', b: 'AbortError', c: 'AbortError', d: 'granted' });
    // d takes the slot right after a's, as if b and c had never asked.
    expect(at.d! - at.a!).toBeCloseTo(100, 0);
    expect(t.stats().waiting).toBe(0);
    // Aborted already: refused without waiting or queueing.
    await expect(t.acquire('e', 'reply', 1, stop.signal)).rejects.toThrow();
  });

  it('the real clock: an aborted sleep ends at once and leaves no timer behind', async () => {
    const stop = new AbortController();
    const slept = systemClock.sleep(3_600_000, stop.signal);
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    stop.abort();
    await slept;
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before - 1);
  });
});
