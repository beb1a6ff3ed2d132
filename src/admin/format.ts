/** Formatting for the admin pages: Vietnamese dates (Asia/Ho_Chi_Minh) and numbers. */

const dateTime = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const number = new Intl.NumberFormat('vi-VN');

/** An ISO time as "dd/mm/yyyy hh:mm" in Vietnam's time zone; '' for null. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** A number with Vietnamese grouping ("1.234"). */
export function formatNumber(n: number | null | undefined): string {
  return number.format(n ?? 0);
}

/** A number rounded to one decimal place (averages in the report). */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
