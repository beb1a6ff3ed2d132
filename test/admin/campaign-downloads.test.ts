/**
 * The campaign page's results and downloads: staff have no command line, so what `loa campaign
 * report` and `loa campaign export` give is on the page (a table per platform and commune) and
 * downloadable as .xlsx with Vietnamese headers. The delivery list names people: only those who
 * compose or approve campaigns get it, and each download is audited; a region-scoped officer
 * gets their region's people only, as in the contest export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { setRegion, upsertPerson } from '../../src/db/people.js';
import { listAudit } from '../../src/db/audit.js';
import { XLSX_CONTENT_TYPE } from '../../src/text/xlsx.js';
import { DELIVERY_LIST_HEADER } from '../../src/campaigns/report.js';
import { readXlsx } from '../support/xlsx.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
const ZALO_ID = '9000000000000000123'; // above 2^53: must stay text
/** A display name with a right-to-left override: Excel would show it reversed. */
const RLO_NAME = 'Lan\u202eabc';

beforeAll(async () => {
  t = await startAdminApp();
  const db = t.app.db;
  addUser(t.app, 'lan', ['broadcaster']);
  addUser(t.app, 'xa', ['broadcaster'], 'pho-hien');
  addUser(t.app, 'xem', ['viewer']);
  const campaign = db.prepare(
    `INSERT INTO campaigns (id, status, text, channels, regions, author, approver, created_at, updated_at, started_at, finished_at) VALUES (?, 'done', 'Tin mẫu', '["telegram","zalo"]', ?, 'lan', 'minh', ?, ?, ?, ?)`,
  );
  const at = '2026-12-01T01:00:00Z';
  campaign.run(51, '["pho-hien"]', at, at, at, at);
  campaign.run(52, '[]', at, at, at, at);
  campaign.run(53, '["pho-hien"]', at, at, null, null);
  db.prepare(`UPDATE campaigns SET status = 'approved', finished_at = NULL WHERE id = 53`).run();
  const del = db.prepare(`INSERT INTO deliveries (campaign_id, person_id, channel, recipient, status, attempts, reason, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const person = (channel: 'telegram' | 'zalo', id: string, region: string | null, name?: string): number => {
    const p = upsertPerson(db, channel, id, name);
    setRegion(db, p.id, region);
    return p.id;
  };
  for (const c of [51, 52]) {
    del.run(c, person('telegram', '7001', 'pho-hien', RLO_NAME), 'telegram', '7001', 'sent', 1, null, '2026-12-01T01:00:05Z');
    del.run(c, person('telegram', '7002', 'pho-hien'), 'telegram', '7002', 'gone', 1, 'Forbidden: bot was blocked by the user', '2026-12-01T01:00:06Z');
    del.run(c, person('zalo', ZALO_ID, 'pho-hien'), 'zalo', ZALO_ID, 'outside_window', 0, 'outside the 7-day window', '2026-12-01T01:00:07Z');
    del.run(c, person('telegram', '7005', 'pho-hien'), 'telegram', '7005', 'opted_out', 0, 'opted out before the send', '2026-12-01T01:00:09Z');
    // Moved to another ward since the campaign went out.
    del.run(c, person('telegram', '7003', 'son-nam'), 'telegram', '7003', 'sent', 1, null, '2026-12-01T01:00:08Z');
  }
});
afterAll(async () => {
  await t?.close();
});

async function client(user: string): Promise<AdminClient> {
  const c = new AdminClient(t.url);
  expect((await c.login(user, `${user}-mat-khau-1`)).status).toBe(303);
  return c;
}

async function download(c: AdminClient, path: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(t.url + path, { headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('results and downloads on the campaign page', () => {
  it('shows the results per platform and commune, and offers both downloads to those who run campaigns', async () => {
    const lan = await client('lan');
    const page = (await lan.get('/admin/campaigns/51')).text;
    expect(page).toContain('Kết quả gửi');
    expect(page).toMatch(/<th>Kênh \/ địa bàn<\/th><th>Tổng<\/th><th>đã gửi<\/th>/);
    expect(page).toContain('Phường Phố Hiến');
    expect(page).toContain('Phường Sơn Nam');
    expect(page).toContain('href="/admin/campaigns/51/report.xlsx"');
    expect(page).toContain('href="/admin/campaigns/51/deliveries.xlsx"');

    const report = await download(lan, '/admin/campaigns/51/report.xlsx');
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toBe(XLSX_CONTENT_TYPE);
    expect(report.headers.get('content-disposition')).toBe('attachment; filename="chien-dich-51-ket-qua.xlsx"');
    const r = readXlsx(report.body).rows;
    expect(r[0]).toEqual(['Kênh', 'Địa bàn', 'Tổng', 'đã gửi', 'không còn nhận (chặn/huỷ theo dõi)', 'ngoài 7 ngày (Zalo)', 'đã huỷ đăng ký trước khi gửi']);
    expect(r).toContainEqual(['Telegram', 'Phường Phố Hiến', 3, 1, 1, 0, 1]);
    expect(r).toContainEqual(['Telegram', 'Phường Sơn Nam', 1, 1, 0, 0, 0]);
    expect(r.at(-1)).toEqual(['Tất cả kênh', 'tất cả địa bàn', 5, 2, 1, 1, 1]);

    const list = await download(lan, '/admin/campaigns/51/deliveries.xlsx');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-disposition')).toBe('attachment; filename="chien-dich-51-danh-sach-gui.xlsx"');
    const rows = readXlsx(list.body).rows;
    expect(rows[0]).toEqual([...DELIVERY_LIST_HEADER]);
    expect(rows).toHaveLength(6);
    expect(rows.find((x) => x[1] === ZALO_ID)?.slice(0, 7)).toEqual(['Zalo OA', ZALO_ID, null, 'Phường Phố Hiến', 'ngoài 7 ngày (Zalo)', 0, 'quá 7 ngày kể từ lần cuối người đó nhắn cho OA (quy định của Zalo)']);
    expect(rows.find((x) => x[1] === '7002')?.[6]).toBe('nền tảng báo: Forbidden: bot was blocked by the user');
    // An opt-out's reason would only repeat its result.
    expect(rows.find((x) => x[1] === '7005')?.slice(4, 7)).toEqual(['đã huỷ đăng ký trước khi gửi', 0, null]);
    // The override is shown, not obeyed.
    expect(String(rows.find((x) => x[1] === '7001')?.[2])).not.toContain('\u202e');
    expect(listAudit(t.app.db, { action: 'campaign.export' })[0]).toMatchObject({ actor: 'lan', targetId: '51', details: { rows: 5, format: 'xlsx' } });
  });

  it("gives a region-scoped officer their region's people only, and nothing of a campaign outside it", async () => {
    const xa = await client('xa');
    const page = (await xa.get('/admin/campaigns/51')).text;
    expect(page).toContain('chỉ người dân trong địa bàn của bạn');
    expect(page).not.toContain('Phường Sơn Nam');
    const rows = readXlsx((await download(xa, '/admin/campaigns/51/deliveries.xlsx')).body).rows;
    expect(rows.slice(1).map((x) => x[1]).sort()).toEqual(['7001', '7002', '7005', ZALO_ID].sort());
    const report = readXlsx((await download(xa, '/admin/campaigns/51/report.xlsx')).body).rows;
    expect(report.at(-1)?.[2]).toBe(4);
    expect(listAudit(t.app.db, { action: 'campaign.export' })[0]).toMatchObject({ actor: 'xa', details: { rows: 4, region: 'pho-hien' } });
    // A province-wide campaign is not theirs to see.
    expect((await download(xa, '/admin/campaigns/52/report.xlsx')).status).toBe(404);
    expect((await download(xa, '/admin/campaigns/52/deliveries.xlsx')).status).toBe(404);
  });

  it('lets a viewer download the results but not the list of people, and says why', async () => {
    const xem = await client('xem');
    const page = (await xem.get('/admin/campaigns/51')).text;
    expect(page).toContain('href="/admin/campaigns/51/report.xlsx"');
    expect(page).not.toContain('deliveries.xlsx');
    expect((await download(xem, '/admin/campaigns/51/report.xlsx')).status).toBe(200);
    const refused = await xem.get('/admin/campaigns/51/deliveries.xlsx');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('chỉ người soạn hoặc người duyệt chiến dịch được tải');
  });

  it('offers nothing to download before a campaign has started sending, and shows no figures of a send that has not happened', async () => {
    const lan = await client('lan');
    const page = (await lan.get('/admin/campaigns/53')).text;
    expect(page).not.toContain('Kết quả gửi');
    expect(page).not.toContain('report.xlsx');
    // Trial: an approved campaign read "Đã xử lý 0 / 3.000 · đã gửi 0 · lỗi 0 · …".
    expect(page).toContain('Chưa gửi tin nào: tin đi sau khi lên lịch.');
    expect(page).not.toContain('Đã xử lý');
  });

  it('names channels, topics and regions as staff read them, not by their slugs', async () => {
    t.app.db.prepare(`UPDATE campaigns SET topics = '["quyen-con-nguoi"]' WHERE id = 51`).run();
    const lan = await client('lan');
    const page = (await lan.get('/admin/campaigns/51')).text;
    expect(page).toContain('Kênh: Telegram, Zalo OA · chủ đề: Quyền con người – khái niệm chung · địa bàn: Phường Phố Hiến');
    expect((await lan.get('/admin/campaigns')).text).toContain('<td>Telegram, Zalo OA</td>');
  });
});
