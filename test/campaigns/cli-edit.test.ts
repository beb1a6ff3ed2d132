/**
 * `loa campaign edit` and `reject --reason`, as a broadcaster and an approver who have never seen
 * Loa use them: the refusal's reason reaches the author, the fix is made in place, and an edit
 * after approval says that a new approval is needed (and gets one only from another person).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as campaignCli } from '../../src/cli/campaign.js';
import { getCampaign } from '../../src/db/campaigns.js';
import { openDb, type Db } from '../../src/db/index.js';
import { createUser } from '../../src/db/users.js';

let db: Db;
let out: string[];
let errs: string[];
const NOW = new Date('2026-11-24T01:00:00Z');

beforeEach(() => {
  db = openDb(':memory:');
  createUser(db, { username: 'lan', roles: ['broadcaster'] });
  createUser(db, { username: 'minh', roles: ['approver'] });
  out = [];
  errs = [];
});
afterEach(() => db.close());

const cli = (...args: string[]) =>
  campaignCli(args, { db, contentDir: 'content', regionsRoot: 'hung-yen', out: (s) => out.push(s), err: (s) => errs.push(s), now: () => NOW, interactive: false, osUser: 'van-hanh' });

describe('loa campaign edit / reject', () => {
  it('a refused campaign is fixed in place and approved', async () => {
    expect(await cli('create', '--as', 'lan', '--text', 'Họp dân ngày 12/12 tại nhà văn hoá', '--channels', 'telegram', '--json')).toBe(0);
    const id = String(JSON.parse(out.at(-1)!).id);
    expect(await cli('submit', id, '--as', 'lan')).toBe(0);
    expect(await cli('reject', id, '--as', 'minh')).toBe(1);
    expect(errs.at(-1)).toMatch(/lý do.*--reason/);
    expect(await cli('reject', id, '--as', 'minh', '--reason', 'Sai ngày, là 13/12')).toBe(0);
    out = [];
    expect(await cli('preview', id)).toBe(0);
    expect(out.join('\n')).toContain('Bị trả lại bởi minh');
    expect(out.join('\n')).toContain('Sai ngày, là 13/12');
    expect(out.join('\n')).toContain(`loa campaign edit ${id}`);
    expect(await cli('edit', id, '--as', 'lan')).toBe(2);
    expect(errs.at(-1)).toContain('cho biết cần sửa gì');
    out = [];
    expect(await cli('edit', id, '--as', 'lan', '--text', 'Họp dân ngày 13/12 tại nhà văn hoá')).toBe(0);
    expect(out.join('\n')).toContain(`loa campaign submit ${id} --as lan`);
    expect(getCampaign(db, Number(id))).toMatchObject({ status: 'draft', text: 'Họp dân ngày 13/12 tại nhà văn hoá' });
    expect(await cli('submit', id, '--as', 'lan')).toBe(0);
    expect(await cli('approve', id, '--as', 'minh')).toBe(0);
  });

  it('an edit after approval says a new approval is needed', async () => {
    await cli('create', '--as', 'lan', '--text', 'Tuần lễ quyền trẻ em', '--channels', 'telegram', '--json');
    const id = String(JSON.parse(out.at(-1)!).id);
    await cli('submit', id, '--as', 'lan');
    await cli('approve', id, '--as', 'minh');
    out = [];
    expect(await cli('edit', id, '--as', 'lan', '--title', 'Thông báo')).toBe(0);
    expect(out.join('\n')).toContain("Chiến dịch đang 'đã duyệt' nên sau khi sửa phải duyệt lại (lịch gửi cũng bỏ)");
    expect(out.join('\n')).not.toContain('đã đã');
    expect(getCampaign(db, Number(id))).toMatchObject({ status: 'draft', title: 'Thông báo', approver: null });
    expect(await cli('schedule', id, '--as', 'lan')).toBe(1);
  });
});
