/**
 * Quiz storage: attempts (with the drawn questions and their option shuffle), and live group
 * quiz sessions with their answers. Answers are written with conditional updates, so a
 * duplicate delivery, a double tap or a timer racing a message can never count twice.
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import { registerEraser } from './people.js';
import { personInScope, type RegionScope } from './scope.js';
import type { ChannelName } from '../messages.js';

/** Where an attempt is. */
export type AttemptStatus = 'registering' | 'answering' | 'predicting' | 'done' | 'closed' | 'cancelled';
/** Registration steps, in order. */
export type RegistrationStep = 'consent' | 'name' | 'unit' | 'phone' | 'ready';

/** An attempt as stored. */
export interface Attempt {
  id: number;
  contestId: string;
  personId: number | null;
  channel: ChannelName;
  attemptNo: number;
  status: AttemptStatus;
  step: RegistrationStep | null;
  name: string | null;
  unit: string | null;
  phone: string | null;
  consentAt: string | null;
  /** The consent line the person agreed to, as shown (null: before versioning, or no consent step). */
  consentText: string | null;
  questionCount: number;
  current: number;
  score: number;
  correctCount: number;
  totalMs: number;
  prediction: number | null;
  startedAt: string;
  finishedAt: string | null;
}

/** One drawn question of an attempt. */
export interface AttemptQuestion {
  attemptId: number;
  n: number;
  questionId: string;
  perm: number[];
  correct: number;
  timeLimit: number;
  sentAt: string | null;
  answeredAt: string | null;
  chosen: number | null;
  isCorrect: boolean | null;
  late: boolean | null;
  points: number | null;
  elapsedMs: number | null;
}

interface AttemptRow {
  id: number;
  contest_id: string;
  person_id: number | null;
  channel: ChannelName;
  attempt_no: number;
  status: AttemptStatus;
  step: RegistrationStep | null;
  name: string | null;
  unit: string | null;
  phone: string | null;
  consent_at: string | null;
  consent_text: string | null;
  question_count: number;
  current: number;
  score: number;
  correct_count: number;
  total_ms: number;
  prediction: number | null;
  started_at: string;
  finished_at: string | null;
}

interface AqRow {
  attempt_id: number;
  n: number;
  question_id: string;
  perm: string;
  correct: number;
  time_limit: number;
  sent_at: string | null;
  answered_at: string | null;
  chosen: number | null;
  is_correct: number | null;
  late: number | null;
  points: number | null;
  elapsed_ms: number | null;
}

