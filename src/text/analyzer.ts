/**
 * Turns text into search terms. Each syllable has two forms:
 * - the exact form: canonical accented syllable ("hòa", "tuyển");
 * - the folded form, prefixed with '~' ("~hoa", "~tuyen"): what people type without a
 *   Vietnamese keyboard.
 * Documents are indexed under both. A query typed with diacritics is matched on exact forms,
 * so "tuyển" (select) no longer meets "tuyên" (propagate) and "tối" (evening) no longer meets
 * "tội" (crime); a query typed without them is matched on folded forms. Synonyms and
 * abbreviations ("bhyt") are rewritten to their canonical phrase first, and adjacent-syllable
 * bigrams make multi-syllable words ("bảo hiểm", "quyền con người") score as units.
 */
import { fold, placeTone, syllables } from './vietnamese.js';
import { spelledNumbers, writeAmounts } from './numbers.js';
import { COURTESY, COURTESY_FOLDED, GENERIC_EXACT, PLAIN_PARTICLES, STOPWORDS } from './stopwords.js';

/**
 * Version of the Vietnamese analysis: part of the lexicon's hash (./lexicon.ts), hence of the
 * index snapshot's key, so that an index made by an older analysis is rebuilt. Raise it whenever
 * the terms of a text change. 2: numbers in one form (./numbers.ts). 3: chat interjections
 * ("ok", "hihi") are stop words. 4: no synonym or spelled number is read across a clause mark.
 */
export const VIETNAMESE_ANALYZER_VERSION = 4;

/** One syllable of analysed text. */
export interface Token {
  /** Canonical accented form. */
  exact: string;
  /** Folded form, '~'-prefixed. */
  folded: string;
  /** Whether the syllable was typed with diacritics (or came from a synonym's canonical form). */
  marked: boolean;
  /** Function word or 1–2 digit number: no topic of its own. */
  stop: boolean;
  /** Everyday administrative word ("thủ tục", "đăng ký"): reduced weight. */
  generic: boolean;
}

/**
 * The analysis of a query. Read-only: the Vietnamese analyzer hands the same analysis to every
 * asking of the same text (the calibration asks its ~650 negatives again on every reload).
 */
export interface QueryAnalysis {
  readonly tokens: readonly Token[];
  /** Whether the query as a whole was typed with diacritics. */
  readonly accented: boolean;
  /** Meaningful unigram terms to search (no stopwords), in the query's form. */
  readonly unigrams: readonly string[];
  /** Bigram terms with at least one meaningful syllable, in the query's form. */
  readonly bigrams: readonly string[];
  /** Terms (unigram or bigram) made only of generic or stop words. */
  readonly generic: ReadonlySet<string>;
  /**
   * Terms of a long query found only in the context before the clause it asks in ("Chào chị,
   * vợ em dự sinh tháng sau, …, cho em hỏi …"): empty for a short query or one clause.
   */
  readonly context?: ReadonlySet<string>;
}

/** An analyzer bound to a synonym table. */
export interface Analyzer {
  /** Tokens of a text, synonyms applied. */
  tokens(text: string): Token[];
  /** All terms to index for a text: exact and folded unigrams and bigrams. */
  indexTerms(text: string): string[];
  /** Terms of a text in one form, for comparing a query with a question. */
  formTerms(text: string, accented: boolean): { unigrams: string[]; bigrams: string[]; generic: Set<string> };
  /**
   * Analyses a query. An accented word that is not in the index is kept as it is (fuzzy
   * matching catches a slip of one mark): falling back to its folded form would let "tối"
   * (evening) match "tôi" and hide that the question is about something we don't cover.
   */
  query(text: string): QueryAnalysis;
  /** Terms of already analysed tokens in one form (the span of a query, for instance). */
  tokenTerms(tokens: readonly Token[], accented: boolean): { unigrams: string[]; bigrams: string[]; generic: Set<string> };
  /**
   * Everyday wordings of an official notion found in analysed tokens (the `related` groups):
   * the span of tokens it covers (end exclusive) and the official term to search beside it.
   * A wording matches in order with at most two other words between its own ("chồng tôi hay
   * đánh" for "chồng đánh"); a word typed with diacritics must match them.
   */
  expansions(tokens: readonly Token[]): Expansion[];
  /**
   * The distinct terms of a text in one form, as ids from `ids`: those of {@link formTerms},
   * unigrams then bigrams, each in the order first met. Coverage checks every body sentence of
   * every candidate this way; a bigram is looked up by its two syllables' ids, so its string is
   * made only the first time. (Optional: an analyzer without it is read through `formTerms`.)
   */
  formTermIds?(text: string, accented: boolean, ids: TermIds): Int32Array;
}

