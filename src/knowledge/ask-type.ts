/**
 * What kind of answer a question asks for: a place, a cost, a time or duration, the papers to
 * bring, who is concerned, or an age.
 *
 * Why: an office writes several entries on one procedure ("where to register a birth", "what
 * papers to bring", "what it costs", "how long one has"), and a citizen's question shares the
 * procedure's words with all of them. What tells them apart is often only the interrogative
 * ("ở đâu", "mất tiền không", "bao lâu"), and those words are everyday ones that every
 * out-of-scope question shares too, so the coverage rightly gives them little weight. Matching
 * the kind of question asked with the kind the entry's own question asks breaks the tie among
 * entries on the same procedure, without making any entry more confident (./decision.ts uses it
 * in the ranking only).
 *
 * The patterns are general Vietnamese interrogatives, written from the language, not from any
 * content. A single syllable that, typed without diacritics, is another common word ("nơi" and
 * "nói", "giá" and "gia đình") is recognised only as typed with them.
 */
import { fold, syllables } from '../text/vietnamese.js';

/** The kinds of answer, as bits of an {@link askTypes} mask. */
export const ASK = { place: 1, cost: 2, time: 4, papers: 8, who: 16, age: 32 } as const;

type Kind = keyof typeof ASK;

/** Interrogative phrases of each kind (folded syllables are compared, so unaccented typing counts). */
const PHRASES: Record<Kind, string[]> = {
  place: ['ở đâu', 'tại đâu', 'chỗ nào', 'nơi nào', 'đi đâu', 'đến đâu', 'lên đâu', 'ra đâu', 'về đâu', 'cơ quan nào', 'địa chỉ'],
  cost: ['bao nhiêu tiền', 'mất tiền', 'tốn tiền', 'mất phí', 'tốn phí', 'lệ phí', 'chi phí', 'miễn phí', 'mức phí', 'đóng tiền', 'nộp tiền', 'trả tiền'],
  time: [
    'bao lâu', 'mấy ngày', 'bao nhiêu ngày', 'mấy tháng', 'bao nhiêu tháng', 'mấy năm', 'bao nhiêu năm', 'khi nào', 'lúc nào',
    'bao giờ', 'năm nào', 'ngày nào', 'tháng nào', 'thời hạn', 'thời gian', 'thời hiệu', 'trong vòng', 'hạn chót',
  ],
  papers: ['giấy tờ', 'hồ sơ', 'mang theo', 'mang gì', 'cần gì', 'gồm gì', 'gồm những gì', 'cần những gì', 'thành phần'],
  who: ['ai', 'những ai', 'người nào', 'đối tượng', 'trường hợp nào'],
  age: ['bao nhiêu tuổi', 'mấy tuổi', 'độ tuổi', 'tuổi nào', 'đủ tuổi'],
};

/** Single syllables recognised only when typed with their diacritics. */
const ACCENTED_ONLY: Record<Kind, string[]> = {
  place: ['nơi'],
  cost: ['phí', 'giá'],
  time: [],
  papers: [],
  who: [],
  age: [],
};

const PATTERNS: { bit: number; folded: string[] }[] = (Object.keys(ASK) as Kind[]).flatMap((k) =>
  PHRASES[k].map((p) => ({ bit: ASK[k], folded: syllables(p).map(fold) })),
);
const ACCENTED: Map<string, number> = new Map(
  (Object.keys(ASK) as Kind[]).flatMap((k) => ACCENTED_ONLY[k].map((w): [string, number] => [syllables(w)[0]!, ASK[k]])),
);
/** Patterns by their first folded syllable. */
const BY_FIRST = new Map<string, { bit: number; folded: string[] }[]>();
for (const p of PATTERNS) {
  const list = BY_FIRST.get(p.folded[0]!);
  if (list) list.push(p);
  else BY_FIRST.set(p.folded[0]!, [p]);
}

/**
 * The kinds of answer a text asks for, as a mask of {@link ASK} bits (0: none recognised).
 *
 * @example
 * askTypes('Làm giấy khai sinh ở đâu?') === ASK.place
 * askTypes('lam khai sinh mat bao lau') === ASK.time
 */
export function askTypes(text: string): number {
  const words = syllables(text);
  const folded = words.map(fold);
  let mask = 0;
  for (let i = 0; i < words.length; i++) {
    mask |= ACCENTED.get(words[i]!) ?? 0;
    for (const p of BY_FIRST.get(folded[i]!) ?? []) {
      let j = 1;
      while (j < p.folded.length && folded[i + j] === p.folded[j]) j++;
      if (j === p.folded.length) mask |= p.bit;
    }
  }
  return mask;
}

/**
 * Whether a question and an entry's question texts ask for the same kind of answer: 1 when they
 * share one, -1 when both ask for some kind and none is shared, 0 when either asks for none.
 */
export function askAgreement(query: number, entry: number): number {
  if (query === 0 || entry === 0) return 0;
  return (query & entry) !== 0 ? 1 : -1;
}
