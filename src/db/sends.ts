/**
 * The send queue's rows (migration 070) and the attempt log of every lane. The sender
 * (`sender/sender.ts`) is the only writer: it inserts rows, claims one right before its send
 * (committing `sending`), records the SendResult, and at start-up turns rows a crash left
 * `sending` into `unknown`. Answer notices and campaign deliveries keep their own rows
 * (`db/notices.ts`, `db/campaigns.ts`) but log their attempts here too.
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName, Reply, SendResult } from '../messages.js';
import { registerEraser } from './people.js';

/** The states of a send; see the migration. */
export type SendStatus = 'pending' | 'sending' | 'sent' | 'held' | 'gone' | 'outside_window' | 'failed' | 'expired' | 'unknown' | 'skipped';

/** What a row is. */
export type SendKind = 'reply' | 'quiz' | 'notice';

/** One row to insert. */
export interface NewSend {
  channel: ChannelName;
  personId: number | null;
  recipient: string;
  kind: SendKind;
  reply: Reply;
  /** 'pending' (default), 'sending' (claimed in the same commit), or 'held' (no push). */
  status?: 'pending' | 'sending' | 'held';
  /** False in group chats (a 403 there is about the group, not the person). */
  markGone?: boolean;
  expiresAt: Date;
  ref?: string;
}

/** A row as the sender works on it. */
export interface SendTask {
  id: number;
  channel: ChannelName;
  personId: number | null;
  recipient: string;
  kind: SendKind;
  reply: Reply;
  markGone: boolean;
  attempts: number;
  expiresAt: string;
}

