/**
 * Small quiz fixes from the office trial (issue 16, item 7): /thi in the Telegram menu and
 * once in /help; an answer to a question whose time already ran out is told it was not
 * counted (not "recorded"); a question's clock starts when the sender delivers it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PRIVATE_COMMANDS } from '../../src/channels/telegram/commands.js';
import { getAttempt, getAttemptQuestion } from '../../src/db/quiz.js';
import type { Channel, ChannelName } from '../../src/channels/channel.js';
import { telegramCapabilities } from '../../src/channels/telegram/telegram.js';
import { createSender } from '../../src/sender/sender.js';
import { createThrottle } from '../../src/campaigns/throttle.js';
import { installQuiz } from '../../src/quiz/feature.js';
import { button, quizWorld, register, texts, type QuizWorld } from './support.js';
import type { QuizIO } from '../../src/quiz/feature.js';

/** How the quiz's due work sends in this file's tests (set where the old code bound the feature). */
let io: QuizIO;

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
    io = ({ db: w.db, send: async (_ch, _to, reply) => (sent.push(reply.text), { kind: 'ok' }), caps: () => ({ buttons: true, maxButtons: 20, nativeQuizPoll: true, maxTextLength: 4096, numberedReplies: false }) });
    const p = w.user('telegram', '727272');
    let r = await register(p, 'nut-bam', { name: 'Trịnh Văn Đức' });
    r = await p.press(button(r, 'Bắt đầu'));
    const late = r[0]!.buttons![p.correctOf(0)]!.action;
    const a = p.attempt()!;
    // The question runs out and the timer pushes the next one; then the old button is pressed.
    w.clock.advance(60_000);
    await w.quiz.tick(w.clock.now, io);
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

describe('the question clock', () => {
  it('starts when the sender sends the question (after the queue and the per-chat throttle), not when it was queued', async () => {
    w = quizWorld();
    const received: Date[] = [];
    const channel: Channel = {
      name: 'telegram',
      capabilities: telegramCapabilities,
      send: async () => (received.push(w.clock.now), { kind: 'ok', messageId: '1' }),
    };
    const channels = new Map<ChannelName, Channel>([['telegram', channel]]);
    // One message per 4 s per chat, on the test's clock: the feedback goes at once, the next question waits.
    const clock = { now: () => w.clock.now.getTime(), sleep: async (ms: number) => w.clock.advance(ms) };
    const throttles = new Map([['telegram' as ChannelName, createThrottle({ ratePerSecond: 30, perChatPerSecond: 0.25, clock })]]);
    const sender = createSender({ db: w.db, channels, throttles, now: () => w.clock.now, clock });
    installQuiz({ db: w.db, conversation: w.convo, channels, sender, logger: { error: () => {} }, onStart: () => {}, onStop: () => {} }, { now: () => w.clock.now });
    const p = w.user('telegram', '737373');
    const deliver = async (replies: Awaited<ReturnType<typeof p.say>>) => sender.enqueue({ channel: 'telegram', recipient: p.id, personId: null }, replies).done;
    let r = await register(p, 'thu-nghiem', { name: 'Kiều Thị Thu', unit: 'Chi đoàn D', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    const a = p.attempt()!;
    await deliver(r);
    expect(getAttemptQuestion(w.db, a.id, 0)!.sentAt).toBe(received.at(-1)!.toISOString());

    w.clock.advance(5000);
    r = await p.poll(r[0]!.poll!.ref, r[0]!.poll!.correctOptionId);
    expect(r[0]!.text).toContain('Chính xác!');
    const answeredAt = w.clock.now.getTime();
    await deliver(r); // the feedback, then question 2 four seconds later
    const shown = received.at(-1)!;
    expect(shown.getTime() - answeredAt).toBeGreaterThanOrEqual(3000);
    expect(getAttemptQuestion(w.db, a.id, 1)!.sentAt).toBe(shown.toISOString());

    // Answered 19 s after it appeared (limit 20 s): on time, though 23 s after it was queued.
    w.clock.set(new Date(shown.getTime() + 19_000));
    const q2 = r.at(-1)!.poll!;
    const scored = await p.poll(q2.ref, q2.correctOptionId);
    expect(scored[0]!.text).toContain('Chính xác!');

    // Shown again (stray text), a question keeps its clock: asking again buys no time.
    const q3 = getAttemptQuestion(w.db, a.id, 2)!.sentAt;
    w.clock.advance(5000);
    const again = await p.say('câu này khó quá');
    expect(again.at(-1)!.poll!.ref).toBe(`qa:${a.id}:2`);
    await deliver(again);
    expect(getAttemptQuestion(w.db, a.id, 2)!.sentAt).toBe(q3);
    await sender.stop();
  });
});
