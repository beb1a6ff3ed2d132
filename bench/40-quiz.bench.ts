/**
 * Quiz benchmark: whole contest attempts through the conversation core on a file-backed SQLite
 * database (WAL), then the leaderboard and the CSV export at contest scale, then one live group
 * question answered by many members. Bounded loops; no network.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfig } from '../src/config.js';
import { openDb } from '../src/db/index.js';
import { createKnowledge } from '../src/knowledge/knowledge.js';
import { createConversation } from '../src/conversation/conversation.js';
import { createQuizFeature } from '../src/quiz/feature.js';
import { createContestRegistry } from '../src/quiz/definition.js';
import { activeAttemptOf, getAttemptQuestion, rankOfAttempt } from '../src/db/quiz.js';
import { getPersonByExternal } from '../src/db/people.js';
import { leaderboard, leaderboardCsv, leaderboardXlsx } from '../src/quiz/results.js';
import { webCapabilities } from '../src/channels/web/web.js';
import { telegramCapabilities } from '../src/channels/telegram/telegram.js';
import type { Inbound, Reply } from '../src/channels/channel.js';
import type { QuizIO } from '../src/quiz/feature.js';

/** How the quiz's due work sends in this file's tests (set where the old code bound the feature). */
let io: QuizIO;

const PARTICIPANTS = 300;
const SYNTHETIC = 20_000;
const MEMBERS = 500;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'loa-bench-quiz-'));
  try {
    const config = createConfig(
      { LOA_DATA_DIR: dir, LOA_LOG_LEVEL: 'silent' },
      { name: 'Loa bench', greeting: 'Xin chào', flood_limit: { messages: 100_000, seconds: 1 }, telegram: { quiz_organizers: ['1'] } },
    );
    const db = openDb(join(dir, 'loa.sqlite'));
    const knowledge = createKnowledge({ contentDir: 'content' });
    const quiz = createQuizFeature({ registry: createContestRegistry('content') });
    let clock = new Date('2026-11-23T03:00:00Z');
    const convo = createConversation({ db, knowledge, config, features: [quiz], now: () => clock });
    let k = 0;
    const turn = (channel: 'web' | 'telegram', userId: string, e: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Reply[]> =>
      // Each channel with its own capabilities: a live group quiz needs Telegram's group chats.
      convo.handle({ channel, userId, dedupeKey: `b${k++}`, ...extra, ...e } as Inbound, channel === 'telegram' ? telegramCapabilities : webCapabilities);

    // 1. Whole attempts: /thi, choose, consent, name, unit, skip phone, start, 10 answers, prediction.
    const answerMs: number[] = [];
    let turns = 0;
    const t0 = performance.now();
    for (let i = 0; i < PARTICIPANTS; i++) {
      const u = `bench-user-${i}`;
      await turn('web', u, { type: 'text', text: '/thi' });
      await turn('web', u, { type: 'action', action: 'quiz:c:tim-hieu-quyen-con-nguoi-2026' });
      const id = activeAttemptOf(db, getPersonByExternal(db, 'web', u)!.id)!.id;
      await turn('web', u, { type: 'action', action: `quiz:y:${id}` });
      // Names with three digits in a row are refused as names: spell the number in letters.
      await turn('web', u, { type: 'text', text: `Nguyễn Văn ${[...String(i)].map((d) => 'ABCDEGHIKL'[Number(d)]).join('')}` });
      await turn('web', u, { type: 'text', text: 'Chi đoàn thử nghiệm' });
      await turn('web', u, { type: 'action', action: `quiz:s:${id}` });
      await turn('web', u, { type: 'action', action: `quiz:g:${id}` });
      turns += 7;
      for (let n = 0; n < 10; n++) {
        clock = new Date(clock.getTime() + 1000 + (i % 7) * 100);
        const right = getAttemptQuestion(db, id, n)!.correct;
        const choice = (i + n) % 4 === 0 ? (right + 1) % 2 : right;
        const s = performance.now();
        await turn('web', u, { type: 'action', action: `quiz:a:${id}:${n}:${choice}` });
        answerMs.push(performance.now() - s);
        turns++;
      }
      await turn('web', u, { type: 'text', text: String(200 + i) });
      turns++;
    }
    const attemptSecs = (performance.now() - t0) / 1000;

    // 2. Leaderboard and CSV at contest scale: synthetic finished attempts inserted directly.
    const ins = db.prepare(
      `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, name, unit, question_count, current, score, correct_count, total_ms, prediction, started_at, finished_at)
       VALUES ('tim-hieu-quyen-con-nguoi-2026', NULL, 'zalo', 1, 'done', ?, 'Chi đoàn xã Tân Hưng, huyện Tiên Lữ', 10, 10, ?, ?, ?, ?, '2026-11-23T03:00:00Z', '2026-11-23T03:05:00Z')`,
    );
    db.transaction(() => {
      for (let i = 0; i < SYNTHETIC; i++) ins.run(`Trần Thị Ánh Nguyệt ${i}`, (i * 37) % 150, (i * 37) % 10, 60_000 + ((i * 7919) % 240_000), i % 3 === 0 ? null : 1000 + ((i * 13) % 20_000));
    })();
    const boardMs: number[] = [];
    let rows = 0;
    for (let r = 0; r < 5; r++) {
      const s = performance.now();
      rows = leaderboard(db, 'tim-hieu-quyen-con-nguoi-2026').entries.length;
      boardMs.push(performance.now() - s);
    }
    const board = leaderboard(db, 'tim-hieu-quyen-con-nguoi-2026');
    // The "rank so far" every participant sees at the end: two indexed counts, not the board.
    const rankMs: number[] = [];
    for (let r = 0; r < 200; r++) {
      const s = performance.now();
      rankOfAttempt(db, 'tim-hieu-quyen-con-nguoi-2026', board.entries[(r * 101) % board.entries.length]!.attemptId);
      rankMs.push(performance.now() - s);
    }
    const c0 = performance.now();
    const csv = leaderboardCsv(board);
    const csvMs = performance.now() - c0;
    // The workbook organisers open in Excel: written off the event loop (fflate's async deflate).
    const x0 = performance.now();
    const xlsx = await leaderboardXlsx(board);
    const xlsxMs = performance.now() - x0;

    // 3. A live group question answered by many members (poll answers through the core).
    const sent: Reply[] = [];
    io = ({ db, send: async (_c, _t, r) => (sent.push(r), { kind: 'ok' }), caps: () => webCapabilities });
    await turn('telegram', '1', { type: 'text', text: '/quizgroup tim-hieu-quyen-con-nguoi-2026' }, { chatId: '-100', group: true });
    clock = new Date(clock.getTime() + 10_000);
    await quiz.tick(clock, io);
    const ref = sent.at(-1)!.poll!.ref;
    const voteMs: number[] = [];
    const l0 = performance.now();
    for (let m = 0; m < MEMBERS; m++) {
      const s = performance.now();
      await turn('telegram', `m${m}`, { type: 'quizAnswer', pollId: ref, optionIds: [m % 4] }, { displayName: `Đoàn viên ${m}` });
      voteMs.push(performance.now() - s);
    }
    const liveSecs = (performance.now() - l0) / 1000;
    clock = new Date(clock.getTime() + 60_000);
    const b0 = performance.now();
    await quiz.tick(clock, io);
    const closeMs = performance.now() - b0;
    db.close();
    knowledge.close();

    return [
      '## Quizzes',
      '',
      `Method: ${PARTICIPANTS} participants each take the whole sample contest (registration, 10 answers, prediction: ${turns / PARTICIPANTS} turns) through \`conversation.handle\` with the quiz feature, on a file-backed SQLite database in WAL mode, one after another on one core. Then ${SYNTHETIC.toLocaleString('en')} finished attempts are added and the leaderboard (ranking in JS after one indexed query), the CSV export and the .xlsx export are timed. Finally ${MEMBERS} members answer one live group poll and the question is closed with its leaderboard.`,
      '',
      '| Measure | Result |',
      '|---|---|',
      `| Conversation turns (attempts) | ${(turns / attemptSecs).toFixed(0)} turns/s (${turns} turns in ${attemptSecs.toFixed(1)} s) |`,
      `| One answer (score, store, next question) | p50 ${pct(answerMs, 50).toFixed(2)} ms, p95 ${pct(answerMs, 95).toFixed(2)} ms |`,
      `| Leaderboard of ${rows.toLocaleString('en')} attempts | p50 ${pct(boardMs, 50).toFixed(0)} ms |`,
      `| Rank so far of one attempt among ${rows.toLocaleString('en')} | p50 ${pct(rankMs, 50).toFixed(1)} ms, p95 ${pct(rankMs, 95).toFixed(1)} ms |`,
      `| CSV export of ${rows.toLocaleString('en')} rows | ${csvMs.toFixed(0)} ms, ${(Buffer.byteLength(csv) / 1024).toFixed(0)} KiB |`,
      `| .xlsx export of ${rows.toLocaleString('en')} rows | ${xlsxMs.toFixed(0)} ms, ${(xlsx.length / 1024).toFixed(0)} KiB |`,
      `| Live poll answers | ${(MEMBERS / liveSecs).toFixed(0)} answers/s, p95 ${pct(voteMs, 95).toFixed(2)} ms |`,
      `| Closing a live question (${MEMBERS} members, board) | ${closeMs.toFixed(1)} ms |`,
      '',
      'Reading: a contest is bound by people, not the server: even a province-wide contest with thousands answering in the same minute needs a small fraction of one core.',
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
