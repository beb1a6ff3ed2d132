/**
 * Live group quizzes (Telegram): an organiser starts `/quizgroup <id>` in a group; questions are
 * posted one at a time as native quiz polls with a timer; members' answers are scored by
 * correctness and speed; a leaderboard follows each question and a final one ends the quiz.
 *
 * The session lives in SQLite with the time its next step is due, and `tick(now)` performs
 * due steps. A timer calls `tick` in production; tests call it with a fake clock, so nothing
 * sleeps, and a restart simply resumes at the next tick.
 *
 * Who may answer: only someone in the group the session runs in. A button answer counts only
 * when its callback came from that group's chat on the session's channel (a web chat visitor or
 * a Zalo user who types `quiz:l:…`, or a Telegram user pressing a copied button elsewhere, is
 * ignored); a poll answer only on the session's channel (Telegram reports votes only on the
 * polls it delivered to the group). Buttons name the session by a random token, not by its
 * sequential id, and each member's first answer to a question is the one that counts.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';
import {
  advanceLiveSession,
  createLiveSession,
  dueLiveSessions,
  endLiveSession,
  getLiveSession,
  liveQuestionCounts,
  liveSessionByToken,
  liveTotals,
  recordLiveAnswer,
  runningLiveSession,
  type LiveSession,
} from '../db/quiz.js';
import type { ChannelName, Reply, SendResult } from '../messages.js';
import type { Contest, ContestRegistry } from './definition.js';
import { drawQuestions, GRACE_MS, scoreAnswer, type Random } from './scoring.js';
import { quizTexts, type QuizTexts } from './texts-en.js';
import { stripControls } from '../text/controls.js';

/**
 * The texts of a session: the contest's language (a group has no one language of its own, and the
 * questions are in the contest's), Vietnamese when the contest is gone.
 */
function textsOf(contest: Contest | undefined): QuizTexts {
  return quizTexts(contest?.lang ?? 'vi');
}

/** A live reply in the contest's language (a channel that adds words writes them in it). */
function inLang(contest: Contest | undefined, reply: Reply): Reply {
  return contest?.lang === 'en' ? { ...reply, lang: 'en' } : reply;
}

/** Pause before the first question (members read the announcement). */
export const LIVE_INTRO_MS = 5000;
/** Pause between the leaderboard of one question and the next question. */
export const LIVE_PAUSE_MS = 5000;
/** Rows shown on a leaderboard in the group. */
export const LIVE_BOARD_SIZE = 10;

/** Sends a reply to a chat on a channel. */
export type SendFn = (channel: ChannelName, chatId: string, reply: Reply) => Promise<SendResult>;

/** Dependencies of {@link createLiveQuiz}. */
export interface LiveQuizDeps {
  db: Db;
  registry: ContestRegistry;
  random: Random;
  onError?: (err: unknown, session: number) => void;
}

/**
 * Where a live answer comes from. A button press names the session by its token and carries
 * the chat it was pressed in; a native poll answer names it by the poll's ref (`qg:<id>:<n>`),
 * which only Loa's own poll mapping produces, and carries no chat.
 */
export type LiveAnswerSource = { personId: number; channel: ChannelName } & (
  | { via: 'button'; token: string; chatId: string | undefined; group: boolean }
  | { via: 'poll'; sessionId: number }
);

/** The live quiz engine. */
export interface LiveQuiz {
  /** Starts a session in a chat; undefined if one is already running there. */
  start(a: { contest: Contest; channel: ChannelName; chatId: string; startedBy: string }, now: Date): LiveSession | undefined;
  /** Stops the running session in a chat; returns the final leaderboard, or null if none ran. */
  stop(channel: ChannelName, chatId: string, now: Date): Reply | null;
  /**
   * Records a member's answer to question `n`; false (and nothing stored) for an answer from
   * outside the session's group, a late answer, or a second answer by the same member.
   */
  answer(from: LiveAnswerSource, n: number, chosen: number, now: Date): boolean;
  /** Performs every due step (post the next question, close the current one), posting with `send`. */
  tick(now: Date, send: SendFn): Promise<void>;
}

