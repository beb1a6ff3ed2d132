/**
 * Top-k retrieval over the index's postings.
 *
 * MiniSearch builds the index (./search.ts); this module evaluates queries on its postings.
 * MiniSearch's own `search` builds a result object (with term lists and a match map) for every
 * matching document of every query term and merges the per-term maps, so a 60-syllable question
 * over 10,000 passages costs tens of milliseconds. Here scores go into typed arrays, and the
 * commonest query terms (whose postings are the longest and whose weight is the smallest) are
 * not walked at all: they are looked up only on the best candidates found by the rarer terms,
 * MaxScore style. The score is MiniSearch's (BM25+ per field with field boosts, times the number
 * of query terms matched), with one document frequency per term across fields.
 *
 * The postings are read from flat typed arrays (./postings.ts), which MiniSearch's index is
 * turned into once it is built: the walk allocates nothing per posting, and looking a term up on
 * a candidate is a binary search in the term's range of documents.
 */
import type { Postings } from './postings.js';

/** One query term with its weight (idf and any boost), as the caller computed it. */
export interface WeightedTerm {
  term: string;
  /** Query-side weight: the term's idf times any boost. */
  weight: number;
  /** Number of documents with the term (to walk rare terms first). */
  df: number;
}

/** A scored candidate. */
export interface Hit {
  id: string;
  score: number;
  /** Indexes (into the query's term list) of the terms the document has. */
  matched: number[];
}

export interface ScorerOptions {
  /** Field boosts. */
  boost: Record<string, number>;
  /** Postings walked in full at most (the rarest terms first; at least 3 terms always). */
  postingBudget: number;
  /** Candidates (best by the walked terms) on which the remaining terms are looked up. */
  candidates: number;
  /** A document's prior weight, multiplied into its score (1 when omitted). */
  prior?: (id: string) => number;
}

/** The scorer bound to one index. */
export interface Scorer {
  /** The k best documents accepted by `keep`, best first. */
  top(terms: readonly WeightedTerm[], k: number, keep: (id: string) => boolean): Hit[];
  /** Whether a document has a term in any field. */
  has(id: string, term: string): boolean;
}

// MiniSearch's default BM25+ parameters (k, b, d), so scores match its own.
const K1 = 1.2;
const B = 0.7;
const D = 0.5;

