/**
 * The index as the answer path reads it: every term's postings per field in flat typed arrays,
 * and the same arrays as the snapshot's bytes.
 *
 * MiniSearch builds the index (./search.ts), and this module takes it over. Why not keep
 * MiniSearch's own form: its postings are a `Map` per term and field, and its snapshot is one
 * JSON document of nested objects. On long passages (300–600 syllables, the shape of law
 * articles) that cost on both ends:
 * - a query walked up to 30,000 `Map` entries, allocating an entry pair for each, so the
 *   young generation was collected every few queries and those pauses made the latency tail;
 * - start-up parsed the JSON (102 MB at 10,000 passages) and rebuilt millions of `Map`s:
 *   12.7 s, most of it garbage collection, and the search thread paid it a second time.
 * Here a term's postings are a range of two typed arrays (documents ascending, term
 * frequencies), a query allocates nothing per posting, and loading is reading the file: the
 * arrays are views on its bytes, only the term strings are decoded.
 *
 * Everything the scores depend on is kept exactly (term order, document order, field lengths
 * and the average field lengths as MiniSearch computed them), so answers do not change.
 *
 * MiniSearch has no public API for its postings; the internals read here (`_index`,
 * `_fieldIds`, `_fieldLength`, `_avgFieldLength`, `_documentIds`, `_nextId`) are not part of
 * its semver promise, so package.json pins the exact version (no `^`): an upgrade is a
 * deliberate change, made with the search tests and `loa eval` run against the new version.
 */
import type MiniSearch from 'minisearch';

/** Postings of a whole index, read-only. */
export interface Postings {
  /** Field names by field id. */
  readonly fields: readonly string[];
  /** Document ids by short id (MiniSearch's), 0..n-1. */
  readonly docIds: readonly string[];
  /** Short id of each document id. */
  shortId(id: string): number | undefined;
  /** Number of documents with each term, in the order the terms were first met (`df.keys()`). */
  readonly df: TermTable;
  /** Postings of term `t` in field `f` are `[offsets[t * fields + f], offsets[t * fields + f + 1])`. */
  readonly offsets: Int32Array;
  /** Short ids of the documents, ascending within each range. */
  readonly docs: Int32Array;
  /** Term frequency of each posting. */
  readonly tfs: Uint16Array | Int32Array;
  /** Length of field `f` of document `d` at `d * fields + f`, as MiniSearch counted it. */
  readonly fieldLength: Float64Array;
  /** Average length of each field, as MiniSearch computed it. */
  readonly avgFieldLength: Float64Array;
}

/**
 * Terms with their document frequency: a read-only map over arrays. Lookups are a binary search
 * on a sorted permutation, so a snapshot's million terms need no hash table built at start-up;
 * iteration keeps the order in which the build met the terms (typo correction breaks ties by it).
 */
export class TermTable implements ReadonlyMap<string, number> {
  /** Term indexes ordered by term (JavaScript string order). */
  private readonly sorted: Int32Array;
  /**
   * Terms looked up so far: queries repeat the same words, and a hash look-up is several times
   * cheaper than the binary search. Bounded, and cleared when full.
   */
  private readonly seen = new Map<string, number>();

  constructor(
    /** The terms, in the order the build met them. */
    readonly terms: readonly string[],
    /** Document frequency of each term. */
    readonly counts: Int32Array,
    sorted?: Int32Array,
  ) {
    if (sorted) this.sorted = sorted;
    else {
      const order = Array.from(terms.keys()).sort((a, b) => (terms[a]! < terms[b]! ? -1 : terms[a]! > terms[b]! ? 1 : 0));
      this.sorted = Int32Array.from(order);
    }
  }

  /** The sorted permutation (written to the snapshot so that a load does not sort again). */
  get order(): Int32Array {
    return this.sorted;
  }

  /** Index of a term, or -1. */
  indexOf(term: string): number {
    let i = this.seen.get(term);
    if (i === undefined) {
      i = this.search(term);
      if (this.seen.size >= 100_000) this.seen.clear();
      this.seen.set(term, i);
    }
    return i;
  }

