/**
 * Who the yearly report counts, in one place: the people it reached (section 1) and the questions
 * they asked (section 3), for everyone, for the citizens, or for the officials of the training
 * list. `yearFigures` (`db/admin.ts`) and the officials' rows (`db/training.ts`) both call these
 * functions, so the citizens and the officials of a period are one split of the same people, by
 * the same rules: citizens + officials = everyone, on every row.
 *
 * The rules:
 *  - reached: a distinct person per channel who wrote to the bot (an inbound message with a
 *    person: text, a button, a quiz answer, a picture, a follow; not an unfollow, a block or an
 *    unblock) or was sent a campaign message (a delivery `sent`) in [from, to); `wrote` and
 *    `received` say which, a person may be both;
 *  - an official of the period: the person of an account that was on the training list at some
 *    time in [from, to) (a membership overlapping it): the person linked to the official row (a
 *    link an erasure keeps, so erasing an official does not move them to the citizens), or the
 *    person of the same channel and user id (never two erased rows: `erased:<n>` of the officials
 *    and `erased:<n>` of the people are row numbers of two tables, not one account);
 *  - a citizen: anyone else, including a question whose asker row is gone (no person);
 *  - what the period's figures count stands as it did in the period: a person's later opt-out,
 *    block or erasure, an official's anonymisation by retention, staff answering an old question
 *    change nothing in it (`subscriberFigures`, `official_spells`, the queue by `resolved_at`), so
 *    a report made again years later gives the figures filed.
 *
 * With a region `scope`, only people of those regions count, by the region they had chosen at
 * the period's end (`reportPersonInScope`: a later move or erasure changes nothing).
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { RegionScope } from './scope.js';

/**
 * "The person in `column` counts for the scope" for the figures of a period ending at `at`: the
 * region the person had chosen then. That is the region they have now, unless it changed since
 * (`region_changes`, migration 116: then the region before their first change after `at`), and
 * for a person who asked for erasure the region they had chosen then (`erased_regions`, migration
 * 110: their row no longer says it). So someone who moves to another commune, or asks for
 * erasure, stays in the reports already made of their old commune. `'1'` without a scope. Spread
 * `args` where `sql` sits.
 */
export function reportPersonInScope(column: string, scope: RegionScope, at: string): { sql: string; args: string[] } {
  if (!scope) return { sql: '1', args: [] };
  const regions = JSON.stringify(scope);
  return {
    sql: `${column} IN (
            SELECT id FROM people WHERE region IN (SELECT value FROM json_each(?)) AND id NOT IN (SELECT person_id FROM region_changes WHERE at >= ?)
            UNION ALL SELECT person_id FROM erased_regions WHERE region IN (SELECT value FROM json_each(?))
              AND person_id NOT IN (SELECT person_id FROM region_changes WHERE at >= ?)
            UNION ALL SELECT c.person_id FROM region_changes c WHERE c.at >= ? AND c.old_region IN (SELECT value FROM json_each(?))
              AND NOT EXISTS (SELECT 1 FROM region_changes e WHERE e.person_id = c.person_id AND e.at >= ? AND (e.at < c.at OR (e.at = c.at AND e.id < c.id))))`,
    args: [regions, at, regions, at, at, regions, at],
  };
}

/** Whose figures: every person, the citizens (not officials of the period), or the officials. */
export type Among = 'everyone' | 'citizens' | 'officials';

/** People reached on one channel (see the module's rules). */
export interface ReachedRow {
  channel: string;
  people: number;
  wrote: number;
  received: number;
}

/** The questions of a period, as section 3 of the yearly report counts them. */
export interface QuestionFigures {
  questions: { asked: number; answered: number; unanswered: number };
  questionsByChannel: { channel: string; asked: number; answered: number }[];
  /** The ten topics most asked among the answered questions. */
  topTopics: { topic: string; n: number }[];
  /**
   * What became of the questions the bot could not answer (queue items of kind `unanswered`), by
   * the period's end: answered or dismissed after it, an item is still `open` in this period.
   */
  unansweredResolved: { answered: number; dismissed: number; open: number };
  /**
   * What became of the answers people said were wrong (👎, or asked again: queue items of kind
   * `maybe_wrong`): the bot did answer those, so they are not "unanswered".
   */
  maybeWrong: { answered: number; dismissed: number; open: number };
}

/**
 * `officials(id)`, the people ids of the officials of [from, to), as the start of a WITH clause;
 * arguments: to, from, to, from. `listed` keeps the index of an official's memberships in use
 * (migration 101); `official_spells` are the periods of officials whose row retention
 * anonymised (`db/retention.ts`, migration 110).
 */
