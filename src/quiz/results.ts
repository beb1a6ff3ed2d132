/**
 * Results of a contest: the leaderboard, the CSV export for prizes, and per-question statistics
 * that show organisers which topics need more communication.
 */
import type { Db } from '../db/index.js';
import { finishedAttempts, questionStats, type FinishedAttempt } from '../db/quiz.js';
import type { Contest } from './definition.js';
import { rankEntries, type Ranked } from './scoring.js';

/** The ranked leaderboard of a contest and the number of participants it was ranked against. */
export interface Leaderboard {
  participants: number;
  entries: Ranked<FinishedAttempt>[];
}

/**
 * The leaderboard now. "Actual participants" (what predictions are measured against) is the
 * number of attempts that answered every question: registrations abandoned half-way are not
 * participation.
 */
export function leaderboard(db: Db, contestId: string): Leaderboard {
  const all = finishedAttempts(db, contestId);
  return { participants: all.length, entries: rankEntries(all, all.length) };
}

/** Name shown for an entry whose registration was erased at the person's request. */
export const ERASED_NAME = '(đã xoá theo yêu cầu)';

/** CSV header, in Vietnamese for the organisers' spreadsheet. */
export const CSV_HEADER = ['Hạng', 'Họ và tên', 'Đơn vị', 'Điểm', 'Thời gian (giây)', 'Dự đoán', 'Kênh'];

/**
 * Quotes one CSV field (RFC 4180). A field a spreadsheet would run as a formula (starting with
 * = + - @) gets a leading apostrophe: names are typed by the public.
 */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n;]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The leaderboard as CSV: UTF-8 with a byte order mark (so Excel reads Vietnamese correctly),
 * CRLF line ends, one row per finished attempt.
 */
export function leaderboardCsv(board: Leaderboard): string {
  const rows = [CSV_HEADER.map(csvField).join(',')];
  for (const e of board.entries)
    rows.push(
      [e.rank, e.name ?? ERASED_NAME, e.unit ?? '', e.score, (e.totalMs / 1000).toFixed(1), e.prediction, e.channel]
        .map(csvField)
        .join(','),
    );
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}

/** Parses CSV text (RFC 4180, as written by {@link leaderboardCsv}); the BOM is dropped. Used by tests and imports. */
export function parseCsv(text: string): string[][] {
  const s = text.replace(/^\uFEFF/, '');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
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

/** Per-question statistics of a contest, hardest first. */
export function contestStats(db: Db, contest: Contest): QuestionStat[] {
  const byId = new Map(contest.questions.map((q) => [q.id, q.question]));
  return questionStats(db, contest.id)
    .map((s) => ({ ...s, question: byId.get(s.questionId) ?? `(câu ${s.questionId} không còn trong đề)`, share: s.answered ? s.correct / s.answered : 0 }))
    .sort((a, b) => a.share - b.share || a.questionId.localeCompare(b.questionId));
}