/**
 * Term strings to dense integer ids, given in the order first asked (ids are only names: nothing
 * depends on their order), with pairs of ids to the id of their bigram, and a reusable buffer
 * that collects distinct ids. No allocation per look-up once a term is known.
 */
export class TermIds {
  private readonly byTerm = new Map<string, number>();
  // Open addressing on (first id, second id) -> bigram id; a key of -1 is an empty slot.
  private pairA = new Int32Array(1024).fill(-1);
  private pairB = new Int32Array(1024);
  private pairId = new Int32Array(1024);
  private pairs = 0;
  // Distinct ids of the text being read: a stamp per id, and the ids in the order first met.
  private seen = new Int32Array(1024);
  private epoch = 0;
  private out = new Int32Array(256);
  private n = 0;

  /** Number of distinct terms (every id is below it). */
  get size(): number {
    return this.byTerm.size;
  }

  /** The id of a term, given now if it has none. */
  id(term: string): number {
    let id = this.byTerm.get(term);
    if (id === undefined) this.byTerm.set(term, (id = this.byTerm.size));
    return id;
  }

  /** The id of a term that has one. */
  get(term: string): number | undefined {
    return this.byTerm.get(term);
  }

  private slot(a: number, b: number): number {
    const mask = this.pairA.length - 1;
    let i = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) & mask;
    while (this.pairA[i] !== -1 && (this.pairA[i] !== a || this.pairB[i] !== b)) i = (i + 1) & mask;
    return i;
  }

  /** The id of the bigram of the terms with ids `a` and `b`, or -1 when not yet asked. */
  pairGet(a: number, b: number): number {
    const i = this.slot(a, b);
    return this.pairA[i] === -1 ? -1 : this.pairId[i]!;
  }

  /** Files `id` as the bigram of `a` and `b` (not filed yet) and returns it. */
  pairSet(a: number, b: number, id: number): number {
    if ((this.pairs + 1) * 2 > this.pairA.length) {
      const [oa, ob, oi] = [this.pairA, this.pairB, this.pairId];
      this.pairA = new Int32Array(oa.length * 2).fill(-1);
      this.pairB = new Int32Array(oa.length * 2);
      this.pairId = new Int32Array(oa.length * 2);
      for (let k = 0; k < oa.length; k++)
        if (oa[k] !== -1) {
          const j = this.slot(oa[k]!, ob[k]!);
          this.pairA[j] = oa[k]!;
          this.pairB[j] = ob[k]!;
          this.pairId[j] = oi[k]!;
        }
    }
    const i = this.slot(a, b);
    this.pairA[i] = a;
    this.pairB[i] = b;
    this.pairId[i] = id;
    this.pairs++;
    return id;
  }

  /** Starts collecting distinct ids. */
  begin(): void {
    this.n = 0;
    if (++this.epoch === 2 ** 31 - 1) {
      this.seen.fill(0);
      this.epoch = 1;
    }
  }

  /** Adds an id to the collection unless it is there already. */
  add(id: number): void {
    if (id >= this.seen.length) {
      const grown = new Int32Array(Math.max(id + 1, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    if (this.seen[id] === this.epoch) return;
    this.seen[id] = this.epoch;
    if (this.n === this.out.length) {
      const grown = new Int32Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.n++] = id;
  }

  /** The ids collected since {@link begin}, in the order first added. */
  collected(): Int32Array {
    return this.out.slice(0, this.n);
  }
}

/** One everyday wording found in a query, and the official term it stands for. */
export interface Expansion {
  start: number;
  end: number;
  official: string;
}

const FOLD_PREFIX = '~';
/** Content words from which a query is long enough to tell its context from what it asks. */
const LONG_QUERY_WORDS = 12;
/** The asking part of a long query holds at least this many content words. */
const ASK_MIN_WORDS = 5;
/** Words that open the asking clause of a chat question, with or without diacritics. */
const ASK_OPENERS =
  /(^|\s)((?:cho\s+(?:em|tôi|mình|cháu|con|tui)\s+|xin\s+|muốn\s+)hỏi|muốn\s+biết|vậy|(?:cho\s+(?:em|toi|minh|chau|con|tui)\s+|xin\s+|muon\s+)hoi|muon\s+biet)(?=\s)/giu;
const isMarked = (s: string): boolean => fold(s) !== s;
/**
 * Whether a text of `n` words, `marked` of them with diacritics, was typed with them: then its
 * exact forms are matched, else its folded ones. (Words without any mark, like "y" or "con", are
 * the same in both forms, hence the low share.)
 */
const isAccented = (marked: number, n: number): boolean => n > 0 && marked / n >= 0.4;
/** Words that may stand between an everyday wording's own words ("chồng tôi hay đánh"). */
const MAX_GAP = 2;

/**
 * Query analyses kept per analyzer (all dropped when full): the calibration's practice questions
 * and negatives (about 1,600 at 10,000 passages; every reload asks the negatives again) and the
 * questions asked since. A longer text (a pasted one) is analysed every time.
 */
const QUERY_MEMO = 2048;
const QUERY_MEMO_CHARS = 400;
/**
 * Whether each UTF-16 code unit below the surrogates is a letter, mark or digit: 1 or 0, -1
 * until first met (a text uses a few hundred of them; testing all 55,296 took 20 ms at start).
 */
const WORD_UNIT = new Int8Array(0xd800).fill(-1);
const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
/**
 * Stands for a clause mark between two words in the word list of {@link syllableMatches}: no
 * syllable, so no phrase of the synonyms and no spelled number reads across it, and a long
 * question makes no pair of words over it (see `clauseBreak`).
 */
const BREAK = '\u0002';
/** The token of a {@link BREAK}: taken out of the tokens once synonyms and numbers are read. */
const BREAK_TOKEN: Token = { exact: BREAK, folded: FOLD_PREFIX + BREAK, marked: false, stop: true, generic: false };
/**
 * Whether the code unit `k` at `i` ends a clause: ',' ';' '?' '!' '…' and line breaks; '.' and
 * ':' only with a space or the end after them ("tp.hcm", "8:30", "gov.vn" are one run); a ','
 * between two digits is a decimal comma ("1,5").
 */
function clauseBreak(text: string, i: number, k: number): boolean {
  switch (k) {
    case 44: // ,
      return !(isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1)));
    case 46: // .
    case 58: {
      // :
      const next = text.charCodeAt(i + 1);
      return Number.isNaN(next) || next === 32 || next === 10 || next === 13 || next === 9 || next === 0xa0;
    }
    case 59: // ;
    case 63: // ?
    case 33: // !
    case 0x2026: // …
    case 10:
    case 13:
      return true;
    default:
      return false;
  }
}
const isDigit = (k: number): boolean => k >= 48 && k <= 57;
/**
 * The syllables of a text as `syllables` (./vietnamese.ts) matches them, by a scan over a table:
 * about half the cost of a regular expression, which was the largest part of tokenizing. A
 * {@link BREAK} stands between two words a clause mark parts. A text with a code unit at or past
 * the surrogates (emoji, full-width letters) is left to a regular expression.
 */
