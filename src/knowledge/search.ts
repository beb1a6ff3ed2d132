/**
 * The search index over approved content and the answer decision.
 *
 * MiniSearch indexes the terms made by the Vietnamese analyzer; queries are evaluated on its
 * postings by a top-k scorer (./scorer.ts: BM25+ with field boosts, rare terms walked first),
 * and unknown words are corrected to one-edit neighbours (SymSpell style).
 *
 * The decision to answer is separate from the ranking: a question is answered only
 * when the best document covers enough of the query's *information* (its terms weighted by
 * inverse document frequency). A term the corpus has never seen ("xe máy", "hộ chiếu") weighs
 * the most, so an out-of-scope question that merely shares everyday words with the content
 * ("đăng ký", "được không") stays below the threshold and gets the honest no-answer.
 */
import MiniSearch from 'minisearch';
import { createHash } from 'node:crypto';
import { createAnalyzer, TermIds, type Analyzer, type QueryAnalysis } from '../text/analyzer.js';
import { createEnglishAnalyzer, ENGLISH_ANALYZER_VERSION } from '../text/english.js';
import type { Lang } from '../text/language.js';
import { fold } from '../text/vietnamese.js';
import { builtinLexicon, withBuiltinAbbreviations } from '../text/lexicon.js';
import { createScorer, type WeightedTerm } from './scorer.js';
import { decodePostings, encodePostings, postingsFromMiniSearch, type Postings, type PostingsHeader } from './postings.js';
import type { ArticleEntry, Passage, QaEntry, Topic } from './content.js';
import { askAgreement, askTypes } from './ask-type.js';
import { DEFAULT_MODEL, FEATURE_NAMES, predict, rankOf, thresholdFor, type DecisionModel, type FeatureName } from './decision.js';

/** Tunable options of the index and the decision. Tuned with `npm run eval`, not guessed. */
export interface SearchOptions {
  /** Field boosts for ranking. */
  boost: { question: number; variants: number; title: number; body: number; topics: number };
  /** An unknown query word of at least this many letters is corrected to a one-edit neighbour. */
  fuzzyMinLength: number;
  /** Ranking weight of a corrected word relative to an exact one. */
  fuzzyWeight: number;
  /** Weight of bigrams relative to unigrams in the coverage estimate. */
  bigramWeight: number;
  /** Weight of generic administrative words ("thủ tục", "giấy tờ") relative to others. */
  genericWeight: number;
  /**
   * Weight of the words a long question says only before the clause it asks in (its context:
   * greetings, who is asking, what happened), relative to the words of what it asks.
   */
  contextWeight: number;
  /** Least coverage of the query's information by the best document to answer. */
  answerThreshold: number;
  /** Least coverage for a document to be offered as a suggestion. */
  suggestThreshold: number;
  /** How many suggestions at most. */
  maxSuggestions: number;
  /** Weight of the query-side coverage against the question-side coverage in the confidence. */
  queryCoverageWeight: number;
  /**
   * Share of the query-coverage weight moved to the question-side coverage for long queries
   * (from 0 at 5 content words to all of it at 20).
   */
  longQueryShift: number;
  /** Weight of the score margin over the next entry, added to the confidence. */
  marginWeight: number;
  /**
   * Ranking weight of an article passage relative to a Q&A entry: a Q&A is an approved answer
   * to a question, a passage is background text that shares its words.
   */
  passageWeight: number;
  /** How many top results are re-scored by coverage. */
  rerankDepth: number;
  /** Weight of coverage against the normalised retrieval score when re-ranking. */
  rerankCoverageWeight: number;
  /**
   * Retrieval walks the postings of the rarest query terms, up to this many postings in all (at
   * least 3 terms); the commoner terms are only looked up on the best `candidates` found so far.
   */
  postingBudget: number;
  candidates: number;
  /** Add the abbreviations shipped with Loa (src/text/lexicon/) to the content's synonyms. */
  builtinAbbreviations: boolean;
  /**
   * Weight of an official term found through the shipped lexicon of everyday wordings, relative
   * to the words the person typed (0 turns the lexicon off).
   */
  relatedWeight: number;
}

/** Defaults, tuned on test/fixtures/eval-cases*.jsonl (see docs/BENCHMARKS.md). */
export const defaultSearchOptions: SearchOptions = {
  boost: { question: 3, variants: 2.5, title: 2, body: 1, topics: 0.5 },
  fuzzyMinLength: 4,
  fuzzyWeight: 0.6,
  bigramWeight: 0.5,
  genericWeight: 0.35,
  contextWeight: 0.5,
  answerThreshold: 0.38,
  suggestThreshold: 0.2,
  maxSuggestions: 3,
  queryCoverageWeight: 0.7,
  longQueryShift: 0.3,
  marginWeight: 0.1,
  passageWeight: 0.7,
  rerankDepth: 10,
  rerankCoverageWeight: 0.5,
  postingBudget: 30_000,
  candidates: 200,
  builtinAbbreviations: true,
  relatedWeight: 0.5,
};

