/**
 * The training pages in a real browser (Debian's Chromium through playwright-core, like
 * test/admin/browser.test.ts; skipped where it is not installed): an organiser opens "Tập huấn"
 * from the navigation, pastes a list with a mistake and sees it by line with the text kept,
 * fixes it, reads the coverage against the targets, and reminds the untrained, whose messages
 * reach the fake Telegram.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addUser, startAdminApp } from '../admin/support.js';
import { startFakeTelegram } from '../support/fake-telegram.js';
import { hasChromium, openBrowser, type TestBrowser } from '../support/browser.js';

describe.skipIf(!hasChromium)('the training pages in a real browser', () => {
  let tg: Awaited<ReturnType<typeof startFakeTelegram>>;
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    const opening = openBrowser(); // Chromium starts while the app does
    tg = await startFakeTelegram();
    t = await startAdminApp({ env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling' } });
    addUser(t.app, 'tochuc', ['quiz_organizer']);
    browser = await opening;
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await tg?.close();
  });

  it('imports a list after fixing a line, shows coverage against the targets, reminds the untrained', async () => {
    await page.goto(`${t.url}/admin/login`);
    await page.fill('input[name=username]', 'tochuc');
    await page.fill('input[name=password]', 'tochuc-mat-khau-1');
    await Promise.all([page.waitForURL(`${t.url}/admin`), page.click('button[type=submit]')]);
    await Promise.all([page.waitForURL(`${t.url}/admin/training`), page.click('nav a:has-text("Tập huấn")')]);
    await Promise.all([page.waitForURL(`${t.url}/admin/training/import`), page.click('a:has-text("Nhập danh sách cán bộ (CSV)")')]);

    const header = 'name,unit,group,region,channel,external_id';
    const wrong = [header, 'Nguyễn Thị Hoa,UBND xã Phố Hiến,quyen-con-nguoi,pho-hien,telegram,9501', 'Trần Văn Nam,Hội Nông dân xã Phố Hiến,chinh-tri-xa-hoi,pho-hien,telegram,9502'].join('\n');
    await page.fill('textarea[name=csv]', wrong);
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/admin/training/import"] button')]);
    expect(await page.textContent('[data-problems]')).toContain("dòng 3: group: không có nhóm 'chinh-tri-xa-hoi'");
    expect(await page.inputValue('textarea[name=csv]')).toBe(wrong);

    await page.fill('textarea[name=csv]', wrong.replace('chinh-tri-xa-hoi', 'to-chuc-chinh-tri-xa-hoi'));
    await Promise.all([page.waitForURL(/\/admin\/training\?msg=/), page.click('form[action="/admin/training/import"] button')]);
    expect(await page.textContent('.flash')).toContain('Đã nhập 2 cán bộ: 2 người mới');
    const group = await page.textContent('tr[data-group="to-chuc-chinh-tri-xa-hoi"]');
    expect(group).toContain('70%');
    expect(group).toContain('Chưa đạt chỉ tiêu');

    const mark = tg.calls.length;
    await Promise.all([page.waitForURL(/\/admin\/training\?msg=/), page.click('form[action="/admin/training/remind"] button')]);
    expect(await page.textContent('.flash')).toContain('Đã gửi tin nhắc tới 2 cán bộ chưa tập huấn');
    for (const id of ['9501', '9502']) {
      const m = await tg.waitForCall((c) => c.method === 'sendMessage' && String(c.params.chat_id) === id, { after: mark });
      expect(m.params.text).toContain('chưa hoàn thành tập huấn');
    }
  });
});
