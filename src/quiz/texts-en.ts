/**
 * The contest texts in English (issue 18), the same keys as the Vietnamese ones (./texts.ts), for
 * people answered in English. The contests themselves (questions, options, explanations) are
 * content and stay in the language they were written in. The live group quiz speaks to a whole
 * group, so its texts follow the contest's language (`lang` in the contest file), not a person's.
 */
import { getPerson } from '../db/people.js';
import type { Db } from '../db/index.js';
import type { Lang } from '../text/language.js';
import { Q } from './texts.js';
import { enDuration } from './scoring.js';
import { formatVietnamTime } from '../time/vietnam.js';

type Widen<V> = V extends string ? string : V extends (...args: infer A) => string ? (...args: A) => string : V;
/** The shape of one language's contest texts. */
export type QuizTexts = { readonly [K in keyof typeof Q]: Widen<(typeof Q)[K]> };

/** The English contest texts. */
export const Q_EN: QuizTexts = {
  duration: (ms: number) => enDuration(ms),
  time: (d: Date) => `${formatVietnamTime(d, 'HH:mm')} on ${formatVietnamTime(d, 'yyyy-MM-dd')}, Viet Nam time`,
  noneOpen: 'There is no contest open at the moment. Please come back later!',
  listTitle: 'Contests open now. Choose one to take part:',
  upcomingTitle: 'Opening soon (type /thi again when it opens):',
  upcomingItem: (title: string, organiser: string, opens: string) => `• ${title} (${organiser}), opens ${opens}`,
  listItem: (title: string, organiser: string, closes: string, done?: number) =>
    `• ${title} (${organiser}), closes ${closes}${done === undefined ? '' : `. You took part: ${done} points`}`,
  pastResultsTitle: 'Contests you took part in (closed):',
  pastResult: (title: string, closes: string, score: number, rank: number, of: number) =>
    `• ${title} (closed ${closes}): ${score} points, rank ${rank} of ${of} when it closed.`,
  pastUnranked: (title: string, closes: string) => `• ${title} (closes ${closes}): unfinished, not ranked.`,
  openResultsTitle: 'Contests you have taken (still open):',
  openResult: (title: string, score: number, rank: number, of: number, closes: string) =>
    `• ${title}: ${score} points, provisional rank ${rank} of ${of} (closes ${closes}).`,
  resultsNote: 'The official results and prizes are announced by the organisers. Type /thi to see the contests open now.',
  privateOnly: 'To take part, send /thi to the bot in a private message.',
  unknownContest: 'This contest was not found. Type /thi to see the contests open now.',
  notOpenYet: (opens: string) => `The contest is not open yet. It starts at ${opens}.`,
  closed: (closes: string) => `Sorry, the contest closed at ${closes}, so this answer was not counted. Thank you for your interest!`,
  alreadyDone: (score: number, total: number, closes: string) =>
    `You have used all your attempts at this contest (${total} per person). Your score: ${score}. The official results are announced after the contest closes (${closes}). Type /thi to see the other contests.`,
  intro: (title: string, organiser: string, n: number, secs: number, closes: string) =>
    `${title}\nOrganiser: ${organiser}\n\nThe contest has ${n} questions, with about ${secs} seconds for each. The server keeps the time; a late answer counts as wrong. Closes: ${closes}.`,
  consentAsk: (consent: string) => `Before you register, please read and confirm:\n${consent}`,
  consentYes: 'I agree',
  consentNo: 'I do not agree',
  consentDeclined: 'You have not agreed, so you cannot register yet. Type /thi to start again at any time.',
  askName: 'Please type your full name, for example: Nguyen Thi Lan.',
  badName: 'Your name needs 2 to 80 letters. Please type your full name again.',
  nameNoMarks: (name: string) =>
    `You typed your name without diacritics: “${name}”. It will appear so in the results and on certificates. If it has diacritics, please type it again with them; if it is right, choose “Keep this name”.`,
  keepName: 'Keep this name',
  askUnit: 'Which unit are you from (youth union branch, school, agency, or commune/ward)?',
  badUnit: 'The unit name needs 2 to 120 characters. Please type it again.',
  askPhone: (required: boolean) =>
    required
      ? 'Please type your phone number so that the organisers can contact you about prizes (for example 0912345678).'
      : 'Please type your phone number so that the organisers can contact you about prizes (for example 0912345678), or tap “Skip”.',
  skipPhone: 'Skip',
  badPhone: 'That phone number is not right. Please type 10 digits, for example 0912345678.',
  phoneUsed: (attempts: number) =>
    `This phone number has already been used for this contest (${attempts} ${attempts === 1 ? 'attempt' : 'attempts'} per phone number, on any channel). If you mistyped it, type the right number.`,
  cancel: 'Cancel registration',
  cancelled: 'Registration cancelled. Type /thi when you want to take part.',
  ready: (name: string, unit: string | null, n: number) =>
    `Thank you, ${name}${unit ? ` (${unit})` : ''}! You are registered.\nWhen you tap “Start”, the ${n} questions will appear one by one and the clock starts.`,
  closingSoon: (closes: string, leftMin: number, needMin: number) =>
    `⚠️ The contest closes at ${closes}, about ${leftMin} minute(s) from now, and the test may take up to ${needMin} minute(s). Questions not done by then are not counted, and an unfinished attempt is not ranked.`,
  start: 'Start',
  questionTitle: (i: number, n: number) => `Question ${i}/${n}`,
  timeLeft: (s: number) => `⏱ Time: ${s} seconds.`,
  answerHint: (n: number) => `Tap an answer or type a number from 1 to ${n}.`,
  right: (points: number) => `✅ Correct! +${points} points.`,
  wrong: (shown: number, text: string) => `❌ Not right. The correct answer is ${shown}. ${text}`,
  late: (shown: number, text: string) => `⏰ Time is up! The answer was not counted. The correct answer is ${shown}. ${text}`,
  timedOut: (i: number, shown: number, text: string) => `⏰ Time is up for question ${i}. The correct answer is ${shown}. ${text}`,
  explain: (e: string) => `💡 ${e}`,
  stale: 'That question has passed. Please answer the current one.',
  duplicate: 'Your answer to this question has already been recorded.',
  expired: (i: number) => `⏰ Time was up for question ${i} before you answered, so this answer was not counted.`,
  stopAsk: (title: string, answered: number, score: number, n: number, left: number, attemptsLeft: number, attempts: number, closes: string, ranked: boolean) =>
    `Do you want to stop the contest “${title}”?\n` +
    `• If you stop, your answers are handed in now: the ${answered} answered questions are kept (${score} points), the rest count 0${ranked ? ', and you are still ranked' : ''}.\n` +
    (!ranked
      ? ''
      : attemptsLeft > 0
      ? `• You will then have ${attemptsLeft} more attempt(s), until ${closes}.\n`
      : `• Each person may take part ${attempts} time(s), so you cannot take it again, even before it closes.\n`) +
    `• The contest cannot be paused: question ${n} is still timed (about ${left} seconds left); a question not answered in time scores 0.\n` +
    `To stop, tap or type “Stop and hand in”. To go on, just answer question ${n} below.`,
  stopButton: 'Stop and hand in',
  submittedEarly: (score: number, right: number, n: number, time: string) =>
    `📝 You stopped and handed in.\nScore: ${score} (${right}/${n} correct; unanswered questions score 0 and count their full time), time taken: ${time}.`,
  notAnAnswer: (n: number) => `That is not one of the answers. Choose an option (or type a number from 1 to ${n}); to stop the contest, type “stop”.`,
  finished: (score: number, right: number, n: number, time: string) =>
    `🎉 You have finished the contest!\nScore: ${score} (${right}/${n} correct), time taken: ${time}.`,
  rank: (rank: number, of: number) => `Provisional rank: ${rank}/${of}.`,
  predictAsk: (q: string) => `Tie-break question (used to rank equal scores): ${q}\nPlease type a number.`,
  badPrediction: 'Please type a number (for example 1250) for the prediction question, or “skip” if you do not want to predict.',
  predictionSkipped: 'The prediction is skipped. You are still ranked (on equal scores, those who predicted come first).',
  predicted: (p: number) => `Your prediction is recorded: ${p}.`,
  finalNote: (closes: string) => `The official results will be announced after the contest closes (${closes}). Thank you for taking part!`,
  waitingInput: 'You are registering for a contest.',
  resume: 'You have a contest in progress; here it continues:',
  goneCancelled: 'This registration was cancelled, so this button no longer works.',
  goneDone: (score: number, closes: string) =>
    `You have finished this contest (${score} points), so this button no longer works. The official results will be announced after the contest closes (${closes}).`,
  goneTest: 'This test is finished, so this button no longer works. Type /taphuan to see your training results.',
  goneClosed: 'This attempt was stopped and is not ranked, so this button no longer works.',
  registerAgain: 'Register',
  otherContests: 'Type /thi to see the open contests.',
  resumeOther: (current: string, wanted: string) =>
    `You have “${current}” in progress. One contest at a time: finish this one, then type /thi to choose “${wanted}”. Here it continues:`,
  endedUnfinished: (title: string, closes: string) => `The contest “${title}” closed at ${closes}; your unfinished attempt is not ranked.`,
  phoneInProgress: 'This phone number is in use by an unfinished attempt at this contest (perhaps on another channel). Please carry on with it where you started: an unanswered question counts as timed out. If you mistyped it, type the right number.',
  help: '• /thi – take part in a contest (in a private message).',

  // Live group quiz
  liveNotGroup: 'The /quizgroup command works only in a group.',
  liveNotOrganiser: 'Only a configured organiser can start or stop a live quiz in a group.',
  liveUsage: (ids: string) => `Usage: /quizgroup <contest id>. Contest ids: ${ids}.`,
  liveNoTelegram: 'Live group quizzes run only on Telegram for now.',
  liveRunning: 'A live quiz is already running in this group. Type /quizstop to stop it before starting a new one.',
  liveStart: (title: string, n: number, secs: number) =>
    `🎯 Live quiz: ${title}\n${n} questions, ${secs} seconds each. Answer correctly and quickly to score more. The first question is coming up!`,
  liveNone: 'No live quiz is running in this group.',
  liveAnswer: (i: number, shown: number, text: string, right: number, answered: number) =>
    `Question ${i}: the correct answer is ${shown}. ${text}\n${right} of ${answered} answered correctly.`,
  liveBoard: (title: string) => title,
  liveBoardAfter: (i: number, n: number) => `🏆 Leaderboard after question ${i}/${n}:`,
  liveBoardFinal: '🏁 Final results:',
  liveStopped: '⏹ The live quiz has been stopped.',
  liveNobody: 'Nobody has answered yet.',
  liveEntry: (rank: number, name: string, score: number, correct: number) => `${rank}. ${name}: ${score} points (${correct} correct)`,
  anonymous: 'Member',
};

/** The contest texts of a language. */
export function quizTexts(lang: Lang | undefined): QuizTexts {
  return lang === 'en' ? Q_EN : Q;
}

/** The contest texts of a person's language (a contest is a flow: it follows the person, not one message). */
export function quizTextsOf(db: Db, personId: number | null): QuizTexts {
  return quizTexts(personId === null ? 'vi' : getPerson(db, personId)?.lang);
}
