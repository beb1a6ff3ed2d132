/**
 * The quiz conversation feature: `/thi` (self-paced contest attempts in a private chat, on
 * every channel), `/quizgroup` and `/quizstop` (live group quizzes on Telegram), button actions
 * under the `quiz:` prefix, numbered text answers and native quiz poll answers.
 *
 * Actions (all ASCII, far below Telegram's 64-byte callback_data):
 * - `quiz:c:<contest>` choose a contest;
 * - `quiz:y:<attempt>` / `quiz:n:<attempt>` consent yes / no; `quiz:s:<attempt>` skip the phone;
 * - `quiz:k:<attempt>` keep a name typed without diacritics; `quiz:g:<attempt>` start answering; `quiz:x:<attempt>` cancel the registration;
 * - `quiz:a:<attempt>:<n>:<option>` answer question n (0-based) with the shown option (0-based);
 * - `quiz:q:<attempt>` stop and hand the attempt in now (offered after a stop word, see `stopAsk`);
 * - `quiz:l:<token>:<n>:<option>` a member's answer in a live group quiz (buttons mode); the
 *   token is the session's random reference, and only a press in the session's group counts.
 * Native poll refs: `qa:<attempt>:<n>` (attempt) and `qg:<session>:<n>` (live quiz).
 *
 * The server owns the clock: a question's time starts when it is delivered (the sender's
 * `delivered` event; until then, from when it was queued) and an answer after
 * the limit is wrong. All state is in SQLite, so a restart resumes an attempt at the next
 * message (a question whose time ran out meanwhile counts as unanswered).
 */
import { isCancelWord } from '../conversation/cancel-words.js';
import { CHANNEL_NAMES, type Capabilities, type ChannelName, type Reply, type SendResult } from '../messages.js';
import type { Feature, TurnContext } from '../conversation/types.js';
import type { Db } from '../db/index.js';
import { getPerson, personIdByExternal, setPendingChoices } from '../db/people.js';
import type { Delivered, Sender } from '../sender/sender.js';
import {
  activeAttemptOf,
  attemptsOf,
  attemptsTimedOut,
  beginAttempt,
  countAttemptsWithPhone,
  createAttempt,
  finishAttempt,
  getAttempt,
  getAttemptQuestion,
  rankOfAttempt,
  recordAttemptAnswer,
  recordPrediction,
  setAttemptStatus,
  submitAttemptEarly,
  startQuestionClockAt,
  updateRegistration,
  type Attempt,
  type AttemptQuestion,
} from '../db/quiz.js';
import { fold, foldedCanonical, hasWords } from '../text/vietnamese.js';
import { createContestRegistry, isOpen, timeLimit, type Contest, type ContestRegistry } from './definition.js';
import { createLiveQuiz, type LiveQuiz } from './live.js';
import { drawQuestions, GRACE_MS, scoreAnswer, secureRandom, type Random } from './scoring.js';
import { Q } from './texts.js';
import { quizTexts, quizTextsOf, type QuizTexts } from './texts-en.js';
import { speaksPersonLang } from '../conversation/person-lang.js';
import { repeatingFailureLog } from '../logger.js';

/** Options of {@link createQuizFeature}. */
export interface QuizFeatureOptions {
  /** The content directory holding `quizzes/*.yaml`. */
  contentDir?: string;
  /** A ready registry instead of `contentDir` (tests). */
  registry?: ContestRegistry;
  /** Randomness for drawing and shuffling (tests pass a seeded one). */
  random?: Random;
  /** Who may run live group quizzes; default: `config.bot.telegram.quiz_organizers`. */
  isOrganiser?: (ctx: TurnContext) => boolean;
}

/** What the quiz's due work sends with: the one sender in the app (see {@link installQuiz}). */
export interface QuizIO {
  db: Db;
  send: (channel: ChannelName, to: string, reply: Reply) => Promise<SendResult>;
  caps: (channel: ChannelName) => Capabilities | undefined;
  onError?: (err: unknown) => void;
}

/** The quiz feature, plus what `installQuiz` needs to run timers and push messages. */
export interface QuizFeature extends Feature {
  name: 'quiz';
  registry: ContestRegistry;
  live: LiveQuiz;
  /**
   * Performs due work with `io` (how to send to a chat, what a channel can render): live quiz
   * steps, and pushing the next question when a private question timed out (push channels).
   */
  tick(now: Date, io: QuizIO): Promise<void>;
  /**
   * Starts an attempt for someone whose registration is already known (an official invited to a
   * training: name and unit come from the office's list, the purpose was stated in the
   * invitation), straight to the first question. Works for contests not `listed` too. Returns the
   * replies, and the attempt when one was started; an attempt already under way is resumed instead.
   */
  startFor(ctx: TurnContext, contestId: string, registration: { name: string; unit: string | null }): { replies: Reply[]; attempt?: Attempt };
  /**
   * Adds a step run when an attempt's last question is answered (or timed out), before the usual
   * end. When it returns replies, they replace the usual score, rank and prediction lines (a
   * training's test says passed or not instead). At most one finisher claims an attempt.
   */
  onFinish(fn: (db: Db, contest: Contest, attempt: Attempt, now: Date) => Reply[] | null): void;
}

const NUMBER = /^\s*(\d{1,2})\s*[.)]?\s*$/;

/** What a person types, folded, to mean the "Bắt đầu làm bài" button at the end of registration. */
const START_WORDS = new Set(['bat dau', 'bat dau lam bai', 'bat dau thi', 'lam bai', 'san sang', 'start', 'begin', 'ready', 'go']);

/**
 * What a person types, folded, to stop an attempt mid-answering: asked to confirm first (the
 * question stays on screen and its clock runs), never taken as a stop on its own. Before, these
 * showed the question again with no word on how to stop. "Bỏ qua" is not among them: under a
 * question it means this question, not the contest.
 */
const STOP_WORDS = new Set([
  'huy', 'huy bo', 'huy bai', 'huy bai thi', 'huy thi', 'huy dang ky', 'thoi', 'thoi khong thi nua', 'thoi khong lam nua', 'thoi dung',
  'dung', 'dung lai', 'dung thi', 'dung bai thi', 'dung lam bai', 'dung cuoc thi', 'khong thi nua', 'khong lam nua', 'khong thi', 'thoat', 'thoat ra',
  'thoat thi', 'bo thi', 'bo cuoc', 'nghi', 'nghi thi', 'nop bai', 'ket thuc', 'ket thuc bai thi', 'toi khong thi nua', 'em khong thi nua',
  'minh khong thi nua', 'toi muon dung', 'em muon dung', 'toi muon dung thi', 'em muon dung thi', 'stop', 'cancel', 'quit', 'exit', 'end', 'give up',
]);

/** Whether `text`, as a whole message, asks to stop the attempt under way (see {@link STOP_WORDS}). */
export function isStopWord(text: string): boolean {
  return STOP_WORDS.has(foldedCanonical(text).replace(/ (?:a|nhe|nha|nhe a|a nhe)$/, ''));
}

/**
 * The option a typed message names, other than by its number: its letter as Vietnamese tests
 * write them ("B", "b.", "đáp án B", "chọn c"), or its text ("21 tuổi", "21" for "21 tuổi",
 * "01/01/2014"), folded. Null when it names none or more than one. `shown` are the options in
 * their shown order; the result is 0-based in that order.
 */
