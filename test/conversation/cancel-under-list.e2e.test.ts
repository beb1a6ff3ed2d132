/**
 * "Huỷ" as a Telegram subscriber types it (the real app against the fake Bot API): under the
 * open contests /thi just listed it closes that list and keeps the news; after a campaign
 * message it stops the news at once; from someone who never subscribed it says so.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { startTestApp } from '../support/app.js';
import { createUser } from '../../src/db/users.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { createCampaignService } from '../../src/campaigns/service.js';

let tg: FakeTelegram;
let t: Awaited<ReturnType<typeof startTestApp>>;

beforeAll(async () => {
  tg = await startFakeTelegram();
  t = await startTestApp({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot }, { bot: { quiet_hours: { start: '00:00', end: '00:00' } } });
});
afterAll(async () => {
  await t?.close();
  await tg?.close();
});

/** Sends a private message and returns the texts of the replies it got (`count` of them). */
async function say(userId: number, text: string, count = 1): Promise<string[]> {
  const from = tg.calls.length;
  await tg.pushUpdate(tg.message({ userId, text }));
  await tg.waitForCall((c) => c.method === 'sendMessage' && c.params.chat_id === userId, { after: from, count });
  return tg.calls.slice(from).filter((c) => c.method === 'sendMessage' && c.params.chat_id === userId).map((c) => String(c.params.text));
}
async function press(userId: number, data: string): Promise<void> {
  const from = tg.calls.length;
  await tg.pushUpdate(tg.callbackQuery({ userId, data }));
  await tg.waitForCall((c) => c.method === 'sendMessage' && c.params.chat_id === userId, { after: from });
}
const person = (userId: number) => getPersonByExternal(t.app.db, 'telegram', String(userId))!;
async function subscribe(userId: number): Promise<void> {
  await say(userId, '/dangky');
  await press(userId, 'sub:all');
  await press(userId, 'sub:rs:');
  expect(person(userId).consentAt).toBeTruthy();
}

describe('"Huỷ" on Telegram', () => {
  it('under the list of open contests closes the list, keeps the news and says how to stop it', async () => {
    await subscribe(9101);
    const [list] = await say(9101, '/thi');
    expect(list).toContain('Các cuộc thi đang mở');
    const [r] = await say(9101, 'huỷ');
    expect(r).toContain('bỏ qua các lựa chọn vừa rồi');
    expect(r).toContain('hãy gõ Huỷ một lần nữa');
    expect(person(9101).optedOutAt).toBeNull();
    expect((await say(9101, 'huỷ'))[0]).toContain('Bạn đã thôi nhận tin.');
    expect(person(9101).optedOutAt).toBeTruthy();
  });

  it('right after a campaign message stops the news at once, even with the contests listed before it', async () => {
    const db = t.app.db;
    await subscribe(9102);
    await say(9102, '/thi');
    createUser(db, { username: 'lan', roles: ['broadcaster'] });
    createUser(db, { username: 'minh', roles: ['approver', 'broadcaster'] });
    const s = createCampaignService({ db, regions: () => ({ regions: t.app.knowledge.state.regions, root: 'hung-yen' }), topics: () => t.app.knowledge.state.topics.map((x) => x.slug) });
    const c = s.create('lan', { text: 'Tuần lễ tuyên truyền về quyền trẻ em', channels: ['telegram'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    const done = once(t.app.campaigns.outbox.events, 'done');
    s.schedule('minh', c.id);
    await done;
    expect(tg.sentTexts(9102).at(-1)).toContain('Gõ /huy để thôi nhận tin.');
    const [r] = await say(9102, 'Huỷ');
    expect(r).toContain('Bạn đã thôi nhận tin.');
    expect(person(9102).optedOutAt).toBeTruthy();
  });

  it('from someone who never subscribed says they get no news and how to subscribe', async () => {
    for (const text of ['huỷ', 'dừng nhận tin']) {
      const [r] = await say(9103, text);
      expect(r, text).not.toContain('Bạn đã thôi nhận tin');
      expect(r, text).toContain('/dangky');
    }
  });
});
