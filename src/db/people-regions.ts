/**
 * The regions people chose, as stored: which slugs are in use and how many people each, and
 * moving everyone from one slug to another. After communes are merged (as on 1/7/2025) the
 * regions file lists the new commune, while people who chose the old one still carry its slug;
 * staff move them so a campaign to the new commune reaches them.
 */
import type { Db } from './index.js';

/**
 * People per stored region slug (null: none chosen), the opted-out and gone included, most first.
 * `people` and `subscribed` are Telegram and Zalo people (a campaign's audience); `web` the web
 * chat visitors placed in the region by their commune portal's widget (they get no campaigns,
 * but their questions go to that commune's queue and count in its report).
 */
export function regionsInUse(db: Db): { region: string | null; people: number; subscribed: number; web: number }[] {
  return db
    .prepare(
      `SELECT region, SUM(channel <> 'web') AS people,
              SUM(channel <> 'web' AND status = 'active' AND opted_out_at IS NULL AND consent_at IS NOT NULL) AS subscribed,
              SUM(channel = 'web') AS web
       FROM people WHERE channel <> 'web' OR region IS NOT NULL GROUP BY region ORDER BY people DESC, web DESC, region`,
    )
    .all() as { region: string | null; people: number; subscribed: number; web: number }[];
}

/**
 * Moves every person whose region is `from` to `to`; returns how many. A merger renames the
 * commune, its past included: the people of `from` who asked for erasure move too
 * (`erased_regions`, migration 110), the move is not recorded as these people changing commune,
 * and earlier changes from or to `from` now name `to` (`region_changes`, migration 116), so the
 * new commune's reports of past years count the old commune's people as it counts everyone's.
 */
export function moveRegion(db: Db, from: string, to: string): number {
  return db.transaction(() => {
    db.prepare(`UPDATE erased_regions SET region = ? WHERE region = ?`).run(to, from);
    const before = db.prepare(`SELECT COALESCE(MAX(id), 0) FROM region_changes`).pluck().get() as number;
    const n = db.prepare(`UPDATE people SET region = ? WHERE region = ?`).run(to, from).changes;
    db.prepare(`DELETE FROM region_changes WHERE id > ?`).run(before);
    db.prepare(`UPDATE region_changes SET old_region = ? WHERE old_region = ?`).run(to, from);
    db.prepare(`UPDATE region_changes SET new_region = ? WHERE new_region = ?`).run(to, from);
    return n;
  })();
}
