/**
 * A broadcaster fixes a campaign: after a refusal (the approver's reason reaches the author) and
 * after approval (the change needs a second approval, since what was approved is no longer what
 * would go out). Found running Loa as staff: there was no way to change a campaign at all, so a
 * refused draft could only be abandoned and retyped, and nothing stopped an approved text from
 * being changed by other means without a new approval.
 */
import { describe, expect, it } from 'vitest';
import { createCampaignService, CampaignError } from '../../src/campaigns/service.js';
import { listAudit } from '../../src/db/audit.js';
import { startSending } from '../../src/db/campaigns.js';
import { addSubscriber, storeWithStaff, topics, tree } from './helpers.js';
import type { Db } from '../../src/db/index.js';

const service = (db: Db) => createCampaignService({ db, regions: () => ({ regions: tree, root: 'hung-yen' }), topics: () => topics });
const text = 'Mời bà con dự buổi nói chuyện về quyền trẻ em lúc 8 giờ ngày 12/12 tại nhà văn hoá.';

describe('editing a campaign', () => {
  it('refused with a reason the author reads, fixed, then approved', () => {
    const db = storeWithStaff();
    const s = service(db);
    const c = s.create('lan', { text, channels: ['telegram'] });
    s.submit('lan', c.id);
    // A refusal without a reason leaves the author guessing: it is refused, saying what to do.
    expect(() => s.reject('minh', c.id)).toThrow(/lý do.*--reason/);
    expect(() => s.reject('minh', c.id, '   ')).toThrow(CampaignError);
    const back = s.reject('minh', c.id, 'Sai ngày: buổi nói chuyện là 13/12');
    expect(back.status).toBe('draft');
    expect(s.lastRejection(back)).toMatchObject({ by: 'minh', reason: 'Sai ngày: buổi nói chuyện là 13/12' });
    const fixed = s.edit('lan', c.id, { text: text.replace('12/12', '13/12') });
    expect(fixed).toMatchObject({ status: 'draft', text: text.replace('12/12', '13/12') });
    expect(s.lastRejection(fixed)).toBeUndefined();
    s.submit('lan', c.id);
    expect(s.approve('minh', c.id).status).toBe('approved');
  });

  it('an edit after approval sends the campaign back to draft and needs a new approval by someone else', () => {
    const db = storeWithStaff();
    addSubscriber(db, { id: '1' });
    const s = service(db);
    const c = s.create('lan', { text, channels: ['telegram'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    s.schedule('lan', c.id, new Date('2030-01-01T01:00:00Z'));
    const edited = s.edit('lan', c.id, { text: `${text} Xem https://hungyen.gov.vn/tin-tuc` });
    expect(edited).toMatchObject({ status: 'draft', approver: null, approvedAt: null, audienceAtApproval: null });
    // Cannot be scheduled on the old approval.
    expect(() => s.schedule('lan', c.id)).toThrow(/trạng thái 'nháp'.*loa campaign submit/);
    s.submit('lan', c.id);
    expect(() => s.approve('lan', c.id)).toThrow(CampaignError);
    expect(s.approve('minh', c.id).status).toBe('approved');
    const [entry] = listAudit(db, { action: 'campaign.edit', targetType: 'campaign', targetId: String(c.id) });
    expect(entry).toMatchObject({ actor: 'lan', details: { from: 'scheduled', to: 'draft', changed: ['nội dung'], approvalCleared: true, previousApprover: 'minh' } });
  });

  it('refuses an edit once sending has started, saying what to do instead', () => {
    const db = storeWithStaff();
    const p = addSubscriber(db, { id: '1' });
    const s = service(db);
    const c = s.create('lan', { text, channels: ['telegram'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    s.schedule('lan', c.id);
    startSending(db, c.id, [{ personId: p, channel: 'telegram', recipient: '1' }], new Date());
    expect(() => s.edit('lan', c.id, { text: 'khác' })).toThrow(/đã bắt đầu gửi.*huỷ/);
    s.pause('lan', c.id);
    expect(() => s.edit('lan', c.id, { text: 'khác' })).toThrow(/đã bắt đầu gửi/);
  });

  it('checks the edited audience and the editor like a new campaign', () => {
    const db = storeWithStaff();
    const s = service(db);
    const c = s.create('xa', { text, channels: ['telegram'], regions: ['khu-1'] });
    expect(() => s.edit('xa', c.id, { regions: ['son-nam'] })).toThrow(/pho-hien/);
    expect(() => s.edit('lan', c.id, { topics: ['khong-co'] })).toThrow(/không có chủ đề 'khong-co'/);
    expect(() => s.edit('minh', c.id, { text: 'x' })).toThrow(/broadcaster/);
    expect(() => s.edit('lan', c.id, { text: '' })).toThrow(CampaignError);
  });
});

describe('region scope on every action', () => {
  it('a commune officer cannot pause, cancel or refuse a campaign of another commune', () => {
    const db = storeWithStaff();
    const s = service(db);
    const c = s.create('hoa', { text, channels: ['telegram'], regions: ['son-nam'] });
    s.submit('hoa', c.id);
    expect(() => s.reject('xa', c.id, 'không')).toThrow(/pho-hien/);
    s.approve('minh', c.id);
    s.schedule('hoa', c.id, new Date('2030-01-01T01:00:00Z'));
    expect(() => s.pause('xa', c.id)).toThrow(/pho-hien/);
    expect(() => s.cancel('xa', c.id)).toThrow(/chiến dịch #\d+ gửi tới địa bàn son-nam, ngoài địa bàn 'pho-hien' của 'xa'; nhờ cán bộ phụ trách/);
    expect(s.cancel('hoa', c.id).status).toBe('cancelled');
  });
});

describe('refusals say what to do next, in Vietnamese', () => {
  it('names the action, the state and the next step (found: "không thể submit … \'submitted\' (cần: draft)")', () => {
    const db = storeWithStaff();
    const s = service(db);
    const c = s.create('lan', { text, channels: ['telegram'] });
    s.submit('lan', c.id);
    let message = '';
    try {
      s.submit('lan', c.id);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("không thể gửi duyệt chiến dịch #1 vì nó đang ở trạng thái 'chờ duyệt'");
    expect(message).toContain(`loa campaign approve ${c.id}`);
    expect(message).not.toMatch(/submit|submitted|draft/);
    expect(() => s.approve('lan', c.id)).toThrow(/không có quyền duyệt; cần .*người duyệt \(approver\)\. Nhờ quản trị viên/);
  });
});
