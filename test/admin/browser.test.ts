/**
 * Browser tests: playwright-core drives Debian's Chromium (test/support/browser.ts) through what
 * staff do: log in, answer an unanswered question and have another person approve it (then the
 * bot gives that answer), compose a campaign and have it approved by another person and sent
 * with the live progress bar, attach a question to an approved answer, download a contest
 * export.
 *
 * Screenshots of the main pages are taken at 1366×768 and at a phone size. They go to a temp
 * directory, or to docs/screenshots/ when LOA_SCREENSHOTS=1 (to refresh the README's images).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addUser, startAdminApp } from './support.js';
import { hasChromium, loginAs, openBrowser, type TestBrowser } from '../support/browser.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { recordUnanswered } from '../../src/db/questions.js';
import { setRegion, subscribe, upsertPerson } from '../../src/db/people.js';
import { listCampaigns } from '../../src/db/campaigns.js';
import type { App } from '../../src/app.js';

const shotsDir = process.env.LOA_SCREENSHOTS === '1' ? resolve('docs/screenshots') : mkdtempSync(join(tmpdir(), 'loa-shots-'));

describe.skipIf(!hasChromium)('admin in a real browser', { timeout: 60_000 }, () => {
  let tg: FakeTelegram;
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    const opening = openBrowser(); // Chromium starts while the app does
    tg = await startFakeTelegram();
    t = await startAdminApp({
      env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot },
      bot: { quiet_hours: { start: '00:00', end: '00:00' } },
    });
    seed(t.app);
    browser = await opening;
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await tg?.close();
    if (process.env.LOA_SCREENSHOTS !== '1') rmSync(shotsDir, { recursive: true, force: true });
  });

  const login = (username: string): Promise<void> => loginAs(browser, t.url, username);
  const shot = async (name: string): Promise<void> => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: false });
  };

  it('an editor answers an unanswered question and an approver approves it; the bot then answers', async () => {
    await login('bien');
    await shot('dashboard');
    await page.click('text=Câu hỏi chưa trả lời');
    await expect.poll(() => page.locator('.group').count()).toBe(2);
    await shot('questions');
    const group = page.locator('.group', { hasText: 'pin mặt trời' });
    await expect.poll(() => group.textContent()).toContain('2 người hỏi');
    await group.locator('text=Trả lời câu này').click();
    await page.waitForURL(/\/admin\/content\/qa\/new\?from=/);
    expect(await page.inputValue('input[name=question]')).toContain('pin mặt trời');
    await page.fill('input[name=id]', 'ho-tro-pin-mat-troi');
    await page.fill('textarea[name=answer]', 'Hiện phường chưa có chính sách hỗ trợ tiền lắp đặt pin mặt trời cho hộ gia đình.');
    await page.check('input[name=topics][value=tro-giup-xa-hoi]');
    await page.fill('textarea[name=sources]', 'Thông báo của UBND phường | số 12/TB-UBND');
    await shot('content-edit');
    await Promise.all([page.waitForURL(/\/admin\/content\/qa\/ho-tro-pin-mat-troi/), page.click('text=Lưu bản nháp')]);
    expect(await page.textContent('.flash')).toContain('Đã lưu bản nháp');
    expect(await page.locator('button:has-text("Phê duyệt")').count()).toBe(0); // an editor has no approve button

    await login('duyet');
    await page.goto(`${t.url}/admin/content?status=draft`);
    await page.click('text=pin mặt trời');
    await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Phê duyệt")')]);
    expect(await page.textContent('.flash')).toContain('Đã xếp 2/2 tin báo cho người đã hỏi');
    // The outbox sends the notices through the Telegram throttle, right after the approval.
    await expect.poll(() => tg.sentTexts(601).at(-1) ?? '').toContain('chưa có chính sách hỗ trợ');

    const res = await fetch(`${t.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session: 'browser-test-session-1', text: 'Phường có hỗ trợ tiền lắp pin mặt trời cho hộ gia đình không?' }),
    });
    expect(JSON.stringify(await res.json())).toContain('chưa có chính sách hỗ trợ');
  });

  it('an editor attaches a question to an approved answer; it keeps serving until another person approves', async () => {
    await login('bien');
    await page.goto(`${t.url}/admin/questions`);
    const group = page.locator('.group', { hasText: 'bộ phận một cửa' });
    await Promise.all([page.waitForURL(/\/admin\/questions\/attach\?ids=/), group.locator('text=Gắn vào câu trả lời có sẵn').click()]);
    await page.selectOption('select[name=qa_select]', 'lam-thu-tuc-hanh-chinh-o-dau-sau-sap-xep');
    await Promise.all([page.waitForURL(/\/admin\/content\/qa\/lam-thu-tuc-hanh-chinh-o-dau-sau-sap-xep/), page.click('button:has-text("Gắn vào mục đã chọn")')]);
    expect(await page.textContent('#thay-doi-cho-duyet')).toContain('bộ phận một cửa');
    expect(t.app.knowledge.getQa('lam-thu-tuc-hanh-chinh-o-dau-sau-sap-xep')?.variants.join(' ')).not.toContain('bộ phận một cửa');

    await login('duyet');
    await page.goto(`${t.url}/admin/content/qa/lam-thu-tuc-hanh-chinh-o-dau-sau-sap-xep`);
    await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Phê duyệt thay đổi")')]);
    expect(await page.textContent('.flash')).toContain('Đã phê duyệt thay đổi');
    expect(t.app.knowledge.getQa('lam-thu-tuc-hanh-chinh-o-dau-sau-sap-xep')?.variants).toContain('Giờ làm việc của bộ phận một cửa ngày thứ Bảy?');
    await expect.poll(() => tg.sentTexts(603).at(-1) ?? '').toContain('Câu hỏi của bạn đã có câu trả lời');
  });

  it('a broadcaster composes a campaign, an approver approves it, it is sent with live progress', async () => {
    await login('gui');
    await page.goto(`${t.url}/admin/campaigns/new`);
    await page.fill('input[name=title]', 'Ngày hội quyền trẻ em');
    await page.fill('textarea[name=text]', 'Mời các gia đình đến Nhà văn hoá phường lúc 8 giờ sáng Chủ nhật.');
    await page.check('input[name=regions][value=pho-hien]');
    await expect.poll(() => page.locator('[data-audience]').textContent()).toBe('6');
    expect(await page.locator('#preview .preview').first().textContent()).toContain('Nhà văn hoá phường');
    await shot('campaign-compose');
    await Promise.all([page.waitForURL(/\/admin\/campaigns\/\d+/), page.click('button:has-text("Lưu và gửi phê duyệt")')]);
    const id = listCampaigns(t.app.db)[0]!.id;
    expect(listCampaigns(t.app.db)[0]!.status).toBe('submitted');

    await login('duyet');
    await page.goto(`${t.url}/admin/campaigns/${id}`);
    await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Phê duyệt")')]);
    expect(listCampaigns(t.app.db)[0]!.status).toBe('approved');

    await login('gui');
    // The page polls every 2 s: each check below moves the page's clock on to its next poll
    // instead of waiting for it (the fetches are real).
    await page.clock.install();
    // The first poll of the page that follows the schedule is answered 502 (a proxy or a busy
    // server): the page must keep polling.
    let failedOnce = false;
    await page.route('**/live.json', async (route) => {
      if (failedOnce || !(route.request().headers()['referer'] ?? '').includes('msg=')) return route.continue();
      failedOnce = true;
      await route.fulfill({ status: 502, body: 'Bad Gateway' });
    });
    await page.goto(`${t.url}/admin/campaigns/${id}`);
    await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Lên lịch gửi")')]);
    // The bar fills through polling, without reloading the page.
    await expect
      .poll(
        async () => {
          await page.clock.fastForward(2_000);
          return page.locator('[data-field=statusLabel]').textContent();
        },
        { timeout: 20_000 },
      )
      .toBe('Đã gửi xong');
    expect(await page.locator('[data-field=sent]').textContent()).toBe('6');
    expect(await page.locator('[data-progress] > span').evaluate((el) => (el as HTMLElement).style.width)).toBe('100%');
    expect(failedOnce).toBe(true);
    await page.unroute('**/live.json');
    // As rendered, before any poll answers: the width comes from data-percent (the admin's CSP
    // drops a style attribute, and the bar showed empty until the first poll).
    await page.route('**/live.json', () => {});
    await page.reload();
    expect(await page.locator('[data-progress] > span').evaluate((el) => (el as HTMLElement).style.width)).toBe('100%');
    await page.unroute('**/live.json');
    await shot('campaign-progress');
    expect(tg.sentTexts(700).at(-1)).toContain('Nhà văn hoá phường');
  });

  it('a quiz organiser downloads the contest results as CSV', async () => {
    await login('thi');
    await page.goto(`${t.url}/admin/contests`);
    await page.click('text=Luyện tập nhanh - Quyền trẻ em');
    await shot('contest');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Tải kết quả (CSV)')]);
    expect(download.suggestedFilename()).toBe('ket-qua-luyen-tap-quyen-tre-em.csv');
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('Trần Thị Bình');
  });

  it('report, audit and the phone layout render', async () => {
    await login('boss');
    await page.goto(`${t.url}/admin/report?year=2026`);
    expect(await page.textContent('h1')).toBe('Báo cáo năm 2026');
    await shot('report');
    await page.goto(`${t.url}/admin/audit`);
    expect(await page.locator('td code', { hasText: 'content.approve' }).count()).toBe(2); // the new Q&A and the attached wording
    await shot('audit');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.url}/admin`);
    // Nothing wider than the screen: the tables scroll inside their wrapper.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('phone-dashboard');
    await page.goto(`${t.url}/admin/campaigns/new`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('phone-campaign-compose');
    await page.setViewportSize({ width: 1366, height: 768 });
  });
});

/** Staff, two citizens' unanswered questions on Telegram, subscribers, a finished contest attempt. */
function seed(app: App): void {
  addUser(app, 'bien', ['editor']);
  addUser(app, 'duyet', ['approver']);
  addUser(app, 'gui', ['broadcaster']);
  addUser(app, 'thi', ['quiz_organizer']);
  addUser(app, 'boss', ['admin']);
  const ask = (ext: string, question: string): void => {
    const p = upsertPerson(app.db, 'telegram', ext);
    recordUnanswered(app.db, { personId: p.id, channel: 'telegram', question, normalized: question.toLowerCase(), suggestions: [] });
  };
  ask('601', 'Phường có hỗ trợ tiền lắp đặt pin mặt trời cho hộ gia đình không?');
  ask('602', 'Cho hỏi phường có hỗ trợ tiền lắp pin mặt trời cho hộ gia đình không ạ');
  ask('603', 'Giờ làm việc của bộ phận một cửa ngày thứ Bảy?');
  for (let i = 0; i < 6; i++) {
    const p = upsertPerson(app.db, 'telegram', String(700 + i));
    subscribe(app.db, p.id, ['quyen-tre-em'], null);
    setRegion(app.db, p.id, 'pho-hien');
  }
  const p = upsertPerson(app.db, 'telegram', '650');
  app.db
    .prepare(
      `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, name, unit, question_count, score, correct_count, total_ms, started_at, finished_at)
       VALUES ('luyen-tap-quyen-tre-em', ?, 'telegram', 1, 'done', 'Trần Thị Bình', 'Chi đoàn phường Phố Hiến', 5, 50, 5, 61000, ?, ?)`,
    )
    .run(p.id, new Date(Date.now() - 3_600_000).toISOString(), new Date(Date.now() - 3_500_000).toISOString());
}
