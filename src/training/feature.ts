/**
 * Officials' training in the chat (issue 17, item 2): an official on the office's list (matched
 * by channel and platform user id) opens a training from the invitation or with /taphuan, reads
 * its approved articles one by one, and takes its test. The test is an attempt of the training's
 * contest run by the quiz engine (`quiz/feature.ts` startFor: questions, clock, late answers,
 * numbered replies on every channel); when its last question is settled, the quiz engine hands
 * the attempt to this feature (onFinish), which scores it against the pass mark: a pass marks the
 * official trained; a fail offers another try while tries are left (and says how many).
 *
 * Actions (ASCII, short: Telegram's callback data is 64 bytes):
 * - `tr:o:<training>` open: the introduction and the first article;
 * - `tr:a:<training>:<n>` article n (0-based);
 * - `tr:t:<training>` take (or retake) the test.
 */
import type { Button, Reply } from '../messages.js';
import type { Feature, TurnContext } from '../conversation/types.js';
import type { Db } from '../db/index.js';
import { plainText } from '../conversation/core-feature.js';
import {
  finishTrainingAttempt,
  invitedTrainings,
  officialForPerson,
  startTrainingAttempt,
  trainingAttemptOfQuiz,
  trainingAttemptsOf,
  type Official,
} from '../db/training.js';
import type { QuizFeature } from '../quiz/feature.js';
import type { Training, TrainingRegistry } from './definition.js';

/** The command, without '/'. */
export const TRAINING_COMMAND = 'taphuan';

/** Whether `correct` of `total` reaches a pass mark in percent. */
export function passes(correct: number, total: number, passMark: number): boolean {
  return total > 0 && correct * 100 >= passMark * total;
}

/** User-facing texts (NFC). Officials are addressed as "đồng chí", as offices write to them. */
export const TR = {
  notOfficialWeb: 'Tập huấn cán bộ diễn ra qua Telegram hoặc Zalo: đồng chí hãy nhắn /taphuan cho trợ lý trên một trong hai kênh đó.',
  notOfficial: (channel: string, id: string) =>
    `Tài khoản này chưa có trong danh sách cán bộ tập huấn của cơ quan. Nếu đồng chí thuộc diện tập huấn, hãy gửi cho cán bộ phụ trách kênh và mã tài khoản dưới đây để được thêm vào danh sách:\nKênh: ${channel}\nMã tài khoản: ${id}`,
  none: 'Hiện chưa có khoá tập huấn nào dành cho đồng chí.',
  list: 'Các khoá tập huấn dành cho đồng chí:',
  item: (title: string, state: string) => `• ${title}: ${state}`,
  passed: 'đã đạt',
  todo: 'chưa làm bài',
  failedSoFar: (left: number | null) => (left === null ? 'chưa đạt, được làm lại' : left > 0 ? `chưa đạt, còn ${left} lượt làm bài` : 'chưa đạt, đã hết lượt làm bài'),
  unknown: 'Khoá tập huấn này không còn hoặc không dành cho đồng chí. Gõ /taphuan để xem các khoá tập huấn của mình.',
  intro: (t: Training, articles: number, questions: number) =>
    `Tập huấn: ${t.title}\n${t.description ? `${t.description}\n` : ''}Đồng chí đọc ${articles} bài viết, sau đó làm bài kiểm tra ${questions} câu; đạt khi trả lời đúng từ ${t.pass_mark}% số câu.` +
    (t.attempts ? ` Mỗi người được làm bài tối đa ${t.attempts} lần.` : ' Chưa đạt thì được làm lại.'),
  articleTitle: (i: number, n: number, title: string) => `Bài ${i}/${n}: ${title}`,
  next: 'Bài tiếp theo',
  test: 'Làm bài kiểm tra',
  retry: 'Làm lại bài kiểm tra',
  reread: 'Đọc lại tài liệu',
  open: 'Bắt đầu tập huấn',
  alreadyPassed: (title: string) => `Đồng chí đã đạt bài kiểm tra “${title}” và đã được ghi nhận là đã tập huấn. Cảm ơn đồng chí!`,
  noTriesLeft: (n: number) => `Đồng chí đã làm bài kiểm tra đủ ${n} lần mà chưa đạt. Hãy liên hệ cán bộ phụ trách để được hướng dẫn.`,
  resultPassed: (correct: number, total: number, title: string) =>
    `🎉 Đồng chí trả lời đúng ${correct}/${total} câu và đã ĐẠT bài kiểm tra.\nĐồng chí đã được ghi nhận là đã tập huấn “${title}”. Cảm ơn đồng chí!`,
  resultFailed: (correct: number, total: number, passMark: number, left: number | null) =>
    `Đồng chí trả lời đúng ${correct}/${total} câu, CHƯA ĐẠT (cần đúng từ ${passMark}% số câu).\n` +
    (left === null ? 'Đồng chí có thể đọc lại tài liệu và làm lại bài kiểm tra.' : left > 0 ? `Đồng chí còn ${left} lượt làm bài: hãy đọc lại tài liệu rồi làm lại.` : 'Đồng chí đã hết lượt làm bài; hãy liên hệ cán bộ phụ trách.'),
  invite: (name: string, t: Training, articles: number, questions: number) =>
    `Kính gửi đồng chí ${name},\nCơ quan mời đồng chí tham gia tập huấn “${t.title}” ngay trên trợ lý này: đọc ${articles} bài viết rồi làm bài kiểm tra ${questions} câu (đạt khi đúng từ ${t.pass_mark}% số câu).` +
    (t.attempts ? ` Mỗi người được làm bài tối đa ${t.attempts} lần.` : '') +
    `\nHọ tên, đơn vị và kết quả bài kiểm tra của đồng chí được lưu để báo cáo chỉ tiêu tập huấn; gõ /dulieucuatoi để xem, /xoadulieu để yêu cầu xoá.`,
  reminder: (name: string, t: Training) =>
    `Kính gửi đồng chí ${name},\nĐồng chí chưa hoàn thành tập huấn “${t.title}”. Đề nghị đồng chí đọc tài liệu và làm bài kiểm tra ngay trên trợ lý này.`,
};

