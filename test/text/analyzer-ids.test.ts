import { describe, expect, it } from 'vitest';
import { createAnalyzer, TermIds } from '../../src/text/analyzer.js';

const texts = [
  'Thủ tục đăng ký khai sinh cho trẻ em gồm những giấy tờ gì?',
  'thu tuc dang ky khai sinh cho tre em',
  'BHYT của con em hết hạn thì làm lại ở đâu, em cảm ơn ạ',
  'Điều 12. Quyền con người, quyền công dân được bảo đảm; 1. Mọi người có quyền sống.',
  'và của những các', // stop words only: no terms
  '',
];

describe('term ids of a text (coverage)', () => {
  const analyzer = createAnalyzer([['bảo hiểm y tế', 'bhyt']]);

  it('gives the distinct terms of formTerms, unigrams then bigrams, in the order first met', () => {
    const ids = new TermIds();
    for (const accented of [true, false])
      for (const t of texts) {
        const got = analyzer.formTermIds!(t, accented, ids);
        const { unigrams, bigrams } = analyzer.formTerms(t, accented);
        const want = [...new Set([...unigrams, ...bigrams])];
        expect([...got]).toEqual(want.map((x) => ids.get(x)));
        expect(want.every((x) => ids.get(x) !== undefined)).toBe(true);
      }
    // Asked again, a text gets the same ids.
    expect([...analyzer.formTermIds!(texts[0]!, true, ids)]).toEqual([...analyzer.formTermIds!(texts[0]!, true, ids)]);
  });

  it('files many pairs and finds each again, and no pair it was not given', () => {
    const ids = new TermIds();
    const filed: number[] = [];
    for (let a = 0; a < 100; a++) for (let b = 0; b < 50; b++) filed.push(ids.pairSet(a, b, ids.id(`${a}_${b}`)));
    const found: number[] = [];
    for (let a = 0; a < 100; a++) for (let b = 0; b < 50; b++) found.push(ids.pairGet(a, b));
    expect(filed).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(found).toEqual(filed);
    expect(ids.pairGet(50, 100)).toBe(-1);
    expect(ids.pairGet(-5, 3)).toBe(-1);
  });

  it('collects each id once, in the order first added, afresh after begin', () => {
    const ids = new TermIds();
    ids.begin();
    for (const x of [5, 3, 5, 5000, 3, 7]) ids.add(x);
    expect([...ids.collected()]).toEqual([5, 3, 5000, 7]);
    ids.begin();
    for (const x of [7, 7, 5]) ids.add(x);
    expect([...ids.collected()]).toEqual([7, 5]);
  });
});

describe('query analyses kept', () => {
  it('gives the same analysis as a fresh analyzer, also after the kept ones were dropped', () => {
    const kept = createAnalyzer([['bảo hiểm y tế', 'bhyt']]);
    const q = 'Chào anh chị, em ở quê, cho em hỏi BHYT của con em hết hạn thì làm lại ở đâu ạ?';
    const first = kept.query(q);
    expect(kept.query(q)).toBe(first);
    for (let i = 0; i < 2100; i++) kept.query(`câu hỏi số ${i} về giấy khai sinh`);
    const fresh = createAnalyzer([['bảo hiểm y tế', 'bhyt']]).query(q);
    expect(kept.query(q)).toEqual(fresh);
    expect(first).toEqual(fresh);
    const long = `${'xin hỏi về thủ tục hành chính '.repeat(20)}bhyt`;
    expect(kept.query(long)).toEqual(createAnalyzer([['bảo hiểm y tế', 'bhyt']]).query(long));
  });
});
