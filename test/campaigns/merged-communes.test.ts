/**
 * Regions after the 1/7/2025 merger: people registered under a commune the regions file no
 * longer has. Staff find them (`loa subscribers regions`) and move them to the new commune
 * (`loa subscribers move-region`), after which a campaign to that commune reaches them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { createUser } from '../../src/db/users.js';
import { getPersonByExternal, setRegion, subscribe, upsertPerson } from '../../src/db/people.js';
import { listAudit } from '../../src/db/audit.js';
import { countCampaignAudience } from '../../src/campaigns/audience.js';
import { loadContent } from '../../src/knowledge/content.js';
import { run } from '../../src/cli/subscribers.js';
import { testConfig } from '../support/app.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('people registered under a merged commune', () => {
  it('are listed as such and moved to the new commune, which a campaign to it then reaches', async () => {
    const config = testConfig();
    cleanups.push(config.cleanup);
    const db = openDb(':memory:');
    createUser(db, { username: 'lan', roles: ['broadcaster'] });
    createUser(db, { username: 'xa', roles: ['broadcaster'], region: 'pho-hien' });
    createUser(db, { username: 'tuan', roles: ['viewer'] });
    for (const [id, region] of [['1', 'pho-hien'], ['2', 'hien-nam'], ['3', 'hien-nam'], ['4', null]] as const) {
      const p = upsertPerson(db, 'telegram', id);
      subscribe(db, p.id, ['bao-hiem-y-te'], null);
      setRegion(db, p.id, region);
    }
    // Web chat visitors placed by an old commune portal's tag (data-loa-region): listed apart.
    for (const id of ['web-visitor-1', 'web-visitor-2']) setRegion(db, upsertPerson(db, 'web', id).id, 'hien-nam');
    upsertPerson(db, 'web', 'web-visitor-3');
    const tree = { regions: loadContent(config.contentDir).regions, root: 'hung-yen' };
    const toPhoHien = { channels: ['telegram' as const], topics: ['bao-hiem-y-te'], regions: ['pho-hien'] };
    expect(countCampaignAudience(db, toPhoHien, tree).total).toBe(1);

    const out: string[] = [];
    const err: string[] = [];
    const deps = { db, config, out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
    expect(await run(['regions'], deps)).toBe(0);
    const listing = out.join('\n');
    expect(listing).toContain('⚠ hien-nam · không còn trong content/regions.yaml: 2 · 2 · 2 khách trò chuyện trên trang web của xã/phường');
    expect(listing).toContain('⚠ 2 khách trò chuyện trên trang web ghi địa bàn không còn trong content/regions.yaml');
    // A web visitor with no region (a province portal's) is not a region in use.
    expect(listing).toContain('- · (chưa chọn địa bàn): 1 · 1');
    expect(listing).toContain('pho-hien · Phường Phố Hiến: 1 · 1');
    expect(listing).toContain('loa subscribers move-region hien-nam <mã-xã-mới> --as <tên>');

    // Refused: a region the file does not have, an account that may not, a commune officer.
    expect(await run(['move-region', 'hien-nam', 'khong-co', '--as', 'lan'], deps)).toBe(1);
    expect(await run(['move-region', 'hien-nam', 'pho-hien', '--as', 'tuan'], deps)).toBe(1);
    expect(await run(['move-region', 'hien-nam', 'pho-hien', '--as', 'xa'], deps)).toBe(1);
    expect(await run(['move-region', 'hien-nam', 'pho-hien'], deps)).toBe(2);
    expect(getPersonByExternal(db, 'telegram', '2')?.region).toBe('hien-nam');

    out.length = 0;
    expect(await run(['move-region', 'hien-nam', 'pho-hien', '--as', 'lan'], deps)).toBe(0);
    // The two web visitors move with the two subscribers (their questions now reach Phố Hiến's queue).
    expect(out.join('\n')).toContain("Đã chuyển 4 người từ 'hien-nam' sang 'pho-hien' (Phường Phố Hiến)");
    expect(countCampaignAudience(db, toPhoHien, tree).total).toBe(3);
    expect(listAudit(db, { action: 'subscribers.move_region' })[0]).toMatchObject({ actor: 'lan', details: { from: 'hien-nam', to: 'pho-hien', moved: 4 } });
  });

  it('an import tells staff that Zalo OA people get campaigns only once they write to the OA', async () => {
    const config = testConfig();
    cleanups.push(config.cleanup);
    const db = openDb(':memory:');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const file = join(config.dataDir, 'zalo.csv');
    writeFileSync(file, 'channel,external_id,display_name,topics,region,consented_at\nzalo,9000000000000000001,Lê C,,pho-hien,01/05/2025\ntelegram,5,An,,pho-hien,01/05/2025\n');
    const out: string[] = [];
    expect(await run(['import', file], { db, config, out: (s) => out.push(s) })).toBe(0);
    expect(out.join('\n')).toContain('1 người Zalo OA trong tệp chỉ nhận được tin chiến dịch sau khi họ nhắn cho OA');
  });
});
