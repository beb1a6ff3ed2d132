/**
 * Groups end to end (webhook mode, the real app against the fake Bot API): forum topics, a
 * basic group that becomes a supergroup, and the bot removed from a group, with answers to
 * /hoi and a live group quiz running there.
 *
 * One app and one fake for the file; each test uses its own chats, and the clock only moves
 * forward.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import type { App } from '../../src/app.js';
import { runningLiveSession } from '../../src/db/quiz.js';
import { LIVE_INTRO_MS } from '../../src/quiz/live.js';
import { GRACE_MS } from '../../src/quiz/scoring.js';

const SECRET = 'groups_secret-0123456789abcdef';
const CONTEST = 'tim-hieu-quyen-con-nguoi-2026';
const ORGANISER = 100;
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
      TELEGRAM_RATE_PER_CHAT: '1000',
      TELEGRAM_RATE_GLOBAL: '1000',
    },
    { now: () => now, bot: { telegram: { quiz_organizers: [String(ORGANISER)] } } },
  );
  app = started.app;
  close = started.close;
  tg.rewriteWebhookUrl = () => `${started.url}/webhooks/telegram`;
});

afterAll(async () => {
  await close();
  await tg.close();
});

const SENDS = ['sendMessage', 'sendPoll', 'sendPhoto'];
const sendsTo = (chat: number) => (c: RecordedCall) => SENDS.includes(c.method) && String(c.params.chat_id) === String(chat);
const textOf = (c: RecordedCall) => String(c.params.text ?? c.params.question ?? '');

/** Pushes an update, waits until it is handled and its replies sent; returns the sends it caused. */
async function push(update: Record<string, unknown>): Promise<RecordedCall[]> {
  const after = tg.calls.length;
  const res = await tg.pushUpdate(update);
  expect(res).toMatchObject({ delivered: true, status: 200 });
  await app.inbox.drain();
  return tg.calls.slice(after).filter((c) => SENDS.includes(c.method));
}

/** Moves the clock and runs the live quizzes' due steps; returns the sends they caused. */
async function tick(ms: number): Promise<RecordedCall[]> {
  now = new Date(now.getTime() + ms);
  const after = tg.calls.length;
  await app.quiz!.tick(now);
  await app.inbox.drain();
  return tg.calls.slice(after).filter((c) => SENDS.includes(c.method));
}

/** Starts a live quiz in `chat` (a topic with `topic`) and posts its first question. */
async function startLiveQuiz(chat: number, o: { topic?: number; chatType?: 'group' | 'supergroup' } = {}): Promise<RecordedCall> {
  const started = await push(tg.message({ userId: ORGANISER, chatId: chat, text: `/quizgroup ${CONTEST}`, ...o }));
  expect(started.map(textOf).join('\n')).toContain('Thi nhanh');
  const [poll] = await tick(LIVE_INTRO_MS);
  expect(poll).toMatchObject({ method: 'sendPoll', status: 200 });
  return poll!;
}