  private search(term: string): number {
    let lo = 0;
    let hi = this.sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const i = this.sorted[mid]!;
      const t = this.terms[i]!;
      if (t === term) return i;
      if (t < term) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  get size(): number {
    return this.terms.length;
  }
  get(term: string): number | undefined {
    const i = this.indexOf(term);
    return i < 0 ? undefined : this.counts[i];
  }
  has(term: string): boolean {
    return this.indexOf(term) >= 0;
  }
  *entries(): MapIterator<[string, number]> {
    for (let i = 0; i < this.terms.length; i++) yield [this.terms[i]!, this.counts[i]!];
  }
  *keys(): MapIterator<string> {
    yield* this.terms;
  }
  *values(): MapIterator<number> {
    yield* this.counts;
  }
  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }
  forEach(fn: (value: number, key: string, map: ReadonlyMap<string, number>) => void): void {
    for (let i = 0; i < this.terms.length; i++) fn(this.counts[i]!, this.terms[i]!, this);
  }
}

// MiniSearch's internals read here (stable across 7.x; the version is pinned).
interface MiniSearchInternals {
  _index: Iterable<[string, Map<number, Map<number, number>>]> & { get(term: string): Map<number, Map<number, number>> | undefined };
  _fieldIds: Record<string, number>;
  _fieldLength: Map<number, (number | null | undefined)[]>;
  _avgFieldLength: (number | null | undefined)[];
  _documentIds: Map<number, string>;
  _nextId: number;
}

/**
 * Takes a MiniSearch index over. `df` gives the terms and their order (the build's); without it
 * they are the index's own, with their document frequency counted here.
 */
export function postingsFromMiniSearch(ms: MiniSearch<unknown>, df?: ReadonlyMap<string, number>): Postings {
  const ix = ms as unknown as MiniSearchInternals;
  const fields: string[] = [];
  for (const [name, id] of Object.entries(ix._fieldIds)) fields[id] = name;
  const F = fields.length;
  const n = ix._nextId;
  const docIds: string[] = [];
  for (let d = 0; d < n; d++) {
    const id = ix._documentIds.get(d);
    if (id === undefined) throw new Error('postings: the MiniSearch index has discarded documents; build it afresh');
    docIds.push(id);
  }
  let terms: string[];
  let counts: Int32Array;
  if (df) {
    terms = [...df.keys()];
    counts = Int32Array.from(df.values());
  } else {
    terms = [];
    const c: number[] = [];
    for (const [term, byField] of ix._index) {
      const seen = new Set<number>();
      for (const docs of byField.values()) for (const d of docs.keys()) seen.add(d);
      terms.push(term);
      c.push(seen.size);
    }
    counts = Int32Array.from(c);
  }
  let total = 0;
  const byTerm = terms.map((t) => ix._index.get(t));
  for (const p of byTerm) if (p) for (const docs of p.values()) total += docs.size;
  const offsets = new Int32Array(terms.length * F + 1);
  const docs = new Int32Array(total);
  const tfAll = new Int32Array(total);
  let k = 0;
  let maxTf = 0;
  for (let t = 0; t < terms.length; t++) {
    const p = byTerm[t];
    for (let f = 0; f < F; f++) {
      offsets[t * F + f] = k;
      const m = p?.get(f);
      if (!m) continue;
      const start = k;
      for (const [doc, tf] of m) {
        docs[k] = doc;
        tfAll[k] = tf;
        if (tf > maxTf) maxTf = tf;
        k++;
      }
      // Look-ups binary-search a range: it must be ascending (it is, documents are added in order).
      for (let j = start + 1; j < k; j++)
        if (docs[j - 1]! >= docs[j]!) throw new Error(`postings: the postings of '${terms[t]}' are not in document order`);
    }
  }
  offsets[terms.length * F] = k;
  const fieldLength = new Float64Array(n * F);
  for (const [doc, lengths] of ix._fieldLength) for (let f = 0; f < F; f++) fieldLength[doc * F + f] = lengths[f] ?? 0;
  const avgFieldLength = Float64Array.from(fields, (_, f) => ix._avgFieldLength[f] ?? 0);
  return makePostings(fields, docIds, new TermTable(terms, counts), offsets, docs, maxTf < 2 ** 16 ? Uint16Array.from(tfAll) : tfAll, fieldLength, avgFieldLength);
}

