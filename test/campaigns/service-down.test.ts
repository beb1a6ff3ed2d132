/**
 * `loa campaign status` after the service died (kill -9 in a trial run): it said 'đang gửi'
 * with one row 'đang gửi' and pending rows, as if sending went on, while nothing ran. It now
 * says the service is not running, what to run, and what happens to the row caught in flight;
 * and `schedule` says 'sẽ gửi ngay' (was 'sẽ gửi lúc ngay').
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failureReasonVi, run as campaignCli } from '../../src/cli/campaign.js';
import { waitReasons } from '../../src/campaigns/waiting.js';
import { getCampaign } from '../../src/db/campaigns.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { claimDelivery, recordDelivery, startSending } from '../../src/db/campaigns.js';
import type { Db } from '../../src/db/index.js';
import { addSubscriber, storeWithStaff } from './helpers.js';

let db: Db;
let out: string[];
const NOW = new Date('2026-11-24T03:00:00Z'); // 10:00 in Hà Nội, outside quiet hours

beforeEach(() => {
  db = storeWithStaff();
  out = [];
});
afterEach(() => db.close());

const cli = (running: boolean | undefined, ...args: string[]) =>
  campaignCli(args, {
    db,
    contentDir: 'content',
    regionsRoot: 'hung-yen',
    quietHours: { start: '21:00', end: '07:00' },
    configuredChannels: ['telegram'],
    out: (s) => out.push(s),
    err: () => {},
    now: () => NOW,
    interactive: false,
    osUser: 'van-hanh',
    ...(running === undefined ? {} : { serviceRunning: async () => running }),
  });

describe('a campaign whose service is not running', () => {
  it('says so, with what to run', async () => {
    const s = createCampaignService({ db, regions: () => ({ regions: [], root: undefined }), topics: () => [], now: () => NOW });
    const p1 = addSubscriber(db, { id: '1' });
    const p2 = addSubscriber(db, { id: '2' });
    const c = s.create('lan', { text: 'Mít tinh Ngày Quyền con người 10/12', channels: ['telegram'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    expect(await cli(true, 'schedule', String(c.id), '--as', 'lan')).toBe(0);
    expect(out.join('\n')).toContain('sẽ gửi ngay');
    expect(out.join('\n')).not.toContain('lúc ngay');
    startSending(db, c.id, [{ personId: p1, channel: 'telegram', recipient: '1' }, { personId: p2, channel: 'telegram', recipient: '2' }], NOW);
    const [row] = db.prepare('SELECT id FROM deliveries WHERE campaign_id = ? ORDER BY id').all(c.id) as { id: number }[];
    expect(claimDelivery(db, row!.id, {}, NOW).kind).toBe('claimed');

    out = [];
    expect(await cli(false, 'status', String(c.id), '--once')).toBe(0);
    expect(out.join('\n')).toMatch(/Dịch vụ Loa không chạy.*systemctl start loa.*“không rõ”/s);
    out = [];
    expect(await cli(true, 'status', String(c.id), '--once')).toBe(0);
    expect(out.join('\n')).not.toContain('không chạy');
  });

  it('--at is read as the admin reads "Gửi lúc": day first with its time, never in the past', async () => {
    const s = createCampaignService({ db, regions: () => ({ regions: [], root: undefined }), topics: () => [], now: () => NOW });
    const c = s.create('lan', { text: 'Lịch tiếp công dân tuần sau', channels: ['telegram'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    const errors: string[] = [];
    const withErrors = (...args: string[]) =>
      campaignCli(args, { db, contentDir: 'content', regionsRoot: 'hung-yen', quietHours: { start: '21:00', end: '07:00' }, configuredChannels: ['telegram'], out: (m) => out.push(m), err: (m) => errors.push(m), now: () => NOW, interactive: false, osUser: 'van-hanh', serviceRunning: async () => true });
    // A bare date was midnight; a time already past went out at once.
    expect(await withErrors('schedule', String(c.id), '--as', 'lan', '--at', '25/11/2026')).toBe(2);
    expect(errors.join('\n')).toContain("--at: '25/11/2026' thiếu giờ");
    expect(await withErrors('schedule', String(c.id), '--as', 'lan', '--at', '23/11/2026 08:30')).toBe(2);
    expect(errors.join('\n')).toContain('--at: 23/11/2026 08:30 đã qua (bây giờ là 24/11/2026 10:00, giờ Việt Nam)');
    expect(await cli(true, 'schedule', String(c.id), '--as', 'lan', '--at', '08:30 25/11/2026')).toBe(0);
    expect(s.get('lan', c.id).sendAt).toBe('2026-11-25T01:30:00.000Z');
  });

  it('a time in the quiet hours is named as such, not as "now is quiet"', async () => {
    const s = createCampaignService({ db, regions: () => ({ regions: [], root: undefined }), topics: () => [], now: () => NOW });
    const c = s.create('lan', { text: 'Lịch tiếp công dân tuần tới', channels: ['telegram'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    expect(await cli(true, 'schedule', String(c.id), '--as', 'lan', '--at', '24/11/2026 23:30')).toBe(0);
    expect(out.join('\n')).toContain('Lưu ý: giờ gửi 23:30 24/11/2026 nằm trong giờ yên lặng (21:00–07:00); tin sẽ bắt đầu đi lúc 07:00 25/11/2026.');
    out = [];
    expect(await cli(true, 'status', String(c.id), '--once')).toBe(0);
    expect(out.join('\n')).toContain('tin sẽ bắt đầu đi lúc 07:00 25/11/2026');
  });

  it('a lane held by a 429 says who asked to wait and until when', async () => {
    const s = createCampaignService({ db, regions: () => ({ regions: [], root: undefined }), topics: () => [], now: () => NOW });
    const p1 = addSubscriber(db, { id: '1' });
    const p2 = addSubscriber(db, { id: '2' });
    const c = s.create('lan', { text: 'Tiêm chủng mở rộng ngày 20/12', channels: ['telegram'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    s.schedule('lan', c.id);
    startSending(db, c.id, [{ personId: p1, channel: 'telegram', recipient: '1' }, { personId: p2, channel: 'telegram', recipient: '2' }], NOW);
    const [row] = db.prepare('SELECT id FROM deliveries WHERE campaign_id = ? ORDER BY id').all(c.id) as { id: number }[];
    claimDelivery(db, row!.id, {}, NOW);
    recordDelivery(db, row!.id, { status: 'retry', retryAt: new Date(NOW.getTime() + 30_000), reason: 'Too Many Requests: retry after 30' }, NOW);
    out = [];
    expect(await cli(true, 'status', String(c.id), '--once')).toBe(0);
    expect(out.join('\n')).toContain('Telegram: 1 tin chờ thử lại đến 10:00 (còn khoảng 30 giây); Telegram báo gửi quá nhanh nên cả kênh tạm chờ, rồi tự gửi tiếp, không cần làm gì.');
  });

});

describe('a channel this server cannot send on', () => {
  it('is not the default of create, and choosing it is warned about', async () => {
    expect(await cli(true, 'create', '--as', 'lan', '--text', 'Lịch tiếp công dân', '--json')).toBe(0);
    expect(getCampaign(db, JSON.parse(out.at(-1)!).id)!.channels).toEqual(['telegram']);
    out = [];
    expect(await cli(true, 'create', '--as', 'lan', '--text', 'Lịch tiếp công dân', '--channels', 'telegram,zalo')).toBe(0);
    expect(out.join('\n')).toContain('Lưu ý: kênh zalo chưa được cấu hình trên máy chủ này; tin cho kênh đó sẽ không được gửi.');
    expect(out.join('\n')).toContain('--channels telegram');
  });

  it('says what really happens to its rows (they fail once sending starts; they do not wait)', () => {
    const facts = { now: NOW, quietHours: { start: '21:00', end: '07:00' }, configured: new Set(['telegram'] as const) };
    const before = waitReasons({ status: 'scheduled', channels: ['telegram', 'zalo'], startedAt: null }, facts);
    expect(before.join(' ')).toMatch(/nếu đến lúc gửi vẫn chưa cấu hình, tin cho kênh này sẽ không được gửi/);
    const during = waitReasons({ status: 'sending', channels: ['telegram', 'zalo'], startedAt: NOW.toISOString() }, facts);
    expect(during.join(' ')).toMatch(/Kênh Zalo OA chưa được cấu hình trên máy chủ này: tin cho kênh này không được gửi/);
    expect(during.join(' ')).not.toMatch(/chờ đến khi/);
  });

  it('failure reasons read in Vietnamese', () => {
    expect(failureReasonVi('channel not configured: zalo')).toBe('kênh zalo chưa được cấu hình');
    expect(failureReasonVi('gave up after 8 attempts: throttled')).toBe('thử 8 lần không được (nền tảng liên tục báo gửi quá nhanh)');
    expect(failureReasonVi('Bad Request: chat not found')).toBe('nền tảng báo: Bad Request: chat not found');
  });
});
