import { describe, expect, it } from 'vitest';
import { createCampaignService, CampaignError } from '../../src/campaigns/service.js';
import { listAudit } from '../../src/db/audit.js';
import { createUser } from '../../src/db/users.js';
import { addSubscriber, storeWithStaff, topics, tree } from './helpers.js';
import type { Db } from '../../src/db/index.js';

const service = (db: Db) => createCampaignService({ db, regions: () => ({ regions: tree, root: 'hung-yen' }), topics: () => topics });
const text = 'Tuần lễ tuyên truyền về quyền trẻ em: mời bà con tham dự buổi nói chuyện tại nhà văn hoá.';

describe('campaign lifecycle', () => {
  it('goes draft → submitted → approved → scheduled, and records every action in the audit log', () => {
    const db = storeWithStaff();
    addSubscriber(db, { id: '1' });
    addSubscriber(db, { id: '2', channel: 'zalo' });
    const s = service(db);
    const c = s.create('lan', { text, channels: ['telegram', 'zalo'], topics: ['quyen-tre-em'] });
    expect(c.status).toBe('draft');
    expect(s.submit('lan', c.id).status).toBe('submitted');
    const approved = s.approve('minh', c.id);
    expect(approved).toMatchObject({ status: 'approved', approver: 'minh', audienceAtApproval: 2 });
    expect(s.schedule('hoa', c.id).status).toBe('scheduled');
    expect(s.pause('hoa', c.id).status).toBe('paused');
    expect(s.resume('hoa', c.id).status).toBe('scheduled');
    expect(s.cancel('hoa', c.id).status).toBe('cancelled');
    const actions = listAudit(db, { targetType: 'campaign', targetId: String(c.id) }).map((a) => `${a.actor}:${a.action}`).reverse();
    expect(actions).toEqual([
      'lan:campaign.create',
      'lan:campaign.submit',
      'minh:campaign.approve',
      'hoa:campaign.schedule',
      'hoa:campaign.pause',
      'hoa:campaign.resume',
      'hoa:campaign.cancel',
    ]);
  });

  it('enforces four-eyes: the author cannot approve their own campaign, even holding the approver role', () => {
    const db = storeWithStaff();
    const s = service(db);
    const c = s.create('hoa', { text, channels: ['telegram'] });
    s.submit('hoa', c.id);
    expect(() => s.approve('hoa', c.id)).toThrow(/không được tự duyệt/);
    // What to do instead: another approver, on the page or with the command.
    expect(() => s.approve('hoa', c.id)).toThrow(`nhờ một người khác có vai trò người duyệt (approver) duyệt chiến dịch #${c.id}`);
    expect(s.approve('minh', c.id).status).toBe('approved');
  });

  it('refuses unknown accounts and missing roles', () => {
    const db = storeWithStaff();
    const s = service(db);
    expect(() => s.create('nobody', { text, channels: ['telegram'] })).toThrow(/loa user add nobody/);
    expect(() => s.create('tuan', { text, channels: ['telegram'] })).toThrow(CampaignError);
    // Content editors write Q&A; composing a broadcast is the broadcaster's job (as in the admin pages).
    createUser(db, { username: 'bien-tap', roles: ['editor'] });
    expect(() => s.create('bien-tap', { text, channels: ['telegram'] })).toThrow(/broadcaster/);
    const c = s.create('lan', { text, channels: ['telegram'] });
    s.submit('lan', c.id);
    expect(() => s.approve('tuan', c.id)).toThrow(/approver/);
    expect(() => s.schedule('lan', c.id)).toThrow(CampaignError);
  });

  it('refuses a transition from the wrong state', () => {
    const db = storeWithStaff();
    const s = service(db);
    const c = s.create('lan', { text, channels: ['telegram'] });
    expect(() => s.approve('minh', c.id)).toThrow(/trạng thái 'nháp'.*loa campaign submit/);
    expect(() => s.schedule('hoa', c.id)).toThrow(CampaignError);
  });

  it('keeps a region-scoped account inside its region', () => {
    const db = storeWithStaff();
    const s = service(db);
    expect(() => s.create('xa', { text, channels: ['telegram'] })).toThrow(/pho-hien/);
    expect(() => s.create('xa', { text, channels: ['telegram'], regions: ['son-nam'] })).toThrow(/pho-hien/);
    expect(s.create('xa', { text, channels: ['telegram'], regions: ['khu-1'] }).status).toBe('draft');
  });

  it('validates content per channel before submission and approval', () => {
    const db = storeWithStaff();
    const s = service(db);
    const long = 'Quyền trẻ em. '.repeat(200); // 2800 characters: fine on Telegram, too long for Zalo
    const c = s.create('lan', { text: long, channels: ['telegram', 'zalo'] });
    expect(s.issues(c).filter((i) => i.severity === 'error').map((i) => i.channel)).toEqual(['zalo']);
    expect(() => s.submit('lan', c.id)).toThrow(/Zalo: tin dài/);
    const ok = s.create('lan', { text: long, channels: ['telegram'] });
    expect(s.submit('lan', ok.id).status).toBe('submitted');
    expect(() => s.create('lan', { text, channels: ['telegram'], links: [{ label: 'Xem', url: 'javascript:alert(1)' }] })).toThrow(/http/);
    expect(() => s.create('lan', { text, channels: ['telegram'], topics: ['khong-co'] })).toThrow(/khong-co/);
    expect(() => s.create('lan', { text, channels: ['telegram'], regions: ['sao-hoa'] })).toThrow(/sao-hoa/);
  });
});
