/** Vietnam time (time/vietnam.ts): UTC+7 all year, checked where days, months and years turn. */
import { describe, expect, it } from 'vitest';
import { formatVietnamTime, nextVietnamHour, parseStaffDate, parseStaffDateTime, parseVietnamTime, vietnamInstant, vietnamMinuteOfDay } from '../../src/time/vietnam.js';

const utc = (s: string): Date => new Date(s);

describe('vietnamInstant', () => {
  it.each([
    // New Year in Hà Nội is still the old year in UTC.
    [[2026, 1, 1], '2025-12-31T17:00:00.000Z'],
    [[2026, 12, 31, 23, 59, 59], '2026-12-31T16:59:59.000Z'],
    [[2028, 2, 29, 6], '2028-02-28T23:00:00.000Z'],
    // No daylight saving: the offset is the same in January and July.
    [[2026, 7, 1, 7], '2026-07-01T00:00:00.000Z'],
    // Fields roll over as in Date.UTC (callers validate input).
    [[2026, 2, 30], '2026-03-01T17:00:00.000Z'],
  ] as const)('%j -> %s', (args, iso) => {
    expect(vietnamInstant(...(args as unknown as [number, number, number])).toISOString()).toBe(iso);
  });
});

describe('vietnamMinuteOfDay', () => {
  it.each([
    ['2026-11-23T16:59:59Z', 23 * 60 + 59], // 23:59:59 on 23/11 in Vietnam
    ['2026-11-23T17:00:00Z', 0], // midnight: 24/11 has begun in Vietnam, not yet in UTC
    ['2026-11-24T00:00:00Z', 7 * 60],
    ['1969-12-31T16:59:00Z', 23 * 60 + 59], // before the epoch too
  ])('%s -> %i', (at, minute) => {
    expect(vietnamMinuteOfDay(utc(at))).toBe(minute);
  });
});

describe('nextVietnamHour', () => {
  it.each([
    ['2026-11-23T15:00:00Z', 6, '2026-11-23T23:00:00.000Z'], // 22:00 -> 06:00 next morning
    ['2026-11-22T22:59:00Z', 6, '2026-11-22T23:00:00.000Z'], // 05:59 -> in one minute
    ['2026-11-22T23:00:00Z', 6, '2026-11-23T23:00:00.000Z'], // exactly 06:00 -> tomorrow's
    ['2026-12-31T20:00:00Z', 6, '2026-12-31T23:00:00.000Z'], // across the year in Vietnam
    ['2026-12-31T16:30:00Z', 0, '2026-12-31T17:00:00.000Z'], // 23:30 -> midnight, New Year
  ] as const)('%s, %i:00 -> %s', (now, hour, iso) => {
    expect(nextVietnamHour(utc(now), hour).toISOString()).toBe(iso);
  });
});

describe('formatVietnamTime', () => {
  it('shows the Vietnam date when UTC is still on the day before', () => {
    const at = utc('2026-12-31T17:05:00Z');
    expect(formatVietnamTime(at)).toBe('01/01/2027 00:05');
    expect(formatVietnamTime(at, 'HH:mm dd/MM/yyyy')).toBe('00:05 01/01/2027');
    expect(formatVietnamTime(at, 'yyyy-MM-dd HH:mm')).toBe('2027-01-01 00:05');
    expect(formatVietnamTime('2026-11-25T01:00:00.000Z')).toBe('25/11/2026 08:00');
  });

  it('writes what the admin pages wrote with Intl (vi-VN, Asia/Ho_Chi_Minh)', () => {
    const intl = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    for (const iso of ['2026-11-24T17:00:00Z', '2026-11-25T01:05:00Z', '2027-06-30T16:59:00Z'])
      expect(formatVietnamTime(utc(iso), 'HH:mm dd/MM/yyyy')).toBe(intl.format(utc(iso)));
  });
});

describe('parseVietnamTime', () => {
  it('reads staff times as Vietnam time unless an offset is given', () => {
    expect(parseVietnamTime('2026-11-25 08:00')?.toISOString()).toBe('2026-11-25T01:00:00.000Z');
    expect(parseVietnamTime(' 2026-11-25T08:00:30 ')?.toISOString()).toBe('2026-11-25T01:00:30.000Z');
    expect(parseVietnamTime('2026-01-01')?.toISOString()).toBe('2025-12-31T17:00:00.000Z');
    expect(parseVietnamTime('2026-11-25T08:00:00Z')?.toISOString()).toBe('2026-11-25T08:00:00.000Z');
    expect(parseVietnamTime('ngày mai')).toBeUndefined();
    expect(parseVietnamTime('2026-13-01')).toBeUndefined();
  });
});