const OFFICIALS_CTE = `WITH listed AS (
         SELECT o.id, o.person_id, o.channel, o.external_id FROM training_officials o
          WHERE EXISTS (SELECT 1 FROM training_memberships m WHERE m.official_id = o.id AND m.valid_from < ? AND (m.valid_to IS NULL OR m.valid_to > ?))
       ), officials AS (
         SELECT person_id AS id FROM listed WHERE person_id IS NOT NULL
          UNION SELECT p.id FROM listed l JOIN people p ON p.channel = l.channel AND p.external_id = l.external_id
           WHERE l.external_id NOT LIKE 'erased:%'
          UNION SELECT person_id FROM official_spells WHERE valid_from < ? AND (valid_to IS NULL OR valid_to > ?)
       )`;

/** The WITH clause `among` needs (none for everyone) and its arguments. */
function officialsWith(among: Among, f: string, t: string): { sql: string; args: string[] } {
  return among === 'everyone' ? { sql: '', args: [] } : { sql: OFFICIALS_CTE, args: [t, f, t, f] };
}

/** "The person in `column` is one of `among`", as SQL (after {@link officialsWith}). */
function amongSql(column: string, among: Among): string {
  if (among === 'everyone') return '1';
  if (among === 'officials') return `${column} IN (SELECT id FROM officials)`;
  return `(${column} IS NULL OR ${column} NOT IN (SELECT id FROM officials))`;
}

/**
 * Inbound events that are not the person writing (`messages.kind`): a Zalo follower leaving, a
 * Telegram user blocking or unblocking the bot. They do not make anyone "reached" (migration 103).
 * A follow does: the person chose to follow and was welcomed.
 */
const NOT_WRITING = `'unfollow', 'blocked', 'unblocked'`;

/** True when a table exists (campaign tables come from another module's migrations). */
function hasTable(db: Db, name: string): boolean {
  return !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name);
}

/**
 * The people of `among` reached in [from, to), per channel (the module's rules), of the scope.
 *
 * @example reachedByChannel(db, from, to, null, 'citizens') // [{ channel: 'telegram', people: 12, wrote: 9, received: 5 }]
 */
export function reachedByChannel(db: Db, from: Date, to: Date, scope: RegionScope = null, among: Among = 'everyone'): ReachedRow[] {
  const f = nowIso(from);
  const t = nowIso(to);
  const w = officialsWith(among, f, t);
  // `+person_id`: the scope's people (or the officials) are thousands; without the `+` SQLite
  // looks up each one's messages by person (a row read per message) instead of reading the
  // period's covering index (migration 101).
  const msgScope = reportPersonInScope('+person_id', scope, t);
  const delScope = reportPersonInScope('person_id', scope, t);
  const hasDeliveries = hasTable(db, 'deliveries');
  // Each person once per channel with whether they wrote and whether they received, counted per
  // channel: one pass over the period's rows of two covering indexes.
  const sql = `${w.sql}
    SELECT channel, COUNT(*) AS people, SUM(w) AS wrote, SUM(r) AS received FROM (
      SELECT channel, person_id, MAX(w) AS w, MAX(r) AS r FROM (
        SELECT DISTINCT channel, person_id, 1 AS w, 0 AS r FROM messages
         WHERE direction = 'in' AND person_id IS NOT NULL AND created_at >= ? AND created_at < ? AND kind NOT IN (${NOT_WRITING})
           AND ${msgScope.sql} AND ${amongSql('+person_id', among)}
        UNION ALL
        ${
          hasDeliveries
            ? `SELECT DISTINCT channel, person_id, 0 AS w, 1 AS r FROM deliveries WHERE status = 'sent' AND finished_at >= ? AND finished_at < ? AND ${delScope.sql} AND ${amongSql('person_id', among)}`
            : `SELECT NULL, NULL, 0, 1 WHERE 0 AND ? AND ?`
        }
      ) GROUP BY channel, person_id
    ) GROUP BY channel ORDER BY channel`;
  return db.prepare(sql).all(...w.args, f, t, ...msgScope.args, f, t, ...(hasDeliveries ? delScope.args : [])) as ReachedRow[];
}

/**
 * The questions `among` asked in [from, to), of the scope: totals, per channel, the top topics of
 * the answered ones and what became of the unanswered ones.
 */
