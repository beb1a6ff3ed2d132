/**
 * The author of a campaign is not offered the approve button, and a refusal (the author posting
 * the approval anyway) is a styled page with a way back, not plain text (issue 16, item 5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { listCampaigns } from '../../src/db/campaigns.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let author: AdminClient;
let other: AdminClient;
let id: number;

beforeAll(async () => {
  t = await startAdminApp();
  author = new AdminClient(t.url);
  other = new AdminClient(t.url);
  await author.login('soan', addUser(t.app, 'soan', ['broadcaster', 'approver']));
  await other.login('duyet', addUser(t.app, 'duyet', ['approver']));
  expect((await author.post('/admin/campaigns/new', { text: 'Lịch tiêm chủng tháng 12', channels: 'telegram', action: 'submit' })).status).toBe(303);
  id = listCampaigns(t.app.db)[0]!.id;
  expect(listCampaigns(t.app.db)[0]!.status).toBe('submitted');
});
afterAll(async () => t?.close());

describe('approving one’s own campaign', () => {
  it('the author sees no approve button, and why; another approver does', async () => {
    const mine = await author.get(`/admin/campaigns/${id}`);
    expect(mine.text).not.toContain(`action="/admin/campaigns/${id}/approve"`);
    expect(mine.text).toContain('không tự phê duyệt được');
    const theirs = await other.get(`/admin/campaigns/${id}`);
    expect(theirs.text).toContain(`action="/admin/campaigns/${id}/approve"`);
  });

  it('posting it anyway gives a styled page with the reason and a way back', async () => {
    const r = await author.request('POST', `/admin/campaigns/${id}/approve`, { _csrf: author.csrf }, { referer: `${t.url}/admin/campaigns/${id}` });
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.text).toContain('<link rel="stylesheet" href="/admin/assets/admin.css">');
    expect(r.text).toContain('người soạn (soan) không được tự duyệt');
    expect(r.text).toContain(`<a class="button" href="/admin/campaigns/${id}">← Quay lại</a>`);
  });

  it('another approver approves, and is told that nothing has gone yet and who sends it', async () => {
    const r = await other.post(`/admin/campaigns/${id}/approve`);
    expect(r.status).toBe(303);
    // Trial: "Đã phê duyệt." and a page with no button for an approver-only account; the author
    // thought it had gone out.
    expect(decodeURIComponent(r.location ?? '')).toContain('Đã phê duyệt. Tin chưa đi: bước tiếp theo là “Lên lịch gửi”');
    expect((await author.get(`/admin/campaigns/${id}`)).text).toContain('Chưa gửi tin nào: tin đi sau khi lên lịch.');
  });
});
