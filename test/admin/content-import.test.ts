/**
 * "Nhập nhiều câu hỏi – đáp" end to end: an editor pastes a booklet (sample text written for this
 * test, citing real laws), sees the preview with each entry's problems, nothing is written until
 * the confirmation; then the ticked entries are drafts, audited, that the importer cannot approve
 * and another approver can. An .xlsx upload goes the same way.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/audit.js';
import { writeSheet } from '../../src/text/xlsx.js';
import { AdminClient, addUser, startAdminApp, type Res } from './support.js';

/** Posts a multipart form, as the import pages' forms are (`enctype="multipart/form-data"`). */
async function postMultipart(client: AdminClient, path: string, fields: Record<string, string | string[]>, file?: { name: string; bytes: Buffer }): Promise<Res> {
  const form = new FormData();
  form.append('_csrf', client.csrf);
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
  if (file) form.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  const res = await fetch(client.base + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { accept: 'text/html', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    body: form,
  });
  return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location') };
}

/** The hidden fields and ticked boxes of the preview's form, as a browser would post them. */
function previewForm(html: string): Record<string, string | string[]> {
  const form = html.slice(html.indexOf('action="/admin/content/import/confirm"'));
  const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const out: Record<string, string | string[]> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) if (m[1] !== '_csrf') out[m[1]!] = unescape(m[2]!);
  out.pick = [...form.matchAll(/name="pick" value="(\d+)"[^>]*? checked>/g)].map((m) => m[1]!);
  return out;
}

const qaFiles = (dir: string, topic: string): string[] => (existsSync(join(dir, 'qa', topic)) ? readdirSync(join(dir, 'qa', topic)) : []);

// Sample booklet text written for this test (not an office's publication); the laws cited are real.
const bookletWith = (approvedQuestion: string): string => [
  'HỎI – ĐÁP PHÁP LUẬT VỀ HỘ TỊCH',
  '(Tài liệu mẫu dùng để kiểm thử)',
  '',
  '**Câu 1.** Sinh con bao lâu thì phải đi đăng ký khai sinh cho con?',
  '**Trả lời:**',
  'Trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con; trường hợp cha, mẹ không thể đăng ký thì ông, bà hoặc người thân thích khác đăng ký.',
  'Căn cứ pháp lý: Điều 15 Luật Hộ tịch năm 2014.',
  '',
  'Câu 2: Đăng ký khai sinh ở đâu?',
  'Trả lời: Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ thực hiện đăng ký khai sinh.',
  'Căn cứ pháp lý: Điều 13 Luật Hộ tịch năm 2014.',
  '',
  'Câu hỏi 3: Mất giấy khai sinh thì làm thế nào?',
  'Trả lời:',
  '',
  // An approved entry's question, word for word.
  `Câu 4. ${approvedQuestion}`,
  'Trả lời: Quyền của trẻ em được quy định tại Chương II Luật Trẻ em năm 2016, gồm quyền sống, quyền được khai sinh và có quốc tịch, quyền được chăm sóc sức khỏe.',
  'Căn cứ pháp lý: Luật Trẻ em năm 2016.',
].join('\r\n');

