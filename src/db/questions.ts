/** Questions asked (for reports) and unanswered questions (the staff queue). */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName } from '../messages.js';
import { registerEraser } from './people.js';
import { formatVietnamTime } from '../time/vietnam.js';

/** Records one question and whether it was answered. */
export function recordQuestion(
  db: Db,
  q: { personId: number | null; channel: ChannelName; answered: boolean; answerId?: string; topics?: string[]; score?: number },
  now: Date = new Date(),
): void {
  db.prepare(
    `INSERT INTO questions (person_id, channel, answered, answer_id, topics, score, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    q.personId,
    q.channel,
    q.answered ? 1 : 0,
    q.answerId ?? null,
    q.topics ? JSON.stringify(q.topics) : null,
    q.score ?? null,
    nowIso(now),
  );
}

/** Queues a question the knowledge base could not answer, for staff. */
export function recordUnanswered(
  db: Db,
  q: { personId: number | null; channel: ChannelName; question: string; normalized: string; suggestions: string[]; source?: string },
  now: Date = new Date(),
): number {
  const res = db
    .prepare(
      `INSERT INTO unanswered (person_id, channel, question, normalized, suggestions, created_at, source)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(q.personId, q.channel, q.question, q.normalized, JSON.stringify(q.suggestions), nowIso(now), q.source ?? null);
  return Number(res.lastInsertRowid);
}

/**
 * Most questions one person may have waiting in the staff queue from the last 24 hours. People
 * ask far fewer (a province's whole staff queue grows by some 30 a day); one account flooding
 * within the flood limits put 240 an hour there.
 */
export const PERSON_QUEUE_CAP = 20;

/**
 * Most questions one web chat source (an address, or an IPv6 /64; db/web-source.ts) may have
 * waiting in the staff queue from the last 24 hours. Generous on purpose: a commune office, a
 * school or a mobile carrier's NAT puts many people behind one address, and 300 is ten times a
 * province's whole daily queue. Without it one address, making new web visitors (60 an hour),
 * queued about 7,200 junk questions an hour within the flood limits.
 */
export const SOURCE_QUEUE_CAP = 300;

/** Whether a new unanswered question may join the staff queue, or which cap it meets. */
export type QueueRoom = 'ok' | 'person' | 'source';

/**
 * Room in the staff queue for one more item of this person (and web source): their open items
 * of the last 24 hours are counted, questions without an answer and answers sent back with a 👎
 * or a re-ask alike (a script can ask what has an answer and press 👎 as fast as it asks), so staff answering or dismissing them makes room
 * again, and a day later it is back. Counts at most `cap` rows through the open-question indexes.
 */
export function queueRoom(
  db: Db,
  q: { personId: number; source?: string },
  now: Date = new Date(),
  caps: { person?: number; source?: number } = {},
): QueueRoom {
  const since = nowIso(new Date(now.getTime() - 86_400_000));
  const person = caps.person ?? PERSON_QUEUE_CAP;
  const source = caps.source ?? SOURCE_QUEUE_CAP;
  const byPerson = db
    .prepare(
      `SELECT COUNT(*) FROM (SELECT 1 FROM unanswered INDEXED BY unanswered_person_open
        WHERE person_id = ? AND status = 'open' AND created_at > ? LIMIT ?)`,
    )
    .pluck()
    .get(q.personId, since, person) as number;
  if (byPerson >= person) return 'person';
  if (q.source === undefined) return 'ok';
  const bySource = db
    .prepare(
      `SELECT COUNT(*) FROM (SELECT 1 FROM unanswered INDEXED BY unanswered_source_open
        WHERE source = ? AND status = 'open' AND created_at > ? LIMIT ?)`,
    )
    .pluck()
    .get(q.source, since, source) as number;
  return bySource >= source ? 'source' : 'ok';
}

/**
 * Counts one question (or 👎) the queue's caps turned away, by Vietnam day and cap
 * (migration 119): staff see on the dashboard how often the caps refuse.
 */
export function noteTurnedAway(db: Db, cap: Exclude<QueueRoom, 'ok'>, now: Date = new Date()): void {
  db.prepare(
    `INSERT INTO queue_turned_away (day, cap, count) VALUES (?, ?, 1)
     ON CONFLICT (day, cap) DO UPDATE SET count = count + 1`,
  ).run(formatVietnamTime(now, 'yyyy-MM-dd'), cap);
}

/** Questions turned away by each cap over the last `days` Vietnam days, today included. */
export function turnedAwayLately(db: Db, now: Date = new Date(), days = 7): { person: number; source: number } {
  const since = formatVietnamTime(new Date(now.getTime() - (days - 1) * 86_400_000), 'yyyy-MM-dd');
  const rows = db.prepare(`SELECT cap, SUM(count) AS n FROM queue_turned_away WHERE day >= ? GROUP BY cap`).all(since) as { cap: string; n: number }[];
  const of = (cap: string): number => rows.find((r) => r.cap === cap)?.n ?? 0;
  return { person: of('person'), source: of('source') };
}

/**
 * The person's latest questions waiting in the staff queue (not answered, not dismissed), newest
 * first, at most `limit`: a question asked again while it waits is not queued again
 * (conversation/core-feature.ts), or staff would see it twice and the person be told twice once
 * it is answered. People repeat a question soon after it got no answer; the bound keeps each
 * no-answer's look-up small (it read and folded up to 200 rows).
 */
export function openUnansweredOf(db: Db, personId: number, limit = 30): { question: string; normalized: string; createdAt: string }[] {
  return db.prepare(OPEN_OF_PERSON_SQL).all(personId, limit) as { question: string; normalized: string; createdAt: string }[];
}

/**
 * {@link openUnansweredOf}'s query. INDEXED BY: without statistics SQLite picked unanswered_kind
 * (kind, status, created_at), which serves the ORDER BY but walks every open question of
 * everyone until this person's turn up (~0.3 ms a question in the Telegram bench, whose
 * sustained question rate fell from 900/s to 250/s with it).
 */
export const OPEN_OF_PERSON_SQL = `SELECT question, normalized, created_at AS createdAt FROM unanswered INDEXED BY unanswered_person_open
  WHERE person_id = ? AND status = 'open' AND kind = 'unanswered' ORDER BY created_at DESC LIMIT ?`;

/** An unanswered question in the staff queue. */
export interface UnansweredRow {
  id: number;
  personId: number | null;
  channel: ChannelName;
  question: string;
  normalized: string;
  suggestions: string[];
  status: 'open' | 'answered' | 'dismissed';
  answerId: string | null;
  createdAt: string;
  /** Unanswered, or answered but maybe wrong (a 👎 or a re-ask). */
  kind: QueueKind;
  /** For `maybe_wrong`: the entry the bot answered with. */
  givenAnswerId: string | null;
}

/** Open unanswered questions, newest first. */
export function listUnanswered(db: Db, status: UnansweredRow['status'] = 'open', limit = 500): UnansweredRow[] {
  const rows = db
    .prepare('SELECT * FROM unanswered WHERE status = ? ORDER BY created_at DESC LIMIT ?')
    .all(status, limit) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: r.id as number,
    personId: r.person_id as number | null,
    channel: r.channel as ChannelName,
    question: r.question as string,
    normalized: r.normalized as string,
    suggestions: r.suggestions ? (JSON.parse(r.suggestions as string) as string[]) : [],
    status: r.status as UnansweredRow['status'],
    answerId: r.answer_id as string | null,
    createdAt: r.created_at as string,
    kind: r.kind === 'maybe_wrong' ? 'maybe_wrong' : 'unanswered',
    givenAnswerId: (r.given_answer_id as string | null) ?? null,
  }));
}

