/**
 * The contest page's top 100 (and `loa quiz results --top N`) ranked in SQL agree with the old
 * ranking, every finished attempt ranked in JavaScript (rankEntries) and sliced: the same
 * entries, ranks, distances and order, with and without a region scope, ties, missing
 * predictions and unfinished attempts included.
 */
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { finishedAttempts } from '../../src/db/quiz.js';
import type { RegionScope } from '../../src/db/scope.js';
import { leaderboardTop } from '../../src/quiz/results.js';
import { rankEntries } from '../../src/quiz/scoring.js';
import { seeded } from './support.js';

/** The ranking the contest page used until now: all finished attempts, ranked in JS, then sliced. */
function oldTop(db: Db, contestId: string, limit: number, scope: RegionScope) {
  const all = finishedAttempts(db, contestId);
  const mine = scope ? finishedAttempts(db, contestId, scope) : all;
  const entries = rankEntries(mine, all.length).slice(0, limit);
  return { participants: mine.length, finished: all.length, entries };
}

function fill(db: Db, n: number, seed: number): void {
  const rnd = seeded(seed);
  const regions = ['xa-a', 'xa-b', 'xa-c', null];
  const person = db.prepare(`INSERT INTO people (channel, external_id, region, created_at) VALUES ('web', ?, ?, '2026-11-01T00:00:00Z')`);
  const ins = db.prepare(
    `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, name, question_count, current, score, correct_count, total_ms, prediction, started_at, finished_at)
     VALUES (?, ?, 'web', 1, ?, ?, 10, 10, ?, ?, ?, ?, '2026-11-23T03:00:00Z', ?)`,
  );
  for (let i = 0; i < n; i++) {
    const pid = Number(person.run(`u${seed}-${i}`, regions[Math.floor(rnd() * regions.length)]).lastInsertRowid);
    const r = rnd();
    const status = r < 0.06 ? 'answering' : r < 0.1 ? 'cancelled' : r < 0.12 ? 'closed' : r < 0.3 ? 'predicting' : 'done';
    // Few distinct values, so ties on score, distance and time (and on finish time) all happen.
    const score = Math.floor(rnd() * 5) * 10;
    const prediction = rnd() < 0.25 ? null : Math.floor(n * 0.8) + Math.floor(rnd() * 30);
    const totalMs = 1000 * (1 + Math.floor(rnd() * 4));
    const finished = status === 'answering' || status === 'cancelled' ? null : `2026-11-23T03:0${Math.floor(rnd() * 3)}:00.000Z`;
    ins.run(rnd() < 0.9 ? 'c' : 'other', pid, status, `Người ${i}`, score, score / 10, totalMs, prediction, finished);
  }
}

describe('contest leaderboard top N in SQL', () => {
  it('gives the same entries, ranks and order as ranking every attempt', () => {
    const db = openDb(':memory:');
    fill(db, 1500, 7);
    for (const scope of [null, ['xa-a'], ['xa-b', 'xa-c']] as RegionScope[])
      for (const limit of [1, 3, 20, 100, 5000]) {
        const want = oldTop(db, 'c', limit, scope);
        const got = leaderboardTop(db, 'c', limit, scope);
        expect(got.participants).toBe(want.participants);
        expect(got.finished).toBe(want.finished);
        expect(got.entries).toEqual(want.entries);
      }
    // The comparison is not vacuous: shared ranks and missing predictions are in the top 100.
    const top = leaderboardTop(db, 'c', 100).entries;
    expect(top.length).toBe(100);
    expect(new Set(top.map((e) => e.rank)).size).toBeLessThan(100);
    expect(leaderboardTop(db, 'c', 5000).entries.some((e) => e.distance === null)).toBe(true);
    db.close();
  });

  it('ranks an empty contest as empty', () => {
    const db = openDb(':memory:');
    expect(leaderboardTop(db, 'c', 100)).toEqual({ participants: 0, finished: 0, entries: [] });
    db.close();
  });
});
