/**
 * Campaigns and the delivery outbox. Every state change is one conditional UPDATE (`WHERE
 * status IN (…)`), so two staff members, the CLI and the running worker can act at the same
 * time without one silently overwriting the other.
 */
import { z } from 'zod';
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName } from '../messages.js';

/** The lifecycle states of a campaign. */
export const CAMPAIGN_STATUSES = [
  'draft',
  'submitted',
  'approved',
  'scheduled',
  'sending',
  'paused',
  'done',
  'cancelled',
] as const;
export const campaignStatusSchema = z.enum(CAMPAIGN_STATUSES);
export type CampaignStatus = z.infer<typeof campaignStatusSchema>;

/** The states of one delivery row. */
export const DELIVERY_STATUSES = [
  'pending',
  'sending',
  'sent',
  'gone',
  'outside_window',
  'failed',
  'opted_out',
  'unknown',
  'cancelled',
] as const;
export const deliveryStatusSchema = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** The channels a campaign can go out on (web chat has no way to reach anyone later). */
export const campaignChannelSchema = z.enum(['telegram', 'zalo', 'zalo-bot']);
export type CampaignChannel = z.infer<typeof campaignChannelSchema>;

export const linkSchema = z.object({ label: z.string().min(1), url: z.string().min(1) });

/** Counts per campaign, derived from its delivery rows. */
export const deliveryCountsSchema = z.object({
  targeted: z.number(),
  pending: z.number(),
  sending: z.number(),
  sent: z.number(),
  gone: z.number(),
  outsideWindow: z.number(),
  failed: z.number(),
  /** Failed rows by reason. */
  failedByReason: z.record(z.string(), z.number()),
  /** Skipped at send time because the person had opted out after the snapshot. */
  optedOut: z.number(),
  unknown: z.number(),
  cancelled: z.number(),
  /** Targeted people who opted out since the campaign started (sent to or not). */
  optedOutSince: z.number(),
  /** Rows tried and waiting to be tried again (a platform's retry_after, a backoff, a Zalo quota). */
  retrying: z.number(),
});
export type DeliveryCounts = z.infer<typeof deliveryCountsSchema>;

