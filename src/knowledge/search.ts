/**
 * The search index over approved content and the answer decision.
 *
 * MiniSearch retrieves and ranks (BM25+, fuzzy for typos) over terms made by the Vietnamese
 * analyzer. The decision to answer is separate from the ranking: a question is answered only
 * when the best document covers enough of the query's *information* (its terms weighted by
 * inverse document frequency). A term the corpus has never seen ("xe máy", "hộ chiếu") weighs
 * the most, so an out-of-scope question that merely shares everyday words with the content
 * ("đăng ký", "được không") stays below the threshold and gets the honest no-answer.
 */
import MiniSearch from 'minisearch';
import { createHash } from 'node:crypto';
import { createAnalyzer, type Analyzer } from '../text/analyzer.js';
import type { ArticleEntry, Passage, QaEntry, Topic } from './content.js';

/** Tunable options of the index and the decision. Tuned with `npm run eval`, not guessed. */
export interface SearchOptions {
  /** Field boosts for ranking. */
  boost: { question: number; variants: number; title: number; body: number; topics: number };
  /** Max edit distance for typo matching of a query term of at least `fuzzyMinLength` characters. */
  fuzzy: number;
  fuzzyMinLength: number;
  /** Weight of a fuzzy match relative to an exact one (MiniSearch `weights.fuzzy`). */
  fuzzyWeight: number;
  /** Weight of bigrams relative to unigrams in the coverage estimate. */
  bigramWeight: number;
  /** Weight of generic administrative words ("thủ tục", "giấy tờ") relative to others. */
  genericWeight: number;
  /** Least coverage of the query's information by the best document to answer. */
  answerThreshold: number;
  /** Least coverage for a document to be offered as a suggestion. */
  suggestThreshold: number;
  /** How many suggestions at most. */
  maxSuggestions: number;
  /** Weight of the query-side coverage against the question-side coverage in the confidence. */
  queryCoverageWeight: number;
  /** Weight of the score margin over the next entry, added to the confidence. */
  marginWeight: number;
  /** How many top results are re-scored by coverage. */
  rerankDepth: number;
  /** Weight of coverage against the normalised MiniSearch score when re-ranking. */
  rerankCoverageWeight: number;
}

/** Defaults, tuned on test/fixtures/eval-cases*.jsonl (see docs/BENCHMARKS.md). */
export const defaultSearchOptions: SearchOptions = {
  boost: { question: 3, variants: 2.5, title: 2, body: 1, topics: 0.5 },
  fuzzy: 1,
  fuzzyMinLength: 4,
  fuzzyWeight: 0.6,
  bigramWeight: 0.5,
  genericWeight: 0.35,
  answerThreshold: 0.35,
  suggestThreshold: 0.2,
  maxSuggestions: 3,
  queryCoverageWeight: 0.7,
  marginWeight: 0.1,
  rerankDepth: 10,
  rerankCoverageWeight: 0.5,
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
      reason: 'empty' | 'no-match' | 'low-confidence';
      confidence: number;
      suggestions: Suggestion[];
      debug?: { qcov: number; dcov: number; margin: number };
    };

/** The index plus what the decision needs. */
export interface SearchIndex {
  readonly ms: MiniSearch<SearchDoc>;
  readonly analyzer: Analyzer;
  readonly options: SearchOptions;
  /** Document frequency of each term, and the document count. */
  readonly df: Map<string, number>;
  readonly docCount: number;
  /** Label of each document (question or heading), for suggestions. */
  readonly labels: Map<string, string>;
  /** The question texts of each document (question + variants, or the passage title). */
  readonly questions: Map<string, string[]>;
  search(query: string, isServable?: (id: string) => boolean): Decision;
}

/** Serialised form of a {@link SearchIndex} (the snapshot). */
export interface SearchIndexJson {
  ms: unknown;
  df: [string, number][];
  docCount: number;
  labels: [string, string][];
  questions: [string, string[]][];
}

