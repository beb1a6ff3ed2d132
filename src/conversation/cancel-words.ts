/**
 * A whole message that cancels what the person is doing (a report, a contest registration):
 * "Huỷ", "hủy bỏ", "thôi", "bỏ qua", "cancel"… typed instead of pressing the cancel beside the
 * step. Compared folded (no marks, lower case, spaces and punctuation normalised).
 */
import { foldedCanonical } from '../text/vietnamese.js';

const CANCEL_WORDS = new Set(['huy', 'huy bo', 'huy bao cao', 'huy dang ky', 'thoi', 'thoi khong bao nua', 'khong bao nua', 'bo qua', 'cancel']);

/** Whether `text`, as a whole message, asks to cancel the step under way. */
export function isCancelWord(text: string): boolean {
  return CANCEL_WORDS.has(foldedCanonical(text));
}
