/**
 * Subscribers as campaigns see them. A subscriber is an active person who has not opted out and
 * either consented through /dangky (or an import) or follows the Zalo OA (a `follow` event, or
 * `loa subscribers sync-zalo`). A subscriber with no
 * topic subscriptions receives every topic; one with no region is reached only by campaigns
 * aimed at the whole deployment (see `campaigns/audience.ts`).
 */
import type { Db } from './index.js';
import { nowIso } from './index.js';
import type { ChannelName } from '../messages.js';
import type { AudienceMember } from './campaigns.js';

/** Audience filter, with regions already expanded to every descendant. */
export interface AudienceFilter {
  channels: ChannelName[];
  /** Topic slugs; empty = every topic. */
  topics: string[];
  /** Region slugs including descendants; null = everywhere. */
  regions: string[] | null;
  /** Whether people who never chose a region are included (campaigns aimed at the whole area). */
  includeNoRegion: boolean;
}

/**
 * A Zalo follower seen live: a `follow` event on record (an `unfollow` marks the person gone,
 * and a gone person is never targeted). `loa subscribers sync-zalo` finds the others.
 */
export const FOLLOWED = `EXISTS (SELECT 1 FROM messages m WHERE m.person_id = p.id AND m.direction = 'in' AND m.kind = 'follow')`;

function audienceSql(f: AudienceFilter): { sql: string; args: string[] } {
  const args: string[] = [...f.channels];
  let sql = `FROM people p LEFT JOIN zalo_followers zf ON zf.person_id = p.id
    WHERE p.channel IN (${f.channels.map(() => '?').join(',') || "''"})
      AND p.status = 'active' AND p.opted_out_at IS NULL
      AND (p.consent_at IS NOT NULL OR (p.channel = 'zalo' AND (zf.person_id IS NOT NULL OR ${FOLLOWED})))`;
  if (f.topics.length) {
    sql += ` AND (EXISTS (SELECT 1 FROM subscriptions s WHERE s.person_id = p.id AND s.topic IN (${f.topics.map(() => '?').join(',')}))
      OR NOT EXISTS (SELECT 1 FROM subscriptions s2 WHERE s2.person_id = p.id))`;
    args.push(...f.topics);
  }
  if (f.regions) {
    const inList = f.regions.length ? `p.region IN (${f.regions.map(() => '?').join(',')})` : '0';
    sql += f.includeNoRegion ? ` AND (${inList} OR p.region IS NULL)` : ` AND ${inList}`;
    args.push(...f.regions);
  }
  return { sql, args };
}

/** How many people a filter reaches now, per channel. */
export function countAudience(db: Db, f: AudienceFilter): Partial<Record<ChannelName, number>> {
  const { sql, args } = audienceSql(f);
  const rows = db.prepare(`SELECT p.channel, COUNT(*) AS n ${sql} GROUP BY p.channel`).all(...args) as {
    channel: ChannelName;
    n: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.channel, r.n]));
}

/** The people a filter reaches now, in id order. */
export function selectAudience(db: Db, f: AudienceFilter): AudienceMember[] {
  const { sql, args } = audienceSql(f);
  return db
    .prepare(`SELECT p.id AS personId, p.channel, p.external_id AS recipient ${sql} ORDER BY p.id`)
    .all(...args) as AudienceMember[];
}

/** One subscriber migrated from an earlier system. */
export interface ImportedSubscriber {
  channel: ChannelName;
  externalId: string;
  displayName?: string;
  topics: string[];
  region: string | null;
  consentedAt: string;
}

/**
 * Imports subscribers, creating people as needed. Someone who opted out here after the
 * imported consent keeps their opt-out: a migration must never resubscribe anyone.
 * Returns how many were added/updated and how many were kept opted out.
 */
