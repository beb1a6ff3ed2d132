/**
 * The pure parts of a contest: drawing and shuffling questions, scoring one answer, and the
 * leaderboard order. No storage, no clock: callers pass times in, so these are easy to test.
 */
import { randomInt } from 'node:crypto';
import { timeLimit, type Contest } from './definition.js';

/** A source of randomness in [0, 1). Tests pass a seeded one. */
export type Random = () => number;

/** Unpredictable randomness: participants must not be able to guess the option order. */
export const secureRandom: Random = () => randomInt(0, 2 ** 32) / 2 ** 32;

/**
 * Extra time allowed after a question's limit before an answer counts as late. It covers the
 * delivery of the question to the phone and of the answer back to us, which the participant
 * does not control; Telegram closes its own poll at the limit anyway.
 */
export const GRACE_MS = 1500;

/** A Fisher–Yates shuffle of 0..n-1. */
export function permutation(n: number, random: Random): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** One drawn question: which one, the shown order of its options (shown -> file index), the right shown option. */
export interface Drawn {
  questionId: string;
  perm: number[];
  correct: number;
  timeLimit: number;
}

/** Draws the questions of one attempt (or one live quiz) as the contest says. */
export function drawQuestions(contest: Contest, random: Random): Drawn[] {
  const order = contest.shuffle_questions
    ? permutation(contest.questions.length, random)
    : contest.questions.map((_, i) => i);
  return order.slice(0, contest.draw).map((i) => {
    const q = contest.questions[i]!;
    const perm = contest.shuffle_options ? permutation(q.options.length, random) : q.options.map((_, k) => k);
    return { questionId: q.id, perm, correct: perm.indexOf(q.correct - 1), timeLimit: timeLimit(contest, q) };
  });
}

/** How one answer scores. */
export interface Scored {
  isCorrect: boolean;
  late: boolean;
  points: number;
  /** Time taken, capped at the limit (a late or missing answer costs the whole limit). */
  elapsedMs: number;
}

/**
 * Scores an answer given `elapsedMs` after the question was shown. `chosen` null means time
 * ran out with no answer. A late answer is wrong. A right answer earns the contest's points plus
 * a speed bonus falling linearly from the whole bonus (instant) to 0 (at the limit).
 *
 * @example scoreAnswer({ chosen: 1, correct: 1, elapsedMs: 5000, limitSec: 20, points: 10, speedBonus: 4 })
 * // { isCorrect: true, late: false, points: 13, elapsedMs: 5000 }
 */
export function scoreAnswer(a: {
  chosen: number | null;
  correct: number;
  elapsedMs: number;
  limitSec: number;
  points: number;
  speedBonus: number;
  graceMs?: number;
}): Scored {
  const limitMs = a.limitSec * 1000;
  const elapsed = Math.max(0, a.elapsedMs);
  const late = a.chosen === null || elapsed > limitMs + (a.graceMs ?? GRACE_MS);
  const isCorrect = !late && a.chosen === a.correct;
  const bonus = isCorrect ? Math.round((a.speedBonus * Math.max(0, limitMs - elapsed)) / limitMs) : 0;
  return { isCorrect, late, points: isCorrect ? a.points + bonus : 0, elapsedMs: Math.min(elapsed, limitMs) };
}

/** What the leaderboard needs of an entry. */
export interface Rankable {
  score: number;
  prediction: number | null;
  totalMs: number;
  /** Final, deterministic tie-break for display order only (earlier first); does not split a rank. */
  finishedAt?: string;
}

/** An entry with its rank and the distance of its prediction. */
export type Ranked<T> = T & { rank: number; distance: number | null };

/**
 * Orders entries: score (high first), then |prediction − actual participants| (closer first; no
 * prediction last), then total time (faster first). Entries equal on all three share a rank
 * (1, 2, 2, 4).
 */
export function rankEntries<T extends Rankable>(entries: T[], actualParticipants: number): Ranked<T>[] {
  const withD = entries.map((e) => ({ ...e, distance: e.prediction === null ? null : Math.abs(e.prediction - actualParticipants) }));
  const key = (a: (typeof withD)[number], b: (typeof withD)[number]): number =>
    b.score - a.score ||
    (a.distance ?? Number.POSITIVE_INFINITY) - (b.distance ?? Number.POSITIVE_INFINITY) ||
    a.totalMs - b.totalMs;
  withD.sort((a, b) => key(a, b) || (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''));
  const out: Ranked<T>[] = [];
  withD.forEach((e, i) => {
    const prev = out[i - 1];
    const rank = prev && key(prev as never, e) === 0 ? prev.rank : i + 1;
    out.push({ ...e, rank });
  });
  return out;
}

/** Formats a duration in English: `2 minutes 13 seconds`, `8.4 seconds`, `1 minute`. */
export function enDuration(ms: number): string {
  const s = ms / 1000;
  const unit = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
  if (s < 60) {
    const shown = s.toFixed(1).replace(/\.0$/, '');
    return `${shown} ${shown === '1' ? 'second' : 'seconds'}`;
  }
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest ? `${unit(m, 'minute')} ${unit(rest, 'second')}` : unit(m, 'minute');
}

/** Formats a duration the Vietnamese way: `2 phút 13 giây`, `8,4 giây`. */
export function viDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1).replace('.', ',').replace(/,0$/, '')} giây`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest ? `${m} phút ${rest} giây` : `${m} phút`;
}
