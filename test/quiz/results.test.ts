/** The SQL rank of one attempt agrees with the full leaderboard, ties and missing predictions included. */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { rankOfAttempt } from '../../src/db/quiz.js';
import { leaderboard } from '../../src/quiz/results.js';
import { seeded } from './support.js';

describe('rank so far', () => {
  it('matches the leaderboard for every attempt', () => {
    const db = openDb(':memory:');
    const rnd = seeded(42);
    const ins = db.prepare(
      `INSERT INTO quiz_attempts (contest_id, channel, attempt_no, status, question_count, current, score, correct_count, total_ms, prediction, started_at, finished_at)
       VALUES (?, 'web', 1, ?, 10, 10, ?, 0, ?, ?, '2026-11-23T03:00:00Z', ?)`,
    );
    for (let i = 0; i < 300; i++) {
      const status = i % 17 === 0 ? 'answering' : i % 5 === 0 ? 'predicting' : 'done';
      // Few distinct values, so ties on score, distance and time all happen.
      const prediction = rnd() < 0.2 ? null : 270 + Math.floor(rnd() * 20);
      ins.run('c', status, Math.floor(rnd() * 4) * 10, 1000 * (1 + Math.floor(rnd() * 3)), prediction, status === 'answering' ? null : '2026-11-23T03:05:00Z');
    }
    ins.run('other', 'done', 100, 1, 1, '2026-11-23T03:05:00Z');
    const board = leaderboard(db, 'c');
    expect(board.participants).toBe(300 - 18);
    for (const e of board.entries) expect(rankOfAttempt(db, 'c', e.attemptId)).toEqual({ rank: e.rank, participants: board.participants });
    expect(rankOfAttempt(db, 'c', 1)).toBeUndefined(); // attempt 1 (i = 0) is still answering
    db.close();
  });
});
