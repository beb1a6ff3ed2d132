/**
 * A commune account links a correction campaign to its own case only: another commune's
 * campaign number is refused as if it did not exist (the case page would then show that
 * campaign's id and status), while one of its own region is linked (ATK3 finding, session 16).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { getCase, recordReport, setCaseStatus } from '../../src/db/disinfo.js';
import { upsertPerson } from '../../src/db/people.js';
import { insertCampaign } from '../../src/db/campaigns.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let ward: AdminClient;
let caseId = 0;

beforeAll(async () => {
  t = await startAdminApp();
  const p = upsertPerson(t.app.db, 'telegram', '880001').id;
  ({ caseId } = recordReport(t.app.db, { personId: p, channel: 'telegram', region: 'pho-hien', text: 'https://facebook.com/tin-gia/phuong', topic: 'khac', platform: 'facebook' }));
  setCaseStatus(t.app.db, caseId, { status: 'confirmed_false', actor: 'hoa', evidence: 'Công văn 12/UBND' });
  ward = new AdminClient(t.url);
  expect((await ward.login('pho-hien-bt', addUser(t.app, 'pho-hien-bt', ['editor'], 'pho-hien'))).status).toBe(303);
});
afterAll(async () => {
  await t?.close();
});

describe('linking a correction campaign from a case', () => {
  const approvedQa = () => t.app.knowledge.state.qa.find((q) => q.status === 'approved')!.id;

  it("refuses another commune's campaign as unknown and links nothing", async () => {
    const elsewhere = insertCampaign(t.app.db, { text: 'Tin của phường Sơn Nam', channels: ['telegram'], regions: ['son-nam'], author: 'son-nam-bt' });
    const res = await ward.post(`/admin/disinfo/${caseId}/correction`, { correctionId: approvedQa(), campaignId: String(elsewhere) });
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.location!)).toContain(`Không có chiến dịch số ${elsewhere} trong địa bàn của bạn`);
    expect(getCase(t.app.db, caseId)!.correctionCampaignId).toBeNull();
    expect((await ward.get(`/admin/disinfo/${caseId}`)).text).not.toContain(`/admin/campaigns/${elsewhere}`);
  });

  it('links a campaign of its own region', async () => {
    const own = insertCampaign(t.app.db, { text: 'Tin của phường Phố Hiến', channels: ['telegram'], regions: ['pho-hien'], author: 'pho-hien-bt' });
    const res = await ward.post(`/admin/disinfo/${caseId}/correction`, { correctionId: approvedQa(), campaignId: String(own) });
    expect(decodeURIComponent(res.location!)).toContain('Đã gắn tin đính chính');
    expect(getCase(t.app.db, caseId)!.correctionCampaignId).toBe(own);
  });
});
