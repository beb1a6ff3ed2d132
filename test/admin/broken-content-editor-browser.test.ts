/**
 * The raw editor in a real browser (Debian's Chromium through playwright-core, like
 * browser.test.ts; skipped where it is not installed): a broken file opens from the content
 * list, an invalid fix shows its error by line and keeps the typed text (clicking the error
 * selects that line), a valid fix is saved for approval and another person approves it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addUser, startAdminApp } from './support.js';
import { hasChromium, loginAs, openBrowser, type TestBrowser } from '../support/browser.js';

const ID = 'dang-ky-nuoi-cho-meo';
const FILE = `qa/chinh-quyen-dia-phuong/${ID}.md`;
const BROKEN = `---
id: ${ID}
question: Nuôi chó mèo trong phường có phải đăng ký không?
topics: [chinh-quyen-dia-phuong]
sources:
  - title: Luật Chăn nuôi 2018
status: duyet
---
Có. Chủ nuôi chó, mèo đăng ký với UBND phường để được tiêm phòng dại miễn phí hằng năm.
`;

describe.skipIf(!hasChromium)('the raw editor in a real browser', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    const opening = openBrowser(); // Chromium starts while the app does
    t = await startAdminApp();
    addUser(t.app, 'bien', ['editor']);
    addUser(t.app, 'duyet', ['approver']);
    writeFileSync(join(t.contentDir, FILE), BROKEN);
    await t.app.knowledge.reload();
    browser = await opening;
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const login = (username: string): Promise<void> => loginAs(browser, t.url, username);

  it('an editor fixes the broken file after an invalid try; another person approves the fix', async () => {
    await login('bien');
    await page.goto(`${t.url}/admin/content`);
    await Promise.all([page.waitForURL(new RegExp(`/admin/content/qa/${ID}$`)), page.click(`a:has-text("${FILE}")`)]);
    expect(await page.textContent('h1')).toBe('Tệp nội dung bị lỗi');
    expect(await page.textContent('[data-file-errors]')).toContain('Dòng 7 status: duyet: Trạng thái (status): giá trị không được chấp nhận');

    // Fix the status but misspell a topic: refused, the typed text stays.
    const typo = BROKEN.replace('status: duyet', 'status: draft').replace('[chinh-quyen-dia-phuong]', '[chinh-quyen-dia-phuon]');
    await page.fill('textarea[name=text]', typo);
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Lưu bản sửa")')]);
    await page.waitForSelector('[data-save-errors]');
    expect(await page.textContent('[data-save-errors]')).toContain('Dòng 4 topics: [chinh-quyen-dia-phuon]: Chủ đề (topics[1]): “chinh-quyen-dia-phuon” không có trong danh sách chủ đề');
    expect((await page.inputValue('textarea[name=text]')).replace(/\r\n/g, '\n')).toBe(typo);
    // Clicking the error selects its line in the editor.
    await page.click('[data-save-errors] li[data-line="4"]');
    const selected = await page.evaluate(() => {
      const el = document.querySelector<HTMLTextAreaElement>('textarea[data-raw]')!;
      return el.value.slice(el.selectionStart, el.selectionEnd);
    });
    expect(selected).toBe('topics: [chinh-quyen-dia-phuon]');

    await page.fill('textarea[name=text]', typo.replace('[chinh-quyen-dia-phuon]', '[chinh-quyen-dia-phuong]'));
    await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Lưu bản sửa")')]);
    expect(await page.textContent('.flash')).toContain('Đã lưu bản sửa, đang chờ phê duyệt');
    expect(await page.locator('button:has-text("Phê duyệt bản sửa")').count()).toBe(0); // an editor has no approve button

    await login('duyet');
    await page.goto(`${t.url}/admin/content/qa/${ID}`);
    await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Phê duyệt bản sửa")')]);
    expect(await page.textContent('.flash')).toContain('Đã phê duyệt thay đổi');
    expect(t.app.knowledge.errors).toEqual([]);
    expect(t.app.knowledge.getQa(ID)?.status).toBe('approved');
  });
});
