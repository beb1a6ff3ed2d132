/**
 * One broken content file does not freeze publishing (issue 16, item 5): while a hand-edited
 * file is invalid, a Q&A approved in the admin goes live, staff are told which file is broken
 * (and that its last good version keeps serving), and the content list names it and links to a
 * page with the file's errors and text (no longer a 404), where it can be fixed (the raw editor:
 * broken-content-editor.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

const BROKEN = 'qa/bao-hiem-y-te/bhyt-ho-ngheo.md';
let t: Awaited<ReturnType<typeof startAdminApp>>;
let editor: AdminClient;
let approver: AdminClient;

beforeAll(async () => {
  t = await startAdminApp();
  editor = new AdminClient(t.url);
  approver = new AdminClient(t.url);
  expect((await editor.login('bien', addUser(t.app, 'bien', ['editor']))).status).toBe(303);
  expect((await approver.login('duyet', addUser(t.app, 'duyet', ['approver']))).status).toBe(303);
  // Someone edits an approved file by hand and breaks its front matter.
  const path = join(t.contentDir, BROKEN);
  writeFileSync(path, readFileSync(path, 'utf8').replace(/^status: approved$/m, 'status: duyet'));
  await t.app.knowledge.reload();
});
afterAll(async () => {
  await t.close();
});

describe('a broken file while staff publish', () => {
  it('an approval goes live and names the broken file', async () => {
    expect(t.app.knowledge.getQa('bhyt-ho-ngheo')?.status).toBe('approved'); // its last good version
    const saved = await editor.post('/admin/content/qa/new', {
      id: 'le-phi-cap-lai-the',
      question: 'Cấp lại thẻ bảo hiểm y tế có mất phí không?',
      answer: 'Không mất phí.',
      topics: 'bao-hiem-y-te',
      sources: 'Luật Bảo hiểm y tế | Điều 16',
    });
    expect(saved.status).toBe(303);
    const approved = await approver.post('/admin/content/qa/le-phi-cap-lai-the/approve');
    expect(approved.status).toBe(303);
    const msg = decodeURIComponent(approved.location!);
    expect(msg).toContain('Đã phê duyệt. Bot dùng nội dung này ngay từ bây giờ.');
    expect(msg).toContain(`1 tệp nội dung khác đang lỗi (${BROKEN})`);
    expect(t.app.knowledge.getQa('le-phi-cap-lai-the')?.status).toBe('approved');
    expect(t.app.knowledge.getQa('bhyt-ho-ngheo')?.status).toBe('approved');
  });

  it('the content list names the broken file and says the rest is live', async () => {
    const page = await editor.get('/admin/content');
    expect(page.text).toContain(`<code>${BROKEN}</code></a> · Dòng 14: Trạng thái (status): giá trị không được chấp nhận`);
    expect(page.text).toContain('các mục khác vẫn được cập nhật');
  });

  it('the broken file opens from the list: its errors, its text, and that its last good version is served', async () => {
    const list = await editor.get('/admin/content');
    expect(list.text).toContain(`<a href="/admin/content/qa/bhyt-ho-ngheo"><code>${BROKEN}</code></a>`);
    const page = await editor.get('/admin/content/qa/bhyt-ho-ngheo');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Tệp nội dung bị lỗi');
    // The error in Vietnamese, by line and field (the raw editor's wording, test/admin/broken-content-editor.test.ts).
    expect(page.text).toContain('<strong>Dòng 14</strong> <code>status: duyet</code>: Trạng thái (status): giá trị không được chấp nhận (chỉ nhận: draft, approved, retired)');
    expect(page.text).toContain('status: duyet');
    expect(page.text).toContain('bot vẫn dùng bản tốt trước đó');
    expect((await editor.get('/admin/content/qa/khong-co-muc-nay')).status).toBe(404);
  });
});
