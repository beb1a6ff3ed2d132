/**
 * An approver's work list. In the trial the content list's "Trạng thái" filter had Bản nháp, Đã
 * duyệt, Đã gỡ: an approved answer with an edit or attached questions waiting is "Đã duyệt", so
 * the approver found it only by its "Có thay đổi chờ duyệt" tag among 130 approved entries
 * sorted by title. "Chờ phê duyệt" lists drafts and pending changes, and they come first in the
 * unfiltered list too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const DRAFT = {
  id: 'thai-san-bao-lau',
  question: 'Lao động nữ sinh con được nghỉ thai sản bao lâu?',
  answer: 'Theo khoản 1 Điều 53 Luật Bảo hiểm xã hội 2024, lao động nữ sinh con được nghỉ 06 tháng.',
  topics: 'bao-hiem-y-te',
  sources: 'Luật Bảo hiểm xã hội 2024 | Điều 53',
};
const EDITED = 'can-cuoc-cong-dan-cu-va-cmnd';

/** The entry links of the content list, in order. */
const listed = (html: string): string[] => [...html.matchAll(/<a href="\/admin\/content\/(?:qa|article)\/([a-z0-9-]+)">/g)].map((m) => m[1]!);

describe('content list: waiting for approval', { timeout: 120_000 }, () => {
  it('lists drafts and approved entries with a change waiting, and puts them first', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['editor']);
    addUser(t.app, 'lan', ['approver']);
    const hoa = new AdminClient(t.url);
    expect((await hoa.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    const lan = new AdminClient(t.url);
    expect((await lan.login('lan', 'lan-mat-khau-1')).status).toBe(303);

    // The dashboard counts what waits and links to the list (it said nothing of content before).
    const waiting = (html: string): string | undefined => /id="content-waiting"><div class="muted">Nội dung chờ phê duyệt<\/div><div class="stat">(\d+)<\/div>/.exec(html)?.[1];
    expect(waiting((await lan.get('/admin')).text)).toBe('0');

    expect((await hoa.post('/admin/content/qa/new', DRAFT)).status).toBe(303);
    const form = await hoa.get(`/admin/content/qa/${EDITED}`);
    expect(form.status).toBe(200);
    const entry = t.app.knowledge.getQa(EDITED)!;
    expect(entry.status).toBe('approved');
    const edit = await hoa.post(`/admin/content/qa/${EDITED}`, {
      question: entry.question,
      variants: [...entry.variants, 'CCCD cũ còn hạn có phải đổi không'].join('\n'),
      answer: entry.answer,
      topics: entry.topics,
      sources: entry.sources.map((s) => [s.title, s.article, s.url].filter(Boolean).join(' | ')).join('\n'),
    });
    expect(edit.status).toBe(303);

    const dashboard = (await lan.get('/admin')).text;
    expect(waiting(dashboard)).toBe('2');
    expect(dashboard).toContain('<a href="/admin/content?status=cho-duyet">Mở danh sách chờ phê duyệt</a>');

    const page = await lan.get('/admin/content?status=cho-duyet');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<option value="cho-duyet" selected>Chờ phê duyệt (bản nháp, thay đổi)</option>');
    expect(listed(page.text).sort()).toEqual([DRAFT.id, EDITED].sort());
    expect(page.text).toMatch(/>2 mục</);

    // Unfiltered: the two come before every other entry.
    const everything = listed((await lan.get('/admin/content')).text);
    expect(everything.length).toBeGreaterThan(100);
    expect(everything.slice(0, 2).sort()).toEqual([DRAFT.id, EDITED].sort());
  });
});
