/**
 * Admin storage: browser sessions, login attempts (for throttling), the link between
 * unanswered questions and the Q&A drafted for them, answer notifications, and the figures
 * shown on the dashboard.
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName } from '../messages.js';
import type { QueueKind } from './questions.js';
import type { RegionScope } from './scope.js';
import { questionFigures, reachedByChannel as reachedOf, reportPersonInScope, subscriberFigures, type Among } from './reach.js';

/** A stored session (the id is the SHA-256 of the cookie token, never the token). */
export interface SessionRow {
  id: string;
  userId: number;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** Its own idle limit (a shared computer's, "Máy dùng chung"); null = the default. */
  idleMinutes: number | null;
}

/** Stores a new session. */
export function insertSession(
  db: Db,
  s: { id: string; userId: number; csrfToken: string; expiresAt: Date; ip?: string; idleMinutes?: number },
  now: Date = new Date(),
): void {
  db.prepare(
    `INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, idle_minutes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(s.id, s.userId, s.csrfToken, nowIso(now), nowIso(now), nowIso(s.expiresAt), s.ip ?? null, s.idleMinutes ?? null);
}

/** The session with this id, expired or not (the caller decides), or undefined. */
export function getSessionRow(db: Db, id: string): SessionRow | undefined {
  const r = db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  if (!r) return undefined;
  return {
    id: r.id as string,
    userId: r.user_id as number,
    csrfToken: r.csrf_token as string,
    createdAt: r.created_at as string,
    lastSeenAt: r.last_seen_at as string,
    expiresAt: r.expires_at as string,
    idleMinutes: (r.idle_minutes as number | null) ?? null,
  };
}

/** Records activity on a session and slides its idle expiry. */
export function touchSession(db: Db, id: string, expiresAt: Date, now: Date = new Date()): void {
  db.prepare('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?').run(nowIso(now), nowIso(expiresAt), id);
}

/** Ends one session. */
export function deleteSession(db: Db, id: string): void {
  db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
}

/** Ends every session of a user (password change, disabling), optionally keeping one. */
export function deleteUserSessions(db: Db, userId: number, exceptId?: string): void {
  db.prepare('DELETE FROM sessions WHERE user_id = ? AND id != ?').run(userId, exceptId ?? '');
}

/** Removes expired sessions and login attempts older than `attemptsBefore`. */
export function purgeAdminState(db: Db, now: Date, attemptsBefore: Date): void {
  db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(nowIso(now));
  db.prepare('DELETE FROM login_attempts WHERE at < ?').run(nowIso(attemptsBefore));
}

/** Records one login attempt. */
export function recordLoginAttempt(db: Db, a: { username: string; ip: string; ok: boolean }, now: Date = new Date()): void {
  db.prepare('INSERT INTO login_attempts (username, ip, ok, at) VALUES (?, ?, ?, ?)').run(
    a.username.trim().toLowerCase(),
    a.ip,
    a.ok ? 1 : 0,
    nowIso(now),
  );
}

/**
 * Failed logins of one account from one address since `since`, after that pair's last success,
 * with the time of the latest: what the login backoff is computed from. Failures of the same
 * account from other addresses do not count, so nobody can hold an account locked.
 */
export function pairLoginFailures(db: Db, username: string, ip: string, since: Date): { n: number; lastAt: string | null } {
  const u = username.trim().toLowerCase();
  return db
    .prepare(
      `SELECT COUNT(*) AS n, MAX(at) AS lastAt FROM login_attempts WHERE username = ? AND ip = ? AND ok = 0 AND at >= ?
         AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE username = ? AND ip = ? AND ok = 1), '')`,
    )
    .get(u, ip, nowIso(since), u, ip) as { n: number; lastAt: string | null };
}

/**
 * Failed logins from one address (any account) since `since`, and the time of the `nth` most
 * recent of them (1 = the latest), or null when there are fewer.
 */
export function ipLoginFailures(db: Db, ip: string, since: Date, nth: number): { n: number; nthAt: string | null } {
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM login_attempts WHERE ip = ? AND ok = 0 AND at >= ?').get(ip, nowIso(since)) as { n: number };
  const row = db
    .prepare('SELECT at FROM login_attempts WHERE ip = ? AND ok = 0 AND at >= ? ORDER BY at DESC LIMIT 1 OFFSET ?')
    .get(ip, nowIso(since), Math.max(nth - 1, 0)) as { at: string } | undefined;
  return { n, nthAt: row?.at ?? null };
}

/** An unanswered question with the asker's channel identity and region, for the staff queue. */
export interface QueueQuestion {
  id: number;
  question: string;
  normalized: string;
  channel: ChannelName;
  createdAt: string;
  personId: number | null;
  region: string | null;
  /** The Q&A drafted for it, if any (not yet approved). */
  draftQaId: string | null;
  /** For an "answered, maybe wrong" item: the entry (or passage) the bot answered with. */
  givenAnswerId: string | null;
}

/**
 * Which open questions of the staff queue to show. Every field narrows; an absent one does not.
 * Region lists are slugs already expanded to their descendants (the caller knows the tree).
 */
export interface QueueFilter {
  /** The staff member's region scope: only askers in these regions (null = every region, and askers without one). */
  scope: readonly string[] | null;
  /** The region filter chosen on the page (a region and its descendants). */
  regions?: readonly string[];
  channel?: ChannelName;
  kind?: QueueKind;
  /** ISO instant, inclusive. */
  from?: string;
  /** ISO instant, exclusive. */
  to?: string;
}

const QUEUE_FROM = `FROM unanswered u
           LEFT JOIN people p ON p.id = u.person_id
           LEFT JOIN unanswered_drafts d ON d.unanswered_id = u.id`;

/** The WHERE clause of a queue filter; region lists go in as one JSON parameter each. */
function queueWhere(f: QueueFilter, opts: { ignoreKind?: boolean } = {}): { sql: string; args: (string | number)[] } {
  const where = [`u.status = 'open'`];
  const args: (string | number)[] = [];
  if (f.scope) (where.push('p.region IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(f.scope)));
  if (f.regions) (where.push('p.region IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(f.regions)));
  if (f.channel) (where.push('u.channel = ?'), args.push(f.channel));
  if (f.kind && !opts.ignoreKind) (where.push('u.kind = ?'), args.push(f.kind));
  if (f.from) (where.push('u.created_at >= ?'), args.push(f.from));
  if (f.to) (where.push('u.created_at < ?'), args.push(f.to));
  return { sql: where.join(' AND '), args };
}

function queueQuestionOf(r: Record<string, unknown>): QueueQuestion {
  return {
    id: r.id as number,
    question: r.question as string,
    normalized: r.normalized as string,
    channel: r.channel as ChannelName,
    createdAt: r.created_at as string,
    personId: r.person_id as number | null,
    region: r.region as string | null,
    draftQaId: r.qa_id as string | null,
    givenAnswerId: (r.given_answer_id as string | null | undefined) ?? null,
  };
}

/**
 * One page of the open questions matching the filter, newest first (ties by id, so pages never
 * overlap or skip a question). The queue has no cap: a flood of questions only adds pages, and
 * the filters find the real ones among them.
 */
export function listQueuePage(db: Db, f: QueueFilter, page: { limit: number; offset: number }): QueueQuestion[] {
  const w = queueWhere(f);
  return (
    db
      .prepare(
        `SELECT u.id, u.question, u.normalized, u.channel, u.created_at, u.person_id, p.region, d.qa_id, u.given_answer_id
           ${QUEUE_FROM}
          WHERE ${w.sql}
          ORDER BY u.created_at DESC, u.id DESC LIMIT ? OFFSET ?`,
      )
      .all(...w.args, Math.max(page.limit, 1), Math.max(page.offset, 0)) as Record<string, unknown>[]
  ).map(queueQuestionOf);
}

/** How many open questions match the filter, by kind (the filter's own kind is ignored, so each count stays visible). */
export function countQueue(db: Db, f: QueueFilter): Record<QueueKind, number> {
  const w = queueWhere(f, { ignoreKind: true });
  const rows = db.prepare(`SELECT u.kind AS kind, COUNT(*) AS n ${QUEUE_FROM} WHERE ${w.sql} GROUP BY u.kind`).all(...w.args) as {
    kind: string;
    n: number;
  }[];
  const out: Record<QueueKind, number> = { unanswered: 0, maybe_wrong: 0 };
  for (const r of rows) out[r.kind === 'maybe_wrong' ? 'maybe_wrong' : 'unanswered'] += r.n;
  return out;
}

/**
 * The open questions among `ids` that a staff member with this region scope may act on (answer,
 * attach, dismiss), newest first. Checked by id, wherever they are in the queue.
 */
export function openQueueQuestions(db: Db, ids: readonly number[], scope: readonly string[] | null): QueueQuestion[] {
  if (ids.length === 0) return [];
  const w = queueWhere({ scope });
  return (
    db
      .prepare(
        `SELECT u.id, u.question, u.normalized, u.channel, u.created_at, u.person_id, p.region, d.qa_id, u.given_answer_id
           ${QUEUE_FROM}
          WHERE ${w.sql} AND u.id IN (SELECT value FROM json_each(?))
          ORDER BY u.created_at DESC, u.id DESC`,
      )
      .all(...w.args, JSON.stringify(ids)) as Record<string, unknown>[]
  ).map(queueQuestionOf);
}

/** Links unanswered questions to the Q&A draft written for them (replacing an earlier link). */
export function linkUnansweredToDraft(db: Db, ids: number[], qaId: string, by: string, now: Date = new Date()): void {
  const stmt = db.prepare(
    `INSERT INTO unanswered_drafts (unanswered_id, qa_id, created_by, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (unanswered_id) DO UPDATE SET qa_id = excluded.qa_id, created_by = excluded.created_by, created_at = excluded.created_at`,
  );
  db.transaction(() => {
    for (const id of ids) stmt.run(id, qaId, by, nowIso(now));
  })();
}

/** Open unanswered questions (not "answered, maybe wrong") not yet linked to any Q&A. */
export function openUnlinkedUnanswered(db: Db): { id: number; question: string; normalized: string }[] {
  return db
    .prepare(
      `SELECT u.id, u.question, u.normalized FROM unanswered u LEFT JOIN unanswered_drafts d ON d.unanswered_id = u.id
        WHERE u.status = 'open' AND u.kind = 'unanswered' AND d.unanswered_id IS NULL ORDER BY u.id`,
    )
    .all() as { id: number; question: string; normalized: string }[];
}

/** The open unanswered questions waiting for this Q&A, with the asker's channel identity. */
export function unansweredWaitingFor(
  db: Db,
  qaId: string,
): { id: number; question: string; personId: number | null; channel: ChannelName; externalId: string | null; personStatus: string | null }[] {
  return (
    db
      .prepare(
        `SELECT u.id, u.question, u.person_id, u.channel, p.external_id, p.status
           FROM unanswered_drafts d JOIN unanswered u ON u.id = d.unanswered_id
           LEFT JOIN people p ON p.id = u.person_id
          WHERE d.qa_id = ? AND u.status = 'open' ORDER BY u.id`,
      )
      .all(qaId) as Record<string, unknown>[]
  ).map((r) => ({
    id: r.id as number,
    question: r.question as string,
    personId: r.person_id as number | null,
    channel: r.channel as ChannelName,
    externalId: r.external_id as string | null,
    personStatus: r.status as string | null,
  }));
}

/** Records what happened when a citizen was told their question now has an answer. */
export function recordAnswerNotification(
  db: Db,
  n: { unansweredId: number; personId: number | null; channel: ChannelName; qaId: string; result: string; reason?: string },
  now: Date = new Date(),
): void {
  db.prepare(
    `INSERT OR REPLACE INTO answer_notifications (unanswered_id, person_id, channel, qa_id, result, reason, at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(n.unansweredId, n.personId, n.channel, n.qaId, n.result, n.reason ?? null, nowIso(now));
}

/** Notification results for a Q&A, counted by result. */
export function answerNotificationCounts(db: Db, qaId: string): Record<string, number> {
  const rows = db
    .prepare('SELECT result, COUNT(*) AS n FROM answer_notifications WHERE qa_id = ? GROUP BY result')
    .all(qaId) as { result: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.result, r.n]));
}

