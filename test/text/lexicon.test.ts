import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/text/analyzer.js';
import { createEnglishAnalyzer } from '../../src/text/english.js';
import { builtinLexicon, readLexiconFile } from '../../src/text/lexicon.js';

describe('everyday wordings of official notions (analyzer.expansions)', () => {
  const a = createAnalyzer(
    [['bảo hiểm y tế', 'bhyt']],
    [
      ['bạo lực gia đình', 'chồng đánh', 'bị chồng đánh'],
      ['trợ giúp pháp lý', 'luật sư miễn phí'],
      ['tố cáo', 'tố'],
    ],
  );
  const found = (q: string) => {
    const toks = a.tokens(q);
    return a.expansions(toks).map((e) => ({ official: e.official, words: toks.slice(e.start, e.end).map((t) => t.exact).join(' ') }));
  };

  it('finds a wording in a long question and names the span it covers', () => {
    expect(found('Em gái tôi bị chồng đánh suốt thì phải làm sao ạ')).toEqual([
      { official: 'bạo lực gia đình', words: 'bị chồng đánh' },
      { official: 'bạo lực gia đình', words: 'chồng đánh' },
    ]);
  });
  it('allows up to two other words inside a wording, not more', () => {
    expect(found('chồng tôi hay đánh con').map((e) => e.words)).toEqual(['chồng tôi hay đánh']);
    expect(found('chồng tôi đi làm xa, hôm qua con bị đánh')).toEqual([]);
  });
  it('matches a question typed without diacritics', () => {
    expect(found('co luat su mien phi khong').map((e) => e.official)).toEqual(['trợ giúp pháp lý']);
  });
  it('does not let a word typed with other diacritics match', () => {
    expect(found('tớ muốn hỏi')).toEqual([]);
    expect(found('tố hàng xóm')).toEqual([{ official: 'tố cáo', words: 'tố' }]);
  });
  it('reads a word typed without marks in a question typed with them as it is typed', () => {
    const b = createAnalyzer([], [['cơ sở tôn giáo', 'đất chùa'], ['tiền lương', 'trả công']]);
    const officials = (q: string) => b.expansions(b.tokens(q)).map((e) => e.official);
    // "chua" is sour here, and "tra" belongs to "kiểm tra".
    expect(officials('Đất vườn nhà tôi hơi chua thì trồng cây gì?')).toEqual([]);
    expect(officials('Tôi muốn kiểm tra công ty có giấy phép không')).toEqual([]);
    expect(officials('dat chua o dau')).toEqual(['cơ sở tôn giáo']);
    expect(officials('Công ty trả công chậm')).toEqual(['tiền lương']);
  });
});

describe('chat spellings (abbreviations.vi.yaml)', () => {
  const a = createAnalyzer(builtinLexicon().abbreviations);
  const words = (q: string) =>
    a
      .tokens(q)
      .filter((t) => !t.stop)
      .map((t) => t.exact);
  it('reads the commonest chat spellings as the words they stand for', () => {
    expect(a.tokens('cmnd con dung dc ko').map((t) => t.exact)).toEqual(['chứng', 'minh', 'nhân', 'dân', 'con', 'dung', 'được', 'không']);
    expect(a.tokens('lam ntn vs mik').map((t) => t.exact)).toEqual(['lam', 'như', 'thế', 'nào', 'với', 'mình']);
    // Left as typed, "ko" and "dc" would each count as a rare word that no entry has.
    expect(words('the bhyt het han dc k')).toEqual(['the', 'bảo', 'hiểm', 'y', 'tế', 'het', 'han']);
  });
  it('leaves ambiguous short forms alone', () => {
    for (const w of ['bn', 'ck', 'đk', 'mk', 'dt', 'r']) expect(a.tokens(`hỏi ${w} ạ`).map((t) => t.exact)).toContain(w);
  });
});

describe('the shipped lexicon', () => {
  it('parses, is NFC and lower case, and every group has an official term and a wording', () => {
    const lex = builtinLexicon();
    expect(lex.related.length).toBeGreaterThan(100);
    expect(lex.abbreviations.length).toBeGreaterThan(30);
    for (const g of [...lex.related, ...lex.abbreviations]) {
      expect(g.length).toBeGreaterThanOrEqual(2);
      for (const t of g) expect(t).toBe(t.normalize('NFC').toLowerCase());
    }
  });
  it('reads the one-line groups directly exactly as the YAML parser does, and falls back to it for other YAML', () => {
    for (const f of ['src/text/lexicon/related.vi.yaml', 'src/text/lexicon/abbreviations.vi.yaml', 'src/text/lexicon/related.en.yaml']) {
      const viaYaml = (parseYaml(readFileSync(f, 'utf8')) as string[][]).map((g) => g.map((t) => String(t).trim().normalize('NFC').toLowerCase()));
      expect(readLexiconFile(f)).toEqual(viaYaml);
    }
    const dir = mkdtempSync(join(tmpdir(), 'loa-lex-'));
    const f = join(dir, 'related.vi.yaml');
    writeFileSync(f, '# quoted and block forms\n- ["bạo lực gia đình", "chồng đánh, vợ"]\n-\n  - trợ giúp pháp lý\n  - luật sư miễn phí\n');
    expect(readLexiconFile(f)).toEqual([
      ['bạo lực gia đình', 'chồng đánh, vợ'],
      ['trợ giúp pháp lý', 'luật sư miễn phí'],
    ]);
  });

  it('a broken lexicon file names the file and the group', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-lex-'));
    const f = join(dir, 'related.vi.yaml');
    writeFileSync(f, '- [bạo lực gia đình, chồng đánh]\n- [một mình]\n');
    expect(() => readLexiconFile(f)).toThrow(/related\.vi\.yaml: group 2: a group needs at least two terms/);
  });
});

describe('the shipped English lexicon (related.en.yaml)', () => {
  const lex = builtinLexicon();
  const a = createEnglishAnalyzer(lex.relatedEn);
  const found = (q: string) => {
    const toks = a.tokens(q);
    return a.expansions(toks).map((e) => e.official);
  };

  it('has a few hundred groups, each wording with a word of its own once stop words are gone', () => {
    expect(lex.relatedEn.length).toBeGreaterThanOrEqual(250);
    const bare = createEnglishAnalyzer();
    for (const g of lex.relatedEn)
      for (const w of g.slice(1)) expect(bare.tokens(w).filter((t) => !t.stop).length, `"${w}" in [${g[0]}]`).toBeGreaterThan(0);
  });
  it('brings everyday wordings to the official notion', () => {
    expect(found('my neighbour keeps beating his little son')).toContain('child abuse');
    expect(found('we want to hire an expat')).toEqual(expect.arrayContaining(['employ', 'foreign worker']));
    expect(found('can we send customer data to servers abroad')).toContain('cross-border transfer');
    expect(found('an officer asked me for a bribe')).toContain('denunciation');
    expect(found('the husband hits his wife')).toContain('domestic violence');
  });
  it('does not read a notion into an unrelated question', () => {
    expect(found('what time does the football match start tomorrow')).toEqual([]);
    expect(found('where can I exchange dollars near the hotel')).toEqual([]);
  });
});
