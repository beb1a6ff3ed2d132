/**
 * The answer decision: a confidence over evidence features of one candidate entry, with its
 * parameters and threshold fitted to each deployment's own content at index time (./calibrate.ts).
 *
 * Why a fitted model and not one threshold: the evidence a good answer leaves depends on how
 * the content is written. Content with five hand-written variants per entry shows its matches
 * in the question texts; an office's content with one question per entry and long legal
 * articles shows them in the answer body, sentence by sentence. One constant tuned on one style
 * refuses right answers on the other. The model weighs all the evidence (whole entry, question
 * side, best sentence, phrases, the rarest word left unexplained, the lead over other entries)
 * and its parameters and threshold come from the content being served.
 *
 * Everything here is pure and deterministic.
 */

/** Names of the features, in the order of {@link Features} vectors. */
export const FEATURE_NAMES = [
  /** Share of the query's information (idf mass) found anywhere in the entry. */
  'qcov',
  /** Share of the entry's best question text (question, a variant, a heading) the query asks. */
  'dcov',
  /** Share of the query's information found in the entry's question texts together. */
  'qside',
  /** Share of the query's information found in one sentence of the entry (proximity). */
  'sent',
  /** Share of the query's phrase (bigram) information found in the entry. */
  'phrase',
  /** idf of the rarest query word the entry lacks, relative to the rarest possible (0 if none). */
  'miss',
  /** Retrieval score relative to the best candidate's. */
  'rel',
  /** Lead of the retrieval score over the best candidate from another entry. */
  'margin',
  /** How long the query is: 0 at 5 content words, 1 at 20 or more. */
  'long',
  /** Long query × best question text coverage: chatty questions are judged by what they ask. */
  'longDcov',
  /** Long query × whole-entry coverage. */
  'longQcov',
  /** 1 for an article passage, 0 for a Q&A. */
  'passage',
  /**
   * Whether the query asks for the kind of answer (a place, a cost, a time, papers, who, an
   * age) that the entry's question texts ask for: 1, -1 when they ask for different kinds, 0
   * when either asks for none it can tell (./ask-type.ts).
   */
  'ask',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];
export type Features = Float64Array;

/**
 * A fitted decision. Serialised in the index snapshot.
 *
 * confidence = w·qcov + (1 − w)·max(dcov, s·sent, l·long·sent) + m·margin, with w =
 * qcovWeight·(1 − longShift·long): the share of the question's information the entry holds, and
 * how fully the question asks one of the entry's questions or is found in one sentence of its
 * answer. A long, chatty question carries context no answer repeats, so the longer it is, the
 * more the second part counts; and a long question tells a situation, which an office's answer
 * meets in one of its sentences more often than its one short question does (`longSentWeight`).
 * The threshold is fitted per content by ./calibrate.ts.
 */
export interface DecisionModel {
  qcovWeight: number;
  longShift: number;
  /** Weight of the best answer sentence against the best question text. */
  sentWeight: number;
  /** Weight of the best answer sentence for a long question (scaled by `long`). Absent: 0. */
  longSentWeight?: number;
  marginWeight: number;
  /**
   * Ranking weight of `ask` (same kind of answer asked) for a question that is not long: it
   * breaks ties among entries on one procedure. A long question's interrogative words are often
   * in the story it tells ("ngày nào tôi cũng…", "bị ai đó bán"), so it is not used there.
   * Absent: 0.
   */
  askWeight?: number;
  /** Least confidence to answer. */
  threshold: number;
  /**
   * Least confidence to answer a long question (`long` ≥ 0.5: 12+ content words), fitted on the
   * long negatives alone: a chatty question shares more everyday words with any entry and covers
   * less of the right one, so one threshold for both lengths is wrong for one of them. Absent:
   * `threshold` for every length.
   */
  longThreshold?: number;
  /** Least confidence for a candidate to be offered as a suggestion. */
  suggestThreshold: number;
  info: CalibrationInfo;
}

/** What the calibration measured on its own pseudo-questions and negatives. */
export interface CalibrationInfo {
  /** 'fitted' on this content, or 'default' (content too thin; built-in weights). */
  source: 'fitted' | 'default';
  positives: number;
  negatives: number;
  /** On the calibration questions: share answered with the right entry. */
  estRecall: number;
  /** Of the answers given (pseudo-questions and negatives), the share that were right. */
  estPrecision: number;
  /** Share of the general out-of-scope questions that got the no-answer. */
  estNoAnswerRecall: number;
  warnings: string[];
  ms: number;
  /**
   * False when only the threshold was fitted (a reload while serving: the threshold comes from
   * the negatives alone; the estimates on the practice questions are left to `loa index`).
   */
  estimated?: boolean;
}

const at = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i])) as Record<FeatureName, number>;

/** The confidence that a candidate with these features answers the question. */
export function predict(model: DecisionModel, f: ArrayLike<number>): number {
  const w = model.qcovWeight * (1 - model.longShift * f[at.long]!);
  const sentWeight = Math.max(model.sentWeight, (model.longSentWeight ?? 0) * f[at.long]!);
  const asked = Math.max(f[at.dcov]!, sentWeight * f[at.sent]!);
  return w * f[at.qcov]! + (1 - w) * asked + model.marginWeight * f[at.margin]!;
}

/** Whether the query of these features is long (see `longThreshold`). */
export const isLong = (f: ArrayLike<number>): boolean => f[at.long]! >= 0.5;

/** The least confidence to answer the query these features come from. */
export function thresholdFor(model: DecisionModel, f: ArrayLike<number>): number {
  return isLong(f) && model.longThreshold !== undefined ? model.longThreshold : model.threshold;
}

/**
 * Ranking among the candidates: the confidence, blended with the retrieval score; an article
 * passage counts at `passageWeight` of a Q&A (an approved answer to a question); for a question
 * that is not long, a little more for an entry asked the same kind of answer (`askWeight`).
 */
export function rankOf(model: DecisionModel, f: ArrayLike<number>, passageWeight: number): number {
  const prior = f[at.passage]! > 0 ? passageWeight : 1;
  const ask = isLong(f) ? 0 : (model.askWeight ?? 0) * f[at.ask]!;
  return 0.5 * prior * predict(model, f) + 0.5 * f[at.rel]! + ask;
}

/**
 * The decision used before calibration and when the content is too thin to calibrate: the
 * hand-tuned formula of earlier versions (docs/search.md).
 */
export const DEFAULT_MODEL: DecisionModel = {
  qcovWeight: 0.7,
  longShift: 0.3,
  sentWeight: 0,
  longSentWeight: 0.8,
  marginWeight: 0.1,
  askWeight: 0.03,
  threshold: 0.38,
  suggestThreshold: 0.2,
  info: { source: 'default', positives: 0, negatives: 0, estRecall: 0, estPrecision: 0, estNoAnswerRecall: 0, warnings: [], ms: 0 },
};
