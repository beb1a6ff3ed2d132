/**
 * Top-k retrieval over MiniSearch's postings.
 *
 * MiniSearch builds, stores and serialises the index; this module evaluates queries on it.
 * MiniSearch's own `search` builds a result object (with term lists and a match map) for every
 * matching document of every query term and merges the per-term maps, so a 60-syllable question
 * over 10,000 passages costs tens of milliseconds. Here scores go into typed arrays, and the
 * commonest query terms (whose postings are the longest and whose weight is the smallest) are
 * not walked at all: they are looked up only on the best candidates found by the rarer terms,
 * MaxScore style. The score is MiniSearch's (BM25+ per field with field boosts, times the number
 * of query terms matched), with one document frequency per term across fields.
 *
 * MiniSearch has no public API for its postings; the internals used here (`_index`,
 * `_fieldIds`, `_fieldLength`, `_avgFieldLength`, `_documentIds`, `_idToShortId`) are not part
 * of its semver promise, so package.json pins the exact version (no `^`): an upgrade is a
 * deliberate change, made with the search tests and `loa eval` run against the new version.
 */
import type MiniSearch from 'minisearch';

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

type FieldPostings = Map<number, Map<number, number>>;

interface Internals {
  _index: { get(term: string): FieldPostings | undefined };
  _fieldIds: Record<string, number>;
  _fieldLength: Map<number, number[]>;
  _avgFieldLength: number[];
  _documentIds: Map<number, string>;
  _idToShortId: Map<string, number>;
  _nextId: number;
}

// MiniSearch's default BM25+ parameters (k, b, d), so scores match its own.
const K1 = 1.2;
const B = 0.7;
const D = 0.5;

export function createScorer(ms: MiniSearch<unknown>, options: ScorerOptions): Scorer {
  const ix = ms as unknown as Internals;
  const size = Math.max(ix._nextId, 1);
  const fields = Object.entries(options.boost)
    .filter(([f]) => ix._fieldIds[f] !== undefined)
    .map(([f, boost]) => ({ id: ix._fieldIds[f]!, boost }));
  // Per document and field: the length normalisation of BM25, computed once.
  const norm = fields.map((f) => {
    const avg = ix._avgFieldLength[f.id] || 1;
    const arr = new Float32Array(size);
    for (const [doc, lengths] of ix._fieldLength) arr[doc] = K1 * (1 - B + (B * (lengths[f.id] ?? 0)) / avg);
    return arr;
  });

  const prior = new Float32Array(size).fill(1);
  if (options.prior) for (const [doc, id] of ix._documentIds) prior[doc] = options.prior(id);
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

  /** Contribution of one term's postings to one document (sum over fields), 0 if absent. */
  type Resolved = (Map<number, number> | undefined)[];
  const impact = (p: Resolved, doc: number): number => {
    let s = 0;
    for (let i = 0; i < fields.length; i++) {
      const tf = p[i]?.get(doc);
      if (tf !== undefined) s += fields[i]!.boost * (D + (tf * (K1 + 1)) / (tf + norm[i]![doc]!));
    }
    return s;
  };
  const contains = (p: Resolved, doc: number): boolean => {
    for (let i = 0; i < fields.length; i++) if (p[i]?.has(doc)) return true;
    return false;
  };

  // A term's postings per field, cached: the radix-tree look-up costs more than the walk for
  // most terms, and the index never changes (a reload builds a new scorer).
  const resolved = new Map<string, Resolved | null>();
  const resolve = (t: WeightedTerm): Resolved | undefined => {
    let r = resolved.get(t.term);
    if (r === undefined) {
      const p = ix._index.get(t.term);
      r = p ? fields.map((f) => p.get(f.id)) : null;
      if (resolved.size >= 100_000) resolved.clear();
      resolved.set(t.term, r);
    }
    return r ?? undefined;
  };

  const top = (terms: readonly WeightedTerm[], k: number, keep: (id: string) => boolean): Hit[] => {
    if (epoch > 0x3f000000) {
      // Start the stamps over long before they could overflow (never within one query).
      epoch = 0;
      seenAt.fill(-1);
      stamp.fill(-1);
    }
    const q = nextEpoch();
    // Each term's postings per field (one index look-up per term and query).
    const postings = terms.map(resolve);
    const order = terms.map((_, i) => i).sort((a, b) => terms[a]!.df - terms[b]!.df);
    const touched: number[] = [];
    let walked = 0;
    let split = 0;
    // 1. Walk the rarest terms' postings in full, within the budget.
    for (; split < order.length; split++) {
      const ti = order[split]!;
      const p = postings[ti];
      if (!p) continue;
      if (split >= 3 && walked + terms[ti]!.df > options.postingBudget) break;
      walked += terms[ti]!.df;
      const w = terms[ti]!.weight;
      const e = nextEpoch();
      for (let fi = 0; fi < fields.length; fi++) {
        const docs = p[fi];
        if (!docs) continue;
        const boost = fields[fi]!.boost * w;
        const nf = norm[fi]!;
        for (const [doc, tf] of docs) {
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
      for (let j = split; j < order.length; j++) {
        const ti = order[j]!;
        const p = postings[ti];
        if (!p) continue;
        const w = terms[ti]!.weight;
        for (const doc of pool) {
          const s = impact(p, doc);
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
      const id = ix._documentIds.get(doc);
      if (id === undefined || !keep(id)) continue;
      const matched: number[] = [];
      for (let ti = 0; ti < terms.length; ti++) {
        const p = postings[ti];
        if (p && contains(p, doc)) matched.push(ti);
      }
      hits.push({ id, score: final(doc), matched });
    }
    return hits;
  };

  const has = (id: string, term: string): boolean => {
    const doc = ix._idToShortId.get(id);
    const p = ix._index.get(term);
    if (doc === undefined || !p) return false;
    for (const docs of p.values()) if (docs.has(doc)) return true;
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