/** Marks unanswered questions resolved by a Q&A (or dismissed). */
export function resolveUnanswered(
  db: Db,
  ids: number[],
  status: 'answered' | 'dismissed',
  answerId: string | null,
  now: Date = new Date(),
): void {
  const stmt = db.prepare('UPDATE unanswered SET status = ?, answer_id = ?, resolved_at = ? WHERE id = ?');
  db.transaction(() => {
    for (const id of ids) stmt.run(status, answerId, nowIso(now), id);
  })();
}

/** Vietnamese label staff see on a queue item of this kind. */
export const QUEUE_KIND_LABELS = {
  unanswered: 'Chưa có câu trả lời',
  maybe_wrong: 'Đã trả lời, có thể sai',
} as const;

/** What a staff-queue item is: a question without an answer, or an answer that may be wrong. */
export type QueueKind = keyof typeof QUEUE_KIND_LABELS;

/** Why an answered question was sent to staff: the person pressed 👎, or asked again in other words. */
export type MaybeWrongReason = 'feedback' | 'reask';

/** One answer the bot chose for a free-text question, with the person's feedback. */
export interface AnswerGiven {
  id: number;
  ref: string;
  personId: number | null;
  channel: ChannelName;
  question: string;
  normalized: string;
  answerId: string;
  answerTitle: string | null;
  createdAt: string;
  vote: 'up' | 'down' | null;
  /** The staff-queue item raised for it, once it was sent there. */
  unansweredId: number | null;
}

