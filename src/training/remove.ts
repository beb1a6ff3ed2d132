/**
 * Taking an official off the training list (left the post), one rule for `loa training remove`
 * and the officials page: from now, or from an earlier day staff learn of late (day first, not
 * after today, not before the official first counted in a group), so the figures of the months
 * between stop counting them.
 */
import type { Db } from '../db/index.js';
import { listedSince, removeOfficial, type Official } from '../db/training.js';
import { formatVietnamTime, parseStaffDate } from '../time/vietnam.js';

/** The outcome, in words staff read. */
export type RemovalResult = { ok: true; leftAt: Date; message: string } | { ok: false; error: string };

/**
 * Removes `official` from `dateText` ("01/07/2026"; blank: now). Refused, with what to do: a day
 * that is not one, a day to come, a day before they were on the list. `field` names the input in
 * errors (`--date`, `Ngày chuyển công tác`).
 *
 * @example removeFromList(db, o, '01/07/2026', new Date(), '--date')
 */
export function removeFromList(db: Db, official: Official, dateText: string | undefined, now: Date, field: string): RemovalResult {
  let leftAt = now;
  if (dateText !== undefined && dateText.trim() !== '') {
    const d = parseStaffDate(dateText);
    if (!d.ok) return { ok: false, error: `${field}: ${d.error}` };
    leftAt = d.at;
  }
  if (leftAt.getTime() > now.getTime()) return { ok: false, error: `${field}: ngày chuyển công tác không được sau hôm nay` };
  const since = listedSince(db, official.id) ?? official.importedAt;
  if (leftAt.getTime() < Date.parse(since))
    return {
      ok: false,
      error: `${field}: cán bộ ${official.name} được tính trong danh sách từ ngày ${formatVietnamTime(new Date(since), 'dd/MM/yyyy')}; ngày chuyển công tác phải từ ngày đó trở đi`,
    };
  removeOfficial(db, official.id, now, leftAt);
  return {
    ok: true,
    leftAt,
    message: `Đã đưa ${official.name} (${official.unit}) ra khỏi danh sách từ ${formatVietnamTime(leftAt, 'dd/MM/yyyy')}: không còn được tính vào tỉ lệ tập huấn từ ngày đó.`,
  };
}
