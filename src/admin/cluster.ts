/**
 * Groups unanswered questions by similarity, so staff answer "how do I get a health insurance
 * card for my baby" once for the twenty people who asked it in different words.
 *
 * Each question becomes a set of folded content words plus their bigrams (word order matters a
 * little, wording much less); a question joins the most similar group when the Jaccard
 * similarity with the group's first question reaches `threshold`, else it starts a group.
 * Greedy; only groups that can reach the threshold are compared (see {@link groupSimilar}).
 */
import { bigrams, foldedCanonical } from '../text/vietnamese.js';
import { STOPWORDS } from '../text/stopwords.js';

/** A memo of a pure text function; see {@link foldMemo}. */
export interface FoldMemo {
  (text: string): string;
  /** Texts folded so far (calls of the function, not of the memo). */
  readonly misses: number;
  readonly size: number;
}

/**
 * `fold` (by default `foldedCanonical`) remembered per text, keeping the `max` texts folded last
 * (the queue's open questions: 7,700 are 15,400 texts with their normalized forms).
 * Approving an entry compares every open question of the queue with its wordings
 * (answers.ts linkSameWordings): folding 7,700 open questions and their normalized forms took
 * 170-350 ms of the event loop at each approval. A question's text rarely changes and a changed
 * text (erasure, retention) is a different key, so the result is the same as folding every time;
 * only texts not seen before are folded. A hit is only a lookup (moving it to the newest end at
 * each hit cost 50-90 ms for the queue's 15,400 texts, as much as folding a third of them).
 */
export function foldMemo(fold: (text: string) => string = foldedCanonical, max = 40_000): FoldMemo {
  const seen = new Map<string, string>();
  let misses = 0;
  const f = (text: string): string => {
    const hit = seen.get(text);
    if (hit !== undefined) return hit;
    misses++;
    const out = fold(text);
    seen.set(text, out);
    if (seen.size > max) seen.delete(seen.keys().next().value as string);
    return out;
  };
  return Object.defineProperties(f, {
    misses: { get: () => misses },
    size: { get: () => seen.size },
  }) as FoldMemo;
}

/** The comparable features of a question. */
export function questionFeatures(text: string): Set<string> {
  const words = foldedCanonical(text)
    .split(' ')
    .filter((w) => w && !STOPWORDS.has(w));
  return new Set([...words, ...bigrams(words)]);
}

/** Jaccard similarity of two sets (0 when both are empty). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** A group of similar questions; `items` keep their input order (newest first in the queue). */
export interface QuestionGroup<T> {
  items: T[];
}

/**
 * What a question is grouped by: its features, or, for a question of stop words only ("ok vậy",
 * "vâng ạ"), its folded text, so the same such text asked fifty times is one group (with no
 * features, each was a group of its own: Jaccard of two empty sets is 0).
 */
function groupingFeatures(text: string): Set<string> {
  const f = questionFeatures(text);
  return f.size ? f : new Set([`=${foldedCanonical(text)}`]);
}

/** Features per question text, remembered (the queue is grouped whole at every view). */
const featureMemo = new Map<string, Set<string>>();
const FEATURE_MEMO_MAX = 40_000;
function featuresOf(text: string): Set<string> {
  let f = featureMemo.get(text);
  if (f) return f;
  f = groupingFeatures(text);
  featureMemo.set(text, f);
  if (featureMemo.size > FEATURE_MEMO_MAX) featureMemo.delete(featureMemo.keys().next().value as string);
  return f;
}

/**
 * Groups items by the similarity of their question text.
 *
 * Greedy, in input order: an item joins the group whose first item it is most similar to (the
 * earliest such group on a tie) when that similarity reaches `threshold`, else starts a group.
 * Only groups that can reach the threshold are compared (the prefix and positional
 * filters of PPJoin: two sets with Jaccard ≥ t share a feature among the rarest |x| − ⌈t·|x|⌉ + 1
 * of each, rarity counted over the items, and a pair whose shared features found so far plus
 * those left cannot reach ⌈t/(1+t)·(|x|+|y|)⌉ is dropped), so the result is the same as comparing with every group, without the quadratic cost:
 * the whole queue (5,000 open questions) is grouped, not a page of it. 5,000 different
 * questions sharing common words took 4.7 s compared with every group.
 */
