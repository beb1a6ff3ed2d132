/**
 * A confirmed case becomes a correction (issue 17, item 1), over HTTP as staff do it: from the
 * case page an editor starts a Q&A ("Thông tin chính xác về …", prefilled from the case), saves
 * it and it is linked to the case; another person approves it; a correction campaign started
 * from the case carries the approved answer and links itself too. The case page shows both
 * links and their status. A case not found false, or of another region, links nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { getCase, recordReport, setCaseStatus } from '../../src/db/disinfo.js';
import { upsertPerson } from '../../src/db/people.js';
import { listAudit } from '../../src/db/audit.js';
import { listCampaigns } from '../../src/db/campaigns.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let editor: AdminClient;
let caseId = 0;
let number = '';

const location = (res: { location: string | null }) => decodeURIComponent(res.location ?? '');

beforeAll(async () => {
  t = await startAdminApp();
  const db = t.app.db;
  const p = upsertPerson(db, 'telegram', '990001').id;
  ({ caseId, number } = recordReport(db, { personId: p, channel: 'telegram', region: 'pho-hien', text: 'https://facebook.com/tin-gia/bhyt', topic: 'bao-hiem-y-te', platform: 'facebook' }));
  setCaseStatus(db, caseId, { status: 'confirmed_false', actor: 'hoa', evidence: 'Công văn 45/BHXH' });
  const pw = addUser(t.app, 'bien-tap-phat-tin', ['editor', 'broadcaster']);
  editor = new AdminClient(t.url);
  expect((await editor.login('bien-tap-phat-tin', pw)).status).toBe(303);
});
afterAll(async () => {
  await t?.close();
});

describe('a confirmed case becomes a correction', () => {
  let qaId = '';

  it('the case page offers to write a Q&A, an article or a campaign from the case', async () => {
    const page = await editor.get(`/admin/disinfo/${caseId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/admin/content/qa/new?vuviec=${caseId}"`);
    expect(page.text).toContain(`href="/admin/content/article/new?vuviec=${caseId}"`);
    expect(page.text).toContain(`href="/admin/campaigns/new?vuviec=${caseId}"`);
    expect(page.text).not.toContain('data-correction');
  });

  // Saving or approving content reloads the search index: allow for a loaded machine.
  it('the new Q&A is prefilled from the case, and saving it links the draft to the case', { timeout: 90_000 }, async () => {
    const form = await editor.get(`/admin/content/qa/new?vuviec=${caseId}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Thông tin chính xác về bảo hiểm y tế"');
    expect(form.text).toMatch(/name="topics" value="bao-hiem-y-te" checked/);
    expect(form.text).toContain(`name="vuviec" value="${caseId}"`);

    const saved = await editor.post('/admin/content/qa/new', {
      vuviec: String(caseId),
      question: 'Thông tin chính xác về thẻ bảo hiểm y tế hết hạn từ tháng sau',
      answer: 'Thẻ bảo hiểm y tế vẫn có giá trị đến hết hạn ghi trên thẻ. Tin “mọi thẻ hết hạn từ tháng sau” là sai.',
      topics: 'bao-hiem-y-te',
      sources: 'Công văn 45/BHXH',
    });
    expect(saved.status).toBe(303);
    expect(location(saved)).toContain(`Đã gắn với vụ việc ${number}.`);
    qaId = saved.location!.split('?')[0]!.split('/').at(-1)!;
    expect(getCase(t.app.db, caseId)!.correctionId).toBe(qaId);
    const page = await editor.get(`/admin/disinfo/${caseId}`);
    expect(page.text).toContain(`<a href="/admin/content/qa/${qaId}">hỏi đáp “${qaId}”</a> (bản nháp, chờ phê duyệt)`);
  });

  it('once another person approves it, the case shows it approved, and a campaign from the case carries its answer and links itself', { timeout: 90_000 }, async () => {
    const pw = addUser(t.app, 'duyet', ['approver']);
    const approver = new AdminClient(t.url);
    expect((await approver.login('duyet', pw)).status).toBe(303);
    await approver.get(`/admin/content/qa/${qaId}`);
    expect((await approver.post(`/admin/content/qa/${qaId}/approve`)).status).toBe(303);
    expect((await editor.get(`/admin/disinfo/${caseId}`)).text).toContain(`hỏi đáp “${qaId}”</a> (đã duyệt, bot đang dùng)`);

    const compose = await editor.get(`/admin/campaigns/new?vuviec=${caseId}`);
    expect(compose.status).toBe(200);
    expect(compose.text).toContain('Thẻ bảo hiểm y tế vẫn có giá trị đến hết hạn ghi trên thẻ.');
    expect(compose.text).toContain(`name="vuviec" value="${caseId}"`);
    const created = await editor.post('/admin/campaigns/new', {
      vuviec: String(caseId),
      title: 'Thông tin chính xác về thẻ bảo hiểm y tế',
      text: 'Thẻ bảo hiểm y tế vẫn có giá trị đến hết hạn ghi trên thẻ.',
      channels: 'telegram',
      topics: 'bao-hiem-y-te',
      action: 'save',
    });
    expect(created.status).toBe(303);
    expect(location(created)).toContain(`Đã gắn với vụ việc ${number}.`);
    const campaign = listCampaigns(t.app.db).at(-1)!;
    expect(getCase(t.app.db, caseId)).toMatchObject({ correctionId: qaId, correctionCampaignId: campaign.id });
    const page = await editor.get(`/admin/disinfo/${caseId}`);
    expect(page.text).toContain(`chiến dịch <a href="/admin/campaigns/${campaign.id}">số ${campaign.id}</a> (bản nháp)`);
    expect(page.text).toContain(`hỏi đáp “${qaId}”`);

    const audit = listAudit(t.app.db, { action: 'disinfo.correction' }).reverse();
    expect(audit.map((a) => [a.actor, a.targetId, a.details])).toEqual([
      ['bien-tap-phat-tin', number, { correctionId: qaId, campaignId: null }],
      ['bien-tap-phat-tin', number, { correctionId: qaId, campaignId: campaign.id }],
    ]);
  });

  it('a case not found false, or of another region, links nothing and is not prefilled', { timeout: 90_000 }, async () => {
    const db = t.app.db;
    const p = upsertPerson(db, 'telegram', '990002').id;
    const open = recordReport(db, { personId: p, channel: 'telegram', region: 'pho-hien', text: 'https://a.vn/chua-xac-minh', topic: 'khac', platform: 'website' });
    expect((await editor.get(`/admin/disinfo/${open.caseId}`)).text).not.toContain('Soạn hỏi đáp đính chính');
    const form = await editor.get(`/admin/content/qa/new?vuviec=${open.caseId}`);
    expect(form.text).not.toContain('name="vuviec"');
    const saved = await editor.post('/admin/content/qa/new', { vuviec: String(open.caseId), question: 'Một câu hỏi khác về hộ tịch', answer: 'Trả lời về hộ tịch.', topics: 'ho-tich', sources: 'Luật Hộ tịch 2014' });
    expect(saved.status).toBe(303);
    expect(location(saved)).not.toContain('Đã gắn');
    expect(getCase(db, open.caseId)!.correctionId).toBeNull();

    // A ward editor of Sơn Nam cannot start or link a correction of a Phố Hiến case.
    const pw = addUser(t.app, 'bien-tap-son-nam', ['editor'], 'son-nam');
    const ward = new AdminClient(t.url);
    expect((await ward.login('bien-tap-son-nam', pw)).status).toBe(303);
    expect((await ward.get(`/admin/content/qa/new?vuviec=${caseId}`)).text).not.toContain('name="vuviec"');
    const other = await ward.post('/admin/content/qa/new', { vuviec: String(caseId), question: 'Thông tin chính xác về tin đồn ở Sơn Nam', answer: 'Trả lời về tin đồn.', topics: 'ho-tich', regions: 'son-nam', sources: 'UBND phường' });
    expect(other.status).toBe(303);
    expect(getCase(db, caseId)!.correctionId).toBe(qaId);
  });
});
