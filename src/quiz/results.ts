/**
 * Results of a contest: the leaderboard, its export for prizes (.xlsx for Excel, CSV for other
 * programs), and per-question statistics that show organisers which topics need more
 * communication.
 */
import type { Db } from '../db/index.js';
import { countFinished, finishedAttempts, questionStats, topFinishedAttempts, type FinishedAttempt } from '../db/quiz.js';
import type { RegionScope } from '../db/scope.js';
import type { Contest } from './definition.js';
import { rankEntries, type Ranked } from './scoring.js';
import { toCsv } from '../text/csv.js';
import { toXlsx } from '../text/xlsx.js';

/** The ranked leaderboard of a contest and the number of participants it was ranked against. */
export interface Leaderboard {
  participants: number;
  /** The number predictions are measured against: everyone who finished, whatever the scope. */
  finished?: number;
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
  if (!scope) return { participants: all.length, finished: all.length, entries: rankEntries(all, all.length) };
  const mine = finishedAttempts(db, contestId, scope);
  return { participants: mine.length, finished: all.length, entries: rankEntries(mine, all.length) };
}

/**
 * The first `limit` entries of {@link leaderboard}, ranked in SQL (`topFinishedAttempts`): the
 * same ranks and order, the same counts, without loading every finished attempt. For the contest
 * page (top 100) and `loa quiz results --top N`; the exports still write every row.
 */
export function leaderboardTop(db: Db, contestId: string, limit: number, scope: RegionScope = null): Leaderboard {
  const finished = countFinished(db, contestId);
  const participants = scope ? countFinished(db, contestId, scope) : finished;
  return { participants, finished, entries: topFinishedAttempts(db, contestId, finished, limit, scope) };
}

/** Name shown for an entry whose registration was erased at the person's request. */
export const ERASED_NAME = '(đã xoá theo yêu cầu)';

/**
 * CSV header, in Vietnamese for the organisers' spreadsheet. The columns after `Kênh` say why two
 * equal scores are ranked as they are (right answers, the prediction's distance from the number
 * who finished) and how to reach a winner (the phone the consent line named for that purpose).
 */
export const CSV_HEADER = ['Hạng', 'Họ và tên', 'Đơn vị', 'Điểm', 'Thời gian (giây)', 'Dự đoán', 'Kênh', 'Số câu đúng', 'Lệch dự đoán', 'Số điện thoại'];

/**
 * A phone as `0912 345 678`: grouped the way it is read aloud, and kept as text by a spreadsheet
 * (the bare digits would be read as a number and lose their leading 0).
 */
export function shownPhone(phone: string | null): string {
  if (!phone) return '';
  return /^0\d{9}$/.test(phone) ? `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}` : phone;
}

/** One leaderboard row; `seconds` is the total time as the file writes it. */
function entryRow(e: Ranked<FinishedAttempt>, seconds: string | number): (string | number | null)[] {
  return [e.rank, e.name ?? ERASED_NAME, e.unit ?? '', e.score, seconds, e.prediction, e.channel, e.correctCount, e.distance, shownPhone(e.phone)];
}

/**
 * The leaderboard as CSV (text/csv.ts), for programs that read it: UTF-8 with a byte order
 * mark, CRLF line ends, one row per finished attempt, formulas typed into names defused. The
 * time keeps one decimal with a point ("52.0"), as it always has. Staff open the .xlsx
 * ({@link leaderboardXlsx}): Excel in Vietnamese regional settings splits a CSV on ';'.
 */
export function leaderboardCsv(board: Leaderboard): string {
  return toCsv([CSV_HEADER, ...board.entries.map((e) => entryRow(e, (e.totalMs / 1000).toFixed(1)))]);
}

/**
 * The leaderboard as an Excel workbook (text/xlsx.ts), the file organisers open: the same
 * columns as the CSV, rank, score, time (seconds, one decimal), prediction, right answers and
 * distance as number cells, names as text (a name typed as `=…` stays text).
 */
export function leaderboardXlsx(board: Leaderboard): Promise<Buffer> {
  return toXlsx({
    name: 'Kết quả',
    rows: [CSV_HEADER, ...board.entries.map((e) => entryRow(e, Math.round(e.totalMs / 100) / 10))],
    columns: [undefined, undefined, undefined, undefined, { numberFormat: '0.0' }],
  });
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