/** Current subscribers (consented, not opted out, active) counted by channel and region. */
export function subscriberCounts(db: Db): { channel: ChannelName; region: string | null; n: number }[] {
  return db
    .prepare(
      `SELECT channel, region, COUNT(*) AS n FROM people
        WHERE consent_at IS NOT NULL AND opted_out_at IS NULL AND status = 'active'
        GROUP BY channel, region ORDER BY channel, region`,
    )
    .all() as { channel: ChannelName; region: string | null; n: number }[];
}

/**
 * Questions asked since `since` by channel: total and answered, optionally limited to askers
 * in the given regions (null = everyone).
 */
export function questionCounts(
  db: Db,
  since: Date,
  regions: string[] | null = null,
): { channel: ChannelName; asked: number; answered: number }[] {
  const regionFilter = regions ? `AND p.region IN (${regions.map(() => '?').join(',') || "''"})` : '';
  return db
    .prepare(
      `SELECT q.channel, COUNT(*) AS asked, SUM(q.answered) AS answered
         FROM questions q LEFT JOIN people p ON p.id = q.person_id
        WHERE q.created_at >= ? ${regionFilter}
        GROUP BY q.channel ORDER BY q.channel`,
    )
    .all(nowIso(since), ...(regions ?? [])) as { channel: ChannelName; asked: number; answered: number }[];
}

