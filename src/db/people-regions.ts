/**
 * The regions people chose, as stored: which slugs are in use and how many people each, and
 * moving everyone from one slug to another. After communes are merged (as on 1/7/2025) the
 * regions file lists the new commune, while people who chose the old one still carry its slug;
 * staff move them so a campaign to the new commune reaches them.
 */
import type { Db } from './index.js';

/** People per stored region slug (null: none chosen), the opted-out and gone included, most first. */
export function regionsInUse(db: Db): { region: string | null; people: number; subscribed: number }[] {
  return db
    .prepare(
      `SELECT region, COUNT(*) AS people,
              SUM(status = 'active' AND opted_out_at IS NULL AND consent_at IS NOT NULL) AS subscribed
       FROM people WHERE channel <> 'web' GROUP BY region ORDER BY people DESC, region`,
    )
    .all() as { region: string | null; people: number; subscribed: number }[];
}

/**
 * Moves every person whose region is `from` to `to`; returns how many. The people of `from` who
 * asked for erasure move too (`erased_regions`, migration 110: kept for the yearly report), so
 * that the new commune's report counts their past as it counts everyone else's.
 */
export function moveRegion(db: Db, from: string, to: string): number {
  return db.transaction(() => {
    db.prepare(`UPDATE erased_regions SET region = ? WHERE region = ?`).run(to, from);
    return db.prepare(`UPDATE people SET region = ? WHERE region = ?`).run(to, from).changes;
  })();
}
