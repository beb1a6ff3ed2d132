/**
 * Retention: what citizens wrote is kept for `months`, then only what the yearly report counts
 * stays. Older message texts and payloads are cleared (the rows stay: who, when, which channel,
 * which kind, answered or not), and so are the question texts of the staff queue and of the
 * answer feedback; officials taken off the training list are anonymised. Runs at start-up and
 * then daily, in small batches so webhooks never wait on one long transaction.
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';

/** What replaces a question text cleared by retention (staff may still see the row). */
export const RETENTION_PLACEHOLDER = '(đã xoá nội dung theo thời hạn lưu trữ)';

export interface RetentionResult {
  messages: number;
  unanswered: number;
  feedback: number;
  /** Officials taken off the training list before the cut-off, anonymised (`db/training.ts`). */
  officials: number;
}

/** The cut-off: `months` calendar months before `now` (UTC). */
export function retentionCutoff(now: Date, months: number): Date {
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

/**
 * Clears texts older than `months` (0: keeps everything). Messages still waiting to be
 * processed are left alone: a crash must never lose an accepted message.
 */
export function applyRetention(db: Db, months: number, now: Date = new Date(), batch = 5000): RetentionResult {
  const result: RetentionResult = { messages: 0, unanswered: 0, feedback: 0, officials: 0 };
  if (months <= 0) return result;
  const cutoff = nowIso(retentionCutoff(now, months));
  const loop = (sql: string): number => {
    const stmt = db.prepare(sql);
    let total = 0;
    for (;;) {
      const n = stmt.run(cutoff, batch).changes;
      total += n;
      if (n < batch) return total;
    }
  };
  result.messages = loop(
    `UPDATE messages SET text = NULL, payload = NULL
     WHERE id IN (SELECT id FROM messages
                  WHERE created_at < ? AND (text IS NOT NULL OR payload IS NOT NULL)
                    AND (direction = 'out' OR processed_at IS NOT NULL)
                  LIMIT ?)`,
  );
  result.unanswered = loop(
    `UPDATE unanswered SET question = '${RETENTION_PLACEHOLDER}', normalized = ''
     WHERE id IN (SELECT id FROM unanswered WHERE created_at < ? AND normalized <> '' LIMIT ?)`,
  );
  result.feedback = loop(
    `UPDATE answer_feedback SET question = '${RETENTION_PLACEHOLDER}', normalized = ''
     WHERE id IN (SELECT id FROM answer_feedback WHERE created_at < ? AND normalized <> '' LIMIT ?)`,
  );
  // An official taken off the training list (left the post) is kept as long as a citizen's
  // texts are, then only what the coverage figures count stays (group, unit, trained or not).
  result.officials = loop(
    `UPDATE training_officials SET name = '(đã xoá)', external_id = 'erased:' || id, person_id = NULL
     WHERE id IN (SELECT id FROM training_officials WHERE removed_at IS NOT NULL AND removed_at < ? AND external_id NOT LIKE 'erased:%' LIMIT ?)`,
  );
  return result;
}
