import { describe, expect, it } from 'vitest';
import { basicNormalize, canonical, fold, placeTone, syllables, hasWords } from '../../src/text/vietnamese.js';
import { createAnalyzer } from '../../src/text/analyzer.js';

describe('placeTone: old and new tone-mark placement meet', () => {
  it.each([
    ['hoà', 'hòa'],
    ['hòa', 'hòa'],
    ['thuỷ', 'thủy'],
    ['khoẻ', 'khỏe'],
    ['quý', 'quý'],
    ['giữ', 'giữ'],
    ['người', 'người'],
    ['hoàn', 'hoàn'],
    ['chuyển', 'chuyển'],
    ['tuổi', 'tuổi'],
    ['mua', 'mua'],
  ])('%s -> %s', (input, expected) => {
    expect(placeTone(input)).toBe(expected);
  });
});

describe('normalisation', () => {
  it('NFD and NFC input give the same canonical form', () => {
    const nfd = 'Quyền con người'.normalize('NFD');
    expect(canonical(nfd)).toBe(canonical('Quyền con người'));
    expect(canonical(nfd)).toBe('quyền con người');
  });
  it('folds diacritics and đ', () => {
    expect(fold('Đăng ký khai sinh')).toBe('Dang ky khai sinh');
  });
  it('drops punctuation and emoji, keeps numbers', () => {
    expect(syllables('Điều 16, Hiến pháp 2013!! 👍')).toEqual(['điều', '16', 'hiến', 'pháp', '2013']);
  });
  it('collapses spaces and lower-cases', () => {
    expect(basicNormalize('  BẢO   Hiểm ')).toBe('bảo hiểm');
  });
  it('knows emoji-only text has no words', () => {
    expect(hasWords('👍🙏')).toBe(false);
    expect(hasWords('ok')).toBe(true);
  });
});

describe('analyzer', () => {
  const a = createAnalyzer([
    ['bảo hiểm y tế', 'bhyt'],
    ['công ước chống tra tấn', 'cat'],
  ]);
  it('rewrites abbreviations to the canonical phrase', () => {
    expect(a.tokens('BHYT trẻ em').map((t) => t.exact)).toEqual(['bảo', 'hiểm', 'y', 'tế', 'trẻ', 'em']);
  });
  it('does not apply an ASCII abbreviation to an accented word', () => {
    expect(a.tokens('lịch cắt điện').map((t) => t.exact)).toEqual(['lịch', 'cắt', 'điện']);
    expect(a.tokens('cat la gi').map((t) => t.exact).slice(0, 2)).toEqual(['công', 'ước']);
  });
  it('matches accented queries on exact forms and plain ones on folded forms', () => {
    const accented = a.query('tuyển sinh lớp 10');
    expect(accented.accented).toBe(true);
    expect(accented.unigrams).toContain('tuyển');
    const plain = a.query('tuyen sinh lop 10');
    expect(plain.accented).toBe(false);
    expect(plain.unigrams).toContain('~tuyen');
  });
  it('indexes both forms and bigrams', () => {
    const terms = a.indexTerms('Bảo hiểm');
    expect(terms).toEqual(expect.arrayContaining(['bảo', '~bao', 'hiểm', '~hiem', '~bao_hiem']));
  });
  it('leaves chat interjections out, and particles typed without marks in a question typed with them', () => {
    expect(a.query('Làm khai sinh ở đâu ok').unigrams).toEqual(['khai', 'sinh', 'đâu']);
    expect(a.query('Làm khai sinh ở đâu hihi').unigrams).toEqual(['khai', 'sinh', 'đâu']);
    expect(a.query('Làm khai sinh ở đâu nha').unigrams).toEqual(['khai', 'sinh', 'đâu']);
    // Typed without any marks, "nha" may be "nhà".
    expect(a.query('xin phep xay nha o dau').unigrams).toContain('~nha');
  });
  it('leaves stopwords out of query terms but keeps topic words that fold like them', () => {
    const q = a.query('tôi muốn đăng ký thẻ');
    expect(q.unigrams).not.toContain('tôi');
    expect(q.unigrams).toContain('thẻ');
    expect(q.unigrams).toContain('đăng');
  });
});
