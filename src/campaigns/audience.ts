/**
 * Audience: which subscribers a campaign reaches. Regions nest to any depth (province >
 * commune, or province > district > commune in older setups): targeting a region reaches every
 * region under it. People who never chose a region are reached only by a campaign aimed at the
 * whole deployment (no regions, or the deployment's root region), since nothing says they live
 * in a smaller area. Nor are people whose region the regions file no longer has (a commune
 * merged or renamed since they chose it, as on 1/7/2025): they too are reached by a campaign to
 * the whole deployment, and by a commune's campaign only once staff move them to the new commune
 * (`loa subscribers regions`, `loa subscribers move-region`).
 */
import type { Db } from '../db/index.js';
import type { Campaign } from '../db/campaigns.js';
import { countInteractedSince, type AudienceMember } from '../db/campaigns.js';
import { countAudience, selectAudience, type AudienceFilter } from '../db/subscribers.js';
import { flattenRegions, type Region } from '../knowledge/content.js';

/** What the audience code needs to know about regions. */
export interface RegionTree {
  regions: Region[];
  /** The deployment's root region slug (bot YAML `regions_root`), if any. */
  root?: string;
}

/**
 * Every slug under (and including) the targets. Throws for an unknown slug, naming it, so a
 * typo never silently narrows a campaign to nobody.
 */
export function expandRegions(tree: Region[], targets: string[]): string[] {
  const flat = flattenRegions(tree);
  for (const t of targets)
    if (!flat.has(t)) throw new Error(`campaigns: unknown region '${t}'; use a slug from content/regions.yaml`);
  const wanted = new Set(targets);
  const out: string[] = [];
  for (const [slug, info] of flat) if (info.path.some((p) => wanted.has(p))) out.push(slug);
  return out;
}

/** The filter for a campaign's audience. */
export function audienceFilter(c: Pick<Campaign, 'channels' | 'topics' | 'regions'>, tree: RegionTree): AudienceFilter {
  if (c.regions.length === 0) return { channels: c.channels, topics: c.topics, regions: null, includeNoRegion: true };
  const tops = new Set(tree.regions.map((r) => r.slug));
  // A root the regions file does not hold (a bot YAML written for another province; loa doctor
  // warns) is no root: the file's single top region is then the whole deployment.
  const root = tree.root !== undefined && flattenRegions(tree.regions).has(tree.root) ? tree.root : undefined;
  const whole = c.regions.some((r) => r === root || (!root && tops.has(r) && tree.regions.length === 1));
  // The whole deployment is everyone, whatever region they chose: a slug the file no longer has
  // (a merged commune) is still someone of this province (trial: 20 people registered under a
  // merged commune were left out of a province-wide campaign, but reached by one with no region).
  if (whole) return { channels: c.channels, topics: c.topics, regions: null, includeNoRegion: true };
  return { channels: c.channels, topics: c.topics, regions: expandRegions(tree.regions, c.regions), includeNoRegion: false };
}

/** How many subscribers the campaign reaches now, per channel and in total. */
export function countCampaignAudience(
  db: Db,
  c: Pick<Campaign, 'channels' | 'topics' | 'regions'>,
  tree: RegionTree,
): { total: number; byChannel: Partial<Record<string, number>> } {
  const byChannel = countAudience(db, audienceFilter(c, tree));
  return { total: Object.values(byChannel).reduce((a: number, n) => a + (n ?? 0), 0), byChannel };
}

/** The audience snapshot taken when sending starts. */
export function campaignAudience(db: Db, c: Pick<Campaign, 'channels' | 'topics' | 'regions'>, tree: RegionTree): AudienceMember[] {
  return selectAudience(db, audienceFilter(c, tree));
}

/**
 * Of a campaign's Zalo OA audience, how many wrote to the OA within the window (`windowDays`,
 * Zalo: 7) and so can be sent the message now; the others will be recorded "ngoài 7 ngày".
 * Undefined when the campaign does not go out on Zalo OA. The approver reads this beside the
 * audience count (trial: 2,000 approved, the 1,000 Zalo subscribers imported from a file had
 * never written to the OA and none of them could be reached, which no figure said beforehand).
 */
export function zaloReachableNow(
  db: Db,
  c: Pick<Campaign, 'channels' | 'topics' | 'regions'>,
  tree: RegionTree,
  windowDays = 7,
  now: Date = new Date(),
): { audience: number; inWindow: number } | undefined {
  if (!c.channels.includes('zalo')) return undefined;
  const ids = selectAudience(db, audienceFilter({ ...c, channels: ['zalo'] }, tree)).map((m) => m.personId);
  return { audience: ids.length, inWindow: countInteractedSince(db, ids, new Date(now.getTime() - windowDays * 86_400_000)) };
}