/** One searchable document: a Q&A, or one passage of an article. */
export interface SearchDoc {
  id: string;
  kind: 'qa' | 'passage';
  question: string;
  variants: string;
  title: string;
  body: string;
  topics: string;
}

/** A suggestion offered when there is no confident answer (or as an alternative). */
export interface Suggestion {
  /** Q&A id, or passage id `article#n`. */
  id: string;
  label: string;
  coverage: number;
}

/** What {@link SearchIndex.search} decides for one query. */
export type Decision =
  | {
      kind: 'answer';
      /** Q&A id or passage id. */
      id: string;
      score: number;
      /** Coverage of the query's information by the answer, 0–1. */
      confidence: number;
      alternatives: Suggestion[];
      debug?: { qcov: number; dcov: number; margin: number };
    }
  | {
      kind: 'none';
      /**
       * `vague`: the query is one word ("đất", "thuế", "mẹ"): every entry that has the word
       * covers all of it, so none is a confident answer; the entries are offered instead.
       */
      reason: 'empty' | 'no-match' | 'low-confidence' | 'vague';
      confidence: number;
      suggestions: Suggestion[];
      debug?: { qcov: number; dcov: number; margin: number };
    };

/** The index plus what the decision needs. */
export interface SearchIndex {
  /** The postings the scorer walks (./postings.ts). */
  readonly postings: Postings;
  readonly analyzer: Analyzer;
  readonly options: SearchOptions;
  /** Document frequency of each term, and the document count. */
  readonly df: ReadonlyMap<string, number>;
  readonly docCount: number;
  /** Label of each document (question or heading), for suggestions. */
  readonly labels: Map<string, string>;
  /** The documents by id (their text is needed to check coverage on candidates). */
  readonly docs: Map<string, SearchDoc>;
  search(query: string, isServable?: (id: string) => boolean): Decision;
  /** The retrieved candidates with their evidence, before the decision (calibration uses it). */
  candidates(query: string, isServable?: (id: string) => boolean, depth?: number): Candidates;
  /** The decision in force: fitted to the content, or the built-in default. */
  readonly model: DecisionModel;
  setModel(model: DecisionModel): void;
}

/**
 * Serialised form of a {@link SearchIndex} (the snapshot): a small header, and the postings as
 * byte sections (./postings.ts) that a load reads without parsing.
 */
export interface SearchIndexSnapshot {
  header: SearchIndexHeader;
  sections: ArrayBufferView[];
}

/** The header of a {@link SearchIndexSnapshot}. */
export interface SearchIndexHeader {
  postings: PostingsHeader;
  docCount: number;
  /** The decision fitted to this content (./calibrate.ts). */
  model?: DecisionModel;
}

/** One retrieved candidate with the evidence the decision weighs. */
export interface Candidate {
  id: string;
  score: number;
  /** Evidence features, in FEATURE_NAMES order (./decision.ts). */
  f: Float64Array;
}

/** The candidates for a query, best retrieval score first. */
export interface Candidates {
  /** The query has no content word at all. */
  empty: boolean;
  /**
   * The query is one word (one syllable, once any abbreviation is spelled out), which more
   * than one document has: a topic, not a question.
   */
  oneWord?: boolean;
  list: Candidate[];
}

/** One everyday wording of a query and the official terms that may cover it. */
interface RelatedGroup {
  /** The wording's own terms in the query. */
  own: Set<string>;
  /** Their weight: the information the wording carries. */
  value: number;
  /** Official terms with their share of `relatedWeight * value`. */
  terms: Map<string, number>;
}

interface Related {
  groups: RelatedGroup[];
  /** Every official term with its (largest) weight. */
  alt: Map<string, number>;
}

/** Index of each feature in a features vector. */
const F = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i])) as Record<FeatureName, number>;

/**
 * Sentences of an answer or passage body: split at sentence ends, line breaks and list items,
 * so that "a query's words in one sentence" can be told from "scattered over the text".
 */
export function splitSentences(body: string): string[] {
  return body
    .split(/(?<=[.!?;:])\s+|\n+/u)
    .map((x) => x.replace(/^[\s*\-+•\d.)]+/u, '').trim())
    .filter((x) => x.length > 0);
}

const FIELDS = ['question', 'variants', 'title', 'body', 'topics'] as const;

