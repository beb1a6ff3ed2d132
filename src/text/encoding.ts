/**
 * How an office's files are really written, read as text. Offices save content from Notepad,
 * Word and old documents:
 *
 * - UTF-8, with or without a BOM: read as is (the BOM dropped).
 * - UTF-16 with a BOM (Notepad's "Unicode"): decoded.
 * - Anything else that is not valid UTF-8 (Notepad's "ANSI", Windows-1258): refused, with where
 *   and how to save it again. Read as UTF-8 it became "Tr? em c� quy?n", served to citizens.
 * - Text typed or pasted in an old Vietnamese font encoding, TCVN3 (ABC, the .Vn fonts) or VNI
 *   Windows: valid Unicode, but wrong letters ("TrÎ em cã quyÒn", "Treû em coù quyeàn").
 *   {@link legacyVietnamese} recognises it, so that it is refused with the converter every office
 *   has (Unikey's), not served.
 */
import { readFileSync } from 'node:fs';

/** A file's bytes as text, or why they cannot be read as text. */
export type DecodedFile = { ok: true; text: string } | { ok: false; line: number };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a content file: UTF-8 (BOM dropped) or UTF-16 with a BOM. Not valid UTF-8 otherwise:
 * `line` is where the first byte that is not.
 *
 * @example
 * decodeTextFile(readFileSync('content/qa/a.md')) // { ok: true, text: '---\nid: a…' }
 */
export function decodeTextFile(bytes: Uint8Array): DecodedFile {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { ok: true, text: new TextDecoder('utf-16le').decode(bytes.subarray(2)) };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { ok: true, text: new TextDecoder('utf-16be').decode(bytes.subarray(2)) };
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { ok: true, text: utf8.decode(body) };
  } catch {
    return { ok: false, line: firstInvalidLine(body) };
  }
}

/** The 1-based line of the first byte sequence that is not UTF-8. */
function firstInvalidLine(b: Uint8Array): number {
  let line = 1;
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c === 0x0a) line++;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n === 0) return line;
    for (let k = 1; k < n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return line;
    i += n;
  }
  return line;
}