export function typedOption(text: string, shown: readonly string[]): number | null {
  const f = foldedCanonical(text.normalize('NFKC'));
  if (!f || f.length > 120) return null;
  const letter = f.match(/^(?:(?:toi|em|minh) )?(?:(?:chon|la) )?(?:(?:dap an|phuong an|cau|y|option|answer) )?([a-f])(?: (?:a|nhe|nha|di))?$/);
  if (letter) {
    const i = letter[1]!.charCodeAt(0) - 97;
    return i < shown.length ? i : null;
  }
  const keys = shown.map((o) => foldedCanonical(o.normalize('NFKC')));
  const exact = keys.flatMap((k, i) => (k === f ? [i] : []));
  if (exact.length === 1) return exact[0]!;
  // "21" for "21 tuổi": the typed words begin one option only, whole words.
  const starts = keys.flatMap((k, i) => (k.startsWith(`${f} `) ? [i] : []));
  return starts.length === 1 ? starts[0]! : null;
}

/**
 * What a participant types, folded, to see their results ("kết quả", "điểm của tôi", "xếp
 * hạng"): answered from their attempts when they have any. After a contest closed, "kết quả
 * cuộc thi" went to the staff queue as an unanswered question, though the last message had
 * promised results after the close.
 */
const RESULT_WORDS = new Set([
  'ket qua', 'xem ket qua', 'ket qua thi', 'ket qua cuoc thi', 'ket qua bai thi', 'ket qua cua toi', 'ket qua cua em', 'ket qua cua minh',
  'xem ket qua thi', 'xem ket qua cuoc thi', 'diem thi', 'diem', 'xem diem', 'xem diem thi', 'diem cua toi', 'diem cua em', 'diem cua minh',
  'xep hang', 'xem xep hang', 'bang xep hang', 'xem bang xep hang', 'toi duoc bao nhieu diem', 'em duoc bao nhieu diem', 'minh duoc bao nhieu diem',
  'toi dung thu may', 'em dung thu may', 'my result', 'my results', 'results', 'my score', 'score', 'leaderboard', 'my rank', 'rank',
]);

/** Whether `text`, as a whole message, asks for the person's contest results. */
export function asksResults(text: string): boolean {
  return RESULT_WORDS.has(foldedCanonical(text).replace(/ (?:a|nhe|nha|the nao|ra sao|sao roi|chua|di)$/, ''));
}

/** "Dừng và nộp bài" typed, the stop button's label: stops without asking again. */
const CONFIRM_STOP = new Set(['dung va nop bai', 'stop and hand in']);

/** What a person types, folded, to leave the prediction unanswered. */
const SKIP_PREDICTION = new Set(['bo qua', 'khong biet', 'khong', 'khong du doan', 'toi khong biet', 'em khong biet', 'chiu', 'skip', 'no', 'dont know', 'pass']);

/** How long a registration or a prediction prompt holds the person's messages (1 hour). */
export const STALE_FLOW_MS = 60 * 60_000;

/**
 * Normalises a Vietnamese mobile number to 0xxxxxxxxx; null if it is not one. Taken as people
 * type it: grouped with spaces, dots, dashes or brackets; `+84`, `84`, `0084`, with the trunk 0
 * kept (`+84 (0) 912…`, `+840912…`); full-width digits; a label before it (`sđt: …`, `số điện
 * thoại của em là …`) and a particle after it (`… ạ`). Two numbers, or other words, are none.
 */
export function normalizePhone(text: string): string | null {
  const t = fold(text.normalize('NFKC').toLowerCase())
    .trim()
    .replace(/^(?:(?:so )?(?:dien thoai|dt|sdt|di dong)|phone|tel|mobile)(?: (?:cua )?(?:toi|em|minh|chau|con))?(?: la)?\s*[:-]?\s*/, '')
    .replace(/\s*(?:a|nhe|nha|nhe a|a nhe)?\s*[.!]*$/, '');
  if (!/^[\d\s.\-()+]+$/.test(t)) return null;
  const digits = t.replace(/[\s.\-()]/g, '');
  const m = digits.match(/^(?:(?:\+|00)?840?|0)(\d{9})$/);
  return m ? `0${m[1]}` : null;
}

/**
 * A name as the results and certificates show it: typed all in capitals or all in lower case
 * ("NGUYỄN THỊ LAN", "nguyễn thị lan"), each word capitalised; a name typed with mixed case is
 * kept as typed.
 */
export function tidyName(name: string): string {
  const letters = name.replace(/[^\p{L}]/gu, '');
  if (letters.length < 2 || (letters !== letters.toUpperCase() && letters !== letters.toLowerCase())) return name;
  return name.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase());
}

/**
 * Parses a prediction such as "1250", "1.250", "1 250", or one number in a short sentence as
 * people answer it ("khoảng 500 người", "tôi đoán 1.250"); null if there is no number, or more
 * than one ("từ 300 đến 500"), or the message is long or a question (something else).
 */
export function parsePrediction(text: string): number | null {
  const t = text.trim();
  // A question with a year in it ("Luật Trẻ em 2016 quy định gì?") is no prediction.
  if (t.length > 60 || t.includes('?') || t.split(/\s+/).length > 6) return null;
  const numbers = t.match(/\d{1,3}(?:[.,\s]\d{3})+(?!\d)|\d+/g) ?? [];
  if (numbers.length !== 1) return null;
  const n = numbers[0]!.replace(/[\s.,]/g, '');
  return /^\d{1,9}$/.test(n) ? Number(n) : null;
}