/** Inserts rows; returns their ids in order. Synchronous: run it inside the caller's commit. */
export function insertSends(db: Db, rows: NewSend[], now: Date = new Date()): number[] {
  const at = nowIso(now);
  const ins = db.prepare(
    `INSERT INTO sends (channel, person_id, recipient, kind, ref, reply, status, mark_gone, attempts, expires_at, created_at, claimed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return rows.map((r) => {
    const status = r.status ?? 'pending';
    const sending = status === 'sending';
    return Number(
      ins.run(r.channel, r.personId, r.recipient, r.kind, r.ref ?? null, JSON.stringify(r.reply), status, r.markGone === false ? 0 : 1, sending ? 1 : 0, nowIso(r.expiresAt), at, sending ? at : null)
        .lastInsertRowid,
    );
  });
}

type Row = Omit<SendTask, 'reply' | 'markGone'> & { reply: string; markGone: number };
const task = (r: Row): SendTask => ({ ...r, reply: JSON.parse(r.reply) as Reply, markGone: r.markGone === 1 });
const COLUMNS = `id, channel, person_id AS personId, recipient, kind, reply, mark_gone AS markGone, attempts, expires_at AS expiresAt`;

/**
 * Pending rows on one channel that may be tried now, oldest first, leaving out the ids in
 * `skip` (rows the sender already works on: under load they are most of the pending rows, and
 * must neither be read again every pass nor crowd the others out of the limit). Read only.
 */
export function dueSends(db: Db, channel: ChannelName, limit: number, now: Date = new Date(), skip: ReadonlySet<number> = new Set()): SendTask[] {
  const ids = (
    db
      .prepare(
        `SELECT id FROM sends
          WHERE channel = ? AND status = 'pending' AND recipient IS NOT NULL AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
          ORDER BY id LIMIT ?`,
      )
      .pluck()
      .all(channel, nowIso(now), limit + skip.size) as number[]
  )
    .filter((id) => !skip.has(id))
    .slice(0, limit);
  const one = db.prepare(`SELECT ${COLUMNS} FROM sends WHERE id = ?`);
  return ids.map((id) => task(one.get(id) as Row));
}

/** Why a row was not claimed. */
export type SendClaim = { kind: 'claimed' } | { kind: 'skipped'; status: 'gone' | 'skipped' | 'expired'; reason: string } | { kind: 'lost' };

/**
 * Claims a pending row right before its send (commit `sending`). A push the person did not ask
 * for just now (a quiz push) is skipped when they blocked the bot or were erased; a row past its
 * TTL expires. A reply is sent even to a person marked gone: they just wrote, so they are back.
 */
export function claimSend(db: Db, id: number, now: Date = new Date()): SendClaim {
  const r = db
    .prepare(
      `SELECT s.status, s.kind, s.expires_at AS expiresAt, p.status AS personStatus, p.external_id AS externalId
         FROM sends s LEFT JOIN people p ON p.id = s.person_id WHERE s.id = ?`,
    )
    .get(id) as { status: string; kind: SendKind; expiresAt: string; personStatus: string | null; externalId: string | null } | undefined;
  if (!r || r.status !== 'pending') return { kind: 'lost' };
  const at = nowIso(now);
  const finish = (status: 'gone' | 'skipped' | 'expired', reason: string): SendClaim => {
    db.prepare(`UPDATE sends SET status = ?, reason = ?, finished_at = ? WHERE id = ?`).run(status, reason, at, id);
    return { kind: 'skipped', status, reason };
  };
  if (r.expiresAt <= at) return finish('expired', 'hết thời hạn gửi lại');
  // The reply to /xoadulieu itself goes to a person just erased: only pushes stop there.
  if (r.kind !== 'reply' && r.externalId?.startsWith('erased:')) return finish('skipped', 'người nhận đã xoá dữ liệu của mình');
  if (r.kind !== 'reply' && r.personStatus === 'gone') return finish('gone', 'người nhận đã chặn bot hoặc rời đi');
  db.prepare(`UPDATE sends SET status = 'sending', attempts = attempts + 1, claimed_at = ? WHERE id = ? AND status = 'pending'`).run(at, id);
  return { kind: 'claimed' };
}

/** The outcome of one attempt at a claimed row. */
export type SendOutcome =
  | { status: 'sent'; messageId?: string }
  | { status: 'retry'; retryAt: Date; reason: string }
  | { status: 'gone' | 'outside_window' | 'failed' | 'expired'; reason: string };

/** Records the outcome of a claimed row. */
export function recordSend(db: Db, id: number, outcome: SendOutcome, now: Date = new Date()): void {
  // A notice (a rumour report's outcome, a training invitation) Zalo refuses as outside its
  // 7-day window waits for the person's next message (db/notices.ts releaseHeldNotices), as an
  // answer notice does; a reply is never held (the person just wrote).
  if (outcome.status === 'outside_window' && db.prepare(`UPDATE sends SET status = 'held', reason = ?, next_attempt_at = NULL WHERE id = ? AND status = 'sending' AND kind = 'notice' AND channel <> 'web'`).run(HELD_SEND_REASON, id).changes > 0)
    return;
  if (outcome.status === 'retry')
    db.prepare(`UPDATE sends SET status = 'pending', next_attempt_at = ?, reason = ? WHERE id = ? AND status = 'sending'`).run(nowIso(outcome.retryAt), outcome.reason, id);
  else
    // A reply to a person erased meanwhile (the answer to /xoadulieu itself) keeps no chat id.
    db.prepare(
      `UPDATE sends SET status = ?, message_id = ?, reason = ?, finished_at = ?, next_attempt_at = NULL,
         recipient = CASE WHEN person_id IS NULL AND kind = 'reply' THEN NULL ELSE recipient END
        WHERE id = ? AND status = 'sending'`,
    ).run(
      outcome.status,
      outcome.status === 'sent' ? (outcome.messageId ?? null) : null,
      outcome.status === 'sent' ? null : outcome.reason,
      nowIso(now),
      id,
    );
}

/** Why a notice row waits (see {@link recordSend}): in Vietnamese, staff read it. */
export const HELD_SEND_REASON = 'chờ người nhận nhắn lại: Zalo chỉ cho gửi trong 7 ngày sau tin nhắn cuối của họ; khi họ nhắn lại, Loa tự gửi';

/** Ends pending rows without sending them (the ones after a reply that met `gone`). */
export function skipSends(db: Db, ids: number[], status: 'gone' | 'outside_window' | 'skipped', reason: string, now: Date = new Date()): void {
  const upd = db.prepare(`UPDATE sends SET status = ?, reason = ?, finished_at = ? WHERE id = ? AND status = 'pending'`);
  for (const id of ids) upd.run(status, reason, nowIso(now), id);
}

/** Start-up: rows left `sending` by a crash become `unknown` (not re-sent). Returns them by channel. */
export function markInterruptedSendsUnknown(db: Db, now: Date = new Date()): Map<ChannelName, number> {
  const rows = db.prepare(`SELECT channel, COUNT(*) AS n FROM sends WHERE status = 'sending' GROUP BY channel`).all() as { channel: ChannelName; n: number }[];
  db.prepare(`UPDATE sends SET status = 'unknown', reason = 'bị gián đoạn khi đang gửi (máy chủ dừng đột ngột)', finished_at = ? WHERE status = 'sending'`).run(nowIso(now));
  return new Map(rows.map((r) => [r.channel, r.n]));
}

/** Why a row of a channel no longer configured ended (staff read it). */
export const CHANNEL_OFF_REASON = 'kênh này không còn được bật trên máy chủ (đã bỏ khỏi cấu hình) và đã quá thời hạn gửi';

/**
 * Pending rows of channels not in `configured`, by channel: nothing sends them while the channel
 * is off (the sender polls only the channels it has). `expiredBy` given: only those past their
 * lifetime, which are ended `expired` with {@link CHANNEL_OFF_REASON}; without it, a count of
 * those still waiting (nothing written).
 */
export function sendsOfChannelsOff(db: Db, configured: readonly ChannelName[], expiredBy?: Date): Map<ChannelName, number> {
  const off = `status = 'pending' AND channel NOT IN (${configured.map(() => '?').join(', ') || "''"})${expiredBy ? ' AND expires_at <= ?' : ''}`;
  const args: unknown[] = expiredBy ? [...configured, nowIso(expiredBy)] : [...configured];
  const rows = db.prepare(`SELECT channel, COUNT(*) AS n FROM sends WHERE ${off} GROUP BY channel`).all(...args) as { channel: ChannelName; n: number }[];
  if (expiredBy && rows.length > 0)
    db.prepare(`UPDATE sends SET status = 'expired', reason = ?, finished_at = ?, next_attempt_at = NULL WHERE ${off}`).run(CHANNEL_OFF_REASON, nowIso(expiredBy), ...args);
  return new Map(rows.map((r) => [r.channel, r.n]));
}

/** A message kept for a person on a channel without push. */
export interface HeldSend {
  id: number;
  reply: Reply;
  ref: string | null;
}

/**
 * Takes the messages held for a person (oldest first) and marks them `sent`: the caller is
 * about to hand them over in its response. Held rows past their TTL are dropped as `expired`.
 */
export function takeHeldSends(db: Db, personId: number, now: Date = new Date()): HeldSend[] {
  // Asked on every web chat message, and almost always about nobody: no transaction for that.
  if (!db.prepare(`SELECT 1 FROM sends WHERE person_id = ? AND status = 'held' LIMIT 1`).get(personId)) return [];
  return db.transaction(() => {
    const at = nowIso(now);
    db.prepare(`UPDATE sends SET status = 'expired', reason = 'người nhận không quay lại trước hạn', finished_at = ? WHERE person_id = ? AND status = 'held' AND expires_at <= ?`).run(at, personId, at);
    const rows = db.prepare(`SELECT id, reply, ref FROM sends WHERE person_id = ? AND status = 'held' ORDER BY id`).all(personId) as { id: number; reply: string; ref: string | null }[];
    const done = db.prepare(`UPDATE sends SET status = 'sent', attempts = attempts + 1, finished_at = ? WHERE id = ?`);
    for (const r of rows) {
      done.run(at, r.id);
      logAttempt(db, 'sends', r.id, null, 1, { kind: 'ok' }, now);
    }
    return rows.map((r) => ({ id: r.id, reply: JSON.parse(r.reply) as Reply, ref: r.ref }));
  })();
}

/** The lanes of the attempt log. */
export type SendLane = 'sends' | 'notice' | 'delivery';

/** Logs one attempt (in the caller's commit). `channel` null: read from the row (held sends). */
export function logAttempt(db: Db, lane: SendLane, rowId: number, channel: ChannelName | null, attempt: number, res: SendResult, now: Date = new Date()): void {
  const detail =
    res.kind === 'ok' ? (res.messageId ?? null) : res.kind === 'retryAfter' ? `${res.seconds}s${res.reason ? `: ${res.reason}` : ''}` : (res.reason ?? null);
  db.prepare(
    `INSERT INTO send_attempts (lane, row_id, channel, attempt, result, detail, at)
     VALUES (?, ?, COALESCE(?, (SELECT channel FROM sends WHERE id = ?)), ?, ?, ?, ?)`,
  ).run(lane, rowId, channel, rowId, attempt, res.kind, detail, nowIso(now));
}

/** The rows of one kind for a person, newest first (tests, support). */
export function sendsOf(db: Db, personId: number): { id: number; kind: SendKind; status: SendStatus; attempts: number; reason: string | null; text: string }[] {
  return (
    db.prepare(`SELECT id, kind, status, attempts, reason, reply FROM sends WHERE person_id = ? ORDER BY id DESC`).all(personId) as {
      id: number;
      kind: SendKind;
      status: SendStatus;
      attempts: number;
      reason: string | null;
      reply: string;
    }[]
  ).map(({ reply, ...r }) => ({ ...r, text: (JSON.parse(reply) as Reply).text }));
}

// A person who asks for their data to be erased: queued texts go, and nothing more is sent.
registerEraser((db, personId) => {
  db.prepare(
    `UPDATE sends SET status = CASE WHEN status IN ('pending', 'held') THEN 'skipped' ELSE status END,
       reason = CASE WHEN status IN ('pending', 'held') THEN 'người nhận đã xoá dữ liệu của mình' ELSE reason END,
       reply = '{"text":""}', recipient = NULL
     WHERE person_id = ?`,
  ).run(personId);
});