function answerGivenOf(r: Record<string, unknown>): AnswerGiven {
  return {
    id: r.id as number,
    ref: r.ref as string,
    personId: r.person_id as number | null,
    channel: r.channel as ChannelName,
    question: r.question as string,
    normalized: r.normalized as string,
    answerId: r.answer_id as string,
    answerTitle: r.answer_title as string | null,
    createdAt: r.created_at as string,
    vote: r.vote as AnswerGiven['vote'],
    unansweredId: r.unanswered_id as number | null,
  };
}

/**
 * Records an answer given to a free-text question, under the `ref` its feedback buttons carry.
 * The same event handled twice (a restart before it was marked processed) records it once.
 */
export function recordAnswerGiven(
  db: Db,
  a: { ref: string; personId: number | null; channel: ChannelName; question: string; normalized: string; answerId: string; answerTitle?: string; confidence?: number },
  now: Date = new Date(),
): void {
  db.prepare(
    `INSERT OR IGNORE INTO answer_feedback (ref, person_id, channel, question, normalized, answer_id, answer_title, confidence, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(a.ref, a.personId, a.channel, a.question, a.normalized, a.answerId, a.answerTitle ?? null, a.confidence ?? null, nowIso(now));
}

/** The answer given under a feedback ref, or undefined (unknown, or its person was erased). */
export function answerGivenByRef(db: Db, ref: string): AnswerGiven | undefined {
  const r = db.prepare('SELECT * FROM answer_feedback WHERE ref = ?').get(ref) as Record<string, unknown> | undefined;
  return r ? answerGivenOf(r) : undefined;
}

/** The person's latest answer given at or after `since`, if any (for spotting a re-ask). */
export function lastAnswerGiven(db: Db, personId: number, since: Date): AnswerGiven | undefined {
  const r = db
    .prepare('SELECT * FROM answer_feedback WHERE person_id = ? AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT 1')
    .get(personId, nowIso(since)) as Record<string, unknown> | undefined;
  return r ? answerGivenOf(r) : undefined;
}

/** Records a 👍 or 👎 on an answer given (a later vote replaces an earlier one). */
export function recordAnswerVote(db: Db, id: number, vote: 'up' | 'down', now: Date = new Date()): void {
  db.prepare('UPDATE answer_feedback SET vote = ?, voted_at = ? WHERE id = ?').run(vote, nowIso(now), id);
}

/**
 * Sends an answered question, with the answer it got, to the staff queue as "answered, maybe
 * wrong". Once per answer: returns the new queue item's id, or null when it was already sent
 * (a 👎 after a re-ask, or the same 👎 pressed twice) or the answer is unknown.
 */
export function queueMaybeWrong(
  db: Db,
  answerGivenId: number,
  m: { reason: MaybeWrongReason; answerTitle?: string | null; answerText?: string | null; followup?: string | null; source?: string },
  now: Date = new Date(),
): number | null {
  return db.transaction((): number | null => {
    const row = db.prepare('SELECT * FROM answer_feedback WHERE id = ?').get(answerGivenId) as Record<string, unknown> | undefined;
    if (!row || row.unanswered_id !== null) return null;
    const a = answerGivenOf(row);
    const res = db
      .prepare(
        `INSERT INTO unanswered (person_id, channel, question, normalized, suggestions, created_at,
                                 kind, reason, given_answer_id, given_answer_title, given_answer_text, followup, source)
         VALUES (?, ?, ?, ?, '[]', ?, 'maybe_wrong', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.personId,
        a.channel,
        a.question,
        a.normalized,
        nowIso(now),
        m.reason,
        a.answerId,
        m.answerTitle ?? a.answerTitle,
        m.answerText ?? null,
        m.followup ?? null,
        m.source ?? null,
      );
    const id = Number(res.lastInsertRowid);
    db.prepare('UPDATE answer_feedback SET unanswered_id = ? WHERE id = ?').run(id, a.id);
    return id;
  })();
}

