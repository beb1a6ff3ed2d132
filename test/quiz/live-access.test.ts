/**
 * Who may answer a live group quiz (issue 15, item 4): only members pressing in the group the
 * session runs in, once per question, and the buttons name the session by a random token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelName, Inbound, Reply } from '../../src/channels/channel.js';
import { telegramCapabilities } from '../../src/channels/telegram/telegram.js';
import { runningLiveSession } from '../../src/db/quiz.js';
import { LIVE_INTRO_MS } from '../../src/quiz/live.js';
import { GRACE_MS } from '../../src/quiz/scoring.js';
import { CAPS, quizWorld, type QuizWorld } from './support.js';
import type { QuizIO } from '../../src/quiz/feature.js';

/** How the quiz's due work sends in this file's tests (set where the old code bound the feature). */
let io: QuizIO;

const GROUP = '-1001234567890';
const OTHER_GROUP = '-1009999999999';
let w: QuizWorld;
let sent: { chat: string; reply: Reply }[];
let n = 0;
afterEach(() => w?.close());

/** Starts a live quiz in GROUP and posts its first question; returns that question. */
async function firstQuestion(): Promise<Reply> {
  w = quizWorld({ organizers: ['100'] });
  sent = [];
  io = ({ db: w.db, send: async (_ch, chat, reply) => (sent.push({ chat, reply }), { kind: 'ok' }), caps: () => telegramCapabilities });
  await w.convo.handle({ channel: 'telegram', userId: '100', chatId: GROUP, group: true, dedupeKey: `s${n++}`, type: 'text', text: '/quizgroup thu-nghiem' } as Inbound, telegramCapabilities);
  w.clock.advance(LIVE_INTRO_MS);
  await w.quiz.tick(w.clock.now, io);
  w.clock.advance(1000);
  return sent.at(-1)!.reply;
}

/** An action event as a channel delivers it. */
const press = (channel: ChannelName, userId: string, action: string, where: { chatId?: string; group?: boolean } = {}) =>
  w.convo.handle({ channel, userId, displayName: `U${userId}`, ...where, dedupeKey: `a${n++}`, type: 'action', action } as Inbound, CAPS[channel]);

/** The leaderboard rows after the current question closes. */
async function boardRows(): Promise<string[]> {
  w.clock.advance(20_000 + GRACE_MS);
  await w.quiz.tick(w.clock.now, io);
  return sent.at(-1)!.reply.text.split('\n').filter((l) => /^\d+\. /.test(l));
}

describe('live group quiz: who may answer', () => {
  it('counts a button only when pressed in the session’s own group, once per member', async () => {
    const q = await firstQuestion();
    const right = q.buttons![q.poll!.correctOptionId]!.action;
    // From the web chat and from Zalo, with the exact action of the right button.
    expect(await press('web', 'web-visitor', right)).toEqual([]);
    expect(await press('zalo', '8800000000000000001', right)).toEqual([]);
    // A Telegram user pressing a copy of the button in another group, or in a private chat.
    await press('telegram', '401', right, { chatId: OTHER_GROUP, group: true });
    await press('telegram', '402', right);
    // A Telegram "group" event whose chat is the group but flagged private is not a group press.
    await press('telegram', '403', right, { chatId: GROUP });
    // A real member in the group: counted once, the second tap ignored.
    await press('telegram', '301', right, { chatId: GROUP, group: true });
    await press('telegram', '301', q.buttons![(q.poll!.correctOptionId + 1) % 4]!.action, { chatId: GROUP, group: true });
    expect(await boardRows()).toEqual(['1. U301: 15 điểm (1 câu đúng)']);
  });

  it('names the session by a random token, not its sequential id, within 64 bytes', async () => {
    const q = await firstQuestion();
    const s = runningLiveSession(w.db, 'telegram', GROUP)!;
    const action = q.buttons![0]!.action;
    const [, , ref] = action.split(':');
    expect(ref).toBe(s.token);
    expect(ref).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(ref).not.toBe(String(s.id));
    for (const b of q.buttons!) expect(Buffer.byteLength(b.action)).toBeLessThanOrEqual(64);
    // Guessing the sequential id (what the buttons used to carry) counts for nothing, even in the group.
    const right = q.poll!.correctOptionId;
    await press('telegram', '301', `quiz:l:${s.id}:0:${right}`, { chatId: GROUP, group: true });
    await press('telegram', '302', `quiz:l:${s.id + 1}:0:${right}`, { chatId: GROUP, group: true });
    expect(await boardRows()).toEqual([]);
  });

  it('tokens differ from one session to the next', async () => {
    await firstQuestion();
    const first = runningLiveSession(w.db, 'telegram', GROUP)!.token;
    await w.convo.handle({ channel: 'telegram', userId: '100', chatId: GROUP, group: true, dedupeKey: `s${n++}`, type: 'text', text: '/quizstop' } as Inbound, telegramCapabilities);
    await w.convo.handle({ channel: 'telegram', userId: '100', chatId: GROUP, group: true, dedupeKey: `s${n++}`, type: 'text', text: '/quizgroup thu-nghiem' } as Inbound, telegramCapabilities);
    const second = runningLiveSession(w.db, 'telegram', GROUP)!.token;
    expect(second).not.toBe(first);
  });

  it('ignores a poll answer that does not come from the session’s channel', async () => {
    const q = await firstQuestion();
    const ref = q.poll!.ref;
    const right = q.poll!.correctOptionId;
    await w.convo.handle({ channel: 'web', userId: 'web-visitor', dedupeKey: `p${n++}`, type: 'quizAnswer', pollId: ref, optionIds: [right] } as Inbound, CAPS.web);
    await w.convo.handle({ channel: 'telegram', userId: '301', displayName: 'An', dedupeKey: `p${n++}`, type: 'quizAnswer', pollId: ref, optionIds: [right] } as Inbound, telegramCapabilities);
    expect(await boardRows()).toEqual(['1. An: 15 điểm (1 câu đúng)']);
  });
});
