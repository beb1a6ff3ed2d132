/**
 * The admin pages as a broadcaster and an approver meet them: a refusal carries a reason that
 * the author reads on the campaign's page, the campaign is edited in place (Sửa), an edit after
 * approval warns and sends it back for a new approval, and the page's history reads in
 * Vietnamese (not 'campaign.submit').
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { getCampaign, listCampaigns } from '../../src/db/campaigns.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let lan: AdminClient;
let minh: AdminClient;

beforeAll(async () => {
  t = await startAdminApp();
  lan = new AdminClient(t.url);
  minh = new AdminClient(t.url);
  await lan.login('lan', addUser(t.app, 'lan', ['broadcaster']));
  await minh.login('minh', addUser(t.app, 'minh', ['approver']));
});
afterAll(async () => t?.close());

describe('refuse, fix, approve, edit again in the admin pages', () => {
  it('goes round the whole loop', async () => {
    expect((await lan.post('/admin/campaigns/new', { title: 'Họp dân', text: 'Họp dân ngày 12/12 tại nhà văn hoá thôn.', channels: 'telegram', action: 'submit' })).status).toBe(303);
    const id = listCampaigns(t.app.db)[0]!.id;

    // The approver's page asks for a reason; a refusal without one is explained, not done.
    const page = await minh.get(`/admin/campaigns/${id}`);
    expect(page.text).toContain('name="reason"');
    const bare = await minh.post(`/admin/campaigns/${id}/reject`, {});
    expect(bare.status).toBe(409);
    expect(bare.text).toContain('lý do trả lại');
    expect((await minh.post(`/admin/campaigns/${id}/reject`, { reason: 'Sai ngày: họp ngày 13/12' })).status).toBe(303);

    // The author reads why, and edits.
    const mine = await lan.get(`/admin/campaigns/${id}`);
    expect(mine.text).toContain('Bị trả lại bởi minh');
    expect(mine.text).toContain('Sai ngày: họp ngày 13/12');
    expect(mine.text).toContain(`href="/admin/campaigns/${id}/edit"`);
    expect(mine.text).toContain('Trả lại chiến dịch cho người soạn');
    expect(mine.text).not.toMatch(/· campaign\.[a-z]/);
    const form = await lan.get(`/admin/campaigns/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`action="/admin/campaigns/${id}/edit"`);
    expect(form.text).toContain('Họp dân ngày 12/12');
    const saved = await lan.post(`/admin/campaigns/${id}/edit`, { title: 'Họp dân', text: 'Họp dân ngày 13/12 tại nhà văn hoá thôn.', channels: 'telegram', action: 'submit' });
    expect(saved.status).toBe(303);
    expect(getCampaign(t.app.db, id)).toMatchObject({ status: 'submitted', text: 'Họp dân ngày 13/12 tại nhà văn hoá thôn.' });
    expect((await minh.post(`/admin/campaigns/${id}/approve`)).status).toBe(303);

    // After approval: the edit page warns, and saving sends it back for approval.
    const again = await lan.get(`/admin/campaigns/${id}/edit`);
    expect(again.text).toContain('phải được một người khác phê duyệt lại');
    expect((await lan.post(`/admin/campaigns/${id}/edit`, { title: 'Họp dân', text: 'Họp dân ngày 13/12, 8 giờ, tại nhà văn hoá thôn.', channels: 'telegram', action: 'save' })).status).toBe(303);
    expect(getCampaign(t.app.db, id)).toMatchObject({ status: 'draft', approver: null });
    const history = await lan.get(`/admin/campaigns/${id}`);
    expect(history.text).toContain('Sửa chiến dịch');
    expect(history.text).toContain('Phải duyệt lại: có');
  });

  it('a bad edit keeps the form and says why', async () => {
    await lan.post('/admin/campaigns/new', { text: 'Tuần lễ quyền trẻ em.', channels: 'telegram', action: 'save' });
    const id = listCampaigns(t.app.db)[0]!.id;
    const r = await lan.post(`/admin/campaigns/${id}/edit`, { text: 'Tuần lễ quyền trẻ em, đã sửa.', channels: [], action: 'save' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('chọn ít nhất một kênh');
    expect(r.text).toContain('Tuần lễ quyền trẻ em, đã sửa.');
    expect(getCampaign(t.app.db, id)!.text).toBe('Tuần lễ quyền trẻ em.');
  });
});

describe('what the pages show after a cancellation and a scheduled time', () => {
  it('a campaign cancelled midway reads as sent/cancelled, not 603/603; its time in Vietnam time', async () => {
    const { createCampaignService } = await import('../../src/campaigns/service.js');
    const { startSending, claimDelivery, recordDelivery } = await import('../../src/db/campaigns.js');
    const { addSubscriber } = await import('./helpers.js');
    const db = t.app.db;
    const svc = createCampaignService({ db, regions: () => ({ regions: t.app.knowledge.state.regions, root: t.app.config.bot.regions_root }), topics: () => [] });
    const c = svc.create('lan', { text: 'Cắt điện ngày 15/12 từ 7 giờ đến 11 giờ.', channels: ['telegram'] });
    svc.submit('lan', c.id);
    svc.approve('minh', c.id);
    svc.schedule('lan', c.id, new Date('2026-12-07T16:30:00Z'));
    const page = await lan.get(`/admin/campaigns/${c.id}`);
    expect(page.text).toContain('Gửi lúc: 07/12/2026 23:30 (giờ Việt Nam)');
    expect(page.text).not.toContain('2026-12-07T16:30:00.000Z');
    db.prepare("UPDATE campaigns SET send_at = NULL WHERE id = ?").run(c.id);
    const people = ['9001', '9002', '9003'].map((id) => addSubscriber(db, { id }));
    startSending(db, c.id, people.map((personId, i) => ({ personId, channel: 'telegram' as const, recipient: `900${i + 1}` })), new Date());
    const [first] = db.prepare('SELECT id FROM deliveries WHERE campaign_id = ? ORDER BY id').all(c.id) as { id: number }[];
    expect(claimDelivery(db, first!.id, {}, new Date()).kind).toBe('claimed');
    recordDelivery(db, first!.id, { status: 'sent', messageId: '1' }, new Date());
    svc.cancel('minh', c.id);
    // A campaign that finished says in its history how many were sent, not only how many were targeted.
    const { recordAudit } = await import('../../src/db/audit.js');
    recordAudit(db, { actor: 'system', action: 'campaign.done', targetType: 'campaign', targetId: c.id, details: { targeted: 3, sent: 1, gone: 0, outsideWindow: 2, unknown: 0 } });
    const list = await lan.get('/admin/campaigns');
    expect(list.text).toContain('đã gửi 1/3, huỷ 2');
    const one = await lan.get(`/admin/campaigns/${c.id}`);
    expect(one.text).toMatch(/không gửi vì đã huỷ <span data-field="cancelled">2<\/span>/);
    expect(one.text).toContain('hệ thống · Chiến dịch gửi xong <span class="muted">(Số người nhận: 3; Đã gửi: 1; Ngoài 7 ngày (Zalo): 2)</span>');
  });
});

describe('the page of a campaign held by a retry wait', () => {
  it('shows why, and live.json carries the reason so it appears and goes without a reload', async () => {
    const { createCampaignService } = await import('../../src/campaigns/service.js');
    const { startSending, claimDelivery, recordDelivery } = await import('../../src/db/campaigns.js');
    const { addSubscriber } = await import('./helpers.js');
    const db = t.app.db;
    const svc = createCampaignService({ db, regions: () => ({ regions: t.app.knowledge.state.regions, root: t.app.config.bot.regions_root }), topics: () => [] });
    const c = svc.create('lan', { text: 'Tiêm chủng mở rộng ngày 20/12.', channels: ['telegram'] });
    svc.submit('lan', c.id);
    svc.approve('minh', c.id);
    svc.schedule('lan', c.id);
    const people = ['9101', '9102'].map((id) => addSubscriber(db, { id }));
    startSending(db, c.id, people.map((personId, i) => ({ personId, channel: 'telegram' as const, recipient: `910${i + 1}` })), new Date());
    const [row] = db.prepare('SELECT id FROM deliveries WHERE campaign_id = ? ORDER BY id').all(c.id) as { id: number }[];
    claimDelivery(db, row!.id, {}, new Date());
    recordDelivery(db, row!.id, { status: 'retry', retryAt: new Date(Date.now() + 600_000), reason: 'Too Many Requests: retry after 600' }, new Date());
    const page = await lan.get(`/admin/campaigns/${c.id}`);
    expect(page.text).toMatch(/data-waiting data-field="waitingText">[^<]*Telegram: 1 tin chờ thử lại đến/);
    const live = JSON.parse((await lan.request('GET', `/admin/campaigns/${c.id}/live.json`, undefined, { accept: 'application/json' })).text) as { waitingText: string };
    expect(live.waitingText).toContain('Telegram báo gửi quá nhanh nên cả kênh tạm chờ');
    db.prepare('UPDATE deliveries SET next_attempt_at = NULL WHERE id = ?').run(row!.id);
    const after = JSON.parse((await lan.request('GET', `/admin/campaigns/${c.id}/live.json`, undefined, { accept: 'application/json' })).text) as { waitingText: string };
    expect(after.waitingText).not.toContain('chờ thử lại');
  });
});
