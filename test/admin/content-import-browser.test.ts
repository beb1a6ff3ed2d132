/**
 * "Nhập nhiều câu hỏi – đáp" in a real browser (Chromium through playwright-core; skipped where
 * it is not installed): the forms post multipart/form-data as Chromium builds it, a booklet
 * typed into the box and an .xlsx chosen in the file field; the preview's boxes are what gets
 * written. The booklet and the sheet are SAMPLE text written for this test; the laws cited are
 * real (Luật Hộ tịch 2014 Điều 13, 15; Luật Trợ giúp pháp lý 2017 Điều 7).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { writeSheet } from '../../src/text/xlsx.js';
import { addUser, startAdminApp } from './support.js';
import { hasChromium, loginAs, openBrowser, type TestBrowser } from '../support/browser.js';

const BOOKLET = [
  'HỎI – ĐÁP PHÁP LUẬT VỀ HỘ TỊCH (tài liệu mẫu)',
  'Câu 1. Sinh con được bao lâu thì phải đăng ký khai sinh?',
  'Trả lời: Trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con.',
  'Căn cứ pháp lý: Điều 15 Luật Hộ tịch năm 2014.',
  'Câu 2. Đăng ký khai sinh cho con ở đâu?',
  'Trả lời: Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ thực hiện việc đăng ký khai sinh.',
  'Căn cứ pháp lý: Điều 13 Luật Hộ tịch năm 2014.',
].join('\n');

describe.skipIf(!hasChromium)('bulk import in a real browser', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let browser: TestBrowser;
  let page: Page;
  const dir = mkdtempSync(join(tmpdir(), 'loa-import-browser-'));

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
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = (label: string): Promise<unknown> => Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(`button:has-text("${label}")`)]).then(() => page.waitForLoadState('load'));

  it('a pasted booklet: preview, untick one, import the other as a draft', async () => {
    await page.goto(`${t.url}/admin/content`);
    await Promise.all([page.waitForURL(/\/admin\/content\/import$/), page.click('a[data-import-link]')]);
    await page.selectOption('select[name=topic]', 'ho-tich');
    await page.fill('textarea[name=text]', BOOKLET);
    await submit('Xem trước');
    expect(await page.textContent('[data-summary]')).toContain('Đọc được 2 mục');
    expect(await page.isChecked('input[name=pick][value="1"]')).toBe(true);
    expect(await page.textContent('tr[data-entry="2"]')).toContain('dang-ky-khai-sinh-cho-con-o-dau');
    await page.uncheck('input[name=pick][value="2"]');
    await Promise.all([page.waitForURL(/\/admin\/content\?status=draft/), page.click('button:has-text("Nhập các mục đã chọn")')]);
    expect(await page.textContent('main')).toContain('Đã nhập 1 câu hỏi – đáp thành bản nháp');
    expect(existsSync(join(t.contentDir, 'qa', 'ho-tich', 'sinh-con-duoc-bao-lau-thi-phai-dang-ky-khai-sinh.md'))).toBe(true);
    expect(existsSync(join(t.contentDir, 'qa', 'ho-tich', 'dang-ky-khai-sinh-cho-con-o-dau.md'))).toBe(false);
  });

  it('an .xlsx chosen in the file field', async () => {
    const file = join(dir, 'Hỏi đáp trợ giúp pháp lý.xlsx');
    writeFileSync(
      file,
      await writeSheet({
        name: 'Hỏi đáp',
        rows: [
          ['STT', 'Câu hỏi', 'Trả lời', 'Căn cứ pháp lý'],
          [1, 'Người thuộc hộ nghèo có được trợ giúp pháp lý miễn phí không?', 'Có. Người thuộc hộ nghèo là người được trợ giúp pháp lý; trợ giúp pháp lý là dịch vụ pháp lý miễn phí.', 'Điều 7 Luật Trợ giúp pháp lý năm 2017'],
        ],
      }),
    );
    await page.goto(`${t.url}/admin/content/import`);
    await page.selectOption('select[name=topic]', 'tro-giup-phap-ly');
    await page.setInputFiles('input[name=file]', file);
    await submit('Xem trước');
    expect(await page.textContent('[data-summary]')).toContain('Đọc được 1 mục từ tệp Hỏi đáp trợ giúp pháp lý.xlsx (bảng Excel)');
    await Promise.all([page.waitForURL(/\/admin\/content\?status=draft/), page.click('button:has-text("Nhập các mục đã chọn")')]);
    const written = readFileSync(join(t.contentDir, 'qa', 'tro-giup-phap-ly', 'nguoi-thuoc-ho-ngheo-co-duoc-tro-giup-phap-ly.md'), 'utf8');
    expect(written).toContain('title: Luật Trợ giúp pháp lý năm 2017');
    expect(written).toContain('status: draft');
  });
});