/** True when a table exists (campaign and quiz tables come from other modules' migrations). */
export function tableExists(db: Db, name: string): boolean {
  return !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name);
}

/** The figures of the yearly report (see `admin/report.ts`), all for [from, to). */
export interface YearFigures {
  reachedByChannel: { channel: string; people: number; wrote: number; received: number }[];
  newSubscribersByChannel: { channel: string; n: number }[];
  subscribersAtEnd: number;
  campaigns: { started: number; done: number; cancelled: number };
  deliveriesByStatus: { status: string; n: number }[];
  questions: { asked: number; answered: number; unanswered: number };
  questionsByChannel: { channel: string; asked: number; answered: number }[];
  topTopics: { topic: string; n: number }[];
  unansweredResolved: { answered: number; dismissed: number; open: number };
  /** Answers people said were wrong, by what staff did (`db/reach.ts` questionFigures). */
  maybeWrong: { answered: number; dismissed: number; open: number };
  contests: { contestId: string; participants: number; attempts: number; averageScore: number | null; averageCorrect: number | null }[];
}

/**
 * Computes the yearly report figures between two instants. "Reached" counts distinct people
 * per channel who wrote to the bot or were sent a campaign message (delivery `sent`); quiz
 * figures count attempts that answered every question.
 *
 * With a region `scope` (region-scoped staff), every figure counts only people of those
 * regions: their messages, deliveries, questions and attempts; a campaign counts when it
 * delivered to at least one of them. `among` limits the people reached and the questions to the
 * citizens or to the officials of the training list (`db/reach.ts`); the other figures count
 * everyone. Subscribers and the people counted stand as they did in the period: a later opt-out,
 * block or erasure does not change a past year's figures (`db/reach.ts`, migration 110).
 */