export function questionFigures(db: Db, from: Date, to: Date, scope: RegionScope = null, among: Among = 'everyone'): QuestionFigures {
  const f = nowIso(from);
  const t = nowIso(to);
  const w = officialsWith(among, f, t);
  const asker = reportPersonInScope('person_id', scope, t);
  const who = amongSql('person_id', among);
  const questionsByChannel = db
    .prepare(
      `${w.sql} SELECT channel, COUNT(*) AS asked, COALESCE(SUM(answered), 0) AS answered FROM questions
        WHERE created_at >= ? AND created_at < ? AND ${asker.sql} AND ${who} GROUP BY channel ORDER BY channel`,
    )
    .all(...w.args, f, t, ...asker.args) as QuestionFigures['questionsByChannel'];
  // The totals are the channels' sums (one pass over the period's questions, not two).
  const q = questionsByChannel.reduce((acc, c) => ({ asked: acc.asked + c.asked, answered: acc.answered + c.answered }), { asked: 0, answered: 0 });
  const qAsker = reportPersonInScope('q.person_id', scope, t);
  const topTopics = db
    .prepare(
      `${w.sql} SELECT j.value AS topic, COUNT(*) AS n FROM questions q, json_each(q.topics) j
        WHERE q.answered = 1 AND q.topics IS NOT NULL AND q.created_at >= ? AND q.created_at < ? AND ${qAsker.sql} AND ${amongSql('q.person_id', among)}
        GROUP BY j.value ORDER BY n DESC, topic LIMIT 10`,
    )
    .all(...w.args, f, t, ...qAsker.args) as QuestionFigures['topTopics'];
  // The staff queue holds two kinds of item (migration 060): questions without an answer, and
  // answers the person said were wrong. Counted together, an answer staff corrected was reported
  // as "an unanswered question staff answered".
  // As it stood at the period's end: an item staff answered after it is still waiting in that
  // period's report (made again later, the report gives the figures it gave when filed). A
  // resolved item without a time (rows written before resolved_at was kept) counts as resolved.
  const resolvedBy = (status: string) => `status = '${status}' AND (resolved_at IS NULL OR resolved_at < ?)`;
  const queue = db.prepare(
    `${w.sql} SELECT COALESCE(SUM(${resolvedBy('answered')}), 0) AS answered, COALESCE(SUM(${resolvedBy('dismissed')}), 0) AS dismissed,
            COUNT(*) AS n
       FROM unanswered WHERE kind = ? AND created_at >= ? AND created_at < ? AND ${asker.sql} AND ${who}`,
  );
  const stood = (kind: string): QuestionFigures['maybeWrong'] => {
    const r = queue.get(...w.args, t, t, kind, f, t, ...asker.args) as { answered: number; dismissed: number; n: number };
    return { answered: r.answered, dismissed: r.dismissed, open: r.n - r.answered - r.dismissed };
  };
  const unansweredResolved = stood('unanswered');
  const maybeWrong = stood('maybe_wrong');
  return { questions: { asked: q.asked, answered: q.answered, unanswered: q.asked - q.answered }, questionsByChannel, topTopics, unansweredResolved, maybeWrong };
}

/** The subscriber figures of a period (section 1), from `subscriber_history` (migration 110). */
export interface SubscriberFigures {
  /** People who began to consent to campaigns in the period (not consenting just before), per channel. */
  newSubscribersByChannel: { channel: string; n: number }[];
  /** People consenting and reachable (not blocked, not gone) at the period's end. */
  subscribersAtEnd: number;
}

/**
 * Subscribers of [from, to) of the scope, as they stood then: a later opt-out, block or erasure
 * does not change them (the person row holds only the present: unsubscribing clears its
 * consent_at, erasure its region), and someone choosing their topics again while subscribed is
 * not a new subscriber.
 *
 * @example subscriberFigures(db, from, to) // { newSubscribersByChannel: [{ channel: 'zalo', n: 3 }], subscribersAtEnd: 41 }
 */
export function subscriberFigures(db: Db, from: Date, to: Date, scope: RegionScope = null): SubscriberFigures {
  const f = nowIso(from);
  const t = nowIso(to);
  // The scope is a person's: their rows are all in or all out, so it filters before the window.
  const s = reportPersonInScope('person_id', scope, t);
  const newSubscribersByChannel = db
    .prepare(
      `SELECT channel, COUNT(DISTINCT person_id) AS n FROM (
         SELECT person_id, channel, at, consented, LAG(consented, 1, 0) OVER (PARTITION BY person_id ORDER BY at, id) AS before
           FROM subscriber_history WHERE at < ? AND ${s.sql}
       ) WHERE consented = 1 AND before = 0 AND at >= ? GROUP BY channel ORDER BY channel`,
    )
    .all(t, ...s.args, f) as SubscriberFigures['newSubscribersByChannel'];
  const subscribersAtEnd = (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM (
           SELECT person_id, consented, active, ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY at DESC, id DESC) AS latest
             FROM subscriber_history WHERE at < ? AND ${s.sql}
         ) WHERE latest = 1 AND consented = 1 AND active = 1`,
      )
      .get(t, ...s.args) as { n: number }
  ).n;
  return { newSubscribersByChannel, subscribersAtEnd };
}

/**
 * The contests that served as officials' training tests (an attempt of theirs is a training
 * attempt): section 6 counts them, not section 4, whether or not `content/quizzes/` still has the
 * test (`listed: false`): a test file removed after the year must not turn a filed report's
 * training into a contest.
 */
export function trainingTestContests(db: Db): string[] {
  if (!hasTable(db, 'training_attempts')) return [];
  return db
    .prepare(`SELECT DISTINCT q.contest_id FROM training_attempts t JOIN quiz_attempts q ON q.id = t.quiz_attempt_id ORDER BY 1`)
    .pluck()
    .all() as string[];
}
