/**
 * What a participant sees of their results after finishing and after the contest closed, and
 * the warning when the contest closes before an attempt could end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { button, quizWorld, register, texts, type QuizWorld } from './support.js';
import { asksResults } from '../../src/quiz/feature.js';

let w: QuizWorld | undefined;
afterEach(() => {
  w?.close();
  w = undefined;
});

describe('results as a participant sees them', () => {
  it('after the close, /thi and "kết quả cuộc thi" give the score and the final rank; an unfinished attempt says unranked', async () => {
    w = quizWorld({ start: new Date('2026-11-30T08:00:00Z') });
    const a = w.user('telegram', 'finisher');
    let r = await register(a, 'thu-nghiem', { name: 'Lê Văn Bảy', unit: 'Chi đoàn', phone: null });
    r = await a.press(button(r, 'Bắt đầu'));
    for (let i = 0; i < 3; i++) r = await a.say(String(a.correctOf(i) + 1));
    r = await a.say('2');
    const b = w.user('web', 'quitter');
    r = await register(b, 'thu-nghiem', { name: 'Lê Thị Chín', unit: 'Chi đoàn', phone: null });
    r = await b.press(button(r, 'Bắt đầu'));
    // While open: "điểm của tôi" gives the provisional rank.
    r = await a.say('điểm của tôi');
    expect(texts(r)).toContain('Cuộc thi thử nghiệm: 45 điểm, xếp hạng tạm thời 1/1');
    w.clock.set(new Date('2026-12-01T02:00:00Z'));
    r = await a.say('/thi');
    expect(texts(r)).toContain('Các cuộc thi bạn đã tham gia (đã kết thúc):');
    expect(texts(r)).toContain('• Cuộc thi thử nghiệm (kết thúc 17:00 30/11/2026): 45 điểm, hạng 1/1 theo bảng xếp hạng lúc kết thúc.');
    r = await a.say('Kết quả cuộc thi ạ');
    expect(texts(r)).toContain('45 điểm, hạng 1/1');
    expect(texts(r)).toContain('do Ban tổ chức công bố');
    r = await b.say('/thi');
    expect(texts(r)).toContain('bài bạn làm dở không được xếp hạng');
    r = await b.say('xem kết quả');
    expect(texts(r)).toContain('Cuộc thi thử nghiệm (hạn chót 17:00 30/11/2026): bài làm dở, không được xếp hạng.');
    // Someone who never took part asking "kết quả" is answered as any question (not by the contest).
    const c = w.user('web', 'stranger');
    r = await c.say('kết quả');
    expect(texts(r)).not.toContain('Các cuộc thi bạn đã');
  });

  it('reads the ways of asking', () => {
    for (const t of ['kết quả', 'Xem kết quả', 'điểm của em', 'bảng xếp hạng', 'kết quả thi thế nào', 'my results']) expect(asksResults(t), t).toBe(true);
    for (const t of ['kết quả xổ số', 'điểm danh', '2']) expect(asksResults(t), t).toBe(false);
  });
});

describe('the deadline', () => {
  it('at the ready step shortly before the close, warns that what is not done by then is not counted', async () => {
    // thu-nghiem: three questions of 20, 30 and 20 s (70 s); it closes at 10:00Z.
    w = quizWorld({ start: new Date('2026-11-30T09:59:20Z') });
    const p = w.user('zalo', 'late-starter');
    const r = await register(p, 'thu-nghiem', { name: 'Đào Thị Mơ', unit: 'Chi đoàn', phone: null });
    expect(texts(r)).toContain('⚠️ Cuộc thi kết thúc lúc 17:00 30/11/2026, chỉ còn khoảng 1 phút, mà bài có thể mất đến 2 phút.');
    const early = quizWorld({ start: new Date('2026-11-30T09:58:00Z') });
    try {
      const q = early.user('zalo', 'in-time');
      expect(texts(await register(q, 'thu-nghiem', { name: 'Đào Thị Mận', unit: 'Chi đoàn', phone: null }))).not.toContain('⚠️');
    } finally {
      early.close();
    }
  });
});
