/**
 * Issue 15, item 2: a flood of questions must not hide real ones from staff. The queue is paged
 * (no "1,000 newest" cut), shows the total, and filters by channel, the asker's region (inside
 * the staff member's region scope) and date; page links keep the filters; a filter that matches
 * nothing says so and how to widen it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { recordUnanswered } from '../../src/db/questions.js';
import { setRegion, upsertPerson } from '../../src/db/people.js';
import type { ChannelName } from '../../src/channels/channel.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let staff: AdminClient;
let ward: AdminClient;

const FLOOD = 1_200;
/** Asked before the flood, on Zalo, by someone in Phường Sơn Nam: older than the 1,000 newest. */
const OLD_ZALO = 'Xin hỏi thủ tục đăng ký khai sinh cho con ở phường Sơn Nam cần giấy tờ gì?';
/** Asked on Telegram by someone in Phường Phố Hiến, also before the flood, on another day. */
const PHO_HIEN = 'Phường Phố Hiến có lịch tiếp công dân vào thứ mấy?';

function ask(channel: ChannelName, who: string, question: string, at: string, region?: string): number {
  const p = upsertPerson(t.app.db, channel, who);
  if (region) setRegion(t.app.db, p.id, region);
  return recordUnanswered(t.app.db, { personId: p.id, channel, question, normalized: question.toLowerCase(), suggestions: [] }, new Date(at));
}

/** Decodes the page's HTML entities enough to read links. */
const html = (s: string): string => s.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');

let oldId = 0;

beforeAll(async () => {
  t = await startAdminApp();
  addUser(t.app, 'bien', ['editor']);
  addUser(t.app, 'phuong', ['editor'], 'pho-hien');
  oldId = ask('zalo', 'z-1', OLD_ZALO, '2026-11-10T03:00:00Z', 'son-nam');
  ask('telegram', 't-1', PHO_HIEN, '2026-11-12T03:00:00Z', 'pho-hien');
  // The flood: web chat sessions without a region, all on 20/11 (Vietnam time), newest last.
  t.app.db.transaction(() => {
    for (let i = 0; i < FLOOD; i++)
      ask('web', `web-${i}`, `quảng cáo rác số ${i} mua ngay`, new Date(Date.parse('2026-11-20T01:00:00Z') + i * 1000).toISOString());
  })();
  staff = new AdminClient(t.url);
  await staff.login('bien', 'bien-mat-khau-1');
  ward = new AdminClient(t.url);
  await ward.login('phuong', 'phuong-mat-khau-1');
});
afterAll(async () => {
  await t?.close();
});

