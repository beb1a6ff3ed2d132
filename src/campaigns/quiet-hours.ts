/**
 * Quiet hours: campaign sends are held between `start` and `end` local time in Vietnam
 * (Asia/Ho_Chi_Minh, UTC+7 all year: Vietnam has no daylight saving time, so a fixed offset is
 * exact and needs no time-zone database). The window may cross midnight (21:00–07:00).
 * `start` equal to `end` means no quiet hours.
 */

/** Vietnam's offset from UTC in minutes. */
export const VIETNAM_OFFSET_MINUTES = 7 * 60;

/** Quiet hours as in the bot YAML (`quiet_hours: {start: "21:00", end: "07:00"}`). */
export interface QuietHours {
  start: string;
  end: string;
}

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** Minutes since local (Vietnam) midnight. */
function localMinutes(at: Date): number {
  const t = Math.floor(at.getTime() / 60_000) + VIETNAM_OFFSET_MINUTES;
  return ((t % 1440) + 1440) % 1440;
}

/** True when `at` falls inside the quiet hours. */
export function isQuietTime(at: Date, q: QuietHours): boolean {
  const s = minutes(q.start);
  const e = minutes(q.end);
  if (s === e) return false;
  const m = localMinutes(at);
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** When the quiet hours containing `at` end (or `at` itself when it is not quiet). */
export function quietHoursEnd(at: Date, q: QuietHours): Date {
  if (!isQuietTime(at, q)) return at;
  const m = localMinutes(at);
  const e = minutes(q.end);
  const ahead = (e - m + 1440) % 1440;
  const end = new Date(at.getTime() + ahead * 60_000);
  end.setUTCSeconds(0, 0);
  return end;
}

/**
 * Parses a time given by staff. Without an offset it is Vietnam local time, because that is
 * what staff mean by "20:00": `2026-11-25T08:00` is 01:00 UTC.
 */
export function parseLocalTime(s: string): Date | undefined {
  const t = s.trim();
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?$/.exec(t);
  const d = m ? new Date(`${m[1]}T${m[2] ?? '00:00'}${m[2]?.length === 5 ? ':00' : ''}+07:00`) : new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Formats a time as Vietnam local time, e.g. "25/11/2026 08:00". */
export function formatLocalTime(at: Date | string): string {
  const d = new Date(new Date(at).getTime() + VIETNAM_OFFSET_MINUTES * 60_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