/**
 * Adds the person's re-ask wording to a queue item sent by their 👎 (once, while it is open): the
 * new wording says what they meant.
 */
export function addMaybeWrongFollowup(db: Db, unansweredId: number, followup: string): void {
  db.prepare(`UPDATE unanswered SET followup = ? WHERE id = ? AND kind = 'maybe_wrong' AND followup IS NULL AND status = 'open'`).run(followup, unansweredId);
}

/** What staff see of a queue item beyond its question: its kind and, if answered, the answer given. */
export interface QueueItemDetails {
  kind: QueueKind;
  reason: MaybeWrongReason | null;
  givenAnswerId: string | null;
  givenAnswerTitle: string | null;
  givenAnswerText: string | null;
  followup: string | null;
}

/** The kind and given answer of queue items, by id (ids not found are left out). */
export function queueItemDetails(db: Db, ids: readonly number[]): Map<number, QueueItemDetails> {
  const out = new Map<number, QueueItemDetails>();
  const stmt = db.prepare(
    'SELECT id, kind, reason, given_answer_id, given_answer_title, given_answer_text, followup FROM unanswered WHERE id = ?',
  );
  for (const id of ids) {
    const r = stmt.get(id) as Record<string, unknown> | undefined;
    if (!r) continue;
    out.set(id, {
      kind: r.kind === 'maybe_wrong' ? 'maybe_wrong' : 'unanswered',
      reason: (r.reason as MaybeWrongReason | null) ?? null,
      givenAnswerId: r.given_answer_id as string | null,
      givenAnswerTitle: r.given_answer_title as string | null,
      givenAnswerText: r.given_answer_text as string | null,
      followup: r.followup as string | null,
    });
  }
  return out;
}

// The question texts kept with answers, and a re-ask's wording, are personal data: /xoadulieu
// erases them with the rest (the queue item's question itself is erased by erasePerson).
registerEraser((db, personId) => {
  db.prepare(`UPDATE answer_feedback SET question = '[đã xoá theo yêu cầu]', normalized = '' WHERE person_id = ?`).run(personId);
  db.prepare('UPDATE unanswered SET followup = NULL, source = NULL WHERE person_id = ?').run(personId);
});

/** The question texts of queue items by id (any status; ids not found are left out). */
export function questionTexts(db: Db, ids: readonly number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  const rows = db.prepare('SELECT id, question FROM unanswered WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as { id: number; question: string }[];
  return new Map(rows.map((r) => [r.id, r.question]));
}

/** The entries open queue questions are linked to (a draft written for them, or an attachment). */
export function entriesWithOpenQuestions(db: Db): string[] {
  return db
    .prepare(`SELECT DISTINCT d.qa_id FROM unanswered_drafts d JOIN unanswered u ON u.id = d.unanswered_id WHERE u.status = 'open'`)
    .pluck()
    .all() as string[];
}
