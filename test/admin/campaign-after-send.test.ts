/**
 * The campaign page after a send (CAMP's broadcaster trial): the people who opted out before
 * their turn are counted on the page, so the figures add up to the total (the page showed 1,998
 * of 2,000); the failed rows can be sent again from the page, not only with the CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { upsertPerson } from '../../src/db/people.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
beforeAll(async () => {
  t = await startAdminApp();
  addUser(t.app, 'lan', ['broadcaster']);
});
afterAll(async () => {
  await t?.close();
});

describe('a finished campaign with failed rows and an opt-out', () => {
  it('shows every figure and sends the failed rows again from the page', async () => {
    const db = t.app.db;
    db.prepare(
      `INSERT INTO campaigns (id, status, text, channels, author, created_at, updated_at, started_at) VALUES (41, 'paused', 'Tin mẫu', '["telegram"]', 'lan', ?, ?, ?)`,
    ).run('2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z');
    const del = db.prepare(`INSERT INTO deliveries (campaign_id, person_id, channel, recipient, status, finished_at) VALUES (41, ?, 'telegram', ?, ?, ?)`);
    const statuses = ['sent', 'sent', 'failed', 'failed', 'opted_out'];
    statuses.forEach((s, i) => {
      const p = upsertPerson(db, 'telegram', String(7700 + i));
      del.run(p.id, String(7700 + i), s, '2026-12-01T00:01:00Z');
    });
    const c = new AdminClient(t.url);
    await c.login('lan', 'lan-mat-khau-1');
    const page = (await c.get('/admin/campaigns/41')).text;
    expect(page).toMatch(/đã huỷ đăng ký trước khi gửi <span data-field="optedOut">1<\/span>/);
    expect(page).toContain('Gửi lại tin lỗi');
    const res = await c.post('/admin/campaigns/41/retry-failed', {});
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.headers.get('location') ?? '')).toContain('Đã xếp lại 2 tin lỗi để gửi lại.');
    const rows = db.prepare(`SELECT status, COUNT(*) AS n FROM deliveries WHERE campaign_id = 41 GROUP BY status ORDER BY status`).all();
    expect(rows).toEqual([
      { status: 'opted_out', n: 1 },
      { status: 'pending', n: 2 },
      { status: 'sent', n: 2 },
    ]);
  });
});