/** A campaign as stored. */
export const campaignSchema = z.object({
  id: z.number(),
  status: campaignStatusSchema,
  title: z.string().nullable(),
  text: z.string(),
  imageUrl: z.string().nullable(),
  links: z.array(linkSchema),
  channels: z.array(campaignChannelSchema),
  topics: z.array(z.string()),
  regions: z.array(z.string()),
  sendAt: z.string().nullable(),
  author: z.string(),
  approver: z.string().nullable(),
  audienceAtApproval: z.number().nullable(),
  counts: deliveryCountsSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  submittedAt: z.string().nullable(),
  approvedAt: z.string().nullable(),
  scheduledAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Campaign = z.infer<typeof campaignSchema>;

interface CampaignRow {
  id: number;
  status: string;
  title: string | null;
  text: string;
  image_url: string | null;
  links: string;
  channels: string;
  topics: string;
  regions: string;
  send_at: string | null;
  author: string;
  approver: string | null;
  audience_at_approval: number | null;
  counts: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  approved_at: string | null;
  scheduled_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

function toCampaign(r: CampaignRow): Campaign {
  return campaignSchema.parse({
    id: r.id,
    status: r.status,
    title: r.title,
    text: r.text,
    imageUrl: r.image_url,
    links: JSON.parse(r.links),
    channels: JSON.parse(r.channels),
    topics: JSON.parse(r.topics),
    regions: JSON.parse(r.regions),
    sendAt: r.send_at,
    author: r.author,
    approver: r.approver,
    audienceAtApproval: r.audience_at_approval,
    counts: r.counts ? JSON.parse(r.counts) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    submittedAt: r.submitted_at,
    approvedAt: r.approved_at,
    scheduledAt: r.scheduled_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  });
}

/** What a new campaign holds. */
export interface NewCampaign {
  title?: string | null;
  text: string;
  imageUrl?: string | null;
  links?: z.infer<typeof linkSchema>[];
  channels: CampaignChannel[];
  topics?: string[];
  regions?: string[];
  sendAt?: string | null;
  author: string;
}

/** Inserts a draft campaign; returns its id. */
export function insertCampaign(db: Db, c: NewCampaign, now: Date = new Date()): number {
  const at = nowIso(now);
  const res = db
    .prepare(
      `INSERT INTO campaigns (status, title, text, image_url, links, channels, topics, regions, send_at, author, created_at, updated_at)
       VALUES ('draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      ...contentValues(c),
      c.author,
      at,
      at,
    );
  return Number(res.lastInsertRowid);
}

/** A campaign's content and audience as the columns title … send_at take them (insert and revise). */
function contentValues(c: Omit<NewCampaign, 'author'>): (string | null)[] {
  return [
    c.title ?? null,
    c.text,
    c.imageUrl ?? null,
    JSON.stringify(c.links ?? []),
    JSON.stringify(c.channels),
    JSON.stringify(c.topics ?? []),
    JSON.stringify(c.regions ?? []),
    c.sendAt ?? null,
  ];
}

/**
 * Replaces a campaign's content and audience and sends it back to `draft`, only while it is in
 * one of `from` and has not started sending. The approval is cleared (approver, count, time) and
 * so are the submission and schedule stamps: what was approved is not what will go out, so a
 * second person must approve the new text again. Returns false when the state changed first.
 */
export function reviseCampaign(
  db: Db,
  id: number,
  from: readonly CampaignStatus[],
  c: Omit<NewCampaign, 'author'>,
  now: Date = new Date(),
): boolean {
  const res = db
    .prepare(
      `UPDATE campaigns SET status = 'draft', title = ?, text = ?, image_url = ?, links = ?, channels = ?, topics = ?, regions = ?, send_at = ?,
         approver = NULL, audience_at_approval = NULL, approved_at = NULL, submitted_at = NULL, scheduled_at = NULL, updated_at = ?
       WHERE id = ? AND started_at IS NULL AND status IN (${from.map(() => '?').join(',')})`,
    )
    .run(
      ...contentValues(c),
      nowIso(now),
      id,
      ...from,
    );
  return res.changes === 1;
}

/** Forgets a campaign's approval (approver, audience count, time): the approval no longer holds. */
export function clearCampaignApproval(db: Db, id: number): void {
  db.prepare('UPDATE campaigns SET approver = NULL, audience_at_approval = NULL, approved_at = NULL WHERE id = ?').run(id);
}

/**
 * Rows of a campaign that were tried and wait to be tried again (a 429's retry_after, a 5xx
 * backoff, a Zalo OA out of quota), per channel: how many, until when the last of them waits
 * (a row held for a quota may be past it, waiting for the lane's next probe), and the
 * platform's latest reason. A row put back by staff (retry-failed, resend-unknown) has no reason.
 */
export function retryWaits(db: Db, campaignId: number): { channel: ChannelName; count: number; until: string; reason: string | null }[] {
  return db
    .prepare(
      `SELECT channel, COUNT(*) AS count, MAX(next_attempt_at) AS until,
              (SELECT reason FROM deliveries d2 WHERE d2.campaign_id = d.campaign_id AND d2.channel = d.channel AND d2.status = 'pending' AND d2.reason IS NOT NULL ORDER BY d2.next_attempt_at DESC LIMIT 1) AS reason
       FROM deliveries d WHERE campaign_id = ? AND status = 'pending' AND reason IS NOT NULL AND next_attempt_at IS NOT NULL GROUP BY channel ORDER BY channel`,
    )
    .all(campaignId) as { channel: ChannelName; count: number; until: string; reason: string | null }[];
}

/** A campaign's rows still to send (pending), per channel. */
export function pendingByChannel(db: Db, campaignId: number): Partial<Record<ChannelName, number>> {
  const rows = db
    .prepare(`SELECT channel, COUNT(*) AS n FROM deliveries WHERE campaign_id = ? AND status = 'pending' GROUP BY channel`)
    .all(campaignId) as { channel: ChannelName; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.channel, r.n]));
}

/**
 * How long each channel must still hold off because the platform last said "wait" (a 429's
 * retry_after, Zalo's -32), read from the attempt log at start-up: the throttle keeps that wait
 * in memory only, so after a crash a restarted process sent on at once (trial run: 247 sends in
 * the 20 s Telegram had asked it to wait). Looks at the last 5,000 attempts, so start-up stays
 * fast on a long log. Seconds left per channel; channels with nothing to wait for are absent.
 */
export function platformHolds(db: Db, now: Date = new Date()): Map<ChannelName, number> {
  const rows = db
    .prepare(
      `SELECT channel, result, detail, at FROM send_attempts
       WHERE id > (SELECT COALESCE(MAX(id), 0) FROM send_attempts) - 5000 ORDER BY id DESC`,
    )
    .all() as { channel: ChannelName | null; result: string; detail: string | null; at: string }[];
  const seen = new Set<string>();
  const holds = new Map<ChannelName, number>();
  for (const r of rows) {
    if (!r.channel || seen.has(r.channel)) continue;
    seen.add(r.channel);
    if (r.result !== 'retryAfter') continue;
    const seconds = Number(/^(\d+(?:\.\d+)?)s/.exec(r.detail ?? '')?.[1] ?? NaN);
    if (!Number.isFinite(seconds)) continue;
    const left = (Date.parse(r.at) + seconds * 1000 - now.getTime()) / 1000;
    if (left > 0) holds.set(r.channel, left);
  }
  return holds;
}

/** The campaign with this id, or undefined. */
export function getCampaign(db: Db, id: number): Campaign | undefined {
  const r = db.prepare('SELECT * FROM campaigns WHERE id = ?').get(id) as CampaignRow | undefined;
  return r ? toCampaign(r) : undefined;
}

/** Campaigns, newest first, optionally only those in some states. */
export function listCampaigns(db: Db, statuses?: CampaignStatus[]): Campaign[] {
  const rows = (statuses?.length
    ? db
        .prepare(`SELECT * FROM campaigns WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY id DESC`)
        .all(...statuses)
    : db.prepare('SELECT * FROM campaigns ORDER BY id DESC').all()) as CampaignRow[];
  return rows.map(toCampaign);
}

/** Columns a transition may set besides the status. */
export interface TransitionFields {
  approver?: string;
  audienceAtApproval?: number;
  sendAt?: string | null;
  counts?: DeliveryCounts;
  submittedAt?: boolean;
  approvedAt?: boolean;
  scheduledAt?: boolean;
  startedAt?: boolean;
  finishedAt?: boolean;
}

const STAMPS = [
  ['submittedAt', 'submitted_at'],
  ['approvedAt', 'approved_at'],
  ['scheduledAt', 'scheduled_at'],
  ['startedAt', 'started_at'],
  ['finishedAt', 'finished_at'],
] as const;

/**
 * Moves a campaign to `to` only if it is currently in one of `from`. Returns false when another
 * actor changed it first (the caller reports the current state).
 */
export function transitionCampaign(
  db: Db,
  id: number,
  from: readonly CampaignStatus[],
  to: CampaignStatus,
  fields: TransitionFields = {},
  now: Date = new Date(),
): boolean {
  const at = nowIso(now);
  const sets = ['status = ?', 'updated_at = ?'];
  const args: (string | number | null)[] = [to, at];
  if (fields.approver !== undefined) (sets.push('approver = ?'), args.push(fields.approver));
  if (fields.audienceAtApproval !== undefined) (sets.push('audience_at_approval = ?'), args.push(fields.audienceAtApproval));
  if (fields.sendAt !== undefined) (sets.push('send_at = ?'), args.push(fields.sendAt));
  if (fields.counts !== undefined) (sets.push('counts = ?'), args.push(JSON.stringify(fields.counts)));
  for (const [k, column] of STAMPS) if (fields[k]) (sets.push(`${column} = ?`), args.push(at));
  const res = db
    .prepare(`UPDATE campaigns SET ${sets.join(', ')} WHERE id = ? AND status IN (${from.map(() => '?').join(',')})`)
    .run(...args, id, ...from);
  return res.changes === 1;
}

/** Scheduled campaigns whose time has come (send_at NULL or in the past), oldest first. */
export function dueCampaigns(db: Db, now: Date = new Date()): Campaign[] {
  return (
    db
      .prepare(
        `SELECT * FROM campaigns WHERE status = 'scheduled' AND (send_at IS NULL OR send_at <= ?) ORDER BY COALESCE(send_at, scheduled_at), id`,
      )
      .all(nowIso(now)) as CampaignRow[]
  ).map(toCampaign);
}

/** One person in an audience snapshot. */
export interface AudienceMember {
  personId: number;
  channel: ChannelName;
  recipient: string;
}

/**
 * Takes the audience snapshot and moves the campaign to `sending`, in one transaction: either
 * both happen or neither. One row per (campaign, person): a second call adds nobody twice.
 */
export function startSending(db: Db, campaignId: number, members: AudienceMember[], now: Date = new Date()): boolean {
  return db.transaction(() => {
    if (!transitionCampaign(db, campaignId, ['scheduled'], 'sending', { startedAt: true }, now)) return false;
    const ins = db.prepare(
      `INSERT OR IGNORE INTO deliveries (campaign_id, person_id, channel, recipient) VALUES (?, ?, ?, ?)`,
    );
    for (const m of members) ins.run(campaignId, m.personId, m.channel, m.recipient);
    return true;
  })();
}

/** A delivery row as the worker sees it. */
export interface DeliveryTask {
  id: number;
  campaignId: number;
  personId: number;
  channel: ChannelName;
  recipient: string;
  attempts: number;
  /** Parts of the message already sent (a photo sent before its text: campaigns/content.ts campaignParts). */
  partsDone: number;
}

/**
 * Pending rows of sending campaigns on one channel that may be tried now (no retry_after in
 * the future), campaign by campaign. Read only: a row is claimed by {@link claimDelivery}.
 */
export function pendingDeliveries(db: Db, channel: ChannelName, limit: number, now: Date = new Date(), afterId = 0): DeliveryTask[] {
  return (
    db
      .prepare(
        `SELECT d.id, d.campaign_id AS campaignId, d.person_id AS personId, d.channel, d.recipient, d.attempts, d.parts_done AS partsDone
         FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
         WHERE d.channel = ? AND d.status = 'pending' AND c.status = 'sending'
           AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?) AND d.id > ?
         ORDER BY d.id LIMIT ?`,
      )
      .all(channel, nowIso(now), afterId, limit) as DeliveryTask[]
  );
}

/** The earliest future retry time of a channel's pending rows, or null. */
export function nextRetryAt(db: Db, channel: ChannelName): string | null {
  const r = db
    .prepare(
      `SELECT MIN(d.next_attempt_at) AS t FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
       WHERE d.channel = ? AND d.status = 'pending' AND c.status = 'sending' AND d.next_attempt_at IS NOT NULL`,
    )
    .get(channel) as { t: string | null };
  return r.t;
}

/** Why a claim did not lead to a send. */
export type ClaimOutcome =
  | { kind: 'claimed' }
  | { kind: 'skipped'; status: 'opted_out' | 'gone' | 'outside_window'; reason: string }
  | { kind: 'lost' };

/** Options of {@link claimDelivery}. */
export interface ClaimOptions {
  /** Zalo: people whose last interaction is older than this are outside the window. */
  windowStart?: string;
}

/**
 * Claims one pending row right before its send, in one transaction that re-reads the person:
 * someone who opted out (/huy) or was marked gone since the snapshot is skipped, never sent.
 * The `sending` state is committed before the send starts, so a crash leaves evidence.
 */
export function claimDelivery(db: Db, id: number, opts: ClaimOptions = {}, now: Date = new Date()): ClaimOutcome {
  return db.transaction((): ClaimOutcome => {
    const r = db
      .prepare(
        `SELECT d.status, c.status AS campaign_status, p.status AS person_status, p.opted_out_at, p.consent_at,
                p.last_interaction_at, p.channel, COALESCE(f.person_id, (SELECT 1 FROM messages m
                  WHERE m.person_id = p.id AND m.direction = 'in' AND m.kind = 'follow' LIMIT 1)) AS follower
         FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id JOIN people p ON p.id = d.person_id
         LEFT JOIN zalo_followers f ON f.person_id = p.id
         WHERE d.id = ?`,
      )
      .get(id) as
      | {
          status: string;
          campaign_status: string;
          person_status: string;
          opted_out_at: string | null;
          consent_at: string | null;
          last_interaction_at: string | null;
          channel: string;
          follower: number | null;
        }
      | undefined;
    if (!r || r.status !== 'pending' || r.campaign_status !== 'sending') return { kind: 'lost' };
    const at = nowIso(now);
    const finish = (status: 'opted_out' | 'gone' | 'outside_window', reason: string): ClaimOutcome => {
      db.prepare(`UPDATE deliveries SET status = ?, reason = ?, finished_at = ? WHERE id = ?`).run(status, reason, at, id);
      return { kind: 'skipped', status, reason };
    };
    if (r.opted_out_at !== null || (r.consent_at === null && r.follower === null)) return finish('opted_out', 'opted out before the send');
    if (r.person_status !== 'active') return finish('gone', 'marked gone before the send');
    if (opts.windowStart && (r.last_interaction_at === null || r.last_interaction_at < opts.windowStart))
      return finish('outside_window', 'no interaction in the last 7 days');
    db.prepare(`UPDATE deliveries SET status = 'sending', attempts = attempts + 1, claimed_at = ? WHERE id = ?`).run(at, id);
    return { kind: 'claimed' };
  })();
}

/**
 * Right before a claimed delivery leaves: if its person opted out (/huy) since the claim, the row
 * becomes `opted_out` and is not sent. A claim commits a turn of the event loop before its send
 * (claims share group commits), and an opt-out must stop the very next message.
 * Returns true when the row was stopped.
 */
export function stopIfOptedOutSinceClaim(db: Db, id: number, now: Date = new Date()): boolean {
  // A read first: the write (a commit) happens only for the rare row that is stopped.
  const out = db
    .prepare(`SELECT p.opted_out_at FROM deliveries d JOIN people p ON p.id = d.person_id WHERE d.id = ? AND d.status = 'sending'`)
    .pluck()
    .get(id) as string | null | undefined;
  if (out === null || out === undefined) return false;
  db.prepare(`UPDATE deliveries SET status = 'opted_out', reason = 'opted out before the send', finished_at = ? WHERE id = ? AND status = 'sending'`).run(
    nowIso(now),
    id,
  );
  return true;
}

/** The recorded outcome of one send. */
export type DeliveryOutcome =
  | { status: 'sent'; messageId?: string }
  | {
      status: 'retry';
      retryAt: Date;
      reason: string;
      /**
       * The channel, not the row, is what cannot send (Zalo OA out of quota): the attempt does
       * not count toward giving up, so a row waits out a quota of a day and is never failed for
       * it. Answer notices ignore it (db/notices.ts).
       */
      held?: boolean;
    }
  | { status: 'gone' | 'outside_window' | 'failed'; reason: string };

/**
 * Records that the first `parts` parts of a claimed row's message went out, so a retry of the
 * row sends only the rest (never the photo twice).
 */
export function recordPartsDone(db: Db, id: number, parts: number): void {
  db.prepare(`UPDATE deliveries SET parts_done = ? WHERE id = ? AND status = 'sending'`).run(parts, id);
}

/** Records the outcome of a claimed row (one synchronous commit: a kill -9 after it loses nothing). */
export function recordDelivery(db: Db, id: number, outcome: DeliveryOutcome, now: Date = new Date()): void {
  const at = nowIso(now);
  if (outcome.status === 'retry')
    db.prepare(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, reason = ?, attempts = attempts - ? WHERE id = ? AND status = 'sending'`,
    ).run(nowIso(outcome.retryAt), outcome.reason, outcome.held ? 1 : 0, id);
  else
    db.prepare(
      `UPDATE deliveries SET status = ?, message_id = ?, reason = ?, finished_at = ?, next_attempt_at = NULL
       WHERE id = ? AND status = 'sending'`,
    ).run(
      outcome.status,
      outcome.status === 'sent' ? (outcome.messageId ?? null) : null,
      outcome.status === 'sent' ? null : outcome.reason,
      at,
      id,
    );
}

/**
 * Start-up: rows left `sending` by a crash may or may not have reached the platform. They
 * become `unknown` and are reported; they are not re-sent unless staff choose to. Returns the
 * count per campaign.
 */
export function markInterruptedUnknown(db: Db, now: Date = new Date()): Map<number, number> {
  return db.transaction(() => {
    const rows = db
      .prepare(`SELECT campaign_id AS id, COUNT(*) AS n FROM deliveries WHERE status = 'sending' GROUP BY campaign_id`)
      .all() as { id: number; n: number }[];
    db.prepare(
      `UPDATE deliveries SET status = 'unknown', reason = 'interrupted mid-send (crash or kill)', finished_at = ? WHERE status = 'sending'`,
    ).run(nowIso(now));
    return new Map(rows.map((r) => [r.id, r.n]));
  })();
}

/** Puts a campaign's `unknown` rows back to pending (staff accept possible duplicates). Returns how many. */
export function requeueUnknown(db: Db, campaignId: number): number {
  return db
    .prepare(`UPDATE deliveries SET status = 'pending', next_attempt_at = NULL, reason = NULL, finished_at = NULL WHERE campaign_id = ? AND status = 'unknown'`)
    .run(campaignId).changes;
}

/**
 * Puts a campaign's `failed` rows back to pending with a fresh attempt count (staff chose to
 * try them again after fixing the cause). Rows of people who stopped (`gone`, `opted_out`) or
 * are outside Zalo's window are not failures and stay as they are; the claim re-checks consent
 * and the window anyway. Returns how many.
 */
export function requeueFailed(db: Db, campaignId: number): number {
  return db
    .prepare(
      `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = NULL, reason = NULL, finished_at = NULL
       WHERE campaign_id = ? AND status = 'failed'`,
    )
    .run(campaignId).changes;
}

/**
 * Moves a finished (`done`) campaign back to `sending` for a re-send and forgets its frozen
 * counts and finish time: the counts would otherwise be shown as the live figures while it sends
 * again, and the campaign would read as finished. Returns false when it was not `done`.
 */
export function reopenDoneCampaign(db: Db, id: number, now: Date = new Date()): boolean {
  return (
    db
      .prepare(`UPDATE campaigns SET status = 'sending', counts = NULL, finished_at = NULL, updated_at = ? WHERE id = ? AND status = 'done'`)
      .run(nowIso(now), id).changes === 1
  );
}

/** One group of a campaign's deliveries: a channel, the person's region (null: none chosen) and a status. */
export interface DeliveryGroup {
  channel: ChannelName;
  region: string | null;
  status: DeliveryStatus;
  n: number;
}

/**
 * A campaign's deliveries counted per channel, region (the person's region now) and status: the
 * delivery report staff read per platform and commune.
 */
export function deliveryBreakdown(db: Db, campaignId: number): DeliveryGroup[] {
  return db
    .prepare(
      `SELECT d.channel, p.region, d.status, COUNT(*) AS n FROM deliveries d JOIN people p ON p.id = d.person_id
       WHERE d.campaign_id = ? GROUP BY d.channel, p.region, d.status ORDER BY d.channel, p.region, d.status`,
    )
    .all(campaignId) as DeliveryGroup[];
}

/** One delivery as the export lists it. */
export interface DeliveryListRow {
  channel: ChannelName;
  recipient: string;
  displayName: string | null;
  region: string | null;
  status: DeliveryStatus;
  attempts: number;
  reason: string | null;
  finishedAt: string | null;
}

/** Every delivery of a campaign with the person's name and region, in send order (the export). */
export function deliveryList(db: Db, campaignId: number): DeliveryListRow[] {
  return db
    .prepare(
      `SELECT d.channel, d.recipient, p.display_name AS displayName, p.region, d.status, d.attempts, d.reason, d.finished_at AS finishedAt
       FROM deliveries d JOIN people p ON p.id = d.person_id WHERE d.campaign_id = ? ORDER BY d.id`,
    )
    .all(campaignId) as DeliveryListRow[];
}

/**
 * How many of these people last wrote on or after `since` (Zalo's 7-day window: only they can be
 * sent a consultation message). Ids are read in chunks, so any audience size works.
 */
export function countInteractedSince(db: Db, personIds: readonly number[], since: Date): number {
  let n = 0;
  const at = nowIso(since);
  for (let i = 0; i < personIds.length; i += 500) {
    const chunk = personIds.slice(i, i + 500);
    n += (
      db.prepare(`SELECT COUNT(*) AS n FROM people WHERE last_interaction_at >= ? AND id IN (${chunk.map(() => '?').join(',')})`).get(at, ...chunk) as { n: number }
    ).n;
  }
  return n;
}

/** Marks a campaign's pending rows cancelled. */
export function cancelPendingDeliveries(db: Db, campaignId: number, now: Date = new Date()): number {
  return db
    .prepare(`UPDATE deliveries SET status = 'cancelled', finished_at = ? WHERE campaign_id = ? AND status = 'pending'`)
    .run(nowIso(now), campaignId).changes;
}

/** Live counts of one campaign's deliveries. */
export function deliveryCounts(db: Db, campaignId: number, now: Date = new Date()): DeliveryCounts {
  const byStatus = db
    .prepare(`SELECT status, COUNT(*) AS n FROM deliveries WHERE campaign_id = ? GROUP BY status`)
    .all(campaignId) as { status: DeliveryStatus; n: number }[];
  const n = (s: DeliveryStatus): number => byStatus.find((r) => r.status === s)?.n ?? 0;
  const failedByReason = Object.fromEntries(
    (
      db
        .prepare(`SELECT COALESCE(reason, '?') AS reason, COUNT(*) AS n FROM deliveries WHERE campaign_id = ? AND status = 'failed' GROUP BY reason ORDER BY n DESC`)
        .all(campaignId) as { reason: string; n: number }[]
    ).map((r) => [r.reason, r.n]),
  );
  const since = db
    .prepare(
      `SELECT COUNT(*) AS n FROM deliveries d JOIN people p ON p.id = d.person_id JOIN campaigns c ON c.id = d.campaign_id
       WHERE d.campaign_id = ? AND p.opted_out_at IS NOT NULL AND c.started_at IS NOT NULL AND p.opted_out_at >= c.started_at`,
    )
    .get(campaignId) as { n: number };
  // Tried and waiting to be tried again (a retry_after, a backoff, a Zalo quota): not failed.
  const retrying = db
    .prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE campaign_id = ? AND status = 'pending' AND reason IS NOT NULL AND next_attempt_at IS NOT NULL`)
    .get(campaignId) as { n: number };
  return {
    targeted: byStatus.reduce((a, r) => a + r.n, 0),
    pending: n('pending'),
    sending: n('sending'),
    sent: n('sent'),
    gone: n('gone'),
    outsideWindow: n('outside_window'),
    failed: n('failed'),
    failedByReason,
    optedOut: n('opted_out'),
    unknown: n('unknown'),
    cancelled: n('cancelled'),
    optedOutSince: since.n,
    retrying: retrying.n,
  };
}

/** The figures of a campaign's progress bar and list row: its delivery counts without the two that need more than its rows' statuses. */
export type ProgressCounts = Omit<DeliveryCounts, 'failedByReason' | 'optedOutSince'>;

/**
 * The progress counts of many campaigns at once (the campaign list), equal to what
 * `deliveryCounts` gives each of them: one grouped count over the (campaign, status) index and
 * one over the pending rows, instead of four queries a campaign (60 campaigns whose counts were
 * not frozen: 600 ms). Campaigns without deliveries get zeros.
 */
export function progressCounts(db: Db, campaignIds: readonly number[]): Map<number, ProgressCounts> {
  const out = new Map<number, ProgressCounts>();
  for (const id of campaignIds)
    out.set(id, { targeted: 0, pending: 0, sending: 0, sent: 0, gone: 0, outsideWindow: 0, failed: 0, optedOut: 0, unknown: 0, cancelled: 0, retrying: 0 });
  const key: Record<string, keyof ProgressCounts | undefined> = {
    pending: 'pending',
    sending: 'sending',
    sent: 'sent',
    gone: 'gone',
    outside_window: 'outsideWindow',
    failed: 'failed',
    opted_out: 'optedOut',
    unknown: 'unknown',
    cancelled: 'cancelled',
  };
  for (let i = 0; i < campaignIds.length; i += 500) {
    const chunk = campaignIds.slice(i, i + 500);
    const marks = chunk.map(() => '?').join(',');
    for (const r of db
      .prepare(`SELECT campaign_id AS id, status, COUNT(*) AS n FROM deliveries WHERE campaign_id IN (${marks}) GROUP BY campaign_id, status`)
      .all(...chunk) as { id: number; status: string; n: number }[]) {
      const c = out.get(r.id)!;
      c.targeted += r.n;
      const k = key[r.status];
      if (k) c[k] += r.n;
    }
    for (const r of db
      .prepare(
        `SELECT campaign_id AS id, COUNT(*) AS n FROM deliveries
         WHERE campaign_id IN (${marks}) AND status = 'pending' AND reason IS NOT NULL AND next_attempt_at IS NOT NULL GROUP BY campaign_id`,
      )
      .all(...chunk) as { id: number; n: number }[])
      out.get(r.id)!.retrying = r.n;
  }
  return out;
}

/** Sending campaigns with no row left pending or in flight. */
export function finishedSendingCampaigns(db: Db): number[] {
  return (
    db
      .prepare(
        `SELECT c.id FROM campaigns c WHERE c.status = 'sending'
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.status IN ('pending', 'sending'))`,
      )
      .all() as { id: number }[]
  ).map((r) => r.id);
}

/** Every delivery of a campaign (tests, exports). */
export function listDeliveries(
  db: Db,
  campaignId: number,
): { personId: number; channel: string; recipient: string; status: DeliveryStatus; attempts: number; reason: string | null; messageId: string | null }[] {
  return db
    .prepare(
      `SELECT person_id AS personId, channel, recipient, status, attempts, reason, message_id AS messageId
       FROM deliveries WHERE campaign_id = ? ORDER BY id`,
    )
    .all(campaignId) as never;
}

/**
 * Rows of sending campaigns on channels this process does not run (not configured) cannot be
 * delivered: they are failed with a reason staff can act on, so the campaign can finish.
 */
export function failUnroutableDeliveries(db: Db, configured: readonly string[], now: Date = new Date()): number {
  return db
    .prepare(
      `UPDATE deliveries SET status = 'failed', reason = 'channel not configured: ' || channel, finished_at = ?
       WHERE status = 'pending' AND channel NOT IN (${configured.map(() => '?').join(',') || "''"})
         AND campaign_id IN (SELECT id FROM campaigns WHERE status = 'sending')`,
    )
    .run(nowIso(now), ...configured).changes;
}
