/**
 * Staff over a month: a citizen phones about "báo cáo BC-2026-0002" and staff must find it among
 * hundreds of cases (the queue had no way to go to a number: 100 cases a page, the address holds
 * the internal id); and a case thousands reported made a case page of megabytes (5,000 reports:
 * 996 KB of HTML, every report a row). Now a number goes straight to its case, as typed or read
 * out ('bc-2026-2', '2026-0002'), within the user's region only; a case page lists the newest 200
 * reports, with a link to all; a closing step's message writes 1.200, not 1200. And to work
 * through the cases the plan's 90% waits on, 'Chờ lâu nhất' lists those not closed, oldest first
 * (the queue sorted only by the last report or by reporters).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { recordReport, setCaseStatus } from '../../src/db/disinfo.js';
import { upsertPerson } from '../../src/db/people.js';
import { vietnamYear } from '../../src/time/vietnam.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let province: AdminClient;
let commune: AdminClient;
const ids: number[] = [];
const YEAR = vietnamYear(new Date());

beforeAll(async () => {
  t = await startAdminApp();
  const db = t.app.db;
  db.transaction(() => {
    // Case 1: 1,200 reporters of Phố Hiến; case 2: one of Sơn Nam.
    for (let i = 0; i < 1200; i++) {
      const p = upsertPerson(db, 'telegram', String(610_000 + i)).id;
      const r = recordReport(db, { personId: p, channel: 'telegram', region: 'pho-hien', text: `https://facebook.com/groups/7/posts/1 báo lần ${i + 1}`, topic: 'khac', platform: 'facebook' });
      if (i === 0) ids.push(r.caseId);
    }
    const q = upsertPerson(db, 'telegram', '620001').id;
    ids.push(recordReport(db, { personId: q, channel: 'telegram', region: 'son-nam', text: 'https://tiktok.com/@a/video/9', topic: 'khac', platform: 'tiktok' }).caseId);
  })();
  province = new AdminClient(t.url);
  expect((await province.login('tinh', addUser(t.app, 'tinh', ['editor']))).status).toBe(303);
  commune = new AdminClient(t.url);
  expect((await commune.login('xa', addUser(t.app, 'xa', ['editor'], 'pho-hien'))).status).toBe(303);
});
afterAll(async () => {
  await t?.close();
});

describe('finding a case by its number', () => {
  it.each([`BC-${YEAR}-0002`, `bc-${YEAR}-2`, `${YEAR}-0002`, `BC-${YEAR} - 0002 `])('goes to the case from %j', async (typed) => {
    const res = await province.get(`/admin/disinfo?ma=${encodeURIComponent(typed)}`);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/admin/disinfo/${ids[1]}`);
  });

  it('says so, with the form of a number, for one that is not there or outside the region', async () => {
    const none = await province.get(`/admin/disinfo?ma=BC-${YEAR}-0099`);
    expect(none.status).toBe(200);
    expect(none.text).toContain(`Không có vụ việc mã “BC-${YEAR}-0099” trong địa bàn của bạn. Mã vụ việc có dạng BC-${YEAR}-0001`);
    // Sơn Nam's case, asked by Phố Hiến's staff: the same answer (never "exists elsewhere").
    const elsewhere = await commune.get(`/admin/disinfo?ma=BC-${YEAR}-0002`);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.text).toContain(`Không có vụ việc mã “BC-${YEAR}-0002” trong địa bàn của bạn.`);
    expect((await commune.get(`/admin/disinfo?ma=BC-${YEAR}-0001`)).location).toBe(`/admin/disinfo/${ids[0]}`);
    expect((await province.get('/admin/disinfo?ma=tin-gia')).text).toContain('Không có vụ việc mã “tin-gia”');
  });
});

describe('a case many reported', () => {
  it('lists the newest 200 reports, with a link to all of them', async () => {
    const page = (await province.get(`/admin/disinfo/${ids[0]}`)).text;
    expect(page).toContain('<h2>Các báo cáo (1.200)</h2>');
    expect(page).toContain(`Đang hiện 200 báo cáo gần nhất. <a href="/admin/disinfo/${ids[0]}?baocao=tat-ca">Xem tất cả 1.200 báo cáo</a>`);
    expect(page).toContain('báo lần 1200');
    expect(page).not.toContain('báo lần 1000<');
    const all = (await province.get(`/admin/disinfo/${ids[0]}?baocao=tat-ca`)).text;
    expect(all.match(/người dân số \d+/g)).toHaveLength(1200);
    expect(all).not.toContain('data-reports-shown');
    // Closed: the message counts its reporters as Vietnamese writes numbers.
    const step = await province.post(`/admin/disinfo/${ids[0]}/status`, { status: 'out_of_scope', note: '' });
    expect(step.status).toBe(303);
    const closed = (await province.get(step.location!)).text;
    expect(closed).toContain('Đang gửi kết quả cho 1.200 người báo tin.');
  });
});

describe('the cases waiting longest', () => {
  it('lists the cases not closed yet, first reported earliest first', async () => {
    const db = t.app.db;
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
    const open = (ext: string, link: string, when: Date) =>
      recordReport(db, { personId: upsertPerson(db, 'telegram', ext).id, channel: 'telegram', region: 'pho-hien', text: link, topic: 'khac', platform: 'facebook' }, when);
    const closed = open('630001', 'https://facebook.com/cu/posts/40', daysAgo(40));
    setCaseStatus(db, closed.caseId, { status: 'not_false', actor: 'tinh' });
    const waiting = open('630002', 'https://facebook.com/cu/posts/30', daysAgo(30));
    const checking = open('630003', 'https://facebook.com/cu/posts/2', daysAgo(2));
    setCaseStatus(db, checking.caseId, { status: 'checking', actor: 'tinh' });
    const order = (html: string) => [...html.matchAll(/data-case="([^"]+)"/g)].map((m) => m[1]);
    const page = (await province.get('/admin/disinfo?xep=cho')).text;
    // Case 1 was closed above (not in scope); case 2 is new, reported now.
    expect(order(page)).toEqual([waiting.number, checking.number, `BC-${YEAR}-0002`]);
    expect(page).toContain('<option value="cho" selected>Chờ lâu nhất (chưa đóng)</option>');
    expect(order((await province.get('/admin/disinfo?xep=cho&trangthai=not_false')).text)).toEqual([closed.number]);
  });
});
