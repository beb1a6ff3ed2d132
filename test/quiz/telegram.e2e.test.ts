/**
 * End to end on Telegram: the real server and grammY against the fake Bot API (webhook mode),
 * with the shipped sample contests and a fake clock. Native quiz polls (the main contest) and
 * inline buttons (the practice quiz), and a live group quiz with several members.
 *
 * The tests share one app and one fake (an app with its Telegram sender threads costs about 1.5 s
 * of CPU to start): each plays as its own people in its own contest or chat, and the clock only
 * moves forward.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import type { App } from '../../src/app.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { activeAttemptOf, finishedAttempts, getAttempt } from '../../src/db/quiz.js';
import { LIVE_INTRO_MS, LIVE_PAUSE_MS } from '../../src/quiz/live.js';
import { GRACE_MS } from '../../src/quiz/scoring.js';

const SECRET = 'quiz_secret-0123456789abcdef';
let tg: FakeTelegram;
let app: App;
let close: () => Promise<void>;
let now = new Date('2026-11-23T03:00:00Z');

beforeAll(async () => {
  tg = await startFakeTelegram();
  const started = await startTestApp(
    {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_URL: 'https://portal.example.gov.vn/webhooks/telegram',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      // The reply throttle runs on the real clock; one person answers many questions here.
      TELEGRAM_RATE_PER_CHAT: '1000',
      TELEGRAM_RATE_GLOBAL: '1000',
    },
    { now: () => now, bot: { flood_limit: { messages: 1000, seconds: 1 }, telegram: { quiz_organizers: ['100'] } } },
  );
  app = started.app;
  close = started.close;
  tg.rewriteWebhookUrl = () => `${started.url}/webhooks/telegram`;
});

afterAll(async () => {
  await close();
  await tg.close();
});

type Markup = { inline_keyboard?: { text: string; callback_data?: string }[][] };

/** Pushes an update and resolves with the bot's next successful send to `chat` matching `match`. */
async function exchange(update: Record<string, unknown>, chat: number, match: (c: RecordedCall) => boolean = () => true): Promise<RecordedCall> {
  const after = tg.calls.length;
  const waiting = tg.waitForCall((c) => ['sendMessage', 'sendPoll'].includes(c.method) && String(c.params.chat_id) === String(chat) && c.status === 200 && match(c), { after });
  await tg.pushUpdate(update);
  return waiting;
}

/** The callback data of the inline button whose text contains `label`, in the last sends to `chat`. */
function callbackFor(chat: number, label: string): string {
  for (const c of [...tg.calls].reverse()) {
    if (String(c.params.chat_id) !== String(chat)) continue;
    const kb = (c.params.reply_markup as Markup | undefined)?.inline_keyboard?.flat() ?? [];
    const b = kb.find((x) => x.text.includes(label));
    if (b?.callback_data) return b.callback_data;
  }
  throw new Error(`no button '${label}' sent to ${chat}`);
}

const textOf = (c: RecordedCall) => String(c.params.text ?? c.params.question ?? '');
const pollOf = (c: RecordedCall) => ({
  id: (c.response as { result: { poll: { id: string } } }).result.poll.id,
  correct: Number(c.params.correct_option_id),
  options: (c.params.options as { text: string }[]).map((o) => o.text),
});

