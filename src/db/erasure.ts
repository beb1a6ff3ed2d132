/**
 * Identifiers an erasure removes (Law 91/2025/QH15 on personal data, in force since 1/1/2026).
 *
 * A platform user id, chat id or web session id identifies a person as surely as a name: once
 * someone asks to be forgotten, none may stay beside the anonymous rows the office keeps for its
 * reports. Each column that can hold one is listed here once, with the statement that clears it,
 * so that one list answers "where do we keep ids?" and a test (`test/db/erasure.test.ts`) fails
 * when a migration adds an id column that is not on it.
 *
 * Erased values are dropped (NULL) where the column allows it, and otherwise replaced by a value
 * derived from our own row id (`erased:<id>`), never from the identifier: nothing is left to
 * reverse, and unique constraints stay valid (live values never contain `erased:`; the ones that
 * could are not unique). A table that does not exist yet in this database (a migration still to
 * come, a feature not installed) is skipped.
 */
import type { Db } from './index.js';

/** Who is being erased: the internal id and the identity as the channel knows it. */
export interface ErasedIdentity {
  personId: number;
  channel: string;
  externalId: string;
}

/** One column that can hold a platform id or a web session id, and how erasure clears it. */
export interface IdentifierColumn {
  table: string;
  column: string;
  /** What the value is, for the reader and the docs. */
  holds: string;
  /** Named parameters: `@personId`, `@channel`, `@externalId`. */
  sql: string;
}

/** What a NOT NULL recipient column is set to once its person is erased. */
export const ERASED_RECIPIENT = 'erased';

/**
 * Every column outside `people` that can hold a citizen's platform id or web session id.
 * `people.external_id` itself is replaced by `erasePerson` (`erased:<id>`), last.
 */