describe('Telegram forum topics', () => {
  it('answers in the topic the question was asked in, and in General without a thread id', async () => {
    const FORUM = -1007770;
    tg.forum(FORUM, [42]);
    const asked = tg.message({ userId: 31, chatId: FORUM, text: '/hoi thủ tục đăng ký khai sinh', topic: 42 });
    const inTopic = await push(asked);
    expect(inTopic.length).toBeGreaterThan(0);
    // The answer quotes the question: members see whose question it answers.
    expect(inTopic[0]!.params.reply_parameters).toEqual({ message_id: (asked.message as { message_id: number }).message_id, allow_sending_without_reply: true });
    for (const c of inTopic) expect(c).toMatchObject({ status: 200, params: { message_thread_id: 42 } });
    expect(textOf(inTopic[0]!)).toMatch(/khai sinh/i);

    const mention = await push(tg.message({ userId: 32, chatId: FORUM, text: `@${tg.username} làm căn cước ở đâu`, topic: 42 }));
    expect(mention[0]).toMatchObject({ status: 200, params: { message_thread_id: 42 } });

    // A reply in General carries a message_thread_id (the replied message) without
    // is_topic_message: it is not a topic, and Telegram refuses it as one.
    const general = tg.message({ userId: 33, chatId: FORUM, text: '/hoi thủ tục đăng ký khai sinh' });
    (general.message as Record<string, unknown>).message_thread_id = 7;
    const inGeneral = await push(general);
    expect(inGeneral[0]!.status).toBe(200);
    expect(inGeneral[0]!.params.message_thread_id).toBeUndefined();
  });

  it('runs a live quiz in the topic it was started in, and stops it there', async () => {
    const FORUM = -1007771;
    tg.forum(FORUM, [5]);
    const poll = await startLiveQuiz(FORUM, { topic: 5 });
    expect(poll.params).toMatchObject({ chat_id: FORUM, message_thread_id: 5 });
    const board = await tick(60_000 + GRACE_MS);
    expect(board[0]).toMatchObject({ status: 200, params: { chat_id: FORUM, message_thread_id: 5 } });
    const stop = await push(tg.message({ userId: ORGANISER, chatId: FORUM, text: '/quizstop', topic: 5 }));
    expect(stop[0]).toMatchObject({ status: 200, params: { message_thread_id: 5 } });
    expect(runningLiveSession(app.db, 'telegram', `${FORUM}:5`)).toBeUndefined();
  });
});

describe('answers in a group', () => {
  it('quote the question they answer; answers in a private chat do not quote', async () => {
    const GROUP = -1007790;
    const asked = tg.message({ userId: 35, chatId: GROUP, text: '/hoi thủ tục đăng ký khai sinh' });
    const [answer] = await push(asked);
    expect(answer).toMatchObject({ status: 200, params: { reply_parameters: { message_id: (asked.message as { message_id: number }).message_id } } });
    const [mention] = await push(tg.message({ userId: 36, chatId: GROUP, text: `@${tg.username} làm căn cước ở đâu` }));
    expect(mention!.params.reply_parameters).toBeDefined();
    const [privately] = await push(tg.message({ userId: 35, text: 'thủ tục đăng ký khai sinh' }));
    expect(privately!.status).toBe(200);
    expect(privately!.params.reply_parameters).toBeUndefined();
  });
});

describe('a group that becomes a supergroup', () => {
  it('a live quiz follows the new chat id when Telegram announces the migration', async () => {
    const OLD = -555;
    const NEW = -1005550;
    const poll = await startLiveQuiz(OLD, { chatType: 'group' });
    expect(poll.params.chat_id).toBe(OLD);
    const [fromOld, fromNew] = tg.migrateGroup(OLD, NEW, ORGANISER);
    await push(fromOld);
    await push(fromNew);
    const board = await tick(60_000 + GRACE_MS);
    expect(board.map((c) => [c.params.chat_id, c.status])).toEqual([[NEW, 200]]);
    expect(textOf(board[0]!)).toContain('đáp án đúng');
    // The organiser stops it from the supergroup, under its new id.
    const stop = await push(tg.message({ userId: ORGANISER, chatId: NEW, text: '/quizstop' }));
    expect(stop[0]).toMatchObject({ status: 200, params: { chat_id: NEW } });
    expect(runningLiveSession(app.db, 'telegram', String(NEW))).toBeUndefined();
  });

  it('a send refused with migrate_to_chat_id goes to the supergroup, and the quiz follows', async () => {
    const OLD = -556;
    const NEW = -1005560;
    await startLiveQuiz(OLD, { chatType: 'group' });
    // The service messages were missed (Loa was down): only the refusal tells.
    tg.migrateGroup(OLD, NEW, ORGANISER);
    const board = await tick(60_000 + GRACE_MS);
    expect(board.map((c) => [c.params.chat_id, c.status])).toEqual([
      [OLD, 400],
      [NEW, 200],
    ]);
    const next = await tick(60_000);
    expect(next[0]).toMatchObject({ method: 'sendPoll', status: 200, params: { chat_id: NEW } });
    expect(runningLiveSession(app.db, 'telegram', String(NEW))).toBeDefined();
    expect(runningLiveSession(app.db, 'telegram', String(OLD))).toBeUndefined();
  });
});