describe('the unanswered-questions queue under a flood', () => {
  it('shows the total, and the flood as one group beside the real questions on the first page', async () => {
    // Grouped across the whole queue (they were grouped within a page of 200: the flood filled
    // pages 1 to 6 and the two real questions were on page 7).
    const first = await staff.get('/admin/questions');
    expect(first.status).toBe(200);
    expect(first.text).toContain('Tổng cộng <strong>1.202</strong> câu hỏi, gộp thành 3 nhóm.');
    expect(first.text).toContain('<span class="tag">1200 người hỏi</span>');
    expect(first.text).toContain(OLD_ZALO);
    expect(first.text).toContain(PHO_HIEN);
    // The largest group first.
    expect(first.text.indexOf('quảng cáo rác')).toBeLessThan(first.text.indexOf(PHO_HIEN));
    // A page past the end shows the last one.
    expect((await staff.get('/admin/questions?trang=99')).text).toContain(OLD_ZALO);
  });

  it('filters by channel, and the links keep the filter', async () => {
    const zalo = await staff.get('/admin/questions?kenh=zalo');
    expect(zalo.text).toContain(OLD_ZALO);
    expect(zalo.text).not.toContain(PHO_HIEN);
    expect(zalo.text).not.toContain('quảng cáo rác');
    expect(zalo.text).toContain('Tổng cộng <strong>1</strong> câu hỏi khớp bộ lọc (kênh Zalo), gộp thành 1 nhóm.');

    const web = await staff.get('/admin/questions?kenh=web&loai=chua-tra-loi');
    const links = html(web.text);
    // The kind links keep the channel.
    expect(links).toContain('href="/admin/questions?loai=co-the-sai&kenh=web"');
    // Dismissing goes back to the page with its filters.
    expect(links).toContain('name="back" value="/admin/questions?loai=chua-tra-loi&kenh=web"');
  });

  it('filters by date (Vietnam days, both ends included)', async () => {
    const r = await staff.get('/admin/questions?tu=2026-11-10&den=2026-11-12');
    expect(r.text).toContain(OLD_ZALO);
    expect(r.text).toContain(PHO_HIEN);
    expect(r.text).not.toContain('quảng cáo rác');
    expect(r.text).toContain('khớp bộ lọc (từ ngày 10/11/2026, đến ngày 12/11/2026)');
    const oneDay = await staff.get('/admin/questions?tu=2026-11-12&den=2026-11-12');
    expect(oneDay.text).toContain(PHO_HIEN);
    expect(oneDay.text).not.toContain(OLD_ZALO);
  });

  it('reads the filter days typed day first, and shows them so (the fields are text, not the browser date field)', async () => {
    // What a Vietnamese officer types. The <input type="date"> fields took the browser's order:
    // 12/11/2026 typed on a Chrome in English meant 11 December.
    const r = await staff.get('/admin/questions?tu=10/11/2026&den=12/11/2026');
    expect(r.text).toContain(OLD_ZALO);
    expect(r.text).toContain(PHO_HIEN);
    expect(r.text).not.toContain('quảng cáo rác');
    expect(r.text).toContain('khớp bộ lọc (từ ngày 10/11/2026, đến ngày 12/11/2026)');
    expect(r.text).not.toMatch(/type="date"[^>]*name="(tu|den)"/);
    expect(r.text).toMatch(/name="tu"[^>]*value="10\/11\/2026"/);
    expect(r.text).toMatch(/name="den"[^>]*value="12\/11\/2026"/);
    const oneDay = await staff.get('/admin/questions?tu=12.11.2026&den=12-11-2026');
    expect(oneDay.text).toContain(PHO_HIEN);
    expect(oneDay.text).not.toContain(OLD_ZALO);
  });

  it('filters by region, a region taking in everything under it', async () => {
    const province = await staff.get('/admin/questions?diaban=hung-yen');
    expect(province.text).toContain(OLD_ZALO);
    expect(province.text).toContain(PHO_HIEN);
    expect(province.text).not.toContain('quảng cáo rác'); // askers without a region are not in any region
    const sonNam = await staff.get('/admin/questions?diaban=son-nam');
    expect(sonNam.text).toContain(OLD_ZALO);
    expect(sonNam.text).not.toContain(PHO_HIEN);
  });

  it("keeps a region-scoped officer inside their region's subtree, whatever the URL asks", async () => {
    const mine = await ward.get('/admin/questions');
    expect(mine.text).toContain(PHO_HIEN);
    expect(mine.text).not.toContain(OLD_ZALO);
    expect(mine.text).not.toContain('quảng cáo rác');
    expect(mine.text).toContain('Tổng cộng <strong>1</strong> câu hỏi');
    // Only their regions are offered…
    expect(mine.text).toContain('<option value="pho-hien"');
    expect(mine.text).not.toContain('<option value="son-nam"');
    // …and asking for another region (or the whole province) by hand shows nothing of it.
    for (const other of ['son-nam', 'hung-yen']) {
      const r = await ward.get(`/admin/questions?diaban=${other}`);
      expect(r.text).not.toContain(OLD_ZALO);
    }
  });

  it('says when a filter matches nothing, and how to widen it', async () => {
    const r = await staff.get('/admin/questions?kenh=telegram&tu=2026-11-20');
    expect(r.status).toBe(200);
    expect(r.text).toContain('Không có câu hỏi nào khớp bộ lọc: kênh Telegram, từ ngày 20/11/2026.');
    expect(r.text).toContain('Hãy mở rộng tìm kiếm: bỏ bớt điều kiện');
    expect(r.text).toContain('Bỏ lọc: xem tất cả 1.202 câu hỏi đang chờ');
    expect(html(r.text)).toContain('href="/admin/questions"');
    // Unreadable values are dropped rather than refused.
    const bad = await staff.get('/admin/questions?kenh=fax&tu=hom-qua&trang=-3&diaban=%3Cscript%3E');
    expect(bad.status).toBe(200);
    expect(bad.text).toContain('Tổng cộng <strong>1.202</strong> câu hỏi');
  });

  it('acts on a question however far down the queue it is', async () => {
    // Before, only the 1,000 newest could be dismissed, answered or attached.
    const page = await staff.get('/admin/questions?kenh=zalo');
    expect((await staff.post('/admin/questions/dismiss', { ids: String(oldId), back: '/admin/questions?kenh=zalo' })).location).toMatch(
      /^\/admin\/questions\?kenh=zalo&msg=/,
    );
    expect(page.status).toBe(200);
    const row = t.app.db.prepare('SELECT status FROM unanswered WHERE id = ?').get(oldId) as { status: string };
    expect(row.status).toBe('dismissed');
    // The dashboard counts the whole queue, not the first 1,000.
    expect((await staff.get('/admin')).text).toMatch(/Câu hỏi chờ cán bộ trả lời<\/div><div class="stat">1\.201</);
  });
});
