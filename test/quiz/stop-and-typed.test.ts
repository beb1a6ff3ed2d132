/**
 * A participant who types a stop word mid-answering ("huỷ", "thôi", "dừng thi", "stop") is told
 * what stopping means and can stop with a button; one who typed it by mistake loses nothing.
 * Answers typed as the option's letter or text are taken; other text says why it was not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { button, quizWorld, register, texts, type QuizWorld } from './support.js';
import { attemptQuestions, getAttempt } from '../../src/db/quiz.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { isStopWord, typedOption, type QuizIO } from '../../src/quiz/feature.js';
import { leaderboard } from '../../src/quiz/results.js';
import type { ChannelName } from '../../src/messages.js';

let w: QuizWorld | undefined;
afterEach(() => {
  w?.close();
  w = undefined;
});

describe('stopping an attempt mid-answering', () => {
  for (const [channel, word] of [
    ['web', 'huỷ'],
    ['telegram', 'Thôi'],
    ['zalo', 'dừng'],
    ['web', 'không thi nữa'],
    ['telegram', 'stop'],
    ['zalo', 'Cancel'],
    ['web', 'dừng thi ạ'],
  ] as [ChannelName, string][]) {
    it(`"${word}" on ${channel} says what stopping means, keeps the question and its clock, and only the button stops`, async () => {
      w = quizWorld();
      const p = w.user(channel, `stop-${channel}`);
      let r = await register(p, 'thu-nghiem', { name: 'Lê Văn Tám', unit: 'Chi đoàn thôn 3', phone: null });
      r = await p.press(button(r, 'Bắt đầu'));
      w.clock.advance(4000);
      r = await p.say(String(p.correctOf(0) + 1));
      expect(texts(r)).toContain('Chính xác!');
      const a = p.attempt()!;
      const before = attemptQuestions(w.db, a.id)[1]!.sentAt;
      w.clock.advance(6000);
      r = await p.say(word);
      const all = texts(r);
      expect(all).toContain('Bạn muốn dừng bài thi “Cuộc thi thử nghiệm”?');
      expect(all).toContain('1 câu đã trả lời được giữ');
      expect(all).toContain('không thi lại được');
      expect(all).toContain('câu 2 vẫn đang tính giờ (còn khoảng 24 giây)');
      expect(button(r, 'Dừng và nộp bài')).toBe(`quiz:q:${a.id}`);
      // The question is shown again below, its clock kept; the attempt still runs.
      expect(texts([r.at(-1)!])).toContain('Câu 2/3');
      expect(attemptQuestions(w.db, a.id)[1]!.sentAt).toBe(before);
      expect(getAttempt(w.db, a.id)!.status).toBe('answering');
      // Typed by mistake: the next number still answers the question (it is the last choice shown).
      r = await p.say(String(p.correctOf(1) + 1));
      expect(texts(r)).toContain('Chính xác!');
      expect(texts(r)).toContain('Câu 3/3');
      // Asked again, then the button: handed in as it stands, ranked.
      w.clock.advance(3000);
      r = await p.say(word);
      expect(texts(r)).toContain('2 câu đã trả lời được giữ');
      r = await p.press(button(r, 'Dừng và nộp bài'));
      expect(texts(r)).toContain('Bạn đã dừng và nộp bài');
      expect(texts(r)).toMatch(/Điểm: \d+ \(2\/3 câu đúng/);
      expect(texts(r)).toContain('Xếp hạng tạm thời: 1/1');
      const done = getAttempt(w.db, a.id)!;
      expect(done.status).toBe('predicting');
      // The third question, on screen, counts as unanswered with its whole 20 s.
      expect(done.totalMs).toBe(4000 + 6000 + 20_000);
      expect(leaderboard(w.db, 'thu-nghiem').entries.map((e) => e.attemptId)).toEqual([a.id]);
      // Pressed again from the chat's history: nothing more happens.
      r = await p.press(`quiz:q:${a.id}`);
      expect(getAttempt(w.db, a.id)!.score).toBe(done.score);
    });
  }

  it('a stop before the last question leaves the questions never shown unrecorded, each costing its time', async () => {
    w = quizWorld();
    const p = w.user('web', 'stop-first');
    let r = await register(p, 'thu-nghiem', { name: 'Phạm Thị Hoa', unit: 'Chi đoàn xã', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    r = await p.say('huỷ');
    const a = p.attempt()!;
    r = await p.press(button(r, 'Dừng và nộp bài'));
    expect(texts(r)).toContain('Điểm: 0 (0/3 câu đúng');
    const qs = attemptQuestions(w.db, a.id);
    expect(qs[0]!.answeredAt).not.toBeNull();
    expect(qs[1]!.answeredAt).toBeNull();
    expect(qs[2]!.answeredAt).toBeNull();
    // 20 + 30 + 20 seconds: no quicker than letting them run out.
    expect(getAttempt(w.db, a.id)!.totalMs).toBe(70_000);
  });

  it('the contest with attempts left says how many remain', async () => {
    w = quizWorld();
    const p = w.user('web', 'stop-two');
    let r = await register(p, 'nut-bam', { name: 'Trần Minh' });
    r = await p.press(button(r, 'Bắt đầu'));
    r = await p.say('thôi');
    expect(texts(r)).toContain('Sau đó bạn còn 1 lượt thi nữa');
  });

  it('reads stop words whole, not inside sentences', () => {
    for (const t of ['Huỷ', 'hủy bài thi', 'THÔI', 'dừng lại', 'không thi nữa', 'Em không thi nữa ạ', 'stop', 'cancel', 'nộp bài']) expect(isStopWord(t), t).toBe(true);
    for (const t of ['bỏ qua', '2', 'dừng xe ở đâu?', 'tôi muốn hỏi về hủy hộ khẩu', 'Điều 14–49']) expect(isStopWord(t), t).toBe(false);
  });
});

describe('answers typed other than by number', () => {
  it('takes the letter, the option text or the number it begins with; other text is told it is no answer', async () => {
    w = quizWorld();
    const p = w.user('zalo', 'typed-1');
    let r = await register(p, 'thu-nghiem', { name: 'Vũ Thị Thu', unit: 'Chi đoàn trường', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    const letter = 'ABCD'[p.correctOf(0)]!;
    r = await p.say(`đáp án ${letter.toLowerCase()}`);
    expect(texts(r)).toContain('Chính xác!');
    // Question b: "18 tuổi", "21 tuổi", "25 tuổi"; "21" names the option.
    r = await p.say('thủ tục khai sinh thế nào?');
    expect(texts(r)).toContain('Tin nhắn này chưa phải là đáp án');
    expect(texts([r.at(-1)!])).toContain('Câu 2/3');
    r = await p.say('21');
    expect(texts(r)).toContain('Chính xác!');
    r = await p.say('điều 14 - 49');
    expect(texts(r)).toContain('Chính xác!');
  });

  it('typedOption: letters in range, whole text, a unique beginning', () => {
    const shown = ['18 tuổi', '21 tuổi', '25 tuổi'];
    expect(typedOption('B', shown)).toBe(1);
    expect(typedOption('b.', shown)).toBe(1);
    expect(typedOption('chọn c', shown)).toBe(2);
    expect(typedOption('D', shown)).toBeNull();
    expect(typedOption('21 TUOI', shown)).toBe(1);
    expect(typedOption('21', shown)).toBe(1);
    expect(typedOption('tuổi', shown)).toBeNull();
    expect(typedOption('1', ['1 năm', '1 tháng'])).toBeNull();
  });

  it('after a question pushed by the timer, its option text typed answers it', async () => {
    w = quizWorld();
    const sent: string[] = [];
    const io: QuizIO = {
      db: w.db,
      send: async (_ch, _to, reply) => (sent.push(reply.text), { kind: 'ok' }),
      caps: () => ({ buttons: true, maxButtons: 5, nativeQuizPoll: false, maxTextLength: 2000, numberedReplies: true, canPush: true }),
    };
    const p = w.user('zalo', 'typed-push');
    let r = await register(p, 'thu-nghiem', { name: 'Đỗ Văn Hùng', unit: 'Chi đoàn phường', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    w.clock.advance(25_000);
    await w.quiz.tick(w.clock.now, io);
    expect(sent.join('\n')).toContain('Công dân đủ bao nhiêu tuổi');
    const person = getPersonByExternal(w.db, 'zalo', 'typed-push')!;
    expect(person.pendingLabels).toEqual(expect.arrayContaining(['21 tuổi']));
    r = await p.say('21 tuổi');
    expect(texts(r)).toContain('Chính xác!');
  });
});

describe('the prediction left unanswered', () => {
  for (const word of ['bỏ qua', 'không biết ạ', 'huỷ']) {
    it(`"${word}" at the prediction skips it, ranked without one`, async () => {
      w = quizWorld();
      const p = w.user('web', `skip-${word}`);
      let r = await register(p, 'thu-nghiem', { name: 'Mai Văn Đông', unit: 'Chi đoàn', phone: null });
      r = await p.press(button(r, 'Bắt đầu'));
      for (let i = 0; i < 3; i++) r = await p.say(String(p.correctOf(i) + 1));
      const a = p.attempt()!;
      expect(a.status).toBe('predicting');
      r = await p.say('nhiều lắm');
      expect(texts(r)).toContain('hoặc gõ “bỏ qua”');
      r = await p.say(word);
      expect(texts(r)).toContain('Đã bỏ qua câu dự đoán');
      expect(texts(r)).toContain('Xếp hạng tạm thời: 1/1');
      expect(getAttempt(w.db, a.id)!.status).toBe('done');
      expect(getAttempt(w.db, a.id)!.prediction).toBeNull();
    });
  }
});

describe('the stop typed where buttons are numbered text', () => {
  it('"dừng và nộp bài" typed hands in; "nộp bài" alone asks first', async () => {
    w = quizWorld();
    const p = w.user('zalo-bot', 'typed-stop');
    let r = await register(p, 'thu-nghiem', { name: 'Hà Văn Sơn', unit: 'Chi đoàn', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    r = await p.say('nộp bài');
    expect(texts(r)).toContain('bấm hoặc gõ “Dừng và nộp bài”');
    expect(p.attempt()!.status).toBe('answering');
    const a = p.attempt()!;
    r = await p.say('Dừng và nộp bài');
    expect(texts(r)).toContain('Bạn đã dừng và nộp bài');
    expect(getAttempt(w.db, a.id)!.status).toBe('predicting');
  });
});
