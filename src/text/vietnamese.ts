/**
 * Vietnamese text normalisation for search. Pure functions, no state.
 *
 * Citizens type the same word many ways: with or without diacritics, composed or decomposed
 * Unicode, old ("hoà", "thuỷ") or new ("hòa", "thủy") tone-mark placement, upper or lower
 * case, "đ" or "d". Every form is brought to one canonical accented form and one folded
 * (diacritic-free) form, and search works on the folded form.
 */
import { boundedMemo } from './memo.js';

const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/;
const ALL_MARKS = /[\u0300-\u036f]/g;
const TONES_RE = /[\u0300\u0301\u0303\u0309\u0323]/g;

/** Vowels, base letters after stripping the tone only (shape marks kept). */
const VOWELS = new Set(['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y']);
const SHAPED = new Set(['ă', 'â', 'ê', 'ô', 'ơ', 'ư']);

/**
 * Unicode NFC and lower case, with whitespace collapsed. Use on all user input first.
 *
 * @example basicNormalize('  Hoà   BÌNH ') // 'hoà bình'
 */
export function basicNormalize(s: string): string {
  return s.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Removes every diacritic and maps đ→d: the folded form users without a Vietnamese keyboard type.
 *
 * @example fold('Quyền con người Đảng') // 'quyen con nguoi dang'
 */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(ALL_MARKS, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC');
}

/**
 * Puts the tone mark of one lower-case syllable in one canonical place, so "hoà" and "hòa",
 * "thuỷ" and "thủy", "khoẻ" and "khỏe" meet. ("quí" and "quý" are different letters and stay
 * apart.)
 * Syllables without a tone mark or without vowels are returned unchanged.
 *
 * @example placeTone('hoà') // 'hòa'
 */
export function placeTone(syllable: string): string {
  const nfd = syllable.normalize('NFD');
  const toneMatch = nfd.match(TONE_MARKS);
  if (!toneMatch) return syllable.normalize('NFC');
  const tone = toneMatch[0];
  const bare = nfd.replace(TONES_RE, '').normalize('NFC');
  const chars = [...bare];
  // Locate the vowel cluster: the first run of vowels, skipping the 'u' of "qu" and the 'i' of
  // "gi" when another vowel follows (they belong to the onset).
  let start = chars.findIndex((c) => VOWELS.has(c));
  if (start < 0) return syllable.normalize('NFC');
  if (start > 0) {
    const onset = chars.slice(0, start).join('');
    const next = chars[start + 1];
    if (((onset === 'q' && chars[start] === 'u') || (onset === 'g' && chars[start] === 'i')) && next && VOWELS.has(next))
      start += 1;
  }
  let end = start;
  while (end + 1 < chars.length && VOWELS.has(chars[end + 1]!)) end++;
  const cluster = chars.slice(start, end + 1);
  const hasCoda = end + 1 < chars.length;
  let target: number;
  const shaped = cluster.map((c, i) => (SHAPED.has(c) ? i : -1)).filter((i) => i >= 0);
  if (shaped.length > 0) target = shaped[shaped.length - 1]!; // ươ -> on ơ
  else if (cluster.length === 1) target = 0;
  else if (hasCoda) target = cluster.length - 1;
  else if (cluster.length === 3) target = 1;
  // Two vowels, open syllable: the mark goes on the first ("hòa", "thủy", "khỏe", "mùa").
  // This is the placement most keyboards produce; "hoà"/"thuỷ"/"khoẻ" are brought to it.
  else target = 0;
  chars[start + target] = (chars[start + target]! + tone).normalize('NFC');
  return chars.join('').normalize('NFC');
}

/**
 * Splits text into lower-case, NFC syllables with canonical tone placement. Numbers are kept
 * as tokens; punctuation and emoji are dropped.
 *
 * @example syllables('Hoà bình, 2025!') // ['hòa', 'bình', '2025']
 */
export function syllables(text: string): string[] {
  // basicNormalize without its spacing (spaces are not part of any syllable).
  const words = text.normalize('NFC').toLowerCase().match(SYLLABLE) ?? [];
  for (let i = 0; i < words.length; i++) words[i] = cachedTone(words[i]!);
  return words;
}
const SYLLABLE = /[\p{L}\p{M}\p{N}]+/gu;

// Vietnamese has a few thousand distinct syllables: caching their canonical form makes
// indexing and query analysis several times faster. Bounded so odd input can't grow it forever.
const cachedTone = boundedMemo((s: string) => placeTone(s), 200_000);

/**
 * The canonical text form: syllables joined by single spaces. Two strings that differ only in
 * case, Unicode composition, spacing, punctuation or tone placement have the same canonical form.
 */
export function canonical(text: string): string {
  return syllables(text).join(' ');
}

/** The folded canonical form: {@link canonical} without diacritics. */
export function foldedCanonical(text: string): string {
  return fold(canonical(text));
}

/**
 * Adjacent-syllable bigrams joined by '_', which let multi-syllable words ("bảo hiểm",
 * "quyền con người") score as units.
 *
 * @example bigrams(['bao', 'hiem', 'y', 'te']) // ['bao_hiem', 'hiem_y', 'y_te']
 */
export function bigrams(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) out.push(`${tokens[i]}_${tokens[i + 1]}`);
  return out;
}

/** True if the text has at least one letter or digit (not only emoji, punctuation or spaces). */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
