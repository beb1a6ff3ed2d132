/**
 * Training given in person (a conference, a class the office ran), recorded by staff so that it
 * counts toward the plan's target as a passed test does. One rule for `loa training trained` and
 * the officials page: a day (day first, not after today) and the session, both required.
 */
import type { Db } from '../db/index.js';
import { markTrainedInPerson, type Official } from '../db/training.js';
import { formatVietnamTime, parseStaffDate } from '../time/vietnam.js';

/** The outcome, in words staff read. */
export type InPersonResult =
  | { ok: true; changed: boolean; day: string; note: string; message: string }
  | { ok: false; error: string };

/**
 * Records `official` as trained in person on `dateText` ("15/10/2026") at `noteText` (the
 * session). Refused, with what to do, for a missing note, a day that is not one, or a day to come.
 *
 * @example recordInPerson(db, o, '15/10/2026', 'Hội nghị tập huấn Đề án 1079', new Date())
 */
export function recordInPerson(db: Db, official: Official, dateText: string, noteText: string, now: Date): InPersonResult {
  const note = noteText.trim().slice(0, 500);
  if (!dateText.trim() || !note) return { ok: false, error: 'Hãy nhập ngày tập huấn (ngày/tháng/năm) và tên buổi tập huấn (ví dụ “Hội nghị tập huấn Đề án 1079, Sở Tư pháp”).' };
  const d = parseStaffDate(dateText);
  if (!d.ok) return { ok: false, error: `Ngày tập huấn: ${d.error}` };
  if (d.at.getTime() > now.getTime()) return { ok: false, error: 'Ngày tập huấn không được sau hôm nay.' };
  const day = formatVietnamTime(d.at, 'dd/MM/yyyy');
  if (!markTrainedInPerson(db, official.id, d.at))
    return {
      ok: true,
      changed: false,
      day,
      note,
      message: `${official.name} (${official.unit}) đã được tính là đã tập huấn từ ${formatVietnamTime(new Date(official.trainedAt!), 'dd/MM/yyyy')}: không cần ghi thêm.`,
    };
  return { ok: true, changed: true, day, note, message: `Đã ghi nhận ${official.name} (${official.unit}) tập huấn trực tiếp ngày ${day} (${note}): được tính là đã tập huấn từ ngày đó.` };
}
