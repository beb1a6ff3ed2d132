import { describe, expect, it } from 'vitest';
import { isQuietTime, quietHoursEnd } from '../../src/campaigns/quiet-hours.js';

const q = { start: '21:00', end: '07:00' };
const vn = (s: string) => new Date(`${s}+07:00`);

describe('quiet hours (Asia/Ho_Chi_Minh)', () => {
  it.each([
    ['2026-11-23T20:59', false],
    ['2026-11-23T21:00', true],
    ['2026-11-23T23:30', true],
    ['2026-11-24T03:00', true],
    ['2026-11-24T06:59', true],
    ['2026-11-24T07:00', false],
    ['2026-11-24T12:00', false],
  ])('%s quiet: %s', (t, quiet) => {
    expect(isQuietTime(vn(t), q)).toBe(quiet);
  });

  it('ends at 07:00 the next morning, local time', () => {
    expect(quietHoursEnd(vn('2026-11-23T22:15'), q).toISOString()).toBe(vn('2026-11-24T07:00').toISOString());
    expect(quietHoursEnd(vn('2026-11-24T05:00'), q).toISOString()).toBe(vn('2026-11-24T07:00').toISOString());
  });

  it('handles a window inside one day and no window at all', () => {
    expect(isQuietTime(vn('2026-11-23T12:30'), { start: '12:00', end: '13:30' })).toBe(true);
    expect(isQuietTime(vn('2026-11-23T23:00'), { start: '00:00', end: '00:00' })).toBe(false);
  });
});
