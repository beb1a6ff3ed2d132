/**
 * An approver without the editor role opens an entry. In the trial the page showed the full
 * form, every field editable, and no save button: an approver could type a correction and lose
 * it, not knowing why there was nothing to press. The fields are now read-only (the boxes
 * disabled) with a line saying why and who edits; an editor's form is unchanged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const ENTRY = 'can-cuoc-cong-dan-cu-va-cmnd';

describe('an entry opened by an approver who does not edit', { timeout: 120_000 }, () => {
  it('shows the form read-only and says why', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['editor']);
    addUser(t.app, 'lan', ['approver']);
    const lan = new AdminClient(t.url);
    expect((await lan.login('lan', 'lan-mat-khau-1')).status).toBe(303);
    const page = (await lan.get(`/admin/content/qa/${ENTRY}`)).text;
    expect(page).toContain('Chỉ xem: tài khoản của bạn không có quyền soạn, sửa nội dung.');
    expect(page).toMatch(/<input name="question" readonly value=/);
    expect(page).toMatch(/<textarea name="answer" readonly class="body">/);
    expect(page).toMatch(/<input type="checkbox" disabled name="topics"/);
    expect(page).not.toContain('Lưu bản nháp');
    // With a change waiting, the approver is not told they are "continuing" it.
    const hoaFirst = new AdminClient(t.url);
    expect((await hoaFirst.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    const entry = t.app.knowledge.getQa(ENTRY)!;
    const changed = await hoaFirst.post(`/admin/content/qa/${ENTRY}`, {
      question: entry.question,
      variants: [...entry.variants, 'CCCD cũ còn hạn có phải đổi không'].join('\n'),
      answer: entry.answer,
      topics: entry.topics,
      sources: entry.sources.map((s) => [s.title, s.article, s.url].filter(Boolean).join(' | ')).join('\n'),
    });
    expect(changed.status).toBe(303);
    const waiting = (await lan.get(`/admin/content/qa/${ENTRY}`)).text;
    expect(waiting).toContain('Phê duyệt thay đổi');
    expect(waiting).not.toContain('Đang sửa tiếp');

    const hoa = new AdminClient(t.url);
    expect((await hoa.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    const own = (await hoa.get(`/admin/content/qa/${ENTRY}`)).text;
    expect(own).not.toContain('Chỉ xem:');
    expect(own).not.toMatch(/readonly|<input type="checkbox" disabled/);
    expect(own).toContain('Lưu bản nháp');
  });
});
