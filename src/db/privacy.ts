/**
 * What the office holds about one person, read in one place for "what do you hold about me"
 * (/dulieucuatoi; Law 91/2025/QH15 gives the person the right to know). Read only: the
 * conversation turns it into text (`conversation/my-data.ts`).
 */
import type { Db } from './index.js';
import { getPerson, topicsOf, type Person } from './people.js';
import { FOLLOWED } from './subscribers.js';

/** How many of something, with the first and last time (ISO), or nulls when there are none. */
export interface Span {
  count: number;
  first: string | null;
  last: string | null;
}

/** One open question of the person's in the staff queue (their own words are theirs to see). */
export interface OpenQuestion {
  question: string;
  createdAt: string;
}

/** One quiz registration that holds registration data. */
export interface QuizRegistration {
  contestId: string;
  name: string | null;
  unit: string | null;
  phone: string | null;
  startedAt: string;
  /** When the person agreed to the contest's consent line, and that line as shown (null before versioning). */
  consentAt: string | null;
  consentText: string | null;
}

/** One form submitted through Zalo's "request user info". */
export interface ZaloForm {
  name: string | null;
  phone: string | null;
  address: string | null;
  ward: string | null;
  district: string | null;
  city: string | null;
  createdAt: string;
}

/** Everything {@link personalDataOf} finds. */
export interface PersonalData {
  person: Person;
  topics: string[];
  /** Messages the person sent (any kind: text, button presses, quiz answers). */
  messages: Span;
  /** Questions asked (answered or not), as the reports count them. */
  questions: Span;
  /** Open items of the staff queue, newest first, at most `openLimit`. */
  openQuestions: OpenQuestion[];
  /** How many open items there are in all. */
  openCount: number;
  quiz: QuizRegistration[];
  zaloForms: ZaloForm[];
  /** A Zalo follower receives the OA's campaigns without /dangky (see `db/subscribers.ts`). */
  zaloFollower: boolean;
  /** Reports of suspected disinformation the person sent (/baocao). */
  disinfoReports: Span;
  /**
   * Changes of the person's news subscription kept for the yearly report's past figures
   * (subscriber_history, migration 110): subscribed or not, reachable or not (a block, an
   * unfollow), oldest first, at most the last {@link HISTORY_SHOWN}; `historyCount` is all of them.
   */
  subscriptionHistory: { consented: boolean; active: boolean; at: string }[];
  historyCount: number;
  /** Changes of the person's chosen commune (region_changes, migration 116), oldest first, at most the last {@link HISTORY_SHOWN}. */
  regionChanges: { oldRegion: string | null; newRegion: string | null; at: string }[];
  regionChangeCount: number;
  /** The office's training list, when this account is on it (`db/training.ts`). */
  training: { name: string; unit: string; groupId: string; region: string | null; trainedAt: string | null; tests: number }[];
}

/** How many rows of each history are listed (the rest are counted). */
export const HISTORY_SHOWN = 20;

/**
 * Reads what is held about person `id`, or undefined when there is no such person.
 *
 * @example personalDataOf(db, ctx.person.id)?.messages.count
 */
export function personalDataOf(db: Db, id: number, openLimit = 10): PersonalData | undefined {
  const person = getPerson(db, id);
  if (!person) return undefined;
  const span = (sql: string): Span => db.prepare(sql).get(id) as Span;
  return {
    person,
    topics: topicsOf(db, id),
    messages: span(
      `SELECT COUNT(*) AS count, MIN(created_at) AS first, MAX(created_at) AS last FROM messages WHERE person_id = ? AND direction = 'in'`,
    ),
    questions: span(`SELECT COUNT(*) AS count, MIN(created_at) AS first, MAX(created_at) AS last FROM questions WHERE person_id = ?`),
    openQuestions: db
      .prepare(
        `SELECT question, created_at AS createdAt FROM unanswered WHERE person_id = ? AND status = 'open'
          ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(id, openLimit) as OpenQuestion[],
    openCount: db.prepare(`SELECT COUNT(*) FROM unanswered WHERE person_id = ? AND status = 'open'`).pluck().get(id) as number,
    quiz: db
      .prepare(
        `SELECT contest_id AS contestId, name, unit, phone, started_at AS startedAt, consent_at AS consentAt, consent_text AS consentText FROM quiz_attempts
          WHERE person_id = ? AND (name IS NOT NULL OR unit IS NOT NULL OR phone IS NOT NULL) ORDER BY started_at, id`,
      )
      .all(id) as QuizRegistration[],
    zaloForms: db
      .prepare(
        `SELECT name, phone, address, ward, district, city, created_at AS createdAt FROM zalo_submissions
          WHERE person_id = ? ORDER BY created_at, id`,
      )
      .all(id) as ZaloForm[],
    zaloFollower:
      person.channel === 'zalo' &&
      person.status === 'active' &&
      !!db.prepare(`SELECT 1 FROM people p WHERE p.id = ? AND (EXISTS (SELECT 1 FROM zalo_followers WHERE person_id = p.id) OR ${FOLLOWED})`).get(id),
    disinfoReports: span(`SELECT COUNT(*) AS count, MIN(created_at) AS first, MAX(created_at) AS last FROM disinfo_reports WHERE person_id = ?`),
    subscriptionHistory: (
      db
        .prepare(`SELECT consented, active, at FROM (SELECT consented, active, at, id FROM subscriber_history WHERE person_id = ? ORDER BY at DESC, id DESC LIMIT ?) ORDER BY at, id`)
        .all(id, HISTORY_SHOWN) as { consented: number; active: number; at: string }[]
    ).map((r) => ({ consented: r.consented === 1, active: r.active === 1, at: r.at })),
    historyCount: db.prepare(`SELECT COUNT(*) FROM subscriber_history WHERE person_id = ?`).pluck().get(id) as number,
    regionChanges: db
      .prepare(
        `SELECT old_region AS oldRegion, new_region AS newRegion, at FROM (SELECT old_region, new_region, at, id FROM region_changes WHERE person_id = ? ORDER BY at DESC, id DESC LIMIT ?) ORDER BY at, id`,
      )
      .all(id, HISTORY_SHOWN) as PersonalData['regionChanges'],
    regionChangeCount: db.prepare(`SELECT COUNT(*) FROM region_changes WHERE person_id = ?`).pluck().get(id) as number,
    training: db
      .prepare(
        `SELECT o.name, o.unit, o.group_id AS groupId, o.region, o.trained_at AS trainedAt,
                (SELECT COUNT(*) FROM training_attempts a WHERE a.official_id = o.id) AS tests
           FROM training_officials o
          WHERE o.removed_at IS NULL AND (o.person_id = ? OR (o.channel = ? AND o.external_id = ?)) ORDER BY o.id`,
      )
      .all(id, person.channel, person.externalId) as PersonalData['training'],
  };
}