describe('the bot removed from a group', () => {
  it('stops the live quiz running there instead of posting into a chat it left', async () => {
    const GROUP = -1005570;
    await startLiveQuiz(GROUP);
    await push({
      my_chat_member: {
        chat: { id: GROUP, type: 'supergroup', title: 'Nhóm thử' },
        from: { id: 77, is_bot: false, first_name: 'Quản trị' },
        date: Math.floor(now.getTime() / 1000),
        old_chat_member: { status: 'member', user: { id: tg.botId, is_bot: true, first_name: 'Loa' } },
        new_chat_member: { status: 'kicked', user: { id: tg.botId, is_bot: true, first_name: 'Loa' }, until_date: 0 },
      },
    });
    expect(runningLiveSession(app.db, 'telegram', String(GROUP))).toBeUndefined();
    const after = await tick(60_000 + GRACE_MS);
    expect(after.filter(sendsTo(GROUP))).toHaveLength(0);
  });
});

describe('the bot added to a group', () => {
  const added = (chat: { id: number; type: string }, update_id: number) => ({
    update_id,
    my_chat_member: {
      chat: { ...chat, title: 'Tổ dân phố 3' },
      from: { id: 78, is_bot: false, first_name: 'Tổ trưởng' },
      date: Math.floor(now.getTime() / 1000),
      old_chat_member: { status: 'left', user: { id: tg.botId, is_bot: true, first_name: 'Loa' } },
      new_chat_member: { status: 'member', user: { id: tg.botId, is_bot: true, first_name: 'Loa' } },
    },
  });

  it('says how to ask it there, once even when the update is delivered twice', async () => {
    const GROUP = -1005580;
    await push(added({ id: GROUP, type: 'supergroup' }, 990_001));
    const welcome = await tg.waitForCall(sendsTo(GROUP));
    expect(welcome.status).toBe(200);
    await push(added({ id: GROUP, type: 'supergroup' }, 990_001));
    // A second welcome would leave at once, as the first did.
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.calls.filter(sendsTo(GROUP))).toHaveLength(1);
    expect(textOf(welcome)).toContain('/hoi thủ tục đăng ký khai sinh');
  });

  it('says nothing when added to a channel', async () => {
    const CHANNEL = -1005590;
    await push(added({ id: CHANNEL, type: 'channel' }, 990_002));
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.calls.filter(sendsTo(CHANNEL))).toHaveLength(0);
  });
});

describe('an admin posting anonymously', () => {
  it('is told to post under their own name to run a live quiz, instead of silence', async () => {
    const GROUP = -1005600;
    const cmd = {
      message: {
        message_id: 501,
        date: Math.floor(now.getTime() / 1000),
        chat: { id: GROUP, type: 'supergroup', title: 'Nhóm thử' },
        from: { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' },
        sender_chat: { id: GROUP, type: 'supergroup', title: 'Nhóm thử' },
        text: `/quizgroup@${tg.username} ${CONTEST}`,
        entities: [{ type: 'bot_command', offset: 0, length: 11 + tg.username.length }],
      },
    };
    await push(cmd);
    const notice = await tg.waitForCall(sendsTo(GROUP));
    expect(notice).toMatchObject({ status: 200, params: { reply_parameters: { message_id: 501 } } });
    expect(textOf(notice)).toContain('tắt “Ẩn danh”');
    expect(runningLiveSession(app.db, 'telegram', String(GROUP))).toBeUndefined();
  });
});
