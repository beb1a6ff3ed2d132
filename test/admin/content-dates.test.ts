/**
 * Dates in the content forms are typed day first, as Vietnamese staff write them. The fields
 * were `<input type="date">`, whose typed order is the browser's language, not the page's: in
 * the headless Chromium (and a Chrome in English) typing 07/12/2026 into "Hết hạn" gave
 * 2026-07-12, an answer set to expire on 7 December expired on 12 July. They are now text
 * fields read by the content loader's date reader, shown back day first, written to the file
 * as YYYY-MM-DD.
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
  id: 'thai-san-het-han',
  question: 'Lao động nữ sinh con được nghỉ thai sản bao lâu?',
  answer: 'Theo khoản 1 Điều 53 Luật Bảo hiểm xã hội 2024, lao động nữ sinh con được nghỉ 06 tháng.',
  topics: 'bao-hiem-y-te',
  sources: 'Luật Bảo hiểm xã hội 2024 | Điều 53',
};

describe('content form dates', { timeout: 120_000 }, () => {
  it('reads 07/12/2026 as 7 December, writes it as 2026-12-07 and shows it back day first', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['editor']);
    const hoa = new AdminClient(t.url);
    expect((await hoa.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);

    const form = await hoa.get('/admin/content/qa/new');
    // A text field the browser does not reorder.
    expect(form.text).not.toMatch(/type="date"[^>]*name="expires"|name="expires"[^>]*type="date"/);
    expect(form.text).toContain('Hết hạn (ngày/tháng/năm, không bắt buộc)');

    expect((await hoa.post('/admin/content/qa/new', { ...QA, expires: '07/12/2026' })).status).toBe(303);
    const file = readFileSync(join(t.contentDir, 'qa', 'bao-hiem-y-te', `${QA.id}.md`), 'utf8');
    expect(file).toMatch(/^expires: 2026-12-07$/m);
    const page = await hoa.get(`/admin/content/qa/${QA.id}`);
    expect(page.text).toMatch(/name="expires"[^>]*value="07\/12\/2026"/);

    // A date that does not exist is refused with what to type, and the rest is kept.
    const refused = await hoa.post(`/admin/content/qa/${QA.id}`, { ...QA, expires: '31/02/2027' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Hết hạn: phải là ngày, ví dụ 2026-01-31 hoặc 31/01/2026');
    expect(refused.text).toMatch(/name="expires"[^>]*value="31\/02\/2027"/);
    expect(refused.text).toContain(QA.answer);
  });

  it('an article: the publication date is shown and read day first', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['editor']);
    const hoa = new AdminClient(t.url);
    expect((await hoa.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    const form = await hoa.get('/admin/content/article/new');
    // Today (the test clock's), day first.
    expect(form.text).toMatch(/name="published"[^>]*value="\d{2}\/\d{2}\/\d{4}"/);
    const res = await hoa.post('/admin/content/article/new', {
      id: 'luat-bhxh-dieu-53',
      title: 'Luật Bảo hiểm xã hội 2024: thời gian hưởng chế độ thai sản',
      published: '01/07/2025',
      source_title: 'Luật Bảo hiểm xã hội 2024',
      body: 'Điều 53. Thời gian hưởng chế độ thai sản khi sinh con\n1. Lao động nữ sinh con được nghỉ 06 tháng.',
      topics: 'bao-hiem-y-te',
    });
    expect(res.status).toBe(303);
    const file = readFileSync(join(t.contentDir, 'articles', 'luat-bhxh-dieu-53.md'), 'utf8');
    expect(file).toMatch(/^published: 2025-07-01$/m);
    expect((await hoa.get('/admin/content/article/luat-bhxh-dieu-53')).text).toMatch(/name="published"[^>]*value="01\/07\/2025"/);
  });
});
