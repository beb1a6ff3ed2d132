/**
 * Groups unanswered questions by similarity, so staff answer "how do I get a health insurance
 * card for my baby" once for the twenty people who asked it in different words.
 *
 * Each question becomes a set of folded content words plus their bigrams (word order matters a
 * little, wording much less); a question joins the most similar group when the Jaccard
 * similarity with the group's first question reaches `threshold`, else it starts a group.
 * Greedy and O(questions × groups): the queue holds hundreds, not millions.
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

/** Groups items by the similarity of their question text. */
export function groupSimilar<T>(items: readonly T[], text: (t: T) => string, threshold = 0.34): QuestionGroup<T>[] {
  const groups: { head: Set<string>; items: T[] }[] = [];
  for (const item of items) {
    const f = questionFeatures(text(item));
    let best: (typeof groups)[number] | undefined;
    let bestScore = 0;
    for (const g of groups) {
      const s = jaccard(f, g.head);
      if (s > bestScore) (best = g), (bestScore = s);
    }
    if (best && bestScore >= threshold) best.items.push(item);
    else groups.push({ head: f, items: [item] });
  }
  // Largest groups first: they are the answers that help the most people.
  return groups.map((g) => ({ items: g.items })).sort((a, b) => b.items.length - a.items.length);
}
