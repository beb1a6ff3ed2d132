/** Telegram's own small tables: long button actions behind short ids, and the quiz polls sent. */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import { getPerson, registerEraser } from './people.js';

/** Stores the action behind a short callback id (idempotent: the id is derived from the action). */
export function rememberCallbackAction(db: Db, id: string, action: string, now: Date = new Date()): void {
  db.prepare('INSERT OR IGNORE INTO telegram_callbacks (id, action, created_at) VALUES (?, ?, ?)').run(id, action, nowIso(now));
}

/** The action behind a short callback id, or undefined when unknown. */
export function callbackAction(db: Db, id: string): string | undefined {
  const r = db.prepare('SELECT action FROM telegram_callbacks WHERE id = ?').get(id) as { action: string } | undefined;
  return r?.action;
}

/** A quiz poll the bot sent. */
export interface SentPoll {
  pollId: string;
  ref: string;
  chatId: string;
  messageId: number;
}

/** Records a poll the bot sent, so its answers map back to our question ref. */
export function recordSentPoll(db: Db, poll: SentPoll, now: Date = new Date()): void {
  db.prepare(
    'INSERT OR REPLACE INTO telegram_polls (poll_id, ref, chat_id, message_id, created_at) VALUES (?, ?, ?, ?, ?)',
  ).run(poll.pollId, poll.ref, poll.chatId, poll.messageId, nowIso(now));
}

/** The poll with this Telegram poll id, or undefined. */
export function sentPollById(db: Db, pollId: string): SentPoll | undefined {
  const r = db.prepare('SELECT poll_id, ref, chat_id, message_id FROM telegram_polls WHERE poll_id = ?').get(pollId) as
    | { poll_id: string; ref: string; chat_id: string; message_id: number }
    | undefined;
  return r ? { pollId: r.poll_id, ref: r.ref, chatId: r.chat_id, messageId: r.message_id } : undefined;
}

/** The polls sent for one question ref (to stop them when the question closes). */
export function sentPollsByRef(db: Db, ref: string): SentPoll[] {
  const rows = db.prepare('SELECT poll_id, ref, chat_id, message_id FROM telegram_polls WHERE ref = ?').all(ref) as {
    poll_id: string;
    ref: string;
    chat_id: string;
    message_id: number;
  }[];
  return rows.map((r) => ({ pollId: r.poll_id, ref: r.ref, chatId: r.chat_id, messageId: r.message_id }));
}

/** Forgets the polls sent to a person's private chat (their answers are theirs to erase). */
export function forgetTelegramChat(db: Db, chatId: string): void {
  db.prepare('DELETE FROM telegram_polls WHERE chat_id = ?').run(chatId);
}

// The right to erasure (Law 91/2025/QH15): runs inside erasePerson's transaction, before the
// person's external id is anonymised.
registerEraser((db, personId) => {
  const person = getPerson(db, personId);
  if (person?.channel === 'telegram') forgetTelegramChat(db, person.externalId);
});

/**
 * A basic group became a supergroup (Telegram's `migrate_to_chat_id`): the chat has a new id
 * and the old one refuses every send. A live quiz running there follows it, so its next
 * questions go to the supergroup and `/quizstop` sent there finds it. Idempotent; returns how
 * many sessions moved (none when one already runs under the new id).
 */
export function followChatMigration(db: Db, from: string, to: string): number {
  return db
    .prepare(`UPDATE OR IGNORE quiz_live_sessions SET chat_id = ? WHERE channel = 'telegram' AND chat_id = ? AND status = 'running'`)
    .run(to, from).changes;
}

/**
 * The bot was removed from a group (kicked, or left): a live quiz running there, in any of its
 * topics, can no longer post and stops. Returns how many stopped.
 */
export function stopLiveQuizzesInChat(db: Db, chatId: string, now: Date = new Date()): number {
  return db
    .prepare(
      `UPDATE quiz_live_sessions SET status = 'stopped', finished_at = ?
       WHERE channel = 'telegram' AND status = 'running' AND (chat_id = ? OR chat_id LIKE ? || ':%')`,
    )
    .run(nowIso(now), chatId, chatId).changes;
}