const FIELDS = ['question', 'variants', 'title', 'body', 'topics'] as const;

/** Hash of the options and analyzer inputs an index depends on (part of the snapshot key). */
export function optionsHash(options: SearchOptions, synonyms: readonly (readonly string[])[]): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: 4, options, synonyms }))
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

/** Turns loaded entries into search documents (Q&A + article passages). */
export function toSearchDocs(qa: QaEntry[], articles: ArticleEntry[], topics: Topic[]): SearchDoc[] {
  const topicName = new Map(topics.map((t) => [t.slug, t.name]));
  const names = (slugs: string[]): string => slugs.map((s) => topicName.get(s) ?? '').join(' ');
  const docs: SearchDoc[] = [];
  for (const q of qa)
    docs.push({
      id: q.id,
      kind: 'qa',
      question: q.question,
      variants: q.variants.join('\n'),
      title: '',
      body: q.answer,
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
        body: p.text,
        topics: names(a.topics),
      });
  return docs;
}

/** Builds a fresh index. */
export function buildSearchIndex(
  docs: SearchDoc[],
  synonyms: readonly (readonly string[])[] = [],
  options: SearchOptions = defaultSearchOptions,
): SearchIndex {
  const analyzer = createAnalyzer(synonyms);
  const ms = new MiniSearch<SearchDoc>(miniSearchOptions(analyzer));
  ms.addAll(docs);
  const df = new Map<string, number>();
  const labels = new Map<string, string>();
  const questions = new Map<string, string[]>();
  for (const d of docs) {
    const terms = new Set<string>();
    for (const f of FIELDS) for (const t of analyzer.indexTerms(d[f])) terms.add(t);
    for (const t of terms) df.set(t, (df.get(t) ?? 0) + 1);
    labels.set(d.id, d.kind === 'qa' ? d.question : d.title);
    questions.set(d.id, d.kind === 'qa' ? [d.question, ...d.variants.split('\n').filter(Boolean)] : [d.title]);
  }
  return makeIndex(ms, analyzer, options, df, docs.length, labels, questions);
}

/** Loads an index from its snapshot; `synonyms` and `options` must be those it was built with. */
export function loadSearchIndex(
  json: SearchIndexJson,
  synonyms: readonly (readonly string[])[] = [],
  options: SearchOptions = defaultSearchOptions,
): SearchIndex {
  const analyzer = createAnalyzer(synonyms);
  const ms = MiniSearch.loadJSON<SearchDoc>(JSON.stringify(json.ms), miniSearchOptions(analyzer));
  return makeIndex(ms, analyzer, options, new Map(json.df), json.docCount, new Map(json.labels), new Map(json.questions));
}

/** Serialises an index for the snapshot. */
export function searchIndexToJson(index: SearchIndex): SearchIndexJson {
  return {
    ms: index.ms.toJSON(),
    df: [...index.df],
    docCount: index.docCount,
    labels: [...index.labels],
    questions: [...index.questions],
  };
}

