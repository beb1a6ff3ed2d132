/** Questions asked (for reports) and unanswered questions (the staff queue). */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName } from '../channels/channel.js';

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
  q: { personId: number | null; channel: ChannelName; question: string; normalized: string; suggestions: string[] },
  now: Date = new Date(),
): number {
  const res = db
    .prepare(
      `INSERT INTO unanswered (person_id, channel, question, normalized, suggestions, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    )
    .run(q.personId, q.channel, q.question, q.normalized, JSON.stringify(q.suggestions), nowIso(now));
  return Number(res.lastInsertRowid);
}

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
