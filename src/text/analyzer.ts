/**
 * Turns text into search terms: canonical syllables, synonyms and abbreviations mapped to one
 * form, folded (diacritic-free), plus adjacent-syllable bigrams. Documents and queries go
 * through the same analyzer, so "BHYT", "bảo hiểm y tế" and "bao hiem y te" meet.
 */
import { bigrams, fold, syllables } from './vietnamese.js';
import { STOPWORDS } from './stopwords.js';

/** The analysis of one text. */
export interface Analysis {
  /** Folded syllables after synonym mapping, in order. */
  tokens: string[];
  /** Unigrams that carry meaning (no stopwords, no 1–2 digit numbers). */
  content: string[];
  /** Bigrams with at least one meaningful syllable. */
  bigrams: string[];
}

/** An analyzer bound to a synonym table. */
export interface Analyzer {
  analyze(text: string): Analysis;
  /** All terms to index for a text: every unigram and every bigram. */
  indexTerms(text: string): string[];
  /** Terms to search for: meaningful unigrams and bigrams (deduplicated). */
  queryTerms(text: string): string[];
  /** Whether a folded unigram is a stopword. */
  isStopword(term: string): boolean;
}

/**
 * Builds an analyzer. Each synonym group's first term is canonical; every other term (a phrase
 * or an abbreviation) is rewritten to it, longest match first.
 *
 * @example createAnalyzer([['bảo hiểm y tế', 'bhyt']]).analyze('BHYT trẻ em').tokens
 * // ['bao', 'hiem', 'y', 'te', 'tre', 'em']
 */
export function createAnalyzer(synonyms: readonly (readonly string[])[] = []): Analyzer {
  // folded phrase (space-joined) -> canonical folded tokens
  const map = new Map<string, string[]>();
  let longest = 1;
  for (const group of synonyms) {
    const canon = syllables(group[0] ?? '').map(fold);
    if (canon.length === 0) continue;
    for (const term of group.slice(1)) {
      const toks = syllables(term).map(fold);
      if (toks.length === 0) continue;
      const key = toks.join(' ');
      if (key === canon.join(' ')) continue;
      if (!map.has(key)) map.set(key, canon);
      longest = Math.max(longest, toks.length);
    }
  }

  const applySynonyms = (toks: string[]): string[] => {
    if (map.size === 0) return toks;
    const out: string[] = [];
    let i = 0;
    while (i < toks.length) {
      let matched = false;
      for (let n = Math.min(longest, toks.length - i); n >= 1; n--) {
        const canon = map.get(toks.slice(i, i + n).join(' '));
        if (canon) {
          out.push(...canon);
          i += n;
          matched = true;
          break;
        }
      }
      if (!matched) out.push(toks[i++]!);
    }
    return out;
  };

  const isStopword = (t: string): boolean => STOPWORDS.has(t);
  const meaningful = (t: string): boolean => !isStopword(t) && !/^\d{1,2}$/.test(t);

  const analyze = (text: string): Analysis => {
    const tokens = applySynonyms(syllables(text).map(fold));
    const content = tokens.filter(meaningful);
    const bi: string[] = [];
    for (let i = 0; i + 1 < tokens.length; i++) {
      const a = tokens[i]!;
      const b = tokens[i + 1]!;
      if (meaningful(a) || meaningful(b)) bi.push(`${a}_${b}`);
    }
    return { tokens, content, bigrams: bi };
  };

  return {
    analyze,
    isStopword,
    indexTerms(text) {
      const tokens = applySynonyms(syllables(text).map(fold));
      return [...tokens, ...bigrams(tokens)];
    },
    queryTerms(text) {
      const a = analyze(text);
      return [...new Set([...a.content, ...a.bigrams])];
    },
  };
}
