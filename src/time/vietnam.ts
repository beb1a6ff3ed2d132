/**
 * Vietnam time (Asia/Ho_Chi_Minh): the one place that knows the offset.
 *
 * Vietnam has been UTC+7 all year since 1975, with no daylight saving, so a fixed offset is
 * exact and needs no time-zone database: the wall clock is the instant plus 7 hours, read with
 * the `getUTC…` methods. Everything that turns an instant into what people in Vietnam read on
 * their clock (quiet hours, Zalo's night rule, contest windows, the yearly report, dates typed
 * by staff) goes through here, so "midnight" means the same thing everywhere.
 */

/** Vietnam's offset from UTC in minutes. */
export const VIETNAM_OFFSET_MINUTES = 7 * 60;
const OFFSET_MS = VIETNAM_OFFSET_MINUTES * 60_000;
const DAY_MS = 86_400_000;

/**
 * The instant at which Vietnam's wall clock shows the given time. `month` is 1–12; fields out
 * of range roll over as in `Date.UTC` (30/02 is 02/03), so callers validate what people type.
 *
 * @example vietnamInstant(2026, 1, 1) // 2025-12-31T17:00:00.000Z, New Year in Hà Nội
 */
export function vietnamInstant(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) - OFFSET_MS);
}

/** The year on Vietnam's calendar at `at` (on 31/12 after 17:00 UTC it is already the next). */
export function vietnamYear(at: Date): number {
  return new Date(at.getTime() + OFFSET_MS).getUTCFullYear();
}

/** Whole minutes since midnight in Vietnam at `at` (0–1439). */
export function vietnamMinuteOfDay(at: Date): number {
  const t = Math.floor(at.getTime() / 60_000) + VIETNAM_OFFSET_MINUTES;
  return ((t % 1440) + 1440) % 1440;
}

/**
 * The next time strictly after `now` that Vietnam's clock shows `hour`:00 (today's, or
 * tomorrow's when it has passed).
 *
 * @example nextVietnamHour(new Date('2026-11-23T15:00:00Z'), 6) // 06:00 on 24/11 in Vietnam
 */
export function nextVietnamHour(now: Date, hour: number): Date {
  return nextVietnamTime(now, hour, 0);
}

/**
 * The next time strictly after `now` that Vietnam's clock shows `hour`:`minute` (today's, or
 * tomorrow's when it has passed). Daily jobs (the nightly backup) are scheduled with it.
 *
 * @example nextVietnamTime(new Date('2026-11-23T15:00:00Z'), 2, 30) // 02:30 on 24/11 in Vietnam
 */
export function nextVietnamTime(now: Date, hour: number, minute: number): Date {
  const local = new Date(now.getTime() + OFFSET_MS);
  let target = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour, minute, 0) - OFFSET_MS;
  if (target <= now.getTime()) target += DAY_MS;
  return new Date(target);
}

/**
 * Formats an instant as Vietnam wall-clock time. The pattern's `yyyy`, `MM`, `dd`, `HH` and
 * `mm` are replaced (zero-padded); everything else is kept. The default is how staff pages and
 * the CLI show a time; `HH:mm dd/MM/yyyy` is how citizens and the admin pages see one;
 * `yyyy-MM-dd HH:mm` is how content files write one.
 *
 * @example formatVietnamTime('2026-11-25T01:00:00Z') // '25/11/2026 08:00'
 */
export function formatVietnamTime(at: Date | string, pattern = 'dd/MM/yyyy HH:mm'): string {
  const l = new Date(new Date(at).getTime() + OFFSET_MS);
  const p = (n: number): string => String(n).padStart(2, '0');
  const fields: Record<string, string> = {
    yyyy: String(l.getUTCFullYear()),
    MM: p(l.getUTCMonth() + 1),
    dd: p(l.getUTCDate()),
    HH: p(l.getUTCHours()),
    mm: p(l.getUTCMinutes()),
  };
  return pattern.replace(/yyyy|MM|dd|HH|mm/g, (k) => fields[k]!);
}

/**
 * Parses a time given by staff (CLI options, admin forms). Without an offset it is Vietnam
 * time, because that is what staff mean by "20:00": `2026-11-25 08:00` and `2026-11-25T08:00`
 * are 01:00 UTC, a bare date is its midnight. Anything else is read by `Date` (an ISO time with
 * `Z` or an offset). Undefined when it is not a time.
 */
export function parseVietnamTime(s: string): Date | undefined {
  const t = s.trim();
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?$/.exec(t);
  const d = m ? new Date(`${m[1]}T${m[2] ?? '00:00'}${m[2]?.length === 5 ? ':00' : ''}+07:00`) : new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