describe('parseStaffDate', () => {
  it.each([
    // Vietnamese dates are day/month: 1 May, never 5 January.
    ['01/05/2025', '2025-04-30T17:00:00.000Z'],
    ['1/5/2025 08:30', '2025-05-01T01:30:00.000Z'],
    ['29/02/2028', '2028-02-28T17:00:00.000Z'],
    ['2025-05-01', '2025-04-30T17:00:00.000Z'],
    ['2026-03-01T08:00:00+07:00', '2026-03-01T01:00:00.000Z'],
    ['2026-03-01T08:00:00.250+0700', '2026-03-01T01:00:00.250Z'],
    ['2026-11-25T08:00:00Z', '2026-11-25T08:00:00.000Z'],
  ])('reads %s', (input, iso) => {
    const r = parseStaffDate(input);
    expect(r.ok && r.at.toISOString()).toBe(iso);
  });

  it.each([
    ['05/13/2025', /không có tháng 13.*13\/05\/2025/],
    ['01/05/25', /không rõ năm/],
    ['31/02/2025', /không có ngày 31 trong tháng 2\/2025/],
    ['29/02/2026', /không có ngày 29/],
    ['2025/05/01', /không phải ngày/],
    ['01.05.2025', /không phải ngày/],
    ['May 1, 2025', /không phải ngày/],
    ['2026-11-25 24:00', /giờ không hợp lệ/],
  ])('refuses %s and says why', (input, why) => {
    const r = parseStaffDate(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('is what parseVietnamTime reads: a time typed by staff as dd/mm/yyyy is day/month', () => {
    expect(parseVietnamTime('01/05/2025 08:00')?.toISOString()).toBe('2025-05-01T01:00:00.000Z');
    expect(parseVietnamTime('05/13/2025')).toBeUndefined();
  });
});

describe('parseStaffDateTime', () => {
  it.each([
    // Day first, 24-hour, Vietnam time: 7 December at 08:30 is 01:30 UTC, never 12 July.
    ['07/12/2026 08:30', '2026-12-07T01:30:00.000Z'],
    ['7/12/2026 20:05', '2026-12-07T13:05:00.000Z'],
    ['  07/12/2026   08:30 ', '2026-12-07T01:30:00.000Z'],
    ['07/12/2026, 08:30', '2026-12-07T01:30:00.000Z'],
    // Time first, as the admin pages show a time.
    ['08:30 07/12/2026', '2026-12-07T01:30:00.000Z'],
    // New Year's Eve in Hà Nội is already the 31st's evening in UTC.
    ['01/01/2027 00:15', '2026-12-31T17:15:00.000Z'],
    // What a `datetime-local` field sent, from a page opened before the fields were text.
    ['2026-12-07T08:30', '2026-12-07T01:30:00.000Z'],
    ['2026-12-07 08:30', '2026-12-07T01:30:00.000Z'],
  ])('reads %s', (input, iso) => {
    const r = parseStaffDateTime(input);
    expect(r.ok && r.at.toISOString()).toBe(iso);
  });

  it.each([
    ['07/12/2026', /'07\/12\/2026' thiếu giờ; hãy viết ngày\/tháng\/năm giờ:phút theo 24 giờ/],
    ['31/02/2027 08:00', /không có ngày 31 trong tháng 2\/2027/],
    ['12/31/2026 08:00', /không có tháng 31/],
    ['07/12/2026 8:30 PM', /kiểu 12 giờ \(PM\).*20:30/],
    ['07/12/2026 8:30 tối', /kiểu 12 giờ \(tối\)/],
    ['07/12/2026 24:00', /giờ không hợp lệ/],
    ['07/12/26 08:30', /không rõ năm/],
    ['mai 8 giờ', /không phải ngày.*ví dụ 07\/12\/2026 08:30/],
  ])('refuses %s and says why', (input, why) => {
    const r = parseStaffDateTime(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('ends a refusal about the form with what the field asks for', () => {
    const r = parseStaffDateTime('thứ hai', 'hãy viết như 07/12/2026 08:30');
    expect(!r.ok && r.error).toBe("'thứ hai' không phải ngày theo cách viết được nhận; hãy viết như 07/12/2026 08:30");
  });

  it("reads Vietnam time whatever the server's time zone", () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['America/New_York', 'UTC', 'Asia/Ho_Chi_Minh', 'Pacific/Kiritimati']) {
        process.env.TZ = tz;
        const r = parseStaffDateTime('07/12/2026 08:30');
        expect(r.ok && r.at.toISOString()).toBe('2026-12-07T01:30:00.000Z');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