export const IDENTIFIER_COLUMNS: readonly IdentifierColumn[] = [
  {
    table: 'messages',
    column: 'dedupe_key',
    holds: 'the inbound event key: Telegram chat id, web session id',
    sql: 'UPDATE messages SET dedupe_key = NULL WHERE person_id = @personId AND dedupe_key IS NOT NULL',
  },
  {
    table: 'deliveries',
    column: 'recipient',
    holds: 'the chat id a campaign was sent to (snapshot)',
    sql: `UPDATE deliveries SET recipient = '${ERASED_RECIPIENT}'
           WHERE person_id = @personId OR (channel = @channel AND recipient = @externalId)`,
  },
  {
    table: 'answer_notices',
    column: 'recipient',
    holds: 'the chat id an "your question is answered" notice goes to',
    sql: `UPDATE answer_notices SET recipient = NULL
           WHERE person_id = @personId OR (channel = @channel AND recipient = @externalId)`,
  },
  {
    table: 'sends',
    column: 'recipient',
    holds: 'the chat id of a queued reply, quiz push or notice',
    sql: `UPDATE sends SET recipient = NULL
           WHERE person_id = @personId OR (channel = @channel AND recipient = @externalId)`,
  },
  {
    table: 'telegram_polls',
    column: 'chat_id',
    holds: "the chat a quiz poll was sent to (a private chat's id is the user's id)",
    sql: `DELETE FROM telegram_polls WHERE @channel = 'telegram' AND chat_id = @externalId`,
  },
  {
    table: 'quiz_live_sessions',
    column: 'started_by',
    holds: 'the platform id of whoever started a live group quiz',
    sql: `UPDATE quiz_live_sessions SET started_by = '${ERASED_RECIPIENT}' WHERE channel = @channel AND started_by = @externalId`,
  },
  {
    table: 'quiz_live_sessions',
    column: 'chat_id',
    holds: 'the chat a live quiz ran in: a group, or a person in a private chat',
    // Unique among running sessions: a value of our own row id keeps that.
    sql: `UPDATE quiz_live_sessions SET chat_id = 'erased:' || id WHERE channel = @channel AND chat_id = @externalId`,
  },
  {
    table: 'zalo_submissions',
    column: 'user_id',
    holds: "the Zalo user id with the form a follower submitted",
    sql: `DELETE FROM zalo_submissions WHERE person_id = @personId OR (@channel = 'zalo' AND user_id = @externalId)`,
  },
  {
    table: 'answer_feedback',
    column: 'ref',
    holds: 'a hash of the channel, user id and event key (what the feedback buttons carry)',
    sql: `UPDATE answer_feedback SET ref = 'erased:' || id WHERE person_id = @personId`,
  },
  {
    table: 'disinfo_cases',
    column: 'media_ref',
    holds: "a case's item as a reporter sent it: replaced by another reporter's version, or cleared (the link and the counts stay)",
    // Runs before the reports go: it needs to know which cases the person reported.
    // The match key held the person's words (folded) or their screenshot's platform reference
    // (with which a Telegram file can still be downloaded) when their report opened the case: it
    // goes too, unless another reporter sent the same file (a link is the item, not their words).
    // A key that names the file, not their copy (Telegram's file_unique_id 'tg:', a picture's
    // content digest 'sha256:'), is shared by every report of the case with a picture.
    sql: `UPDATE disinfo_cases
             SET text = (SELECT r.text FROM disinfo_reports r WHERE r.case_id = disinfo_cases.id AND r.person_id <> @personId ORDER BY r.id LIMIT 1),
                 media_ref = (SELECT r.media_ref FROM disinfo_reports r WHERE r.case_id = disinfo_cases.id AND r.person_id <> @personId ORDER BY r.id LIMIT 1),
                 match_key = CASE
                   WHEN match_key LIKE 'm:%' AND NOT EXISTS (SELECT 1 FROM disinfo_reports r WHERE r.case_id = disinfo_cases.id AND r.person_id <> @personId
                                                             AND (r.media_ref = substr(match_key, 3) OR ((match_key LIKE 'm:tg:%' OR match_key LIKE 'm:sha256:%') AND r.media_ref IS NOT NULL)))
                     THEN 'x:' || id
                   WHEN match_key LIKE 't:%' AND (SELECT r.person_id FROM disinfo_reports r WHERE r.case_id = disinfo_cases.id ORDER BY r.id LIMIT 1) = @personId
                     THEN 'x:' || id
                   ELSE match_key END
           WHERE id IN (SELECT case_id FROM disinfo_reports WHERE person_id = @personId)`,
  },
  {
    table: 'disinfo_reports',
    column: 'media_ref',
    holds: 'a disinformation report (what the person reported, with any screenshot reference): the whole row goes',
    sql: `DELETE FROM disinfo_reports WHERE person_id = @personId`,
  },
  {
    table: 'training_officials',
    column: 'external_id',
    holds:
      "an official on the training list (name and account): anonymised; the group, unit and whether trained stay for the coverage figures, and the link to the person row (anonymised too, a row number) so that the report still knows this anonymous person was an official: their past messages and questions stay out of the citizens' figures",
    // person_id is set, not cleared: an official matched by account only (never linked) is linked
    // now, as the account that matched is about to go.
    sql: `UPDATE training_officials SET name = '(đã xoá)', external_id = 'erased:' || id, person_id = @personId
           WHERE person_id = @personId OR (channel = @channel AND external_id = @externalId)`,
  },
];

/** Whether `table` exists with `column` (a migration may not have run, or not yet been written). */
function hasColumn(db: Db, table: string, column: string): boolean {
  const cols = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
  return cols.includes(column);
}

/**
 * Clears every identifier of {@link IDENTIFIER_COLUMNS} for one person. Runs inside
 * `erasePerson`'s transaction, before the person's own external id is replaced. Returns how many
 * rows changed per `table.column` (counts only: they go to the audit log).
 */
export function eraseIdentifiers(db: Db, who: ErasedIdentity): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const c of IDENTIFIER_COLUMNS) {
    if (!hasColumn(db, c.table, c.column)) continue;
    const n = db.prepare(c.sql).run(who).changes;
    if (n > 0) changed[`${c.table}.${c.column}`] = n;
  }
  return changed;
}
