/**
 * Triage of a reported case in real Chromium (playwright-core and Debian's Chromium, as
 * test/admin/browser.test.ts): an editor finds the most reported case in the queue, confirms it
 * false with evidence, writes the correction from the case page, another person approves it, the
 * editor closes the case as handled by a correction; both reporters are told (Telegram at once,
 * the web chat when the visitor returns), the correction's text with the outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addUser, startAdminApp } from '../admin/support.js';
import { hasChromium, loginAs, openBrowser, type TestBrowser } from '../support/browser.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { upsertPerson } from '../../src/db/people.js';
import { getCase, recordReport } from '../../src/db/disinfo.js';

describe.skipIf(!hasChromium)('disinformation triage in a real browser', () => {
  let tg: FakeTelegram;
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let browser: TestBrowser;
  let page: Page;
  let caseId = 0;
  let number = '';

  beforeAll(async () => {
    const opening = openBrowser(); // Chromium starts while the app does
    tg = await startFakeTelegram();
    t = await startAdminApp({ env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling' } });
    addUser(t.app, 'bien', ['editor']);
    addUser(t.app, 'duyet', ['approver']);
    const db = t.app.db;
    const a = upsertPerson(db, 'telegram', '7701').id;
    const b = upsertPerson(db, 'web', 'bc-browser-visitor-1').id;
    ({ caseId, number } = recordReport(db, { personId: a, channel: 'telegram', region: null, text: 'https://m.facebook.com/groups/1/posts/2/?utm_source=share', topic: 'bao-hiem-y-te', platform: 'facebook' }));
    recordReport(db, { personId: b, channel: 'web', region: null, text: 'http://www.facebook.com/groups/1/posts/2', topic: 'khac', platform: 'zalo' });
    recordReport(db, { personId: a, channel: 'telegram', region: null, text: 'https://tiktok.com/@x/video/9', topic: 'khac', platform: 'tiktok' });
    browser = await opening;
    page = browser.page;
    // Saving and approving content reload the search index, slow on a loaded machine.
    page.setDefaultTimeout(60_000);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await tg?.close();
  });

  const login = (username: string): Promise<void> => loginAs(browser, t.url, username);

  it('an editor finds the most reported case and confirms it false with evidence', { timeout: 90_000 }, async () => {
    await login('bien');
    await page.click('nav >> text=Tin giả');
    await page.selectOption('select[name=xep]', 'nhieu');
    await Promise.all([page.waitForURL(/xep=nhieu/), page.click('button:has-text("Xem")')]);
    // The case two people reported comes first, with its normalised link.
    const first = page.locator('tbody tr').first();
    expect(await first.getAttribute('data-case')).toBe(number);
    expect(await first.textContent()).toContain('https://facebook.com/groups/1/posts/2');

    await first.locator(`text=${number}`).click();
    await page.selectOption('select[name=status]', 'confirmed_false');
    await page.fill('textarea[name=evidence]', 'Công văn số 45/BHXH');
    await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Lưu bước xử lý")')]);
    expect(await page.textContent('.flash')).toContain('Xác định là tin giả/xấu độc');
  });

  it('the editor writes the correction from the case page; another person approves it', { timeout: 150_000 }, async () => {
    await Promise.all([page.waitForURL(/\/admin\/content\/qa\/new\?vuviec=/), page.click('text=Soạn hỏi đáp đính chính')]);
    expect(await page.inputValue('input[name=question]')).toBe('Thông tin chính xác về bảo hiểm y tế');
    await page.fill('input[name=id]', 'dinh-chinh-bhyt-khoa-the');
    await page.fill('input[name=question]', 'Thông tin chính xác về việc khoá thẻ bảo hiểm y tế');
    await page.fill('textarea[name=answer]', 'Thẻ bảo hiểm y tế không bị khoá vì chưa cập nhật căn cước.');
    await page.fill('textarea[name=sources]', 'Công văn số 45/BHXH');
    await Promise.all([page.waitForURL(/\/admin\/content\/qa\/dinh-chinh-bhyt-khoa-the\?msg=/), page.click('text=Lưu bản nháp')]);
    expect(await page.textContent('.flash')).toContain(`Đã gắn với vụ việc ${number}.`);

    await login('duyet');
    await page.goto(`${t.url}/admin/content/qa/dinh-chinh-bhyt-khoa-the`);
    await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Phê duyệt")')]);
  });

  it('the editor closes the case as corrected; both reporters are told, with the correction', { timeout: 90_000 }, async () => {
    await login('bien');
    await page.goto(`${t.url}/admin/disinfo/${caseId}`);
    expect(await page.textContent('[data-correction]')).toContain('(đã duyệt, bot đang dùng)');
    await page.selectOption('select[name=status]', 'handled');
    await page.selectOption('select[name=outcome]', 'correction');
    await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Lưu bước xử lý")')]);
    expect(await page.textContent('.flash')).toContain('Đang gửi kết quả cho 2 người báo tin');
    expect(getCase(t.app.db, caseId)).toMatchObject({ status: 'handled', outcome: 'correction', correctionId: 'dinh-chinh-bhyt-khoa-the' });

    await expect.poll(() => tg.sentTexts(7701).at(-1) ?? '', { timeout: 20_000 }).toContain(`Kết quả xử lý báo cáo ${number}`);
    expect(tg.sentTexts(7701).at(-1)).toContain('không bị khoá vì chưa cập nhật căn cước');
    const held = (await (await fetch(`${t.url}/api/chat/held?session=bc-browser-visitor-1`)).json()) as { replies: { text: string }[] };
    expect(held.replies.map((r) => r.text).join('\n')).toContain('không bị khoá vì chưa cập nhật căn cước');
  });
});
