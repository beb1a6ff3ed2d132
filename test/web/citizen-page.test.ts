/**
 * The web chat page as the citizen who scanned the office's poster sees it (admin/reach.ts points
 * the web QR code at it): what it is for, the chat, and nothing that tells them to do a
 * webmaster's job or calls the office's service a sample.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';

let ctx: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(async () => {
  await ctx.close();
});

describe('the web chat page, for citizens', () => {
  it('does not call itself a sample, and folds the embed tag and the admin link under a staff-only label', async () => {
    const page = await (await fetch(`${ctx.url}/`)).text();
    expect(page).not.toMatch(/bản mẫu/i);
    expect(page).toContain('câu nào chưa có câu trả lời được chuyển tới cán bộ phụ trách');
    const staff = page.match(/<details class="staff"><summary>Dành cho cán bộ quản trị<\/summary>([\s\S]*?)<\/details>/);
    expect(staff).not.toBeNull();
    expect(staff![1]).toContain('/widget.js" defer&gt;');
    expect(staff![1]).toContain('href="/admin"');
    // Outside the folded part: no embed tag, no admin link.
    const open = page.replace(staff![0], '');
    expect(open).not.toContain('href="/admin"');
    expect(open).not.toContain('Nhúng vào cổng thông tin');
  });
});
