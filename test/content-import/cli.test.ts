/**
 * `loa content import`: the preview with --dry-run writes nothing; an import writes drafts under
 * the editor `--as` names (audited, so that person cannot approve them), leaves entries with
 * warnings out unless --force; refusals in Vietnamese. The booklet is SAMPLE text written for
 * this test; the laws cited are real (Luật Hộ tịch 2014 Điều 13, 15).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { listAudit } from '../../src/db/audit.js';
import { createUser } from '../../src/db/users.js';
import { changersSinceApproval } from '../../src/admin/four-eyes.js';
import { run } from '../../src/cli/content.js';
import { main } from '../../src/main.js';

const BOOKLET = [
  'HỎI – ĐÁP PHÁP LUẬT VỀ HỘ TỊCH (tài liệu mẫu)',
  'Câu 1. Sinh con được bao lâu thì phải đăng ký khai sinh?',
  'Trả lời: Trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con.',
  'Căn cứ pháp lý: Điều 15 Luật Hộ tịch năm 2014.',
  'Câu 2. Đăng ký khai sinh ở đâu?',
  'Trả lời: Tại Ủy ban nhân dân cấp xã.',
  'Căn cứ pháp lý: Điều 13 Luật Hộ tịch năm 2014.',
  'Câu 3. Mất giấy khai sinh thì làm thế nào?',
  'Trả lời:',
].join('\r\n');

let dir: string;
let db: Db;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loa-content-cli-'));
  cpSync('content', join(dir, 'content'), { recursive: true });
  file = join(dir, 'hoi-dap.txt');
  writeFileSync(file, BOOKLET);
  db = openDb(':memory:');
  createUser(db, { username: 'hoa', roles: ['editor'], password: 'hoa-mat-khau-1' });
  createUser(db, { username: 'xem', roles: ['viewer'], password: 'xem-mat-khau-1' });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, {
    db,
    config: { dataDir: dir, contentDir: join(dir, 'content') },
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    interactive: false,
    osUser: 'it-xa',
    now: () => new Date('2026-12-07T03:00:00Z'),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const drafts = (): string[] => readdirSync(join(dir, 'content', 'qa', 'ho-tich')).filter((f) => f.startsWith('sinh-con') || f.startsWith('dang-ky-khai-sinh-o-dau'));

describe('loa content import', () => {
  it('previews with --dry-run and writes nothing', async () => {
    const before = readdirSync(join(dir, 'content', 'qa', 'ho-tich'));
    const r = await cli(['import', file, '--topic', 'ho-tich', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Đọc được 3 mục từ hoi-dap.txt (văn bản hỏi – đáp), chủ đề Hộ tịch, khai sinh, căn cước (ho-tich): 1 mục sẵn sàng, 1 mục có cảnh báo, 1 mục không nhập được.');
    expect(r.out).toContain('  1. [Câu 1, dòng 2] Sinh con được bao lâu thì phải đăng ký khai sinh?');
    expect(r.out).toContain('     Nguồn: Luật Hộ tịch năm 2014, Điều 15');
    expect(r.out).toContain('     Mã: sinh-con-duoc-bao-lau-thi-phai-dang-ky-khai-sinh → qa/ho-tich/sinh-con-duoc-bao-lau-thi-phai-dang-ky-khai-sinh.md');
    expect(r.out).toContain('     ⚠ Cảnh báo: Câu trả lời quá ngắn (27 ký tự)');
    expect(r.out).toContain('     ✗ Lỗi: Không có câu trả lời');
    expect(r.out).toContain('dòng 1: HỎI – ĐÁP PHÁP LUẬT VỀ HỘ TỊCH (tài liệu mẫu)');
    expect(r.out).toContain('Chạy thử (--dry-run): chưa ghi gì. Bỏ --dry-run (và thêm --as TÊN) để nhập 1 mục; thêm --force để nhập cả 1 mục có cảnh báo.');
    expect(readdirSync(join(dir, 'content', 'qa', 'ho-tich'))).toEqual(before);
    expect(listAudit(db, {})).toEqual([]);
  });

  it('writes drafts under the editor --as names, audited, leaving warned entries out unless --force', async () => {
    const r = await cli(['import', file, '--topic', 'ho-tich', '--as', 'hoa']);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Đã nhập 1 câu hỏi – đáp thành bản nháp trong content/qa/. Bot chưa dùng các mục này: một người có quyền phê duyệt khác (không phải 'hoa') cần duyệt từng mục ở trang Nội dung. Chưa nhập 1 mục có cảnh báo (thêm --force để nhập cả các mục này).");
    expect(r.err).toContain("chạy không tương tác nên không hỏi mật khẩu của 'hoa'");
    expect(drafts()).toEqual(['sinh-con-duoc-bao-lau-thi-phai-dang-ky-khai-sinh.md']);
    const [imported] = listAudit(db, { action: 'content.import' });
    expect(imported).toMatchObject({ actor: 'hoa', details: { count: 1, via: 'cli', osUser: 'it-xa', passwordChecked: false } });
    // Four eyes: hoa made the draft.
    expect(changersSinceApproval(db, 'qa', 'sinh-con-duoc-bao-lau-thi-phai-dang-ky-khai-sinh')).toEqual(['hoa']);

    const forced = await cli(['import', file, '--topic', 'ho-tich', '--as', 'hoa', '--force']);
    expect(forced.code).toBe(0);
    // The first is there now (a warning), so --force writes it again under a numbered id.
    expect(drafts().sort()).toEqual(['dang-ky-khai-sinh-o-dau.md', 'sinh-con-duoc-bao-lau-thi-phai-dang-ky-khai-sinh-2.md', 'sinh-con-duoc-bao-lau-thi-phai-dang-ky-khai-sinh.md']);
  });

  it('asks a person at a terminal for the password, and writes nothing when it is wrong', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['import', file, '--topic', 'ho-tich', '--as', 'hoa'], {
      db,
      config: { dataDir: dir, contentDir: join(dir, 'content') },
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      interactive: true,
      askPassword: async () => 'sai-mat-khau',
      osUser: 'it-xa',
    });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain("content: mật khẩu của 'hoa' không đúng; chưa ghi gì.");
    expect(drafts()).toEqual([]);
    expect(listAudit(db, { action: 'cli.password_wrong' })).toHaveLength(1);
  });

  it.each([
    [['import', 'FILE', '--topic', 'ho-tich'], 2, 'content: thiếu --as <tên tài khoản>'],
    [['import', 'FILE'], 2, 'content: thiếu --topic'],
    [['import', 'FILE', '--topic', 'dat-dai', '--dry-run'], 1, 'Không có chủ đề “dat-dai”'],
    [['import', 'FILE', '--topic', 'ho-tich', '--as', 'xem'], 1, "content: 'xem' không phải tài khoản biên tập viên đang hoạt động"],
    [['import', 'khong-co.txt', '--topic', 'ho-tich', '--dry-run'], 1, 'content: không đọc được tệp khong-co.txt'],
    [['import', 'FILE', '--topic', 'ho-tich', '--bogus'], 2, "content: không có tuỳ chọn '--bogus'"],
    [['xoa'], 2, "content: không có lệnh 'xoa'"],
  ])('%j is refused in Vietnamese', async (args, code, message) => {
    const r = await cli(args.map((a) => (a === 'FILE' ? file : a)));
    expect(r.code).toBe(code);
    expect(r.err).toContain(message);
    expect(existsSync(join(dir, 'content', 'qa', 'ho-tich', 'sinh-con-duoc-bao-lau-thi-phai-dang-ky-khai-sinh.md'))).toBe(false);
  });

  it('is registered: loa content --help prints its usage', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['content', '--help'])).toBe(0);
      expect(String(log.mock.calls[0]?.[0])).toMatch(/^cách dùng:\n {2}loa content import TỆP --topic CHỦ_ĐỀ/);
    } finally {
      log.mockRestore();
    }
  });
});
