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
 * What reading a date typed or imported by staff gave: the instant, or why it was refused, in
 * Vietnamese, to show to staff as it is.
 */
export type StaffDate = { ok: true; at: Date } | { ok: false; error: string };

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const VN_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d+)(?:[ ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const FORMATS = 'hãy viết ngày/tháng/năm (01/05/2025, có thể thêm giờ: 01/05/2025 08:00) hoặc năm-tháng-ngày (2025-05-01)';

/**
 * Reads a date (and optional time) typed or imported by staff. Vietnamese dates are
 * day/month/year, so `01/05/2025` is 1 May, never 5 January as `Date` would read it. Accepted:
 *
 * - `dd/mm/yyyy` or `d/m/yyyy`, optionally followed by `HH:mm` or `HH:mm:ss`, Vietnam time;
 * - ISO 8601: `yyyy-mm-dd`, `yyyy-mm-dd HH:mm[:ss]` or with `T`, Vietnam time unless it ends
 *   with `Z` or an offset (`+07:00`).
 *
 * Everything else is refused rather than guessed: a two-digit year (which century?), another
 * separator (`2025/05/01`, `01.05.2025`), a month over 12 (`05/13/2025` is month/day, as a US
 * spreadsheet writes it), a day the month does not have (`31/02/2025`). A bare date is its
 * midnight in Vietnam.
 *
 * `howToWrite` ends a refusal that is about the form (a field that wants only a day says so).
 *
 * @example parseStaffDate('01/05/2025') // { ok: true, at: 2025-04-30T17:00:00.000Z }
 * @example parseStaffDate('01/05/25').ok // false: the year must have 4 digits
 */
export function parseStaffDate(input: string, howToWrite = FORMATS): StaffDate {
  return readStaffDate(input.trim(), input.trim(), howToWrite);
}

/** {@link parseStaffDate} on `s`, quoting `shown` (what was typed) and ending with `formats`. */
function readStaffDate(s: string, shown: string, formats: string): StaffDate {
  const refuse = (why: string): StaffDate => ({ ok: false, error: `'${shown}' ${why}` });
  const iso = ISO_TIME.exec(s);
  const vn = iso ? null : VN_TIME.exec(s);
  if (!iso && !vn) return refuse(`không phải ngày theo cách viết được nhận; ${formats}`);
  const num = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
  const [year, month, day] = iso ? [num(iso[1]), num(iso[2]), num(iso[3])] : [num(vn![3]), num(vn![2]), num(vn![1])];
  const [hour, minute, second] = iso ? [num(iso[4]), num(iso[5]), num(iso[6])] : [num(vn![4]), num(vn![5]), num(vn![6])];
  if (vn && vn[3]!.length !== 4) return refuse(`không rõ năm: năm phải viết đủ 4 chữ số; ${formats}`);
  if (month < 1 || month > 12)
    return refuse(
      vn && day >= 1 && day <= 12
        ? `không có tháng ${month}: ngày Việt Nam viết ngày/tháng/năm; nếu đây là tháng/ngày kiểu Mỹ thì hãy viết ${String(month).padStart(2, '0')}/${String(day).padStart(2, '0')}/${year}`
        : `không có tháng ${month}; ${formats}`,
    );
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return refuse(`không có ngày ${day} trong tháng ${month}/${year}`);
  if (hour > 23 || minute > 59 || second > 59) return refuse('có giờ không hợp lệ (giờ 0–23, phút 0–59)');
  const zone = iso?.[8]?.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!zone) return { ok: true, at: new Date(vietnamInstant(year, month, day, hour, minute, second).getTime() + Math.round(num(iso?.[7]) * 1000)) };
  const at = new Date(`${iso![1]}-${iso![2]}-${iso![3]}T${iso![4]}:${iso![5]}:${iso![6] ?? '00'}${iso![7] ?? ''}${zone}`);
  return Number.isNaN(at.getTime()) ? refuse(`có múi giờ không hợp lệ; ${formats}`) : { ok: true, at };
}

const DATE_TIME_FORMATS = 'hãy viết ngày/tháng/năm giờ:phút theo 24 giờ, giờ Việt Nam, ví dụ 07/12/2026 08:30 hoặc 07/12/2026 20:30';
const TWELVE_HOUR = /\s(a\.?m\.?|p\.?m\.?|sa|ch|sáng|trưa|chiều|tối|đêm)$/iu;

/**
 * Reads a date and time typed by staff in a field that needs both: a campaign's send time, a
 * contest's closing time. Read as {@link parseStaffDate} reads it (day first, Vietnam time,
 * whatever the server's time zone; no 31/02), with two differences:
 *
 * - the time is required: `07/12/2026` alone is refused (midnight is never what was meant for a
 *   broadcast), and so is a 12-hour time (`8:30 PM`, `8:30 tối`), with what to write instead;
 * - the time may also come first, as Loa's pages show times (`08:30 07/12/2026`), so a time
 *   copied from a page reads back as itself.
 *
 * The browser's `datetime-local` value (`2026-12-07T08:30`), which an open page from before
 * these fields were text may still send, is ISO and read as Vietnam time, as it always was.
 * `howToWrite` ends a refusal about the form, as in {@link parseStaffDate}.
 *
 * @example parseStaffDateTime('07/12/2026 08:30') // { ok: true, at: 2026-12-07T01:30:00.000Z }
 * @example parseStaffDateTime('07/12/2026').ok // false: the time is missing
 */
export function parseStaffDateTime(input: string, howToWrite = DATE_TIME_FORMATS): StaffDate {
  const shown = input.trim().replace(/\s+/g, ' ');
  const twelve = TWELVE_HOUR.exec(shown);
  if (twelve && /\d:\d{2}/.test(shown))
    return { ok: false, error: `'${shown}' viết giờ kiểu 12 giờ (${twelve[1]}): giờ chiều, tối viết 13:00–23:59 (8:30 tối là 20:30); ${howToWrite}` };
  const text = shown.replace(/^(\d{1,2}:\d{2}(?::\d{2})?),? (\S+)$/, '$2 $1');
  const r = readStaffDate(text, shown, howToWrite);
  if (r.ok && !/\d:\d{2}/.test(text)) return { ok: false, error: `'${shown}' thiếu giờ; ${howToWrite}` };
  return r;
}

/**
 * Parses a time given by staff (CLI options, admin forms), as {@link parseStaffDate} does:
 * without an offset it is Vietnam time, because that is what staff mean by "20:00", so
 * `2026-11-25 08:00` and `25/11/2026 08:00` are 01:00 UTC and a bare date is its midnight.
 * Undefined when it is not a time (use {@link parseStaffDate} to say why).
 */
export function parseVietnamTime(s: string): Date | undefined {
  const r = parseStaffDate(s);
  return r.ok ? r.at : undefined;
}
