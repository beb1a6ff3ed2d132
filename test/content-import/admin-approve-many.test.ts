/**
 * An office imports its Word booklet (a real .docx built here) with regions for the whole batch,
 * and an approver approves the drafts in one go ("Duyệt nhiều bản nháp") instead of opening each:
 * four eyes per entry (the importer cannot approve its own, even by posting the form by hand),
 * each approval audited in Vietnamese, and a draft changed after the page was shown left out.
 * The Q&A text is SAMPLE text written for this test; the laws cited are real.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/audit.js';
import { AdminClient, addUser, startAdminApp, type Res } from '../admin/support.js';
import { docx, para } from './docx-support.js';

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

function previewForm(html: string): Record<string, string | string[]> {
  const form = html.slice(html.indexOf('action="/admin/content/import/confirm"'));
  const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const out: Record<string, string | string[]> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    if (m[1] === '_csrf') continue;
    const v = unescape(m[2]!);
    const had = out[m[1]!];
    out[m[1]!] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  out.pick = [...form.matchAll(/name="pick" value="(\d+)"[^>]*? checked>/g)].map((m) => m[1]!);
  return out;
}

const picksOf = (html: string): string[] => [...html.matchAll(/name="pick" value="([^"]+)"/g)].map((m) => m[1]!);
const msgOf = (res: Res, base: string): string => new URL(res.location!, base).searchParams.get('msg') ?? '';

const QUESTIONS = ['Sinh con bao lâu thì phải đăng ký khai sinh cho con?', 'Đăng ký khai sinh cho con ở cơ quan nào?', 'Hồ sơ đăng ký khai sinh cho con gồm những giấy tờ gì?'];
const BOOKLET = docx(
  para('HỎI – ĐÁP PHÁP LUẬT VỀ HỘ TỊCH (tài liệu mẫu kiểm thử)') +
    para(`Câu 1. ${QUESTIONS[0]}`) +
    para('Trả lời: Trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con.') +
    para('Căn cứ pháp lý: Điều 15 Luật Hộ tịch năm 2014.') +
    para(`Câu 2. ${QUESTIONS[1]}`) +
    para('Trả lời: Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ thực hiện việc đăng ký khai sinh.') +
    para('Căn cứ pháp lý: Điều 13 Luật Hộ tịch năm 2014.') +
    para(`Câu 3. ${QUESTIONS[2]}`) +
    para('Trả lời: Tờ khai theo mẫu và giấy chứng sinh; không có giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận việc sinh.') +
    para('Căn cứ pháp lý: Điều 16 Luật Hộ tịch năm 2014.'),
);

describe('a Word booklet imported with regions, then approved many at once', { timeout: 120_000 }, () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  const c: Record<'hoa' | 'lan' | 'tuan', AdminClient> = {} as never;
  let ids: string[] = [];

  beforeAll(async () => {
    t = await startAdminApp();
    addUser(t.app, 'hoa', ['editor', 'approver']);
    addUser(t.app, 'lan', ['approver']);
    addUser(t.app, 'tuan', ['editor']);
    for (const name of ['hoa', 'lan', 'tuan'] as const) {
      c[name] = new AdminClient(t.url);
      expect((await c[name].login(name, `${name}-mat-khau-1`)).status).toBe(303);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('imports an uploaded .docx with the regions chosen for the batch', async () => {
    await c.hoa.get('/admin/content/import');
    const preview = await postMultipart(c.hoa, '/admin/content/import', { topic: 'ho-tich', region: ['pho-hien', 'son-nam'] }, { name: 'Hỏi đáp hộ tịch.docx', bytes: BOOKLET });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Đọc được <strong>3</strong> mục từ tệp Hỏi đáp hộ tịch.docx (tài liệu Word)');
    expect(preview.text).toContain('địa bàn Phường Phố Hiến, Phường Sơn Nam');
    expect(preview.text).toContain('đoạn 2');
    const form = previewForm(preview.text);
    expect(form.region).toEqual(['pho-hien', 'son-nam']);
    const done = await postMultipart(c.hoa, '/admin/content/import/confirm', form);
    expect(msgOf(done, t.url)).toContain('Đã nhập 3 câu hỏi – đáp thành bản nháp');
    ids = (listAudit(t.app.db, { action: 'content.import' })[0]!.details as { ids: string[] }).ids;
    expect(ids).toHaveLength(3);
    const text = readFileSync(join(t.contentDir, 'qa', 'ho-tich', `${ids[0]}.md`), 'utf8');
    expect(text).toContain('regions:\n  - pho-hien\n  - son-nam');
  });

  it('approves the drafts ticked on one page, per entry audited, leaving out one changed since and the importer’s own', async () => {
    // The importer sees them without boxes: four eyes.
    const own = await c.hoa.get('/admin/content/approve-many?topic=ho-tich');
    expect(own.status).toBe(200);
    expect(picksOf(own.text).filter((p) => ids.some((id) => p.startsWith(`qa:${id}:`)))).toEqual([]);
    expect(own.text).toContain('Bạn đã soạn/sửa');

    const page = await c.lan.get('/admin/content/approve-many?topic=ho-tich');
    expect(page.text).toContain(QUESTIONS[2]);
    // The full answer and the regions, to read before approving.
    expect(page.text).toContain('không có giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận việc sinh.');
    expect(page.text).toContain('Địa bàn: Phường Phố Hiến, Phường Sơn Nam');
    const picks = picksOf(page.text).filter((p) => ids.some((id) => p.startsWith(`qa:${id}:`)));
    expect(picks).toHaveLength(3);
    // Nothing is ticked for the approver: each is ticked once read ("Chọn tất cả" is a button).
    expect(page.text).not.toMatch(/name="pick"[^>]*checked/);
    expect(page.text).toContain('data-check-all="pick"');

    // Meanwhile another editor changes the second draft.
    const edit = await c.tuan.get(`/admin/content/qa/${ids[1]}`);
    expect(edit.status).toBe(200);
    const saved = await c.tuan.post(`/admin/content/qa/${ids[1]}`, {
      id: ids[1]!,
      question: QUESTIONS[1]!,
      topics: 'ho-tich',
      sources: 'Luật Hộ tịch năm 2014 | Điều 13',
      answer: 'Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ; có thể nộp hồ sơ trực tuyến trên Cổng dịch vụ công.',
    });
    expect(saved.status).toBe(303);

    // The importer posting the form by hand approves nothing of theirs.
    const forged = await c.hoa.post('/admin/content/approve-many', { pick: picks[0]! });
    expect(msgOf(forged, t.url)).toContain('bạn đã soạn hoặc sửa mục này');
    expect(readFileSync(join(t.contentDir, 'qa', 'ho-tich', `${ids[0]}.md`), 'utf8')).toContain('status: draft');

    // A hand-made 'back' with a line break is ignored (it made the redirect fail with a 500
    // after the approvals were written); nothing is approved by this post (no pick).
    const crlf = await c.lan.post('/admin/content/approve-many', { back: '/admin/content/approve-many?a=1\r\nSet-Cookie: x=1' });
    expect(crlf.status).toBe(303);
    expect(crlf.location).toMatch(/^\/admin\/content\/approve-many\?msg=/);

    const res = await c.lan.post('/admin/content/approve-many', { pick: picks, back: '/admin/content/approve-many?topic=ho-tich' });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/admin\/content\/approve-many\?topic=ho-tich&msg=/);
    const msg = msgOf(res, t.url);
    expect(msg).toContain('Đã phê duyệt 2 bản nháp.');
    expect(msg).toContain(`“${ids[1]}” (đã bị sửa sau khi danh sách hiện ra: xem lại bản mới)`);
    const status = (id: string): string => /status: (\w+)/.exec(readFileSync(join(t.contentDir, 'qa', 'ho-tich', `${id}.md`), 'utf8'))![1]!;
    expect(ids.map(status)).toEqual(['approved', 'draft', 'approved']);
    expect(t.app.knowledge.getQa(ids[0]!)?.status).toBe('approved');
    const approvals = listAudit(t.app.db, { action: 'content.approve' }).filter((a) => a.action === 'content.approve');
    expect(approvals.map((a) => [a.actor, a.targetId]).sort()).toEqual([
      ['lan', ids[0]],
      ['lan', ids[2]],
    ].sort());
    expect((approvals[0]!.details as { text: string }).text).toMatch(/^Phê duyệt bản nháp “.+” \(duyệt nhiều bản nháp cùng lúc, do hoa soạn\): bot bắt đầu dùng$/);
    const summary = listAudit(t.app.db, { action: 'content.approve_many' }).find((a) => a.actor === 'lan')!;
    expect((summary.details as { text: string }).text).toContain('phê duyệt 2 mục, bỏ qua 1 mục');

    // The changed one, shown again with its new text, can be approved now (by someone who did not change it).
    const again = await c.lan.get('/admin/content/approve-many?topic=ho-tich');
    expect(again.text).toContain('có thể nộp hồ sơ trực tuyến trên Cổng dịch vụ công');
    const fresh = picksOf(again.text).filter((p) => p.startsWith(`qa:${ids[1]}:`));
    expect(fresh).toHaveLength(1);
    expect(msgOf(await c.lan.post('/admin/content/approve-many', { pick: fresh }), t.url)).toContain('Đã phê duyệt 1 bản nháp.');
    expect(status(ids[1]!)).toBe('approved');
  });

  it('is for approvers only, and linked from the content list', async () => {
    expect((await c.tuan.get('/admin/content/approve-many')).status).toBe(403);
    expect((await c.lan.get('/admin/content')).text).toContain('data-approve-many-link');
    expect((await c.tuan.get('/admin/content')).text).not.toContain('data-approve-many-link');
  });
});
