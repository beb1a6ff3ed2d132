/**
 * Masks personal data in a citizen's question before staff reuse its wording as content (a new
 * wording of a Q&A is published in the content files and the index): phone numbers, e-mail
 * addresses and ID numbers (CMND 9 digits, CCCD 12, social/health insurance and tax codes, a
 * passport's letter and digits). Amounts of money and years are kept: they carry the meaning.
 *
 * The mask is `***`: the tokeniser drops it, so a masked wording searches like the rest of the
 * question, and staff still see where something was removed.
 */

/** The mask put in place of each piece of personal data. */
export const MASK = '***';

/** What {@link maskPersonalData} found, by kind. */
export interface MaskCounts {
  phone: number;
  email: number;
  id: number;
}

// Money follows its digits ("1.500.000 đồng", "2000000000 VND"); such runs are not ID numbers.
const MONEY_AFTER = /^\s*(?:(?:đ|đồng|dong|vnđ|vnd|triệu|trieu|nghìn|nghin|ngàn|ngan|tỷ|ty|tỉ|usd)(?!\p{L})|\$|%)/iu;

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
// Vietnamese phones: 0 or +84/84 then 9–10 digits, in any grouping of spaces, dots or dashes
// ("0912 345 678", "0912.345.678", "+84 912-345-678", "024 3825 1234").
const PHONE = /(?<![\p{L}\p{N}])(?:\+\s?84|0084|84(?=[\s.-]?[1-9])|0)(?:[\s.-]?\d){8,10}(?![\p{N}])/gu;
// IDs: a letter or two then 7–13 digits (passport C1234567, health card DN4010123456789), or a
// run of 9+ digits, possibly in groups of 3–4 ("0012 3456 7890").
const LETTER_ID = /(?<![\p{L}\p{N}])[A-Za-z]{1,2}\d{7,13}(?![\p{N}])/gu;
const DIGIT_ID = /(?<![\p{L}\p{N}.,])\d{3,4}(?:[\s-]?\d{3,4}){2,}(?![\p{N}])|(?<![\p{L}\p{N}.,])\d{9,}(?![\p{N}])/gu;

/**
 * Returns `text` with phone numbers, e-mail addresses and ID numbers replaced by {@link MASK},
 * and how many of each were found.
 *
 * @example maskPersonalData('Gọi 0912 345 678 hoặc gửi an@gmail.com').text // 'Gọi *** hoặc gửi ***'
 */
export function maskPersonalData(text: string): { text: string; counts: MaskCounts } {
  const counts: MaskCounts = { phone: 0, email: 0, id: 0 };
  let out = text.normalize('NFC').replace(EMAIL, () => (counts.email++, MASK));
  const notMoney =
    (kind: keyof MaskCounts) =>
    (match: string, ...rest: unknown[]): string => {
      const offset = rest.find((x) => typeof x === 'number') as number;
      const whole = rest.find((x) => typeof x === 'string') as string;
      if (MONEY_AFTER.test(whole.slice(offset + match.length))) return match;
      counts[kind]++;
      return MASK;
    };
  out = out.replace(PHONE, notMoney('phone'));
  out = out.replace(LETTER_ID, notMoney('id'));
  out = out.replace(DIGIT_ID, notMoney('id'));
  return { text: out, counts };
}
