/**
 * Screenshots for docs/disinformation.md, taken in real Chromium (not part of the test suite):
 *
 *   node bin/run-ts.js scripts/disinfo-screenshots.ts [--out docs/screenshots]
 *
 * Starts the app on a copy of the sample content with a fresh database, against the fake
 * Telegram and Zalo servers of the tests (loopback only), seeds a few reported cases, then does
 * what staff and a citizen do: a visitor reports a link in the web chat, an editor triages the
 * case in the admin pages, writes the correction from the case, another person approves it, the
 * editor closes the case (the reporters are told), and the yearly report counts it. Each step is
 * saved as a PNG (1366×768, like test/admin/browser.test.ts). Needs Debian's Chromium at
 * /usr/bin/chromium (`.ci/run` installs it).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { chromium, type Page } from 'playwright-core';
import { createConfig } from '../src/config.js';
import { createApp } from '../src/app.js';
import { createUser } from '../src/db/users.js';
import { upsertPerson } from '../src/db/people.js';
import { listCases, recordReport, setCaseStatus } from '../src/db/disinfo.js';
import { startFakeTelegram } from '../test/support/fake-telegram.js';
import { startFakeZalo, zaloEnv } from '../test/support/fake-zalo.js';

const CHROMIUM = '/usr/bin/chromium';
const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/screenshots' } } });
const out = resolve(values.out!);
if (!existsSync(CHROMIUM)) {
  console.error(`screenshots: ${CHROMIUM} not found; install Debian's chromium package (as .ci/run does)`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });

const work = mkdtempSync(join(tmpdir(), 'loa-disinfo-shots-'));
const contentDir = join(work, 'content');
cpSync('content', contentDir, { recursive: true });
mkdirSync(join(work, 'data'));
const tg = await startFakeTelegram();
const zalo = await startFakeZalo();
const config = createConfig(
  {
    LOA_HTTP_PORT: '0',
    LOA_DATA_DIR: join(work, 'data'),
    LOA_CONTENT_DIR: contentDir,
    LOA_LOG_LEVEL: 'silent',
    LOA_SEARCH_THREADS: '0',
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.apiRoot,
    TELEGRAM_MODE: 'polling',
    ...zaloEnv(zalo),
  },
  {
    name: 'Loa – Trợ lý thông tin (bản mẫu)',
    greeting: 'Xin chào! Tôi là Loa.',
    regions_root: 'hung-yen',
    staff_contact: { name: 'Phòng Thông tin cơ sở (bản mẫu)', phone: '0221 000 0000' },
  },
);
const app = await createApp(config, { logger: pino({ level: 'silent' }), watchContent: false });
const url = await app.start();
const profile = mkdtempSync(join(tmpdir(), 'loa-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1366, height: 768 },
  locale: 'vi-VN',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

try {
  const db = app.db;
  const PASSWORD = (u: string) => `${u}-mat-khau-1`;
  createUser(db, { username: 'bien-tap', displayName: 'Nguyễn Thị Lan', roles: ['editor', 'broadcaster'], password: PASSWORD('bien-tap') });
  createUser(db, { username: 'duyet', displayName: 'Trần Văn Hoà', roles: ['approver'], password: PASSWORD('duyet') });

  // A few cases reported earlier this year, at different steps.
  const now = new Date();
  const daysAgo = (d: number, h = 9) => new Date(now.getTime() - d * 86_400_000 - h * 3_600_000);
  const person = (channel: 'telegram' | 'zalo' | 'web', id: string, region: string | null = null) => {
    const p = upsertPerson(db, channel, id, undefined, daysAgo(60));
    if (region) db.prepare('UPDATE people SET region = ? WHERE id = ?').run(region, p.id);
    return p.id;
  };
  const report = (personId: number, channel: string, text: string, topic: string, platform: string, at: Date, region: string | null = null, mediaRef?: string) =>
    recordReport(db, { personId, channel, region, text, topic, platform, mediaRef: mediaRef ?? null }, at);
  const fb = 'https://m.facebook.com/groups/4455/posts/7312/?utm_source=share&mibextid=Zx9';
  report(person('telegram', '700101'), 'telegram', fb, 'bao-hiem-y-te', 'facebook', daysAgo(2));
  report(person('zalo', '8713451786543210101'), 'zalo', 'http://www.facebook.com/groups/4455/posts/7312', 'bao-hiem-y-te', 'zalo', daysAgo(1));
  const tt = report(person('telegram', '700102', 'pho-hien'), 'telegram', 'https://www.tiktok.com/@tin.nong.24h/video/7441?is_from_webapp=1', 'tro-giup-xa-hoi', 'tiktok', daysAgo(5), 'pho-hien');
  setCaseStatus(db, tt.caseId, { status: 'checking', note: 'Đã hỏi Phòng Lao động – Thương binh và Xã hội', actor: 'duyet' }, daysAgo(4));
  const rumour = 'Từ tháng sau người dân phải nộp phí mới được làm căn cước cho trẻ em dưới 6 tuổi, ai không nộp sẽ bị phạt';
  const r1 = report(person('zalo', '8713451786543210102', 'son-nam'), 'zalo', rumour, 'ho-tich', 'zalo', daysAgo(20), 'son-nam');
  report(person('web', 'w-shots-visitor-2'), 'web', `${rumour}!!`, 'ho-tich', 'zalo', daysAgo(19));
  setCaseStatus(db, r1.caseId, { status: 'not_false', note: 'Đúng quy định: làm căn cước cho trẻ dưới 6 tuổi không mất phí, nhưng tin không nói sai về thời hạn', actor: 'duyet' }, daysAgo(18));
  const yt = report(person('telegram', '700103'), 'telegram', 'https://youtu.be/Zx81abc?si=share', 'quyen-con-nguoi', 'youtube', daysAgo(40));
  setCaseStatus(db, yt.caseId, { status: 'confirmed_false', evidence: 'Đối chiếu với thông cáo báo chí của UBND tỉnh', actor: 'duyet' }, daysAgo(39));
  setCaseStatus(db, yt.caseId, { status: 'handled', outcome: 'platform', note: 'Đã báo cáo YouTube theo quy trình', actor: 'duyet' }, daysAgo(38));
  report(person('telegram', '700104'), 'telegram', 'Ảnh chụp bài đăng trong nhóm Zalo của khu phố', 'khac', 'zalo', daysAgo(0, 2), null, 'AgACAgUAAxkBAAIBQ2-sample');

  const page: Page = browser.pages()[0] ?? (await browser.newPage());
  page.on('dialog', (d) => void d.accept());
  /** Saves the viewport; `top` scrolls the page (and the chat log) to the top first. */
  const shot = async (name: string, top = true): Promise<void> => {
    if (top)
      await page.evaluate(() => {
        window.scrollTo(0, 0);
        document.querySelector('loa-chat')?.shadowRoot?.querySelector('.loa-log')?.scrollTo(0, 0);
      });
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
    console.log(`  ${join(values.out!, `${name}.png`)}`);
  };

  // 1. A citizen reports the same post in the web chat, with other tracking parameters.
  await page.goto(url);
  const say = async (text: string) => {
    await page.fill('.loa-form textarea', text);
    await page.click('.loa-form button');
  };
  const choose = async (label: string) => {
    await page.locator('.loa-btns button', { hasText: label }).last().click();
  };
  await say('/baocao https://facebook.com/groups/4455/posts/7312?utm_source=zalo&utm_medium=chat');
  await page.waitForSelector('text=Tin này nói về vấn đề gì?');
  await choose('Bảo hiểm y tế');
  await page.waitForSelector('text=Bạn thấy tin này ở đâu?');
  await choose('Facebook');
  await page.waitForSelector('text=Mã số báo cáo');
  await shot('disinfo-webchat-report', false);
  const fbCase = listCases(db).find((c) => c.url === 'https://facebook.com/groups/4455/posts/7312');
  if (!fbCase || fbCase.reporterCount !== 3) throw new Error(`screenshots: expected one Facebook case with 3 reporters, got ${JSON.stringify(fbCase)}`);

  const login = async (username: string) => {
    await browser.clearCookies();
    await page.goto(`${url}/admin/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD(username));
    await Promise.all([page.waitForURL(/\/admin(\/password)?$/), page.click('button[type=submit]')]);
  };

  // 2. The queue, most reported first.
  await login('bien-tap');
  await page.goto(`${url}/admin/disinfo?xep=nhieu`);
  await shot('disinfo-queue');

  // 3. The case: confirm it false with evidence.
  await page.click(`text=${fbCase.number}`);
  await page.selectOption('select[name=status]', 'confirmed_false');
  await page.fill('textarea[name=note]', 'Nội dung sai: thẻ BHYT không bị khoá vì chưa cập nhật căn cước');
  await page.fill('textarea[name=evidence]', 'Công văn số 45/BHXH-TT của Bảo hiểm xã hội tỉnh');
  await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Lưu bước xử lý")')]);
  await shot('disinfo-case-confirmed');

  // 4. The correction, written from the case.
  await Promise.all([page.waitForURL(/\/admin\/content\/qa\/new\?vuviec=/), page.click('text=Soạn hỏi đáp đính chính')]);
  await page.fill('input[name=id]', 'dinh-chinh-the-bhyt-bi-khoa');
  await page.fill('input[name=question]', 'Thông tin chính xác về việc thẻ bảo hiểm y tế “bị khoá” nếu chưa cập nhật căn cước');
  await page.fill('textarea[name=answer]', 'Thẻ bảo hiểm y tế không bị khoá vì chưa cập nhật căn cước. Người dân vẫn dùng thẻ (hoặc căn cước gắn chip) để khám chữa bệnh như bình thường. Tin lan truyền trên mạng xã hội về việc “khoá thẻ” là sai sự thật.');
  await page.fill('textarea[name=sources]', 'Công văn số 45/BHXH-TT của Bảo hiểm xã hội tỉnh');
  await shot('disinfo-correction-draft');
  await Promise.all([page.waitForURL(/\/admin\/content\/qa\/dinh-chinh-the-bhyt-bi-khoa/), page.click('text=Lưu bản nháp')]);

  // 5. Another person approves it.
  await login('duyet');
  await page.goto(`${url}/admin/content/qa/dinh-chinh-the-bhyt-bi-khoa`);
  await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Phê duyệt")')]);

  // 6. The editor closes the case; the three reporters are told.
  await login('bien-tap');
  await page.goto(`${url}/admin/disinfo/${fbCase.id}`);
  await page.selectOption('select[name=status]', 'handled');
  await page.selectOption('select[name=outcome]', 'correction');
  await page.fill('textarea[name=note]', 'Đã đăng hỏi đáp đính chính; bot trả lời người hỏi về tin này');
  await Promise.all([page.waitForURL(/msg=/), page.click('button:has-text("Lưu bước xử lý")')]);
  await shot('disinfo-case-handled');
  await page.locator('h2:has-text("Các bước đã làm")').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await shot('disinfo-case-steps', false);

  // 7. The visitor comes back to the web chat and reads the outcome.
  await app.sender.drain();
  await page.goto(url);
  await page.waitForSelector('text=Kết quả xử lý báo cáo');
  // The held outcome and the greeting arrive in either order: show the outcome at the top.
  await page.locator('text=Kết quả xử lý báo cáo').evaluate((e) => {
    const log = document.querySelector('loa-chat')?.shadowRoot?.querySelector('.loa-log');
    if (log) log.scrollTop += e.getBoundingClientRect().top - log.getBoundingClientRect().top - 12;
    window.scrollTo(0, 0);
  });
  await shot('disinfo-webchat-outcome', false);

  // 8. The yearly report's section.
  await page.goto(`${url}/admin/report?year=${now.getUTCFullYear()}`);
  await page.locator('h2:has-text("5. Tin giả")').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await shot('disinfo-report', false);
  console.log(`screenshots: done (${listCases(db).length} cases)`);
} finally {
  await browser.close();
  await app.inbox.drain();
  await app.stop();
  await tg.close();
  await zalo.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
