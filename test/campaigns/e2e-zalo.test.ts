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
});