export function groupSimilar<T>(items: readonly T[], text: (t: T) => string, threshold = 0.34): QuestionGroup<T>[] {
  const feats = items.map((x) => featuresOf(text(x)));
  // Rarity over these items: the rarest features first, so prefixes hold the telling ones.
  const df = new Map<string, number>();
  for (const f of feats) for (const x of f) df.set(x, (df.get(x) ?? 0) + 1);
  const rarestFirst = (f: Set<string>): string[] => [...f].sort((a, b) => df.get(a)! - df.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
  const prefixLength = (n: number): number => n - Math.ceil(threshold * n) + 1;
  const groups: { head: Set<string>; size: number; items: T[] }[] = [];
  /** Groups by a feature of their head's prefix: group numbers and positions, side by side. */
  const index = new Map<string, { g: number[]; pos: number[] }>();
  // Overlaps counted so far per group for the current item (-1: cannot reach the threshold),
  // and the groups touched, to reset them.
  const overlap = new Int32Array(items.length);
  const touched: number[] = [];
  const ratio = threshold / (1 + threshold);
  items.forEach((item, i) => {
    const f = feats[i]!;
    const own = rarestFirst(f);
    const n = own.length;
    for (const g of touched) overlap[g] = 0;
    touched.length = 0;
    const plen = Math.min(prefixLength(n), n);
    for (let p = 0; p < plen; p++) {
      const list = index.get(own[p]!);
      if (!list) continue;
      const left = n - p - 1;
      for (let k = 0; k < list.g.length; k++) {
        const g = list.g[k]!;
        const seen = overlap[g]!;
        if (seen < 0) continue;
        if (seen === 0) touched.push(g);
        const m = groups[g]!.size;
        // Jaccard ≥ t needs an overlap of ⌈t/(1+t)·(n+m)⌉; what is left after these positions
        // bounds it (the positional filter).
        const need = Math.ceil(ratio * (n + m) - 1e-9);
        overlap[g] = seen + 1 + Math.min(left, m - list.pos[k]! - 1) >= need ? seen + 1 : -1;
      }
    }
    let best = -1;
    let bestScore = 0;
    for (const g of touched.filter((g) => overlap[g]! > 0).sort((a, b) => a - b)) {
      const s = jaccard(f, groups[g]!.head);
      if (s > bestScore) (best = g), (bestScore = s);
    }
    if (best >= 0 && bestScore >= threshold) groups[best]!.items.push(item);
    else {
      const g = groups.push({ head: f, size: n, items: [item] }) - 1;
      for (let p = 0; p < plen; p++) {
        const list = index.get(own[p]!);
        if (list) list.g.push(g), list.pos.push(p);
        else index.set(own[p]!, { g: [g], pos: [p] });
      }
    }
  });
  // Largest groups first: they are the answers that help the most people.
  return groups.map((g) => ({ items: g.items })).sort((a, b) => b.items.length - a.items.length);
}

/** The same grouping compared with every group (the reference {@link groupSimilar} must equal; tests only). */
export function groupSimilarNaive<T>(items: readonly T[], text: (t: T) => string, threshold = 0.34): QuestionGroup<T>[] {
  const groups: { head: Set<string>; items: T[] }[] = [];
  for (const item of items) {
    const f = groupingFeatures(text(item));
    let best: (typeof groups)[number] | undefined;
    let bestScore = 0;
    for (const g of groups) {
      const s = jaccard(f, g.head);
      if (s > bestScore) (best = g), (bestScore = s);
    }
    if (best && bestScore >= threshold) best.items.push(item);
    else groups.push({ head: f, items: [item] });
  }
  return groups.map((g) => ({ items: g.items })).sort((a, b) => b.items.length - a.items.length);
}
