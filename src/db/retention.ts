/**
 * Retention: what citizens wrote is kept for `months`, then only what the yearly report counts
 * stays. Older message texts and payloads are cleared (the rows stay: who, when, which channel,
 * which kind, answered or not), and so are the question texts of the staff queue and of the
 * answer feedback; officials taken off the training list are anonymised (the periods they were
 * listed stay, by person row, for the report's split of citizens and officials). Runs at start-up and
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
  /** Disinformation reports whose text and screenshot reference were cleared (`db/disinfo.ts`). */
  disinfoReports: number;
  /** Closed disinformation cases, last reported before the cut-off, whose reported text was cleared. */
  disinfoCases: number;
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
  const result: RetentionResult = { messages: 0, unanswered: 0, feedback: 0, officials: 0, disinfoReports: 0, disinfoCases: 0 };
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
  // The link to their person row goes too, but first the periods they were on the list are kept
  // by person row (official_spells, migration 110: no name, unit or group), so that the yearly
  // reports of those years still count that person's messages and questions as an official's,
  // not a citizen's (a report made again gives the figures filed).
  const due = db.prepare(
    `SELECT id FROM training_officials WHERE removed_at IS NOT NULL AND removed_at < ? AND external_id NOT LIKE 'erased:%' ORDER BY id LIMIT ?`,
  ).pluck();
  const keepSpells = db.prepare(
    `INSERT INTO official_spells (person_id, valid_from, valid_to)
     SELECT p.id, m.valid_from, m.valid_to FROM training_officials o
       JOIN people p ON p.id = o.person_id OR (o.person_id IS NULL AND p.channel = o.channel AND p.external_id = o.external_id)
       JOIN training_memberships m ON m.official_id = o.id
      WHERE o.id IN (SELECT value FROM json_each(?))`,
  );
  const anonymise = db.prepare(
    `UPDATE training_officials SET name = '(đã xoá)', external_id = 'erased:' || id, person_id = NULL WHERE id IN (SELECT value FROM json_each(?))`,
  );
  for (;;) {
    const n = db.transaction(() => {
      const ids = JSON.stringify(due.all(cutoff, batch));
      keepSpells.run(ids);
      return anonymise.run(ids).changes;
    })();
    result.officials += n;
    if (n < batch) break;
  }
  // What a citizen reported as disinformation is their words like any message: cleared after the
  // same time. The rows stay (who reported which case, told or not; the case's counts). A case
  // still open keeps its text, which staff need to finish it; a closed one keeps its link (the
  // item, not the reporter's words) and loses its text, and a text case stops matching new
  // reports (its match key held the folded text).
  result.disinfoReports = loop(
    `UPDATE disinfo_reports SET text = NULL, media_ref = NULL
     WHERE id IN (SELECT id FROM disinfo_reports WHERE created_at < ? AND (text IS NOT NULL OR media_ref IS NOT NULL) LIMIT ?)`,
  );
  result.disinfoCases = loop(
    `UPDATE disinfo_cases
        SET text = CASE WHEN url IS NULL THEN '${RETENTION_PLACEHOLDER}' END, media_ref = NULL,
            match_key = CASE WHEN match_key LIKE 'u:%' THEN match_key ELSE 'x:' || id END
      WHERE id IN (SELECT id FROM disinfo_cases
                    WHERE last_at < ? AND status IN ('handled', 'not_false', 'out_of_scope')
                      AND ((text IS NOT NULL AND text <> '${RETENTION_PLACEHOLDER}') OR media_ref IS NOT NULL)
                    LIMIT ?)`,
  );
  return result;
}
