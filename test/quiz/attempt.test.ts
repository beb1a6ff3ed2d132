/**
 * Self-paced attempts through the conversation core, on each channel's capabilities: web
 * (buttons), Telegram (native quiz polls, or buttons), Zalo (numbered text).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attemptQuestions, finishedAttempts, getAttempt } from '../../src/db/quiz.js';
import { getPersonByExternal, erasePerson } from '../../src/db/people.js';
import { leaderboard } from '../../src/quiz/results.js';
import { button, quizWorld, register, texts, type QuizWorld } from './support.js';
import type { QuizIO } from '../../src/quiz/feature.js';

/** How the quiz's due work sends in this file's tests (set where the old code bound the feature). */
let io: QuizIO;

let w: QuizWorld;
afterEach(() => w?.close());

describe('/thi on the web', () => {
  it('lists only open contests, registers with consent, answers on time and late, finishes with a rank and a prediction', async () => {
    w = quizWorld();
    const lan = w.user('web', 'web-lan-0001');
    const list = await lan.say('/thi');
    const actions = list[0]!.buttons!.map((b) => b.action);
    expect(actions).toEqual(expect.arrayContaining(['quiz:c:thu-nghiem', 'quiz:c:nut-bam']));
    expect(actions).not.toContain('quiz:c:da-dong');

    let r = await lan.press('quiz:c:thu-nghiem');
    expect(texts(r)).toContain('Cuộc thi thử nghiệm');
    expect(texts(r)).toContain('Tôi đồng ý cho Ban tổ chức');
    r = await lan.press(button(r, 'Tôi đồng ý'));
    expect(texts(r)).toContain('họ và tên');
    r = await lan.say('X');
    expect(texts(r)).toContain('Họ và tên cần');
    r = await lan.say('Nguyễn Thị Lan');
    expect(texts(r)).toContain('đơn vị');
    r = await lan.say('Chi đoàn xã Tân Hưng');
    expect(texts(r)).toContain('số điện thoại');
    r = await lan.say('12345');
    expect(texts(r)).toContain('chưa đúng');
    r = await lan.say('+84 912 345 678');
    expect(texts(r)).toContain('Cảm ơn Nguyễn Thị Lan (Chi đoàn xã Tân Hưng)');
    expect(getAttempt(w.db, lan.attempt()!.id)).toMatchObject({ name: 'Nguyễn Thị Lan', unit: 'Chi đoàn xã Tân Hưng', phone: '0912345678' });

    // Question 1: right after 4 s -> 10 points + speed bonus round(5 * 16/20) = 4.
    r = await lan.press(button(r, 'Bắt đầu'));
    expect(r[0]!.title).toBe('Câu 1/3');
    expect(r[0]!.poll).toBeUndefined();
    expect(r[0]!.buttons).toHaveLength(4);
    const right1 = lan.correctOf(0);
    expect(r[0]!.buttons![right1]!.label).toBe('01/01/2014');
    w.clock.advance(4000);
    r = await lan.press(r[0]!.buttons![right1]!.action);
    expect(r[0]!.text).toContain('Chính xác! +14 điểm');
    expect(r[0]!.text).toContain('💡 Hiến pháp 2013 có hiệu lực');
    expect(r[1]!.title).toBe('Câu 2/3');

    // Question 2 (30 s limit): the right answer, but 40 s later -> late, wrong, no points.
    const right2 = lan.correctOf(1);
    w.clock.advance(40_000);
    r = await lan.press(r[1]!.buttons![right2]!.action);
    expect(r[0]!.text).toContain('Hết giờ');
    expect(r[1]!.title).toBe('Câu 3/3');

    // Question 3: a wrong answer on time.
    const wrong3 = (lan.correctOf(2) + 1) % 4;
    w.clock.advance(10_000);
    r = await lan.press(r[1]!.buttons![wrong3]!.action);
    expect(r[0]!.text).toContain('Chưa đúng. Đáp án đúng là');
    expect(r[1]!.text).toContain('Điểm: 14 (1/3 câu đúng)');
    expect(r[1]!.text).toContain('Xếp hạng tạm thời: 1/1');
    expect(r[1]!.text).toContain('Dự đoán có bao nhiêu người tham gia?');

    r = await lan.say('ba trăm');
    expect(texts(r)).toContain('gõ một con số');
    r = await lan.say('1.250');
    expect(texts(r)).toContain('Đã ghi nhận dự đoán của bạn: 1250');

    const a = finishedAttempts(w.db, 'thu-nghiem');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ score: 14, correctCount: 1, prediction: 1250, totalMs: 4000 + 30_000 + 10_000 });

    // One attempt per person.
    r = await lan.say('/thi thu-nghiem');
    expect(texts(r)).toContain('hết lượt dự thi');
  });

  it('never counts a double tap or a stale button twice', async () => {
    w = quizWorld();
    const p = w.user('web', 'web-double-01');
    let r = await register(p, 'thu-nghiem', { name: 'Trần Văn Bình', unit: 'Trường THPT Thử', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    const tap = r[0]!.buttons![p.correctOf(0)]!.action;
    w.clock.advance(1000);
    const first = await p.press(tap);
    const again = await p.press(tap);
    expect(texts(again)).toContain('đã được ghi nhận');
    const a = getAttempt(w.db, p.attempt()!.id)!;
    expect(a.score).toBe(10 + Math.round((5 * 19) / 20));
    expect(a.current).toBe(1);
    // An answer to a question not yet asked is refused and the current one shown again.
    const ahead = await p.press(`quiz:a:${a.id}:2:0`);
    expect(texts(ahead)).toContain('Câu hỏi này đã qua');
    expect(ahead.at(-1)!.title).toBe('Câu 2/3');
    expect(first[1]!.title).toBe('Câu 2/3');
    // Someone else cannot answer this attempt.
    const other = w.user('web', 'web-intruder');
    await other.press(`quiz:a:${a.id}:1:0`);
    expect(getAttempt(w.db, a.id)!.current).toBe(1);
  });

  it('refuses politely after the contest closes and does not rank the unfinished attempt', async () => {
    w = quizWorld({ start: new Date('2026-11-30T09:50:00Z') }); // 16:50 in Hà Nội; closes 17:00
    const p = w.user('web', 'web-late-0001');
    let r = await register(p, 'thu-nghiem', { name: 'Lê Minh Châu', unit: 'Chi đoàn Thử', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    w.clock.set(new Date('2026-11-30T10:00:05Z'));
    r = await p.press(r[0]!.buttons![p.correctOf(0)]!.action);
    expect(texts(r)).toContain('cuộc thi đã kết thúc lúc 17:00 30/11/2026');
    expect(leaderboard(w.db, 'thu-nghiem').entries).toHaveLength(0);
    expect(getAttempt(w.db, p.attempt()?.id ?? -1)).toBeUndefined(); // no longer active
    const list = await p.say('/thi');
    expect(list[0]!.buttons!.map((b) => b.action)).toEqual(['quiz:c:nut-bam']);
  });

  it('refuses a second registration with the same phone, even from another channel', async () => {
    w = quizWorld();
    const a = w.user('web', 'web-phone-01');
    let r = await register(a, 'thu-nghiem', { name: 'Phạm Thu Hà', unit: 'Chi đoàn A', phone: '0987654321' });
    expect(texts(r)).toContain('Cảm ơn');
    const b = w.user('zalo', '3512345678901234567');
    r = await register(b, 'thu-nghiem', { name: 'Phạm Thu Hà', unit: 'Chi đoàn A', phone: '0987 654 321' });
    expect(texts(r)).toContain('Số điện thoại này đã được dùng');
  });

  it('erases registration data on /xoadulieu but keeps the anonymous score', async () => {
    w = quizWorld();
    const p = w.user('web', 'web-erase-01');
    let r = await register(p, 'nut-bam', { name: 'Đỗ Quang Huy' });
    r = await p.press(button(r, 'Bắt đầu'));
    r = await p.press(r[0]!.buttons![p.correctOf(0)]!.action);
    r = await p.press(r[1]!.buttons![p.correctOf(1)]!.action);
    expect(texts(r)).toContain('Điểm: 20');
    const person = getPersonByExternal(w.db, 'web', 'web-erase-01')!;
    erasePerson(w.db, person.id);
    const [row] = finishedAttempts(w.db, 'nut-bam');
    expect(row).toMatchObject({ name: null, unit: null, score: 20 });
  });
});

describe('/thi on Telegram', () => {
  it('sends native quiz polls with the shuffled options and takes poll answers', async () => {
    w = quizWorld();
    const p = w.user('telegram', '424242', 'Hoa');
    let r = await register(p, 'thu-nghiem', { name: 'Vũ Thị Hoa', unit: 'Đoàn trường', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    const q = r[0]!;
    const a = p.attempt()!;
    expect(q.poll).toMatchObject({ ref: `qa:${a.id}:0`, correctOptionId: p.correctOf(0), openPeriod: 20 });
    expect(q.poll!.question).toBe('Câu 1/3: Hiến pháp năm 2013 có hiệu lực từ ngày nào?');
    expect(q.text).toBe(q.poll!.question);
    expect(q.poll!.options[q.poll!.correctOptionId]).toBe('01/01/2014');
    // Buttons are there too, for a client that cannot show the poll.
    expect(q.buttons).toHaveLength(4);
    for (const b of q.buttons!) expect(Buffer.byteLength(b.action)).toBeLessThanOrEqual(64);
    // The stored permutation is what was shown.
    const stored = attemptQuestions(w.db, a.id)[0]!;
    expect(stored.perm.map((i) => ['28/11/2013', '01/01/2014', '01/07/2014', '02/09/2013'][i])).toEqual(q.poll!.options);

    w.clock.advance(2000);
    r = await p.poll(q.poll!.ref, q.poll!.correctOptionId);
    expect(r[0]!.text).toContain('Chính xác!');
    expect(r[1]!.poll!.ref).toBe(`qa:${a.id}:1`);
    // A duplicate poll answer (a redelivery under another update id) counts once.
    const dup = await p.poll(q.poll!.ref, q.poll!.correctOptionId);
    expect(texts(dup)).toContain('đã được ghi nhận');
    // Late poll answer: Telegram closed the poll, but a slow delivery still arrives.
    w.clock.advance(35_000);
    r = await p.poll(r[1]!.poll!.ref, r[1]!.poll!.correctOptionId);
    expect(r[0]!.text).toContain('Hết giờ');
    expect(getAttempt(w.db, a.id)).toMatchObject({ score: 15, correctCount: 1, current: 2 });
  });

  it('shows buttons with numbers and the options in the text when the organiser chose buttons', async () => {
    w = quizWorld();
    const p = w.user('telegram', '515151');
    let r = await register(p, 'nut-bam', { name: 'Ngô Bảo Châu' });
    r = await p.press(button(r, 'Bắt đầu'));
    expect(r[0]!.poll).toBeUndefined();
    expect(r[0]!.buttons!.map((b) => b.label)).toEqual(r[0]!.buttons!.map((_, i) => String(i + 1)));
    expect(r[0]!.text).toMatch(/\n1\. /);
    r = await p.press(r[0]!.buttons![p.correctOf(0)]!.action);
    expect(r[0]!.text).toContain('Chính xác! +10 điểm');
  });

  it('pushes the next question when a question times out unanswered', async () => {
    w = quizWorld();
    const sent: { to: string; text: string }[] = [];
    io = ({ db: w.db, send: async (_ch, to, reply) => (sent.push({ to, text: reply.text }), { kind: 'ok' }), caps: () => ({ buttons: true, maxButtons: 20, nativeQuizPoll: true, maxTextLength: 4096, numberedReplies: false }) });
    const p = w.user('telegram', '616161');
    let r = await register(p, 'thu-nghiem', { name: 'Đinh Văn Nam', unit: 'Chi đoàn B', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    w.clock.advance(10_000);
    await w.quiz.tick(w.clock.now, io);
    expect(sent).toHaveLength(0);
    w.clock.advance(12_000);
    await w.quiz.tick(w.clock.now, io);
    expect(sent.map((s) => s.to)).toEqual(['616161', '616161']);
    expect(sent[0]!.text).toContain('Câu 1 đã hết giờ');
    expect(sent[1]!.text).toContain('Câu 2/3');
    await w.quiz.tick(w.clock.now, io);
    expect(sent).toHaveLength(2);
  });
});

describe('/thi on Zalo (numbered text)', () => {
  it('answers by typed numbers, also when the remembered choices are stale', async () => {
    w = quizWorld();
    const p = w.user('zalo', '3512345678901234999');
    let r = await p.say('/thi');
    r = await p.say(String(r[0]!.buttons!.findIndex((b) => b.action === 'quiz:c:nut-bam') + 1));
    expect(texts(r)).toContain('Luyện tập bằng nút bấm');
    r = await p.say('1'); // "Tôi đồng ý"
    r = await p.say('Hoàng Thị Mai');
    r = await p.say('1'); // "Bắt đầu làm bài"
    expect(r[0]!.title).toBe('Câu 1/2');
    expect(r[0]!.text).toContain('gõ số từ 1 đến');
    r = await p.say(String(p.correctOf(0) + 1));
    expect(r[0]!.text).toContain('Chính xác!');
    // The core's remembered choices are cleared (e.g. another reply came in between): a typed
    // number still answers the current question.
    const person = getPersonByExternal(w.db, 'zalo', '3512345678901234999')!;
    w.db.prepare('UPDATE people SET pending_choices = NULL WHERE id = ?').run(person.id);
    r = await p.say(`${p.correctOf(1) + 1}.`);
    expect(r[0]!.text).toContain('Chính xác!');
    expect(texts(r)).toContain('Điểm: 20 (2/2 câu đúng)');
    expect(texts(r)).toContain('Xếp hạng tạm thời: 1/1');
  });
});

describe('restart mid-attempt', () => {
  it('resumes from SQLite: nothing lost, nothing counted twice, a question that ran out while down is late', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-quiz-'));
    const file = join(dir, 'loa.sqlite');
    try {
      w = quizWorld({ dbFile: file });
      const p = w.user('web', 'web-restart-1');
      let r = await register(p, 'thu-nghiem', { name: 'Bùi Anh Tuấn', unit: 'Chi đoàn C', phone: null });
      r = await p.press(button(r, 'Bắt đầu'));
      w.clock.advance(5000);
      r = await p.press(r[0]!.buttons![p.correctOf(0)]!.action);
      const q2 = r[1]!;
      const id = p.attempt()!.id;
      const at = w.clock.now;
      w.close();

      // A new process on the same file; the person comes back within the time: same question,
      // the clock kept running (remaining time shown), and the answer counts once.
      w = quizWorld({ dbFile: file, start: new Date(at.getTime() + 10_000) });
      const again = w.user('web', 'web-restart-1');
      r = await again.say('/thi');
      expect(texts(r)).toContain('làm dở');
      expect(r.at(-1)!.title).toBe('Câu 2/3');
      expect(r.at(-1)!.text).toContain('Thời gian: 20 giây');
      r = await again.press(q2.buttons![again.correctOf(1)]!.action);
      expect(r[0]!.text).toContain('Chính xác!');
      const after2 = getAttempt(w.db, id)!;
      w.close();

      // Down again for longer than question 3's limit: the next message settles it as late.
      w = quizWorld({ dbFile: file, start: new Date(at.getTime() + 10_000 + 60_000) });
      const third = w.user('web', 'web-restart-1');
      r = await third.say('xin chào');
      expect(texts(r)).toContain('Câu 3 đã hết giờ');
      expect(texts(r)).toContain('Điểm:');
      const final = getAttempt(w.db, id)!;
      expect(final.score).toBe(after2.score);
      expect(final.correctCount).toBe(2);
      expect(final.status).toBe('predicting');
      expect(attemptQuestions(w.db, id).map((q) => [q.isCorrect, q.late])).toEqual([
        [true, false],
        [true, false],
        [false, true],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