/** Latin-1 letters that are Vietnamese letters too (the rest never are). */
const VIETNAMESE_LATIN1 = new Set('ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý');
/** Quotes and marks around a word, not part of it. */
const EDGES = /^[\s"'()[\]{}<>.,;:!?…“”‘’«»\-–—*_#/\\|]+|[\s"'()[\]{}<>.,;:!?…“”‘’«»\-–—*_#/\\|]+$/g;

/** Whether a word has a character an old font encoding puts where a Vietnamese letter should be. */
function legacyWord(w: string): boolean {
  if (!/[A-Za-z]/.test(w) || /\d/.test(w)) return false;
  for (const ch of w) {
    const c = ch.charCodeAt(0);
    if (c >= 0xa1 && c <= 0xff && !VIETNAMESE_LATIN1.has(ch)) return true;
  }
  return false;
}

/** Text in an old Vietnamese font encoding: which one, and words of it as examples. */
export interface LegacyText {
  /** As Unikey's converter names it. */
  encoding: 'TCVN3 (ABC)' | 'VNI Windows';
  examples: string[];
}

/**
 * Recognises Vietnamese typed in TCVN3 (ABC) or VNI Windows and read as Unicode: at least 3
 * words, and at least 40% of the words with letters beyond ASCII, have a character no
 * Vietnamese word has ("TrÎ", "®­îc"; "ñöôïc", "Treû"): 57-71% of them in either encoding (the
 * rest happen to use letters Vietnamese has too, "cã", "coù"). Foreign names ("Peña", "Müller")
 * and marks ("Word®") in real Vietnamese text are far fewer.
 *
 * @example
 * legacyVietnamese('TrÎ em cã quyÒn ®­îc häc tËp') // { encoding: 'TCVN3 (ABC)', examples: ['TrÎ', 'quyÒn', '®­îc'] }
 * legacyVietnamese('Trẻ em có quyền được học tập') // undefined
 */
export function legacyVietnamese(text: string): LegacyText | undefined {
  let wide = 0;
  const legacy: string[] = [];
  for (const raw of text.split(/\s+/)) {
    const w = raw.replace(EDGES, '');
    if (!w || !/[^\x00-\x7f]/.test(w)) continue;
    wide++;
    if (legacyWord(w)) legacy.push(w);
  }
  if (legacy.length < 3 || legacy.length < wide * 0.4) return undefined;
  // TCVN3 puts its commonest letters on the symbols (¡-¿: "®" is đ, "¸" á, "«" ô, the soft
  // hyphen ư), and the rest on letters; VNI never uses the symbols, only letters with marks no
  // Vietnamese letter has after a vowel ("ñ" đ, "ö" ư, "û" the hook above).
  const symbols = legacy.filter((w) => /[\u00a1-\u00bf]/.test(w)).length;
  return { encoding: symbols * 5 >= legacy.length ? 'TCVN3 (ABC)' : 'VNI Windows', examples: [...new Set(legacy)].slice(0, 3) };
}

/** What staff read when a text is in an old font encoding: what it is and how to convert it. */
export function legacyVietnameseMessage(found: LegacyText): string {
  const shown = found.examples.map((w) => `“${w.replace(/\u00ad/g, '-')}”`).join(', ');
  return (
    `chữ được gõ bằng bảng mã cũ ${found.encoding} (ví dụ ${shown}), người dân sẽ thấy chữ lỗi: ` +
    `chép toàn bộ nội dung, mở công cụ chuyển mã của Unikey (Ctrl+Shift+F6), chọn bảng mã nguồn “${found.encoding}”, ` +
    `đích “Unicode”, bấm “Chuyển mã”, rồi dán lại và lưu tệp`
  );
}

/** What staff read when a file is not UTF-8. */
export function notUtf8Message(line: number): string {
  return (
    `tệp không được lưu ở mã UTF-8 (có lẽ là ANSI hoặc Windows-1258), chữ có dấu từ dòng ${line} sẽ bị lỗi: ` +
    `mở tệp bằng Notepad, chọn Tệp > Lưu thành (File > Save As), ở ô Mã hóa (Encoding) chọn UTF-8, rồi lưu đè`
  );
}

/**
 * Reads a file an office wrote (quizzes, training plans, bot settings, YAML lists): UTF-8 or
 * UTF-16 with a BOM, in Unicode letters. Throws, in Vietnamese, when it is neither
 * ({@link notUtf8Message}) or is typed in an old font encoding ({@link legacyVietnameseMessage}).
 *
 * @example
 * const text = readOfficeFile('content/quizzes/hoi-thi-2026.yaml');
 */
export function readOfficeFile(path: string): string {
  const decoded = decodeTextFile(readFileSync(path));
  if (!decoded.ok) throw new Error(notUtf8Message(decoded.line));
  const legacy = legacyVietnamese(decoded.text);
  if (legacy) throw new Error(legacyVietnameseMessage(legacy));
  return decoded.text;
}

/**
 * A file's text as {@link decodeTextFile} reads it, without refusing anything: for files already
 * checked by the loader (the admin's editor reads an entry to change it, and writes it back as
 * UTF-8). Not UTF-8 at all, it is read as UTF-8 would be.
 */
export function readDecoded(path: string): string {
  const bytes = readFileSync(path);
  const decoded = decodeTextFile(bytes);
  return decoded.ok ? decoded.text : bytes.toString('utf8');
}

/**
 * What staff read when a CSV to import is not UTF-8: Excel's "CSV (Comma delimited)" writes the
 * Windows code page (Windows-1258 on a Vietnamese Windows), its "CSV UTF-8" what Loa reads.
 */
export function notUtf8CsvMessage(line: number): string {
  return (
    `tệp không được lưu ở mã UTF-8 (Excel lưu “CSV (Comma delimited)” theo bảng mã của Windows), chữ có dấu từ dòng ${line} sẽ bị lỗi: ` +
    `trong Excel chọn Tệp > Lưu thành (File > Save As), kiểu tệp “CSV UTF-8 (Comma delimited)”, rồi nhập lại tệp mới`
  );
}
