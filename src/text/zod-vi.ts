/**
 * Schema (zod) issues in Vietnamese, for staff: content files, admin forms and queries.
 */
import type { z } from 'zod';

/**
 * The schemas' own messages (knowledge/content.ts, quiz and training definitions) in
 * Vietnamese: the schemas are shared with code and tests that read them in English.
 */
/** A letter only Vietnamese has (with its diacritics). */
export const VIETNAMESE_LETTER = /[ăâđêôơưạảãàáầấẩẫậằắẳẵặẹẻẽèéềếểễệỉĩìíịọỏõòóồốổỗộờớởỡợụủũùúừứửữựỳýỵỷỹ]/i;

const VI_MESSAGES: Readonly<Record<string, string>> = {
  'list at least one topic': 'hãy chọn ít nhất một chủ đề',
  'cite at least one source': 'hãy ghi ít nhất một nguồn (văn bản, điều khoản hoặc đường dẫn)',
  'must not be empty': 'không được để trống',
  'must be a slug: a-z, 0-9 and single dashes': 'chỉ gồm chữ a-z không dấu, chữ số và dấu gạch ngang đơn (ví dụ: bhyt-ho-ngheo)',
  'must be at most 56 characters (ids travel in 64-byte button data)': 'dài tối đa 56 ký tự',
  'must be a date such as 2026-01-31 or 31/01/2026': 'phải là ngày, ví dụ 2026-01-31 hoặc 31/01/2026',
  'required when status is approved': 'bắt buộc khi mục đã được duyệt',
  'a group needs at least two terms': 'một nhóm cần ít nhất hai từ',
  "only an English entry (lang: en) translates another: add 'lang: en' or remove the field": "chỉ mục tiếng Anh (lang: en) mới là bản dịch của mục khác: thêm 'lang: en' hoặc bỏ trường này",
};

/**
 * A schema issue's message in Vietnamese: a known loader message, else by the issue's kind.
 * The admin's error handler words every invalid form or query with it too, and the content
 * loader its errors (`loa index`, `loa doctor`, the admin pages).
 */
export function vietnameseMessage(i: z.core.$ZodIssue): string {
  const known = VI_MESSAGES[i.message];
  if (known) return known;
  // A schema that words its own messages in Vietnamese (quiz and training definitions).
  if (VIETNAMESE_LETTER.test(i.message)) return i.message;
  switch (i.code) {
    case 'invalid_type':
      return 'thiếu hoặc không đúng kiểu';
    case 'too_small':
      return 'quá ngắn hoặc còn thiếu';
    case 'too_big':
      return 'quá dài';
    case 'invalid_format':
      return i.format === 'url' ? 'không phải đường dẫn hợp lệ (bắt đầu bằng https://)' : 'không đúng định dạng';
    case 'invalid_value':
      return 'giá trị không được chấp nhận';
    case 'unrecognized_keys':
      return `có trường không được biết: ${i.keys.join(', ')}`;
    default:
      return 'không hợp lệ';
  }
}

/** What a field should be, for a value of the wrong kind. */
const EXPECTED: Readonly<Record<string, string>> = {
  string: 'một câu chữ',
  array: 'một danh sách (mỗi mục một dòng bắt đầu bằng “- ”, hoặc [a, b])',
  object: 'một nhóm trường (các dòng thụt lề bên dưới)',
  boolean: 'true hoặc false',
  date: 'một ngày, ví dụ 2026-01-31',
};

/**
 * A content file's schema issue in Vietnamese, saying what to do: a field that is missing is
 * told apart from one of the wrong kind (zod reports both as `invalid_type`, which
 * {@link vietnameseMessage} can only word as "thiếu hoặc không đúng kiểu").
 *
 * @param present whether the file has the field at the issue's path
 * @example
 * fieldIssueMessage(issue, false) // 'thiếu trường này: thêm một dòng cho nó vào phần khai báo (giữa hai dòng ---)'
 */
export function fieldIssueMessage(issue: z.core.$ZodIssue, present: boolean): string {
  if (issue.code === 'invalid_type' && !present) return 'thiếu trường này: thêm một dòng cho nó vào phần khai báo (giữa hai dòng ---)';
  if (issue.code === 'invalid_type' && Object.hasOwn(EXPECTED, issue.expected)) return `không đúng kiểu: cần ${EXPECTED[issue.expected]}`;
  const base = vietnameseMessage(issue);
  if (issue.code === 'invalid_value' && issue.values.length) return `${base} (chỉ nhận: ${issue.values.map(String).join(', ')})`;
  return base;
}
