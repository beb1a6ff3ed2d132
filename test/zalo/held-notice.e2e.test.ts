/**
 * A Zalo asker whose question staff answered after the 7-day window closed: the answer is held,
 * not dropped, and goes out through the OA as soon as they write again (db/notices.ts
 * releaseHeldNotices, conversation.ts). Over HTTP: signed webhooks in, the fake OA (which
 * enforces the window with -230) out.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeZalo, type FakeZalo, zaloEnv } from '../support/fake-zalo.js';
import { startTestApp } from '../support/app.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { enqueueNotices, listNotices } from '../../src/db/notices.js';

const USER = '8713451786543219001';
let zalo: FakeZalo;
let t: Awaited<ReturnType<typeof startTestApp>>;
let hook: string;

beforeAll(async () => {
  zalo = await startFakeZalo();
  t = await startTestApp(zaloEnv(zalo), { bot: { quiet_hours: { start: '00:00', end: '00:00' } } });
  hook = `${t.url}/webhooks/zalo`;
  zalo.addUser({ id: USER, name: 'Trần Văn Bình' });
});

afterAll(async () => {
  await t.close();
  await zalo.close();
});

describe('an answer to a Zalo question, after the 7-day window', () => {
  it('waits for the asker and reaches them when they write again', async () => {
    const question = 'Xin giấy phép kinh doanh karaoke ở xã cần những gì?';
    await zalo.deliverWebhook(hook, zalo.textEvent(USER, question));
    await t.app.inbox.drain();
    const person = getPersonByExternal(t.app.db, 'zalo', USER)!;
    const unanswered = t.app.db.prepare('SELECT id FROM unanswered WHERE person_id = ?').get(person.id) as { id: number };
    expect(unanswered).toBeTruthy();

    // Staff answer it nine days later: the asker has not written since.
    const nineDaysAgo = new Date(Date.now() - 9 * 86_400_000);
    t.app.db.prepare('UPDATE people SET last_interaction_at = ? WHERE id = ?').run(nineDaysAgo.toISOString(), person.id);
    zalo.users.get(USER)!.lastInteraction = nineDaysAgo;
    const sentBefore = zalo.sent.length;
    enqueueNotices(t.app.db, [
      { unansweredId: unanswered.id, personId: person.id, channel: 'zalo', recipient: USER, entryId: 'giay-phep-karaoke', reply: { title: 'Câu hỏi của bạn đã có câu trả lời', text: `Bạn đã hỏi: ${question}\nTrả lời: hồ sơ gồm …` } },
    ]);
    await vi.waitFor(() => expect(listNotices(t.app.db, 'giay-phep-karaoke')[0]?.status).toBe('held'), { timeout: 10_000 });
    expect(zalo.sent.slice(sentBefore).some((s) => (s.message.text ?? '').includes('Trả lời: hồ sơ gồm'))).toBe(false);

    // Ten days on, they write to the OA again.
    await zalo.deliverWebhook(hook, zalo.textEvent(USER, 'chào bạn'));
    await t.app.inbox.drain();
    await vi.waitFor(() => expect(listNotices(t.app.db, 'giay-phep-karaoke')[0]?.status).toBe('sent'), { timeout: 10_000 });
    const mine = zalo.sent.slice(sentBefore).filter((s) => s.userId === USER).map((s) => s.message.text ?? '');
    expect(mine.filter((x) => x.includes('Trả lời: hồ sơ gồm'))).toHaveLength(1);
  });
});