function syllableMatches(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  let brk = false;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    if (k >= 0xd800) return syllableMatchesRe(text);
    let word = WORD_UNIT[k]!;
    if (word < 0) word = WORD_UNIT[k] = WORD_CHAR.test(text[i]!) ? 1 : 0;
    if (word === 1) {
      if (start < 0) {
        start = i;
        if (brk) {
          if (out.length > 0) out.push(BREAK);
          brk = false;
        }
      }
    } else {
      if (start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
      if (!brk && clauseBreak(text, i, k)) brk = true;
    }
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}

/** As {@link syllableMatches}, by the regular expression. */
function syllableMatchesRe(text: string): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
    const word = m[0];
    if (out.length > 0)
      for (let i = last; i < m.index; i++)
        if (clauseBreak(text, i, text.charCodeAt(i))) {
          out.push(BREAK);
          break;
        }
    out.push(word);
    last = m.index + m[0].length;
  }
  return out;
}

/**
 * Builds an analyzer. Each synonym group's first term is canonical; every other term (a phrase
 * or an abbreviation) is rewritten to it, longest match first, compared in folded form.
 *
 * @example createAnalyzer([['bảo hiểm y tế', 'bhyt']]).tokens('BHYT').map((t) => t.exact)
 * // ['bảo', 'hiểm', 'y', 'tế']
 */