/** Creates the quiz feature. */
export function createQuizFeature(opts: QuizFeatureOptions = {}): QuizFeature {
  const registry = opts.registry ?? createContestRegistry(opts.contentDir ?? 'content');
  const random = opts.random ?? secureRandom;
  // The live engine gets its db with the first command or the first tick (whichever is first).
  let live: LiveQuiz | undefined;
  let onError: ((err: unknown) => void) | undefined;
  const liveFor = (db: Db): LiveQuiz => {
    live ??= createLiveQuiz({ db, registry, random, onError: (e) => onError?.(e) });
    return live;
  };

  const finishers: ((db: Db, contest: Contest, attempt: Attempt, now: Date) => Reply[] | null)[] = [];

  const isOrganiser =
    opts.isOrganiser ??
    ((ctx: TurnContext) => ctx.inbound.channel === 'telegram' && ctx.config.bot.telegram.quiz_organizers.includes(ctx.inbound.userId));

  // ------------------------------------------------------------------ rendering

  const question = (c: Contest, id: string) => c.questions.find((q) => q.id === id);

  /**
   * A question as the channel shows it. `firstShow` marks the first time it goes out: its clock
   * then starts when the sender delivers it (`deliveryRef`, see installQuiz). Shown again (after
   * /thi or stray text), it keeps its clock, so asking again never buys time.
   */
  const questionReply = (c: Contest, a: Attempt, aq: AttemptQuestion, caps: Capabilities, now: Date, firstShow: boolean, Q: QuizTexts): Reply => {
    const q = question(c, aq.questionId)!;
    const shown = aq.perm.map((i) => q.options[i]!);
    const elapsed = aq.sentAt ? now.getTime() - new Date(aq.sentAt).getTime() : 0;
    const remaining = Math.max(1, Math.ceil(aq.timeLimit - elapsed / 1000));
    const usePoll = caps.nativeQuizPoll && c.telegram_mode === 'poll';
    // Telegram inline buttons cut long labels: there the options go in the text, buttons are numbers.
    const shortButtons = caps.nativeQuizPoll && !usePoll;
    const title = Q.questionTitle(aq.n + 1, a.questionCount);
    const lines = [q.question];
    // Where some buttons may not be shown (no buttons, or more options than Zalo's 5), the options are in the text.
    if (shortButtons || !caps.buttons || shown.length > caps.maxButtons) lines.push('', ...shown.map((o, i) => `${i + 1}. ${o}`));
    lines.push('', Q.timeLeft(remaining));
    if (caps.numberedReplies) lines.push(Q.answerHint(shown.length));
    const buttons = shown.map((o, i) => ({ label: shortButtons ? String(i + 1) : o, action: `quiz:a:${a.id}:${aq.n}:${i}` }));
    const clock = firstShow ? { deliveryRef: `qa:${a.id}:${aq.n}` } : {};
    if (!usePoll) return { title, text: lines.join('\n'), buttons, countdown: remaining, ...clock };
    // A native poll carries the whole question; the text equals it so the channel sends the poll alone.
    const pollQuestion = `${title}: ${q.question}`.slice(0, 300);
    return {
      text: pollQuestion,
      buttons,
      ...clock,
      ...(usePoll
        ? {
            poll: {
              ref: `qa:${a.id}:${aq.n}`,
              question: pollQuestion,
              options: shown,
              correctOptionId: aq.correct,
              openPeriod: Math.min(600, Math.max(5, remaining)),
              explanation: q.explanation,
            },
          }
        : {}),
    };
  };

  const rightText = (c: Contest, aq: AttemptQuestion): string => {
    const q = question(c, aq.questionId);
    return q ? q.options[aq.perm[aq.correct]!]! : '';
  };

  const feedback = (c: Contest, aq: AttemptQuestion, s: { isCorrect: boolean; late: boolean; points: number }, Q: QuizTexts): Reply => {
    const q = question(c, aq.questionId);
    const head = s.isCorrect ? Q.right(s.points) : s.late ? Q.late(aq.correct + 1, rightText(c, aq)) : Q.wrong(aq.correct + 1, rightText(c, aq));
    return { text: q ? `${head}\n${Q.explain(q.explanation)}` : head };
  };

  const rankLine = (db: Db, a: Attempt): string => {
    const Q = quizTextsOf(db, a.personId);
    const r = rankOfAttempt(db, a.contestId, a.id);
    return r ? Q.rank(r.rank, r.participants) : '';
  };

  // ------------------------------------------------------------------ attempt steps

  /** After the last answer: score, rank so far, and the prediction prompt if any. */
  const finish = (db: Db, c: Contest, a: Attempt, now: Date, early = false): Reply[] => {
    const Q = quizTextsOf(db, a.personId);
    for (const f of finishers) {
      const own = f(db, c, getAttempt(db, a.id) ?? a, now);
      if (own) {
        finishAttempt(db, a.id, false, now);
        return own;
      }
    }
    finishAttempt(db, a.id, !!c.prediction, now);
    const done = getAttempt(db, a.id)!;
    const head = early
      ? Q.submittedEarly(done.score, done.correctCount, done.questionCount, Q.duration(done.totalMs))
      : Q.finished(done.score, done.correctCount, done.questionCount, Q.duration(done.totalMs));
    const lines = [head, rankLine(db, done)];
    if (c.prediction) lines.push('', Q.predictAsk(c.prediction.question));
    else lines.push(Q.finalNote(Q.time(c.closes)));
    return [{ text: lines.filter((l, i) => l !== '' || i > 0).join('\n') }];
  };

  /**
   * What to show next for an attempt mid-answering: the current question or the end.
   * `firstShow`: the current question has just started (see {@link questionReply}).
   */
  const continueAttempt = (db: Db, c: Contest, a: Attempt, caps: Capabilities, now: Date, firstShow: boolean): Reply[] => {
    const Q = quizTextsOf(db, a.personId);
    if (a.current >= a.questionCount) return finish(db, c, a, now);
    const aq = getAttemptQuestion(db, a.id, a.current)!;
    return [questionReply(c, a, aq, caps, now, firstShow, Q)];
  };

  /**
   * Records the current question as unanswered when its time ran out (e.g. while the server
   * was down or the person went away). Returns notices for the person, and the fresh attempt.
   */
  const settle = (db: Db, c: Contest, a: Attempt, now: Date): { notices: Reply[]; attempt: Attempt } => {
    const Q = quizTextsOf(db, a.personId);
    if (a.status !== 'answering') return { notices: [], attempt: a };
    const aq = getAttemptQuestion(db, a.id, a.current);
    if (!aq || aq.answeredAt || !aq.sentAt) return { notices: [], attempt: a };
    const elapsed = now.getTime() - new Date(aq.sentAt).getTime();
    if (elapsed <= aq.timeLimit * 1000 + GRACE_MS && question(c, aq.questionId)) return { notices: [], attempt: a };
    const ok = recordAttemptAnswer(db, a.id, aq.n, { chosen: null, isCorrect: false, late: true, points: 0, elapsedMs: aq.timeLimit * 1000 }, now);
    const fresh = getAttempt(db, a.id)!;
    if (!ok) return { notices: [], attempt: fresh };
    const q = question(c, aq.questionId);
    return { notices: [{ text: `${Q.timedOut(aq.n + 1, aq.correct + 1, rightText(c, aq))}${q ? `\n${Q.explain(q.explanation)}` : ''}` }], attempt: fresh };
  };

  /** Refuses politely when the contest closed, ending the attempt. */
  const closedGuard = (db: Db, c: Contest | undefined, a: Attempt, now: Date): Reply[] | null => {
    const Q = quizTextsOf(db, a.personId);
    if (c && now.getTime() < c.closes.getTime() && c.status === 'approved') return null;
    if (a.status === 'registering') setAttemptStatus(db, a.id, 'cancelled');
    else if (a.status === 'answering') setAttemptStatus(db, a.id, 'closed');
    else if (a.status === 'predicting') setAttemptStatus(db, a.id, 'done');
    return [{ text: c ? Q.closed(Q.time(c.closes)) : Q.unknownContest }];
  };

  const registrationPrompt = (c: Contest, a: Attempt, Q: QuizTexts, now?: Date): Reply[] => {
    switch (a.step) {
      case 'consent':
        return [
          {
            text: Q.consentAsk(c.registration.consent),
            buttons: [
              { label: Q.consentYes, action: `quiz:y:${a.id}` },
              { label: Q.consentNo, action: `quiz:n:${a.id}` },
            ],
          },
        ];
      // Every step can be left: a person who came to ask something else is never held by the form.
      case 'name':
        return [{ text: Q.askName, buttons: [{ label: Q.cancel, action: `quiz:x:${a.id}` }] }];
      case 'unit':
        return [{ text: Q.askUnit, buttons: [{ label: Q.cancel, action: `quiz:x:${a.id}` }] }];
      case 'phone':
        return [
          c.registration.phone === 'required'
            ? { text: Q.askPhone(true), buttons: [{ label: Q.cancel, action: `quiz:x:${a.id}` }] }
            : {
                text: Q.askPhone(false),
                buttons: [
                  { label: Q.skipPhone, action: `quiz:s:${a.id}` },
                  { label: Q.cancel, action: `quiz:x:${a.id}` },
                ],
              },
        ];
      default:
        return [
          {
            text: Q.ready(a.name ?? '', a.unit, Math.min(c.draw, c.questions.length)) + closingSoon(c, now, Q),
            buttons: [
              { label: Q.start, action: `quiz:g:${a.id}` },
              { label: Q.cancel, action: `quiz:x:${a.id}` },
            ],
          },
        ];
    }
  };

  /**
   * At the ready step, when the contest closes before the attempt could end (every question
   * taking its whole time): a warning that what is not done by then is not counted and the
   * attempt not ranked. Someone pressing "Bắt đầu" at 16:58 for a 17:00 close was told only
   * after answering, "the contest has ended, this answer was not recorded".
   */
  const closingSoon = (c: Contest, now: Date | undefined, Q: QuizTexts): string => {
    if (!now) return '';
    const longest = c.questions.map((q) => timeLimit(c, q)).sort((x, y) => y - x).slice(0, Math.min(c.draw, c.questions.length));
    const needMs = longest.reduce((sum, sec) => sum + sec * 1000, 0);
    const leftMs = c.closes.getTime() - now.getTime();
    if (leftMs <= 0 || leftMs >= needMs) return '';
    return `\n${Q.closingSoon(Q.time(c.closes), Math.max(1, Math.floor(leftMs / 60_000)), Math.ceil(needMs / 60_000))}`;
  };

  const nextStep = (c: Contest, after: 'consent' | 'name' | 'unit' | 'phone'): 'name' | 'unit' | 'phone' | 'ready' => {
    const order: ('name' | 'unit' | 'phone' | 'ready')[] = ['name'];
    if (c.registration.unit) order.push('unit');
    if (c.registration.phone !== 'off') order.push('phone');
    order.push('ready');
    if (after === 'consent') return order[0]!;
    return order[order.indexOf(after) + 1] ?? 'ready';
  };

  /** Shows where an unfinished attempt stands (after a restart, /thi, or stray text). */
  const resume = (ctx: TurnContext, c: Contest, a: Attempt): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    const closed = closedGuard(ctx.db, c, a, ctx.now);
    if (closed) return closed;
    if (a.status === 'registering') return registrationPrompt(c, a, Q, ctx.now);
    if (a.status === 'predicting') return [{ text: Q.predictAsk(c.prediction?.question ?? '') }];
    const { notices, attempt } = settle(ctx.db, c, a, ctx.now);
    // After a question ran out here, the next one starts now; otherwise the current one is shown again.
    return [...notices, ...continueAttempt(ctx.db, c, attempt, ctx.caps, ctx.now, notices.length > 0)];
  };

  const mine = (ctx: TurnContext, id: string): Attempt | undefined => {
    const a = getAttempt(ctx.db, Number(id));
    return a && a.personId === ctx.person.id ? a : undefined;
  };

  const listOpen = (ctx: TurnContext): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    const open = registry.all().filter((c) => c.listed && isOpen(c, ctx.now));
    // Contests announced but not open yet say when they open: "none open" alone sends people
    // away on the morning of the contest without saying when to come back.
    const upcoming = registry
      .all()
      .filter((c) => c.listed && c.status === 'approved' && c.opens.getTime() > ctx.now.getTime())
      .sort((a, b) => a.opens.getTime() - b.opens.getTime());
    const soon = upcoming.length ? ['', Q.upcomingTitle, ...upcoming.map((c) => Q.upcomingItem(c.title, c.organiser, Q.time(c.opens)))] : [];
    const past = pastResults(ctx);
    if (open.length === 0) return [{ text: [Q.noneOpen, ...soon, ...past].join('\n') }];
    return [
      {
        // A contest whose attempts the person has used says so (with the score), so nobody picks
        // it only to be told so.
        text: [
          Q.listTitle,
          ...open.map((c) => {
            const used = attemptsOf(ctx.db, c.id, ctx.person.id).filter((x) => x.status !== 'registering' && x.status !== 'answering');
            return Q.listItem(c.title, c.organiser, Q.time(c.closes), used.length >= c.attempts ? Math.max(...used.map((x) => x.score)) : undefined);
          }),
          ...soon,
          ...past,
        ].join('\n'),
        buttons: open.map((c) => ({ label: c.title.length > 60 ? `${c.title.slice(0, 57)}…` : c.title, action: `quiz:c:${c.id}` })),
      },
    ];
  };

  /**
   * The person's results in listed contests that have closed, latest first (at most 5): the
   * score and the rank the contest ended with (their best finished attempt), or that an
   * unfinished attempt was not ranked. /thi said nothing of them once a contest closed.
   */
  const pastResults = (ctx: TurnContext, open = false): string[] => {
    const Q = quizTexts(ctx.person.lang);
    const lines: string[] = [];
    const contests = registry
      .all()
      .filter((c) => c.listed && (open ? isOpen(c, ctx.now) : ctx.now.getTime() >= c.closes.getTime()))
      .sort((a, b) => b.closes.getTime() - a.closes.getTime());
    for (const c of contests) {
      const mine = attemptsOf(ctx.db, c.id, ctx.person.id).filter((x) => x.status !== 'registering' && x.status !== 'answering');
      if (mine.length === 0) continue;
      const ranked = mine.flatMap((x) => {
        const r = x.status === 'done' || x.status === 'predicting' ? rankOfAttempt(ctx.db, c.id, x.id) : undefined;
        return r ? [{ x, r }] : [];
      });
      const best = ranked.sort((p, q) => p.r.rank - q.r.rank)[0];
      if (open) lines.push(best ? Q.openResult(c.title, best.x.score, best.r.rank, best.r.participants, Q.time(c.closes)) : Q.pastUnranked(c.title, Q.time(c.closes)));
      else lines.push(best ? Q.pastResult(c.title, Q.time(c.closes), best.x.score, best.r.rank, best.r.participants) : Q.pastUnranked(c.title, Q.time(c.closes)));
      if (lines.length >= 5) break;
    }
    return lines.length ? ['', open ? Q.openResultsTitle : Q.pastResultsTitle, ...lines] : [];
  };

  /** "Kết quả", "điểm của tôi" typed with no attempt under way: the person's results, if any. */
  const myResults = (ctx: TurnContext): Reply[] | null => {
    const lines = [...pastResults(ctx, true), ...pastResults(ctx)];
    if (lines.length === 0) return null;
    const Q = quizTexts(ctx.person.lang);
    return [{ text: [...lines.slice(1), '', Q.resultsNote].join('\n') }];
  };

  const choose = (ctx: TurnContext, contestId: string): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    if (ctx.inbound.group) return [{ text: Q.privateOnly }];
    const c = registry.get(contestId);
    if (!c || c.status !== 'approved' || !c.listed) return [{ text: Q.unknownContest }];
    const { active, ended } = holding(ctx);
    if (active) {
      const ac = registry.get(active.contestId);
      if (active.contestId === c.id) return [{ text: Q.resume }, ...resume(ctx, c, active)];
      // With two contests open, "continue" alone let people think they were in the one they asked for.
      if (active.status !== 'registering' && ac) return [{ text: Q.resumeOther(ac.title, c.title) }, ...resume(ctx, ac, active)];
      setAttemptStatus(ctx.db, active.id, 'cancelled');
    }
    const opened = ended ? [{ text: ended }] : [];
    return [...opened, ...chooseFresh(ctx, c)];
  };

  /**
   * The person's unfinished attempt, unless its contest has closed (or gone): that one is ended
   * (not ranked) and said so in `ended`, and no longer holds the person. /thi used to answer it
   * with "continue" and then "the contest closed, this answer was not counted".
   */
  const holding = (ctx: TurnContext): { active?: Attempt; ended?: string } => {
    const active = activeAttemptOf(ctx.db, ctx.person.id);
    if (!active) return {};
    const ac = registry.get(active.contestId);
    if (ac && ctx.now.getTime() < ac.closes.getTime() && ac.status === 'approved') return { active };
    closedGuard(ctx.db, ac, active, ctx.now);
    // Only an attempt stopped mid-answering is told: a registration never started is dropped,
    // and one giving its prediction had answered everything and stays ranked.
    if (active.status !== 'answering') return {};
    const Q = quizTexts(ctx.person.lang);
    return { ended: ac ? Q.endedUnfinished(ac.title, Q.time(ac.closes)) : undefined };
  };

  const chooseFresh = (ctx: TurnContext, c: Contest): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    if (ctx.now.getTime() < c.opens.getTime()) return [{ text: Q.notOpenYet(Q.time(c.opens)) }];
    if (ctx.now.getTime() >= c.closes.getTime()) return [{ text: Q.closed(Q.time(c.closes)) }];
    const previous = attemptsOf(ctx.db, c.id, ctx.person.id);
    if (previous.length >= c.attempts) return [{ text: Q.alreadyDone(Math.max(...previous.map((p) => p.score)), c.attempts, Q.time(c.closes)) }];
    const a = createAttempt(ctx.db, { contestId: c.id, personId: ctx.person.id, channel: ctx.inbound.channel }, ctx.now);
    return [{ text: Q.intro(c.title, c.organiser, Math.min(c.draw, c.questions.length), c.time_per_question, Q.time(c.closes)) }, ...registrationPrompt(c, a, Q, ctx.now)];
  };

  /** Registration input typed by the person; null lets the message through to the rest of the bot. */
  const register = (ctx: TurnContext, c: Contest, a: Attempt, text: string): Reply[] | null => {
    const Q = quizTexts(ctx.person.lang);
    const t = text.trim().replace(/\s+/g, ' ');
    // "Huỷ" typed at any step is the cancel beside it, not a name or a unit (it became the
    // participant's name before: found by the subscriber trial).
    if (isCancelWord(t) && !(a.step === 'phone' && c.registration.phone === 'optional' && fold(t.toLowerCase()) === 'bo qua')) {
      setAttemptStatus(ctx.db, a.id, 'cancelled');
      return [{ text: Q.cancelled }];
    }
    switch (a.step) {
      case 'consent': {
        const f = fold(t.toLowerCase());
        if (['dong y', 'toi dong y', 'co', 'yes', 'ok'].includes(f)) return consent(ctx, c, a, true);
        if (['khong', 'khong dong y', 'no'].includes(f)) return consent(ctx, c, a, false);
        // "vâng, tôi đồng ý ạ" agrees; "tôi không đồng ý đâu" does not.
        if (/\bdong y\b/.test(f)) return consent(ctx, c, a, !/\bkhong\b/.test(f));
        if (/\b(dis)?agree\b/.test(f)) return consent(ctx, c, a, !/\b(not|dont|don't|disagree|no)\b/.test(f));
        // A short refusal ("không ạ", "thôi không", "tôi không muốn") declines.
        const words = t.split(' ').length;
        if (words <= 5 && /^(?:(?:toi|em|minh|chau|con) )?(?:khong|thoi)\b/.test(f)) return consent(ctx, c, a, false);
        // A sentence that neither agrees nor declines is something else (a question for the bot):
        // nothing was agreed to yet, so the registration is dropped and the message answered.
        // Questions often end in "không" ("… có mất tiền không"): that is no refusal (a lead
        // trial's question got the consent prompt again).
        if (words >= 3) {
          setAttemptStatus(ctx.db, a.id, 'cancelled');
          return null;
        }
        return registrationPrompt(c, a, Q, ctx.now);
      }
      case 'name': {
        // A question typed here ("thủ tục khai sinh thế nào?") is not a name: names have no '?' and few words.
        if (t.length < 2 || t.length > 80 || !hasWords(t) || /\d{3,}/.test(t) || t.startsWith('/') || t.includes('?') || t.split(' ').length > 7)
          return [{ text: Q.badName, buttons: [{ label: Q.cancel, action: `quiz:x:${a.id}` }] }];
        const name = tidyName(t);
        // A Vietnamese name typed without its marks ("Nguyen Van An", a keyboard without
        // Telex) goes on the results and the certificates as typed: asked once, kept if meant.
        if (a.name === null && ctx.person.lang !== 'en' && fold(name) === name) {
          updateRegistration(ctx.db, a.id, { name });
          return [
            {
              text: Q.nameNoMarks(name),
              buttons: [
                { label: Q.keepName, action: `quiz:k:${a.id}` },
                { label: Q.cancel, action: `quiz:x:${a.id}` },
              ],
            },
          ];
        }
        const step = nextStep(c, 'name');
        updateRegistration(ctx.db, a.id, { name, step });
        return registrationPrompt(c, { ...a, name, step }, Q, ctx.now);
      }
      case 'unit': {
        if (t.length < 2 || t.length > 120 || !hasWords(t)) return [{ text: Q.badUnit, buttons: [{ label: Q.cancel, action: `quiz:x:${a.id}` }] }];
        const step = nextStep(c, 'unit');
        updateRegistration(ctx.db, a.id, { unit: t, step });
        return registrationPrompt(c, { ...a, unit: t, step }, Q, ctx.now);
      }
      case 'phone': {
        if (c.registration.phone === 'optional' && ['bo qua', 'khong'].includes(fold(t.toLowerCase()))) return skipPhone(ctx, c, a);
        const phone = normalizePhone(t);
        if (!phone) return [{ text: Q.badPhone }, ...registrationPrompt(c, a, Q, ctx.now)];
        // A registration left unstarted for over an hour (on another channel, a phone gone
        // flat) no longer holds the number: begin() checks again, so only one of them starts.
        if (countAttemptsWithPhone(ctx.db, c.id, phone, a.id, 'all', new Date(ctx.now.getTime() - STALE_FLOW_MS)) >= c.attempts) {
          // Someone who started on one channel and came back on another (a phone gone flat) is
          // told where their attempt is, not that they have used it up.
          const busy = countAttemptsWithPhone(ctx.db, c.id, phone, a.id, 'answering') > 0;
          return [{ text: busy ? Q.phoneInProgress : Q.phoneUsed(c.attempts) }, ...registrationPrompt(c, a, Q, ctx.now)];
        }
        updateRegistration(ctx.db, a.id, { phone, step: 'ready' });
        return registrationPrompt(c, { ...a, phone, step: 'ready' }, Q, ctx.now);
      }
      case 'ready':
        // "Bắt đầu" typed instead of pressed (the prompt says to choose “Bắt đầu”; Zalo shows the
        // buttons as numbered text, whose label "Bắt đầu làm bài" it does not equal).
        if (START_WORDS.has(fold(t.toLowerCase()).replace(/[.!]+$/, ''))) return begin(ctx, c, a);
        return registrationPrompt(c, a, Q, ctx.now);
      default:
        return registrationPrompt(c, a, Q, ctx.now);
    }
  };

  const consent = (ctx: TurnContext, c: Contest, a: Attempt, yes: boolean): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    if (a.status !== 'registering' || a.step !== 'consent') return registrationPrompt(c, a, Q, ctx.now);
    if (!yes) {
      setAttemptStatus(ctx.db, a.id, 'cancelled');
      return [{ text: Q.consentDeclined }];
    }
    const step = nextStep(c, 'consent');
    // The exact line agreed to is kept with the record: staff may reword the contest later.
    updateRegistration(ctx.db, a.id, { consentAt: ctx.now.toISOString(), consentText: c.registration.consent, step });
    return registrationPrompt(c, { ...a, step }, Q, ctx.now);
  };

  /** "Giữ tên này" under the name typed without marks: the registration goes on with it. */
  const keepName = (ctx: TurnContext, c: Contest, a: Attempt): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    if (a.status !== 'registering' || a.step !== 'name' || !a.name) return registrationPrompt(c, a, Q, ctx.now);
    const step = nextStep(c, 'name');
    updateRegistration(ctx.db, a.id, { step });
    return registrationPrompt(c, { ...a, step }, Q, ctx.now);
  };

  const skipPhone = (ctx: TurnContext, c: Contest, a: Attempt): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    if (a.status !== 'registering' || a.step !== 'phone' || c.registration.phone !== 'optional') return registrationPrompt(c, a, Q, ctx.now);
    updateRegistration(ctx.db, a.id, { step: 'ready' });
    return registrationPrompt(c, { ...a, step: 'ready' }, Q, ctx.now);
  };

  const begin = (ctx: TurnContext, c: Contest, a: Attempt): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    if (a.status !== 'registering') return resume(ctx, c, a);
    if (a.step !== 'ready') return registrationPrompt(c, a, Q, ctx.now);
    if (ctx.now.getTime() < c.opens.getTime()) return [{ text: Q.notOpenYet(Q.time(c.opens)) }];
    // Two registrations with one phone (one left for over an hour elsewhere): the first to start
    // takes the number; this one gives another.
    if (a.phone && countAttemptsWithPhone(ctx.db, c.id, a.phone, a.id, 'started') >= c.attempts) {
      updateRegistration(ctx.db, a.id, { phone: null, step: 'phone' });
      return [{ text: Q.phoneUsed(c.attempts) }, ...registrationPrompt(c, { ...a, phone: null, step: 'phone' }, Q, ctx.now)];
    }
    beginAttempt(ctx.db, a.id, drawQuestions(c, random), ctx.now);
    const fresh = getAttempt(ctx.db, a.id)!;
    return continueAttempt(ctx.db, c, fresh, ctx.caps, ctx.now, true);
  };

  /**
   * What to say to an answer for a question already settled: counted once if it was answered,
   * or not counted at all when its time ran out first (it was recorded as unanswered).
   */
  const pastAnswer = (db: Db, a: Attempt, n: number): string => {
    const Q = quizTextsOf(db, a.personId);
    const aq = getAttemptQuestion(db, a.id, n);
    return aq && aq.answeredAt && aq.chosen === null ? Q.expired(n + 1) : Q.duplicate;
  };

  /**
   * A button of an attempt that is over (cancelled, done, stopped), pressed from the chat's
   * history. "Bắt đầu" after "Huỷ đăng ký" used to say "🎉 you finished: 0 points (0/0)" and ask
   * the prediction again, whose number then went to the staff queue as an unanswered question;
   * "Tôi đồng ý" on a finished attempt said "registered, press Start".
   */
  const gone = (ctx: TurnContext, c: Contest, a: Attempt): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    // A training's test (not listed) has a pass mark, not a ranking to wait for.
    if (a.status === 'done') return [{ text: c.listed ? `${Q.goneDone(a.score, Q.time(c.closes))} ${Q.otherContests}` : Q.goneTest }];
    // A cancelled registration may be started again while the contest is open and attempts are left.
    const again = a.status === 'cancelled' && c.listed && isOpen(c, ctx.now) && attemptsOf(ctx.db, c.id, ctx.person.id).length < c.attempts;
    const text = a.status === 'cancelled' ? Q.goneCancelled : Q.goneClosed;
    return [again ? { text, buttons: [{ label: Q.registerAgain, action: `quiz:c:${c.id}` }] } : { text: `${text} ${Q.otherContests}` }];
  };

  /**
   * "Huỷ", "thôi", "dừng thi" typed mid-answering: what stopping means (the attempt is handed in
   * as it stands and ranked; with one attempt there is no second; nothing pauses: the question
   * on screen keeps its clock), a button to do it, and the question again (clock kept) so that
   * a number typed next still answers it. Only the button stops: "huỷ" typed by mistake loses
   * nothing but the seconds spent reading.
   */
  const stopAsk = (ctx: TurnContext, c: Contest, a: Attempt): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    // A question that ran out meanwhile is recorded first, so the prompt names the one now on.
    const { notices, attempt } = settle(ctx.db, c, a, ctx.now);
    if (attempt.current >= attempt.questionCount) return [...notices, ...finish(ctx.db, c, attempt, ctx.now)];
    const aq = getAttemptQuestion(ctx.db, attempt.id, attempt.current);
    const elapsed = aq?.sentAt && notices.length === 0 ? ctx.now.getTime() - new Date(aq.sentAt).getTime() : 0;
    const left = aq ? Math.max(1, Math.ceil(aq.timeLimit - elapsed / 1000)) : 1;
    const attemptsLeft = c.attempts - attemptsOf(ctx.db, c.id, ctx.person.id).length;
    const ask: Reply = {
      text: Q.stopAsk(c.title, attempt.current, attempt.score, attempt.current + 1, left, attemptsLeft, c.attempts, Q.time(c.closes), c.listed),
      buttons: [{ label: Q.stopButton, action: `quiz:q:${attempt.id}` }],
    };
    return [...notices, ask, ...continueAttempt(ctx.db, c, attempt, ctx.caps, ctx.now, notices.length > 0)];
  };

  /** "Dừng và nộp bài" pressed: the attempt is handed in now, scored and ranked as it stands. */
  const submitEarly = (ctx: TurnContext, c: Contest, a: Attempt): Reply[] => {
    if (a.status !== 'answering') return resume(ctx, c, a);
    // A question that ran out before the press is recorded as the timer would have.
    const { attempt } = settle(ctx.db, c, a, ctx.now);
    if (attempt.status === 'answering' && attempt.current < attempt.questionCount) submitAttemptEarly(ctx.db, a.id, ctx.now);
    const fresh = getAttempt(ctx.db, a.id)!;
    return finish(ctx.db, c, fresh, ctx.now, true);
  };

  /** One answer: by button, by typed number, or by native poll. */
  const answer = (ctx: TurnContext, a: Attempt, n: number, chosen: number): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    const c = registry.get(a.contestId);
    const closed = closedGuard(ctx.db, c, a, ctx.now);
    if (closed) return closed;
    if (a.status === 'cancelled' || a.status === 'closed') return gone(ctx, c!, a);
    if (a.status === 'predicting' || a.status === 'done' || (a.status === 'answering' && n < a.current)) return [{ text: pastAnswer(ctx.db, a, n) }];
    if (a.status !== 'answering') return resume(ctx, c!, a);
    if (n > a.current) return [{ text: Q.stale }, ...resume(ctx, c!, a)];
    const aq = getAttemptQuestion(ctx.db, a.id, n);
    if (!aq || !aq.sentAt || chosen < 0 || chosen >= aq.perm.length) return resume(ctx, c!, a);
    const s = scoreAnswer({
      chosen,
      correct: aq.correct,
      elapsedMs: ctx.now.getTime() - new Date(aq.sentAt).getTime(),
      limitSec: aq.timeLimit,
      points: c!.scoring.points,
      speedBonus: c!.scoring.speed_bonus,
    });
    if (!recordAttemptAnswer(ctx.db, a.id, n, { chosen, ...s }, ctx.now)) return [{ text: Q.duplicate }];
    const fresh = getAttempt(ctx.db, a.id)!;
    return [feedback(c!, aq, s, Q), ...continueAttempt(ctx.db, c!, fresh, ctx.caps, ctx.now, true)];
  };

  const predict = (ctx: TurnContext, c: Contest, a: Attempt, text: string): Reply[] => {
    const Q = quizTexts(ctx.person.lang);
    const p = parsePrediction(text);
    // "Bỏ qua", "không biết", "huỷ" at the prediction: it is skipped (the score stays ranked, after
    // equal scores with a prediction). They were answered "gõ một con số" with no way on.
    const f = foldedCanonical(text).replace(/ (?:a|nhe|nha)$/, '');
    if (p === null && (isStopWord(text) || isCancelWord(text) || SKIP_PREDICTION.has(f))) {
      setAttemptStatus(ctx.db, a.id, 'done');
      const done = getAttempt(ctx.db, a.id)!;
      return [{ text: [Q.predictionSkipped, rankLine(ctx.db, done), Q.finalNote(Q.time(c.closes))].filter(Boolean).join('\n') }];
    }
    if (p === null) return [{ text: Q.badPrediction }];
    if (!recordPrediction(ctx.db, a.id, p)) return [{ text: Q.duplicate }];
    const done = getAttempt(ctx.db, a.id)!;
    return [{ text: [Q.predicted(p), rankLine(ctx.db, done), Q.finalNote(Q.time(c.closes))].filter(Boolean).join('\n') }];
  };

  // ------------------------------------------------------------------ live group quiz

  // The organiser's command is answered in the turn's language; the session's own messages (the
  // announcement, questions, leaderboards) in the contest's (live.ts).
  const liveStart = (ctx: TurnContext, args: string): Reply[] => {
    const Q = quizTexts(ctx.lang);
    if (!ctx.inbound.group) return [{ text: Q.liveNotGroup }];
    if (!isOrganiser(ctx)) return [{ text: Q.liveNotOrganiser }];
    // A live quiz needs a group chat whose members answer one message (Telegram groups).
    if (!ctx.caps.groupChats) return [{ text: Q.liveNoTelegram }];
    const c = registry.get(args.trim().split(/\s+/)[0] ?? '');
    if (!c || c.status !== 'approved') return [{ text: Q.liveUsage(registry.all().filter((x) => x.status === 'approved').map((x) => x.id).join(', ')) }];
    const chatId = ctx.inbound.chatId ?? ctx.inbound.userId;
    const s = liveFor(ctx.db).start({ contest: c, channel: ctx.inbound.channel, chatId, startedBy: ctx.inbound.userId }, ctx.now);
    if (!s) return [{ text: Q.liveRunning }];
    const inContest = quizTexts(c.lang);
    return [{ text: inContest.liveStart(c.title, s.plan.length, c.time_per_question), lang: c.lang }];
  };

  const liveStop = (ctx: TurnContext): Reply[] => {
    const Q = quizTexts(ctx.lang);
    if (!ctx.inbound.group) return [{ text: Q.liveNotGroup }];
    if (!isOrganiser(ctx)) return [{ text: Q.liveNotOrganiser }];
    const r = liveFor(ctx.db).stop(ctx.inbound.channel, ctx.inbound.chatId ?? ctx.inbound.userId, ctx.now);
    return [r ?? { text: Q.liveNone }];
  };

  // ------------------------------------------------------------------ the feature

  const feature: QuizFeature = {
    name: 'quiz',
    registry,
    get live() {
      if (!live) throw new Error('quiz: the live quiz engine starts with the first command or with installQuiz(app)');
      return live;
    },
    help: [Q.help],
    helpEn: [quizTexts('en').help],
    commands: {
      thi: (ctx, args) => {
        if (ctx.inbound.group) return [{ text: quizTexts(ctx.person.lang).privateOnly }];
        if (args) return choose(ctx, args.trim());
        const { active, ended } = holding(ctx);
        const c = active && registry.get(active.contestId);
        if (active && c) return [{ text: quizTexts(ctx.person.lang).resume }, ...resume(ctx, c, active)];
        return [...(ended ? [{ text: ended }] : []), ...listOpen(ctx)];
      },
      quizgroup: liveStart,
      quizstop: liveStop,
    },
    actions: {
      quiz: (ctx, payload) => {
        const [kind, id = '', n, opt] = payload.split(':');
        if (kind === 'c') return choose(ctx, id);
        if (kind === 'l') {
          // A member's button answer in a live group quiz: never a reply per answer in the group.
          // The engine counts it only when pressed in the session's own group chat.
          const { channel, chatId, group } = ctx.inbound;
          liveFor(ctx.db).answer({ via: 'button', personId: ctx.person.id, channel, chatId, group: group === true, token: id }, Number(n), Number(opt), ctx.now);
          return [];
        }
        if (ctx.inbound.group) return [{ text: quizTexts(ctx.person.lang).privateOnly }];
        const a = mine(ctx, id);
        if (!a) return listOpen(ctx);
        const c = registry.get(a.contestId);
        const closed = closedGuard(ctx.db, c, a, ctx.now);
        if (closed) return closed;
        // An answer to a finished attempt still says "recorded" or "ran out" (answer()).
        if ((a.status === 'done' && kind !== 'a') || a.status === 'cancelled' || a.status === 'closed') return gone(ctx, c!, a);
        switch (kind) {
          case 'y':
            return consent(ctx, c!, a, true);
          case 'n':
            return consent(ctx, c!, a, false);
          case 's':
            return skipPhone(ctx, c!, a);
          case 'k':
            return keepName(ctx, c!, a);
          case 'g':
            return begin(ctx, c!, a);
          case 'x':
            if (a.status === 'registering') {
              setAttemptStatus(ctx.db, a.id, 'cancelled');
              return [{ text: quizTexts(ctx.person.lang).cancelled }];
            }
            return resume(ctx, c!, a);
          case 'a':
            return answer(ctx, a, Number(n), Number(opt));
          case 'q':
            return submitEarly(ctx, c!, a);
          default:
            return resume(ctx, c!, a);
        }
      },
    },
    onText: (ctx, text) => {
      if (ctx.inbound.group) return null;
      const a = activeAttemptOf(ctx.db, ctx.person.id);
      if (!a) return asksResults(text) ? myResults(ctx) : null;
      const c = registry.get(a.contestId);
      const closed = closedGuard(ctx.db, c, a, ctx.now);
      if (closed) return closed;
      // A flow left long ago does not hold the person's next message: a registration never
      // finished is dropped, a prediction never given is skipped (the score is ranked already).
      const since = new Date(a.status === 'predicting' ? (a.finishedAt ?? a.startedAt) : a.startedAt).getTime();
      if (ctx.now.getTime() - since > STALE_FLOW_MS && (a.status === 'registering' || (a.status === 'predicting' && parsePrediction(text) === null))) {
        if (a.status === 'registering') setAttemptStatus(ctx.db, a.id, 'cancelled');
        else setAttemptStatus(ctx.db, a.id, 'done');
        return null;
      }
      if (a.status === 'registering') return register(ctx, c!, a, text);
      if (a.status === 'predicting') return predict(ctx, c!, a, text);
      // "Huỷ", "thôi", "dừng thi", "stop": what stopping means, and a button to do it.
      // The button's label typed (Zalo may show buttons as numbered text): the explicit answer.
      if (CONFIRM_STOP.has(foldedCanonical(text))) return submitEarly(ctx, c!, a);
      if (isStopWord(text)) return stopAsk(ctx, c!, a);
      const aq = getAttemptQuestion(ctx.db, a.id, a.current);
      const q = aq && question(c!, aq.questionId);
      const shown = q && aq ? aq.perm.map((i) => q.options[i]!) : [];
      const num = text.match(NUMBER);
      // A typed number answers the current question, even if the core's remembered choices
      // were stale; one typed after the time ran out is scored late (wrong). "21" where the
      // options are "18 tuổi", "21 tuổi", "25 tuổi" names the option, not a 21st one.
      const byText = typedOption(text, shown);
      if (num && (Number(num[1]) <= shown.length || byText === null)) return answer(ctx, a, a.current, Number(num[1]) - 1);
      // Its letter ("B", "đáp án b") or its text typed instead of the button.
      if (byText !== null) return answer(ctx, a, a.current, byText);
      const { notices, attempt } = settle(ctx.db, c!, a, ctx.now);
      if (notices.length > 0) return [...notices, ...continueAttempt(ctx.db, c!, attempt, ctx.caps, ctx.now, true)];
      // Anything else shows the question again (its clock kept), saying why and how to stop.
      const Q = quizTexts(ctx.person.lang);
      return [{ text: Q.notAnAnswer(shown.length) }, ...continueAttempt(ctx.db, c!, attempt, ctx.caps, ctx.now, false)];
    },
    onQuizAnswer: (ctx, ref, optionIds) => {
      const m = ref.match(/^(qa|qg):(\d+):(\d+)$/);
      if (!m) return null;
      if (optionIds.length === 0) return []; // a retracted vote
      if (m[1] === 'qg') {
        liveFor(ctx.db).answer({ via: 'poll', personId: ctx.person.id, channel: ctx.inbound.channel, sessionId: Number(m[2]) }, Number(m[3]), optionIds[0]!, ctx.now);
        return [];
      }
      const a = mine(ctx, m[2]!);
      if (!a) return [];
      return answer(ctx, a, Number(m[3]), optionIds[0]!);
    },
    startFor(ctx, contestId, registration) {
      const c = registry.get(contestId);
      if (!c || c.status !== 'approved') return { replies: [{ text: quizTexts(ctx.person.lang).unknownContest }] };
      const active = activeAttemptOf(ctx.db, ctx.person.id);
      if (active) {
        const ac = registry.get(active.contestId);
        if (active.contestId === c.id || (active.status !== 'registering' && ac)) return { replies: [{ text: quizTexts(ctx.person.lang).resume }, ...resume(ctx, ac ?? c, active)] };
        setAttemptStatus(ctx.db, active.id, 'cancelled');
      }
      if (ctx.now.getTime() < c.opens.getTime()) return { replies: [{ text: quizTexts(ctx.person.lang).notOpenYet(quizTexts(ctx.person.lang).time(c.opens)) }] };
      if (ctx.now.getTime() >= c.closes.getTime()) return { replies: [{ text: quizTexts(ctx.person.lang).closed(quizTexts(ctx.person.lang).time(c.closes)) }] };
      const a = createAttempt(ctx.db, { contestId: c.id, personId: ctx.person.id, channel: ctx.inbound.channel }, ctx.now);
      updateRegistration(ctx.db, a.id, { name: registration.name, unit: registration.unit, consentAt: ctx.now.toISOString(), step: 'ready' });
      return { replies: begin(ctx, c, { ...a, name: registration.name, unit: registration.unit, step: 'ready' }), attempt: a };
    },
    onFinish(fn) {
      finishers.push(fn);
    },
    async tick(now, bound) {
      onError = bound.onError;
      await liveFor(bound.db).tick(now, bound.send);
      // Channels that can push (Telegram, Zalo) get the next question when one timed out
      // unanswered; the web cannot be pushed to, so there the next message settles it.
      const push = CHANNEL_NAMES.filter((ch) => {
        const caps = bound.caps(ch);
        return caps !== undefined && caps.canPush !== false;
      });
      for (const { attempt, externalId } of attemptsTimedOut(bound.db, push, new Date(now.getTime() - GRACE_MS))) {
        try {
          const c = registry.get(attempt.contestId);
          const caps = bound.caps(attempt.channel);
          if (!c || !caps || attempt.personId === null) continue;
          let replies: Reply[];
          if (now.getTime() >= c.closes.getTime()) replies = closedGuard(bound.db, c, attempt, now) ?? [];
          else {
            const { notices, attempt: fresh } = settle(bound.db, c, attempt, now);
            if (notices.length === 0) continue;
            replies = [...notices, ...continueAttempt(bound.db, c, fresh, caps, now, true)];
          }
          const withButtons = [...replies].reverse().find((r) => r.buttons?.length);
          // With the labels, so the option's text typed next answers it as after any reply.
          setPendingChoices(
            bound.db,
            attempt.personId,
            withButtons ? withButtons.buttons!.map((b) => b.action) : null,
            withButtons ? withButtons.buttons!.map((b) => b.label) : undefined,
            now,
          );
          // A push is no turn of the conversation: it says its language itself (Zalo's numbered choices).
          if (getPerson(bound.db, attempt.personId)?.lang === 'en') replies = replies.map((r) => ({ ...r, lang: 'en' as const }));
          for (const r of replies) {
            const res = await bound.send(attempt.channel, externalId, r);
            if (res.kind !== 'ok') break;
          }
        } catch (err) {
          bound.onError?.(err);
        }
      }
    },
  };
  // A contest is a flow: it speaks the person's language whatever they type (a name, a unit),
  // and its replies say so (conversation/person-lang.ts).
  return speaksPersonLang(feature);
}

