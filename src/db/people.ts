/** People: one row per channel identity, with consent, region, topics and status. */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName } from '../messages.js';
import { recordAudit } from './audit.js';
import { eraseIdentifiers } from './erasure.js';
import { rememberErasedEvents } from './messages.js';
import type { Lang } from '../text/language.js';

/** A person as stored. */
export interface Person {
  id: number;
  channel: ChannelName;
  externalId: string;
  displayName: string | null;
  status: 'active' | 'gone';
  goneReason: string | null;
  region: string | null;
  consentAt: string | null;
  /** The consent text version agreed to (`conversation/consent.ts`); null before versioning or when imported. */
  consentVersion: string | null;
  optedOutAt: string | null;
  pendingChoices: string[] | null;
  /** The labels of those choices, in order (absent for choices stored before labels were kept). */
  pendingLabels: string[] | null;
  /**
   * When those choices were offered (ISO); null for rows stored before the time was kept. A bare
   * "Huỷ" under a list offered moments ago closes the list rather than stopping the news
   * (`conversation/subscription.ts`).
   */
  pendingAt: string | null;
  state: Record<string, unknown> | null;
  createdAt: string;
  lastInteractionAt: string | null;
  /** The language the person is answered in (migration 092). */
  lang: Lang;
  /** Whether the person chose it (/en, /vi) rather than it following their last question. */
  langChosen: boolean;
}

interface PersonRow {
  id: number;
  channel: ChannelName;
  external_id: string;
  display_name: string | null;
  status: 'active' | 'gone';
  gone_reason: string | null;
  region: string | null;
  consent_at: string | null;
  consent_version: string | null;
  opted_out_at: string | null;
  pending_choices: string | null;
  state: string | null;
  created_at: string;
  last_interaction_at: string | null;
  lang: Lang;
  lang_chosen: number;
}

function toPerson(r: PersonRow): Person {
  return {
    id: r.id,
    channel: r.channel,
    externalId: r.external_id,
    displayName: r.display_name,
    status: r.status,
    goneReason: r.gone_reason,
    region: r.region,
    consentAt: r.consent_at,
    consentVersion: r.consent_version,
    optedOutAt: r.opted_out_at,
    ...pendingOf(r.pending_choices),
    state: r.state ? (JSON.parse(r.state) as Record<string, unknown>) : null,
    createdAt: r.created_at,
    lastInteractionAt: r.last_interaction_at,
    lang: r.lang ?? 'vi',
    langChosen: r.lang_chosen === 1,
  };
}

/**
 * Sets the language a person is answered in: `chosen` by /en or /vi, or following the language
 * of their question when they never chose (a chosen language is then kept).
 */
export function setPersonLang(db: Db, personId: number, lang: Lang, chosen: boolean): void {
  if (chosen) db.prepare('UPDATE people SET lang = ?, lang_chosen = 1 WHERE id = ?').run(lang, personId);
  else db.prepare('UPDATE people SET lang = ? WHERE id = ? AND lang_chosen = 0').run(lang, personId);
}

/** Finds or creates the person for a channel identity, updating the display name if given. */
export function upsertPerson(
  db: Db,
  channel: ChannelName,
  externalId: string,
  displayName?: string,
  now: Date = new Date(),
): Person {
  // Almost every message comes from someone already known, with the same name: a read then,
  // not a write (a write is a WAL commit, several times the cost of this lookup).
  const known = getPersonByExternal(db, channel, externalId);
  if (known && (displayName === undefined || displayName === known.displayName)) return known;
  // The row as written, in the same statement (a new visitor costs one read less).
  const row = db
    .prepare(
      `INSERT INTO people (channel, external_id, display_name, created_at)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (channel, external_id) DO UPDATE SET
         display_name = COALESCE(excluded.display_name, people.display_name)
       RETURNING *`,
    )
    .get(channel, externalId, displayName ?? null, nowIso(now)) as PersonRow;
  return toPerson(row);
}

