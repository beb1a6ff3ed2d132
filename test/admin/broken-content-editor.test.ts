/**
 * Staff fix a broken content file from the admin pages (issue 16, item 5): the raw editor checks
 * the text with the loader's parser and refuses an invalid fix with Vietnamese errors naming the
 * field and line, keeping what was typed; a valid fix is the entry's pending revision (the same
 * flow as form edits), its author cannot approve it, another approver can, and then the file is
 * rewritten, leaves the broken list, and the bot answers from it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/audit.js';
import { openRevision } from '../../src/db/revisions.js';
import { AdminClient, addUser, startAdminApp } from './support.js';

const ID = 'nuoi-ong-trong-khu-dan-cu';
const FILE = `qa/chinh-quyen-dia-phuong/${ID}.md`;
const QUESTION = 'Nuôi ong lấy mật trong khu dân cư có cần xin phép phường không?';
const ANSWER = 'Nuôi ong lấy mật trong khu dân cư không cần giấy phép, nhưng thùng ong phải đặt cách nhà bên cạnh ít nhất 10 mét.';

/**
 * A file written by hand, broken: the colon after `status` forgotten (line 8). (An unquoted colon
 * in the question, the example before, is now read as staff meant it: lenientFrontMatter.)
 */
const BROKEN = `---
id: ${ID}
question: ${QUESTION}
topics: [chinh-quyen-dia-phuong]
sources:
  - title: Luật Chăn nuôi 2018
    article: Điều 58
status approved
reviewed_by: Tổ biên tập
reviewed_at: 2026-11-30
---
${ANSWER}
`;

/** The fix as staff type it in a browser (textarea line ends are CRLF). */
const FIXED = BROKEN.replace('status approved', 'status: approved').replace(/\n/g, '\r\n');

/** What Eta's escaping makes of a text inside the page. */
const html = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

let t: Awaited<ReturnType<typeof startAdminApp>>;
let a: AdminClient;
let b: AdminClient;

