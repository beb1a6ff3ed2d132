/**
 * Questions the staff queue's caps turned away are counted (per Vietnam day and cap, nothing of
 * the person) and the dashboard shows province-wide staff the last seven days: the asker is told,
 * but staff saw nothing, so neither a script filling the caps nor an office whose people share
 * one network and meet the per-source cap was visible (SENDER2's note).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { PERSON_QUEUE_CAP, recordUnanswered, turnedAwayLately } from '../../src/db/questions.js';
import { personIdByExternal } from '../../src/db/people.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
beforeAll(async () => {
  t = await startAdminApp();
  addUser(t.app, 'bien', ['editor']);
  addUser(t.app, 'phuong', ['editor'], 'pho-hien');
});
afterAll(async () => {
  await t?.close();
});

const chat = async (session: string, text: string): Promise<string> => {
  const res = await fetch(`${t.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session, text }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: { text: string }[] }).replies.map((r) => r.text).join('\n');
};

describe('questions turned away by the queue caps', () => {
  it('are counted and shown on the dashboard to province-wide staff', async () => {
    const page = async (who: string, pw: string): Promise<string> => {
      const c = new AdminClient(t.url);
      await c.login(who, pw);
      return (await c.get('/admin')).text;
    };
    expect(await page('bien', 'bien-mat-khau-1')).not.toContain('data-turned-away');

    await chat('cap-dash-1', 'Quán bánh cuốn nào ở chợ Phố Hiến mở cửa sớm nhất buổi sáng?');
    const person = personIdByExternal(t.app.db, 'web', 'cap-dash-1')!;
    for (let i = 1; i < PERSON_QUEUE_CAP; i++)
      recordUnanswered(t.app.db, { personId: person, channel: 'web', question: `câu hỏi chờ số ${i}`, normalized: `cau hoi cho so ${i}`, suggestions: [] });
    await chat('cap-dash-1', 'Sân bóng đá mini nào ở Phố Hiến cho thuê giá rẻ nhất vào buổi tối?');
    await chat('cap-dash-1', 'Tiệm sửa xe máy nào gần cầu Yên Lệnh mở cửa ngày chủ nhật?');
    expect(turnedAwayLately(t.app.db)).toEqual({ person: 2, source: 0 });

    const text = await page('bien', 'bien-mat-khau-1');
    expect(text).toContain('data-turned-away');
    expect(text).toContain('7 ngày qua, 2 câu không được đưa vào hàng đợi vì vượt giới hạn (2 do một người có quá 20 câu chờ trong ngày, 0 do một mạng có quá 300 câu chờ qua web)');
    // A commune account: the counts hold no region, so they are not shown there.
    expect(await page('phuong', 'phuong-mat-khau-1')).not.toContain('data-turned-away');
  });
});
