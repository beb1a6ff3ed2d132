/**
 * Approving a Q&A written for unanswered questions (or a new wording attached to an approved
 * one): the questions are resolved and the citizens who asked are told, on their own channel,
 * that the answer is ready.
 *
 * The notices are not sent from the request: they are queued as `answer_notices` rows and the
 * outbox workers send them through the channel throttles (`campaigns/outbox.ts`), the same
 * durable, rate-limited and crash-safe path as campaigns. A hundred askers approved at once
 * therefore never trip Telegram's or Zalo's limits, a restart loses none, a person who blocked
 * the bot is skipped, and a Zalo user outside the 7-day window is recorded `outside_window`
 * (not retried). Each row is the per-asker result staff see on the entry's page.
 *
 * The web chat cannot be pushed to: a web asker's notice is `held` (with a `held` row of the
 * sender, `sends`), shown when the visitor comes back to the chat (the widget asks on load), and
 * `sent` from then on.
 */
import type { QaEntry } from '../knowledge/content.js';
import { resolveUnanswered } from '../db/questions.js';
import { linkUnansweredToDraft, openUnlinkedUnanswered, unansweredWaitingFor } from '../db/admin.js';
import { enqueueNotices, noticeIdFor, type NewNotice, type NoticeStatus } from '../db/notices.js';
import { insertSends } from '../db/sends.js';
import { HELD_TTL_MS } from '../sender/sender.js';
import type { Reply } from '../messages.js';
import type { AdminDeps } from './context.js';
import type { Db } from '../db/index.js';
import { getPerson } from '../db/people.js';
import { detectLanguage, type Lang } from '../text/language.js';
import { LANG_TEXTS } from '../conversation/texts-en.js';
import { foldedCanonical } from '../text/vietnamese.js';
import { foldMemo } from './cluster.js';

/** Counts of queued notices by their first status: pending, unreachable, gone, skipped. */
export type NotifySummary = Partial<Record<NoticeStatus, number>>;

/** Why an asker on a channel without push cannot be told (kept for callers; web askers are now `held`). */
export const WEB_UNREACHABLE = 'không thể gửi tới web chat: trang web không nhận được tin gửi sau và không giữ tin chờ người hỏi quay lại';

/** Why a person's second question for the same answer got no notice of its own (the entry's page). */
export const TOLD_TOGETHER = 'cùng người hỏi, đã được báo chung một tin với câu';

/** Staff-facing labels of notice statuses. */
export const NOTICE_STATUS_LABEL: Record<NoticeStatus, string> = {
  pending: 'Đang chờ gửi',
  sending: 'Đang gửi',
  sent: 'Đã gửi tới người hỏi',
  gone: 'Không gửi: người hỏi đã chặn bot hoặc rời đi',
  outside_window: 'Không gửi: quá 7 ngày không tương tác trên Zalo (trước khi Loa giữ tin chờ người hỏi nhắn lại)',
  failed: 'Gửi lỗi',
  unknown: 'Không rõ: gửi dở khi máy chủ dừng',
  unreachable: 'Không thể gửi tới web chat',
  held: 'Chờ người hỏi quay lại (web chat, hoặc nhắn lại OA Zalo)',
  skipped: 'Bỏ qua',
  cancelled: 'Đã huỷ',
};

/** The words of the notice, per language. */
const READY = {
  vi: { title: 'Câu hỏi của bạn đã có câu trả lời', asked: 'Bạn đã hỏi', sources: 'Nguồn' },
  en: { title: 'Your question has been answered', asked: 'You asked', sources: 'Sources' },
} as const;

/**
 * The message a citizen receives when their question has been answered, in `lang` (the language
 * the asker is answered in: {@link askerLang}). An English asker given a Vietnamese answer is
 * told so in one line, as in the chat.
 */
export function answerReadyReply(question: string, qa: QaEntry, lang: Lang = 'vi'): Reply {
  const asked = question.length > 200 ? `${question.slice(0, 197)}…` : question;
  const W = READY[lang];
  const note = lang === 'en' && qa.lang !== 'en' ? `${LANG_TEXTS.en.fallbackNote}\n\n` : '';
  return {
    title: W.title,
    text: `${W.asked}: “${asked}”\n\n${note}${qa.answer}\n\n${W.sources}: ${qa.sources.map((s) => [s.title, s.article].filter(Boolean).join(', ')).join('; ')}`,
    ...(lang === 'en' ? { lang } : {}),
  };
}

/**
 * The language an asker is told in: the language of their question when it is clear (the chat
 * answered it in that language), else the person's own.
 */
export function askerLang(db: Db, question: string, personId: number | null): Lang {
  return detectLanguage(question) ?? (personId === null ? undefined : getPerson(db, personId)?.lang) ?? 'vi';
}