/** What `installQuiz` needs of the app (kept narrow so this module does not import app.ts). */
export interface QuizHost {
  db: Db;
  conversation: { features: Feature[] };
  channels: Map<ChannelName, { capabilities: Capabilities }>;
  logger: { error(obj: unknown, msg: string): void; info?(obj: unknown, msg: string): void };
  onStart(fn: () => Promise<void> | void): void;
  onStop(fn: () => Promise<void> | void): void;
  /**
   * The one sender: quiz pushes are queued, throttled behind nothing but other replies, retried,
   * logged, and a person who blocked the bot is marked gone (and not pushed to again).
   */
  sender: Pick<Sender, 'send'> & Partial<Pick<Sender, 'events'>>;
}

/** How often a timed pass that keeps failing is logged again (ms). */
export const ERROR_LOG_EVERY_MS = 60_000;

/** The quiz's due work in the running app: the feature, and a tick that sends through the one sender. */
export interface QuizRunner {
  feature: QuizFeature;
  tick(now: Date): Promise<void>;
}

/** Options of {@link installQuiz}. */
export interface InstallQuizOptions {
  /** Clock (tests). */
  now?: () => Date;
  /**
   * How often due work runs (ms); 0 disables the timer. Default: every second, or no timer when
   * a clock is injected: then a test drives time and calls `tick` itself, so a timer firing
   * between "the clock moved" and "the answer arrived" cannot change what the test sees.
   */
  intervalMs?: number;
}