export function yearFigures(db: Db, from: Date, to: Date, scope: RegionScope = null, among: Among = 'everyone'): YearFigures {
  const f = nowIso(from);
  const t = nowIso(to);
  const hasCampaigns = tableExists(db, 'deliveries');
  const hasQuiz = tableExists(db, 'quiz_attempts');
  // A person counts for the region they had chosen at the period's end, even if they moved or
  // asked for erasure since (db/reach.ts).
  const inScope = (column: string) => reportPersonInScope(column, scope, t);
  // Who counts as reached, and whose questions count, is one rule for the whole report (db/reach.ts).
  const reachedByChannel = reachedOf(db, from, to, scope, among);
  // Subscribers as they stood in the period (a later opt-out, block or erasure changes nothing).
  const { newSubscribersByChannel, subscribersAtEnd } = subscriberFigures(db, from, to, scope);
  let campaigns = { started: 0, done: 0, cancelled: 0 };
  let deliveriesByStatus: YearFigures['deliveriesByStatus'] = [];
  if (hasCampaigns) {
    const reached = inScope('d.person_id');
    const campaignInScope = scope ? `EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = campaigns.id AND ${reached.sql})` : '1';
    campaigns = db
      .prepare(
        `SELECT COUNT(*) AS started, COALESCE(SUM(status = 'done'), 0) AS done, COALESCE(SUM(status = 'cancelled'), 0) AS cancelled
           FROM campaigns WHERE started_at >= ? AND started_at < ? AND ${campaignInScope}`,
      )
      .get(f, t, ...(scope ? reached.args : [])) as typeof campaigns;
    deliveriesByStatus = db
      .prepare(
        `SELECT d.status, COUNT(*) AS n FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
          WHERE c.started_at >= ? AND c.started_at < ? AND ${reached.sql} GROUP BY d.status ORDER BY n DESC`,
      )
      .all(f, t, ...reached.args) as YearFigures['deliveriesByStatus'];
  }
  const asker = inScope('person_id');
  const questions = questionFigures(db, from, to, scope, among);
  const contests = hasQuiz
    ? (db
        .prepare(
          `SELECT contest_id AS contestId, COUNT(DISTINCT COALESCE(person_id, -id)) AS participants, COUNT(*) AS attempts,
                  AVG(score) AS averageScore, AVG(correct_count) AS averageCorrect
             FROM quiz_attempts
            WHERE status IN ('done', 'predicting') AND finished_at >= ? AND finished_at < ? AND ${asker.sql}
            GROUP BY contest_id ORDER BY participants DESC, contest_id`,
        )
        .all(f, t, ...asker.args) as YearFigures['contests'])
    : [];
  return {
    reachedByChannel,
    newSubscribersByChannel,
    subscribersAtEnd,
    campaigns,
    deliveriesByStatus,
    ...questions,
    contests,
  };
}