/** The person for a channel identity, or undefined. */
export function getPersonByExternal(db: Db, channel: ChannelName, externalId: string): Person | undefined {
  const r = db
    .prepare('SELECT * FROM people WHERE channel = ? AND external_id = ?')
    .get(channel, externalId) as PersonRow | undefined;
  return r ? toPerson(r) : undefined;
}

/** The id of the person for a channel identity, or undefined (a narrow read: no row decoding). */
export function personIdByExternal(db: Db, channel: ChannelName, externalId: string): number | undefined {
  return db.prepare('SELECT id FROM people WHERE channel = ? AND external_id = ?').pluck().get(channel, externalId) as number | undefined;
}

/** The id and language of the person for a channel identity, or undefined (a narrow read). */
export function personLangByExternal(db: Db, channel: ChannelName, externalId: string): { id: number; lang: Lang } | undefined {
  return db.prepare('SELECT id, lang FROM people WHERE channel = ? AND external_id = ?').get(channel, externalId) as { id: number; lang: Lang } | undefined;
}

/** The person with this id, or undefined. */
export function getPerson(db: Db, id: number): Person | undefined {
  const r = db.prepare('SELECT * FROM people WHERE id = ?').get(id) as PersonRow | undefined;
  return r ? toPerson(r) : undefined;
}

/** Records that the person interacted now (Zalo's 7-day window depends on it). */
export function touchPerson(db: Db, id: number, now: Date = new Date()): void {
  db.prepare('UPDATE people SET last_interaction_at = ? WHERE id = ?').run(nowIso(now), id);
}

/** Marks a person gone (blocked, deactivated, unfollowed): never targeted again until back. */
export function markPersonGone(db: Db, id: number, reason: string): void {
  db.prepare(`UPDATE people SET status = 'gone', gone_reason = ? WHERE id = ?`).run(reason, id);
}

/** Marks a person active again (unblocked, followed again). */
export function markPersonActive(db: Db, id: number): void {
  db.prepare(`UPDATE people SET status = 'active', gone_reason = NULL WHERE id = ?`).run(id);
}

/**
 * Stores the actions behind the numbered choices last shown, so "2" can answer them, and their
 * labels, so typing a choice's words ("Tôi muốn hỏi", "Huỷ") does too. Kept as the list of
 * actions alone in rows written before labels and times were kept; `t` is when they were offered.
 */
export function setPendingChoices(db: Db, id: number, actions: string[] | null, labels?: string[], now: Date = new Date()): void {
  const value =
    !actions || actions.length === 0
      ? null
      : JSON.stringify({ a: actions, ...(labels && labels.length === actions.length ? { l: labels } : {}), t: nowIso(now) });
  db.prepare('UPDATE people SET pending_choices = ? WHERE id = ?').run(value, id);
}

/** The stored choices: a list of actions, or actions with their labels and the time they were offered. */
function pendingOf(raw: string | null): { pendingChoices: string[] | null; pendingLabels: string[] | null; pendingAt: string | null } {
  if (!raw) return { pendingChoices: null, pendingLabels: null, pendingAt: null };
  const v = JSON.parse(raw) as string[] | { a: string[]; l?: string[]; t?: string };
  return Array.isArray(v) ? { pendingChoices: v, pendingLabels: null, pendingAt: null } : { pendingChoices: v.a, pendingLabels: v.l ?? null, pendingAt: v.t ?? null };
}

/** Stores small conversation state for the person (null clears it). */
export function setPersonState(db: Db, id: number, state: Record<string, unknown> | null): void {
  db.prepare('UPDATE people SET state = ? WHERE id = ?').run(state ? JSON.stringify(state) : null, id);
}

/**
 * Records consent to receive campaigns, with topics and region, and the version of the consent
 * text the person was shown (null when unknown, e.g. set up by staff). Clears an earlier opt-out.
 */
export function subscribe(
  db: Db,
  id: number,
  topics: string[],
  region: string | null,
  now: Date = new Date(),
  consentVersion: string | null = null,
): void {
  db.transaction(() => {
    db.prepare(
      'UPDATE people SET consent_at = ?, consent_version = ?, opted_out_at = NULL, region = COALESCE(?, region) WHERE id = ?',
    ).run(nowIso(now), consentVersion, region, id);
    const ins = db.prepare(
      'INSERT OR IGNORE INTO subscriptions (person_id, topic, created_at) VALUES (?, ?, ?)',
    );
    for (const t of topics) ins.run(id, t, nowIso(now));
  })();
}

