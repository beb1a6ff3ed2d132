/**
 * Times typed on the campaign, contest and audit pages are day first with a 24-hour time, as
 * Vietnamese staff write them. The fields were `<input type="datetime-local">` and `<input
 * type="date">`, whose typed order is the browser's language, not the page's: on a Chrome in
 * English, 07/12/2026 08:30 typed into "Gửi lúc" scheduled a broadcast for 12 July. They are
 * now text fields read by time/vietnam.ts (`parseStaffDateTime`, `parseStaffDate`), refused
 * with a Vietnamese message naming the field (the form shown again with what was typed), and
 * shown back day first.
 *
 * The app's clock is 10:00 on 06/12/2026 in Vietnam (03:00 UTC).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { getCampaign, listCampaigns } from '../../src/db/campaigns.js';
import { recordAudit } from '../../src/db/audit.js';

const NOW = new Date('2026-12-06T03:00:00Z');

let t: Awaited<ReturnType<typeof startAdminApp>>;
let gui: AdminClient;
let duyet: AdminClient;

beforeAll(async () => {
  t = await startAdminApp({ now: () => NOW });
  addUser(t.app, 'gui', ['broadcaster', 'quiz_organizer']);
  addUser(t.app, 'duyet', ['approver', 'admin']);
  gui = new AdminClient(t.url);
  duyet = new AdminClient(t.url);
  expect((await gui.login('gui', 'gui-mat-khau-1')).status).toBe(303);
  expect((await duyet.login('duyet', 'duyet-mat-khau-1')).status).toBe(303);
});
afterAll(async () => t?.close());

const draft = (text: string, sendAt: string) => gui.post('/admin/campaigns/new', { text, channels: 'telegram', sendAt, action: 'save' });
const idOf = (text: string): number => listCampaigns(t.app.db).find((c) => c.text === text)!.id;
/** A page's text as the officer reads it (eta escapes quotes and apostrophes). */
const read = (html: string): string => html.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
/** The value of the field `name` in a page, unescaped. */
const valueOf = (html: string, name: string): string | undefined => {
  const v = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];
  return v === undefined ? undefined : read(v);
};

