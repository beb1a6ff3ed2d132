/**
 * A draft that was never approved, then edited in the raw editor ("Sửa trực tiếp tệp"), has a
 * pending change but no approved version. In the trial its page told the approver "Bot vẫn dùng
 * bản đã duyệt cho đến khi thay đổi này được phê duyệt": the bot served nothing. The pages now
 * say the entry is not served yet and will be once the change is approved; an approved entry
 * keeps its sentence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const QA = {
  id: 'say-thai-nghi-may-ngay',
  question: 'Sảy thai có được hưởng chế độ thai sản không?',
  answer: 'Theo Điều 52 Luật Bảo hiểm xã hội 2024, lao động nữ sảy thai được nghỉ theo chỉ định của bác sĩ, tối đa 10 đến 40 ngày.',
  topics: 'bao-hiem-y-te',
  sources: 'Luật Bảo hiểm xã hội 2024 | Điều 52',
};
const APPROVED_SAYS = 'Bot vẫn dùng bản đã duyệt';

async function as(url: string, name: string): Promise<AdminClient> {
  const c = new AdminClient(url);
  expect((await c.login(name, `${name}-mat-khau-1`)).status).toBe(303);
  return c;
}

describe('a draft with a change waiting', { timeout: 120_000 }, () => {
  it('is said to be not served yet, on its page, its form, its raw editor and in the audit', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['editor']);
    addUser(t.app, 'lan', ['approver']);
    const hoa = await as(t.url, 'hoa');
    const lan = await as(t.url, 'lan');
    expect((await hoa.post('/admin/content/qa/new', QA)).status).toBe(303);
    const raw = await hoa.get(`/admin/content/qa/${QA.id}/file`);
    const text = raw.text.match(/<textarea name="text"[^>]*>\n?([\s\S]*?)<\/textarea>/)![1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const saved = await hoa.post(`/admin/content/qa/${QA.id}/file`, { text: text.replace('status: draft', 'status: draft\nexpires: 31/12/2027') });
    expect(saved.status).toBe(303);
    expect(t.app.knowledge.getQa(QA.id)?.status).not.toBe('approved');

    for (const page of [await lan.get(`/admin/content/qa/${QA.id}`), await hoa.get(`/admin/content/qa/${QA.id}`), await lan.get(`/admin/content/qa/${QA.id}/file`)]) {
      expect(page.status).toBe(200);
      expect(page.text).toContain('Chờ duyệt');
      expect(page.text).not.toContain(APPROVED_SAYS);
      expect(page.text).toContain('chưa được duyệt');
    }
    // Continuing the change in the form: the message after saving says the same.
    const again = await hoa.post(`/admin/content/qa/${QA.id}`, { ...QA, expires: '31/12/2027' });
    expect(again.status).toBe(303);
    expect(decodeURIComponent(again.location!)).toContain('Mục này chưa được duyệt nên bot chưa dùng');
    const audit = await lan.get('/admin/audit');
    expect(audit.text).toContain('bot chưa dùng mục này');

    // Approved, then changed: the approved version keeps serving and the page says so.
    expect((await lan.post(`/admin/content/qa/${QA.id}/approve`)).status).toBe(303);
    expect(t.app.knowledge.getQa(QA.id)?.status).toBe('approved');
    expect((await hoa.post(`/admin/content/qa/${QA.id}`, { ...QA, answer: `${QA.answer} Sửa lại.` })).status).toBe(303);
    const live = await lan.get(`/admin/content/qa/${QA.id}`);
    expect(live.text).toContain(APPROVED_SAYS);
    expect(live.text).not.toContain('chưa được duyệt');
  });
});
