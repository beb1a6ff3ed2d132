/**
 * Results of a contest: the leaderboard, the CSV export for prizes, and per-question statistics
 * that show organisers which topics need more communication.
 */
import type { Db } from '../db/index.js';
import { finishedAttempts, questionStats, type FinishedAttempt } from '../db/quiz.js';
import type { RegionScope } from '../db/scope.js';
import type { Contest } from './definition.js';
import { rankEntries, type Ranked } from './scoring.js';
import { toCsv } from '../text/csv.js';

/** The ranked leaderboard of a contest and the number of participants it was ranked against. */
export interface Leaderboard {
  participants: number;
  entries: Ranked<FinishedAttempt>[];
}

/**
 * The leaderboard now. "Actual participants" (what predictions are measured against) is the
 * number of attempts that answered every question: registrations abandoned half-way are not
 * participation.
 *
 * With a region `scope` (region-scoped staff), the board lists only that region's people,
 * ranked among themselves; predictions are still measured against every participant (the
 * number they predicted), so the order is the contest-wide order with the others left out.
 */
export function leaderboard(db: Db, contestId: string, scope: RegionScope = null): Leaderboard {
  const all = finishedAttempts(db, contestId);
  if (!scope) return { participants: all.length, entries: rankEntries(all, all.length) };
  const mine = finishedAttempts(db, contestId, scope);
  return { participants: mine.length, entries: rankEntries(mine, all.length) };
}

/** Name shown for an entry whose registration was erased at the person's request. */
export const ERASED_NAME = '(đã xoá theo yêu cầu)';

/** CSV header, in Vietnamese for the organisers' spreadsheet. */
export const CSV_HEADER = ['Hạng', 'Họ và tên', 'Đơn vị', 'Điểm', 'Thời gian (giây)', 'Dự đoán', 'Kênh'];

/**
 * The leaderboard as CSV (text/csv.ts): UTF-8 with a byte order mark (so Excel reads Vietnamese
 * correctly), CRLF line ends, one row per finished attempt, formulas typed into names defused.
 */
export function leaderboardCsv(board: Leaderboard): string {
  return toCsv([
    CSV_HEADER,
    ...board.entries.map((e) => [e.rank, e.name ?? ERASED_NAME, e.unit ?? '', e.score, (e.totalMs / 1000).toFixed(1), e.prediction, e.channel]),
  ]);
}

/** Per-question statistics: the share answering right, worst first. */
export interface QuestionStat {
  questionId: string;
  question: string;
  answered: number;
  correct: number;
  late: number;
  /** correct / answered, 0–1. */
  share: number;
}

/** Per-question statistics of a contest, hardest first (within a region `scope`). */
export function contestStats(db: Db, contest: Contest, scope: RegionScope = null): QuestionStat[] {
  const byId = new Map(contest.questions.map((q) => [q.id, q.question]));
  return questionStats(db, contest.id, scope)
    .map((s) => ({ ...s, question: byId.get(s.questionId) ?? `(câu ${s.questionId} không còn trong đề)`, share: s.answered ? s.correct / s.answered : 0 }))
    .sort((a, b) => a.share - b.share || a.questionId.localeCompare(b.questionId));
}