/** Position of `doc` in the ascending `docs[lo, hi)`, or -1. */
function find(docs: Int32Array, lo: number, hi: number, doc: number): number {
  hi -= 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const d = docs[mid]!;
    if (d === doc) return mid;
    if (d < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function createScorer(index: Postings, options: ScorerOptions): Scorer {
  const { offsets, docs: postDocs, tfs } = index;
  const FN = index.fields.length;
  const size = Math.max(index.docIds.length, 1);
  const fields = Object.entries(options.boost)
    .map(([f, boost]) => ({ id: index.fields.indexOf(f), boost }))
    .filter((f) => f.id >= 0);
  // Per document and field: the length normalisation of BM25, computed once.
  const norm = fields.map((f) => {
    const avg = index.avgFieldLength[f.id] || 1;
    const arr = new Float32Array(size);
    for (let doc = 0; doc < index.docIds.length; doc++) arr[doc] = K1 * (1 - B + (B * index.fieldLength[doc * FN + f.id]!) / avg);
    return arr;
  });

  const prior = new Float32Array(size).fill(1);
  if (options.prior) for (let doc = 0; doc < index.docIds.length; doc++) prior[doc] = options.prior(index.docIds[doc]!);
  const final = (d: number): number => score[d]! * count[d]! * prior[d]!;

  // Accumulators reused by every query (queries run one at a time on the event loop).
  const score = new Float64Array(size);
  const count = new Uint16Array(size);
  // Epoch stamps instead of clearing the arrays: `stamp` marks the documents this query touched,
  // `seenAt` the term that last counted a document (a term found in several fields counts once).
  const seenAt = new Int32Array(size).fill(-1);
  const stamp = new Int32Array(size).fill(-1);
  let epoch = 0;
  const nextEpoch = (): number => ++epoch;

  /** Start of term `t`'s postings in field `fields[i]` (its end is the next field's start). */
  const from = (t: number, i: number): number => offsets[t * FN + fields[i]!.id]!;
  const to = (t: number, i: number): number => offsets[t * FN + fields[i]!.id + 1]!;

  /**
   * Contribution of term `t` to each document of `sorted` (ascending), summed over the fields in
   * order into `acc` (0 if absent). Both lists are ascending, so one pass finds the matches: it
   * gallops over the term's postings, which for a common term are much longer than the list.
   */
  const acc = new Float64Array(size);
  const impacts = (t: number, sorted: Int32Array): void => {
    for (let j = 0; j < sorted.length; j++) acc[sorted[j]!] = 0;
    for (let i = 0; i < fields.length; i++) {
      const end = to(t, i);
      const boost = fields[i]!.boost;
      const nf = norm[i]!;
      let k = from(t, i);
      for (let j = 0; j < sorted.length && k < end; j++) {
        const doc = sorted[j]!;
        if (postDocs[k]! < doc) {
          // Gallop to a bound past `doc`, then binary-search back to the first posting >= doc.
          let step = 1;
          let hi = k + 1;
          while (hi < end && postDocs[hi]! < doc) {
            k = hi;
            step *= 2;
            hi = k + step;
          }
          if (hi > end) hi = end;
          let lo = k + 1;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (postDocs[mid]! < doc) lo = mid + 1;
            else hi = mid;
          }
          k = lo;
          if (k >= end) break;
        }
        if (postDocs[k] === doc) {
          const tf = tfs[k]!;
          acc[doc] = acc[doc]! + boost * (D + (tf * (K1 + 1)) / (tf + nf[doc]!));
        }
      }
    }
  };
  const contains = (t: number, doc: number): boolean => {
    for (let i = 0; i < fields.length; i++) if (find(postDocs, from(t, i), to(t, i), doc) >= 0) return true;
    return false;
  };

  const top = (terms: readonly WeightedTerm[], k: number, keep: (id: string) => boolean): Hit[] => {
    if (epoch > 0x3f000000) {
      // Start the stamps over long before they could overflow (never within one query).
      epoch = 0;
      seenAt.fill(-1);
      stamp.fill(-1);
    }
    const q = nextEpoch();
    // Each term's index in the postings, or -1 (one look-up per term and query).
    const ids = terms.map((t) => index.df.indexOf(t.term));
    const order = terms.map((_, i) => i).sort((a, b) => terms[a]!.df - terms[b]!.df);
    const touched: number[] = [];
    let walked = 0;
    let split = 0;
    // 1. Walk the rarest terms' postings in full, within the budget.
    for (; split < order.length; split++) {
      const ti = order[split]!;
      const t = ids[ti]!;
      if (t < 0) continue;
      if (split >= 3 && walked + terms[ti]!.df > options.postingBudget) break;
      walked += terms[ti]!.df;
      const w = terms[ti]!.weight;
      const e = nextEpoch();
      for (let fi = 0; fi < fields.length; fi++) {
        const end = to(t, fi);
        const boost = fields[fi]!.boost * w;
        const nf = norm[fi]!;
        for (let j = from(t, fi); j < end; j++) {
          const doc = postDocs[j]!;
          const tf = tfs[j]!;
          if (stamp[doc] !== q) {
            stamp[doc] = q;
            score[doc] = 0;
            count[doc] = 0;
            touched.push(doc);
          }
          score[doc] = score[doc]! + boost * (D + (tf * (K1 + 1)) / (tf + nf[doc]!));
          if (seenAt[doc] !== e) {
            seenAt[doc] = e;
            count[doc]! += 1;
          }
        }
      }
    }
    // 2. The remaining (common) terms are looked up on the best candidates only.
    let pool = touched;
    if (split < order.length) {
      pool = best(touched, options.candidates, final);
      const sorted = Int32Array.from(pool).sort();
      for (let j = split; j < order.length; j++) {
        const ti = order[j]!;
        const t = ids[ti]!;
        if (t < 0) continue;
        const w = terms[ti]!.weight;
        impacts(t, sorted);
        for (const doc of pool) {
          const s = acc[doc]!;
          if (s > 0) {
            score[doc] = score[doc]! + w * s;
            count[doc]! += 1;
          }
        }
      }
    }
    // 3. The k best servable documents, with the query terms each one has.
    const hits: Hit[] = [];
    const ranked = best(pool, Math.min(pool.length, k * 4 + 8), final);
    for (const doc of ranked) {
      if (hits.length >= k) break;
      const id = index.docIds[doc];
      if (id === undefined || !keep(id)) continue;
      const matched: number[] = [];
      for (let ti = 0; ti < terms.length; ti++) {
        const t = ids[ti]!;
        if (t >= 0 && contains(t, doc)) matched.push(ti);
      }
      hits.push({ id, score: final(doc), matched });
    }
    return hits;
  };

  const has = (id: string, term: string): boolean => {
    const doc = index.shortId(id);
    const t = index.df.indexOf(term);
    if (doc === undefined || t < 0) return false;
    for (let f = 0; f < FN; f++) if (find(postDocs, offsets[t * FN + f]!, offsets[t * FN + f + 1]!, doc) >= 0) return true;
    return false;
  };

  return { top, has };
}

/** The n items with the highest key, best first (a bounded min-heap: O(m log n)). */
function best(items: readonly number[], n: number, key: (x: number) => number): number[] {
  if (items.length <= n) return [...items].sort((a, b) => key(b) - key(a));
  const heap: number[] = [];
  const keys: number[] = [];
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= keys[i]!) break;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      [keys[p], keys[i]] = [keys[i]!, keys[p]!];
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && keys[l]! < keys[m]!) m = l;
      if (r < heap.length && keys[r]! < keys[m]!) m = r;
      if (m === i) return;
      [heap[m], heap[i]] = [heap[i]!, heap[m]!];
      [keys[m], keys[i]] = [keys[i]!, keys[m]!];
      i = m;
    }
  };
  for (const x of items) {
    const kx = key(x);
    if (heap.length < n) {
      heap.push(x);
      keys.push(kx);
      up(heap.length - 1);
    } else if (kx > keys[0]!) {
      heap[0] = x;
      keys[0] = kx;
      down(0);
    }
  }
  return heap.sort((a, b) => key(b) - key(a));
}
