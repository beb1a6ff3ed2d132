/** Formatting for the admin pages: Vietnamese dates (Asia/Ho_Chi_Minh) and numbers. */
import { formatVietnamTime } from '../time/vietnam.js';
import { maskPersonalData } from '../text/mask.js';
import { visibleControls } from '../text/controls.js';

const number = new Intl.NumberFormat('vi-VN');

/** An ISO time as "hh:mm dd/mm/yyyy" in Vietnam's time zone (as vi-VN writes it); '' for null. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatVietnamTime(d, 'HH:mm dd/MM/yyyy');
}

/** A day written `yyyy-mm-dd` (content files' `reviewed_at`, `expires`) as "dd/mm/yyyy"; anything else unchanged. */
export function formatDay(day: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : (day ?? '');
}

/** A fraction with a decimal comma, as staff write it (0,409): thresholds and estimates. */
export function formatDecimal(x: number, digits = 3): string {
  return x.toFixed(digits).replace('.', ',');
}

/** A number with Vietnamese grouping ("1.234"). */
export function formatNumber(n: number | null | undefined): string {
  return number.format(n ?? 0);
}

/**
 * A citizen's own words as staff see them: phone numbers, e-mail addresses and ID numbers
 * masked (`text/mask.ts`). Every page that shows a question (the queue, maybe-wrong answers and
 * their follow-ups, the attach page, an entry's notices) renders it through this, so personal
 * data reaches neither a screen nor, by copy and paste, a Q&A draft. Bidi overrides and control
 * characters are made visible or dropped ({@link shownText}). '' for null.
 */
export function maskedText(text: string | null | undefined): string {
  return text ? visibleControls(maskPersonalData(text).text) : '';
}

/**
 * Text from outside (a contestant's name and unit, a login name typed at the login form) as
 * staff see it: bidi controls shown as `[U+202E]`, control characters dropped
 * (`text/controls.ts`), so nothing reorders or hides what is on the page. '' for null.
 */
export function shownText(text: string | null | undefined): string {
  return text ? visibleControls(text) : '';
}

/** A number rounded to one decimal place (averages in the report). */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * A wait in whole seconds, the Vietnamese way, rounded up to the second: "45 giây", "2 phút",
 * "2 phút 30 giây".
 */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m === 0) return `${rest} giây`;
  return rest ? `${m} phút ${rest} giây` : `${m} phút`;
}
