/**
 * Findings of running a contest end to end as a youth-union organiser would (web chat and
 * Telegram at once, 40+ simulated participants): each test failed on the code before its fix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { button, quizWorld, register, texts, type QuizWorld } from './support.js';

let w: QuizWorld | undefined;
afterEach(() => {
  w?.close();
  w = undefined;
});

/** Answers every question of the active attempt right, `ms` after each is shown. */
async function answerAll(w: QuizWorld, p: ReturnType<QuizWorld['user']>, first: Awaited<ReturnType<typeof p.press>>, ms: number) {
  let r = first;
  for (let n = 0; n < 3; n++) {
    const q = r.find((x) => x.buttons?.some((b) => b.action.startsWith('quiz:a:')))!;
    w.clock.advance(ms);
    r = await p.press(q.buttons![p.correctOf(n)]!.action);
  }
  return r;
}

describe('a contest run by an organiser', () => {
  it('a second try is refused with what happens next: when results come, and where the other contests are', async () => {
    w = quizWorld();
    const p = w.user('web', 'web-organiser-01');
    let r = await register(p, 'thu-nghiem', { name: 'Nguyễn Văn An', unit: 'Chi đoàn thôn 1', phone: null });
    r = await answerAll(w, p, await p.press(button(r, 'Bắt đầu')), 2000);
    await p.say('40');
    r = await p.press('quiz:c:thu-nghiem');
    expect(texts(r)).toContain('hết lượt dự thi');
    expect(texts(r)).toContain('Kết quả chính thức sẽ được công bố sau khi cuộc thi kết thúc (17:00 30/11/2026)');
    expect(texts(r)).toContain('Gõ /thi để xem các cuộc thi khác');
  });

  it('a phone already used says how many attempts a number has and what to do if it was mistyped', async () => {
    w = quizWorld();
    const a = w.user('web', 'web-organiser-02');
    await register(a, 'thu-nghiem', { name: 'Phạm Thu Hà', unit: 'Chi đoàn A', phone: '0987654321' });
    const b = w.user('telegram', '700005');
    const r = await register(b, 'thu-nghiem', { name: 'Phạm Thu Hà', unit: 'Chi đoàn A', phone: '0987654321' });
    expect(texts(r)).toContain('mỗi số điện thoại được 1 lượt, kể cả khi thi qua kênh khác');
    expect(texts(r)).toContain('Nếu bạn gõ nhầm, hãy gõ lại số đúng');
  });
});
