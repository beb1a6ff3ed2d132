/**
 * Answer notices (migration 061): "your question now has an answer", one row per unanswered
 * question. The outbox workers send them through the channel throttles with the same rules as
 * campaign deliveries (`db/campaigns.ts`): read pending rows, claim one right before its send
 * (re-reading the person: gone, erased, outside Zalo's window), record the SendResult in one
 * commit, and mark rows caught `sending` by a crash `unknown`. The rows are also what staff see
 * per asker: delivered, or why not.
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName, Reply } from '../messages.js';
import type { DeliveryOutcome } from './campaigns.js';
import { registerEraser } from './people.js';

/** The states of a notice; see the migration. */
export type NoticeStatus =
  | 'pending'
  | 'sending'
  | 'sent'
  | 'gone'
  | 'outside_window'
  | 'failed'
  | 'unknown'
  | 'unreachable'
  | 'held'
  | 'skipped'
  | 'cancelled';

/** One notice to queue. `status` other than pending records a final result at once. */
export interface NewNotice {
  unansweredId: number;
  personId: number | null;
  channel: ChannelName;
  recipient: string | null;
  entryId: string;
  revisionId?: number | null;
  reply: Reply;
  status?: 'pending' | 'unreachable' | 'skipped' | 'gone' | 'held';
  reason?: string;
}

/**
 * Queues notices, one per unanswered question (a question already notified is not queued again).
 * Returns how many rows were added.
 */
