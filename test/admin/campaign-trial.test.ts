/**
 * The admin campaign pages after the office trial (issue 16, item 7): a cancelled campaign says
 * who cancelled it and when (not "gửi lúc …"), and the Telegram preview shows the title bold as
 * Telegram will, never raw `**`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { listCampaigns } from '../../src/db/campaigns.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let b: AdminClient;

beforeAll(async () => {
  t = await startAdminApp();
  addUser(t.app, 'gui', ['broadcaster']);
  b = new AdminClient(t.url);
  await b.login('gui', 'gui-mat-khau-1');
});
afterAll(async () => t?.close());

describe('campaign pages', () => {
  it('the compose preview and the campaign page show the Telegram title bold, not as **markup**', async () => {
    const preview = await b.post('/admin/campaigns/preview', { title: 'Thông báo <khẩn>', text: 'Ngày hội quyền trẻ em 1/6', channels: 'telegram' });
    expect(preview.text).not.toContain('**');
    expect(preview.text).toContain('<strong>Thông báo &lt;khẩn&gt;</strong>');
    expect((await b.post('/admin/campaigns/new', { title: 'Thông báo <khẩn>', text: 'Ngày hội quyền trẻ em 1/6', channels: 'telegram', action: 'save' })).status).toBe(303);
    const id = listCampaigns(t.app.db)[0]!.id;
    const page = await b.get(`/admin/campaigns/${id}`);
    expect(page.text).not.toContain('**');
    expect(page.text).toContain('<strong>Thông báo &lt;khẩn&gt;</strong>');
  });

  it('the compose preview and the campaign page the approver reads end with how to stop, per channel', async () => {
    const preview = await b.post('/admin/campaigns/preview', { text: 'Lịch tiếp công dân tháng 1', channels: ['telegram', 'zalo'] });
    expect(preview.text).toContain('│ Gõ /huy để thôi nhận tin.');
    expect(preview.text).toContain('│ Nhắn HUY để thôi nhận tin.');
    expect((await b.post('/admin/campaigns/new', { text: 'Lịch tiếp công dân tháng 1', channels: 'zalo', action: 'save' })).status).toBe(303);
    const id = listCampaigns(t.app.db).find((c) => c.text.startsWith('Lịch tiếp'))!.id;
    expect((await b.get(`/admin/campaigns/${id}`)).text).toContain('│ Nhắn HUY để thôi nhận tin.');
  });

  it('a cancelled campaign says who cancelled it and when, not when it would have been sent', async () => {
    expect((await b.post('/admin/campaigns/new', { text: 'Lịch tiêm chủng tháng 12', channels: 'telegram', sendAt: '20/12/2030 08:00', action: 'save' })).status).toBe(303);
    const id = listCampaigns(t.app.db).find((c) => c.text.startsWith('Lịch tiêm'))!.id;
    expect((await b.get(`/admin/campaigns/${id}`)).text).toContain('gửi lúc');
    expect((await b.post(`/admin/campaigns/${id}/cancel`)).status).toBe(303);
    const page = (await b.get(`/admin/campaigns/${id}`)).text;
    expect(page).not.toContain('gửi lúc');
    expect(page).toMatch(/đã huỷ bởi gui lúc \d/);
  });
});
