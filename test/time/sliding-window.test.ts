/** The sliding-window log (time/sliding-window.ts) under the flood limit and the group budget. */
import { describe, expect, it } from 'vitest';
import { createSlidingWindow } from '../../src/time/sliding-window.js';

describe('createSlidingWindow', () => {
  it('counts events of the last windowMs per key; an event expires exactly windowMs later', () => {
    const w = createSlidingWindow({ windowMs: 10_000 });
    expect(w.hit('a', 0)).toBe(1);
    expect(w.hit('a', 4_000)).toBe(2);
    expect(w.hit('b', 4_000)).toBe(1);
    expect(w.count('a', 9_999)).toBe(2);
    expect(w.count('a', 10_000)).toBe(1); // the event at 0 has left
    expect(w.count('a', 14_000)).toBe(0);
    expect(w.count('b', 13_999)).toBe(1);
  });

  it('slides: no burst of twice the limit across a window edge', () => {
    const w = createSlidingWindow({ windowMs: 60_000 });
    for (let t = 50_000; t < 60_000; t += 1_000) w.hit('group', t); // 10 just before the minute
    expect(w.count('group', 61_000)).toBe(10); // a fixed per-minute window would say 0 here
    expect(w.count('group', 110_000)).toBe(9); // the one at 50 s has left
  });

  it('takes back the last event at an exact time, and nothing when there is none', () => {
    const w = createSlidingWindow({ windowMs: 1_000 });
    w.hit('k', 5);
    w.hit('k', 7);
    w.release('k', 5);
    expect(w.count('k', 8)).toBe(1);
    w.release('k', 6);
    w.release('other', 5);
    expect(w.count('k', 8)).toBe(1);
  });

  it('forgets idle keys now and then, and says so; never the key in use', () => {
    const forgotten: string[] = [];
    const w = createSlidingWindow({ windowMs: 100, onForget: (k) => forgotten.push(k) });
    w.hit('idle', 0);
    for (let i = 0; i < 1_000; i++) w.hit('busy', 1_000 + i);
    expect(forgotten).toEqual(['idle']);
    expect(w.count('busy', 1_999)).toBe(100);
  });

  it('a clock set back: events logged "later" count as now, for one window, not until the clock catches up', () => {
    const w = createSlidingWindow({ windowMs: 1_000 });
    const hour = 3_600_000;
    for (let i = 0; i < 300; i++) w.hit('global', hour + 500); // the web chat's global limit, full
    // NTP steps the clock back an hour.
    expect(w.count('global', 600)).toBe(300);
    expect(w.count('global', 1_600)).toBe(0); // it counted until 'hour + 1_500' before
    expect(w.hit('global', 1_700)).toBe(1);
  });
});