export function enqueueNotices(db: Db, notices: NewNotice[], now: Date = new Date()): number {
  const at = nowIso(now);
  const ins = db.prepare(
    `INSERT OR IGNORE INTO answer_notices (unanswered_id, person_id, channel, recipient, entry_id, revision_id, reply, status, reason, created_at, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return db.transaction(() => {
    let n = 0;
    for (const x of notices) {
      const status = x.status ?? 'pending';
      n += ins.run(
        x.unansweredId,
        x.personId,
        x.channel,
        x.recipient,
        x.entryId,
        x.revisionId ?? null,
        JSON.stringify(x.reply),
        status,
        x.reason ?? null,
        at,
        status === 'pending' || status === 'held' ? null : at,
      ).changes;
    }
    return n;
  })();
}

/** A notice as the worker sees it. */
export interface NoticeTask {
  id: number;
  personId: number | null;
  channel: ChannelName;
  recipient: string;
  attempts: number;
  reply: Reply;
}

/** Pending notices on one channel that may be tried now, oldest first. Read only. */
export function pendingNotices(db: Db, channel: ChannelName, limit: number, now: Date = new Date()): NoticeTask[] {
  return (
    db
      .prepare(
        `SELECT id, person_id AS personId, channel, recipient, attempts, reply FROM answer_notices
          WHERE channel = ? AND status = 'pending' AND recipient IS NOT NULL
            AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
          ORDER BY id LIMIT ?`,
      )
      .all(channel, nowIso(now), limit) as (Omit<NoticeTask, 'reply'> & { reply: string })[]
  ).map((r) => ({ ...r, reply: JSON.parse(r.reply) as Reply }));
}

/** Why a claimed notice was not sent. */
export type NoticeClaim =
  | { kind: 'claimed' }
  | { kind: 'skipped'; status: 'gone' | 'held' | 'skipped'; reason: string }
  | { kind: 'lost' };

/**
 * Why a notice waits for its Zalo asker: Zalo lets an OA answer only within 7 days of the
 * person's last message. The notice is kept and sent when they write again
 * ({@link releaseHeldNotices}); it was dropped as `outside_window`, and staff were told to
 * answer by hand, which nothing in Loa let them do.
 */
export const HELD_FOR_WINDOW = 'chờ người hỏi nhắn lại cho OA: họ không nhắn trong 7 ngày qua, Zalo chỉ cho gửi sau khi họ nhắn lại; khi đó Loa tự gửi';

/**
 * Claims one pending notice right before its send, re-reading the person. Unlike a campaign, a
 * notice needs no subscription: it answers the person's own question (and /huy unsubscribes
 * from campaigns, not from that answer). A person who blocked the bot, was marked gone or had
 * their data erased is skipped; on Zalo, so is one outside the 7-day window (`windowStart`).
 */
export function claimNotice(db: Db, id: number, opts: { windowStart?: string } = {}, now: Date = new Date()): NoticeClaim {
  return db.transaction((): NoticeClaim => {
    const r = db
      .prepare(
        `SELECT n.status, p.id AS person, p.status AS person_status, p.external_id, p.last_interaction_at
           FROM answer_notices n LEFT JOIN people p ON p.id = n.person_id WHERE n.id = ?`,
      )
      .get(id) as
      | { status: string; person: number | null; person_status: string | null; external_id: string | null; last_interaction_at: string | null }
      | undefined;
    if (!r || r.status !== 'pending') return { kind: 'lost' };
    const at = nowIso(now);
    const finish = (status: 'gone' | 'held' | 'skipped', reason: string): NoticeClaim => {
      db.prepare(`UPDATE answer_notices SET status = ?, reason = ?, finished_at = ? WHERE id = ?`).run(status, reason, status === 'held' ? null : at, id);
      return { kind: 'skipped', status, reason };
    };
    if (r.person === null || r.external_id?.startsWith('erased:')) return finish('skipped', 'người hỏi đã xoá dữ liệu của mình');
    if (r.person_status !== 'active') return finish('gone', 'người hỏi đã chặn bot hoặc rời đi trước khi gửi');
    if (opts.windowStart && (r.last_interaction_at === null || r.last_interaction_at < opts.windowStart))
      return finish('held', HELD_FOR_WINDOW);
    db.prepare(`UPDATE answer_notices SET status = 'sending', attempts = attempts + 1, claimed_at = ? WHERE id = ?`).run(at, id);
    return { kind: 'claimed' };
  })();
}

/**
 * Records the outcome of a claimed notice (same outcomes as a campaign delivery). The platform
 * refusing it as outside the contact window holds it for the asker's next message, as the claim does.
 */
export function recordNotice(db: Db, id: number, outcome: DeliveryOutcome, now: Date = new Date()): void {
  // Unless the asker wrote while the send was on its way: their message found the notice
  // 'sending' (releaseHeldNotices releases only 'held'), and held now it would wait for yet
  // another message although the window is open. Then it goes back to the outbox instead.
  if (outcome.status === 'outside_window')
    db.prepare(
      `UPDATE answer_notices
          SET status = CASE WHEN (SELECT last_interaction_at FROM people WHERE id = answer_notices.person_id) > claimed_at THEN 'pending' ELSE 'held' END,
              reason = CASE WHEN (SELECT last_interaction_at FROM people WHERE id = answer_notices.person_id) > claimed_at THEN NULL ELSE ? END,
              next_attempt_at = NULL
        WHERE id = ? AND status = 'sending'`,
    ).run(HELD_FOR_WINDOW, id);
  else if (outcome.status === 'retry')
    // `held`: the channel, not this notice, could not send (Zalo OA out of quota): the attempt
    // does not count toward giving up, as for a campaign row (recordDelivery).
    db.prepare(`UPDATE answer_notices SET status = 'pending', next_attempt_at = ?, reason = ?, attempts = attempts - ? WHERE id = ? AND status = 'sending'`).run(
      nowIso(outcome.retryAt),
      outcome.reason,
      outcome.held ? 1 : 0,
      id,
    );
  else
    db.prepare(
      `UPDATE answer_notices SET status = ?, message_id = ?, reason = ?, finished_at = ?, next_attempt_at = NULL
        WHERE id = ? AND status = 'sending'`,
    ).run(
      outcome.status,
      outcome.status === 'sent' ? (outcome.messageId ?? null) : null,
      outcome.status === 'sent' ? null : outcome.reason,
      nowIso(now),
      id,
    );
}

/** The id of the notice queued for an unanswered question. */
export function noticeIdFor(db: Db, unansweredId: number): number | undefined {
  return (db.prepare(`SELECT id FROM answer_notices WHERE unanswered_id = ?`).get(unansweredId) as { id: number } | undefined)?.id;
}

/**
 * A notice held for a web visitor (the web chat cannot be pushed to) was shown to them when
 * they came back (`sender.takeHeld`): it is delivered.
 */
export function markHeldNoticeDelivered(db: Db, id: number, now: Date = new Date()): void {
  db.prepare(`UPDATE answer_notices SET status = 'sent', attempts = attempts + 1, reason = NULL, finished_at = ? WHERE id = ? AND status = 'held'`).run(nowIso(now), id);
}

/**
 * The person wrote again: their notices held for a platform's contact window (Zalo's 7 days;
 * not the web chat's, which are handed over in the chat itself) go back to the outbox, which
 * sends them now that the window is open. Returns how many.
 */
export function releaseHeldNotices(db: Db, personId: number, now: Date = new Date()): number {
  const answers = db
    .prepare(`UPDATE answer_notices SET status = 'pending', reason = NULL, next_attempt_at = NULL WHERE person_id = ? AND status = 'held' AND channel <> 'web'`)
    .run(personId).changes;
  // The other notices (a report's outcome, an invitation) held the same way in `sends`
  // (db/sends.ts recordSend): back to the sender, whose poll sends them within a second.
  const others = db
    .prepare(`UPDATE sends SET status = 'pending', reason = NULL, next_attempt_at = NULL, expires_at = ? WHERE person_id = ? AND status = 'held' AND kind = 'notice' AND channel <> 'web'`)
    .run(new Date(now.getTime() + 86_400_000).toISOString(), personId).changes;
  return answers + others;
}

/** Start-up: notices left `sending` by a crash become `unknown` (not re-sent). Returns how many. */
export function markInterruptedNoticesUnknown(db: Db, now: Date = new Date()): number {
  return db
    .prepare(
      `UPDATE answer_notices SET status = 'unknown', reason = 'bị gián đoạn khi đang gửi (máy chủ dừng đột ngột)', finished_at = ?
        WHERE status = 'sending'`,
    )
    .run(nowIso(now)).changes;
}

/** One asker's notice, for the entry's page. */
export interface NoticeRow {
  id: number;
  unansweredId: number;
  question: string;
  channel: ChannelName;
  status: NoticeStatus;
  reason: string | null;
  attempts: number;
  createdAt: string;
  finishedAt: string | null;
}

/** The notices sent for an entry, newest first. */
export function listNotices(db: Db, entryId: string, limit = 200): NoticeRow[] {
  return db
    .prepare(
      `SELECT n.id, n.unanswered_id AS unansweredId, u.question, n.channel, n.status, n.reason, n.attempts,
              n.created_at AS createdAt, n.finished_at AS finishedAt
         FROM answer_notices n JOIN unanswered u ON u.id = n.unanswered_id
        WHERE n.entry_id = ? ORDER BY n.id DESC LIMIT ?`,
    )
    .all(entryId, limit) as NoticeRow[];
}

/** Notices of an entry counted by status. */
export function noticeCounts(db: Db, entryId: string): Partial<Record<NoticeStatus, number>> {
  const rows = db.prepare(`SELECT status, COUNT(*) AS n FROM answer_notices WHERE entry_id = ? GROUP BY status`).all(entryId) as {
    status: NoticeStatus;
    n: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

// A person who asks for their data to be erased: their queued notices (which quote their
// question) are cancelled and the stored texts dropped.
registerEraser((db, personId) => {
  db.prepare(
    `UPDATE answer_notices SET status = CASE WHEN status IN ('pending', 'held') THEN 'cancelled' ELSE status END,
       reason = CASE WHEN status IN ('pending', 'held') THEN 'người hỏi đã xoá dữ liệu của mình' ELSE reason END,
       reply = '{"text":""}', recipient = NULL
     WHERE person_id = ?`,
  ).run(personId);
});