/**
 * Hash of the options and analyzer inputs an index depends on (part of the snapshot key).
 * `english` is what the English index adds (its negatives), when the content has English entries.
 */
export function optionsHash(
  options: SearchOptions,
  synonyms: readonly (readonly string[])[],
  negatives: readonly string[] = [],
  english?: { negatives: readonly string[] },
): string {
  const en = english ? { en: { v: ENGLISH_ANALYZER_VERSION, negatives: english.negatives, lexicon: builtinLexicon().hashEn } } : {};
  return createHash('sha256')
    .update(JSON.stringify({ v: 14, options, synonyms, negatives, lexicon: builtinLexicon().hash, ...en }))
    .digest('hex')
    .slice(0, 16);
}

function miniSearchOptions(analyzer: Analyzer) {
  return {
    fields: [...FIELDS],
    storeFields: [] as string[],
    idField: 'id',
    tokenize: (text: string) => analyzer.indexTerms(text),
    processTerm: (term: string) => term,
    searchOptions: { tokenize: (q: string) => q.split(' ').filter(Boolean), processTerm: (t: string) => t },
  };
}

/**
 * The analyzer of an index: for Vietnamese, the content's synonyms and the shipped lexicon as
 * configured; for English, the English analyzer (../text/english.ts: stems, stop words, its own
 * abbreviations; the content's synonyms are Vietnamese and do not apply).
 */
function analyzerFor(synonyms: readonly (readonly string[])[], options: SearchOptions, lang: Lang = 'vi'): Analyzer {
  // An analyzer is a pure function of these inputs (its caches too), and making one analyses the
  // whole lexicon (50-250 ms): every index build, reload and calibration index of one content
  // shares it.
  const key = JSON.stringify([lang, options.builtinAbbreviations, options.relatedWeight > 0, lang === 'en' ? [] : synonyms]);
  let analyzer = analyzers.get(key);
  if (!analyzer) {
    analyzer =
      lang === 'en'
        ? createEnglishAnalyzer(options.relatedWeight > 0 ? builtinLexicon().relatedEn : [])
        : createAnalyzer(
            options.builtinAbbreviations ? withBuiltinAbbreviations(synonyms) : synonyms,
            options.relatedWeight > 0 ? builtinLexicon().related : [],
          );
    // A few contents at most are served by one process (content and its English, a reload).
    if (analyzers.size >= 8) analyzers.delete(analyzers.keys().next().value!);
    analyzers.set(key, analyzer);
  }
  return analyzer;
}
const analyzers = new Map<string, Analyzer>();

/**
 * Term ids, and the ids of body sentences, shared by every index of one analyzer: a sentence's
 * terms depend only on its text, the form (accented or folded) and the analyzer, so a reload's
 * new index, and the calibration's held-out index beside the real one, do not read an unchanged
 * body again. Bounded: past {@link MAX_SHARED_IDS} sentence ids the sentences are dropped, past
 * {@link MAX_SHARED_TERMS} terms the next index starts a new table (an index keeps its own).
 */
interface SharedTerms {
  ids: TermIds;
  /** Body text -> its sentences' distinct term ids, folded form [0] and accented form [1]. */
  sentences: [Map<string, Int32Array[]>, Map<string, Int32Array[]>];
  /** Sentence ids held. */
  held: number;
}
const MAX_SHARED_IDS = 16_000_000;
const MAX_SHARED_TERMS = 2_000_000;
const sharedTerms = new WeakMap<Analyzer, SharedTerms>();
function sharedTermsOf(analyzer: Analyzer): SharedTerms {
  let shared = sharedTerms.get(analyzer);
  if (!shared || shared.ids.size > MAX_SHARED_TERMS) {
    shared = { ids: new TermIds(), sentences: [new Map(), new Map()], held: 0 };
    sharedTerms.set(analyzer, shared);
  }
  return shared;
}

/** Turns loaded entries into search documents (Q&A + article passages). */
export function toSearchDocs(qa: QaEntry[], articles: ArticleEntry[], topics: Topic[]): SearchDoc[] {
  const topicName = new Map(topics.map((t) => [t.slug, t.name]));
  const names = (slugs: string[]): string => slugs.map((s) => topicName.get(s) ?? '').join(' ');
  const docs: SearchDoc[] = [];
  // `body` is read when it is used: from a snapshot, an entry's text is decoded only then
  // (knowledge.ts `decodeContent`), and a search reads only its candidates' bodies.
  for (const q of qa)
    docs.push({
      id: q.id,
      kind: 'qa',
      question: q.question,
      variants: q.variants.join('\n'),
      title: '',
      get body() {
        return q.answer;
      },
      topics: names(q.topics),
    });
  for (const a of articles)
    for (const p of a.passages)
      docs.push({
        id: p.id,
        kind: 'passage',
        question: '',
        variants: '',
        title: p.n === 0 ? a.title : `${a.title}. ${p.heading}`,
        get body() {
          return p.text;
        },
        topics: names(a.topics),
      });
  return docs;
}