/**
 * Connects the quiz feature to a running app: sending to group chats (live quizzes) and to
 * people whose question timed out, and a timer that performs due work. The timer also resumes
 * live quizzes after a restart, since their next step is stored with its due time.
 */
export function installQuiz(app: QuizHost, opts: InstallQuizOptions = {}): QuizRunner | undefined {
  const feature = app.conversation.features.find((f): f is QuizFeature => f.name === 'quiz');
  if (!feature) return undefined;
  const now = opts.now ?? (() => new Date());
  const io: QuizIO = {
    db: app.db,
    // Resolves with the message's last result (after the sender's retries). A live quiz posts
    // to a group chat, which is nobody's person row: nothing is marked gone there.
    send: (channel, to, reply) => app.sender.send({ channel, recipient: to, personId: personIdByExternal(app.db, channel, to) ?? null }, reply, 'quiz'),
    caps: (channel) => app.channels.get(channel)?.capabilities,
    onError: (err) => app.logger.error({ err }, 'quiz: background step failed'),
  };
  const tick = (at: Date): Promise<void> => feature.tick(at, io);
  // A question's clock starts when the person can see it: the sender tells when it was delivered
  // (after the reply queue and the channel's throttle, about a second on Telegram), not when the
  // previous answer was recorded and the question queued.
  app.sender.events?.on('delivered', (d: Delivered) => {
    const m = d.ref.match(/^qa:(\d+):(\d+)$/);
    if (m) startQuestionClockAt(app.db, Number(m[1]), Number(m[2]), d.at);
  });
  const every = opts.intervalMs ?? (opts.now ? 0 : 1000);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  // A pass that fails (a full disk, an I/O error) must not end the process as an unhandled
  // rejection, nor log every second while the cause lasts.
  const failures = repeatingFailureLog(app.logger, 'quiz: the timed pass failed (live quizzes and timed-out questions wait until it works again)', ERROR_LOG_EVERY_MS);
  app.onStart(() => {
    if (every <= 0) return;
    timer = setInterval(() => {
      if (running) return;
      running = tick(now())
        .then(
          () => failures.ok(),
          (err: unknown) => failures.failed(err),
        )
        .finally(() => (running = undefined));
    }, every);
    timer.unref();
  });
  app.onStop(async () => {
    if (timer) clearInterval(timer);
    await running;
  });
  return { feature, tick };
}