/** The poll ref of question `n` of a session. */
export function liveRef(sessionId: number, n: number): string {
  return `qg:${sessionId}:${n}`;
}

/** Bytes of randomness in a session token: 96 bits, 16 base64url characters. */
const TOKEN_BYTES = 12;

/** A fresh, unguessable session token. */
function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The action of a live answer button; at most 7 + 16 + 1 + 3 + 1 + 2 = 30 bytes, far below Telegram's 64. */
export function liveAction(token: string, n: number, option: number): string {
  return `quiz:l:${token}:${n}:${option}`;
}

/** Creates the engine. */
export function createLiveQuiz(deps: LiveQuizDeps): LiveQuiz {
  const { db, registry } = deps;
  let ticking: Promise<void> | null = null;

  const board = (s: LiveSession, heading: string, Q: QuizTexts): string => {
    const rows = liveTotals(db, s.id).sort((a, b) => b.score - a.score || a.totalMs - b.totalMs || a.personId - b.personId);
    if (rows.length === 0) return `${heading}\n${Q.liveNobody}`;
    const lines: string[] = [];
    let rank = 0;
    rows.slice(0, LIVE_BOARD_SIZE).forEach((r, i) => {
      const prev = rows[i - 1];
      if (!prev || prev.score !== r.score || prev.totalMs !== r.totalMs) rank = i + 1;
      // A member's own name, posted in the group: without bidi or control characters, which
      // would reorder the lines after it ("…\u202E" reverses the rest of the board).
      lines.push(Q.liveEntry(rank, stripControls(r.name ?? '').replace(/\s+/g, ' ').trim() || Q.anonymous, r.score, r.correct));
    });
    return `${heading}\n${lines.join('\n')}`;
  };

  /**
   * A live question is always a native quiz poll, whatever `telegram_mode` says for private
   * attempts: poll answers are per member and never count against the group's message budget,
   * where a tap on a button in a busy group would. `buttons` remain for a channel without polls.
   */
  const questionReply = (s: LiveSession, contest: Contest, n: number): Reply => {
    const Q = textsOf(contest);
    const item = s.plan[n]!;
    const q = contest.questions.find((x) => x.id === item.questionId)!;
    const options = item.perm.map((i) => q.options[i]!);
    const head = `${Q.questionTitle(n + 1, s.plan.length)}: ${q.question}`.slice(0, 300);
    return inLang(contest, {
      text: head,
      buttons: options.map((o, i) => ({ label: o.length > 60 ? `${o.slice(0, 57)}…` : o, action: liveAction(s.token, n, i) })),
      poll: { ref: liveRef(s.id, n), question: head, options, correctOptionId: item.correct, openPeriod: item.timeLimit, explanation: q.explanation },
    });
  };

  const emit = async (s: LiveSession, reply: Reply, send: SendFn): Promise<void> => {
    const r = await send(s.channel, s.chatId, reply);
    if (r.kind !== 'ok') deps.onError?.(new Error(`quiz: live session ${s.id}: send failed: ${JSON.stringify(r)}`), s.id);
  };

  const step = async (s: LiveSession, now: Date, send: SendFn): Promise<void> => {
    const contest = registry.get(s.contestId);
    const Q = textsOf(contest);
    if (!contest) {
      if (endLiveSession(db, s.id, 'stopped', now)) await emit(s, { text: Q.liveStopped }, send);
      return;
    }
    if (s.phase === 'waiting') {
      const next = s.current + 1;
      if (next >= s.plan.length) {
        if (endLiveSession(db, s.id, 'done', now)) await emit(s, inLang(contest, { text: board(s, Q.liveBoardFinal, Q) }), send);
        return;
      }
      const item = s.plan[next]!;
      const due = new Date(now.getTime() + item.timeLimit * 1000 + GRACE_MS);
      if (!advanceLiveSession(db, s.id, s, { current: next, phase: 'asking', questionSentAt: now, dueAt: due })) return;
      await emit(s, questionReply(s, contest, next), send);
      return;
    }
    // Closing the current question: the answer, how many got it, the leaderboard so far.
    const item = s.plan[s.current]!;
    const q = contest.questions.find((x) => x.id === item.questionId)!;
    const last = s.current + 1 >= s.plan.length;
    const moved = advanceLiveSession(db, s.id, s, {
      current: s.current,
      phase: 'waiting',
      questionSentAt: s.questionSentAt ? new Date(s.questionSentAt) : null,
      dueAt: new Date(now.getTime() + (last ? 0 : LIVE_PAUSE_MS)),
    });
    if (!moved) return;
    const counts = liveQuestionCounts(db, s.id, s.current);
    const summary = Q.liveAnswer(s.current + 1, item.correct + 1, q.options[item.perm[item.correct]!]!, counts.correct, counts.answered);
    if (last) {
      endLiveSession(db, s.id, 'done', now);
      await emit(s, inLang(contest, { text: `${summary}\n💡 ${q.explanation}\n\n${board(s, Q.liveBoardFinal, Q)}` }), send);
    } else await emit(s, inLang(contest, { text: `${summary}\n💡 ${q.explanation}\n\n${board(s, Q.liveBoardAfter(s.current + 1, s.plan.length), Q)}` }), send);
  };

  return {
    start({ contest, channel, chatId, startedBy }, now) {
      const plan = drawQuestions(contest, deps.random);
      return createLiveSession(db, { token: newToken(), contestId: contest.id, channel, chatId, startedBy, plan, dueAt: new Date(now.getTime() + LIVE_INTRO_MS) }, now);
    },
    stop(channel, chatId, now) {
      const s = runningLiveSession(db, channel, chatId);
      if (!s || !endLiveSession(db, s.id, 'stopped', now)) return null;
      const contest = registry.get(s.contestId);
      const Q = textsOf(contest);
      return inLang(contest, { text: `${Q.liveStopped}\n\n${board(s, Q.liveBoardFinal, Q)}` });
    },
    answer(from, n, chosen, now) {
      const s = from.via === 'button' ? liveSessionByToken(db, from.token) : getLiveSession(db, from.sessionId);
      if (!s || s.channel !== from.channel) return false;
      // A button counts only when pressed in the group itself: the callback's chat is the group.
      if (from.via === 'button' && (!from.group || from.chatId !== s.chatId)) return false;
      if (!Number.isInteger(n) || s.status !== 'running' || s.phase !== 'asking' || s.current !== n || !s.questionSentAt) return false;
      const item = s.plan[n]!;
      if (!Number.isInteger(chosen) || chosen < 0 || chosen >= item.perm.length) return false;
      const contest = registry.get(s.contestId);
      if (!contest) return false;
      const scored = scoreAnswer({
        chosen,
        correct: item.correct,
        elapsedMs: now.getTime() - new Date(s.questionSentAt).getTime(),
        limitSec: item.timeLimit,
        points: contest.scoring.points,
        speedBonus: contest.scoring.speed_bonus,
      });
      return recordLiveAnswer(db, { sessionId: s.id, n, personId: from.personId, chosen, isCorrect: scored.isCorrect, points: scored.points, elapsedMs: scored.elapsedMs }, now);
    },
    async tick(now, send) {
      // One tick at a time: a slow send must not let the next tick post the same step.
      if (ticking) return ticking;
      const run = async (): Promise<void> => {
        // A step may make the session due again at once (the final leaderboard): loop a little.
        for (let round = 0; round < 3; round++) {
          const due = dueLiveSessions(db, now);
          if (due.length === 0) break;
          for (const s of due) {
            try {
              await step(s, now, send);
            } catch (err) {
              deps.onError?.(err, s.id);
            }
          }
        }
      };
      // `.finally` runs after the assignment even when `run` finishes synchronously.
      ticking = run().finally(() => {
        ticking = null;
      });
      return ticking;
    },
  };
}
