import { describe, expect, it } from 'vitest';
import { audienceFilter } from '../../src/campaigns/audience.js';
import type { Region } from '../../src/knowledge/content.js';

const tree: Region[] = [{ slug: 'ninh-binh', name: 'Tỉnh Ninh Bình', children: [{ slug: 'xa-gia-vien', name: 'Xã Gia Viễn' }] }];
const campaign = (regions: string[]) => ({ channels: ['telegram' as const], topics: [], regions });

describe('campaign audience by region', () => {
  it('reaches people who chose no region only when aimed at the whole deployment', () => {
    expect(audienceFilter(campaign(['ninh-binh']), { regions: tree, root: 'ninh-binh' }).includeNoRegion).toBe(true);
    expect(audienceFilter(campaign(['xa-gia-vien']), { regions: tree, root: 'ninh-binh' }).includeNoRegion).toBe(false);
    expect(audienceFilter(campaign([]), { regions: tree, root: 'ninh-binh' }).includeNoRegion).toBe(true);
  });

  // Seen on a trial with an office's own regions.yaml and the sample bot YAML (regions_root:
  // hung-yen): a campaign to the whole province missed everyone who skipped the region question.
  it('a regions_root the regions file does not hold: the file\'s single top region is the whole deployment', () => {
    const f = audienceFilter(campaign(['ninh-binh']), { regions: tree, root: 'hung-yen' });
    expect(f.includeNoRegion).toBe(true);
    // The whole deployment: everyone, whatever region they chose (a merged commune too).
    expect(f.regions).toBeNull();
    expect(audienceFilter(campaign(['xa-gia-vien']), { regions: tree, root: 'hung-yen' }).includeNoRegion).toBe(false);
  });
});