/** Sets the person's region. */
export function setRegion(db: Db, id: number, region: string | null): void {
  db.prepare('UPDATE people SET region = ? WHERE id = ?').run(region, id);
}

/** Adds or removes one topic subscription. */
export function setTopic(db: Db, id: number, topic: string, on: boolean, now: Date = new Date()): void {
  if (on)
    db.prepare('INSERT OR IGNORE INTO subscriptions (person_id, topic, created_at) VALUES (?, ?, ?)').run(
      id,
      topic,
      nowIso(now),
    );
  else db.prepare('DELETE FROM subscriptions WHERE person_id = ? AND topic = ?').run(id, topic);
}

/** Withdraws consent at once: no further campaign message goes to this person. */
export function unsubscribe(db: Db, id: number, now: Date = new Date()): void {
  db.prepare('UPDATE people SET opted_out_at = ?, consent_at = NULL, consent_version = NULL WHERE id = ?').run(nowIso(now), id);
}

/** The topics a person subscribed to. */
export function topicsOf(db: Db, id: number): string[] {
  return (db.prepare('SELECT topic FROM subscriptions WHERE person_id = ? ORDER BY topic').all(id) as {
    topic: string;
  }[]).map((r) => r.topic);
}

/** Options of {@link erasePerson}. */
export interface EraseOptions {
  /**
   * Who asked, for the audit log: `person:<id>` (the default: the person themself, through
   * /xoadulieu) or a staff username / `cli:<user>`. Never a platform id or a name.
   */
  actor?: string;
}

/**
 * Deletes a person's personal data at their request (Law 91/2025/QH15 on personal data
 * protection). The person row is anonymised rather than removed so that aggregate figures the
 * office must report (questions asked, deliveries) stay right; message texts, names,
 * subscriptions, consent and state are erased, and so is every platform id or web session id
 * kept elsewhere (`db/erasure.ts`). Feature modules register extra erasers (quiz registrations,
 * Zalo form data) with {@link registerEraser}. The erasure is audited in the same transaction,
 * under the internal person number only.
 */
export function erasePerson(db: Db, id: number, now: Date = new Date(), opts: EraseOptions = {}): void {
  db.transaction(() => {
    const person = getPerson(db, id);
    if (!person) return;
    for (const eraser of erasers) eraser(db, id);
    db.prepare('DELETE FROM subscriptions WHERE person_id = ?').run(id);
    db.prepare(`UPDATE messages SET text = NULL, payload = NULL WHERE person_id = ?`).run(id);
    db.prepare(`UPDATE unanswered SET question = '[đã xoá theo yêu cầu]', normalized = '' WHERE person_id = ?`).run(id);
    // Before the dedupe keys go: a redelivery of one of these events must stay a duplicate.
    rememberErasedEvents(db, id, now);
    const identifiers = person.externalId.startsWith('erased:')
      ? {}
      : eraseIdentifiers(db, { personId: id, channel: person.channel, externalId: person.externalId });
    db.prepare(
      `UPDATE people SET display_name = NULL, region = NULL, consent_at = NULL, consent_version = NULL, opted_out_at = ?,
         pending_choices = NULL, state = NULL, external_id = 'erased:' || id
       WHERE id = ?`,
    ).run(nowIso(now), id);
    recordAudit(
      db,
      { actor: opts.actor ?? `person:${id}`, action: 'privacy.erase', targetType: 'person', targetId: id, details: { channel: person.channel, identifiers } },
      now,
    );
  })();
}

const erasers: ((db: Db, personId: number) => void)[] = [];

/** Registers a function that erases a feature's personal data for a person (runs in the erase transaction). */
export function registerEraser(fn: (db: Db, personId: number) => void): void {
  erasers.push(fn);
}