describe('bulk import of Q&A in the admin', { timeout: 120_000 }, () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  const hoa = (): AdminClient => staff.hoa!;
  const staff: { hoa?: AdminClient; lan?: AdminClient; viewer?: AdminClient } = {};
  let BOOKLET = '';

  beforeAll(async () => {
    t = await startAdminApp();
    addUser(t.app, 'hoa', ['editor', 'approver']);
    addUser(t.app, 'lan', ['approver']);
    addUser(t.app, 'xem', ['viewer']);
    staff.hoa = new AdminClient(t.url);
    staff.lan = new AdminClient(t.url);
    staff.viewer = new AdminClient(t.url);
    expect((await staff.hoa.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    expect((await staff.lan.login('lan', 'lan-mat-khau-1')).status).toBe(303);
    expect((await staff.viewer.login('xem', 'xem-mat-khau-1')).status).toBe(303);
    BOOKLET = bookletWith(t.app.knowledge.state.qa.find((q) => q.status === 'approved' && q.lang === 'vi')!.question);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is linked from the content list, for editors only', async () => {
    expect((await hoa().get('/admin/content')).text).toContain('href="/admin/content/import"');
    expect((await staff.viewer!.get('/admin/content')).text).not.toContain('href="/admin/content/import"');
    expect((await staff.viewer!.get('/admin/content/import')).status).toBe(403);
  });

  it('previews a pasted booklet with each entry’s problems and writes nothing', async () => {
    const before = qaFiles(t.contentDir, 'ho-tich');
    await hoa().get('/admin/content/import');
    const preview = await postMultipart(hoa(), '/admin/content/import', { text: BOOKLET, topic: 'ho-tich', source: '' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Đọc được <strong>4</strong> mục');
    expect(preview.text).toContain('Sinh con bao lâu thì phải đi đăng ký khai sinh cho con?');
    expect(preview.text).toContain('<code>sinh-con-bao-lau-thi-phai-di-dang-ky-khai-sinh</code>');
    expect(preview.text).toContain('Luật Hộ tịch năm 2014, Điều 15');
    expect(preview.text).toContain('Không có câu trả lời: thêm dòng “Trả lời:” và câu trả lời ngay sau câu hỏi.');
    expect(preview.text).toContain('Câu hỏi này đã có trong nội dung đã duyệt, từng chữ');
    expect(preview.text).toContain('HỎI – ĐÁP PHÁP LUẬT VỀ HỘ TỊCH');
    // The whole answer, line by line, to check how it was read.
    expect(preview.text).toContain('<details data-full-answer><summary>Xem toàn bộ câu trả lời</summary>Trong thời hạn 60 ngày');
    const form = previewForm(preview.text);
    // Ticked: the two clean entries; the duplicate is not, the one without an answer cannot be.
    expect(form.pick).toEqual(['1', '2']);
    expect(preview.text).toMatch(/name="pick" value="3"[^>]*disabled/);
    expect(qaFiles(t.contentDir, 'ho-tich')).toEqual(before);
    expect(listAudit(t.app.db, { action: 'content.import' })).toHaveLength(0);
  });

  it('writes the ticked entries as drafts on confirmation, audited, that the importer cannot approve', async () => {
    const preview = await postMultipart(hoa(), '/admin/content/import', { text: BOOKLET, topic: 'ho-tich', source: '' });
    const form = previewForm(preview.text);
    const done = await postMultipart(hoa(), '/admin/content/import/confirm', form);
    expect(done.status).toBe(303);
    const msg = new URL(done.location!, t.url).searchParams.get('msg')!;
    expect(msg).toContain('Đã nhập 2 câu hỏi – đáp thành bản nháp');
    const file = join(t.contentDir, 'qa', 'ho-tich', 'sinh-con-bao-lau-thi-phai-di-dang-ky-khai-sinh.md');
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('status: draft');
    expect(written).toContain('- title: Luật Hộ tịch năm 2014\n    article: Điều 15');
    expect(written).toContain('Trong thời hạn 60 ngày kể từ ngày sinh con');
    expect(written).not.toContain('Căn cứ pháp lý');
    const imports = listAudit(t.app.db, { action: 'content.import' });
    expect(imports).toHaveLength(1);
    expect(imports[0]!.actor).toBe('hoa');
    expect(imports[0]!.details).toMatchObject({ count: 2 });
    expect((imports[0]!.details as { text: string }).text).toBe('Nhập 2 câu hỏi – đáp từ văn bản hỏi – đáp dán vào thành bản nháp, chờ phê duyệt');

    // The draft is listed, not served.
    const list = await hoa().get('/admin/content?status=draft');
    expect(list.text).toContain('sinh-con-bao-lau-thi-phai-di-dang-ky-khai-sinh');
    expect(t.app.knowledge.getQa('sinh-con-bao-lau-thi-phai-di-dang-ky-khai-sinh')?.status).not.toBe('approved');

    // Four eyes: the importer is its author.
    await hoa().get('/admin/content/qa/sinh-con-bao-lau-thi-phai-di-dang-ky-khai-sinh');
    const own = await hoa().post('/admin/content/qa/sinh-con-bao-lau-thi-phai-di-dang-ky-khai-sinh/approve');
    expect(own.status).toBe(403);
    expect(own.text).toContain('Người soạn không tự phê duyệt');
    await staff.lan!.get('/admin/content/qa/sinh-con-bao-lau-thi-phai-di-dang-ky-khai-sinh');
    const other = await staff.lan!.post('/admin/content/qa/sinh-con-bao-lau-thi-phai-di-dang-ky-khai-sinh/approve');
    expect(other.status).toBe(303);
    expect(readFileSync(file, 'utf8')).toContain('status: approved');
  });

  it('numbers the id of a question imported again, and warns that it is there already', async () => {
    await hoa().get('/admin/content/import');
    const preview = await postMultipart(hoa(), '/admin/content/import', { text: BOOKLET, topic: 'ho-tich', source: '' });
    expect(preview.text).toContain('Câu hỏi này đã có trong nội dung đã duyệt, từng chữ: mục “sinh-con-bao-lau-thi-phai-di-dang-ky-khai-sinh”');
    expect(preview.text).toContain('Câu hỏi này đã có ở mục “dang-ky-khai-sinh-o-dau” (bản nháp, có thể đã nhập lần trước)');
    expect(preview.text).toContain('<code>sinh-con-bao-lau-thi-phai-di-dang-ky-khai-sinh-2</code>');
    const form = previewForm(preview.text);
    expect(form.pick).toEqual([]);
    const none = await postMultipart(hoa(), '/admin/content/import/confirm', form);
    expect(none.status).toBe(400);
    expect(none.text).toContain('Chưa chọn mục nào để nhập');
  });

  it('imports an .xlsx sheet with Vietnamese headings, the common source for rows without one', async () => {
    const bytes = await writeSheet({
      name: 'Hỏi đáp',
      rows: [
        ['DANH MỤC CÂU HỎI THƯỜNG GẶP (mẫu kiểm thử)'],
        ['STT', 'Câu hỏi', 'Trả lời', 'Căn cứ pháp lý'],
        [1, 'Người thuộc hộ nghèo có được trợ giúp pháp lý miễn phí không?', 'Có. Người thuộc hộ nghèo là người được trợ giúp pháp lý; trợ giúp pháp lý là cung cấp dịch vụ pháp lý miễn phí.', 'Điều 7 Luật Trợ giúp pháp lý năm 2017'],
        [2, 'Trẻ em có được trợ giúp pháp lý không?', 'Có. Trẻ em là một trong những người được trợ giúp pháp lý miễn phí theo quy định của pháp luật.', ''],
      ],
    });
    await hoa().get('/admin/content/import');
    const preview = await postMultipart(hoa(), '/admin/content/import', { text: '', topic: 'tro-giup-phap-ly', source: 'Luật Trợ giúp pháp lý năm 2017 | Điều 7' }, { name: 'hoi-dap.xlsx', bytes });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Đọc được <strong>2</strong> mục từ tệp hoi-dap.xlsx (bảng Excel)');
    expect(preview.text).toContain('(nguồn chung)');
    const done = await postMultipart(hoa(), '/admin/content/import/confirm', previewForm(preview.text));
    expect(done.status).toBe(303);
    const second = readFileSync(join(t.contentDir, 'qa', 'tro-giup-phap-ly', 'tre-em-co-duoc-tro-giup-phap-ly-khong.md'), 'utf8');
    expect(second).toContain('title: Luật Trợ giúp pháp lý năm 2017');
    expect(second).toContain('status: draft');
  });

  it('writes a preview once, however often it is confirmed (a double click)', async () => {
    const text = 'Câu 1. Người bị tạm giữ có được trợ giúp pháp lý không?\nTrả lời: Người bị buộc tội thuộc diện được trợ giúp pháp lý thì được trợ giúp pháp lý miễn phí theo quy định.\nCăn cứ pháp lý: Điều 7 Luật Trợ giúp pháp lý năm 2017.';
    await hoa().get('/admin/content/import');
    const form = previewForm((await postMultipart(hoa(), '/admin/content/import', { text, topic: 'tro-giup-phap-ly', source: '' })).text);
    const before = listAudit(t.app.db, { action: 'content.import' }).length;
    const [a, b] = await Promise.all([postMultipart(hoa(), '/admin/content/import/confirm', form), postMultipart(hoa(), '/admin/content/import/confirm', form)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const messages = [a, b].map((r) => new URL(r.location!, t.url).searchParams.get('msg')!).sort();
    expect(messages[0]).toMatch(/^Lần nhập này đã được thực hiện/);
    expect(messages[1]).toMatch(/^Đã nhập 1 câu hỏi – đáp thành bản nháp/);
    expect(qaFiles(t.contentDir, 'tro-giup-phap-ly').filter((f) => f.startsWith('nguoi-bi-tam-giu'))).toEqual(['nguoi-bi-tam-giu-co-duoc-tro-giup-phap-ly-khong.md']);
    expect(listAudit(t.app.db, { action: 'content.import' })).toHaveLength(before + 1);
  });

  it('refuses an empty form and a missing topic in Vietnamese, keeping what was pasted', async () => {
    await hoa().get('/admin/content/import');
    const empty = await postMultipart(hoa(), '/admin/content/import', { text: '  ', topic: 'ho-tich' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Hãy dán nội dung hỏi – đáp vào ô “Nội dung”');
    const noTopic = await postMultipart(hoa(), '/admin/content/import', { text: BOOKLET, topic: '' });
    expect(noTopic.status).toBe(400);
    expect(noTopic.text).toContain('Hãy chọn chủ đề cho các câu hỏi – đáp.');
    // What was pasted stays in the box.
    expect(noTopic.text).toContain('Câu 2: Đăng ký khai sinh ở đâu?');
    expect(noTopic.text).not.toContain('name="pick"');
    const many = Array.from({ length: 1_001 }, (_, i) => `Câu ${i + 1}. Câu hỏi mẫu số ${i + 1}?\nTrả lời: Câu trả lời mẫu.`).join('\n');
    const tooMany = await postMultipart(hoa(), '/admin/content/import', { text: many, topic: 'ho-tich' });
    expect(tooMany.status).toBe(400);
    // Counted before the text is read (table.ts bookletTooLong).
    expect(tooMany.text).toContain('Mỗi lần nhập tối đa 1.000 câu hỏi; nội dung có hơn 1.000 câu hỏi (dòng bắt đầu bằng “Câu …” hoặc “Hỏi:”): chia thành nhiều lần (mỗi lần một phần của tài liệu).');
  });

  it('refuses a confirmation without the CSRF token', async () => {
    const res = await postMultipart(hoa(), '/admin/content/import/confirm', { _csrf: 'sai', entries: '[]', topic: 'ho-tich' });
    expect(res.status).toBe(403);
  });
});