export function importSubscribers(db: Db, rows: ImportedSubscriber[], now: Date = new Date()): { imported: number; keptOptedOut: number } {
  let imported = 0;
  let keptOptedOut = 0;
  db.transaction(() => {
    const upsert = db.prepare(
      `INSERT INTO people (channel, external_id, display_name, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (channel, external_id) DO UPDATE SET display_name = COALESCE(people.display_name, excluded.display_name)
       RETURNING id, opted_out_at, consent_at`,
    );
    // An imported consent has no version of our consent text: a newer one replaces the version.
    const consent = db.prepare(
      `UPDATE people SET consent_version = CASE WHEN consent_at = @at THEN consent_version ELSE NULL END,
         consent_at = @at, region = COALESCE(@region, region) WHERE id = @id`,
    );
    const topic = db.prepare(`INSERT OR IGNORE INTO subscriptions (person_id, topic, created_at) VALUES (?, ?, ?)`);
    for (const r of rows) {
      const p = upsert.get(r.channel, r.externalId, r.displayName ?? null, nowIso(now)) as {
        id: number;
        opted_out_at: string | null;
        consent_at: string | null;
      };
      if (p.opted_out_at && p.opted_out_at >= r.consentedAt) {
        keptOptedOut++;
        continue;
      }
      if (p.opted_out_at) db.prepare('UPDATE people SET opted_out_at = NULL WHERE id = ?').run(p.id);
      consent.run({ at: p.consent_at && p.consent_at > r.consentedAt ? p.consent_at : r.consentedAt, region: r.region, id: p.id });
      for (const t of r.topics) topic.run(p.id, t, r.consentedAt);
      imported++;
    }
  })();
  return { imported, keptOptedOut };
}

/**
 * Records Zalo followers from the OA's follower list: people are created as needed, and
 * anyone marked gone because they unfollowed is active again (they follow now).
 */
export function recordZaloFollowers(db: Db, userIds: string[], now: Date = new Date()): number {
  let added = 0;
  db.transaction(() => {
    const upsert = db.prepare(
      `INSERT INTO people (channel, external_id, created_at) VALUES ('zalo', ?, ?)
       ON CONFLICT (channel, external_id) DO UPDATE SET external_id = excluded.external_id RETURNING id`,
    );
    const follow = db.prepare(
      `INSERT INTO zalo_followers (person_id, synced_at) VALUES (?, ?) ON CONFLICT (person_id) DO UPDATE SET synced_at = excluded.synced_at`,
    );
    const reactivate = db.prepare(`UPDATE people SET status = 'active', gone_reason = NULL WHERE id = ? AND gone_reason = 'unfollow'`);
    for (const uid of userIds) {
      const { id } = upsert.get(uid, nowIso(now)) as { id: number };
      if (follow.run(id, nowIso(now)).changes) added++;
      reactivate.run(id);
    }
  })();
  return added;
}

/**
 * Whether the person is on the news list: consented (/dangky, an import) or follows the Zalo OA
 * ({@link FOLLOWED}), and has not opted out. The audience's test without its `active`: someone
 * who unfollowed still counts (following again brings the news back). "Huỷ" from someone not on
 * it is told they get no news, not that they stopped it (`conversation/subscription.ts`).
 */
export function isSubscribed(db: Db, personId: number): boolean {
  return (
    db
      .prepare(
        `SELECT 1 FROM people p LEFT JOIN zalo_followers zf ON zf.person_id = p.id
         WHERE p.id = ? AND p.opted_out_at IS NULL
           AND (p.consent_at IS NOT NULL OR (p.channel = 'zalo' AND (zf.person_id IS NOT NULL OR ${FOLLOWED})))`,
      )
      .get(personId) !== undefined
  );
}

/**
 * Whether a campaign message reached the person at or after `since` (sent, or on its way).
 * Campaigns are few and each has one delivery per person (its UNIQUE (campaign_id, person_id)
 * index), so this walks the campaigns still running or finished since then and looks the
 * person up in each (CROSS JOIN keeps that order: left to itself, SQLite scanned deliveries).
 */
export function campaignReachedSince(db: Db, personId: number, since: Date): boolean {
  const at = nowIso(since);
  return (
    db
      .prepare(
        `SELECT 1 FROM campaigns c CROSS JOIN deliveries d ON d.campaign_id = c.id AND d.person_id = ?
         WHERE c.started_at IS NOT NULL AND (c.finished_at IS NULL OR c.finished_at >= ?)
           AND d.status IN ('sent', 'sending') AND COALESCE(d.finished_at, d.claimed_at) >= ?
         LIMIT 1`,
      )
      .get(personId, at, at) !== undefined
  );
}
