/** Formatting for the admin pages: Vietnamese dates (Asia/Ho_Chi_Minh) and numbers. */
import { formatVietnamTime } from '../time/vietnam.js';

const number = new Intl.NumberFormat('vi-VN');

/** An ISO time as "hh:mm dd/mm/yyyy" in Vietnam's time zone (as vi-VN writes it); '' for null. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatVietnamTime(d, 'HH:mm dd/MM/yyyy');
}

/** A number with Vietnamese grouping ("1.234"). */
export function formatNumber(n: number | null | undefined): string {
  return number.format(n ?? 0);
}

/** A number rounded to one decimal place (averages in the report). */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