function makeIndex(
  ms: MiniSearch<SearchDoc>,
  analyzer: Analyzer,
  options: SearchOptions,
  df: Map<string, number>,
  docCount: number,
  labels: Map<string, string>,
  questions: Map<string, string[]>,
): SearchIndex {
  const idf = (t: string): number => {
    const n = df.get(t) ?? 0;
    return Math.log(1 + (docCount - n + 0.5) / (n + 0.5));
  };
  const fuzzyOf = (term: string): number | false => {
    const len = term.replace(/[~_]/g, '').length;
    return len >= options.fuzzyMinLength ? options.fuzzy : false;
  };

  /** Share of a question's information (idf mass) that the query matched, 0–1. */
  const questionCoverage = (id: string, accented: boolean, matched: Set<string>): number => {
    let best = 0;
    for (const q of questions.get(id) ?? []) {
      const { unigrams, bigrams, generic } = analyzer.formTerms(q, accented);
      let total = 0;
      let hit = 0;
      for (const t of new Set(unigrams)) {
        const w = idf(t) * (generic.has(t) ? options.genericWeight : 1);
        total += w;
        if (matched.has(t)) hit += w;
      }
      for (const t of new Set(bigrams)) {
        const w = options.bigramWeight * idf(t) * (generic.has(t) ? options.genericWeight : 1);
        total += w;
        if (matched.has(t)) hit += w;
      }
      if (total > 0) best = Math.max(best, hit / total);
    }
    return best;
  };

  const search = (query: string, isServable: (id: string) => boolean = () => true): Decision => {
    const a = analyzer.query(query);
    if (a.unigrams.length === 0) return { kind: 'none', reason: 'empty', confidence: 0, suggestions: [] };
    const weight = new Map<string, number>();
    const g = (t: string): number => (a.generic.has(t) ? options.genericWeight : 1);
    for (const t of a.unigrams) weight.set(t, idf(t) * g(t));
    for (const t of a.bigrams) weight.set(t, (weight.get(t) ?? 0) + options.bigramWeight * idf(t) * g(t));
    let total = 0;
    for (const w of weight.values()) total += w;

    const results = ms
      .search([...weight.keys()].join(' '), {
        boost: options.boost,
        fuzzy: fuzzyOf,
        weights: { fuzzy: options.fuzzyWeight, prefix: 0.3 },
        boostTerm: (term) => (a.generic.has(term) ? options.genericWeight : 1),
        combineWith: 'OR',
      })
      .filter((r) => isServable(String(r.id)));
    if (results.length === 0) return { kind: 'none', reason: 'no-match', confidence: 0, suggestions: [] };

    const top = results[0]!.score;
    const scored = results.slice(0, options.rerankDepth).map((r) => {
      let covered = 0;
      for (const qt of r.queryTerms) covered += weight.get(qt) ?? 0;
      const qcov = total > 0 ? Math.min(1, covered / total) : 0;
      const dcov = questionCoverage(String(r.id), a.accented, new Set([...r.terms, ...r.queryTerms]));
      const coverage = options.queryCoverageWeight * qcov + (1 - options.queryCoverageWeight) * dcov;
      const rank = options.rerankCoverageWeight * coverage + (1 - options.rerankCoverageWeight) * (r.score / top);
      return { id: String(r.id), score: r.score, qcov, dcov, coverage, rank, confidence: coverage };
    });
    scored.sort((x, y) => y.rank - x.rank);
    // A clear winner is more trustworthy than the best of many look-alikes: the margin over
    // the best result from another entry adds to the confidence.
    const entryOf = (id: string): string => id.split('#')[0]!;
    for (const c of scored) {
      const other = scored.find((x) => entryOf(x.id) !== entryOf(c.id));
      const margin = other ? Math.max(0, 1 - other.score / c.score) : 1;
      c.confidence = c.coverage + options.marginWeight * margin;
    }
    const best = scored[0]!;
    const suggestions = (exclude?: string): Suggestion[] =>
      scored
        .filter((s) => s.id !== exclude && s.confidence >= options.suggestThreshold)
        .slice(0, options.maxSuggestions)
        .map((s) => ({ id: s.id, label: labels.get(s.id) ?? s.id, coverage: s.confidence }));
    const debug = { qcov: best.qcov, dcov: best.dcov, margin: (best.confidence - best.coverage) / (options.marginWeight || 1) };
    if (best.confidence >= options.answerThreshold)
      return { kind: 'answer', id: best.id, score: best.score, confidence: best.confidence, alternatives: suggestions(best.id), debug };
    return { kind: 'none', reason: 'low-confidence', confidence: best.confidence, suggestions: suggestions(), debug };
  };

  return { ms, analyzer, options, df, docCount, labels, questions, search };
}
