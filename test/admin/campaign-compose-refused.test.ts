/**
 * "Lưu và gửi phê duyệt" with a text over a platform's limit (CAMP2's staff trial): the draft is
 * saved but cannot be submitted. The form that comes back is that draft's edit form, saying so,
 * so the corrected text is submitted on the same campaign, not as a second copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { listCampaigns } from '../../src/db/campaigns.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let lan: AdminClient;
beforeAll(async () => {
  t = await startAdminApp();
  lan = new AdminClient(t.url);
  await lan.login('lan', addUser(t.app, 'lan', ['broadcaster']));
});
afterAll(async () => t?.close());

describe('submitting a campaign whose text is too long', () => {
  it('keeps one draft: the refusal comes back on its edit form, and the corrected text is submitted on it', async () => {
    const form = { title: 'Lịch tiếp công dân', text: 'Lịch tiếp công dân tháng 12. '.repeat(200), channels: 'telegram', sendAt: '' };
    const refused = await lan.post('/admin/campaigns/new', { ...form, action: 'submit' });
    expect(refused.status).toBe(400);
    const [draft] = listCampaigns(t.app.db);
    expect(draft?.status).toBe('draft');
    expect(refused.text).toContain(`Đã lưu bản nháp #${draft!.id} nhưng chưa gửi phê duyệt được: nội dung chưa hợp lệ: Telegram: tin dài`);
    expect(refused.text).toContain(`action="/admin/campaigns/${draft!.id}/edit"`);
    const fixed = await lan.post(`/admin/campaigns/${draft!.id}/edit`, { ...form, text: 'Lịch tiếp công dân tháng 12: thứ Hai và thứ Năm.', action: 'submit' });
    expect(fixed.status).toBe(303);
    expect(listCampaigns(t.app.db).map((c) => [c.id, c.status])).toEqual([[draft!.id, 'submitted']]);
  });
});