/** Builds a fresh index. */
export function buildSearchIndex(
  docs: SearchDoc[],
  synonyms: readonly (readonly string[])[] = [],
  options: SearchOptions = defaultSearchOptions,
  lang: Lang = 'vi',
): SearchIndex {
  const analyzer = analyzerFor(synonyms, options, lang);
  // Document frequencies are collected while MiniSearch tokenizes, so each text is analysed once.
  let current = new Set<string>();
  const ms = new MiniSearch<SearchDoc>({
    ...miniSearchOptions(analyzer),
    tokenize: (text: string) => {
      const terms = analyzer.indexTerms(text);
      for (const t of terms) current.add(t);
      return terms;
    },
  });
  const df = new Map<string, number>();
  for (const d of docs) {
    current = new Set<string>();
    ms.add(d);
    for (const t of current) df.set(t, (df.get(t) ?? 0) + 1);
  }
  // MiniSearch's Maps are let go: the postings are kept in typed arrays (./postings.ts).
  return makeIndex(postingsFromMiniSearch(ms as MiniSearch<unknown>, df), analyzer, options, docs, docs.length, undefined, lang);
}

/**
 * Loads an index from its snapshot (the header and the bytes of its sections, as
 * {@link searchIndexToSnapshot} made them); `docs`, `synonyms`, `options` and `lang` must be
 * those it was built with.
 */
export function loadSearchIndex(
  header: SearchIndexHeader,
  bytes: Uint8Array,
  docs: SearchDoc[],
  synonyms: readonly (readonly string[])[] = [],
  options: SearchOptions = defaultSearchOptions,
  lang: Lang = 'vi',
): SearchIndex {
  const analyzer = analyzerFor(synonyms, options, lang);
  // The English analyzer corrects typos against the words of the indexed texts (../text/english.ts):
  // an index read from a snapshot has not analysed them, so they are read once here.
  if (lang === 'en') for (const d of docs) for (const f of FIELDS) analyzer.indexTerms(d[f]);
  return makeIndex(decodePostings(header.postings, bytes), analyzer, options, docs, header.docCount, header.model, lang);
}

/** Serialises an index for the snapshot. */
export function searchIndexToSnapshot(index: SearchIndex): SearchIndexSnapshot {
  const { header, sections } = encodePostings(index.postings);
  return { header: { postings: header, docCount: index.docCount, model: index.model }, sections };
}

