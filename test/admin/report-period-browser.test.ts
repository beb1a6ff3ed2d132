/**
 * The report page in a real Chromium: staff type a reporting period day first, see it, and the
 * "Tải về Excel (.xlsx)" button downloads that period's workbook under the period's name.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, startAdminApp } from './support.js';
import { hasChromium, loginAs, openBrowser, type TestBrowser } from '../support/browser.js';
import { readXlsx } from '../support/xlsx.js';

describe.skipIf(!hasChromium)('the report page’s period in a browser', { timeout: 60_000 }, () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let b: TestBrowser;
  beforeAll(async () => {
    t = await startAdminApp({ now: () => new Date('2026-11-28T03:00:00Z') });
    addUser(t.app, 'xem', ['viewer']);
    b = await openBrowser();
    await loginAs(b, t.url, 'xem');
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('a period typed day first gives its page and its workbook', async () => {
    const page = b.page;
    await page.goto(`${t.url}/admin/report`);
    await page.fill('input[name=from]', '15/12/2025');
    await page.fill('input[name=to]', '14/12/2026');
    await Promise.all([page.waitForURL(/from=/), page.click('text=Xem kỳ báo cáo')]);
    expect(await page.textContent('h1')).toBe('Báo cáo năm 2026 · kỳ 15/12/2025 - 14/12/2026');
    expect(await page.inputValue('input[name=from]')).toBe('15/12/2025');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Tải về Excel (.xlsx)')]);
    expect(download.suggestedFilename()).toBe('bao-cao-15-12-2025-den-14-12-2026.xlsx');
    const x = readXlsx(readFileSync((await download.path())!));
    const row = x.rows.findIndex((r) => r[1] === 'Kỳ báo cáo');
    expect(x.rows[row]![3]).toBe('15/12/2025 - 14/12/2026');

    // A date that does not exist: the reason, and the form to correct it.
    await page.fill('input[name=to]', '31/11/2026');
    await Promise.all([page.waitForURL(/31%2F11/), page.click('text=Xem kỳ báo cáo')]);
    expect(await page.textContent('[role=alert]')).toContain('không có ngày 31 trong tháng 11/2026');
    expect(await page.inputValue('input[name=to]')).toBe('31/11/2026');
  });
});