/** The trainings open to an official: approved, and for one of their groups (or every group). */
export function trainingsFor(registry: TrainingRegistry, o: Pick<Official, 'groupId'> & { groupIds?: readonly string[] }): Training[] {
  const mine = o.groupIds?.length ? o.groupIds : [o.groupId];
  return registry.trainings().filter((t) => t.status === 'approved' && (!t.groups || t.groups.some((g) => mine.includes(g))));
}

/** Tries left for a training: null when unlimited. */
function triesLeft(db: Db, o: Official, t: Training): number | null {
  if (!t.attempts) return null;
  return Math.max(0, t.attempts - trainingAttemptsOf(db, o.id, t.id).length);
}

function hasPassed(db: Db, o: Official, t: Training): boolean {
  return trainingAttemptsOf(db, o.id, t.id).some((a) => a.passed === true);
}

/** Dependencies of {@link createTrainingFeature}. */
export interface TrainingFeatureDeps {
  registry: TrainingRegistry;
  /** The quiz engine, which runs the tests. */
  quiz: Pick<QuizFeature, 'registry' | 'startFor' | 'onFinish'>;
}

/** The message that invites (or reminds) an official, with the button that opens the training. */
export function invitationReply(deps: Pick<TrainingFeatureDeps, 'quiz'>, o: Pick<Official, 'name'>, t: Training, kind: 'invite' | 'reminder'): Reply {
  const contest = deps.quiz.registry.get(t.quiz);
  const questions = contest ? Math.min(contest.draw, contest.questions.length) : 0;
  return {
    text: kind === 'invite' ? TR.invite(o.name, t, t.articles.length, questions) : TR.reminder(o.name, t),
    buttons: [{ label: TR.open, action: `tr:o:${t.id}` }],
  };
}

