/** The message log: inbound events (deduplicated) and outbound replies. */
import { hash } from 'node:crypto';
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName, Inbound } from '../messages.js';

/** A stored inbound event waiting to be (or already) processed. */
export interface StoredInbound {
  id: number;
  inbound: Inbound;
}

/**
 * Stores an inbound event under its dedupe key. Returns the new row id, or `null` when the same
 * event was already stored (a duplicate delivery): the caller acknowledges it and does nothing.
 */
export function recordInbound(db: Db, inbound: Inbound, personId: number | null, now: Date = new Date()): number | null {
  const text = inbound.type === 'text' ? inbound.text : inbound.type === 'action' ? inbound.action : null;
  // The text is stored once, in its column; the payload keeps the rest of the event.
  const payload = inbound.type === 'text' ? { ...inbound, text: undefined } : inbound;
  const res = db
    .prepare(
      `INSERT INTO messages (channel, person_id, direction, dedupe_key, kind, text, payload, created_at)
       VALUES (?, ?, 'in', ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    )
    .run(inbound.channel, personId, inbound.dedupeKey, inbound.type, text, JSON.stringify(payload), nowIso(now));
  return res.changes === 1 ? Number(res.lastInsertRowid) : null;
}

/** How long the events of an erased person stay known as duplicates (a platform's redeliveries). */
export const ERASED_EVENTS_DAYS = 7;

const keyHash = (key: string): string => hash('sha256', key);

/**
 * Whether the event was delivered before by a person since erased at their request: a
 * duplicate, to be acknowledged and dropped before anyone is looked up or created again.
 */
export function wasErasedEvent(db: Db, inbound: Pick<Inbound, 'channel' | 'dedupeKey'>): boolean {
  // openDb caches prepared statements, so this costs a look-up and a hash per inbound event.
  return db.prepare(`SELECT 1 FROM erased_events WHERE channel = ? AND key_hash = ?`).get(inbound.channel, keyHash(inbound.dedupeKey)) !== undefined;
}

/**
 * Keeps the hashed dedupe keys of a person's recent inbound events (before erasure clears the
 * keys), and forgets those older than {@link ERASED_EVENTS_DAYS}.
 */
export function rememberErasedEvents(db: Db, personId: number, now: Date = new Date()): void {
  const since = new Date(now.getTime() - ERASED_EVENTS_DAYS * 86_400_000).toISOString();
  db.prepare(`DELETE FROM erased_events WHERE erased_at < ?`).run(since);
  const rows = db
    .prepare(`SELECT channel, dedupe_key AS key FROM messages WHERE person_id = ? AND direction = 'in' AND dedupe_key IS NOT NULL AND created_at >= ?`)
    .all(personId, since) as { channel: string; key: string }[];
  const add = db.prepare(`INSERT OR IGNORE INTO erased_events (channel, key_hash, erased_at) VALUES (?, ?, ?)`);
  for (const r of rows) add.run(r.channel, keyHash(r.key), nowIso(now));
}

/** Marks an inbound event processed (its replies were sent or recorded). */
export function markProcessed(db: Db, id: number, error?: string, now: Date = new Date()): void {
  db.prepare('UPDATE messages SET processed_at = ?, error = ? WHERE id = ?').run(nowIso(now), error ?? null, id);
}

/** Inbound events accepted but never processed (the process stopped in between), oldest first. */
export function unprocessedInbound(db: Db, channel?: ChannelName): StoredInbound[] {
  const rows = db
    .prepare(
      `SELECT id, payload, text FROM messages
       WHERE direction = 'in' AND processed_at IS NULL AND payload IS NOT NULL
         AND (? IS NULL OR channel = ?)
       ORDER BY id`,
    )
    .all(channel ?? null, channel ?? null) as { id: number; payload: string; text: string | null }[];
  return rows.map((r) => {
    const inbound = JSON.parse(r.payload) as Inbound;
    if (inbound.type === 'text') inbound.text = (inbound as { text?: string }).text ?? r.text ?? '';
    if (inbound.at) inbound.at = new Date(inbound.at);
    return { id: r.id, inbound };
  });
}

/**
 * Logs an outbound reply. When `payload` is the reply itself (it carries `text`), the text is
 * stored once, in its column, as for inbound events: a long answer written twice made the row
 * and the commit that writes it twice as large.
 */
export function recordOutbound(
  db: Db,
  channel: ChannelName,
  personId: number | null,
  kind: string,
  text: string,
  payload: unknown,
  now: Date = new Date(),
): void {
  db.prepare(
    `INSERT INTO messages (channel, person_id, direction, kind, text, payload, created_at, processed_at)
     VALUES (?, ?, 'out', ?, ?, ?, ?, ?)`,
  ).run(channel, personId, kind, text, JSON.stringify(withoutText(payload, text)), nowIso(now), nowIso(now));
}

/** `payload` without its `text` when that is `text` (stored in its own column). */
function withoutText(payload: unknown, text: string): unknown {
  if (typeof payload !== 'object' || payload === null || (payload as { text?: unknown }).text !== text) return payload;
  return { ...payload, text: undefined };
}
