/**
 * Approving a Q&A written for unanswered questions: the questions are resolved and the
 * citizens who asked are told, on their own channel, that the answer is ready.
 *
 * Zalo only allows free messages within 7 days of the person's last interaction; outside it
 * the channel returns `outsideWindow`, which is recorded (not retried), like every other result.
 */
import type { App } from '../app.js';
import type { QaEntry } from '../knowledge/content.js';
import { resolveUnanswered } from '../db/questions.js';
import { recordAnswerNotification, unansweredWaitingFor } from '../db/admin.js';
import type { Reply, SendResult } from '../channels/channel.js';

/** Counts of notification results: ok, outsideWindow, gone, failed, skipped. */
export type NotifySummary = Record<string, number>;

/** The message a citizen receives when their question has been answered. */
export function answerReadyReply(question: string, qa: QaEntry): Reply {
  const asked = question.length > 200 ? `${question.slice(0, 197)}…` : question;
  return {
    title: 'Câu hỏi của bạn đã có câu trả lời',
    text: `Bạn đã hỏi: “${asked}”\n\n${qa.answer}\n\nNguồn: ${qa.sources.map((s) => [s.title, s.article].filter(Boolean).join(', ')).join('; ')}`,
  };
}

/**
 * Resolves the unanswered questions linked to `qa` and notifies each asker once. Returns the
 * counts by result. Never throws for a send failure: each one is recorded.
 */
export async function notifyAskers(app: App, qa: QaEntry, now: Date = new Date()): Promise<NotifySummary> {
  const waiting = unansweredWaitingFor(app.db, qa.id);
  const summary: NotifySummary = {};
  const count = (k: string): void => {
    summary[k] = (summary[k] ?? 0) + 1;
  };
  for (const w of waiting) {
    let result: SendResult | { kind: 'skipped'; reason: string };
    const channel = app.channels.get(w.channel);
    if (!w.externalId || w.personStatus !== 'active' || w.externalId.startsWith('erased:'))
      result = { kind: 'skipped', reason: 'the person left, blocked the bot or erased their data' };
    else if (!channel) result = { kind: 'skipped', reason: `channel ${w.channel} is not configured` };
    else {
      try {
        result = await channel.send(w.externalId, answerReadyReply(w.question, qa));
      } catch (err) {
        result = { kind: 'failed', reason: (err as Error).message };
      }
    }
    recordAnswerNotification(
      app.db,
      {
        unansweredId: w.id,
        personId: w.personId,
        channel: w.channel,
        qaId: qa.id,
        result: result.kind,
        reason: 'reason' in result ? result.reason : undefined,
      },
      now,
    );
    count(result.kind);
  }
  resolveUnanswered(
    app.db,
    waiting.map((w) => w.id),
    'answered',
    qa.id,
    now,
  );
  return summary;
}
