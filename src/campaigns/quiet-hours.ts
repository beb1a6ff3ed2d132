/**
 * Quiet hours: campaign sends are held between `start` and `end` local time in Vietnam
 * (Asia/Ho_Chi_Minh: see time/vietnam.ts). The window may cross midnight (21:00–07:00).
 * `start` equal to `end` means no quiet hours.
 */
import { vietnamMinuteOfDay } from '../time/vietnam.js';

/** Quiet hours as in the bot YAML (`quiet_hours: {start: "21:00", end: "07:00"}`). */
export interface QuietHours {
  start: string;
  end: string;
}

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** True when `at` falls inside the quiet hours. */
export function isQuietTime(at: Date, q: QuietHours): boolean {
  const s = minutes(q.start);
  const e = minutes(q.end);
  if (s === e) return false;
  const m = vietnamMinuteOfDay(at);
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** When the quiet hours containing `at` end (or `at` itself when it is not quiet). */
export function quietHoursEnd(at: Date, q: QuietHours): Date {
  if (!isQuietTime(at, q)) return at;
  const m = vietnamMinuteOfDay(at);
  const e = minutes(q.end);
  const ahead = (e - m + 1440) % 1440;
  const end = new Date(at.getTime() + ahead * 60_000);
  end.setUTCSeconds(0, 0);
  return end;
}
