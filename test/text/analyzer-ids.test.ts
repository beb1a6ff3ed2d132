import { describe, expect, it } from 'vitest';
import { createAnalyzer, TermIds } from '../../src/text/analyzer.js';
import { fold, syllables } from '../../src/text/vietnamese.js';

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

describe('tokens', () => {
  // The rewriting as it was written before the scan and the per-head phrase lengths: every
  // length from the longest down, on `syllables`.
  const reference = (synonyms: string[][]) => {
    const map = new Map<string, { canon: string[]; plainOnly: boolean }>();
    let longest = 1;
    for (const g of synonyms) {
      const canon = syllables(g[0]!);
      for (const t of g.slice(1)) {
        const syl = syllables(t);
        const key = syl.map(fold).join(' ');
        if (key === canon.map(fold).join(' ') || map.has(key)) continue;
        map.set(key, { canon, plainOnly: syl.every((x) => fold(x) === x) });
        longest = Math.max(longest, syl.length);
      }
    }
    // No phrase is read across a clause mark: ',' (not a decimal comma), ';', '?', '!', '…', a
    // line break, or '.' and ':' before a space or the end.
    const digit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
    const clauses = (text: string): string[] => {
      const out: string[] = [];
      let from = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        const next = text[i + 1];
        const mark =
          (c === ',' && !(digit(text[i - 1]) && digit(next))) ||
          ';?!…\n\r'.includes(c) ||
          ('.:'.includes(c) && (next === undefined || ' \n\r\t\u00a0'.includes(next)));
        if (mark) {
          out.push(text.slice(from, i));
          from = i + 1;
        }
      }
      out.push(text.slice(from));
      return out;
    };
    return (text: string) => clauses(text).flatMap((c) => rewrite(c));
    function rewrite(text: string): string[] {
      const syl = syllables(text);
      const out: string[] = [];
      for (let i = 0; i < syl.length; ) {
        let hit: string[] | undefined;
        let n = Math.min(longest, syl.length - i);
        for (; n >= 1; n--) {
          const e = map.get(syl.slice(i, i + n).map(fold).join(' '));
          if (e && !(e.plainOnly && syl.slice(i, i + n).some((x) => fold(x) !== x))) {
            hit = e.canon;
            break;
          }
        }
        if (hit) {
          out.push(...hit);
          i += n;
        } else out.push(syl[i++]!);
      }
      return out;
    }
  };

  it('splits and rewrites as syllables and the longest synonym did (within a clause), whatever the text', () => {
    const synonyms = [
      ['bảo hiểm y tế', 'bhyt', 'thẻ bảo hiểm'],
      ['ủy ban nhân dân', 'ubnd', 'ủy ban'],
      ['căn cước công dân', 'cccd', 'căn cước'],
      ['giấy khai sinh', 'giấy khai sinh bản sao có chứng thực'],
      ['chứng minh nhân dân', 'cmnd', 'chứng minh', 'chứng minh thư'],
    ];
    const analyzer = createAnalyzer(synonyms);
    const ref = reference(synonyms);
    const words = ['bhyt', 'BHYT', 'thẻ', 'bảo', 'hiểm', 'the', 'bao', 'hiem', 'ủy', 'ban', 'uy', 'UBND', 'căn', 'cước', 'can', 'cuoc', 'giấy', 'khai', 'sinh', 'bản', 'sao', 'có', 'chứng', 'thực', 'minh', 'thư', 'chung', 'minh', 'Hoà', 'thuỷ', '2025', '12.', 'a,b', '😀', 'ＡＢＣ', '𝐀x', 'e\u0301', '—', '\n'];
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const fixed = ['Làm lại chứng minh thư ở UBND xã', 'chung minh thu va the bao hiem', 'Thẻ BHYT 😀 của ＡＢＣ hết hạn', 'giấy khai sinh bản sao có chứng thực', 'ủy ban, nhân dân; ủy. ban'];
    expect(analyzer.tokens(fixed[0]!).map((t) => t.exact).join(' ')).toBe('làm lại chứng minh nhân dân ở ủy ban nhân dân xã');
    const random = Array.from({ length: 400 }, () =>
      Array.from({ length: 1 + Math.floor(rand() * 14) }, () => words[Math.floor(rand() * words.length)]).join(rand() < 0.5 ? ' ' : '  '),
    );
    for (const text of [...fixed, ...random]) expect(analyzer.tokens(text).map((t) => t.exact), text).toEqual(ref(text));
    // Every code unit below the surrogates, in runs of 64 between spaces and punctuation.
    const all = Array.from({ length: 0xd800 / 64 }, (_, k) => String.fromCharCode(...Array.from({ length: 64 }, (_, j) => k * 64 + j)));
    for (const text of all) expect(analyzer.tokens(` ${text}, `).map((t) => t.exact)).toEqual(ref(` ${text}, `));
  });
});