/** Creates the training feature and hooks its scoring into the quiz engine. */
export function createTrainingFeature(deps: TrainingFeatureDeps): Feature {
  const { registry, quiz } = deps;

  const official = (ctx: TurnContext): Official | undefined => officialForPerson(ctx.db, ctx.person);

  /** The official and the training, when this official may take it. */
  const resolve = (ctx: TurnContext, id: string): { o: Official; t: Training } | Reply[] => {
    const o = official(ctx);
    if (!o) return [{ text: ctx.caps.canPush === false ? TR.notOfficialWeb : TR.notOfficial(ctx.inbound.channel, ctx.person.externalId) }];
    const t = trainingsFor(registry, o).find((x) => x.id === id);
    if (!t) return [{ text: TR.unknown }];
    return { o, t };
  };

  const articleReply = (ctx: TurnContext, t: Training, n: number): Reply => {
    const id = t.articles[n]!;
    const a = ctx.knowledge.getArticle(id);
    const body =
      a && a.status === 'approved'
        ? a.passages.map((p) => (p.n === 0 ? plainText(p.text) : `${p.heading}\n${plainText(p.text)}`)).join('\n\n') + `\n\nNguồn: ${a.source.title}`
        : 'Bài viết này đang được cập nhật; đồng chí có thể bỏ qua và đọc bài tiếp theo.';
    const last = n + 1 >= t.articles.length;
    const buttons: Button[] = last ? [{ label: TR.test, action: `tr:t:${t.id}` }] : [{ label: TR.next, action: `tr:a:${t.id}:${n + 1}` }, { label: TR.test, action: `tr:t:${t.id}` }];
    return { title: TR.articleTitle(n + 1, t.articles.length, a?.title ?? id), text: body, buttons };
  };

  const open = (ctx: TurnContext, id: string): Reply[] => {
    const r = resolve(ctx, id);
    if (Array.isArray(r)) return r;
    const contest = quiz.registry.get(r.t.quiz);
    const questions = contest ? Math.min(contest.draw, contest.questions.length) : 0;
    return [{ text: TR.intro(r.t, r.t.articles.length, questions) }, articleReply(ctx, r.t, 0)];
  };

  const take = (ctx: TurnContext, id: string): Reply[] => {
    const r = resolve(ctx, id);
    if (Array.isArray(r)) return r;
    const { o, t } = r;
    if (hasPassed(ctx.db, o, t)) return [{ text: TR.alreadyPassed(t.title) }];
    const left = triesLeft(ctx.db, o, t);
    if (left === 0) return [{ text: TR.noTriesLeft(t.attempts!) }];
    const started = quiz.startFor(ctx, t.quiz, { name: o.name, unit: o.unit });
    if (started.attempt) startTrainingAttempt(ctx.db, { officialId: o.id, trainingId: t.id, quizAttemptId: started.attempt.id }, ctx.now);
    return started.replies;
  };

  const list = (ctx: TurnContext): Reply[] => {
    if (ctx.inbound.group) return [{ text: 'Đồng chí hãy gõ /taphuan trong tin nhắn riêng với trợ lý.' }];
    const o = official(ctx);
    if (!o) return [{ text: ctx.caps.canPush === false ? TR.notOfficialWeb : TR.notOfficial(ctx.inbound.channel, ctx.person.externalId) }];
    const mine = trainingsFor(registry, o);
    if (mine.length === 0) return [{ text: TR.none }];
    // The trainings they were invited to first, then the others.
    const invited = invitedTrainings(ctx.db, o.id);
    mine.sort((a, b) => (invited.indexOf(a.id) + 1 || 1e9) - (invited.indexOf(b.id) + 1 || 1e9));
    const lines = mine.map((t) => {
      const tries = trainingAttemptsOf(ctx.db, o.id, t.id).filter((a) => a.finishedAt);
      const state = hasPassed(ctx.db, o, t) ? TR.passed : tries.length === 0 ? TR.todo : TR.failedSoFar(triesLeft(ctx.db, o, t));
      return TR.item(t.title, state);
    });
    return [{ text: [TR.list, ...lines].join('\n'), buttons: mine.slice(0, 5).map((t) => ({ label: t.title.length > 60 ? `${t.title.slice(0, 57)}…` : t.title, action: `tr:o:${t.id}` })) }];
  };

  // Scores a training's test when the quiz engine settles its last question.
  quiz.onFinish((db, _contest, attempt, now) => {
    const ta = trainingAttemptOfQuiz(db, attempt.id);
    if (!ta) return null;
    const t = registry.training(ta.trainingId);
    const passMark = t?.pass_mark ?? 100;
    const ok = passes(attempt.correctCount, attempt.questionCount, passMark);
    finishTrainingAttempt(db, ta.id, { correct: attempt.correctCount, total: attempt.questionCount, passed: ok }, now);
    const title = t?.title ?? ta.trainingId;
    if (ok) return [{ text: TR.resultPassed(attempt.correctCount, attempt.questionCount, title) }];
    const left = t?.attempts ? Math.max(0, t.attempts - trainingAttemptsOf(db, ta.officialId, ta.trainingId).length) : null;
    const buttons: Button[] = left === 0 ? [] : [{ label: TR.reread, action: `tr:o:${ta.trainingId}` }, { label: TR.retry, action: `tr:t:${ta.trainingId}` }];
    return [{ text: TR.resultFailed(attempt.correctCount, attempt.questionCount, passMark, left), ...(buttons.length ? { buttons } : {}) }];
  });

  return {
    name: 'training',
    commands: { [TRAINING_COMMAND]: (ctx) => list(ctx) },
    actions: {
      tr: (ctx, payload) => {
        if (ctx.inbound.group) return [{ text: 'Đồng chí hãy gõ /taphuan trong tin nhắn riêng với trợ lý.' }];
        const [kind, id = '', n] = payload.split(':');
        if (kind === 'o') return open(ctx, id);
        if (kind === 't') return take(ctx, id);
        if (kind === 'a') {
          const r = resolve(ctx, id);
          if (Array.isArray(r)) return r;
          const i = Number(n);
          return Number.isInteger(i) && i >= 0 && i < r.t.articles.length ? [articleReply(ctx, r.t, i)] : [articleReply(ctx, r.t, 0)];
        }
        return list(ctx);
      },
    },
  };
}
