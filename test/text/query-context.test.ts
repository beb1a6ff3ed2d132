import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/text/analyzer.js';

const analyzer = createAnalyzer();

describe('what a long question asks, and its context', () => {
  it('marks the words said only before the asking clause of a long question as context', () => {
    const a = analyzer.query(
      'Chào anh chị, năm ngoái gia đình tôi chuyển từ quê ra thành phố làm ăn, ông bà già yếu ở lại một mình, cho tôi hỏi con cái có nghĩa vụ phụng dưỡng cha mẹ như thế nào ạ?',
    );
    const context = a.context ?? new Set<string>();
    for (const w of ['quê', 'phố', 'yếu']) expect(context.has(w)).toBe(true);
    // A greeting is no term at all (see "courtesies around a question").
    expect(a.unigrams).not.toContain('chào');
    for (const w of ['phụng', 'dưỡng', 'nghĩa', 'vụ', 'cha', 'mẹ']) expect(context.has(w)).toBe(false);
    // Every context term is one of the query's own terms.
    for (const t of context) expect([...a.unigrams, ...a.bigrams]).toContain(t);
  });

  it('does not take a closing thanks for what is asked', () => {
    const a = analyzer.query(
      'Dạ em chào anh chị, vợ em mới sinh em bé ở bệnh viện huyện được một tuần, cho em hỏi làm giấy khai sinh cho cháu cần mang những giấy tờ gì, em cảm ơn nhiều',
    );
    const context = a.context ?? new Set<string>();
    expect(context.has('khai')).toBe(false);
    expect(context.has('viện')).toBe(true);
  });

  it('leaves short questions and questions of one clause without context', () => {
    expect(analyzer.query('Làm giấy khai sinh cho con cần những giấy tờ gì?').context?.size ?? 0).toBe(0);
    expect(
      analyzer.query('em muon hoi lam giay khai sinh cho con o benh vien huyen thi can mang nhung giay to gi va mat bao lau moi xong a').context?.size ?? 0,
    ).toBe(0);
  });
});

describe('a long question that asks first and tells its context after', () => {
  it('takes the clause ending in a question mark for what is asked', () => {
    const a = analyzer.query(
      'Làm giấy khai sinh cho con ở xã cần những giấy tờ gì ạ? Vợ em sinh ở bệnh viện huyện, hai vợ chồng em đi làm xa, ông bà ở quê trông cháu giúp.',
    );
    const context = a.context ?? new Set<string>();
    expect(context.has('khai')).toBe(false);
    for (const w of ['viện', 'quê']) expect(context.has(w)).toBe(true);
  });
});

describe('a long question typed without commas', () => {
  it('starts what is asked at "cho em hỏi", "muốn biết" or "vậy"', () => {
    for (const text of [
      'Dạ em chào anh chị vợ em mới sinh em bé ở bệnh viện huyện được một tuần nay cho em hỏi làm giấy khai sinh cho cháu cần mang những giấy tờ gì',
      'da em chao anh chi vo em moi sinh em be o benh vien huyen duoc mot tuan nay cho em hoi lam giay khai sinh cho chau can mang nhung giay to gi',
    ]) {
      const a = analyzer.query(text);
      const context = a.context ?? new Set<string>();
      const form = (accented: string, folded: string): string => (a.accented ? accented : folded);
      expect(context.has(form('khai', '~khai'))).toBe(false);
      expect(context.has(form('viện', '~vien'))).toBe(true);
    }
  });
});

describe('pairs of words over a clause mark', () => {
  const long =
    'Dạ em chào anh chị ạ, con em năm nay lên lớp một ở trường công, em nghe nói học tiểu học không phải đóng học phí, vậy có phải mua sách vở không ạ?';

  it('are not made in a long question', () => {
    const a = analyzer.query(long);
    expect(a.bigrams).not.toContain('~a_con');
    expect(a.bigrams).not.toContain('~cong_em');
    expect(a.bigrams).toContain('~hoc_phi');
    expect(a.bigrams).toContain('~truong_cong');
  });

  it('are made in a short question and in indexed text (measured: dropping them there lost cases)', () => {
    expect(analyzer.query('Khai sinh, cần gì?').bigrams).toContain('~sinh_can');
    expect(analyzer.indexTerms('Hồ sơ gồm: tờ khai, giấy chứng sinh.')).toContain('~khai_giay');
  });

  it('stop at a comma, a question mark or a line break, not at a decimal comma or a dotted name', () => {
    const text = 'chào anh chị ạ, con em 5 tuổi\ncó thẻ bảo hiểm y tế hết hạn? nặng 100,5 kg lúc 8:30 ở tp.hcm thì làm lại ở đâu';
    const a = analyzer.query(text);
    expect(a.bigrams).not.toContain('~a_con');
    expect(a.bigrams).not.toContain('~tuoi_co');
    expect(a.bigrams).not.toContain('~han_lai');
    for (const p of ['~100_5', '~tp_hcm']) expect(a.bigrams).toContain(p);
  });

  it('also stop a synonym phrase from being read across them', () => {
    const withSyn = createAnalyzer([['căn cước công dân', 'thẻ căn cước']]);
    expect(withSyn.tokens('làm thẻ căn cước').map((t) => t.exact)).toEqual(['làm', 'căn', 'cước', 'công', 'dân']);
    expect(withSyn.tokens('làm thẻ, căn cước').map((t) => t.exact)).toEqual(['làm', 'thẻ', 'căn', 'cước']);
  });
});

describe('courtesies around a question', () => {
  it('do not make the asking part of a long question, even with the question mark after them', () => {
    const a = analyzer.query(
      'Em chào anh chị ạ, con em năm nay vào lớp một, em nghe nói Hiến pháp quy định học tiểu học là bắt buộc và không phải đóng học phí, có đúng như vậy không ạ, em cảm ơn?',
    );
    const context = a.context ?? new Set<string>();
    for (const w of ['hiến', 'bắt', 'buộc', 'phí']) expect(context.has(w)).toBe(false);
    expect(context.has('lớp')).toBe(true);
  });

  it('give their words no weight when another clause asks something', () => {
    const a = analyzer.query('Chào ad, làm hộ chiếu cho con ở đâu? Mong được giải đáp, xin cảm ơn ạ');
    for (const w of ['chào', 'mong', 'giải', 'đáp', 'cảm', 'ơn']) expect(a.unigrams).not.toContain(w);
    for (const w of ['hộ', 'chiếu', 'con']) expect(a.unigrams).toContain(w);
    // Unaccented too.
    expect(analyzer.query('chao ad, lam ho chieu o dau, cam on').unigrams).toEqual(['~ho', '~chieu', '~dau']);
  });

  it('keep their words when nothing else is said, or when they are the topic', () => {
    expect(analyzer.query('Xin chào, cảm ơn nhiều').unigrams).toContain('chào');
    // "giúp" asks for help here: the clause holds a word of its own ("ly hôn").
    expect(analyzer.query('Chào bạn, giúp mình thủ tục ly hôn').unigrams).toContain('giúp');
    // Support is a topic, not a courtesy.
    expect(analyzer.query('Nhà em bị lũ cuốn trôi, có được hỗ trợ không ạ, em cảm ơn').unigrams).toEqual(
      expect.arrayContaining(['lũ', 'hỗ', 'trợ']),
    );
  });
});
