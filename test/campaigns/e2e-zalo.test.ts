/**
 * A campaign on Zalo end to end: the real app against the fake OA. Followers inside the 7-day
 * window get the message; those outside it are recorded `outside_window` (by our own record of
 * their last interaction, or by Zalo's -230 when our record is out of date), never failed and
 * never retried.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeZalo, zaloEnv } from '../support/fake-zalo.js';
import { startTestApp } from '../support/app.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { createUser } from '../../src/db/users.js';
import { deliveryCounts, listDeliveries } from '../../src/db/campaigns.js';
import { addSubscriber } from './helpers.js';
import { optOutLine } from '../../src/campaigns/content.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';

/** Resolves once `test()` holds, checking after each delivery event and every 20 ms (at most `ms`). */
async function until(test: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('test: condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('campaign over the fake Zalo OA', () => {
  it('sends inside the 7-day window and records the rest as outside_window', async () => {
    const zalo = await startFakeZalo();
    cleanup.push(() => zalo.close());
    const { app, close } = await startTestApp(
      zaloEnv(zalo),
      { bot: { quiet_hours: { start: '00:00', end: '00:00' } } },
    );
    cleanup.push(close);
    const db = app.db;
    const day = 86_400_000;
    const now = Date.now();
    const ids = { recent: '8713451786543210001', stale: '8713451786543210002', drifted: '8713451786543210003' };
    zalo.addUser({ id: ids.recent, lastInteraction: new Date(now - day) });
    zalo.addUser({ id: ids.stale, lastInteraction: new Date(now - 10 * day) });
    // Our record says two days ago, Zalo says ten: Zalo answers -230.
    zalo.addUser({ id: ids.drifted, lastInteraction: new Date(now - 10 * day) });
    addSubscriber(db, { channel: 'zalo', id: ids.recent, lastInteraction: new Date(now - day) });
    addSubscriber(db, { channel: 'zalo', id: ids.stale, lastInteraction: new Date(now - 10 * day) });
    addSubscriber(db, { channel: 'zalo', id: ids.drifted, lastInteraction: new Date(now - 2 * day) });

    createUser(db, { username: 'lan', roles: ['broadcaster'] });
    createUser(db, { username: 'minh', roles: ['approver', 'broadcaster'] });
    const s = createCampaignService({ db, regions: () => ({ regions: app.knowledge.state.regions, root: 'hung-yen' }), topics: () => [] });
    const c = s.create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: ['zalo'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    const done = once(app.campaigns.outbox.events, 'done');
    s.schedule('minh', c.id);
    await done;

    expect(zalo.sent.map((m) => m.userId)).toEqual([ids.recent]);
    expect(zalo.sent[0]?.message.text).toContain('Tuần lễ tuyên truyền về quyền trẻ em');
    const rows = Object.fromEntries(listDeliveries(db, c.id).map((d) => [d.recipient, d]));
    expect(rows[ids.stale]).toMatchObject({ status: 'outside_window', attempts: 0 });
    expect(rows[ids.drifted]).toMatchObject({ status: 'outside_window', attempts: 1 });
    expect(deliveryCounts(db, c.id)).toMatchObject({ targeted: 3, sent: 1, outsideWindow: 2, failed: 0, pending: 0 });
  });

  it('ends the message with how to stop, and the word it names stops the next campaign', async () => {
    const zalo = await startFakeZalo();
    cleanup.push(() => zalo.close());
    const { app, url, close } = await startTestApp(zaloEnv(zalo), { bot: { quiet_hours: { start: '00:00', end: '00:00' } } });
    cleanup.push(close);
    const db = app.db;
    const ids = ['8713451786543210011', '8713451786543210012'];
    for (const id of ids) {
      zalo.addUser({ id });
      addSubscriber(db, { channel: 'zalo', id, lastInteraction: new Date() });
    }
    createUser(db, { username: 'lan', roles: ['broadcaster'] });
    createUser(db, { username: 'minh', roles: ['approver', 'broadcaster'] });
    const s = createCampaignService({ db, regions: () => ({ regions: app.knowledge.state.regions, root: 'hung-yen' }), topics: () => [] });
    const send = async (text: string): Promise<void> => {
      const c = s.create('lan', { text, channels: ['zalo'] });
      s.submit('lan', c.id);
      s.approve('minh', c.id);
      const done = once(app.campaigns.outbox.events, 'done');
      s.schedule('minh', c.id);
      await done;
    };
    await send('Thứ Bảy 12/12 có tiêm chủng miễn phí tại trạm y tế phường.');
    expect(zalo.sent.map((m) => m.message.text)).toEqual(ids.map(() => 'Thứ Bảy 12/12 có tiêm chủng miễn phí tại trạm y tế phường.\n\nNhắn HUY để thôi nhận tin.'));

    // The first subscriber types the word the line names.
    const word = /Nhắn (\S+) để/.exec(optOutLine('zalo'))![1]!;
    const before = zalo.sent.length;
    expect((await zalo.deliverWebhook(`${url}/webhooks/zalo`, zalo.textEvent(ids[0]!, word))).status).toBe(200);
    for (let i = 0; i < 100 && zalo.sent.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(zalo.sent.at(-1)).toMatchObject({ userId: ids[0], message: { text: expect.stringContaining('/dangky') } });
    expect(getPersonByExternal(db, 'zalo', ids[0]!)?.optedOutAt).toBeTruthy();

    const sentBefore = zalo.sent.length;
    await send('Lịch tiếp công dân tháng 1.');
    expect(zalo.sent.slice(sentBefore).map((m) => m.userId)).toEqual([ids[1]]);
  });

  it('out of quota (-211): the rest waits, shown to staff as waiting in Vietnamese, never failed, and each person gets it once when the quota is back', async () => {
    const zalo = await startFakeZalo();
    cleanup.push(() => zalo.close());
    const t = await startAdminApp({ env: zaloEnv(zalo), bot: { quiet_hours: { start: '00:00', end: '00:00' } } });
    cleanup.push(t.close);
    const db = t.app.db;
    const day = 86_400_000;
    // Three days since they last wrote: inside Zalo's 7 days, past the free 48 hours, so each message spends quota.
    const ids = Array.from({ length: 12 }, (_, i) => `87134517865432101${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      zalo.addUser({ id, lastInteraction: new Date(Date.now() - 3 * day) });
      addSubscriber(db, { channel: 'zalo', id, lastInteraction: new Date(Date.now() - 3 * day) });
    }
    zalo.setQuota(3);
    addUser(t.app, 'lan', ['broadcaster']);
    addUser(t.app, 'minh', ['approver']);
    const s = createCampaignService({ db, regions: () => ({ regions: t.app.knowledge.state.regions, root: 'hung-yen' }), topics: () => [] });
    const c = s.create('lan', { text: 'Lịch tiếp công dân tháng 1 tại trụ sở UBND xã.', channels: ['zalo'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    s.schedule('lan', c.id);
    t.app.campaigns.outbox.wake();

    // The quota runs out after three: the channel reports it and the lane stops there.
    await until(() => !t.app.health.isConnected('zalo') && deliveryCounts(db, c.id).sent === 3 && deliveryCounts(db, c.id).sending === 0);
    const k = deliveryCounts(db, c.id);
    expect(k).toMatchObject({ sent: 3, failed: 0, pending: 9, unknown: 0 });
    expect(k.retrying).toBeGreaterThan(0);
    expect(zalo.calls.filter((x) => x.path === '/v3.0/oa/message/cs').length).toBeGreaterThan(3);

    // What staff read on the page: waiting, why, in Vietnamese; nothing failed, no "retry failed" button.
    const staff = new AdminClient(t.url);
    await staff.login('minh', 'minh-mat-khau-1');
    const page = (await staff.get(`/admin/campaigns/${c.id}`)).text;
    expect(page).toContain('Đang gửi');
    expect(page).toMatch(/lỗi <span data-field="failed">0<\/span>/);
    // Every row the quota holds is counted as waiting (not only the few already tried).
    expect(page).toContain('còn chờ gửi <span data-field="pending">9</span>');
    expect(page).toContain('Zalo OA đang không gửi được (9 tin của kênh này đang chờ): Zalo báo OA đã hết hạn mức tin tư vấn (lỗi -211)');
    expect(page).toContain('Các tin chờ không bị tính là lỗi và không gửi trùng');
    expect(page).not.toContain('Gửi lại tin lỗi');
    expect(page).not.toMatch(/out of (its message )?quota/);
    const live = JSON.parse((await staff.get(`/admin/campaigns/${c.id}/live.json`)).text) as { waitingText: string; failed: number };
    expect(live.failed).toBe(0);
    expect(live.waitingText).toContain('hết hạn mức tin tư vấn (lỗi -211)');

    // The quota is renewed and a minute passes (the rows' wait, QUOTA_RETRY_SECONDS, is over);
    // a citizen who wrote today is answered (free within 48 hours), so Zalo takes messages again.
    zalo.setQuota(null);
    db.prepare(`UPDATE deliveries SET next_attempt_at = ? WHERE campaign_id = ? AND status = 'pending' AND next_attempt_at IS NOT NULL`).run(new Date().toISOString(), c.id);
    const citizen = '8713451786543210999';
    zalo.addUser({ id: citizen });
    expect((await zalo.deliverWebhook(`${t.url}/webhooks/zalo`, zalo.textEvent(citizen, 'xin chào'))).status).toBe(200);
    await until(() => deliveryCounts(db, c.id).pending === 0 && deliveryCounts(db, c.id).sending === 0);
    expect(deliveryCounts(db, c.id)).toMatchObject({ targeted: 12, sent: 12, failed: 0, retrying: 0 });
    // Each person got the campaign exactly once.
    const got = zalo.sent.filter((m) => m.message.text?.startsWith('Lịch tiếp công dân')).map((m) => m.userId).sort();
    expect(got).toEqual([...ids].sort());
  });

  it('a photo campaign whose quota runs out between the photo and its text sends the text only, later: nobody gets the photo twice', async () => {
    const zalo = await startFakeZalo();
    cleanup.push(() => zalo.close());
    const t = await startAdminApp({ env: zaloEnv(zalo), bot: { quiet_hours: { start: '00:00', end: '00:00' } } });
    cleanup.push(t.close);
    const db = t.app.db;
    const id = '8713451786543210201';
    zalo.addUser({ id, lastInteraction: new Date(Date.now() - 3 * 86_400_000) });
    addSubscriber(db, { channel: 'zalo', id, lastInteraction: new Date(Date.now() - 3 * 86_400_000) });
    // One paid message left: the photo takes it, the text is refused (-211).
    zalo.setQuota(1);
    addUser(t.app, 'lan', ['broadcaster']);
    addUser(t.app, 'minh', ['approver']);
    const s = createCampaignService({ db, regions: () => ({ regions: t.app.knowledge.state.regions, root: 'hung-yen' }), topics: () => [] });
    const c = s.create('lan', { text: 'Lịch tiêm chủng tháng 1 ở ảnh dưới đây.', imageUrl: 'https://example.gov.vn/lich.jpg', channels: ['zalo'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    s.schedule('lan', c.id);
    t.app.campaigns.outbox.wake();
    await until(() => !t.app.health.isConnected('zalo') && deliveryCounts(db, c.id).sending === 0 && zalo.sent.length === 1);
    expect(deliveryCounts(db, c.id)).toMatchObject({ sent: 0, failed: 0, pending: 1 });
    zalo.setQuota(null);
    db.prepare(`UPDATE deliveries SET next_attempt_at = ? WHERE campaign_id = ?`).run(new Date().toISOString(), c.id);
    const citizen = '8713451786543210998';
    zalo.addUser({ id: citizen });
    expect((await zalo.deliverWebhook(`${t.url}/webhooks/zalo`, zalo.textEvent(citizen, 'xin chào'))).status).toBe(200);
    await until(() => deliveryCounts(db, c.id).sent === 1);
    const toThem = zalo.sent.filter((m) => m.userId === id);
    expect(toThem.map((m) => (m.message.attachment?.payload?.elements ? 'ảnh' : m.message.text?.slice(0, 20)))).toEqual(['ảnh', 'Lịch tiêm chủng thán']);
  });
});