describe('contest on Telegram', () => {
  it('native quiz polls: register, answer on time and late, finish with a rank and a prediction', async () => {
    const U = 4242;
    await exchange(tg.message({ userId: U, text: '/thi' }), U, (c) => textOf(c).includes('Các cuộc thi đang mở'));
    await exchange(tg.callbackQuery({ userId: U, data: callbackFor(U, 'Cuộc thi tìm hiểu') }), U, (c) => textOf(c).includes('đọc và xác nhận'));
    await exchange(tg.callbackQuery({ userId: U, data: callbackFor(U, 'Tôi đồng ý') }), U);
    await exchange(tg.message({ userId: U, text: 'Lý Thị Hồng' }), U);
    await exchange(tg.message({ userId: U, text: 'Chi đoàn phường Hiến Nam' }), U);
    await exchange(tg.callbackQuery({ userId: U, data: callbackFor(U, 'Bỏ qua') }), U, (c) => textOf(c).includes('Cảm ơn Lý Thị Hồng'));
    let call = await exchange(tg.callbackQuery({ userId: U, data: callbackFor(U, 'Bắt đầu') }), U, (c) => c.method === 'sendPoll');
    expect(call.params).toMatchObject({ type: 'quiz', is_anonymous: false, open_period: 30 });
    expect(textOf(call)).toMatch(/^Câu 1\/10: /);

    const person = getPersonByExternal(app.db, 'telegram', String(U))!;
    const attemptId = activeAttemptOf(app.db, person.id)!.id;
    for (let n = 0; n < 10; n++) {
      const poll = pollOf(call);
      // Question 3 is answered 45 s after it was shown: late, wrong. Question 5 is answered wrong.
      now = new Date(now.getTime() + (n === 2 ? 45_000 : 6000));
      const option = n === 4 ? (poll.correct + 1) % poll.options.length : poll.correct;
      const feedback = await exchange(tg.pollAnswer({ userId: U, pollId: poll.id, optionIds: [option] }), U, (c) => c.method === 'sendMessage');
      expect(textOf(feedback)).toContain(n === 2 ? 'Hết giờ' : n === 4 ? 'Chưa đúng' : 'Chính xác!');
      if (n < 9) call = await tg.waitForCall((c) => c.method === 'sendPoll' && String(c.params.chat_id) === String(U) && textOf(c).startsWith(`Câu ${n + 2}/10`));
    }
    const end = await tg.waitForCall((c) => c.method === 'sendMessage' && textOf(c).includes('Xếp hạng tạm thời: 1/1'));
    expect(textOf(end)).toContain('8/10 câu đúng');
    expect(textOf(end)).toContain('Dự đoán có bao nhiêu người');
    const done = await exchange(tg.message({ userId: U, text: '350' }), U);
    expect(textOf(done)).toContain('Đã ghi nhận dự đoán của bạn: 350');
    // 8 right answers after 6 s of 30: 10 + round(5 * 24 / 30) = 14 each.
    expect(getAttempt(app.db, attemptId)).toMatchObject({ status: 'done', score: 8 * 14, correctCount: 8, prediction: 350 });
  });

  it('inline buttons (practice quiz): a double tap counts once', async () => {
    const U = 5151;
    await exchange(tg.message({ userId: U, text: '/thi' }), U, (c) => textOf(c).includes('Các cuộc thi đang mở'));
    await exchange(tg.callbackQuery({ userId: U, data: callbackFor(U, 'Luyện tập nhanh') }), U, (c) => textOf(c).includes('đọc và xác nhận'));
    await exchange(tg.callbackQuery({ userId: U, data: callbackFor(U, 'Tôi đồng ý') }), U);
    await exchange(tg.message({ userId: U, text: 'Mai Văn Sơn' }), U);
    await exchange(tg.message({ userId: U, text: 'Chi đoàn thôn Đông' }), U);
    let call = await exchange(tg.callbackQuery({ userId: U, data: callbackFor(U, 'Bắt đầu') }), U, (c) => textOf(c).includes('Câu 1/5'));
    const person = getPersonByExternal(app.db, 'telegram', String(U))!;
    const attempt = activeAttemptOf(app.db, person.id)!;
    const { getAttemptQuestion } = await import('../../src/db/quiz.js');
    const polls = tg.callsTo('sendPoll').length;
    for (let n = 0; n < 5; n++) {
      expect(tg.callsTo('sendPoll').length - polls).toBe(0);
      const right = getAttemptQuestion(app.db, attempt.id, n)!.correct;
      const data = callbackFor(U, String(right + 1));
      now = new Date(now.getTime() + 2000);
      const fb = await exchange(tg.callbackQuery({ userId: U, data }), U, (c) => textOf(c).includes('Chính xác') || textOf(c).includes('ghi nhận'));
      expect(textOf(fb)).toContain('Chính xác! +10 điểm');
      if (n === 0) {
        // The same button tapped again: acknowledged, not counted.
        const dup = await exchange(tg.callbackQuery({ userId: U, data }), U, (c) => textOf(c).includes('đã được ghi nhận'));
        expect(textOf(dup)).toContain('đã được ghi nhận');
      }
      if (n < 4) call = await tg.waitForCall((c) => String(c.params.chat_id) === String(U) && textOf(c).includes(`Câu ${n + 2}/5`));
    }
    expect(textOf(call)).toContain('Câu 5/5');
    await tg.waitForCall((c) => textOf(c).includes('Điểm: 50 (5/5 câu đúng)'));
    expect(finishedAttempts(app.db, 'luyen-tap-quyen-tre-em')).toMatchObject([{ score: 50, correctCount: 5, channel: 'telegram' }]);
  });

  it('live group quiz: an organiser starts it, several members answer polls, leaderboards follow', async () => {
    const GROUP = -1009876543210;
    // The Telegram intake answers only /hoi in groups today (src/channels/telegram/updates.ts),
    // so the organiser's command enters as the inbound event it maps to; polls, answers and
    // leaderboards below go through the fake Bot API.
    const command = async (userId: number, text: string) => {
      const after = tg.calls.length;
      const sent = tg.waitForCall((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(GROUP), { after });
      app.inbox.accept({ channel: 'telegram', userId: String(userId), chatId: String(GROUP), group: true, dedupeKey: `cmd-${userId}-${after}`, type: 'text', text });
      return sent;
    };
    expect(textOf(await command(200, '/quizgroup tim-hieu-quyen-con-nguoi-2026'))).toContain('Chỉ người tổ chức');
    expect(textOf(await command(100, '/quizgroup tim-hieu-quyen-con-nguoi-2026'))).toContain('Thi nhanh: Cuộc thi tìm hiểu');
    const members = [201, 202, 203, 204];
    for (let q = 0; q < 10; q++) {
      now = new Date(now.getTime() + (q === 0 ? LIVE_INTRO_MS : LIVE_PAUSE_MS));
      const before = tg.calls.length;
      await app.quiz!.tick(now);
      const posted = await tg.waitForCall((c) => c.method === 'sendPoll' && String(c.params.chat_id) === String(GROUP), { after: before });
      expect(posted.params).toMatchObject({ type: 'quiz', is_anonymous: false, open_period: 30 });
      expect(textOf(posted)).toMatch(new RegExp(`^Câu ${q + 1}/10: `));
      const poll = pollOf(posted);
      // Member k answers (k + 1) s after the poll; 204 is always wrong, 203 wrong from question 3.
      for (const m of members) {
        now = new Date(now.getTime() + 1000);
        const wrong = m === 204 || (m === 203 && q >= 2);
        const res = await tg.pushUpdate(tg.pollAnswer({ userId: m, pollId: poll.id, optionIds: [wrong ? (poll.correct + 1) % poll.options.length : poll.correct] }));
        expect(res).toMatchObject({ delivered: true, status: 200 });
      }
      // A duplicate delivery of the same answer is dropped by the inbox, and a second one is ignored.
      await tg.pushUpdate(tg.pollAnswer({ userId: 204, pollId: poll.id, optionIds: [poll.correct] }));
      await app.inbox.drain();
      now = new Date(now.getTime() + 30_000 + GRACE_MS);
      const b2 = tg.calls.length;
      await app.quiz!.tick(now);
      const board = await tg.waitForCall((c) => String(c.params.chat_id) === String(GROUP) && textOf(c).includes(`Câu ${q + 1}: đáp án đúng`), { after: b2 });
      expect(textOf(board)).toContain(q < 9 ? `Bảng xếp hạng sau câu ${q + 1}/10` : 'Kết quả chung cuộc');
    }
    const final = textOf(tg.calls.filter((c) => textOf(c).includes('Kết quả chung cuộc')).at(-1)!);
    const rows = final.split('\n').filter((l) => /^\d+\. /.test(l));
    // 10 points + round(5 × time left / 30): 15 for an answer within 3 s. 201 and 202 tie on
    // points; 201 was faster.
    expect(rows).toEqual(['1. Người dùng 201: 150 điểm (10 câu đúng)', '2. Người dùng 202: 150 điểm (10 câu đúng)', '3. Người dùng 203: 30 điểm (2 câu đúng)', '4. Người dùng 204: 0 điểm (0 câu đúng)']);
    // No reply in the group per answer: the group saw the announcement, 10 polls and 10 boards.
    const toGroup = tg.calls.filter((c) => ['sendMessage', 'sendPoll'].includes(c.method) && String(c.params.chat_id) === String(GROUP));
    expect(toGroup).toHaveLength(2 + 10 + 10);
  });
});
