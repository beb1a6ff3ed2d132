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

/**
 * Whether `text` is "Huỷ" or "Cancel" (with "bỏ", "báo cáo", "đăng ký"): the label of a flow's
 * cancel button and, typed alone, also the word that stops the news. The core leaves these to
 * the features (a report's flow, subscription.ts) rather than taking them as the label typed;
 * other cancel words ("Bỏ qua" under the regions, which finishes /dangky) are labels like any.
 */
export function isHuyWord(text: string): boolean {
  const f = foldedCanonical(text);
  return CANCEL_WORDS.has(f) && (f.startsWith('huy') || f === 'cancel');
}
