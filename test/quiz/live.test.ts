/** Live group quiz on Telegram: organiser commands, polls with a timer, scoring and leaderboards. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Inbound, Reply } from '../../src/channels/channel.js';
import { telegramCapabilities } from '../../src/channels/telegram/telegram.js';
import { runningLiveSession } from '../../src/db/quiz.js';
import { LIVE_INTRO_MS, LIVE_PAUSE_MS } from '../../src/quiz/live.js';
import { GRACE_MS } from '../../src/quiz/scoring.js';
import { quizWorld, type QuizWorld } from './support.js';
import { installQuiz } from '../../src/quiz/feature.js';
import type { QuizIO } from '../../src/quiz/feature.js';

/** How the quiz's due work sends in this file's tests (set where the old code bound the feature). */
let io: QuizIO;

const GROUP = '-1001234567890';
let w: QuizWorld;
let sent: { chat: string; reply: Reply }[];
let n = 0;
afterEach(() => w?.close());

function setup(): void {
  w = quizWorld({ organizers: ['100'] });
  sent = [];
  io = ({ db: w.db, send: async (_ch, chat, reply) => (sent.push({ chat, reply }), { kind: 'ok' }), caps: () => telegramCapabilities });
}

/** A message in the group from a user. */
const inGroup = (userId: string, text: string) =>
  w.convo.handle({ channel: 'telegram', userId, chatId: GROUP, group: true, dedupeKey: `g${n++}`, type: 'text', text } as Inbound, telegramCapabilities);
/** A member's poll answer as the Telegram channel delivers it (no chat id on poll answers). */
const vote = (userId: string, name: string, ref: string, option: number) =>
  w.convo.handle({ channel: 'telegram', userId, displayName: name, dedupeKey: `v${n++}`, type: 'quizAnswer', pollId: ref, optionIds: [option] } as Inbound, telegramCapabilities);

/** Starts the test contest live in the group and posts its first question; returns it and its right option. */
async function firstLiveQuestion(): Promise<{ q: Reply; right: number }> {
  setup();
  await inGroup('100', '/quizgroup thu-nghiem');
  w.clock.advance(LIVE_INTRO_MS);
  await w.quiz.tick(w.clock.now, io);
  const q = sent.at(-1)!.reply;
  return { q, right: q.poll!.correctOptionId };
}
/** A member's press of a live question's button in the group. */
const press = (userId: string, name: string, action: string) =>
  w.convo.handle({ channel: 'telegram', userId, displayName: name, chatId: GROUP, group: true, dedupeKey: `b${n++}`, type: 'action', action } as Inbound, telegramCapabilities);

const lastPoll = () => sent.filter((s) => s.reply.poll).at(-1)!.reply.poll!;

