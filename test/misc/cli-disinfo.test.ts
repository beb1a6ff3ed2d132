/**
 * `loa disinfo list` (issue 17, item 3): cases with status, reporter count, first and last
 * report, platform and topic; Vietnamese for people, stable keys with --json; `--as` answers as
 * that staff account would see the admin page (permission and region scope).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';
import { recordReport, setCaseStatus } from '../../src/db/disinfo.js';
import { createUser } from '../../src/db/users.js';
import { run } from '../../src/cli/disinfo.js';
import { main } from '../../src/main.js';

const T1 = new Date('2026-03-02T03:00:00Z'); // 10:00 in Vietnam
const T2 = new Date('2026-03-05T13:30:00Z'); // 20:30 in Vietnam
let db: Db;
let a = '';
let b = '';

beforeEach(() => {
  db = openDb(':memory:');
  const p1 = upsertPerson(db, 'telegram', '7001', undefined, T1).id;
  const p2 = upsertPerson(db, 'zalo', '8713451786543210001', undefined, T1).id;
  const p3 = upsertPerson(db, 'web', 'web-session-3', undefined, T1).id;
  // One link, two reporters on two channels; a text case in Phố Hiến with a phone number in it.
  a = recordReport(db, { personId: p1, channel: 'telegram', region: null, text: 'https://www.facebook.com/tin-gia/posts/9?fbclid=x', topic: 'bao-hiem-y-te', platform: 'facebook' }, T1).number;
  recordReport(db, { personId: p2, channel: 'zalo', region: null, text: 'http://m.facebook.com/tin-gia/posts/9/', topic: 'khac', platform: 'zalo' }, T2);
  b = recordReport(
    db,
    { personId: p3, channel: 'web', region: 'pho-hien', text: 'Gọi 0912345678 để nhận tiền hỗ trợ từ xã, chỉ hôm nay', topic: 'tro-giup-xa-hoi', platform: 'zalo' },
    new Date('2026-03-04T01:00:00Z'),
  ).number;
  setCaseStatus(db, 1, { status: 'confirmed_false', actor: 'lan' }, T2);
  setCaseStatus(db, 1, { status: 'handled', outcome: 'platform', actor: 'lan' }, T2);
});
afterEach(() => db.close());

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { db, contentDir: 'content', out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('loa disinfo list', () => {
  it('--json: one object per case with the documented keys, newest last report first', async () => {
    const r = await cli(['list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as Record<string, unknown>[];
    expect(rows.map((x) => x.number)).toEqual([a, b]);
    expect(rows[0]).toEqual({
      id: 1,
      number: a,
      status: 'handled',
      outcome: 'platform',
      reporters: 2,
      firstReportAt: T1.toISOString(),
      lastReportAt: T2.toISOString(),
      platform: 'facebook',
      topic: 'bao-hiem-y-te',
      region: null,
      url: 'https://facebook.com/tin-gia/posts/9',
      text: 'https://www.facebook.com/tin-gia/posts/9?fbclid=x',
      correctionId: null,
      correctionCampaignId: null,
    });
    expect(rows[1]).toMatchObject({ number: b, status: 'new', outcome: null, reporters: 1, region: 'pho-hien', url: null });
    expect(String(rows[1]!.text)).not.toContain('0912345678');
  });

  it('prints Vietnamese for people: status, reporters, first and last report in Vietnam time, platform, topic', async () => {
    const r = await cli(['list']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('2 vụ việc:');
    expect(r.out).toContain(`${a}  Đã xử lý (Đã báo cáo nền tảng gỡ bỏ) · 2 người báo · lần đầu 02/03/2026 10:00, lần cuối 05/03/2026 20:30 · nơi thấy: Facebook · chủ đề: Bảo hiểm y tế`);
    expect(r.out).toContain(`${b}  Mới · 1 người báo`);
    expect(r.out).not.toContain('0912345678');
    expect(r.out.normalize('NFC')).toBe(r.out);
  });

  it('--status and --sort most filter and order the cases', async () => {
    expect(JSON.parse((await cli(['list', '--json', '--status', 'new'])).out).map((x: { number: string }) => x.number)).toEqual([b]);
    expect((await cli(['list', '--status', 'checking'])).out).toBe('Không có vụ việc nào ở trạng thái “Đang kiểm tra”.');
    const most = JSON.parse((await cli(['list', '--json', '--sort', 'most', '--limit', '1'])).out) as { number: string }[];
    expect(most.map((x) => x.number)).toEqual([a]);
  });

  it('--as: a province-wide viewer sees all, a ward viewer only their ward, someone without the permission nothing', async () => {
    createUser(db, { username: 'xem-tinh', roles: ['viewer'], password: 'xem-tinh-mat-khau-1' });
    createUser(db, { username: 'xem-pho-hien', roles: ['viewer'], region: 'pho-hien', password: 'xem-pho-hien-mk-1' });
    createUser(db, { username: 'phat-tin', roles: ['broadcaster'], password: 'phat-tin-mat-khau-1' });
    expect(JSON.parse((await cli(['list', '--json', '--as', 'xem-tinh'])).out)).toHaveLength(2);
    const ward = await cli(['list', '--json', '--as', 'xem-pho-hien']);
    expect(JSON.parse(ward.out).map((x: { number: string }) => x.number)).toEqual([b]);
    const refused = await cli(['list', '--as', 'phat-tin']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('không có quyền xem tin giả, tin xấu độc');
    expect((await cli(['list', '--as', 'khong-ai'])).err).toContain("không có tài khoản cán bộ 'khong-ai'");
  });

  it.each([
    [['xoa'], /không có lệnh 'xoa'[\s\S]*cách dùng/],
    [['list', '--status', 'gia'], /không có trạng thái 'gia'/],
    [['list', '--sort', 'cu'], /--sort là newest hoặc most/],
    [['list', '--limit', '0'], /--limit cần một số nguyên dương/],
    [['list', '--nhieu'], /không có tuỳ chọn '--nhieu'/],
  ])('refuses %j in Vietnamese (exit 2)', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('is listed in `loa --help`', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['--help'])).toBe(0);
      expect(String(log.mock.calls[0]?.[0])).toMatch(/\n {2}disinfo +tin giả, tin xấu độc người dân báo: list \[--json\]/);
    } finally {
      log.mockRestore();
    }
  });
});
