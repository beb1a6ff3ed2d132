/**
 * What staff see of a retired entry. In the trial its page read "Đã gỡ · duyệt bởi lan ngày
 * 07/12/2026": the last review kept in the file, not who retired it, and nothing said what
 * retiring did or how to bring it back. The page now names who retired it and when, says the
 * bot no longer answers with it, and how to use it again (edit, then approval), which works.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const QA = {
  id: 'kham-thai-nghi-may-lan',
  question: 'Đi khám thai có được nghỉ hưởng bảo hiểm không?',
  answer: 'Theo Điều 51 Luật Bảo hiểm xã hội 2024, lao động nữ được nghỉ đi khám thai 05 lần, mỗi lần 01 ngày.',
  topics: 'bao-hiem-y-te',
  sources: 'Luật Bảo hiểm xã hội 2024 | Điều 51',
};

describe('a retired entry', { timeout: 120_000 }, () => {
  it('names who retired it and when, and says how to use it again', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['editor']);
    addUser(t.app, 'lan', ['approver']);
    addUser(t.app, 'minh', ['approver']);
    const hoa = new AdminClient(t.url);
    expect((await hoa.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    const lan = new AdminClient(t.url);
    expect((await lan.login('lan', 'lan-mat-khau-1')).status).toBe(303);
    const minh = new AdminClient(t.url);
    expect((await minh.login('minh', 'minh-mat-khau-1')).status).toBe(303);

    expect((await hoa.post('/admin/content/qa/new', QA)).status).toBe(303);
    expect((await lan.post(`/admin/content/qa/${QA.id}/approve`)).status).toBe(303);
    expect((await minh.post(`/admin/content/qa/${QA.id}/retire`)).status).toBe(303);
    expect(t.app.knowledge.getQa(QA.id)?.status).not.toBe('approved');

    const page = (await hoa.get(`/admin/content/qa/${QA.id}`)).text;
    expect(page).toMatch(/Đã gỡ<\/span>\s*· gỡ bởi minh lúc \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/);
    expect(page).not.toContain('duyệt bởi lan');
    expect(page).toContain('Bot không trả lời bằng mục này nữa');
    expect(page).toContain('Muốn dùng lại: sửa và lưu (mục thành bản nháp), rồi nhờ người có quyền phê duyệt duyệt lại.');

    // As the page says: saved again it is a draft, approved it answers again.
    expect((await hoa.post(`/admin/content/qa/${QA.id}`, QA)).status).toBe(303);
    expect(readFileSync(join(t.contentDir, 'qa', 'bao-hiem-y-te', `${QA.id}.md`), 'utf8')).toMatch(/^status: draft$/m);
    expect((await lan.post(`/admin/content/qa/${QA.id}/approve`)).status).toBe(303);
    expect(t.app.knowledge.getQa(QA.id)?.status).toBe('approved');
  });
});
