/**
 * The officials' list import (/admin/training/import) by a region-scoped account. The route
 * checked that every row of the file names a region of the account's subtree, but the import
 * keys officials by their platform account and updates the row it finds: a commune account that
 * wrote another commune's official (their Telegram or Zalo id) with its own region took them
 * over: their name, unit and group overwritten, the official moved into the commune's list (out
 * of the other commune's coverage and its report), and then reachable by the commune's
 * invitations. An official another region had taken off the list was put back the same way.
 *
 * Now a scoped account's row for an account already on the list (or taken off it) outside its
 * scope is refused by line, and nothing of the file is written. Province-wide accounts move
 * officials between regions as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { importOfficials, listOfficials, officialByAccount, removeOfficial } from '../../src/db/training.js';

const HEADER = 'name,unit,group,region,channel,external_id';
let t: Awaited<ReturnType<typeof startAdminApp>>;
let province: AdminClient;
let commune: AdminClient;

beforeAll(async () => {
  t = await startAdminApp();
  importOfficials(t.app.db, [
    { name: 'Trần Văn Nam', unit: 'UBND xã Phố Hiến', groupId: 'quyen-con-nguoi', region: 'pho-hien', channel: 'telegram', externalId: '7701' },
    { name: 'Lê Thị Hoa', unit: 'UBND xã Phố Hiến', groupId: 'quyen-con-nguoi', region: 'pho-hien', channel: 'telegram', externalId: '7702' },
  ]);
  removeOfficial(t.app.db, officialByAccount(t.app.db, 'telegram', '7702')!.id);
  province = new AdminClient(t.url);
  expect((await province.login('tinh', addUser(t.app, 'tinh', ['quiz_organizer']))).status).toBe(303);
  commune = new AdminClient(t.url);
  expect((await commune.login('sonnam', addUser(t.app, 'sonnam', ['quiz_organizer'], 'son-nam'))).status).toBe(303);
});
afterAll(async () => {
  await t?.close();
});

describe('officials import by a region-scoped account', () => {
  it("refuses a row that would take over another region's official, and writes nothing of the file", async () => {
    const res = await commune.post('/admin/training/import', {
      csv: [HEADER, 'Đỗ Văn G,UBND xã Sơn Nam,quyen-con-nguoi,son-nam,telegram,7705', 'Người Lạ,UBND xã Sơn Nam,quyen-con-nguoi,son-nam,telegram,7701'].join('\n'),
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('dòng 3');
    expect(res.text).toContain('địa bàn khác');
    const o = officialByAccount(t.app.db, 'telegram', '7701')!;
    expect([o.name, o.region, o.unit]).toEqual(['Trần Văn Nam', 'pho-hien', 'UBND xã Phố Hiến']);
    expect(officialByAccount(t.app.db, 'telegram', '7705')).toBeUndefined();
  });

  it('refuses to bring back an official another region took off the list', async () => {
    const res = await commune.post('/admin/training/import', { csv: [HEADER, 'Lê Thị Hoa,UBND xã Sơn Nam,quyen-con-nguoi,son-nam,telegram,7702'].join('\n'), back: '1' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('dòng 2');
    expect(officialByAccount(t.app.db, 'telegram', '7702')).toBeUndefined();
  });

  it("still imports the commune's own officials, and a province account still moves an official", async () => {
    const own = await commune.post('/admin/training/import', { csv: [HEADER, 'Đỗ Văn G,UBND xã Sơn Nam,quyen-con-nguoi,son-nam,telegram,7705'].join('\n') });
    expect(decodeURIComponent(own.location ?? '')).toContain('Đã nhập 1 cán bộ');
    // Its own official again (an update within its scope) goes through too.
    const again = await commune.post('/admin/training/import', { csv: [HEADER, 'Đỗ Văn Giang,UBND xã Sơn Nam,quyen-con-nguoi,son-nam,telegram,7705'].join('\n') });
    expect(again.status).toBe(303);
    expect(officialByAccount(t.app.db, 'telegram', '7705')?.name).toBe('Đỗ Văn Giang');
    const moved = await province.post('/admin/training/import', { csv: [HEADER, 'Trần Văn Nam,UBND xã Sơn Nam,quyen-con-nguoi,son-nam,telegram,7701'].join('\n') });
    expect(moved.status).toBe(303);
    expect(officialByAccount(t.app.db, 'telegram', '7701')?.region).toBe('son-nam');
    expect(listOfficials(t.app.db).length).toBe(2);
  });
});
