/**
 * A campaign that waits says why (issue 16, item 5): quiet hours until their configured end, a
 * channel not configured on this server, paused by whom; on the campaign page and in
 * `loa campaign status`. The compose form does not offer a channel that is not configured.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitReasons } from '../../src/campaigns/waiting.js';
import { run as campaignCli } from '../../src/cli/campaign.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { listCampaigns } from '../../src/db/campaigns.js';
import { openDb, type Db } from '../../src/db/index.js';
import { createUser } from '../../src/db/users.js';
import { topics, tree } from './helpers.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';

const QUIET = { start: '21:00', end: '07:00' };
const NIGHT = new Date('2026-11-24T15:30:00Z'); // 22:30 in Hà Nội
const DAY = new Date('2026-11-24T03:00:00Z'); // 10:00

describe('waitReasons', () => {
  const both = new Set(['telegram', 'zalo'] as const);
  it.each([
    ['sending at night', { status: 'sending', channels: ['telegram'] }, NIGHT, both, undefined, [/giờ yên lặng \(21:00–07:00\): tin sẽ đi tiếp lúc 07:00 25\/11\/2026/]],
    ['sending by day, nothing in the way', { status: 'sending', channels: ['telegram'] }, DAY, both, undefined, []],
    ['a channel not configured', { status: 'scheduled', channels: ['telegram', 'zalo'] }, DAY, new Set(['telegram'] as const), undefined, [/Kênh Zalo OA chưa được cấu hình/]],
    ['paused', { status: 'paused', channels: ['telegram'] }, NIGHT, both, { by: 'lan', at: '2026-11-24T02:00:00Z' }, [/Tạm dừng bởi lan lúc 09:00 24\/11\/2026/]],
    ['scheduled for later: its time, not quiet hours', { status: 'scheduled', channels: ['telegram'], sendAt: '2026-11-25T03:00:00Z' }, NIGHT, both, undefined, []],
    ['scheduled for 23:30: says it waits for the end of quiet hours', { status: 'scheduled', channels: ['telegram'], sendAt: '2026-11-24T16:30:00Z' }, DAY, both, undefined, [/Giờ gửi đã chọn \(23:30 24\/11\/2026\) nằm trong giờ yên lặng \(21:00–07:00\): tin sẽ bắt đầu đi lúc 07:00 25\/11\/2026/]],
    ['scheduled for 00:30 past midnight: the same morning', { status: 'scheduled', channels: ['telegram'], sendAt: '2026-11-24T17:30:00Z' }, DAY, both, undefined, [/\(00:30 25\/11\/2026\).*07:00 25\/11\/2026/]],
    ['a draft does not wait', { status: 'draft', channels: ['zalo'] }, NIGHT, new Set<'telegram' | 'zalo'>(), undefined, []],
  ] as const)('%s', (_label, c, now, configured, paused, expected) => {
    const r = waitReasons({ status: c.status, channels: [...c.channels], sendAt: 'sendAt' in c ? c.sendAt : null }, { now, quietHours: QUIET, configured, paused });
    expect(r).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(r[i]).toMatch(re));
  });
});

describe('loa campaign status says why it waits', () => {
  let db: Db;
  let out: string[];
  beforeEach(() => {
    db = openDb(':memory:');
    createUser(db, { username: 'lan', roles: ['broadcaster'], password: 'lan-mat-khau-1' });
    createUser(db, { username: 'hung', roles: ['approver'], password: 'hung-mat-khau-1' });
    out = [];
  });
  afterEach(() => db.close());
  const cli = (now: Date, ...args: string[]) =>
    campaignCli(args, { db, contentDir: 'content', regionsRoot: 'hung-yen', quietHours: QUIET, configuredChannels: ['telegram'], out: (s) => out.push(s), err: () => {}, now: () => now, interactive: false, osUser: 'van-hanh' });

  it('quiet hours, a channel not configured, then paused by whom', async () => {
    const svc = createCampaignService({ db, regions: () => ({ regions: tree, root: 'hung-yen' }), topics: () => topics, now: () => NIGHT });
    const id = svc.create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: ['telegram', 'zalo'] }).id;
    svc.submit('lan', id);
    svc.approve('hung', id);
    svc.schedule('lan', id);
    expect(await cli(NIGHT, 'status', String(id), '--once')).toBe(0);
    expect(out.at(-1)).toMatch(/⏸ Đang trong giờ yên lặng \(21:00–07:00\): tin sẽ đi tiếp lúc 07:00/);
    expect(out.at(-1)).toMatch(/⏸ Kênh Zalo OA chưa được cấu hình trên máy chủ này/);
    svc.pause('lan', id);
    expect(await cli(NIGHT, 'status', String(id), '--once')).toBe(0);
    expect(out.at(-1)).toMatch(/⏸ Tạm dừng bởi lan lúc 22:30 24\/11\/2026/);
  });
});

describe('the campaign pages', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let b: AdminClient;
  beforeAll(async () => {
    // Quiet all day long except one minute, so the page is in quiet hours whenever the test runs.
    t = await startAdminApp({ bot: { quiet_hours: { start: '00:00', end: '23:59' } } });
    addUser(t.app, 'gui', ['broadcaster']);
    b = new AdminClient(t.url);
    await b.login('gui', 'gui-mat-khau-1');
  });
  afterAll(async () => t?.close());

  it('the compose form does not offer a channel that is not configured', async () => {
    const page = await b.get('/admin/campaigns/new');
    expect(page.text).toMatch(/name="channels" value="zalo"[^>]*disabled/);
    expect(page.text).toContain('chưa cấu hình trên máy chủ này');
  });

  it('a paused campaign says who paused it, and a channel not configured', async () => {
    const svc = createCampaignService({ db: t.app.db, regions: () => ({ regions: t.app.knowledge.state.regions, root: t.app.config.bot.regions_root }), topics: () => t.app.knowledge.state.topics.map((x) => x.slug) });
    addUser(t.app, 'duyet', ['approver']);
    const id = svc.create('gui', { text: 'Lịch tiêm chủng tháng 12', channels: ['zalo'] }).id;
    svc.submit('gui', id);
    svc.approve('duyet', id);
    svc.schedule('gui', id, new Date(Date.now() + 86_400_000));
    let page = await b.get(`/admin/campaigns/${id}`);
    expect(page.text).toContain('Kênh Zalo OA chưa được cấu hình trên máy chủ này');
    // Scheduled for tomorrow: waiting for its time, not "now is quiet" (the test app's quiet hours,
    // 00:00–23:59, do cover that time, and the page says when it will really start).
    expect(page.text).not.toContain('Đang trong giờ yên lặng');
    expect(page.text).toContain('nằm trong giờ yên lặng (00:00–23:59): tin sẽ bắt đầu đi lúc 23:59');
    svc.pause('gui', id);
    page = await b.get(`/admin/campaigns/${id}`);
    expect(page.text).toMatch(/Tạm dừng bởi gui lúc \d\d:\d\d \d\d\/\d\d\/\d{4}/);
    expect(listCampaigns(t.app.db).find((c) => c.id === id)?.status).toBe('paused');
  });
});
