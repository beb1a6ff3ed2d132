import { describe, expect, it } from 'vitest';
import { buildSearchIndex, defaultSearchOptions, type SearchDoc } from '../../src/knowledge/search.js';
import { calibrate } from '../../src/knowledge/calibrate.js';
import { FEATURE_NAMES } from '../../src/knowledge/decision.js';

const qa = (id: string, question: string, body: string): SearchDoc => ({ id, kind: 'qa', question, variants: '', title: '', body, topics: '' });

const docs: SearchDoc[] = [
  qa(
    'ho-kinh-doanh',
    'Hộ kinh doanh cá thể đăng ký ở đâu, cần nộp những giấy tờ gì và bao lâu thì nhận được giấy chứng nhận?',
    'Hộ kinh doanh đăng ký tại cơ quan đăng ký kinh doanh cấp xã. Hồ sơ gồm giấy đề nghị và bản sao căn cước của chủ hộ. Giấy chứng nhận được cấp trong 3 ngày làm việc.',
  ),
  qa('khai-sinh', 'Đăng ký khai sinh cho con cần giấy tờ gì?', 'Cha mẹ nộp tờ khai và giấy chứng sinh tại Ủy ban nhân dân xã.'),
  qa('ket-hon', 'Kết hôn cần điều kiện gì?', 'Nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi, tự nguyện quyết định.'),
];

describe('calibration negatives the content covers', () => {
  it('leaves out a general question whose information is all in one entry question, though it asks only part of it', () => {
    const index = buildSearchIndex(docs);
    const covered = 'hộ kinh doanh cá thể đăng ký ở đâu';
    const best = index.candidates(covered).list[0]!;
    expect(best.id).toBe('ho-kinh-doanh');
    // It asks too little of the entry's question for the word-for-word rule (dcov ≥ 0.8)…
    expect(best.f[FEATURE_NAMES.indexOf('dcov')]).toBeLessThan(0.8);
    // …but all its information is in that question.
    expect(best.f[FEATURE_NAMES.indexOf('qside')]).toBeGreaterThanOrEqual(0.8);
    const others = ['giá vàng hôm nay bao nhiêu', 'dự báo thời tiết ngày mai thế nào', 'kết quả bóng đá tối qua'];
    const withIt = calibrate(index, docs, [], defaultSearchOptions, [covered, ...others]);
    const without = calibrate(index, docs, [], defaultSearchOptions, others);
    expect(withIt.info.negatives).toBe(others.length);
    expect(without.info.negatives).toBe(others.length);
  });

  it('leaves out one whose information is mostly in one entry question, and keeps one found mostly in its answer', () => {
    const index = buildSearchIndex(docs);
    const f = (q: string, name: (typeof FEATURE_NAMES)[number]): number => index.candidates(q).list[0]!.f[FEATURE_NAMES.indexOf(name)]!;
    // "ở xã nào" is not in the entry's question: most, not all, of it is.
    const mostly = 'hộ kinh doanh cá thể đăng ký ở xã nào';
    expect(f(mostly, 'qside')).toBeLessThan(0.8);
    expect(f(mostly, 'qside')).toBeGreaterThanOrEqual(0.6);
    expect(f(mostly, 'qcov')).toBeGreaterThanOrEqual(0.7);
    // Its words are in the entry, but mostly in the answer: a question the entry does not ask.
    const body = 'chủ hộ kinh doanh cần căn cước không';
    expect(f(body, 'qcov')).toBeGreaterThanOrEqual(0.7);
    expect(f(body, 'qside')).toBeLessThan(0.6);
    const others = ['giá vàng hôm nay bao nhiêu', 'dự báo thời tiết ngày mai thế nào', 'kết quả bóng đá tối qua'];
    expect(calibrate(index, docs, [], defaultSearchOptions, [mostly, ...others]).info.negatives).toBe(others.length);
    expect(calibrate(index, docs, [], defaultSearchOptions, [body, ...others]).info.negatives).toBe(others.length + 1);
  });

  it('leaves out a long chatty one that asks most of one entry question, and keeps one that asks something else', () => {
    const index = buildSearchIndex(docs);
    const f = (q: string, name: (typeof FEATURE_NAMES)[number]): number => index.candidates(q).list[0]!.f[FEATURE_NAMES.indexOf(name)]!;
    const context = 'Chào anh chị, nhà em mới mở quán tạp hóa nhỏ, cho em hỏi';
    const asks = `${context} hộ kinh doanh cá thể đăng ký ở đâu, nộp giấy tờ gì và bao lâu thì có giấy chứng nhận ạ?`;
    const other = `${context} hộ kinh doanh cá thể có phải đóng thuế môn bài hằng năm không và đóng bao nhiêu tiền ạ?`;
    for (const q of [asks, other]) expect(f(q, 'long')).toBeGreaterThanOrEqual(0.5);
    // The context keeps its share of the information low: judged by what it asks.
    expect(f(asks, 'qside')).toBeLessThan(0.6);
    expect(f(asks, 'dcov')).toBeGreaterThanOrEqual(0.65);
    expect(f(other, 'dcov')).toBeLessThan(0.65);
    const others = ['giá vàng hôm nay bao nhiêu', 'dự báo thời tiết ngày mai thế nào', 'kết quả bóng đá tối qua'];
    expect(calibrate(index, docs, [], defaultSearchOptions, [asks, ...others]).info.negatives).toBe(others.length);
    expect(calibrate(index, docs, [], defaultSearchOptions, [other, ...others]).info.negatives).toBe(others.length + 1);
  });
});
