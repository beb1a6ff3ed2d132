/**
 * What staff do after (and before) a campaign goes out, from the broadcaster trial on a running
 * server with the fake platforms: retry only the failed rows, the report per platform and
 * commune, the delivery list export, the approver told how many Zalo subscribers can be reached,
 * and people registered under a commune merged away (1/7/2025).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Channel, ChannelName, Reply, SendResult } from '../../src/channels/channel.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { createOutbox } from '../../src/campaigns/outbox.js';
import { createThrottle } from '../../src/campaigns/throttle.js';
import { countCampaignAudience } from '../../src/campaigns/audience.js';
import { deliveryReport, failureReasonVi, formatDeliveryReport, DELIVERY_LIST_HEADER } from '../../src/campaigns/report.js';
import { deliveryCounts, getCampaign, listDeliveries } from '../../src/db/campaigns.js';
import { listAudit } from '../../src/db/audit.js';
import { formatCounts, run as campaignCli } from '../../src/cli/campaign.js';
import type { Db } from '../../src/db/index.js';
import { addSubscriber, storeWithStaff, topics, tree } from './helpers.js';
import { readXlsx } from '../support/xlsx.js';

const regions = () => ({ regions: tree, root: 'hung-yen' });
const noQuiet = { start: '00:00', end: '00:00' };

function fakeChannel(name: ChannelName, script: (to: string) => SendResult = () => ({ kind: 'ok' })) {
  const sent: { to: string; reply: Reply }[] = [];
  const channel: Channel = {
    name,
    capabilities: { buttons: true, maxButtons: 5, nativeQuizPoll: false, maxTextLength: 2000, numberedReplies: true, ...(name === 'zalo' ? { contactWindowDays: 7 } : {}) },
    async send(to, reply) {
      const res = script(to);
      if (res.kind === 'ok') sent.push({ to, reply });
      return res;
    },
  };
  return { channel, sent };
}

function outboxFor(db: Db, channels: ReturnType<typeof fakeChannel>[]) {
  return createOutbox({
    db,
    channels: new Map(channels.map((c) => [c.channel.name, c.channel])),
    throttles: new Map(channels.map((c) => [c.channel.name, createThrottle({ ratePerSecond: 1000 })])),
    regions,
    quietHours: noQuiet,
    pollMs: 20,
  });
}

async function runToDone(outbox: ReturnType<typeof createOutbox>, id: number): Promise<void> {
  const done = new Promise<void>((resolve) => outbox.events.on('done', (c: number) => c === id && resolve()));
  outbox.start();
  await done;
  await outbox.stop();
}

function scheduled(db: Db, o: { channels?: ('telegram' | 'zalo')[]; regions?: string[] } = {}): number {
  const s = createCampaignService({ db, regions, topics: () => topics });
  const c = s.create('lan', { text: 'Họp tổ dân phố tối thứ Sáu tại nhà văn hoá', channels: o.channels ?? ['telegram'], topics: ['quyen-tre-em'], regions: o.regions });
  s.submit('lan', c.id);
  s.approve('minh', c.id);
  s.schedule('hoa', c.id);
  return c.id;
}

describe('retrying the failed deliveries only', () => {
  it('re-sends the failed rows and nobody else, reopens a finished campaign with live counts, and audits it', async () => {
    const db = storeWithStaff();
    for (const id of ['ok1', 'ok2', 'quota1', 'quota2', 'blocked']) addSubscriber(db, { id, region: 'pho-hien' });
    let quota = true;
    const tg = fakeChannel('telegram', (to) => {
      if (to === 'blocked') return { kind: 'gone', reason: 'Forbidden: bot was blocked by the user' };
      if (to.startsWith('quota') && quota) return { kind: 'failed', reason: 'Zalo -211: the OA is out of its message quota' };
      return { kind: 'ok' };
    });
    const id = scheduled(db);
    await runToDone(outboxFor(db, [tg]), id);
    expect(getCampaign(db, id)?.counts).toMatchObject({ sent: 2, failed: 2, gone: 1 });
    expect(failureReasonVi('Zalo -211: the OA is out of its message quota')).toBe('Zalo OA hết hạn mức tin (lỗi -211)');
    expect(formatCounts(getCampaign(db, id)!, deliveryCounts(db, id))).toContain(`↻ 2 tin lỗi; khi đã khắc phục nguyên nhân, gửi lại chỉ những tin này: loa campaign retry-failed ${id} --as <tên>`);

    const s = createCampaignService({ db, regions, topics: () => topics });
    quota = false;
    const { campaign, requeued } = s.retryFailed('hoa', id);
    expect(requeued).toBe(2);
    expect(campaign.status).toBe('sending');
    // The frozen counts of the finished run are not shown as the live figures of the re-send.
    expect(campaign.counts).toBeNull();
    expect(campaign.finishedAt).toBeNull();
    await runToDone(outboxFor(db, [tg]), id);

    expect(tg.sent.map((x) => x.to).sort()).toEqual(['ok1', 'ok2', 'quota1', 'quota2']);
    expect(getCampaign(db, id)?.counts).toMatchObject({ sent: 4, failed: 0, gone: 1 });
    expect(listAudit(db, { action: 'campaign.retry_failed' })[0]).toMatchObject({ actor: 'hoa', details: { requeued: 2 } });
    // Nothing failed: nothing to do, the campaign stays finished.
    expect(s.retryFailed('hoa', id)).toMatchObject({ requeued: 0, campaign: { status: 'done' } });
    // Not for a campaign that has not sent.
    const draft = s.create('lan', { text: 'Nháp', channels: ['telegram'], topics: ['quyen-tre-em'] });
    expect(() => s.retryFailed('hoa', draft.id)).toThrow(/chỉ gửi lại được tin lỗi/);
    // Nor for someone who may not send.
    expect(() => s.retryFailed('tuan', id)).toThrow(/không có quyền gửi lại tin lỗi/);
  });

  it('a resend of unknown rows on a finished campaign no longer shows its frozen counts as live', async () => {
    const db = storeWithStaff();
    addSubscriber(db, { id: 'a', region: 'pho-hien' });
    const id = scheduled(db);
    await runToDone(outboxFor(db, [fakeChannel('telegram')]), id);
    db.prepare(`UPDATE deliveries SET status = 'unknown' WHERE campaign_id = ?`).run(id);
    const { campaign } = createCampaignService({ db, regions, topics: () => topics }).resendUnknown('hoa', id);
    expect(campaign).toMatchObject({ status: 'sending', counts: null, finishedAt: null });
  });
});

describe('the delivery report and the delivery list', () => {
  it('counts per platform and commune, names a merged commune as such, and exports every row with Vietnamese headers', async () => {
    const db = storeWithStaff();
    addSubscriber(db, { id: '101', region: 'pho-hien', topics: ['quyen-tre-em'] });
    addSubscriber(db, { id: '102', region: 'son-nam' });
    addSubscriber(db, { id: '103', region: 'son-nam' });
    // Registered under a commune the regions file no longer has (merged on 1/7/2025).
    addSubscriber(db, { id: '104', region: 'hien-nam' });
    const zaloId = '9000000000000000123'; // above 2^53: must stay text
    addSubscriber(db, { id: zaloId, channel: 'zalo', region: 'pho-hien', lastInteraction: new Date() });
    addSubscriber(db, { id: '9000000000000000124', channel: 'zalo', region: 'son-nam' });
    const tg = fakeChannel('telegram', (to) => (to === '103' ? { kind: 'gone', reason: 'Forbidden: bot was blocked by the user' } : { kind: 'ok' }));
    const id = scheduled(db, { channels: ['telegram', 'zalo'], regions: ['hung-yen'] });
    await runToDone(outboxFor(db, [tg, fakeChannel('zalo')]), id);

    const report = deliveryReport(db, { id }, tree);
    expect(report.total.total).toBe(6);
    expect(report.byChannel.map((l) => [l.channel, l.total, l.counts.sent])).toEqual([
      ['telegram', 4, 3],
      ['zalo', 2, 1],
    ]);
    const line = (ch: string, region: string | null) => report.byRegion.find((l) => l.channel === ch && l.region === region)!;
    expect(line('telegram', 'son-nam').counts).toMatchObject({ sent: 1, gone: 1 });
    expect(line('zalo', 'son-nam').counts).toMatchObject({ outside_window: 1 });
    expect(line('telegram', 'hien-nam').regionName).toBe('hien-nam (không còn trong content/regions.yaml)');
    const text = formatDeliveryReport(report);
    expect(text).toContain('Phường Sơn Nam');
    expect(text).toMatch(/Telegram\s+4\s+3/);
    expect(text).toContain('ngoài 7 ngày (Zalo)');

    // `loa campaign report` and `loa campaign export` print and write the same.
    const dir = mkdtempSync(join(tmpdir(), 'loa-camp-export-'));
    try {
      const out: string[] = [];
      const deps = { db, contentDir: 'content', regionsRoot: 'hung-yen', out: (s: string) => out.push(s), err: () => {}, interactive: false, configuredChannels: ['telegram' as const, 'zalo' as const] };
      expect(await campaignCli(['report', String(id)], deps)).toBe(0);
      expect(out.join('\n')).toContain('Tất cả');
      const xlsx = join(dir, 'danh-sach.xlsx');
      expect(await campaignCli(['export', String(id), '--as', 'tuan', '--out', xlsx], deps)).toBe(0);
      const rows = readXlsx(readFileSync(xlsx)).rows;
      expect(rows[0]).toEqual([...DELIVERY_LIST_HEADER]);
      expect(rows).toHaveLength(7);
      const zaloRow = rows.find((r) => r[1] === zaloId);
      expect(zaloRow?.[0]).toBe('Zalo OA');
      expect(zaloRow?.[4]).toBe('đã gửi');
      expect(rows.find((r) => r[1] === '103')?.[6]).toBe('nền tảng báo: Forbidden: bot was blocked by the user');
      const csv = join(dir, 'danh-sach.csv');
      expect(await campaignCli(['export', String(id), '--as', 'tuan', '--out', csv], deps)).toBe(0);
      const csvText = readFileSync(csv, 'utf8');
      expect(csvText.startsWith('\uFEFFKênh,Mã người nhận,Tên hiển thị,Địa bàn,Kết quả')).toBe(true);
      expect(csvText).toContain('ngoài 7 ngày (Zalo)');
      expect(listAudit(db, { action: 'campaign.export' })).toHaveLength(2);
      // The list names people: only staff who may view campaigns, and never without --as.
      expect(await campaignCli(['export', String(id), '--out', csv], deps)).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a campaign cancelled mid-send', () => {
  it('shows figures that add up to the targeted count, those outside Zalo\'s window included', () => {
    const db = storeWithStaff();
    const s = createCampaignService({ db, regions, topics: () => topics });
    const c = s.create('lan', { text: 'Lịch cắt điện', channels: ['telegram', 'zalo'], topics: ['quyen-tre-em'] });
    const started = { ...c, status: 'cancelled' as const, startedAt: '2026-12-07T17:30:00.000Z', finishedAt: '2026-12-07T17:31:00.000Z' };
    const k = { targeted: 1986, pending: 0, sending: 0, sent: 503, gone: 2, outsideWindow: 43, failed: 1, failedByReason: {}, optedOut: 1, unknown: 0, cancelled: 1436, optedOutSince: 0, retrying: 0 };
    const text = formatCounts(started, k, undefined, { by: 'minh', at: started.finishedAt });
    // Trial: '503 sent, 1,440 cancelled, 0 failed' of 1,986, with the 43 outside the window nowhere.
    expect(text).toContain('tổng 1986: đã gửi: 503   không gửi (đã huỷ): 1436   lỗi: 1   không còn nhận (chặn/huỷ theo dõi): 2   ngoài 7 ngày (Zalo): 43   đã huỷ đăng ký trước khi gửi: 1');
    const shown = [...text.matchAll(/: (\d+)/g)].map((m) => Number(m[1]));
    expect(shown.reduce((a, n) => a + n, 0)).toBe(1986);
  });
});

describe('the audience the approver is shown', () => {
  it('reaches people under a merged commune in a province-wide campaign, as one with no region does', () => {
    const db = storeWithStaff();
    addSubscriber(db, { id: 'a', region: 'pho-hien' });
    addSubscriber(db, { id: 'b', region: null });
    addSubscriber(db, { id: 'c', region: 'hien-nam' }); // not in the regions file any more
    const c = (regions: string[]) => ({ channels: ['telegram' as const], topics: [], regions });
    expect(countCampaignAudience(db, c([]), regions()).total).toBe(3);
    expect(countCampaignAudience(db, c(['hung-yen']), regions()).total).toBe(3);
    expect(countCampaignAudience(db, c(['pho-hien']), regions()).total).toBe(1);
  });

  it('says how many Zalo subscribers are inside the 7-day window, in the preview and on approval', async () => {
    const db = storeWithStaff();
    const day = 86_400_000;
    addSubscriber(db, { id: '9000000000000000001', channel: 'zalo', region: 'pho-hien', lastInteraction: new Date(Date.now() - day) });
    addSubscriber(db, { id: '9000000000000000002', channel: 'zalo', region: 'pho-hien', lastInteraction: new Date(Date.now() - 10 * day) });
    addSubscriber(db, { id: '9000000000000000003', channel: 'zalo', region: 'pho-hien' }); // imported: never wrote
    addSubscriber(db, { id: '104', region: 'pho-hien' });
    const s = createCampaignService({ db, regions, topics: () => topics });
    const c = s.create('lan', { text: 'Lịch tiêm chủng', channels: ['telegram', 'zalo'], topics: ['quyen-tre-em'], regions: ['pho-hien'] });
    expect(s.audience(c)).toEqual({ total: 4, byChannel: { telegram: 1, zalo: 3 }, zaloInWindow: 1 });
    const out: string[] = [];
    const deps = { db, contentDir: 'content', regionsRoot: 'hung-yen', out: (x: string) => out.push(x), err: () => {}, interactive: false, configuredChannels: ['telegram' as const, 'zalo' as const] };
    await campaignCli(['preview', String(c.id)], deps);
    expect(out.join('\n')).toContain('⚠ Zalo OA: chỉ 1/3 người đã nhắn cho OA trong 7 ngày qua');
    s.submit('lan', c.id);
    out.length = 0;
    expect(await campaignCli(['approve', String(c.id), '--as', 'minh'], deps)).toBe(0);
    expect(out.join('\n')).toContain('2 người còn lại sẽ được ghi "ngoài 7 ngày"');
    // A Telegram-only campaign says nothing of Zalo.
    const t = s.create('lan', { text: 'Chỉ Telegram', channels: ['telegram'], topics: ['quyen-tre-em'] });
    expect(s.audience(t).zaloInWindow).toBeUndefined();
    expect(deliveryCounts(db, c.id).targeted).toBe(0);
    expect(listDeliveries(db, c.id)).toEqual([]);
  });
});

describe('a channel in trouble (Zalo OA out of quota) while its connection stands', () => {
  it('stops the batch at the trouble, holds the refused rows without failing them, tries one row now and then, and sends everyone once when the quota is back, with no citizen writing', async () => {
    const db = storeWithStaff();
    for (let i = 0; i < 40; i++) addSubscriber(db, { id: `9000000000000000${String(i).padStart(3, '0')}`, channel: 'zalo', region: 'pho-hien', lastInteraction: new Date() });
    let quota = false;
    let troubled = false;
    let calls = 0;
    const zalo = fakeChannel('zalo', () => {
      calls++;
      // The real channel reports trouble on -211 (channelProblem) and up() on the next send that works.
      if (calls === 3) quota = true;
      if (quota) {
        troubled = true;
        // The channel asks for 60 s (QUOTA_RETRY_SECONDS); a fifth of a second keeps the test short.
        return { kind: 'retryAfter', seconds: 0.2, reason: 'Zalo -211: the OA is out of its message quota' };
      }
      troubled = false;
      return { kind: 'ok' };
    });
    const id = scheduled(db, { channels: ['zalo'] });
    const outbox = createOutbox({
      db,
      channels: new Map([['zalo', zalo.channel]]),
      throttles: new Map([['zalo', createThrottle({ ratePerSecond: 50 })]]),
      regions,
      quietHours: noQuiet,
      pollMs: 20,
      connected: () => !troubled,
      probeWhileDown: () => troubled,
      probeMs: 25,
    });
    const done = new Promise<void>((resolve) => outbox.events.on('done', (c: number) => c === id && resolve()));
    outbox.start();
    // Long enough for more probes than the 8 attempts after which a row used to be given up.
    await new Promise((r) => setTimeout(r, 700));
    const whileOut = deliveryCounts(db, id);
    expect(calls).toBeGreaterThan(12);
    // The batch stopped at the trouble; nothing failed; the refused rows wait, tried and counted as such.
    // (A probe may be in flight at this instant: one row 'sending' rather than pending.)
    expect(whileOut).toMatchObject({ sent: 2, failed: 0 });
    expect(whileOut.pending + whileOut.sending).toBe(38);
    expect(whileOut.retrying).toBeGreaterThan(0);
    // A row probed again and again does not run out of attempts.
    expect(Math.max(...listDeliveries(db, id).map((d) => d.attempts))).toBeLessThanOrEqual(1);
    quota = false; // the quota is renewed; nobody writes to the OA
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error('the campaign never resumed')), 5000))]);
    await outbox.stop();
    const k = deliveryCounts(db, id);
    expect(k).toMatchObject({ sent: 40, failed: 0, pending: 0, retrying: 0 });
    // Each person once.
    expect(new Set(zalo.sent.map((x) => x.to)).size).toBe(40);
    expect(zalo.sent).toHaveLength(40);
    expect(createCampaignService({ db, regions, topics: () => topics }).retryFailed('hoa', id).requeued).toBe(0);
  });
});

describe('why a sending campaign waits on a channel that cannot send', () => {
  it('loa campaign status names the channel and the reason the running service gives', async () => {
    const db = storeWithStaff();
    addSubscriber(db, { id: '9000000000000000001', channel: 'zalo', region: 'pho-hien', lastInteraction: new Date() });
    const id = scheduled(db, { channels: ['zalo'] });
    db.prepare(`UPDATE campaigns SET status = 'sending', started_at = ? WHERE id = ?`).run(new Date().toISOString(), id);
    db.prepare(`INSERT INTO deliveries (campaign_id, person_id, channel, recipient) SELECT ?, id, channel, external_id FROM people`).run(id);
    const out: string[] = [];
    const reason = 'Zalo báo OA đã hết hạn mức tin tư vấn (lỗi -211).';
    const deps = {
      db,
      contentDir: 'content',
      regionsRoot: 'hung-yen',
      out: (s: string) => out.push(s),
      err: () => {},
      interactive: false,
      configuredChannels: ['zalo' as const],
      serviceRunning: async () => true,
      quietHours: noQuiet,
      channelsDown: async () => ({ zalo: reason }),
    };
    expect(await campaignCli(['status', String(id), '--once'], deps)).toBe(0);
    expect(out.join('\n')).toContain(`⏸ Zalo OA đang không gửi được (1 tin của kênh này đang chờ): ${reason} Các tin chờ không bị tính là lỗi và không gửi trùng: Loa thử lại một tin mỗi phút và tự gửi tiếp khi kênh hoạt động lại.`);
    // A row already refused for the quota is counted there, not in a second sentence.
    db.prepare(`UPDATE deliveries SET reason = 'Zalo -211: the OA is out of its message quota', next_attempt_at = ? WHERE campaign_id = ?`).run(new Date().toISOString(), id);
    out.length = 0;
    expect(await campaignCli(['status', String(id), '--once'], deps)).toBe(0);
    expect(out.join('\n').match(/hết hạn mức/g)).toHaveLength(1);
    expect(out.join('\n')).toContain('chờ thử lại: 1');
    out.length = 0;
    expect(await campaignCli(['status', String(id), '--once'], { ...deps, channelsDown: async () => ({}) })).toBe(0);
    expect(out.join('\n')).not.toContain('không gửi được');
  });
});
