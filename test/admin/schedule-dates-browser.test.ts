/**
 * The campaign and contest times in a real browser (Chromium through playwright-core; skipped
 * where it is not installed), typed on the keyboard as an officer types them. "Gửi lúc" and
 * "Đóng lúc" were `<input type="datetime-local">`, whose typed order is the browser's language:
 * this Chromium takes 07/12/2026 as month first, 12 July. Refusals are the server's, in
 * Vietnamese, with what was typed still in the field.
 *
 * The app's clock is 10:00 on 06/12/2026 in Vietnam.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addUser, startAdminApp } from './support.js';
import { hasChromium, loginAs, openBrowser, type TestBrowser } from '../support/browser.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { getCampaign, listCampaigns } from '../../src/db/campaigns.js';

describe.skipIf(!hasChromium)('campaign and contest times in a real browser', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let tg: FakeTelegram;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    const opening = openBrowser();
    tg = await startFakeTelegram();
    t = await startAdminApp({ now: () => new Date('2026-12-06T03:00:00Z'), env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot } });
    addUser(t.app, 'gui', ['broadcaster', 'quiz_organizer']);
    addUser(t.app, 'duyet', ['approver']);
    browser = await opening;
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await tg?.close();
  });

  /** Clicks `button` and waits for the page the server answers with. */
  const submit = (button: string): Promise<unknown> =>
    Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(button)]).then(() => page.waitForLoadState('load'));

  it('"Gửi lúc" typed 07/12/2026 08:30 schedules 7 December at 08:30 (01:30 UTC); 31/02 is refused in Vietnamese and kept', { timeout: 90_000 }, async () => {
    await loginAs(browser, t.url, 'gui');
    await page.goto(`${t.url}/admin/campaigns/new`);
    await page.fill('textarea[name=text]', 'Lịch tiếp công dân tháng 12');
    await page.check('input[name=channels][value=telegram]');
    await page.click('input[name=sendAt]');
    await page.keyboard.type('31/02/2027 08:00');
    await submit('button:has-text("Lưu và gửi phê duyệt")');
    const error = await page.textContent('.error');
    expect(error).toContain("Gửi lúc: '31/02/2027 08:00' không có ngày 31 trong tháng 2/2027.");
    expect(error).not.toMatch(/Please/);
    expect(await page.inputValue('input[name=sendAt]')).toBe('31/02/2027 08:00');
    expect(await page.inputValue('textarea[name=text]')).toBe('Lịch tiếp công dân tháng 12');

    await page.fill('input[name=sendAt]', '');
    await page.click('input[name=sendAt]');
    await page.keyboard.type('07/12/2026 08:30');
    await submit('button:has-text("Lưu và gửi phê duyệt")');
    const id = listCampaigns(t.app.db).find((c) => c.text === 'Lịch tiếp công dân tháng 12')!.id;
    expect(getCampaign(t.app.db, id)!.sendAt).toBe('2026-12-07T01:30:00.000Z');

    // Approved by someone else, then scheduled from its page: the field shows the time day first.
    await loginAs(browser, t.url, 'duyet');
    await page.goto(`${t.url}/admin/campaigns/${id}`);
    await submit('button:has-text("Phê duyệt")');
    await loginAs(browser, t.url, 'gui');
    await page.goto(`${t.url}/admin/campaigns/${id}`);
    expect(await page.inputValue('form[data-schedule] input[name=sendAt]')).toBe('07/12/2026 08:30');
    await page.fill('form[data-schedule] input[name=sendAt]', '');
    await page.click('form[data-schedule] input[name=sendAt]');
    await page.keyboard.type('08/12/2026 19:45');
    await submit('button:has-text("Lên lịch gửi")');
    expect(await page.textContent('body')).toContain('Đã lên lịch gửi lúc 08/12/2026 19:45 (giờ Việt Nam).');
    const c = getCampaign(t.app.db, id)!;
    expect(c.status).toBe('scheduled');
    expect(c.sendAt).toBe('2026-12-08T12:45:00.000Z');
  });

  it('"Đóng lúc" typed 07/12/2026 20:00 closes the contest on 7 December', { timeout: 60_000 }, async () => {
    const id = 'luyen-tap-quyen-tre-em';
    await loginAs(browser, t.url, 'gui');
    await page.goto(`${t.url}/admin/contests/${id}`);
    await submit('button:has-text("Đóng cuộc thi")');
    await page.click('input[name=closes]');
    await page.keyboard.type('07/12/2026 20:00');
    await submit('button:has-text("Mở cuộc thi")');
    expect(readFileSync(join(t.contentDir, `quizzes/${id}.yaml`), 'utf8')).toMatch(/^closes: 07\/12\/2026 20:00$/m);
    expect(await page.textContent('body')).toContain('đóng 20:00 07/12/2026');
  });
});
