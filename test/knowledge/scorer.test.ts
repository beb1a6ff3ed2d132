import { describe, expect, it } from 'vitest';
import MiniSearch from 'minisearch';
import { createScorer, type WeightedTerm } from '../../src/knowledge/scorer.js';
import { postingsFromMiniSearch } from '../../src/knowledge/postings.js';
import { seeded } from '../quiz/support.js';

// A corpus with a Zipf-like vocabulary: a few very common words and a long tail of rare ones.
function corpus(n: number): { id: string; body: string; title: string }[] {
  const rand = seeded(7);
  const vocab = Array.from({ length: 400 }, (_, i) => `w${i}`);
  const pick = (): string => vocab[Math.floor(vocab.length * rand() ** 3)]!;
  return Array.from({ length: n }, (_, i) => ({
    id: `d${i}`,
    title: Array.from({ length: 3 }, pick).join(' '),
    body: Array.from({ length: 20 + Math.floor(rand() * 40) }, pick).join(' '),
  }));
}

const docs = corpus(600);
const ms = new MiniSearch<{ id: string; body: string; title: string }>({ fields: ['title', 'body'] });
ms.addAll(docs);
const df = (t: string): number => docs.filter((d) => `${d.title} ${d.body}`.split(' ').includes(t)).length;
const terms = (q: string): WeightedTerm[] => q.split(' ').map((term) => ({ term, weight: 1, df: df(term) }));

describe('top-k scorer over MiniSearch postings', () => {
  it('scores exactly as MiniSearch does on a single field when every term is walked', () => {
    const single = new MiniSearch<{ id: string; body: string }>({ fields: ['body'] });
    single.addAll(docs.map((d) => ({ id: d.id, body: d.body })));
    const scorer = createScorer(postingsFromMiniSearch(single as MiniSearch<unknown>), { boost: { body: 1 }, postingBudget: Infinity, candidates: 1000 });
    const n = docs.length;
    for (const q of ['w3 w50 w120', 'w0 w1 w399', 'w77']) {
      const weighted = q.split(' ').map((term) => {
        const k = docs.filter((d) => d.body.split(' ').includes(term)).length;
        return { term, weight: Math.log(1 + (n - k + 0.5) / (k + 0.5)), df: k };
      });
      const ours = scorer.top(weighted, 10, () => true);
      const theirs = single.search(q).slice(0, 10);
      expect(ours.map((h) => h.id)).toEqual(theirs.map((r) => r.id));
      ours.forEach((h, i) => expect(h.score).toBeCloseTo(theirs[i]!.score, 6));
    }
  });

  it('finds the same best documents when common terms are only looked up on candidates', () => {
    const full = createScorer(postingsFromMiniSearch(ms as MiniSearch<unknown>), { boost: { title: 2, body: 1 }, postingBudget: Infinity, candidates: 1000 });
    const pruned = createScorer(postingsFromMiniSearch(ms as MiniSearch<unknown>), { boost: { title: 2, body: 1 }, postingBudget: 50, candidates: 100 });
    for (const q of ['w0 w1 w2 w250 w300', 'w0 w5 w180', 'w1 w2 w3 w4 w390']) {
      expect(terms(q).some((t) => t.df > 50)).toBe(true); // the budget does cut something
      expect(pruned.top(terms(q), 3, () => true).map((h) => h.id)).toEqual(full.top(terms(q), 3, () => true).map((h) => h.id));
    }
  });

  it('reports which query terms each hit has, applies the prior and skips what may not be served', () => {
    const scorer = createScorer(postingsFromMiniSearch(ms as MiniSearch<unknown>), {
      boost: { title: 2, body: 1 },
      postingBudget: Infinity,
      candidates: 1000,
      prior: (id) => (id === 'd0' ? 0 : 1),
    });
    const q = terms(`${docs[0]!.body.split(' ')[0]} w0 nothere`);
    const hits = scorer.top(q, 600, (id) => id !== 'd1');
    expect(hits.find((h) => h.id === 'd1')).toBeUndefined();
    expect(hits.at(-1)?.score).toBeGreaterThanOrEqual(0);
    expect(hits[0]!.id).not.toBe('d0');
    for (const h of hits.slice(0, 20)) {
      const words = new Set(`${docs[Number(h.id.slice(1))]!.title} ${docs[Number(h.id.slice(1))]!.body}`.split(' '));
      expect(h.matched.map((i) => q[i]!.term)).toEqual(q.filter((t) => words.has(t.term)).map((t) => t.term));
    }
    expect(scorer.has('d0', docs[0]!.body.split(' ')[0]!)).toBe(true);
    expect(scorer.has('d0', 'nothere')).toBe(false);
  });
});
