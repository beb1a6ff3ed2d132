/**
 * A number typed to pick one of the numbered choices, in the words people type it: "2", "2.",
 * and also "chọn 2", "số 3", "câu 1", "tôi chọn số 2 ạ", "cái thứ 2", "2️⃣", "#2", "option 2".
 *
 * Why: on Zalo every choice is a numbered line ("Gõ một số từ 1 đến 13 để chọn."), and people
 * answer the way they would answer a person. Only the bare digit was read as a choice: "chọn 2"
 * under the topics was searched as a question and answered with an unrelated entry (freedom of
 * movement), "số 3" and "2️⃣" went to the staff queue as questions (citizen trial, session 17).
 * Only the whole message counts; "Điều 23", "thứ 2" (Monday) and any longer sentence are not
 * choices.
 */
import { foldedCanonical } from '../text/vietnamese.js';

/** The forms a choice's number is written in, on the folded message (see {@link typedChoiceNumber}). */
const CHOICE = new RegExp(
  '^(?:(?:toi|minh|em|con|chau)\\s)?' +
    '(?:(?:chon|xem|lay|choose|pick|select)\\s)?' +
    '(?:(?:so|cau|muc|y|cai thu|cai|phuong an|dap an|lua chon|option|number|choice)\\s)?' +
    '(\\d{1,2})' +
    '(?:\\s(?:a|nhe|nha|nhe a|nha a|di|ah|ak|voi|please))?$',
);

/** A keycap emoji digit ("2️⃣": the digit, an optional VS16, U+20E3). */
const KEYCAP = /^\s*(\d)\uFE0F?\u20E3\s*$/u;

/**
 * The number a whole message picks (1-based), or null when it is not a choice's number.
 *
 * @example
 * typedChoiceNumber('2.') // 2
 * typedChoiceNumber('Tôi chọn số 2 ạ') // 2
 * typedChoiceNumber('2️⃣') // 2
 * typedChoiceNumber('Điều 23') // null
 */
export function typedChoiceNumber(text: string): number | null {
  if (text.length > 40) return null;
  // Full-width digits ("２", a Japanese or Chinese keyboard) are digits.
  const t = text.normalize('NFKC');
  const key = KEYCAP.exec(t);
  if (key) return Number(key[1]) || null;
  // "2." and "2)" as Zalo shows the lines; "#2"; the rest folded (no marks, lower case, no punctuation).
  const m = CHOICE.exec(foldedCanonical(t.replace(/#(?=\d)/g, ' ').replace(/(\d)[.)]/g, '$1 ')));
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 ? n : null;
}