describe('campaign send time', { timeout: 60_000 }, () => {
  it('07/12/2026 08:30 is 7 December at 08:30 in Vietnam, and the pages show it back day first', async () => {
    const form = await gui.get('/admin/campaigns/new');
    // A text field the browser does not reorder, saying how to write a time.
    expect(form.text).not.toMatch(/datetime-local/);
    expect(read(form.text)).toContain('Gửi lúc (ngày/tháng/năm giờ:phút, 24 giờ, giờ Việt Nam; để trống: gửi ngay khi lên lịch)');
    expect(form.text).toMatch(/name="sendAt"[^>]*placeholder="ví dụ \d{2}\/\d{2}\/\d{4} 08:30"/);

    expect((await draft('Lịch tiếp công dân tháng 12', '07/12/2026 08:30')).status).toBe(303);
    const id = idOf('Lịch tiếp công dân tháng 12');
    expect(getCampaign(t.app.db, id)!.sendAt).toBe('2026-12-07T01:30:00.000Z');
    expect(read((await gui.get(`/admin/campaigns/${id}`)).text)).toContain('gửi lúc 08:30 07/12/2026');
    expect(valueOf((await gui.get(`/admin/campaigns/${id}/edit`)).text, 'sendAt')).toBe('07/12/2026 08:30');
  });

  it.each([
    ['31/02/2027 08:00', "Gửi lúc: '31/02/2027 08:00' không có ngày 31 trong tháng 2/2027. Để trống thì gửi ngay khi lên lịch."],
    ['07/12/2026', "Gửi lúc: '07/12/2026' thiếu giờ; hãy viết ngày/tháng/năm giờ:phút theo 24 giờ"],
    ['12/25/2026 08:00', 'không có tháng 25: ngày Việt Nam viết ngày/tháng/năm; nếu đây là tháng/ngày kiểu Mỹ thì hãy viết 25/12/2026'],
    ['07/12/2026 8:30 PM', 'viết giờ kiểu 12 giờ (PM)'],
    // A time already past: not sent at once, the officer is asked for another.
    ['05/12/2026 08:30', 'Gửi lúc: 05/12/2026 08:30 đã qua (bây giờ là 06/12/2026 10:00, giờ Việt Nam): hãy nhập một thời điểm sau bây giờ. Để trống thì gửi ngay khi lên lịch.'],
    ['06/12/2026 09:59', 'đã qua'],
  ])('refuses %s on the compose form, keeping what was typed', async (typed, message) => {
    const text = `Thông báo ${typed}`;
    const res = await draft(text, typed);
    expect(res.status).toBe(400);
    expect(read(res.text)).toContain(message);
    expect(valueOf(res.text, 'sendAt')).toBe(typed);
    expect(read(res.text)).toContain(text);
    expect(listCampaigns(t.app.db).some((c) => c.text === text)).toBe(false);
  });

  it('the current minute is not the past; a value from a page opened before the change still reads as Vietnam time', async () => {
    expect((await draft('Gửi ngay phút này', '06/12/2026 10:00')).status).toBe(303);
    expect(getCampaign(t.app.db, idOf('Gửi ngay phút này'))!.sendAt).toBe('2026-12-06T03:00:00.000Z');
    expect((await draft('Trang cũ còn mở', '2026-12-07T08:30')).status).toBe(303);
    expect(getCampaign(t.app.db, idOf('Trang cũ còn mở'))!.sendAt).toBe('2026-12-07T01:30:00.000Z');
    // Time first, as the pages show a time, copied back.
    expect((await draft('Chép từ trang', '20:00 24/12/2026')).status).toBe(303);
    expect(getCampaign(t.app.db, idOf('Chép từ trang'))!.sendAt).toBe('2026-12-24T13:00:00.000Z');
  });

  it('the edit form reads and refuses the same way', async () => {
    expect((await draft('Sửa giờ gửi', '')).status).toBe(303);
    const id = idOf('Sửa giờ gửi');
    const refused = await gui.post(`/admin/campaigns/${id}/edit`, { text: 'Sửa giờ gửi', channels: 'telegram', sendAt: '31/11/2026 08:00', action: 'save' });
    expect(refused.status).toBe(400);
    expect(read(refused.text)).toContain("Gửi lúc: '31/11/2026 08:00' không có ngày 31 trong tháng 11/2026.");
    expect(valueOf(refused.text, 'sendAt')).toBe('31/11/2026 08:00');
    expect((await gui.post(`/admin/campaigns/${id}/edit`, { text: 'Sửa giờ gửi', channels: 'telegram', sendAt: '08/12/2026 14:00', action: 'save' })).status).toBe(303);
    expect(getCampaign(t.app.db, id)!.sendAt).toBe('2026-12-08T07:00:00.000Z');
  });

  it('scheduling: the time set on the draft is shown day first; a typed one is read day first; a bad one shows the page again', async () => {
    expect((await gui.post('/admin/campaigns/new', { text: 'Lên lịch ngày hội', channels: 'telegram', sendAt: '20/12/2026 07:30', action: 'submit' })).status).toBe(303);
    const id = idOf('Lên lịch ngày hội');
    expect((await duyet.post(`/admin/campaigns/${id}/approve`)).status).toBe(303);

    const page = await gui.get(`/admin/campaigns/${id}`);
    expect(page.text).not.toMatch(/datetime-local/);
    expect(valueOf(page.text, 'sendAt')).toBe('20/12/2026 07:30');
    expect(read(page.text)).toContain('để trống: gửi theo giờ đã hẹn (20/12/2026 07:30)');

    const refused = await gui.post(`/admin/campaigns/${id}/schedule`, { sendAt: '07/13/2026 08:30' });
    expect(refused.status).toBe(400);
    expect(read(refused.text)).toContain("Gửi lúc: '07/13/2026 08:30' không có tháng 13");
    expect(valueOf(refused.text, 'sendAt')).toBe('07/13/2026 08:30');
    expect(getCampaign(t.app.db, id)!.status).toBe('approved');

    const past = await gui.post(`/admin/campaigns/${id}/schedule`, { sendAt: '01/12/2026 08:30' });
    expect(past.status).toBe(400);
    expect(read(past.text)).toContain('Gửi lúc: 01/12/2026 08:30 đã qua');
    expect(read(past.text)).toContain('Để trống thì gửi theo giờ đã hẹn (20/12/2026 07:30).');

    const done = await gui.post(`/admin/campaigns/${id}/schedule`, { sendAt: '07/12/2026 08:30' });
    expect(done.status).toBe(303);
    expect(decodeURIComponent(done.location ?? '')).toContain('Đã lên lịch gửi lúc 07/12/2026 08:30 (giờ Việt Nam).');
    const c = getCampaign(t.app.db, id)!;
    expect(c.status).toBe('scheduled');
    expect(c.sendAt).toBe('2026-12-07T01:30:00.000Z');
  });

  it('scheduling with the field left empty keeps the time set on the draft', async () => {
    expect((await gui.post('/admin/campaigns/new', { text: 'Giữ giờ đã hẹn', channels: 'telegram', sendAt: '21/12/2026 09:00', action: 'submit' })).status).toBe(303);
    const id = idOf('Giữ giờ đã hẹn');
    expect((await duyet.post(`/admin/campaigns/${id}/approve`)).status).toBe(303);
    expect((await gui.post(`/admin/campaigns/${id}/schedule`, { sendAt: '' })).status).toBe(303);
    expect(getCampaign(t.app.db, id)!.sendAt).toBe('2026-12-21T02:00:00.000Z');
  });
});

