/**
 * Screenshots for docs/training.md, taken in real Chromium (not part of the test suite):
 *
 *   node bin/run-ts.js scripts/training-screenshots.ts [--out docs/screenshots]
 *
 * Starts the app on a copy of the sample content with a fresh database (no platform: nothing
 * is sent), imports a sample list of officials, marks some of them trained as a passed test
 * does, then shows what staff see: the import page refusing a bad file by line, the coverage per
 * group and unit against the plan's targets, the untrained list, and the yearly report's
 * training section. Each page is saved as a PNG (1366×768). Needs Debian's Chromium at
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
import { importOfficials, listOfficials, type OfficialInput } from '../src/db/training.js';

const CHROMIUM = '/usr/bin/chromium';
const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/screenshots' } } });
const out = resolve(values.out!);
if (!existsSync(CHROMIUM)) {
  console.error(`screenshots: ${CHROMIUM} not found; install Debian's chromium package (as .ci/run does)`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });

const work = mkdtempSync(join(tmpdir(), 'loa-training-shots-'));
const contentDir = join(work, 'content');
cpSync('content', contentDir, { recursive: true });
mkdirSync(join(work, 'data'));
const config = createConfig(
  { LOA_HTTP_PORT: '0', LOA_DATA_DIR: join(work, 'data'), LOA_CONTENT_DIR: contentDir, LOA_LOG_LEVEL: 'silent', LOA_SEARCH_THREADS: '0' },
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
  createUser(db, { username: 'to-chuc', displayName: 'Nguyễn Thị Lan', roles: ['quiz_organizer'], password: 'to-chuc-mat-khau-1' });

  // A sample list: four groups, a few units, some officials already trained.
  const o = (name: string, unit: string, groupId: string, region: string | null, id: number): OfficialInput => ({ name, unit, groupId, region, channel: 'telegram', externalId: String(id) });
  importOfficials(db, [
    o('Nguyễn Văn An', 'Văn phòng UBND tỉnh', 'quyen-con-nguoi', null, 8001),
    o('Trần Thị Bích', 'Văn phòng UBND tỉnh', 'quyen-con-nguoi', null, 8002),
    o('Lê Văn Cường', 'UBND xã Phố Hiến', 'quyen-con-nguoi', 'pho-hien', 8003),
    o('Phạm Thị Dung', 'UBND xã Sơn Nam', 'quyen-con-nguoi', 'son-nam', 8004),
    o('Hoàng Văn Em', 'Sở Văn hoá, Khoa học và Thông tin', 'thong-tin-truyen-thong', null, 8005),
    o('Vũ Thị Giang', 'Sở Văn hoá, Khoa học và Thông tin', 'thong-tin-truyen-thong', null, 8006),
    o('Đỗ Văn Hải', 'Báo Hưng Yên', 'thong-tin-doi-ngoai', null, 8007),
    o('Bùi Thị Hương', 'Báo Hưng Yên', 'thong-tin-doi-ngoai', null, 8008),
    o('Ngô Văn Khánh', 'Hội Nông dân tỉnh', 'to-chuc-chinh-tri-xa-hoi', null, 8009),
    o('Đặng Thị Lan', 'Hội Liên hiệp Phụ nữ tỉnh', 'to-chuc-chinh-tri-xa-hoi', null, 8010),
    // The plan's groups overlap: she also does the Women's Union's human-rights work (two rows).
    o('Đặng Thị Lan', 'Hội Liên hiệp Phụ nữ tỉnh', 'quyen-con-nguoi', null, 8010),
    o('Dương Văn Minh', 'Tỉnh đoàn', 'to-chuc-chinh-tri-xa-hoi', null, 8011),
  ]);
  // Trained as a passed test marks them (training_attempts + trained_at): here directly, for the pictures.
  const trained = new Set(['8001', '8002', '8003', '8005', '8007', '8008', '8009', '8010']);
  const mark = db.prepare(`UPDATE training_officials SET trained_at = ? WHERE id = ?`);
  for (const x of listOfficials(db)) if (trained.has(x.externalId)) mark.run(new Date().toISOString(), x.id);

  const page: Page = browser.pages()[0] ?? (await browser.newPage());
  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
    console.log(`  ${join(values.out!, `${name}.png`)}`);
  };
  await page.goto(`${url}/admin/login`);
  await page.fill('input[name=username]', 'to-chuc');
  await page.fill('input[name=password]', 'to-chuc-mat-khau-1');
  await Promise.all([page.waitForURL(/\/admin(\/password)?$/), page.click('button[type=submit]')]);

  // 1. The import page refusing a bad file, each problem by line.
  await page.goto(`${url}/admin/training/import`);
  await page.fill(
    'textarea[name=csv]',
    [
      'name,unit,group,region,channel,external_id',
      'Lý Văn Nghĩa,UBND xã Hồng Châu,quyen-con-nguoi,hong-chau,telegram,8012',
      'Mai Thị Oanh,Hội Cựu chiến binh tỉnh,chinh-tri-xa-hoi,,telegram,8013',
      'Tạ Văn Phúc,UBND xã Mỹ Hào,quyen-con-nguoi,my-hao,viber,8014',
    ].join('\n'),
  );
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/admin/training/import"] button')]);
  await page.locator('[data-problems]').evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await shot('training-import');

  // 2. Coverage per group and unit against the plan's targets.
  await page.goto(`${url}/admin/training`);
  await shot('training-coverage');

  // 3. The untrained.
  await page.goto(`${url}/admin/training/officials?chua=1`);
  await shot('training-untrained');

  // 4. The yearly report's section.
  await page.goto(`${url}/admin/report`);
  await page.locator('h2:has-text("6. Cập nhật thông tin")').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await shot('training-report');
  console.log('screenshots: done');
} finally {
  await browser.close();
  await app.stop();
  rmSync(profile, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
