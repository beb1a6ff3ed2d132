/**
 * Small quiz fixes from the office trial (issue 16, item 7): /thi in the Telegram menu and
 * once in /help, and an answer to a question whose time already ran out is told it was not
 * counted (not "recorded").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PRIVATE_COMMANDS } from '../../src/channels/telegram/commands.js';
import { getAttempt } from '../../src/db/quiz.js';
import { button, quizWorld, register, texts, type QuizWorld } from './support.js';

let w: QuizWorld;
afterEach(() => w?.close());

describe('/thi is easy to find', () => {
  it('is in the Telegram command menu', () => {
    expect(PRIVATE_COMMANDS.map((c) => c.command)).toContain('thi');
  });

  it('is listed once in /help', async () => {
    w = quizWorld();
    const help = texts(await w.user('telegram', '717171').say('/help'));
    expect(help.match(/\/thi\b/g)).toHaveLength(1);
  });
});

describe('an answer after the time ran out', () => {
  it('says the time was up and the answer was not counted, once the question was settled as unanswered', async () => {
    w = quizWorld();
    const sent: string[] = [];
    w.quiz.bind({ db: w.db, send: async (_ch, _to, reply) => (sent.push(reply.text), { kind: 'ok' }), caps: () => ({ buttons: true, maxButtons: 20, nativeQuizPoll: true, maxTextLength: 4096, numberedReplies: false }) });
    const p = w.user('telegram', '727272');
    let r = await register(p, 'nut-bam', { name: 'Trịnh Văn Đức' });
    r = await p.press(button(r, 'Bắt đầu'));
    const late = r[0]!.buttons![p.correctOf(0)]!.action;
    const a = p.attempt()!;
    // The question runs out and the timer pushes the next one; then the old button is pressed.
    w.clock.advance(60_000);
    await w.quiz.tick(w.clock.now);
    expect(sent.join('\n')).toContain('Câu 1 đã hết giờ');
    const reply = texts(await p.press(late));
    expect(reply).not.toContain('đã được ghi nhận');
    expect(reply).toContain('Câu 1 đã hết giờ');
    expect(reply).toContain('không được tính');
    expect(getAttempt(w.db, a.id)).toMatchObject({ score: 0, correctCount: 0, current: 1 });
  });

  it('still says "recorded" to a double tap of an answer that counted', async () => {
    w = quizWorld();
    const p = w.user('web', 'web-trial-dup');
    let r = await register(p, 'nut-bam', { name: 'Trịnh Văn Đức' });
    r = await p.press(button(r, 'Bắt đầu'));
    const tap = r[0]!.buttons![p.correctOf(0)]!.action;
    await p.press(tap);
    expect(texts(await p.press(tap))).toContain('đã được ghi nhận');
  });
});
