import { describe, expect, it } from 'vitest';
import { buildSearchIndex, defaultSearchOptions, type SearchDoc } from '../../src/knowledge/search.js';

const doc = (id: string, question: string, body: string): SearchDoc => ({ id, kind: 'qa', question, variants: '', title: '', body, topics: '' });
const docs = [
  doc('khai-sinh', 'Thời hạn đăng ký khai sinh cho trẻ là bao lâu?', 'Trong 60 ngày kể từ ngày sinh, cha mẹ đăng ký khai sinh cho con tại UBND cấp xã.'),
  doc('bhyt', 'Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế không?', 'Trẻ em dưới 6 tuổi được Nhà nước đóng bảo hiểm y tế.'),
  doc('tro-giup', 'Ai được trợ giúp pháp lý miễn phí?', 'Người thuộc hộ nghèo, người có công, trẻ em được trợ giúp pháp lý miễn phí.'),
];
const index = buildSearchIndex(docs, [['bảo hiểm y tế', 'bhyt']]);

describe('search index', () => {
  it.each([
    ['thời hạn đăng ký khai sinh', 'khai-sinh'],
    ['thoi han dang ky khai sinh', 'khai-sinh'],
    ['bhyt tre em duoi 6 tuoi', 'bhyt'],
    ['thẻ bảo hiễm y tế cho trẻ dưới 6 tuổi', 'bhyt'],
    ['trợ giúp pháp lí miễn phí cho ai', 'tro-giup'],
  ])('%s -> %s', (q, id) => {
    expect(index.search(q)).toMatchObject({ kind: 'answer', id });
  });

  it('gives no answer to a question that shares only everyday words', () => {
    expect(index.search('đăng ký xe máy ở đâu, cần giấy tờ gì?').kind).toBe('none');
    expect(index.search('lịch cắt điện tuần này').kind).toBe('none');
  });

  it('splits two known words typed without the space between them', () => {
    expect(index.search('trợ giúppháp lý miễn phí')).toMatchObject({ kind: 'answer', id: 'tro-giup' });
    expect(index.search('thoi han dangky khaisinh')).toMatchObject({ kind: 'answer', id: 'khai-sinh' });
  });

  it('corrects a one-letter typo to a known word', () => {
    const d = index.search('trơ giup phap ly mien phi');
    expect(d).toMatchObject({ kind: 'answer', id: 'tro-giup' });
  });
});

describe('everyday wordings through the shipped lexicon', () => {
  const content = [
    ...docs,
    doc('blgd', 'Bạo lực gia đình thì báo cho cơ quan nào?', 'Khi có hành vi bạo lực gia đình, người bị bạo lực hoặc người phát hiện báo ngay cho công an xã hoặc trưởng thôn.'),
    doc('ket-hon', 'Đăng ký kết hôn ở đâu?', 'Hai bên nam nữ đăng ký kết hôn tại UBND xã nơi một trong hai bên cư trú.'),
  ];
  const on = buildSearchIndex(content);
  const off = buildSearchIndex(content, [], { ...defaultSearchOptions, relatedWeight: 0 });
  const q = 'chị tôi bị chồng đánh suốt thì báo cho ai';

  it('lets an entry in official words cover a question in everyday ones', () => {
    const with_ = on.candidates(q).list.find((c) => c.id === 'blgd')!;
    const without = off.candidates(q).list.find((c) => c.id === 'blgd')!;
    expect(with_.f[0]!).toBeGreaterThan(without.f[0]!);
    expect(on.search(q)).toMatchObject({ kind: 'answer', id: 'blgd' });
  });

  it('adds nothing when the content does not use the official term', () => {
    // "sổ đỏ" stands for land-use rights; the content has no such entry: still no answer.
    expect(on.search('làm sổ đỏ mất bao lâu').kind).toBe('none');
  });
});
