/**
 * Staff read validation errors in Vietnamese (issue 16, item 5): the Q&A form's schema messages
 * ("list at least one topic") and `loa user`'s usage and errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { ContentValidationError, buildQaText, qaFormSchema } from '../../src/admin/content-files.js';
import { loadContent } from '../../src/knowledge/content.js';
import { openDb } from '../../src/db/index.js';
import { run as userCli } from '../../src/cli/user.js';

const refs = (() => {
  const c = loadContent('content');
  return { topics: c.topics, regions: c.regions };
})();

function errorsOf(form: Record<string, unknown>): string[] {
  try {
    buildQaText(qaFormSchema.parse(form), refs);
  } catch (err) {
    if (err instanceof ContentValidationError) return err.errors.map((e) => e.message);
    throw err;
  }
  return [];
}

describe('the Q&A form says what is wrong in Vietnamese', () => {
  it('names the field and the fix', () => {
    const errors = errorsOf({ id: 'Sai Ma', question: '', answer: 'Có.', sources: '' });
    expect(errors).toContain('Chủ đề: hãy chọn ít nhất một chủ đề');
    expect(errors).toContain('Nguồn: hãy ghi ít nhất một nguồn (văn bản, điều khoản hoặc đường dẫn)');
    expect(errors.join('\n')).toMatch(/Câu hỏi: không được để trống/);
    expect(errors.join('\n')).not.toMatch(/list at least|must not be empty|cite at least|must be a slug/);
  });
});

describe('loa user speaks Vietnamese', () => {
  const io = () => {
    const err: string[] = [];
    return { err, deps: { db: openDb(':memory:'), contentDir: 'content', out: () => {}, err: (s: string) => err.push(s) } };
  };

  it.each([
    [['add', 'hoa'], /cần --role/],
    [['add', 'hoa', '--role', 'thu-ky'], /--role là các vai trò cách nhau bằng dấu phẩy/],
    [['add', 'hoa', '--role', 'editor', '--region', 'khong-co'], /không có địa bàn 'khong-co'/],
    [['add', 'hoa', '--role', 'editor', '--password', 'ngan'], /mật khẩu phải có ít nhất 10 ký tự/],
    [['passwd', 'ai-do'], /không có tài khoản 'ai-do'/],
    [['xoa', 'hoa'], /không có lệnh 'xoa'[\s\S]*cách dùng/],
    [['add', 'hoa', '--vai-tro'], /không có tuỳ chọn '--vai-tro'/],
  ])('%j', async (args, message) => {
    const { err, deps } = io();
    expect(await userCli(args, deps)).toBe(2);
    expect(err.join('\n')).toMatch(message);
  });

  it('a second account with the same name', async () => {
    const { err, deps } = io();
    expect(await userCli(['add', 'hoa', '--role', 'editor'], deps)).toBe(0);
    expect(await userCli(['add', 'hoa', '--role', 'editor'], deps)).toBe(1);
    expect(err.join('\n')).toMatch(/tài khoản 'hoa' đã có/);
  });
});

describe('an invalid form or address in the admin', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let staff: AdminClient;
  beforeAll(async () => {
    t = await startAdminApp();
    staff = new AdminClient(t.url);
    await staff.login('bien', addUser(t.app, 'bien', ['editor']));
  });
  afterAll(async () => t?.close());

  it('is refused in Vietnamese, not with zod’s English', async () => {
    const r = await staff.get('/admin/content/bai-hat/abc');
    expect(r.status).toBe(400);
    expect(r.text).toContain('Dữ liệu gửi lên không hợp lệ: (biểu mẫu): giá trị không được chấp nhận');
    expect(r.text).not.toMatch(/Invalid|expected/);
  });
});

describe('a campaign composed on a server with no sending channel', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let staff: AdminClient;
  beforeAll(async () => {
    t = await startAdminApp(); // web chat only: no Telegram, no Zalo
    staff = new AdminClient(t.url);
    await staff.login('gui', addUser(t.app, 'gui', ['broadcaster']));
  });
  afterAll(async () => t?.close());

  it('is refused with what to do, not with the CLI’s flag', async () => {
    const r = await staff.post('/admin/campaigns/new', { title: 'Thử', text: 'Mời bà con dự buổi tuyên truyền.', action: 'submit' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('chọn ít nhất một kênh gửi (Telegram, Zalo OA hoặc Zalo Bot).');
    expect(r.text).toContain('Máy chủ này chưa cấu hình kênh nào gửi được chiến dịch');
    expect(r.text).toContain('loa doctor');
    expect(r.text).not.toMatch(/--channels|campaign: /);
  });
});