function toAttempt(r: AttemptRow): Attempt {
  return {
    id: r.id,
    contestId: r.contest_id,
    personId: r.person_id,
    channel: r.channel,
    attemptNo: r.attempt_no,
    status: r.status,
    step: r.step,
    name: r.name,
    unit: r.unit,
    phone: r.phone,
    consentAt: r.consent_at,
    consentText: r.consent_text,
    questionCount: r.question_count,
    current: r.current,
    score: r.score,
    correctCount: r.correct_count,
    totalMs: r.total_ms,
    prediction: r.prediction,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

function toAq(r: AqRow): AttemptQuestion {
  return {
    attemptId: r.attempt_id,
    n: r.n,
    questionId: r.question_id,
    perm: JSON.parse(r.perm) as number[],
    correct: r.correct,
    timeLimit: r.time_limit,
    sentAt: r.sent_at,
    answeredAt: r.answered_at,
    chosen: r.chosen,
    isCorrect: r.is_correct === null ? null : r.is_correct === 1,
    late: r.late === null ? null : r.late === 1,
    points: r.points,
    elapsedMs: r.elapsed_ms,
  };
}

const ACTIVE = `('registering', 'answering', 'predicting')`;

/** The attempt with this id. */
export function getAttempt(db: Db, id: number): Attempt | undefined {
  const r = db.prepare('SELECT * FROM quiz_attempts WHERE id = ?').get(id) as AttemptRow | undefined;
  return r ? toAttempt(r) : undefined;
}

/** The person's unfinished attempt (registering, answering or predicting), newest first. */
export function activeAttemptOf(db: Db, personId: number): Attempt | undefined {
  const r = db
    .prepare(`SELECT * FROM quiz_attempts WHERE person_id = ? AND status IN ${ACTIVE} ORDER BY id DESC LIMIT 1`)
    .get(personId) as AttemptRow | undefined;
  return r ? toAttempt(r) : undefined;
}

/** The person's attempts at a contest that count against the limit (not cancelled). */
export function attemptsOf(db: Db, contestId: string, personId: number): Attempt[] {
  return (
    db
      .prepare(`SELECT * FROM quiz_attempts WHERE contest_id = ? AND person_id = ? AND status != 'cancelled' ORDER BY id`)
      .all(contestId, personId) as AttemptRow[]
  ).map(toAttempt);
}

/**
 * How many other attempts at the contest registered this phone: `'all'` counts every one but
 * cancelled ones and registrations left before `staleBefore` (never started, abandoned: the
 * person's next message drops them); `'started'` only those that began answering; `'answering'`
 * only those under way.
 */
export function countAttemptsWithPhone(
  db: Db,
  contestId: string,
  phone: string,
  exceptAttemptId: number,
  which: 'all' | 'started' | 'answering' = 'all',
  staleBefore?: Date,
): number {
  const cond =
    which === 'answering'
      ? `status = 'answering'`
      : which === 'started'
        ? `status NOT IN ('cancelled', 'registering')`
        : `status != 'cancelled' AND NOT (status = 'registering' AND started_at < ?)`;
  const args: unknown[] = [contestId, phone, exceptAttemptId];
  if (which === 'all') args.push(staleBefore ? nowIso(staleBefore) : '');
  const r = db.prepare(`SELECT COUNT(*) AS n FROM quiz_attempts WHERE contest_id = ? AND phone = ? AND id != ? AND ${cond}`).get(...args) as { n: number };
  return r.n;
}

/**
 * Creates an attempt numbered after the person's previous ones. The unique key (contest,
 * person, attempt number) stops two concurrent starts from both succeeding.
 */
export function createAttempt(db: Db, a: { contestId: string; personId: number; channel: ChannelName }, now: Date): Attempt {
  return db.transaction(() => {
    const prev = db
      .prepare('SELECT COALESCE(MAX(attempt_no), 0) AS n FROM quiz_attempts WHERE contest_id = ? AND person_id = ?')
      .get(a.contestId, a.personId) as { n: number };
    const res = db
      .prepare(
        `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, step, started_at)
         VALUES (?, ?, ?, ?, 'registering', 'consent', ?)`,
      )
      .run(a.contestId, a.personId, a.channel, prev.n + 1, nowIso(now));
    return getAttempt(db, Number(res.lastInsertRowid))!;
  })();
}

/** Updates registration fields and the step. */
export function updateRegistration(
  db: Db,
  id: number,
  fields: Partial<Pick<Attempt, 'name' | 'unit' | 'phone' | 'consentAt' | 'consentText' | 'step'>>,
): void {
  const cols: Record<string, string> = { name: 'name', unit: 'unit', phone: 'phone', consentAt: 'consent_at', consentText: 'consent_text', step: 'step' };
  const sets: string[] = [];
  const vals: unknown[] = [];
  for (const [k, v] of Object.entries(fields)) {
    sets.push(`${cols[k]} = ?`);
    vals.push(v ?? null);
  }
  if (sets.length) db.prepare(`UPDATE quiz_attempts SET ${sets.join(', ')} WHERE id = ?`).run(...vals, id);
}

/** Sets an attempt's status (and finish time when given). */
export function setAttemptStatus(db: Db, id: number, status: AttemptStatus, finishedAt?: Date): void {
  db.prepare('UPDATE quiz_attempts SET status = ?, finished_at = COALESCE(?, finished_at) WHERE id = ?').run(
    status,
    finishedAt ? nowIso(finishedAt) : null,
    id,
  );
}

/**
 * Stores the drawn questions and moves the attempt from registration to answering, with the
 * first question's clock started at `now`. Returns false if it had already started.
 */
export function beginAttempt(
  db: Db,
  id: number,
  drawn: { questionId: string; perm: number[]; correct: number; timeLimit: number }[],
  now: Date,
): boolean {
  return db.transaction(() => {
    const res = db
      .prepare(`UPDATE quiz_attempts SET status = 'answering', step = NULL, question_count = ?, current = 0 WHERE id = ? AND status = 'registering'`)
      .run(drawn.length, id);
    if (res.changes === 0) return false;
    const ins = db.prepare(
      'INSERT INTO quiz_attempt_questions (attempt_id, n, question_id, perm, correct, time_limit, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    drawn.forEach((d, n) => ins.run(id, n, d.questionId, JSON.stringify(d.perm), d.correct, d.timeLimit, n === 0 ? nowIso(now) : null));
    return true;
  })();
}

/** One drawn question. */
export function getAttemptQuestion(db: Db, attemptId: number, n: number): AttemptQuestion | undefined {
  const r = db.prepare('SELECT * FROM quiz_attempt_questions WHERE attempt_id = ? AND n = ?').get(attemptId, n) as AqRow | undefined;
  return r ? toAq(r) : undefined;
}

/** All drawn questions of an attempt, in order. */
export function attemptQuestions(db: Db, attemptId: number): AttemptQuestion[] {
  return (db.prepare('SELECT * FROM quiz_attempt_questions WHERE attempt_id = ? ORDER BY n').all(attemptId) as AqRow[]).map(toAq);
}

/** The outcome of one answer, as scored by the caller. */
export interface AnswerOutcome {
  chosen: number | null;
  isCorrect: boolean;
  late: boolean;
  points: number;
  elapsedMs: number;
}

/**
 * Records the answer to question `n` (or its timeout, `chosen: null`) and moves the attempt to
 * the next question, starting its clock at `now`. Returns false when the question was already
 * answered or is not the current one: the duplicate is ignored and nothing is counted twice.
 */
export function recordAttemptAnswer(db: Db, attemptId: number, n: number, o: AnswerOutcome, now: Date): boolean {
  return db.transaction(() => {
    const res = db
      .prepare(
        `UPDATE quiz_attempt_questions
         SET answered_at = ?, chosen = ?, is_correct = ?, late = ?, points = ?, elapsed_ms = ?
         WHERE attempt_id = ? AND n = ? AND answered_at IS NULL AND sent_at IS NOT NULL`,
      )
      .run(nowIso(now), o.chosen, o.isCorrect ? 1 : 0, o.late ? 1 : 0, o.points, o.elapsedMs, attemptId, n);
    if (res.changes === 0) return false;
    const moved = db
      .prepare(
        `UPDATE quiz_attempts SET score = score + ?, correct_count = correct_count + ?, total_ms = total_ms + ?, current = current + 1
         WHERE id = ? AND current = ? AND status = 'answering'`,
      )
      .run(o.points, o.isCorrect ? 1 : 0, o.elapsedMs, attemptId, n);
    if (moved.changes === 0) throw new Error(`quiz: attempt ${attemptId} is not at question ${n}`);
    db.prepare('UPDATE quiz_attempt_questions SET sent_at = ? WHERE attempt_id = ? AND n = ? AND sent_at IS NULL').run(
      nowIso(now),
      attemptId,
      n + 1,
    );
    return true;
  })();
}

/**
 * Starts question `n`'s clock when it was actually delivered (`at`, after the send queue and
 * the channel's throttle), not when it was queued: the person's time counts from when they could
 * see it. Only moves the start later, and only while the question is unanswered. Returns
 * whether it moved.
 */
export function startQuestionClockAt(db: Db, attemptId: number, n: number, at: Date): boolean {
  const res = db
    .prepare(
      `UPDATE quiz_attempt_questions SET sent_at = ?
       WHERE attempt_id = ? AND n = ? AND answered_at IS NULL AND sent_at IS NOT NULL AND sent_at < ?`,
    )
    .run(nowIso(at), attemptId, n, nowIso(at));
  return res.changes === 1;
}

/** Records the tie-break prediction (once) and marks the attempt done. */
export function recordPrediction(db: Db, attemptId: number, prediction: number): boolean {
  const res = db
    .prepare(`UPDATE quiz_attempts SET prediction = ?, status = 'done' WHERE id = ? AND status = 'predicting'`)
    .run(prediction, attemptId);
  return res.changes === 1;
}

/** A finished attempt as the leaderboard sees it. */
export interface FinishedAttempt {
  attemptId: number;
  personId: number | null;
  name: string | null;
  unit: string | null;
  /** The phone given at registration (0xxxxxxxxx), for contacting prize winners; null if none or erased. */
  phone: string | null;
  channel: ChannelName;
  score: number;
  correctCount: number;
  questionCount: number;
  totalMs: number;
  prediction: number | null;
  finishedAt: string;
}

interface FinishedRow {
  id: number;
  person_id: number | null;
  name: string | null;
  unit: string | null;
  phone: string | null;
  channel: ChannelName;
  score: number;
  correct_count: number;
  question_count: number;
  total_ms: number;
  prediction: number | null;
  finished_at: string;
}

const FINISHED_COLUMNS = 'id, person_id, name, unit, phone, channel, score, correct_count, question_count, total_ms, prediction, finished_at';

function toFinished(r: FinishedRow): FinishedAttempt {
  return {
    attemptId: r.id,
    personId: r.person_id,
    name: r.name,
    unit: r.unit,
    phone: r.phone,
    channel: r.channel,
    score: r.score,
    correctCount: r.correct_count,
    questionCount: r.question_count,
    totalMs: r.total_ms,
    prediction: r.prediction,
    finishedAt: r.finished_at,
  };
}

/**
 * Attempts that answered every question (done, or still giving their prediction), in the order
 * they were made; with a region `scope`, only those of people in it (region-scoped staff).
 */
export function finishedAttempts(db: Db, contestId: string, scope: RegionScope = null): FinishedAttempt[] {
  const s = personInScope('person_id', scope);
  return (
    db
      .prepare(
        `SELECT ${FINISHED_COLUMNS}
         FROM quiz_attempts WHERE contest_id = ? AND status IN ('done', 'predicting') AND finished_at IS NOT NULL AND ${s.sql}
         ORDER BY id`,
      )
      .all(contestId, ...s.args) as FinishedRow[]
  ).map(toFinished);
}

/** How many attempts at the contest answered every question (within a region `scope`). */
export function countFinished(db: Db, contestId: string, scope: RegionScope = null): number {
  const s = personInScope('person_id', scope);
  const r = db
    .prepare(`SELECT COUNT(*) AS n FROM quiz_attempts WHERE contest_id = ? AND status IN ('done', 'predicting') AND finished_at IS NOT NULL AND ${s.sql}`)
    .get(contestId, ...s.args) as { n: number };
  return r.n;
}

/**
 * The first `limit` finished attempts in leaderboard order: score (high first), then
 * |prediction − `actual`| (closest first, no prediction last), then total time (fastest first);
 * full ties share a rank (1, 2, 2, 4) and are shown earliest finish first, then by attempt id.
 * The same order and ranks as `rankEntries` over every finished attempt, but SQLite sorts with a
 * bounded top-N sorter and only `limit` rows leave the database: a contest page at a year's data
 * (thousands of attempts) no longer builds and sorts them all in JavaScript to show the top 100.
 * Ranks need nothing outside the prefix: everyone strictly ahead of an entry is before it. With
 * a region `scope`, ranked among that region's people, distances still measured against `actual`.
 */
export function topFinishedAttempts(
  db: Db,
  contestId: string,
  actual: number,
  limit: number,
  scope: RegionScope = null,
): (FinishedAttempt & { rank: number; distance: number | null })[] {
  const s = personInScope('person_id', scope);
  const rows = db
    .prepare(
      `SELECT ${FINISHED_COLUMNS}, ABS(prediction - ?) AS distance
       FROM quiz_attempts
       WHERE contest_id = ? AND status IN ('done', 'predicting') AND finished_at IS NOT NULL AND ${s.sql}
       ORDER BY score DESC, prediction IS NULL, distance, total_ms, finished_at, id
       LIMIT ?`,
    )
    .all(actual, contestId, ...s.args, limit) as (FinishedRow & { distance: number | null })[];
  const out: (FinishedAttempt & { rank: number; distance: number | null })[] = [];
  rows.forEach((r, i) => {
    const prev = out[i - 1];
    const tied = prev && prev.score === r.score && prev.distance === r.distance && prev.totalMs === r.total_ms;
    out.push({ ...toFinished(r), rank: tied ? prev.rank : i + 1, distance: r.distance });
  });
  return out;
}

/**
 * The rank of one finished attempt among the contest's finished attempts, in leaderboard order
 * (score desc, |prediction − participants| asc with no prediction last, total time asc), without
 * loading the whole leaderboard: it runs at the end of every attempt, so it stays two indexed
 * counts even with tens of thousands of participants. Full ties share a rank.
 */
export function rankOfAttempt(db: Db, contestId: string, attemptId: number): { rank: number; participants: number } | undefined {
  const FINISHED = `contest_id = ? AND status IN ('done', 'predicting') AND finished_at IS NOT NULL`;
  const me = db.prepare(`SELECT score, prediction, total_ms FROM quiz_attempts WHERE id = ? AND ${FINISHED}`).get(attemptId, contestId) as
    | { score: number; prediction: number | null; total_ms: number }
    | undefined;
  if (!me) return undefined;
  const { n } = db.prepare(`SELECT COUNT(*) AS n FROM quiz_attempts WHERE ${FINISHED}`).get(contestId) as { n: number };
  const d = me.prediction === null ? null : Math.abs(me.prediction - n);
  // A prediction's distance, with "no prediction" as a distance larger than any real one.
  const dist = `COALESCE(ABS(prediction - :n), 9e18)`;
  const { ahead } = db
    .prepare(
      `SELECT COUNT(*) AS ahead FROM quiz_attempts WHERE ${FINISHED.replace('?', ':contest')}
       AND (score > :score OR (score = :score AND (${dist} < :d OR (${dist} = :d AND total_ms < :t))))`,
    )
    .get({ contest: contestId, score: me.score, n, d: d ?? 9e18, t: me.total_ms }) as { ahead: number };
  return { rank: ahead + 1, participants: n };
}

/** Per-question figures of a contest: how many answered, how many right, how many ran late (within a region `scope`). */
export function questionStats(db: Db, contestId: string, scope: RegionScope = null): { questionId: string; answered: number; correct: number; late: number }[] {
  const s = personInScope('a.person_id', scope);
  return (
    db
      .prepare(
        `SELECT q.question_id AS questionId, COUNT(*) AS answered, SUM(q.is_correct) AS correct, SUM(q.late) AS late
         FROM quiz_attempt_questions q JOIN quiz_attempts a ON a.id = q.attempt_id
         WHERE a.contest_id = ? AND q.answered_at IS NOT NULL AND ${s.sql}
         GROUP BY q.question_id ORDER BY q.question_id`,
      )
      .all(contestId, ...s.args) as { questionId: string; answered: number; correct: number | null; late: number | null }[]
  ).map((r) => ({ questionId: r.questionId, answered: r.answered, correct: r.correct ?? 0, late: r.late ?? 0 }));
}

/** Counts of a contest's attempts by status (within a region `scope`). */
export function attemptCounts(db: Db, contestId: string, scope: RegionScope = null): Record<AttemptStatus, number> {
  const out: Record<AttemptStatus, number> = { registering: 0, answering: 0, predicting: 0, done: 0, closed: 0, cancelled: 0 };
  const s = personInScope('person_id', scope);
  for (const r of db.prepare(`SELECT status, COUNT(*) AS n FROM quiz_attempts WHERE contest_id = ? AND ${s.sql} GROUP BY status`).all(contestId, ...s.args) as {
    status: AttemptStatus;
    n: number;
  }[])
    out[r.status] = r.n;
  return out;
}

/** Attempts whose current question's time ran out before `cutoff` (ISO), on the given channels. */
export function attemptsTimedOut(db: Db, channels: ChannelName[], before: Date): { attempt: Attempt; externalId: string }[] {
  if (channels.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT a.*, p.external_id AS ext FROM quiz_attempts a
       JOIN quiz_attempt_questions q ON q.attempt_id = a.id AND q.n = a.current
       JOIN people p ON p.id = a.person_id
       WHERE a.status = 'answering' AND q.answered_at IS NULL AND q.sent_at IS NOT NULL
         AND a.channel IN (${channels.map(() => '?').join(', ')})
         AND julianday(q.sent_at) * 86400000 + q.time_limit * 1000 < julianday(?) * 86400000`,
    )
    .all(...channels, nowIso(before)) as (AttemptRow & { ext: string })[];
  return rows.map((r) => ({ attempt: toAttempt(r), externalId: r.ext }));
}

/**
 * Hands an attempt in before its last question (the person chose "Dừng và nộp bài"): the
 * question on screen, if unanswered, is recorded as unanswered like a timeout; the questions
 * never shown stay unrecorded (per-question statistics count only questions people saw), and
 * every unanswered question costs its whole time limit, as running out would. Moves `current`
 * past the last question; the caller then finishes the attempt. False if it was not answering.
 */
export function submitAttemptEarly(db: Db, id: number, now: Date): boolean {
  return db.transaction(() => {
    const a = db.prepare(`SELECT current, question_count FROM quiz_attempts WHERE id = ? AND status = 'answering'`).get(id) as
      | { current: number; question_count: number }
      | undefined;
    if (!a) return false;
    db.prepare(
      `UPDATE quiz_attempt_questions SET answered_at = ?, chosen = NULL, is_correct = 0, late = 1, points = 0, elapsed_ms = time_limit * 1000
       WHERE attempt_id = ? AND n = ? AND answered_at IS NULL AND sent_at IS NOT NULL`,
    ).run(nowIso(now), id, a.current);
    const { ms } = db
      .prepare('SELECT COALESCE(SUM(time_limit), 0) * 1000 AS ms FROM quiz_attempt_questions WHERE attempt_id = ? AND n >= ? AND (chosen IS NULL)')
      .get(id, a.current) as { ms: number };
    db.prepare(`UPDATE quiz_attempts SET total_ms = total_ms + ?, current = question_count WHERE id = ? AND current = ? AND status = 'answering'`).run(ms, id, a.current);
    return true;
  })();
}

/** Marks the attempt finished after its last answer: `predicting` when a prediction is asked, else `done`. */
export function finishAttempt(db: Db, id: number, withPrediction: boolean, now: Date): void {
  db.prepare(`UPDATE quiz_attempts SET status = ?, finished_at = ? WHERE id = ? AND status = 'answering'`).run(
    withPrediction ? 'predicting' : 'done',
    nowIso(now),
    id,
  );
}

// ---------------------------------------------------------------------------------------------
// Live group quizzes

/** One step of a live quiz's plan: which question, in which option order. */
export interface LivePlanItem {
  questionId: string;
  perm: number[];
  correct: number;
  timeLimit: number;
}

/** A live quiz session as stored. */
export interface LiveSession {
  id: number;
  /**
   * A random reference for the session's buttons (`quiz:l:<token>:…`): the id is sequential and
   * would let anyone name a running session; the token cannot be guessed.
   */
  token: string;
  contestId: string;
  channel: ChannelName;
  chatId: string;
  startedBy: string;
  status: 'running' | 'done' | 'stopped';
  plan: LivePlanItem[];
  current: number;
  phase: 'waiting' | 'asking';
  questionSentAt: string | null;
  dueAt: string;
  startedAt: string;
  finishedAt: string | null;
}

interface LiveRow {
  id: number;
  token: string;
  contest_id: string;
  channel: ChannelName;
  chat_id: string;
  started_by: string;
  status: LiveSession['status'];
  plan: string;
  current: number;
  phase: LiveSession['phase'];
  question_sent_at: string | null;
  due_at: string;
  started_at: string;
  finished_at: string | null;
}

function toLive(r: LiveRow): LiveSession {
  return {
    id: r.id,
    token: r.token,
    contestId: r.contest_id,
    channel: r.channel,
    chatId: r.chat_id,
    startedBy: r.started_by,
    status: r.status,
    plan: JSON.parse(r.plan) as LivePlanItem[],
    current: r.current,
    phase: r.phase,
    questionSentAt: r.question_sent_at,
    dueAt: r.due_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** Starts a live session; returns undefined when one already runs in that chat. */
export function createLiveSession(
  db: Db,
  s: { token: string; contestId: string; channel: ChannelName; chatId: string; startedBy: string; plan: LivePlanItem[]; dueAt: Date },
  now: Date,
): LiveSession | undefined {
  try {
    const res = db
      .prepare(
        `INSERT INTO quiz_live_sessions (token, contest_id, channel, chat_id, started_by, status, plan, current, phase, due_at, started_at)
         VALUES (?, ?, ?, ?, ?, 'running', ?, -1, 'waiting', ?, ?)`,
      )
      .run(s.token, s.contestId, s.channel, s.chatId, s.startedBy, JSON.stringify(s.plan), nowIso(s.dueAt), nowIso(now));
    return getLiveSession(db, Number(res.lastInsertRowid));
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return undefined;
    throw err;
  }
}

/** The session with this id. */
export function getLiveSession(db: Db, id: number): LiveSession | undefined {
  const r = db.prepare('SELECT * FROM quiz_live_sessions WHERE id = ?').get(id) as LiveRow | undefined;
  return r ? toLive(r) : undefined;
}

/** The session whose buttons carry this token. */
export function liveSessionByToken(db: Db, token: string): LiveSession | undefined {
  const r = db.prepare('SELECT * FROM quiz_live_sessions WHERE token = ?').get(token) as LiveRow | undefined;
  return r ? toLive(r) : undefined;
}

/** The running session in a chat. */
export function runningLiveSession(db: Db, channel: ChannelName, chatId: string): LiveSession | undefined {
  const r = db
    .prepare(`SELECT * FROM quiz_live_sessions WHERE channel = ? AND chat_id = ? AND status = 'running'`)
    .get(channel, chatId) as LiveRow | undefined;
  return r ? toLive(r) : undefined;
}

/** Running sessions whose next step is due at `now`. */
export function dueLiveSessions(db: Db, now: Date): LiveSession[] {
  return (
    db
      .prepare(`SELECT * FROM quiz_live_sessions WHERE status = 'running' AND due_at <= ? ORDER BY due_at`)
      .all(nowIso(now)) as LiveRow[]
  ).map(toLive);
}

/**
 * Moves a session from one state to the next, only if it is still in the state the caller saw
 * (`current`, `phase`): two timers firing together cannot post the same question twice.
 */
export function advanceLiveSession(
  db: Db,
  id: number,
  from: { current: number; phase: LiveSession['phase'] },
  to: { current: number; phase: LiveSession['phase']; questionSentAt: Date | null; dueAt: Date },
): boolean {
  const res = db
    .prepare(
      `UPDATE quiz_live_sessions SET current = ?, phase = ?, question_sent_at = ?, due_at = ?
       WHERE id = ? AND status = 'running' AND current = ? AND phase = ?`,
    )
    .run(to.current, to.phase, to.questionSentAt ? nowIso(to.questionSentAt) : null, nowIso(to.dueAt), id, from.current, from.phase);
  return res.changes === 1;
}

/** Ends a session (done or stopped). Returns false if it was not running. */
export function endLiveSession(db: Db, id: number, status: 'done' | 'stopped', now: Date): boolean {
  const res = db
    .prepare(`UPDATE quiz_live_sessions SET status = ?, finished_at = ? WHERE id = ? AND status = 'running'`)
    .run(status, nowIso(now), id);
  return res.changes === 1;
}

/** Records one member's answer to question `n`; false for a second answer (ignored). */
export function recordLiveAnswer(
  db: Db,
  a: { sessionId: number; n: number; personId: number; chosen: number; isCorrect: boolean; points: number; elapsedMs: number },
  now: Date,
): boolean {
  const res = db
    .prepare(
      `INSERT INTO quiz_live_answers (session_id, n, person_id, chosen, is_correct, points, elapsed_ms, answered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    .run(a.sessionId, a.n, a.personId, a.chosen, a.isCorrect ? 1 : 0, a.points, a.elapsedMs, nowIso(now));
  return res.changes === 1;
}

/** Totals per member of a live session, with their display names. */
export function liveTotals(db: Db, sessionId: number): { personId: number; name: string | null; score: number; correct: number; totalMs: number; answered: number }[] {
  return (
    db
      .prepare(
        `SELECT a.person_id AS personId, p.display_name AS name, SUM(a.points) AS score, SUM(a.is_correct) AS correct,
                SUM(a.elapsed_ms) AS totalMs, COUNT(*) AS answered
         FROM quiz_live_answers a LEFT JOIN people p ON p.id = a.person_id
         WHERE a.session_id = ? GROUP BY a.person_id`,
      )
      .all(sessionId) as { personId: number; name: string | null; score: number; correct: number; totalMs: number; answered: number }[]
  );
}

/** How many members answered question `n`, and how many of them right. */
export function liveQuestionCounts(db: Db, sessionId: number, n: number): { answered: number; correct: number } {
  const r = db
    .prepare('SELECT COUNT(*) AS answered, COALESCE(SUM(is_correct), 0) AS correct FROM quiz_live_answers WHERE session_id = ? AND n = ?')
    .get(sessionId, n) as { answered: number; correct: number };
  return r;
}

// Registration data is personal: /xoadulieu erases it, keeping anonymous scores and timings so
// per-question statistics stay right. Unfinished attempts end: the identity behind them is gone.
registerEraser((db, personId) => {
  db.prepare('UPDATE quiz_attempts SET name = NULL, unit = NULL, phone = NULL WHERE person_id = ?').run(personId);
  db.prepare(`UPDATE quiz_attempts SET status = 'cancelled' WHERE person_id = ? AND status = 'registering'`).run(personId);
  db.prepare(`UPDATE quiz_attempts SET status = 'closed' WHERE person_id = ? AND status = 'answering'`).run(personId);
  db.prepare(`UPDATE quiz_attempts SET status = 'done' WHERE person_id = ? AND status = 'predicting'`).run(personId);
});