function makePostings(
  fields: string[],
  docIds: string[],
  df: TermTable,
  offsets: Int32Array,
  docs: Int32Array,
  tfs: Uint16Array | Int32Array,
  fieldLength: Float64Array,
  avgFieldLength: Float64Array,
): Postings {
  let byId: Map<string, number> | undefined;
  return {
    fields,
    docIds,
    df,
    offsets,
    docs,
    tfs,
    fieldLength,
    avgFieldLength,
    shortId(id) {
      byId ??= new Map(docIds.map((d, i) => [d, i]));
      return byId.get(id);
    },
  };
}

/** What the snapshot's header records about its postings (the arrays follow as bytes). */
export interface PostingsHeader {
  fields: string[];
  docIds: string[];
  terms: number;
  /** Byte length of the terms text. */
  termBytes: number;
  postings: number;
  tfBytes: 2 | 4;
}

/** The arrays of a postings index, in the order they are written. */
function sections(p: Postings, termBytes: Uint8Array): ArrayBufferView[] {
  return [termBytes, p.df.counts, p.df.order, p.offsets, p.docs, p.tfs, p.fieldLength, p.avgFieldLength];
}

/**
 * The postings as a header and byte sections (each to be written 8-byte aligned): the terms as
 * one UTF-8 text, one per line, then the typed arrays.
 */
export function encodePostings(p: Postings): { header: PostingsHeader; sections: ArrayBufferView[] } {
  for (const t of p.df.terms) if (t.includes('\n')) throw new Error(`postings: a term holds a line break (${JSON.stringify(t)})`);
  const termBytes = Buffer.from(p.df.terms.join('\n'), 'utf8');
  return {
    header: { fields: [...p.fields], docIds: [...p.docIds], terms: p.df.size, termBytes: termBytes.byteLength, postings: p.docs.length, tfBytes: p.tfs instanceof Uint16Array ? 2 : 4 },
    sections: sections(p, termBytes),
  };
}

/** Byte lengths of the sections `encodePostings` writes, from its header. */
function sectionLengths(h: PostingsHeader): number[] {
  const F = h.fields.length;
  return [h.termBytes, 4 * h.terms, 4 * h.terms, 4 * (h.terms * F + 1), 4 * h.postings, h.tfBytes * h.postings, 8 * h.docIds.length * F, 8 * F];
}

/** Pads a length to the 8-byte alignment of the sections. */
export const align8 = (n: number): number => (n + 7) & ~7;

/**
 * Reads postings from the bytes written by {@link encodePostings} (`bytes` starts at the first
 * section). The typed arrays are views on `bytes`, so the buffer must not be reused.
 */
export function decodePostings(h: PostingsHeader, bytes: Uint8Array): Postings {
  const termBytes = h.termBytes;
  if (bytes.byteOffset % 8 !== 0) bytes = new Uint8Array(bytes); // a copy is aligned
  const lengths = sectionLengths(h);
  const views: { offset: number; length: number }[] = [];
  let at = 0;
  for (const length of lengths) {
    views.push({ offset: at, length });
    at = align8(at + length);
  }
  if (bytes.byteLength < at - 7) throw new Error('postings: the snapshot is truncated');
  const buf = bytes.buffer;
  const base = bytes.byteOffset;
  const view = <T>(i: number, Ctor: new (b: ArrayBufferLike, o: number, n: number) => T, size: number): T =>
    new Ctor(buf, base + views[i]!.offset, views[i]!.length / size);
  const terms = termBytes === 0 ? [] : Buffer.from(buf, base, termBytes).toString('utf8').split('\n');
  if (terms.length !== h.terms) throw new Error('postings: the snapshot\'s term count does not match its terms');
  return makePostings(
    h.fields,
    h.docIds,
    new TermTable(terms, view(1, Int32Array, 4), view(2, Int32Array, 4)),
    view(3, Int32Array, 4),
    view(4, Int32Array, 4),
    h.tfBytes === 2 ? view(5, Uint16Array, 2) : view(5, Int32Array, 4),
    view(6, Float64Array, 8),
    view(7, Float64Array, 8),
  );
}
