/**
 * The province compares its communes' yearly reports. Before, province staff could only make the
 * whole province's report (a commune's figures came only from that commune's own account), and
 * every commune's download was called bao-cao-YYYY.xlsx, so the files received from twenty
 * communes overwrote each other in one folder. Now province staff choose “Địa bàn” on the report
 * page (or `loa report --region`), get the commune's report exactly as the commune's account
 * makes it, and each file is named after its region.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { parseCsv } from '../../src/text/csv.js';
import { readFileSync } from 'node:fs';
import { readXlsx } from '../support/xlsx.js';
import { run as reportCli } from '../../src/cli/report.js';
import { vietnamYear } from '../../src/time/vietnam.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let province: AdminClient;
let phoHien: AdminClient;
let sonNam: AdminClient;
const year = vietnamYear(new Date());

beforeAll(async () => {
  t = await startAdminApp();
  const db = t.app.db;
  const now = new Date().toISOString();
  const person = db.prepare(`INSERT INTO people (id, channel, external_id, region, created_at, consent_at) VALUES (?, 'telegram', ?, ?, ?, ?)`);
  person.run(9101, 'ext-9101', 'pho-hien', now, now);
  person.run(9102, 'ext-9102', 'son-nam', now, now);
  person.run(9103, 'ext-9103', 'son-nam', now, now);
  person.run(9104, 'ext-9104', null, now, now);
  const q = db.prepare(`INSERT INTO questions (person_id, channel, answered, created_at) VALUES (?, 'telegram', 1, ?)`);
  for (const id of [9101, 9102, 9102, 9103, 9104]) q.run(id, now);
  province = new AdminClient(t.url);
  phoHien = new AdminClient(t.url);
  sonNam = new AdminClient(t.url);
  expect((await province.login('so-tinh', addUser(t.app, 'so-tinh', ['viewer']))).status).toBe(303);
  expect((await phoHien.login('xa-pho-hien', addUser(t.app, 'xa-pho-hien', ['viewer'], 'pho-hien'))).status).toBe(303);
  expect((await sonNam.login('xa-son-nam', addUser(t.app, 'xa-son-nam', ['viewer'], 'son-nam'))).status).toBe(303);
});
afterAll(async () => {
  await t.close();
});

/** The report CSV's rows without the time it was made, and the download's file name. */
async function csv(c: AdminClient, query: string): Promise<{ rows: string[][]; file: string | null }> {
  const res = await c.get(`/admin/report.csv?${query}`);
  expect(res.status).toBe(200);
  const file = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? null;
  return { rows: parseCsv(res.text).filter((r) => r[1] !== 'Lập lúc' && r[1] !== 'Số liệu tính đến'), file };
}

const asked = (rows: string[][]) => rows.find((r) => r[1] === 'Câu hỏi đã nhận' && r[2] === 'tất cả')?.[3];

describe('the province compares its communes’ reports', () => {
  it('province staff choose a commune and get the report its account makes, named after it', async () => {
    const page = await province.get(`/admin/report?year=${year}`);
    expect(page.text).toContain('<select name="region">');
    expect(page.text).toContain('<option value="son-nam">');
    const chosen = await province.get(`/admin/report?year=${year}&region=son-nam`);
    expect(chosen.status).toBe(200);
    expect(chosen.text).toContain(`Báo cáo năm ${year} · Phường Sơn Nam`);
    expect(chosen.text).toContain('<option value="son-nam" selected>');
    // The downloads keep the commune.
    expect(chosen.text).toContain(`/admin/report.xlsx?year=${year}&amp;region=son-nam`);

    const theirs = await csv(sonNam, `year=${year}`);
    const ours = await csv(province, `year=${year}&region=son-nam`);
    expect(ours.rows).toEqual(theirs.rows);
    expect(asked(ours.rows)).toBe('3');
    expect(ours.file).toBe(`bao-cao-${year}-son-nam.csv`);
    expect(theirs.file).toBe(`bao-cao-${year}-son-nam.csv`);
    expect((await csv(phoHien, `year=${year}`)).file).toBe(`bao-cao-${year}-pho-hien.csv`);
    // The whole province: 5 questions (one asker chose no commune), under the old name.
    const all = await csv(province, `year=${year}`);
    expect(asked(all.rows)).toBe('5');
    expect(all.file).toBe(`bao-cao-${year}.csv`);
  });

  it('refuses a region outside the account or not in the regions file, saying what to do', async () => {
    const other = await phoHien.get(`/admin/report?year=${year}&region=son-nam`);
    expect(other.status).toBe(400);
    expect(other.text).toContain('địa bàn Phường Sơn Nam không thuộc phạm vi tài khoản của bạn');
    expect((await phoHien.get(`/admin/report.csv?year=${year}&region=son-nam`)).status).toBe(400);
    const unknown = await province.get(`/admin/report?year=${year}&region=khong-co`);
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('không có địa bàn “khong-co”');
    // A commune account with no region under it has nothing to choose.
    expect((await phoHien.get(`/admin/report?year=${year}`)).text).not.toContain('<select name="region">');
  });

  it('loa report --region writes the commune’s report under its name, --by-region all communes side by side', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loa-report-region-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const deps = { db: t.app.db, contentDir: t.contentDir, office: 'Sở Văn hoá' };
      expect(await reportCli(['--year', String(year), '--region', 'son-nam', '--out', out], deps)).toBe(0);
      expect(readdirSync(out).sort()).toEqual([`bao-cao-${year}-son-nam.csv`, `bao-cao-${year}-son-nam.html`, `bao-cao-${year}-son-nam.xlsx`]);
      expect(log.mock.calls.flat().join('\n')).toContain('địa bàn Phường Sơn Nam');
      // The comparison: the whole province, then each commune, one column each.
      expect(await reportCli(['--year', String(year), '--by-region', '--out', out], deps)).toBe(0);
      const table = parseCsv(readFileSync(join(out, `bao-cao-${year}-theo-dia-ban.csv`), 'utf8'));
      expect(table[0]).toEqual(['Mục', 'Chỉ tiêu', 'Nhóm', 'Toàn tỉnh', 'Phường Phố Hiến', 'Phường Sơn Nam', 'Phường Hồng Châu', 'Phường Mỹ Hào', 'Phường Thái Bình', 'Phường Trần Hưng Đạo']);
      expect(table.find((r) => r[1] === 'Câu hỏi đã nhận' && r[2] === 'tất cả')).toEqual(['3. Câu hỏi của người dân', 'Câu hỏi đã nhận', 'tất cả', '5', '1', '3', '0', '0', '0', '0']);
      // A channel used only in some communes is empty elsewhere, in its section's place.
      const telegram = table.findIndex((r) => r[1] === 'Câu hỏi đã nhận' && r[2] === 'Telegram');
      expect(table[telegram]!.slice(3)).toEqual(['5', '1', '3', '', '', '', '']);
      expect(table[telegram - 1]![0]).toBe('3. Câu hỏi của người dân');
      const book = readXlsx(readFileSync(join(out, `bao-cao-${year}-theo-dia-ban.xlsx`)));
      expect(book.rows.find((r) => r[1] === 'Câu hỏi đã nhận' && r[2] === 'tất cả')?.slice(3, 6)).toEqual([5, 1, 3]);
      expect(await reportCli(['--year', String(year), '--region', 'khong-co', '--out', out], deps)).toBe(2);
      expect(err.mock.calls.flat().join('\n')).toContain('không có địa bàn “khong-co” trong content/regions.yaml');
    } finally {
      log.mockRestore();
      err.mockRestore();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