/** The queue's questions folded, remembered per text (shared by every approval of this process). */
const queueFold = foldMemo();

/**
 * Links to `qa` the open unanswered questions that are word for word one of its wordings: the
 * same question asked again while an attachment waited for approval is answered by it now, and
 * its asker is told with the others instead of being left in the queue.
 */
function linkSameWordings(db: Db, qa: QaEntry, now: Date): void {
  // Compared as folded syllables: case, diacritics, punctuation and spacing aside. The queue's
  // texts are folded once each, not at every approval (cluster.ts foldMemo).
  const wordings = new Set([qa.question, ...qa.variants].map(foldedCanonical));
  const same = openUnlinkedUnanswered(db).filter((u) => wordings.has(queueFold(u.question)) || wordings.has(queueFold(u.normalized)));
  if (same.length) linkUnansweredToDraft(db, same.map((u) => u.id), qa.id, 'loa', now);
}

/**
 * Resolves the open unanswered questions linked to `qa` and queues one notice per asker for the
 * outbox (it is woken at once). Returns the counts by first status. Never sends from here.
 */
export function notifyAskers(app: Pick<AdminDeps, 'db' | 'channels' | 'campaigns'>, qa: QaEntry, now: Date = new Date(), revisionId: number | null = null): NotifySummary {
  linkSameWordings(app.db, qa, now);
  const waiting = unansweredWaitingFor(app.db, qa.id);
  const outbox = app.campaigns;
  // One notice per person: someone who asked twice (a re-ask and a 👎, or the same question
  // again in other words) was told the same answer twice, in full, and counted as two askers.
  // Their first question carries the notice; the others are resolved with it and recorded as
  // told together.
  const firstOf = new Map<number, (typeof waiting)[number]>();
  for (const w of waiting) if (w.personId !== null && !firstOf.has(w.personId)) firstOf.set(w.personId, w);
  const notices: NewNotice[] = waiting.map((w) => {
    const first = w.personId === null ? w : firstOf.get(w.personId)!;
    if (first !== w)
      return {
        unansweredId: w.id,
        personId: w.personId,
        channel: w.channel,
        recipient: null,
        entryId: qa.id,
        revisionId,
        reply: { text: '' },
        status: 'skipped',
        reason: `${TOLD_TOGETHER} “${first.question.length > 80 ? `${first.question.slice(0, 79)}…` : first.question}”`,
      };
    const base = {
      unansweredId: w.id,
      personId: w.personId,
      channel: w.channel,
      recipient: w.externalId,
      entryId: qa.id,
      revisionId,
      reply: answerReadyReply(w.question, qa, askerLang(app.db, w.question, w.personId)),
    };
    if (!w.externalId || w.personId === null || w.externalId.startsWith('erased:'))
      return { ...base, recipient: null, status: 'skipped', reason: 'người hỏi đã xoá dữ liệu của mình' };
    if (w.personStatus !== 'active') return { ...base, status: 'gone', reason: 'người hỏi đã chặn bot hoặc rời đi' };
    // A channel that cannot be pushed to keeps the notice until the asker comes back.
    if (app.channels.get(w.channel)?.capabilities.canPush === false) return { ...base, status: 'held', reason: 'chờ người hỏi quay lại web chat' };
    // Only channels with an outbox lane (a throttle and a worker) can be pushed to.
    if (!outbox?.throttles.has(w.channel) || !app.channels.has(w.channel))
      return { ...base, status: 'unreachable', reason: `kênh ${w.channel} chưa được cấu hình trên máy chủ này` };
    return base;
  });
  const summary: NotifySummary = {};
  app.db.transaction(() => {
    enqueueNotices(app.db, notices, now);
    // The held ones wait in the sender's queue too, as the message the visitor will see.
    for (const n of notices) {
      const id = n.status === 'held' ? noticeIdFor(app.db, n.unansweredId) : undefined;
      if (id === undefined || n.recipient === null) continue;
      insertSends(
        app.db,
        [{ channel: n.channel, personId: n.personId, recipient: n.recipient, kind: 'notice', reply: n.reply, status: 'held', ref: `notice:${id}`, expiresAt: new Date(now.getTime() + HELD_TTL_MS) }],
        now,
      );
    }
    resolveUnanswered(
      app.db,
      waiting.map((w) => w.id),
      'answered',
      qa.id,
      now,
    );
  })();
  // The summary counts people: a question told together with the same person's first is not one more.
  for (const n of notices) if (!n.reason?.startsWith(TOLD_TOGETHER)) summary[n.status ?? 'pending'] = (summary[n.status ?? 'pending'] ?? 0) + 1;
  if (summary.pending) outbox?.outbox.wake();
  return summary;
}