describe('live group quiz', () => {
  it('only organisers start and stop it, and only in a group', async () => {
    setup();
    expect((await inGroup('200', '/quizgroup thu-nghiem'))[0]!.text).toContain('Chỉ người tổ chức');
    const priv = await w.convo.handle({ channel: 'telegram', userId: '100', dedupeKey: `p${n++}`, type: 'text', text: '/quizgroup thu-nghiem' } as Inbound, telegramCapabilities);
    expect(priv[0]!.text).toContain('chỉ dùng trong nhóm');
    expect((await inGroup('100', '/quizgroup khong-co'))[0]!.text).toContain('thu-nghiem');
    expect((await inGroup('100', '/quizgroup thu-nghiem'))[0]!.text).toContain('Thi nhanh: Cuộc thi thử nghiệm');
    expect((await inGroup('100', '/quizgroup thu-nghiem'))[0]!.text).toContain('đang có một lượt thi');
    expect((await inGroup('200', '/quizstop'))[0]!.text).toContain('Chỉ người tổ chức');
    expect((await inGroup('100', '/quizstop'))[0]!.text).toContain('đã dừng');
    expect(runningLiveSession(w.db, 'telegram', GROUP)).toBeUndefined();
  });

  it('posts polls one at a time, scores correctness and speed, and ranks members after each question and at the end', async () => {
    setup();
    await inGroup('100', '/quizgroup thu-nghiem');
    await w.quiz.tick(w.clock.now, io);
    expect(sent).toHaveLength(0); // the intro pause

    const members = [
      { id: '201', name: 'An' },
      { id: '202', name: 'Bình' },
      { id: '203', name: 'Cúc' },
    ];
    const limits = [20, 30, 20];
    for (let q = 0; q < 3; q++) {
      w.clock.advance(q === 0 ? LIVE_INTRO_MS : LIVE_PAUSE_MS);
      await w.quiz.tick(w.clock.now, io);
      const poll = lastPoll();
      expect(sent.at(-1)!.chat).toBe(GROUP);
      expect(poll.ref).toMatch(new RegExp(`^qg:\\d+:${q}$`));
      expect(poll.openPeriod).toBe(limits[q]);
      expect(poll.question.startsWith(`Câu ${q + 1}/3: `)).toBe(true);
      const right = poll.correctOptionId;
      const wrong = (right + 1) % poll.options.length;
      // An: always right, after 2 s. Bình: right after 10 s on questions 1 and 2, wrong on 3.
      // Cúc: right on question 1 only, after 2 s; answers twice on question 1 (counted once).
      w.clock.advance(2000);
      expect(await vote('201', 'An', poll.ref, right)).toEqual([]);
      if (q === 0) {
        await vote('203', 'Cúc', poll.ref, right);
        await vote('203', 'Cúc', poll.ref, wrong);
      } else await vote('203', 'Cúc', poll.ref, wrong);
      w.clock.advance(8000);
      await vote('202', 'Bình', poll.ref, q < 2 ? right : wrong);
      const before = sent.length;
      w.clock.advance(limits[q]! * 1000 - 10_000 + GRACE_MS);
      await w.quiz.tick(w.clock.now, io);
      expect(sent.length).toBe(before + 1);
      const board = sent.at(-1)!.reply.text;
      expect(board).toContain(`Câu ${q + 1}: đáp án đúng là ${right + 1}.`);
      if (q < 2) expect(board).toContain(`Bảng xếp hạng sau câu ${q + 1}/3`);
      else expect(board).toContain('Kết quả chung cuộc');
      // A late vote after the question closed is not counted.
      await vote('203', 'Cúc', poll.ref, right);
    }
    // Speed bonus 5, linear in the time left: 2 s of 20 -> +5 (4.5 rounds up); 10 s of 20 -> +3 (2.5);
    // 2 s of 30 -> +5 (4.67); 10 s of 30 -> +3 (3.33). An 15+15+15, Bình 13+13, Cúc 15.
    const final = sent.at(-1)!.reply.text.split('\n');
    const rows = final.filter((l) => /^\d+\. /.test(l));
    expect(rows).toEqual(['1. An: 45 điểm (3 câu đúng)', '2. Bình: 26 điểm (2 câu đúng)', '3. Cúc: 15 điểm (1 câu đúng)']);
    expect(runningLiveSession(w.db, 'telegram', GROUP)).toBeUndefined();
    const polls = sent.filter((s) => s.reply.poll);
    expect(polls).toHaveLength(3);
    await w.quiz.tick(new Date(w.clock.now.getTime() + 60_000), io);
    expect(sent.filter((s) => s.reply.poll)).toHaveLength(3);
  });

  it('takes button answers from members where polls cannot be shown, silently and once each', async () => {
    const { q, right } = await firstLiveQuestion();
    w.clock.advance(1000);
    expect(await press('301', 'Dung', q.buttons![right]!.action)).toEqual([]);
    expect(await press('301', 'Dung', q.buttons![(right + 1) % 4]!.action)).toEqual([]);
    expect(await press('302', 'Em', q.buttons![(right + 1) % 4]!.action)).toEqual([]);
    w.clock.advance(20_000 + GRACE_MS);
    await w.quiz.tick(w.clock.now, io);
    const rows = sent.at(-1)!.reply.text.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(rows).toEqual(['1. Dung: 15 điểm (1 câu đúng)', '2. Em: 0 điểm (0 câu đúng)']);
  });

  it("posts members' names without bidi or control characters, which would reorder the board in the group", async () => {
    const { q, right } = await firstLiveQuestion();
    w.clock.advance(1000);
    await press('311', 'Dung\u202E 999 điểm', q.buttons![right]!.action);
    await press('312', '\u2066\u202E', q.buttons![(right + 1) % 4]!.action);
    w.clock.advance(20_000 + GRACE_MS);
    await w.quiz.tick(w.clock.now, io);
    const board = sent.at(-1)!.reply.text;
    expect(board).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    const rows = board.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(rows[0]).toBe('1. Dung 999 điểm: 15 điểm (1 câu đúng)');
    expect(rows[1]).toMatch(/^2\. \S.*: 0 điểm/); // only controls: shown as the anonymous name
  });

  it('resumes after a restart from the stored due time', async () => {
    setup();
    await inGroup('100', '/quizgroup thu-nghiem');
    // The "restart": a fresh feature over the same database picks up the due step.
    w.clock.advance(LIVE_INTRO_MS + 60_000);
    const { createQuizFeature } = await import('../../src/quiz/feature.js');
    const { createContestRegistry } = await import('../../src/quiz/definition.js');
    const fresh = createQuizFeature({ registry: createContestRegistry('test/fixtures/quiz-content') });
    const out: Reply[] = [];
    io = ({ db: w.db, send: async (_c, _t, r) => (out.push(r), { kind: 'ok' }), caps: () => telegramCapabilities });
    await fresh.tick(w.clock.now, io);
    expect(out).toHaveLength(1);
    expect(out[0]!.poll!.question).toMatch(/^Câu 1\/3/);
  });

  it('a timed pass that fails is logged, not thrown: the process lives on, one line a minute while it lasts', async () => {
    setup();
    const starters: (() => unknown)[] = [];
    const stoppers: (() => unknown)[] = [];
    const logged: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    vi.useFakeTimers();
    try {
      const runner = installQuiz(
        {
          db: w.db,
          conversation: w.convo,
          channels: new Map([['telegram', { capabilities: telegramCapabilities }]]),
          sender: { send: async () => ({ kind: 'ok' as const }) },
          logger: { error: (_o: unknown, msg: string) => void logged.push(msg) },
          onStart: (fn) => starters.push(fn),
          onStop: (fn) => stoppers.push(fn),
        },
        { now: () => w.clock.now, intervalMs: 1000 },
      )!;
      // What a full disk or an I/O error does to the pass: its reads throw.
      const real = runner.feature.tick;
      let broken = true;
      runner.feature.tick = async (...a) => {
        if (broken) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        return real(...a);
      };
      for (const fn of starters) await fn();
      await vi.advanceTimersByTimeAsync(30_000);
      expect(logged.filter((m) => m.includes('failed'))).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(40_000);
      expect(logged.filter((m) => m.includes('failed'))).toHaveLength(2);
      broken = false;
      await vi.advanceTimersByTimeAsync(2000);
      expect(logged.at(-1)).toContain('works again');
      for (const fn of stoppers) await fn(); // does not throw
    } finally {
      vi.useRealTimers();
      await new Promise((r) => setImmediate(r));
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('installQuiz runs due work on a timer and stops it with the app', async () => {
    setup();
    const starters: (() => unknown)[] = [];
    const stoppers: (() => unknown)[] = [];
    const out: string[] = [];
    vi.useFakeTimers();
    try {
      installQuiz(
        {
          db: w.db,
          conversation: w.convo,
          channels: new Map([['telegram', { capabilities: telegramCapabilities }]]),
          // Pushes leave through the one sender.
          sender: { send: async (to: { recipient: string }, r: Reply) => (out.push(`${to.recipient}: ${r.text}`), { kind: 'ok' as const }) },
          logger: { error: () => {} },
          onStart: (fn) => starters.push(fn),
          onStop: (fn) => stoppers.push(fn),
        },
        { now: () => w.clock.now, intervalMs: 1000 },
      );
      for (const fn of starters) await fn();
      await inGroup('100', '/quizgroup thu-nghiem');
      w.clock.advance(LIVE_INTRO_MS);
      await vi.advanceTimersByTimeAsync(1000);
      expect(out).toEqual([`${GROUP}: Câu 1/3: Hiến pháp năm 2013 có hiệu lực từ ngày nào?`]);
      for (const fn of stoppers) await fn();
      w.clock.advance(60_000);
      await vi.advanceTimersByTimeAsync(5000);
      expect(out).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