describe('contest closing time', { timeout: 60_000 }, () => {
  const id = 'luyen-tap-quyen-tre-em';
  const file = (): string => readFileSync(join(t.contentDir, `quizzes/${id}.yaml`), 'utf8');

  it('reads "Đóng lúc" day first, refuses what it cannot use with the form shown again, writes the file day first', async () => {
    expect((await gui.post(`/admin/contests/${id}/close`)).status).toBe(303);
    const page = await gui.get(`/admin/contests/${id}`);
    expect(page.text).not.toMatch(/datetime-local/);
    expect(read(page.text)).toContain('Đóng lúc (ngày/tháng/năm giờ:phút, 24 giờ, giờ Việt Nam; để trống: mở 7 ngày, đến 10:00 13/12/2026)');

    const bad = await gui.post(`/admin/contests/${id}/open`, { closes: '31/02/2027 08:00' });
    expect(bad.status).toBe(400);
    expect(read(bad.text)).toContain("Đóng lúc: '31/02/2027 08:00' không có ngày 31 trong tháng 2/2027. Để trống thì mở 7 ngày");
    expect(valueOf(bad.text, 'closes')).toBe('31/02/2027 08:00');

    const past = await gui.post(`/admin/contests/${id}/open`, { closes: '05/12/2026 17:00' });
    expect(past.status).toBe(400);
    expect(read(past.text)).toContain('Đóng lúc: 17:00 05/12/2026 đã qua (bây giờ là 10:00 06/12/2026, giờ Việt Nam)');
    // Refused: the file still says what closing it wrote.
    expect(file()).toMatch(/^closes: 06\/12\/2026 10:00$/m);

    expect((await gui.post(`/admin/contests/${id}/open`, { closes: '07/12/2026 20:00' })).status).toBe(303);
    expect(file()).toMatch(/^closes: 07\/12\/2026 20:00$/m);
    expect(read((await gui.get(`/admin/contests/${id}`)).text)).toContain('đóng 20:00 07/12/2026');
  });

  it('a bare date closes at the end of that day, as in a contest file', async () => {
    expect((await gui.post(`/admin/contests/${id}/close`)).status).toBe(303);
    expect((await gui.post(`/admin/contests/${id}/open`, { closes: '09/12/2026' })).status).toBe(303);
    expect(file()).toMatch(/^closes: 09\/12\/2026 23:59$/m);
  });
});

describe('audit date filters', { timeout: 60_000 }, () => {
  it('07/12/2026 filters 7 December (Vietnam days), not 12 July; an old YYYY-MM-DD link still works', async () => {
    recordAudit(t.app.db, { actor: 'gui', action: 'test.july', targetType: 'test', targetId: 'thang-7' }, new Date('2026-07-12T03:00:00Z'));
    recordAudit(t.app.db, { actor: 'gui', action: 'test.december', targetType: 'test', targetId: 'thang-12' }, new Date('2026-12-07T03:00:00Z'));
    // 23:30 on 7 December in Vietnam is already the 7th's evening, 16:30 UTC: in the day.
    recordAudit(t.app.db, { actor: 'gui', action: 'test.december-late', targetType: 'test', targetId: 'thang-12-toi' }, new Date('2026-12-07T16:30:00Z'));
    // 00:30 on 8 December in Vietnam, still the 7th in UTC: not in the day.
    recordAudit(t.app.db, { actor: 'gui', action: 'test.december-next', targetType: 'test', targetId: 'thang-12-sau' }, new Date('2026-12-07T17:30:00Z'));

    const page = await duyet.get('/admin/audit?action=test.&from=07%2F12%2F2026&to=07%2F12%2F2026');
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/type="date"/);
    expect(read(page.text)).toContain('data-action="test.december"');
    expect(read(page.text)).toContain('data-action="test.december-late"');
    expect(page.text).not.toContain('data-action="test.july"');
    expect(page.text).not.toContain('data-action="test.december-next"');
    expect(valueOf(page.text, 'from')).toBe('07/12/2026');

    const old = await duyet.get('/admin/audit?action=test.&from=2026-07-12&to=2026-07-12');
    expect(old.status).toBe(200);
    expect(read(old.text)).toContain('data-action="test.july"');
    expect(old.text).not.toContain('data-action="test.december"');
    expect(valueOf(old.text, 'from')).toBe('12/07/2026');
  });

  it('a date that cannot be read is named, kept, and lists nothing rather than the whole log', async () => {
    const page = await duyet.get('/admin/audit?action=test.&from=31%2F02%2F2026');
    expect(page.status).toBe(400);
    expect(read(page.text)).toContain("Từ ngày: '31/02/2026' không có ngày 31 trong tháng 2/2026.");
    expect(valueOf(page.text, 'from')).toBe('31/02/2026');
    expect(page.text).not.toContain('data-action="test.');
  });
});