export function createAnalyzer(
  synonyms: readonly (readonly string[])[] = [],
  related: readonly (readonly string[])[] = [],
): Analyzer {
  // folded phrase -> canonical exact syllables. A term written without diacritics ("cat",
  // "hp", "bhyt") is an abbreviation: it matches only words typed without marks, so "cắt"
  // (cut) never becomes the Convention against Torture.
  const map = new Map<string, { canon: string[]; plainOnly: boolean }>();
  // The lengths (in syllables, longest first) of the phrases to rewrite, by their first syllable
  // (folded): most positions are skipped at once, and only lengths that exist are tried.
  const starts = new Map<string, number[]>();
  for (const group of synonyms) {
    const canon = syllables(group[0] ?? '');
    if (canon.length === 0) continue;
    const canonKey = canon.map(fold).join(' ');
    for (const term of group.slice(1)) {
      const syl = syllables(term);
      const key = syl.map(fold).join(' ');
      if (!key || key === canonKey || map.has(key)) continue;
      map.set(key, { canon, plainOnly: syl.every((x) => !isMarked(x)) });
      const head = FOLD_PREFIX + key.split(' ')[0]!;
      const lengths = starts.get(head) ?? [];
      if (!lengths.includes(syl.length)) lengths.push(syl.length);
      starts.set(head, lengths.sort((a, b) => b - a));
    }
  }

  const genericFolded = new Set([...GENERIC_EXACT].map(fold));
  const tokenCache = new Map<string, Token>();
  const mk = (exact: string, marked: boolean): Token => {
    const key = marked ? exact : `\u0001${exact}`;
    let tok = tokenCache.get(key);
    if (!tok) {
      tok = makeToken(exact, marked);
      if (tokenCache.size < 200_000) tokenCache.set(key, tok);
    }
    return tok;
  };
  const makeToken = (exact: string, marked: boolean): Token => {
    const f = fold(exact);
    return {
      exact,
      folded: FOLD_PREFIX + f,
      marked,
      stop: STOPWORDS.has(f) || /^\d{1,2}$/.test(f),
      // An unaccented word is generic when any accented reading of it is.
      generic: marked ? GENERIC_EXACT.has(exact) : genericFolded.has(f),
    };
  };

  // A syllable as typed -> its token: marked or not. One look-up per syllable: this runs for
  // every word indexed and every body sentence a query's candidates are covered with.
  const typedCache = new Map<string, Token>();
  const typedToken = (x: string): Token => {
    let tok = typedCache.get(x);
    if (!tok) {
      const plain = mk(x, false);
      tok = plain.folded.slice(1) === x ? plain : mk(x, true);
      if (typedCache.size < 200_000) typedCache.set(x, tok);
    }
    return tok;
  };
  // A word as matched in the text (before its tone mark is put in place) -> its token: one
  // look-up per word instead of two (`syllables` then `typedToken`).
  const rawCache = new Map<string, Token>();
  /** The tokens of `syllables(text)`, each as {@link typedToken} makes it. */
  const typedTokens = (text: string): Token[] => {
    const words = syllableMatches(text.normalize('NFC').toLowerCase());
    const typed: Token[] = new Array<Token>(words.length);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (w === BREAK) {
        typed[i] = BREAK_TOKEN;
        continue;
      }
      let tok = rawCache.get(w);
      if (!tok) {
        tok = typedToken(placeTone(w));
        if (rawCache.size < 200_000) rawCache.set(w, tok);
      }
      typed[i] = tok;
    }
    return typed;
  };
  /**
   * Numbers in one form (./numbers.ts): "mười tám tuổi", "muoi tam tuoi" and "18 tuổi", "06
   * tháng" and "6 tháng" meet.
   */
  const numbered = (toks: Token[]): Token[] => {
    let out: Token[] | undefined;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.exact.length === 2 && t.exact[0] === '0' && /^0\d$/.test(t.exact)) {
        out ??= toks.slice(0, i);
        out.push(mk(t.exact.slice(1), false));
      } else out?.push(t);
    }
    const toksN = out ?? toks;
    const spelled = spelledNumbers(toksN);
    if (spelled.length === 0) return toksN;
    const res: Token[] = [];
    let at = 0;
    for (const n of spelled) {
      for (; at < n.start; at++) res.push(toksN[at]!);
      res.push(mk(String(n.value), false));
      at = n.start + n.length;
    }
    for (; at < toksN.length; at++) res.push(toksN[at]!);
    return res;
  };
  /**
   * The tokens of a text, and where a clause mark parts them: `breaks[i]` is 1 when one stands
   * before token `i` (undefined when none does). No synonym phrase and no spelled number is read
   * across a clause mark, and a long question makes no pair of words over one.
   */
  const run = (text: string): { toks: Token[]; breaks: Uint8Array | undefined } => {
    const all = numbered(rewritten(writeAmounts(text)));
    if (!all.includes(BREAK_TOKEN)) return { toks: all, breaks: undefined };
    const toks: Token[] = [];
    const marks: number[] = [];
    for (const t of all)
      if (t === BREAK_TOKEN) {
        if (toks.length > 0 && marks[marks.length - 1] !== toks.length) marks.push(toks.length);
      } else toks.push(t);
    const breaks = new Uint8Array(toks.length);
    for (const m of marks) if (m < toks.length) breaks[m] = 1;
    return { toks, breaks };
  };
  const tokens = (text: string): Token[] => run(text).toks;
  const rewritten = (text: string): Token[] => {
    const typed = typedTokens(text);
    // Made only once a phrase is rewritten: most texts have none, and are their typed tokens.
    let out: Token[] | undefined;
    let i = 0;
    while (i < typed.length) {
      let hit: string[] | undefined;
      let n = 0;
      const lengths = starts.get(typed[i]!.folded);
      if (lengths)
        for (n of lengths) {
          if (n > typed.length - i) continue;
          let key = typed[i]!.folded.slice(1);
          for (let j = i + 1; j < i + n; j++) key += ' ' + typed[j]!.folded.slice(1);
          const entry = map.get(key);
          if (entry && !(entry.plainOnly && typed.slice(i, i + n).some((t) => t.marked))) {
            hit = entry.canon;
            break;
          }
        }
      if (hit) {
        out ??= typed.slice(0, i);
        for (const c of hit) out.push(mk(c, true));
        i += n;
      } else {
        out?.push(typed[i]!);
        i += 1;
      }
    }
    return out ?? typed;
  };

  const formTerms = (
    toks: readonly Token[],
    accented: boolean,
    breaks?: Uint8Array,
  ): { unigrams: string[]; bigrams: string[]; generic: Set<string> } => {
    const form = (t: Token): string => (accented ? t.exact : t.folded);
    const generic = new Set<string>();
    const unigrams: string[] = [];
    for (const t of toks) {
      if (t.stop) continue;
      unigrams.push(form(t));
      if (t.generic) generic.add(form(t));
    }
    const bigrams: string[] = [];
    for (let i = 0; i + 1 < toks.length; i++) {
      const a = toks[i]!;
      const b = toks[i + 1]!;
      if ((a.stop && b.stop) || breaks?.[i + 1]) continue;
      // Bigrams are indexed in folded form only: unigrams already carry the accents, and one
      // form halves the bigram vocabulary (index size, snapshot load time).
      const term = `${a.folded}_${b.folded.slice(1)}`;
      bigrams.push(term);
      if ((a.stop || a.generic) && (b.stop || b.generic)) generic.add(term);
    }
    return { unigrams, bigrams, generic };
  };

  // Everyday wordings, filed under their first syllable (folded), analysed like any text so
  // that synonyms rewrite them as they rewrite a query.
  interface Wording {
    syl: Token[];
    official: string;
  }
  const wordings = new Map<string, Wording[]>();
  for (const group of related) {
    const official = group[0];
    if (!official) continue;
    for (const w of group.slice(1)) {
      const syl = tokens(w);
      if (syl.length === 0 || syl.every((t) => t.stop)) continue;
      const key = syl[0]!.folded;
      const list = wordings.get(key);
      if (list) list.push({ syl, official });
      else wordings.set(key, [{ syl, official }]);
    }
  }
  // A query typed with diacritics is read as typed, word by word: there "chua" is sour, not
  // "chùa", and "tra" in "kiểm tra công ty" is not "trả công". Without them, on folded forms.
  const same = (q: Token, w: Token, accented: boolean): boolean =>
    accented || q.marked ? q.exact === w.exact : q.folded === w.folded;
  const expansions = (toks: readonly Token[]): Expansion[] => {
    const out: Expansion[] = [];
    if (wordings.size === 0) return out;
    let marked = 0;
    for (const t of toks) if (t.marked) marked++;
    const accented = isAccented(marked, toks.length);
    const seen = new Set<string>();
    for (let i = 0; i < toks.length; i++) {
      const list = wordings.get(toks[i]!.folded);
      if (!list) continue;
      for (const w of list) {
        if (!same(toks[i]!, w.syl[0]!, accented)) continue;
        let k = 1;
        let j = i + 1;
        for (; k < w.syl.length && j < toks.length && j - i < w.syl.length + MAX_GAP; j++)
          if (same(toks[j]!, w.syl[k]!, accented)) k++;
        if (k < w.syl.length) continue;
        const key = `${i}:${w.official}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ start: i, end: j, official: w.official });
      }
    }
    return out;
  };

  /**
   * A long question is mostly context around what it asks: the asking part is its last clause
   * ending in '?' (else its last clause), widened to the clauses before it until it holds a few
   * content words (a closing "em cảm ơn nhiều" asks nothing). The query's terms found only
   * outside it are context.
   */
  const contextTerms = (text: string, unigrams: string[], bigrams: string[], accented: boolean): Set<string> => {
    const context = new Set<string>();
    if (unigrams.length < LONG_QUERY_WORDS) return context;
    // Clauses with the mark that ends them; the question is the last one ending in '?', or the
    // last one when none does ("Làm … cần gì ạ? Con em sinh ở nhà, …" asks first).
    // Chat typed without commas still says where its question starts: "cho em hỏi", "muốn
    // biết", "vậy" begin a clause.
    const marked = text.normalize('NFC').replace(ASK_OPENERS, '$1,$2');
    const clauses = [...marked.matchAll(/([^,.;:!?…\n]+)([,.;:!?…\n]*)/gu)].filter((m) => m[1]!.trim());
    if (clauses.length < 2) return context;
    let end = clauses.length - 1;
    for (let i = clauses.length - 1; i >= 0; i--)
      if (clauses[i]![2]!.includes('?')) {
        end = i;
        break;
      }
    // A closing courtesy ("em cảm ơn ạ", "mong được giải đáp", "có đúng như vậy không?") asks
    // nothing of its own, even when the question mark was typed after it.
    while (end > 0 && isCourtesy(tokens(clauses[end]![1]!))) end--;
    // Content words per clause, counted once: widening stays linear on a pasted text.
    let k = end;
    let words = 0;
    for (;;) {
      for (const t of tokens(clauses[k]![1]!)) if (!t.stop) words++;
      if (words >= ASK_MIN_WORDS || k === 0) break;
      k--;
    }
    if (k === 0 && end === clauses.length - 1) return context;
    const ask = tokens(
      clauses
        .slice(k, end + 1)
        .map((m) => m[1])
        .join(' '),
    );
    const asked = formTerms(ask, accented);
    const inAsk = new Set([...asked.unigrams, ...asked.bigrams]);
    for (const t of [...unigrams, ...bigrams]) if (!inAsk.has(t)) context.add(t);
    return context;
  };

  /**
   * Whether a clause is only courtesy: thanks, greetings, a wish to be answered, a "có đúng không"
   * that asks to confirm the clause before it. Its words are all function words or courtesy words
   * (./stopwords.ts), typed with diacritics as written there.
   */
  const isCourtesy = (toks: readonly Token[]): boolean => {
    for (const t of toks) if (!t.stop && !courteous(t)) return false;
    return true;
  };
  const courteous = (t: Token): boolean => (t.marked ? COURTESY.has(t.exact) : COURTESY_FOLDED.has(t.folded.slice(1)));

  /**
   * The terms of a question said only in its courtesy clauses ("Chào anh chị, …, em cảm ơn ạ"),
   * when another clause asks something: no entry holds them, and they are no topic.
   */
  const courtesyTerms = (text: string, accented: boolean): Set<string> => {
    const out = new Set<string>();
    const clauses = [...text.normalize('NFC').replace(ASK_OPENERS, '$1,$2').matchAll(/[^,.;:!?…\n]+/gu)].map((m) => tokens(m[0]));
    if (clauses.length < 2) return out;
    const polite = clauses.map(isCourtesy);
    if (polite.every(Boolean) || !polite.some(Boolean)) return out;
    const kept = new Set<string>();
    clauses.forEach((c, i) => {
      if (polite[i]) return;
      const f = formTerms(c, accented);
      for (const t of [...f.unigrams, ...f.bigrams]) kept.add(t);
    });
    clauses.forEach((c, i) => {
      if (!polite[i]) return;
      const f = formTerms(c, accented);
      for (const t of [...f.unigrams, ...f.bigrams]) if (!kept.has(t)) out.add(t);
    });
    return out;
  };

  // A chat particle typed without marks in a question typed with them ("… ở đâu nha"): left as a
  // word, it would count as one no entry has.
  const particle = (t: Token): Token => {
    let p = particleCache.get(t.exact);
    if (!p) particleCache.set(t.exact, (p = { ...t, stop: true }));
    return p;
  };
  const particleCache = new Map<string, Token>();
  const analyseQuery = (text: string): QueryAnalysis => {
    const r = run(text);
    let toks = r.toks;
    const marked = toks.filter((t) => t.marked).length;
    const accented = isAccented(marked, toks.length);
    if (accented && toks.some((t) => !t.marked && PLAIN_PARTICLES.has(t.exact)))
      toks = toks.map((t) => (!t.marked && PLAIN_PARTICLES.has(t.exact) ? particle(t) : t));
    // A long question's pairs stop at its clause marks: its information was mostly pairs over a
    // comma ("ạ, con", "công, em"), which no entry holds. (Short questions and the index keep
    // them: measured, docs/search.md.)
    let content = 0;
    for (const t of toks) if (!t.stop) content++;
    let { unigrams, bigrams, generic } = formTerms(toks, accented, content >= LONG_QUERY_WORDS ? r.breaks : undefined);
    // (A clause of function words alone has no terms: without a courtesy word, nothing to leave out.)
    const polite = toks.some((t) => !t.stop && courteous(t)) ? courtesyTerms(text, accented) : undefined;
    if (polite?.size) {
      unigrams = unigrams.filter((t) => !polite.has(t));
      bigrams = bigrams.filter((t) => !polite.has(t));
    }
    return {
      tokens: toks,
      accented,
      unigrams: [...new Set(unigrams)],
      bigrams: [...new Set(bigrams)],
      generic,
      context: contextTerms(text, unigrams, bigrams, accented),
    };
  };
  const queries = new Map<string, QueryAnalysis>();
  /** Scratch for formTermIds: the folded id of each token of the text. */
  let foldedIds = new Int32Array(256);

  return {
    tokens,
    tokenTerms: (toks, accented) => formTerms(toks, accented),
    expansions,
    indexTerms(text) {
      const toks = tokens(text);
      const terms: string[] = [];
      for (const t of toks) {
        terms.push(t.exact);
        terms.push(t.folded);
      }
      for (let i = 0; i + 1 < toks.length; i++) {
        const a = toks[i]!;
        const b = toks[i + 1]!;
        // Pairs of function words are never searched for.
        if (!a.stop || !b.stop) terms.push(`${a.folded}_${b.folded.slice(1)}`);
      }
      return terms;
    },
    formTerms: (text, accented) => formTerms(tokens(text), accented),
    formTermIds(text, accented, ids) {
      // As formTerms: unigrams (no stop words), then bigrams (folded, not two stop words). Each
      // token's folded id is looked up once, for its unigram and both its pairs.
      const toks = tokens(text);
      if (foldedIds.length < toks.length) foldedIds = new Int32Array(Math.max(toks.length, foldedIds.length * 2));
      ids.begin();
      for (let i = 0; i < toks.length; i++) {
        const t = toks[i]!;
        foldedIds[i] = ids.id(t.folded);
        if (!t.stop) ids.add(accented ? ids.id(t.exact) : foldedIds[i]!);
      }
      for (let i = 0; i + 1 < toks.length; i++) {
        const a = toks[i]!;
        const b = toks[i + 1]!;
        if (a.stop && b.stop) continue;
        let id = ids.pairGet(foldedIds[i]!, foldedIds[i + 1]!);
        if (id < 0) id = ids.pairSet(foldedIds[i]!, foldedIds[i + 1]!, ids.id(`${a.folded}_${b.folded.slice(1)}`));
        ids.add(id);
      }
      return ids.collected();
    },
    query(text) {
      if (text.length > QUERY_MEMO_CHARS) return analyseQuery(text);
      let a = queries.get(text);
      if (!a) {
        if (queries.size >= QUERY_MEMO) queries.clear();
        queries.set(text, (a = analyseQuery(text)));
      }
      return a;
    },
  };
}