const chat = async (session: string, text: string): Promise<string> => {
  const res = await fetch(`${t.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session, text }) });
  expect(res.status).toBe(200);
  return JSON.stringify(await res.json());
};

beforeAll(async () => {
  t = await startAdminApp();
  a = new AdminClient(t.url);
  b = new AdminClient(t.url);
  // A may edit and approve: the four-eyes rule, not the role, must stop A approving A's own fix.
  expect((await a.login('bien', addUser(t.app, 'bien', ['editor', 'approver']))).status).toBe(303);
  expect((await b.login('duyet', addUser(t.app, 'duyet', ['approver']))).status).toBe(303);
  writeFileSync(join(t.contentDir, FILE), BROKEN);
  await t.app.knowledge.reload();
});
afterAll(async () => {
  await t?.close();
});

describe('fixing a broken file in the admin editor', () => {
  it('opens the broken file in the editor with its errors in Vietnamese, by line', async () => {
    expect(t.app.knowledge.errors.map((e) => e.file)).toEqual([FILE]);
    const list = await a.get('/admin/content');
    expect(list.text).toContain(`<a href="/admin/content/qa/${ID}"><code>${FILE}</code></a>`);
    expect(list.text).toContain(`<code>${FILE}</code></a> · Dòng 8: Sai cú pháp YAML`);
    const page = await a.get(`/admin/content/qa/${ID}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Tệp nội dung bị lỗi');
    expect(page.text).toContain('Mục này chưa được bot dùng cho tới khi tệp được sửa.');
    expect(page.text).toMatch(/<li data-line="8"><strong>Dòng 8<\/strong> <code>status approved<\/code>: Sai cú pháp YAML/);
    expect(page.text).toContain(`<textarea name="text"`);
    expect(page.text).toContain(html(BROKEN.trimEnd()));
  });

  it('refuses an invalid fix with Vietnamese errors naming field and line, and keeps the typed text', async () => {
    const typed = FIXED.replace('topics: [chinh-quyen-dia-phuong]', 'topics: [chinh-quyen]').replace('status: approved', 'status: duyet');
    const res = await a.post(`/admin/content/qa/${ID}/file`, { text: typed });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Chưa lưu được, hãy sửa các lỗi sau');
    expect(res.text).toContain('Dòng 8</strong> <code>status: duyet</code>: Trạng thái (status): giá trị không được chấp nhận (chỉ nhận: draft, approved, retired)');
    // Exactly as typed, CRLF and all: nothing the person wrote is lost.
    expect(res.text).toContain(`data-raw>\n${html(typed)}</textarea>`);
    expect(openRevision(t.app.db, 'qa', ID)).toBeUndefined();

    // The schema passes, the reference check (the loader's) does not.
    const badTopic = FIXED.replace('topics: [chinh-quyen-dia-phuong]', 'topics: [chinh-quyen]');
    const res2 = await a.post(`/admin/content/qa/${ID}/file`, { text: badTopic });
    expect(res2.status).toBe(400);
    expect(res2.text).toContain('Dòng 4</strong> <code>topics: [chinh-quyen]</code>: Chủ đề (topics[1]): “chinh-quyen” không có trong danh sách chủ đề (topics.yaml)');
    expect(res2.text).toContain(html(badTopic));
    expect(openRevision(t.app.db, 'qa', ID)).toBeUndefined();
    expect(readFileSync(join(t.contentDir, FILE), 'utf8')).toBe(BROKEN);
  });

  it('a valid fix waits for approval; its author cannot approve it, another approver can; then the bot answers from it', async () => {
    expect(await chat('raw-editor-1', QUESTION)).not.toContain('thùng ong phải đặt cách');

    const saved = await a.post(`/admin/content/qa/${ID}/file`, { text: FIXED });
    expect(saved.status).toBe(303);
    expect(decodeURIComponent(saved.location!)).toContain('Đã lưu bản sửa, đang chờ phê duyệt.');
    const rev = openRevision(t.app.db, 'qa', ID);
    expect(rev?.editors).toEqual(['bien']);
    expect(rev?.text).toBe(FIXED.replace(/\r\n/g, '\n'));
    // Pending: the file and what the bot serves are unchanged.
    expect(readFileSync(join(t.contentDir, FILE), 'utf8')).toBe(BROKEN);
    expect(t.app.knowledge.getQa(ID)).toBeUndefined();
    expect((await a.get('/admin/content')).text).toContain('Có bản sửa chờ duyệt');
    const audit = listAudit(t.app.db, { action: 'content.revise_file', targetType: 'qa', targetId: ID });
    expect(audit.map((x) => [x.actor, x.details?.text])).toEqual([['bien', `Sửa tệp lỗi “${FILE}” trong trang quản trị: bản sửa chờ phê duyệt`]]);

    // A (who also holds the approver role) is not offered the button, and is refused.
    const aPage = await a.get(`/admin/content/qa/${ID}/file`);
    expect(aPage.text).toContain('Bạn đã sửa bản này nên không tự phê duyệt được');
    expect(aPage.text).not.toContain('Phê duyệt bản sửa</button>');
    const refused = await a.post(`/admin/content/qa/${ID}/approve`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Người soạn không tự phê duyệt');
    expect(openRevision(t.app.db, 'qa', ID)?.status).toBe('pending');
    expect(readFileSync(join(t.contentDir, FILE), 'utf8')).toBe(BROKEN);

    // B approves: the file is rewritten, reloaded, gone from the broken list, and answers.
    const bPage = await b.get(`/admin/content/qa/${ID}`);
    expect(bPage.text).toContain('Phê duyệt bản sửa</button>');
    const approved = await b.post(`/admin/content/qa/${ID}/approve`);
    expect(approved.status).toBe(303);
    expect(decodeURIComponent(approved.location!)).toContain('Đã phê duyệt thay đổi. Bot dùng bản mới ngay từ bây giờ.');
    const written = readFileSync(join(t.contentDir, FILE), 'utf8');
    expect(written).toContain(`question: ${QUESTION}`);
    expect(written).toMatch(/^reviewed_by: duyet$/m);
    expect(written).not.toContain('\r');
    expect(t.app.knowledge.errors).toEqual([]);
    expect(t.app.knowledge.getQa(ID)?.status).toBe('approved');
    const list = await b.get('/admin/content');
    expect(list.text).not.toContain(FILE);
    expect(list.text).not.toContain('lỗi trong các tệp nội dung');
    expect(await chat('raw-editor-2', QUESTION)).toContain('thùng ong phải đặt cách nhà bên cạnh ít nhất 10 mét');
    expect(listAudit(t.app.db, { action: 'content.approve', targetType: 'qa', targetId: ID }).map((x) => x.actor)).toEqual(['duyet']);
  });

  it('opens a valid entry in the same editor; a raw change of an approved entry is its pending revision too', async () => {
    const page = await b.get(`/admin/content/qa/${ID}`);
    expect(page.text).toContain(`href="/admin/content/qa/${ID}/file"`);
    const raw = await b.get(`/admin/content/qa/${ID}/file`);
    expect(raw.status).toBe(200);
    expect(raw.text).toContain('Sửa trực tiếp tệp nội dung');
    expect((await b.post(`/admin/content/qa/${ID}/file`, { text: FIXED })).status).toBe(403); // approver only: no content.edit
    expect((await a.get(`/admin/content/qa/khong-co-muc-nay/file`)).status).toBe(404);
  });
});