function makeIndex(
  postings: Postings,
  analyzer: Analyzer,
  options: SearchOptions,
  docList: SearchDoc[],
  docCount: number = docList.length,
  initialModel?: DecisionModel,
  lang: Lang = 'vi',
): SearchIndex {
  const df = postings.df;
  const docs = new Map(docList.map((d) => [d.id, d]));
  const labels = new Map(docList.map((d) => [d.id, d.kind === 'qa' ? d.question : d.title]));
  const questionTexts = (d: SearchDoc): string[] =>
    d.kind === 'qa' ? [d.question, ...d.variants.split('\n').filter(Boolean)] : [d.title];
  const scorer = createScorer(postings, {
    boost: options.boost,
    postingBudget: options.postingBudget,
    candidates: options.candidates,
    prior: (id) => (docs.get(id)?.kind === 'passage' ? options.passageWeight : 1),
  });
  const idf = (t: string): number => {
    const n = df.get(t) ?? 0;
    return Math.log(1 + (docCount - n + 0.5) / (n + 0.5));
  };
  // Only a word the index has never seen can be a typo worth a fuzzy look-up; fuzzy search over
  // known words and bigrams would cost much and find only look-alikes.
  // Typo correction, SymSpell style: every known word is filed under each of its one-character
  // deletions, so a word the index has never seen finds its one-edit neighbours (insertion,
  // deletion, substitution, including a wrong or missing tone mark) with a few map look-ups
  // instead of a fuzzy walk over the whole vocabulary. Built on first need.
  let deletions: Map<string, string[]> | undefined;
  const deletesOf = (w: string): string[] => {
    const start = w.startsWith('~') ? 1 : 0;
    const out: string[] = [];
    for (let i = start; i < w.length; i++) out.push(w.slice(0, i) + w.slice(i + 1));
    return out;
  };
  const correct = (term: string): string | undefined => {
    if (!deletions) {
      deletions = new Map();
      for (const w of df.keys()) {
        if (w.includes('_') || w.replace('~', '').length < options.fuzzyMinLength - 1) continue;
        for (const d of deletesOf(w)) {
          const list = deletions.get(d);
          if (list) list.push(w);
          else deletions.set(d, [w]);
        }
      }
    }
    const found = new Set<string>();
    for (const w of deletions.get(term) ?? []) found.add(w); // a letter too few
    for (const d of deletesOf(term)) {
      if (df.has(d) && !d.includes('_')) found.add(d); // a letter too many
      for (const w of deletions.get(d) ?? []) if (w.length === term.length) found.add(w); // one substituted
    }
    let best: string | undefined;
    for (const w of found) if (!best || (df.get(w) ?? 0) > (df.get(best) ?? 0)) best = w;
    return best;
  };
  /** An unknown word that is two known syllables run together, split at the best point. */
  const split = (term: string): [string, string] | undefined => {
    // In folded form: tone placement cannot be trusted on a run-together word.
    const w = fold(term.replace('~', ''));
    let bestSplit: [string, string] | undefined;
    let bestDf = 0;
    for (let i = 2; i < w.length - 1; i++) {
      const x = `~${w.slice(0, i)}`;
      const y = `~${w.slice(i)}`;
      const n = Math.min(df.get(x) ?? 0, df.get(y) ?? 0, df.get(`${x}_${w.slice(i)}`) ?? 0);
      if (n > bestDf) {
        bestDf = n;
        bestSplit = [x, y];
      }
    }
    return bestSplit;
  };
  // A Vietnamese syllable has at most 7 letters and two run together 14: anything much longer
  // is no typo (a URL, a pasted code, a flood) and would cost a look-up per letter.
  const typoCandidate = (term: string): boolean => {
    const n = term.replace('~', '').length;
    return !df.has(term) && !term.includes('_') && n >= options.fuzzyMinLength && n <= 24;
  };

  /**
   * The texts of a document as arrays of integer term ids (`termIds`), in one form (accented
   * or folded), cached: the question texts with their weights (for dcov), the union of the
   * question texts (qside) and each body sentence (sent). Coverage is then a walk over typed
   * arrays against the query's stamped term ids: it runs for every reranked result of every
   * query, and string set look-ups made it a quarter of the search's cost.
   */
  const shared = sharedTermsOf(analyzer);
  const termIds = shared.ids;
  const termId = (t: string): number => termIds.id(t);
  interface QuestionTerms {
    ids: Int32Array;
    weights: Float64Array;
    total: number;
  }
  interface DocTerms {
    questions: QuestionTerms[];
    qside: Int32Array;
    sentences: Int32Array[];
    /** The kinds of answer its question texts ask for (./ask-type.ts; Vietnamese only). */
    ask: number;
  }
  const uniqueIds = (text: string, accented: boolean): Int32Array => {
    if (analyzer.formTermIds) return analyzer.formTermIds(text, accented, termIds);
    const { unigrams, bigrams } = analyzer.formTerms(text, accented);
    return Int32Array.from(new Set([...unigrams, ...bigrams].map(termId)));
  };
  const sentencesOf = (body: string, accented: boolean): Int32Array[] => {
    const cache = shared.sentences[accented ? 1 : 0];
    let sentences = cache.get(body);
    if (!sentences) {
      sentences = splitSentences(body).map((x) => uniqueIds(x, accented));
      let n = 0;
      for (const ids of sentences) n += ids.length;
      if (shared.held + n > MAX_SHARED_IDS) {
        for (const c of shared.sentences) c.clear();
        shared.held = 0;
      }
      shared.held += n;
      cache.set(body, sentences);
    }
    return sentences;
  };
  const docTermsCache = new Map<string, DocTerms>();
  const termsOf = (id: string, accented: boolean): DocTerms => {
    const key = (accented ? '1' : '0') + id;
    let cached = docTermsCache.get(key);
    if (!cached) {
      const d = docs.get(id);
      const texts = d ? questionTexts(d).filter((q) => q.trim()) : [];
      const questions = texts.map((q) => {
        const { unigrams, bigrams, generic } = analyzer.formTerms(q, accented);
        const g = (t: string): number => (generic.has(t) ? options.genericWeight : 1);
        const pairs = [
          ...[...new Set(unigrams)].map((t): [string, number] => [t, idf(t) * g(t)]),
          ...[...new Set(bigrams)].map((t): [string, number] => [t, options.bigramWeight * idf(t) * g(t)]),
        ];
        let total = 0;
        for (const [, w] of pairs) total += w;
        return { ids: Int32Array.from(pairs, ([t]) => termId(t)), weights: Float64Array.from(pairs, ([, w]) => w), total };
      });
      const qside = uniqueIds(texts.join(' \n '), accented);
      const sentences = d ? sentencesOf(d.body, accented) : [];
      let ask = 0;
      if (lang === 'vi') for (const q of texts) ask |= askTypes(q);
      cached = { questions, qside, sentences, ask };
      if (docTermsCache.size > 50_000) docTermsCache.clear();
      docTermsCache.set(key, cached);
    }
    return cached;
  };

  // The query's terms by id, stamped with a fresh epoch per query.
  let stamps = new Int32Array(1024);
  let qWeight = new Float64Array(1024);
  let epoch = 0;
  const maxIdf = Math.log(1 + (docCount + 0.5) / 0.5);

  const analyse = (query: string) => {
    const a = analyzer.query(query);
    const weight = new Map<string, number>();
    const g = (t: string): number => (a.generic.has(t) ? options.genericWeight : 1) * (a.context?.has(t) ? options.contextWeight : 1);
    const corrected = new Set<string>();
    const bigramTerms = [...a.bigrams];
    for (const t of a.unigrams) {
      const unknown = typoCandidate(t);
      const fix = unknown ? correct(t) : undefined;
      const parts = unknown && !fix ? split(t) : undefined;
      if (fix) {
        corrected.add(fix);
        weight.set(fix, (weight.get(fix) ?? 0) + idf(fix) * g(t));
      } else if (parts) {
        // Two words typed without the space between them ("côngước").
        for (const p of parts) weight.set(p, (weight.get(p) ?? 0) + idf(p) * g(p));
        bigramTerms.push(`${parts[0]}_${parts[1].slice(1)}`);
      } else weight.set(t, idf(t) * g(t));
    }
    // English: a corrected word's pairs are corrected too ("wrok permit" asks "work permit"), or
    // the typo's unseen pair would weigh as a topic the content lacks. (Vietnamese pairs are left
    // as they are: its decision was tuned on them.)
    if (lang === 'en' && corrected.size > 0) {
      const fixes = new Map<string, string>();
      for (const t of a.unigrams) {
        const fix = typoCandidate(t) ? correct(t) : undefined;
        if (fix) fixes.set(t, fix);
      }
      for (let i = 0; i < bigramTerms.length; i++) {
        const [x, y] = bigramTerms[i]!.split('_');
        if (x !== undefined && y !== undefined && (fixes.has(x) || fixes.has(y))) bigramTerms[i] = `${fixes.get(x) ?? x}_${fixes.get(y) ?? y}`;
      }
    }
    for (const t of bigramTerms) weight.set(t, (weight.get(t) ?? 0) + options.bigramWeight * idf(t) * g(t));
    return { a, weight, corrected, related: relatedTerms(a, weight) };
  };

  /**
   * Official terms for the everyday wordings in a query (the shipped lexicon): each wording's
   * information (the weight of its own terms) may be covered instead by the official term, at
   * `relatedWeight` of the lesser of the two informations.
   */
  const relatedTerms = (a: QueryAnalysis, weight: Map<string, number>): Related => {
    const groups: RelatedGroup[] = [];
    const alt = new Map<string, number>();
    if (options.relatedWeight <= 0) return { groups, alt };
    for (const e of analyzer.expansions(a.tokens)) {
      const span = analyzer.tokenTerms(a.tokens.slice(e.start, e.end), a.accented);
      const own = [...new Set([...span.unigrams, ...span.bigrams])].filter((t) => weight.has(t));
      let value = 0;
      for (const t of own) value += weight.get(t)!;
      if (value <= 0) continue;
      const off = analyzer.formTerms(e.official, a.accented);
      const g = (t: string): number => (off.generic.has(t) ? options.genericWeight : 1);
      const raw = new Map<string, number>();
      for (const t of off.unigrams) if (df.has(t) && !weight.has(t)) raw.set(t, idf(t) * g(t));
      for (const t of off.bigrams) if (df.has(t) && !weight.has(t)) raw.set(t, options.bigramWeight * idf(t) * g(t));
      // Only the official term's words the query lacks, and only if the content knows them.
      let sum = 0;
      for (const w of raw.values()) sum += w;
      if (sum <= 0) continue;
      // The official term is worth its own information in this content, at most the
      // wording's: a word every entry uses ("quyền") says little, whatever it replaced.
      const scale = options.relatedWeight * Math.min(1, value / sum);
      const terms = new Map<string, number>();
      for (const [t, w] of raw) {
        const v = scale * w;
        terms.set(t, v);
        alt.set(t, Math.max(alt.get(t) ?? 0, v));
      }
      groups.push({ own: new Set(own), value, terms });
    }
    return { groups, alt };
  };

  const candidates = (query: string, isServable: (id: string) => boolean = () => true, depth = options.rerankDepth): Candidates => {
    const { a, weight, corrected, related } = analyse(query);
    if (a.unigrams.length === 0) return { empty: true, list: [] };
    // Coverage counts words and phrases (bigrams): a pair the content never uses says the
    // question is about something else, as an unseen word does.
    let total = 0;
    let phraseTotal = 0;
    for (const [t, w] of weight) {
      total += w;
      if (t.includes('_')) phraseTotal += w;
    }
    const terms: WeightedTerm[] = [...weight].map(([term, w]) => ({
      term,
      // Ranking weight: generic words and corrected typos count for less.
      weight: w * (corrected.has(term) ? options.fuzzyWeight : 1),
      df: df.get(term) ?? 0,
    }));
    for (const [term, w] of related.alt) terms.push({ term, weight: w, df: df.get(term) ?? 0 });
    const results = scorer.top(terms, depth, isServable);
    // A message of one word, which more than one document has (a word only one document has
    // names it; "What can this bot do?" asks something with its other words).
    const oneWord = new Set(a.unigrams).size === 1 && (df.get(a.unigrams[0]!) ?? 0) !== 1 && !/\S\s+\S/u.test(query.trim());
    if (results.length === 0) return { empty: false, oneWord, list: [] };
    const texts = results.map((r) => termsOf(String(r.id), a.accented));

    if (stamps.length < termIds.size) {
      const size = Math.max(termIds.size, stamps.length * 2);
      const grown = new Int32Array(size);
      grown.set(stamps);
      stamps = grown;
      qWeight = new Float64Array(size);
    }
    if (++epoch === 2 ** 31 - 1) {
      stamps.fill(0);
      epoch = 1;
    }
    for (const [t, w] of [...weight, ...related.alt]) {
      const tid = termIds.get(t);
      if (tid !== undefined) {
        stamps[tid] = epoch;
        qWeight[tid] = w;
      }
    }
    const cover = (ids: Int32Array): number => {
      let hit = 0;
      for (let k = 0; k < ids.length; k++) if (stamps[ids[k]!] === epoch) hit += qWeight[ids[k]!]!;
      return hit;
    };

    const top = results[0]!.score;
    const queryAsk = lang === 'vi' ? askTypes(query) : 0;
    const longness = Math.min(1, Math.max(0, (a.unigrams.length - 5) / 15));
    // What each query term (by its index in `terms`) adds when an entry has it, worked out once
    // per query; each candidate then only walks its matched indexes. (The terms are distinct:
    // the official terms are only those the query lacks.)
    const n = terms.length;
    const termIndex = new Map<string, number>();
    const wOf = new Float64Array(n);
    const isPhrase = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const t = terms[k]!.term;
      termIndex.set(t, k);
      wOf[k] = weight.get(t) ?? 0;
      isPhrase[k] = t.includes('_') ? 1 : 0;
    }
    const groups = related.groups.map((g) => ({
      value: g.value,
      own: Int32Array.from(g.own, (t) => termIndex.get(t)!),
      alt: Int32Array.from(g.terms.keys(), (t) => termIndex.get(t)!),
      altW: Float64Array.from(g.terms.values()),
    }));
    // The query words whose absence from an entry may say it is about something else: not
    // phrases, not generic, typed (or corrected to) as words; with their information.
    const unigramSet = new Set(a.unigrams);
    const missable: number[] = [];
    const missWeight = new Float64Array(n);
    for (const [t] of weight) {
      if (t.includes('_') || a.generic.has(t) || (!unigramSet.has(t) && !corrected.has(t))) continue;
      const k = termIndex.get(t)!;
      missable.push(k);
      missWeight[k] = idf(t) / maxIdf;
    }
    // Per candidate (stamped with its rank + 1): the terms it has, the wordings its official
    // terms cover.
    const has = new Int32Array(n);
    const wordingCovered = new Int32Array(n);
    const list = results.map((r, i) => {
      const id = String(r.id);
      const mark = i + 1;
      let covered = 0;
      let phrase = 0;
      for (const k of r.matched) {
        has[k] = mark;
        covered += wOf[k]!;
        if (isPhrase[k]) phrase += wOf[k]!;
      }
      // An everyday wording the entry lacks is covered by its official term, in part.
      for (const g of groups) {
        let own = 0;
        for (let j = 0; j < g.own.length; j++) if (has[g.own[j]!] === mark) own += wOf[g.own[j]!]!;
        let alt = 0;
        for (let j = 0; j < g.alt.length; j++) if (has[g.alt[j]!] === mark) alt += g.altW[j]!;
        if (alt <= 0) continue;
        covered += Math.min(Math.max(0, g.value - own), alt);
        for (let j = 0; j < g.own.length; j++) wordingCovered[g.own[j]!] = mark;
      }
      // The rarest query word the entry does not have: a word the content never uses ("hộ
      // chiếu", "xe máy") says the question is about something else.
      let miss = 0;
      for (const k of missable) if (has[k] !== mark && wordingCovered[k] !== mark) miss = Math.max(miss, missWeight[k]!);
      const dt = texts[i]!;
      let dcov = 0;
      for (const q of dt.questions) {
        if (q.total <= 0) continue;
        let hit = 0;
        for (let k = 0; k < q.ids.length; k++) if (stamps[q.ids[k]!] === epoch) hit += q.weights[k]!;
        dcov = Math.max(dcov, hit / q.total);
      }
      let sent = 0;
      for (const ids of dt.sentences) sent = Math.max(sent, cover(ids));
      const qcov = total > 0 ? Math.min(1, covered / total) : 0;
      const f = new Float64Array(FEATURE_NAMES.length);
      f[F.qcov] = qcov;
      f[F.dcov] = dcov;
      f[F.qside] = total > 0 ? Math.min(1, cover(dt.qside) / total) : 0;
      f[F.sent] = total > 0 ? Math.min(1, sent / total) : 0;
      f[F.phrase] = phraseTotal > 0 ? Math.min(1, phrase / phraseTotal) : qcov;
      f[F.miss] = miss;
      f[F.rel] = top > 0 ? r.score / top : 0;
      f[F.long] = longness;
      f[F.longDcov] = longness * dcov;
      f[F.longQcov] = longness * qcov;
      f[F.passage] = docs.get(id)?.kind === 'passage' ? 1 : 0;
      f[F.ask] = askAgreement(queryAsk, dt.ask);
      return { id, score: r.score, f };
    });
    // A clear winner is more trustworthy than the best of many look-alikes: the lead over the
    // best result from another entry.
    const entries = list.map((c) => c.id.split('#')[0]!);
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      const o = entries.findIndex((e) => e !== entries[i]);
      c.f[F.margin] = o >= 0 ? Math.max(0, 1 - list[o]!.score / c.score) : 1;
    }
    return { empty: false, oneWord, list };
  };

  let model: DecisionModel = initialModel ?? DEFAULT_MODEL;

  const search = (query: string, isServable: (id: string) => boolean = () => true): Decision => {
    const { empty, oneWord, list } = candidates(query, isServable);
    if (empty) return { kind: 'none', reason: 'empty', confidence: 0, suggestions: [] };
    if (list.length === 0) return { kind: 'none', reason: 'no-match', confidence: 0, suggestions: [] };
    const scored = list.map((c) => ({ ...c, p: predict(model, c.f), rank: rankOf(model, c.f, options.passageWeight) }));
    scored.sort((x, y) => y.rank - x.rank || y.score - x.score);
    const best = scored[0]!;
    const suggestions = (exclude?: string): Suggestion[] =>
      scored
        .filter((s) => s.id !== exclude && s.p >= model.suggestThreshold)
        .slice(0, options.maxSuggestions)
        .map((s) => ({ id: s.id, label: labels.get(s.id) ?? s.id, coverage: s.p }));
    const debug = { qcov: best.f[F.qcov]!, dcov: best.f[F.dcov]!, margin: best.f[F.margin]! };
    // One word is a topic, not a question: every entry that has it covers the whole query, so
    // the confidence says nothing about which one is meant. Measured on the sample content:
    // "đất" got the complaints entry, "mẹ" the right to cultural creativity, "menu" (corrected
    // to "miễn") free legal aid, all at 0.72–0.87. The entries are offered instead.
    if (oneWord) {
      const offered = suggestions();
      if (offered.length > 0) return { kind: 'none', reason: 'vague', confidence: best.p, suggestions: offered, debug };
    }
    if (best.p >= thresholdFor(model, best.f))
      return { kind: 'answer', id: best.id, score: best.score, confidence: best.p, alternatives: suggestions(best.id), debug };
    return { kind: 'none', reason: 'low-confidence', confidence: best.p, suggestions: suggestions(), debug };
  };

  return {
    postings,
    analyzer,
    options,
    df,
    docCount,
    labels,
    docs,
    search,
    candidates,
    get model() {
      return model;
    },
    setModel(m: DecisionModel) {
      model = m;
    },
  };
}
