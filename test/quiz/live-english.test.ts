/**
 * The live group quiz's language (issue 18, item 2): a group has no one language, so the session's
 * own messages (announcement, question titles, answers, leaderboards) follow the contest's
 * `lang`; the organiser's refusals follow the organiser's turn. A Vietnamese contest stays
 * Vietnamese whoever starts it.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inbound, Reply } from '../../src/channels/channel.js';
import { telegramCapabilities } from '../../src/channels/telegram/telegram.js';
import { createConversation, type Conversation } from '../../src/conversation/conversation.js';
import { openDb, type Db } from '../../src/db/index.js';
import { createContestRegistry } from '../../src/quiz/definition.js';
import { createQuizFeature, type QuizFeature, type QuizIO } from '../../src/quiz/feature.js';
import { LIVE_INTRO_MS } from '../../src/quiz/live.js';
import { GRACE_MS } from '../../src/quiz/scoring.js';
import { Q_EN } from '../../src/quiz/texts-en.js';
import { Q } from '../../src/quiz/texts.js';
import { tempDir, testConfig } from '../support/app.js';
import { knowledge, QUIZ_CONTENT, seeded } from './support.js';

const GROUP = '-1009876543210';
let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.reverse()) fn();
  cleanup = [];
});

/** A world whose contest `thu-nghiem` is declared in `lang`; what the group was sent. */
function world(lang: 'vi' | 'en') {
  const dir = tempDir('loa-live-en-');
  cpSync(QUIZ_CONTENT, dir.dir, { recursive: true });
  const file = join(dir.dir, 'quizzes', 'thu-nghiem.yaml');
  writeFileSync(file, `${readFileSync(file, 'utf8')}\nlang: ${lang}\n`);
  const config = testConfig({}, { telegram: { quiz_organizers: ['100'] }, flood_limit: { messages: 1000, seconds: 1 } });
  const db: Db = openDb(':memory:');
  let now = new Date('2026-11-23T03:00:00Z');
  const quiz: QuizFeature = createQuizFeature({ registry: createContestRegistry(dir.dir), random: seeded(7) });
  const convo: Conversation = createConversation({ db, knowledge: knowledge(), config, features: [quiz], now: () => now });
  cleanup.push(() => db.close(), config.cleanup, dir.cleanup);
  const sent: Reply[] = [];
  const io: QuizIO = { db, send: async (_ch, _chat, reply) => (sent.push(reply), { kind: 'ok' }), caps: () => telegramCapabilities };
  let n = 0;
  const say = (userId: string, text: string, group = true) =>
    convo.handle({ channel: 'telegram', userId, ...(group ? { chatId: GROUP, group: true } : {}), dedupeKey: `k${n++}`, type: 'text', text } as Inbound, telegramCapabilities);
  const advance = async (ms: number) => {
    now = new Date(now.getTime() + ms);
    await quiz.tick(now, io);
  };
  return { say, advance, sent };
}

describe('live group quiz language', () => {
  it.each([
    {
      lang: 'en' as const,
      start: '🎯 Live quiz: Cuộc thi thử nghiệm',
      title: 'Question 1/3: ',
      answer: /^Question 1: the correct answer is \d\. .+\n\d+ of \d+ answered correctly\./,
      board: Q_EN.liveBoardAfter(1, 3),
      stopped: Q_EN.liveStopped,
      final: Q_EN.liveBoardFinal,
    },
    {
      lang: 'vi' as const,
      start: '🎯 Thi nhanh: Cuộc thi thử nghiệm',
      title: 'Câu 1/3: ',
      answer: /^Câu 1: đáp án đúng là \d\. .+\n\d+\/\d+ người trả lời đúng\./,
      board: Q.liveBoardAfter(1, 3),
      stopped: Q.liveStopped,
      final: Q.liveBoardFinal,
    },
  ])('a contest in $lang: the session speaks $lang', async ({ lang, start, title, answer, board, stopped, final }) => {
    const w = world(lang);
    const [started] = await w.say('100', '/quizgroup thu-nghiem');
    expect(started!.text.startsWith(start)).toBe(true);
    await w.advance(LIVE_INTRO_MS);
    const question = w.sent.at(-1)!;
    expect(question.poll!.question.startsWith(title)).toBe(true);
    expect(question.lang ?? 'vi').toBe(lang);
    await w.advance(20_000 + GRACE_MS + 1);
    const closed = w.sent.at(-1)!.text;
    expect(closed).toMatch(answer);
    expect(closed).toContain(board);
    const [stop] = await w.say('100', '/quizstop');
    expect(stop!.text.startsWith(stopped)).toBe(true);
    expect(stop!.text).toContain(final);
  });

  it('refusals answer the organiser in their own language', async () => {
    const w = world('vi');
    await w.say('100', '/en', false);
    const [priv] = await w.say('100', '/quizgroup thu-nghiem', false);
    expect(priv!.text).toBe(Q_EN.liveNotGroup);
    const [none] = await w.say('100', '/quizstop');
    expect(none!.text).toBe(Q_EN.liveNone);
    const [vi] = await w.say('200', '/quizstop');
    expect(vi!.text).toBe(Q.liveNotOrganiser);
  });
});
