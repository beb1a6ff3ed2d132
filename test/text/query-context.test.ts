import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/text/analyzer.js';

const analyzer = createAnalyzer();

describe('what a long question asks, and its context', () => {
  it('marks the words said only before the asking clause of a long question as context', () => {
    const a = analyzer.query(
      'Chào anh chị, năm ngoái gia đình tôi chuyển từ quê ra thành phố làm ăn, ông bà già yếu ở lại một mình, cho tôi hỏi con cái có nghĩa vụ phụng dưỡng cha mẹ như thế nào ạ?',
    );
    const context = a.context ?? new Set<string>();
    for (const w of ['chào', 'quê', 'phố', 'yếu']) expect(context.has(w)).toBe(true);
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
