/**
 * The Q&A and article forms in a real browser, as an office's editor uses them (Chromium through
 * playwright-core; skipped where it is not installed).
 *
 * - Refusals are the server's, in Vietnamese, all at once. The fields had `required`, `pattern`
 *   and `type="url"`: Chromium stopped the form with its own bubble, in the browser's language
 *   ("Please fill out this field.", "Please match the requested format." here), one field at a
 *   time, and the server's Vietnamese list never showed.
 * - "Hết hạn" typed 07/12/2026 on the keyboard is 7 December (it was an `<input type="date">`,
 *   which this Chromium reads month first: 12 July).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addUser, startAdminApp } from './support.js';
import { hasChromium, loginAs, openBrowser, type TestBrowser } from '../support/browser.js';

describe.skipIf(!hasChromium)('content forms in a real browser', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    const opening = openBrowser();
    t = await startAdminApp();
    addUser(t.app, 'hoa', ['editor']);
    browser = await opening;
    page = browser.page;
    await loginAs(browser, t.url, 'hoa');
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const save = (): Promise<unknown> => Promise.all([page.waitForLoadState('load'), page.waitForURL(/\/admin\/content\//), page.click('button:has-text("Lưu bản nháp")')]);

  it('an empty or mistyped Q&A is refused by the server in Vietnamese, every problem at once, and the typed text stays', async () => {
    await page.goto(`${t.url}/admin/content/qa/new`);
    const typed = 'Theo khoản 1 Điều 53 Luật Bảo hiểm xã hội 2024, lao động nữ sinh con được nghỉ 06 tháng.';
    await page.fill('input[name=id]', 'Thai sản 01');
    await page.fill('textarea[name=answer]', typed);
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button:has-text("Lưu bản nháp")')]);
    await page.waitForLoadState('load');
    const errors = await page.textContent('.error');
    expect(errors).toContain('Câu hỏi');
    expect(errors).toContain('Chủ đề: hãy chọn ít nhất một chủ đề');
    expect(errors).toContain('Nguồn: hãy ghi ít nhất một nguồn');
    expect(errors).toContain('Mã');
    expect(errors).not.toMatch(/Please|fill out/);
    expect(await page.inputValue('textarea[name=answer]')).toBe(typed);
    expect(await page.inputValue('input[name=id]')).toBe('Thai sản 01');
  });

  it('"Hết hạn" typed 07/12/2026 is 7 December', async () => {
    await page.goto(`${t.url}/admin/content/qa/new`);
    await page.fill('input[name=question]', 'Lao động nữ sinh con được nghỉ thai sản bao lâu?');
    await page.fill('textarea[name=answer]', 'Theo khoản 1 Điều 53 Luật Bảo hiểm xã hội 2024, lao động nữ sinh con được nghỉ 06 tháng.');
    await page.check('input[name=topics][value=bao-hiem-y-te]');
    await page.fill('textarea[name=sources]', 'Luật Bảo hiểm xã hội 2024 | Điều 53');
    await page.click('input[name=expires]');
    await page.keyboard.type('07/12/2026');
    await save();
    expect(page.url()).toContain('/admin/content/qa/lao-dong-nu-sinh-con-duoc-nghi-thai-san-bao-lau');
    const file = readFileSync(join(t.contentDir, 'qa', 'bao-hiem-y-te', 'lao-dong-nu-sinh-con-duoc-nghi-thai-san-bao-lau.md'), 'utf8');
    expect(file).toMatch(/^expires: 2026-12-07$/m);
    expect(await page.inputValue('input[name=expires]')).toBe('07/12/2026');
  });

  it('an article with a source address without https:// is refused in Vietnamese, not by the browser', async () => {
    await page.goto(`${t.url}/admin/content/article/new`);
    await page.fill('input[name=title]', 'Luật Bảo hiểm xã hội 2024: Điều 54');
    await page.fill('input[name=source_title]', 'Luật Bảo hiểm xã hội số 41/2024/QH15');
    await page.fill('input[name=source_url]', 'thuvienphapluat.vn/van-ban/luat-bao-hiem-xa-hoi-2024');
    await page.fill('textarea[name=body]', 'Điều 54. Thời gian hưởng chế độ thai sản khi nhận nuôi con nuôi\n1. Người lao động nhận nuôi con nuôi dưới 06 tháng tuổi được nghỉ đến khi con đủ 06 tháng tuổi.');
    await page.check('input[name=topics][value=bao-hiem-y-te]');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button:has-text("Lưu bản nháp")')]);
    await page.waitForLoadState('load');
    const errors = await page.textContent('.error');
    expect(errors).toContain('Nguồn (url): không phải đường dẫn hợp lệ (bắt đầu bằng https://)');
    expect(errors).not.toMatch(/Please/);
    expect(await page.inputValue('input[name=source_url]')).toBe('thuvienphapluat.vn/van-ban/luat-bao-hiem-xa-hoi-2024');
  });
});
