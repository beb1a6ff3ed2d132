/**
 * The staff loop worked as staff work it (issue 13, item 3): a question attached to the wrong
 * entry is taken back from the queue without losing the right attachments waiting in the same
 * change; a group written up as a draft that is then retired is shown as such, not as "being
 * answered".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { recordUnanswered } from '../../src/db/questions.js';
import { upsertPerson } from '../../src/db/people.js';
import { listRevisions, openRevision } from '../../src/db/revisions.js';
import { listNotices } from '../../src/db/notices.js';
import { listAudit } from '../../src/db/audit.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let editor: AdminClient;
let approver: AdminClient;

const ENTRY = 'khai-sinh-le-phi';
const RIGHT = 'khai sinh cho bé có mất phí ko ạ';
const WRONG = ['giấy phép lái xe hết hạn đổi ở chỗ nào', 'đổi giấy phép lái xe máy ở đâu'];

function ask(who: string, question: string): number {
  const p = upsertPerson(t.app.db, 'web', who);
  return recordUnanswered(t.app.db, { personId: p.id, channel: 'web', question, normalized: question, suggestions: [] });
}

const status = (id: number): { status: string; link: string | null } =>
  t.app.db.prepare('SELECT u.status, d.qa_id AS link FROM unanswered u LEFT JOIN unanswered_drafts d ON d.unanswered_id = u.id WHERE u.id = ?').get(id) as {
    status: string;
    link: string | null;
  };

beforeAll(async () => {
  t = await startAdminApp();
  addUser(t.app, 'gan', ['editor']);
  addUser(t.app, 'duyet', ['approver']);
  editor = new AdminClient(t.url);
  await editor.login('gan', 'gan-mat-khau-1');
  approver = new AdminClient(t.url);
  await approver.login('duyet', 'duyet-mat-khau-1');
});
afterAll(async () => {
  await t?.close();
});

describe('undoing a mistaken attachment', () => {
  it('takes the wrong questions and their wordings out of the change, keeps the right one, and tells only its asker', async () => {
    const right = ask('web-session-right-0001', RIGHT);
    const wrong = WRONG.map((q, i) => ask(`web-session-wrong-000${i}`, q));
    await editor.get(`/admin/questions/attach?ids=${right}`);
    expect((await editor.post('/admin/questions/attach', { ids: String(right), qa: ENTRY, variants: RIGHT })).status).toBe(303);
    // The mistake: two questions on driving licences attached to the birth-registration fee.
    await editor.get(`/admin/questions/attach?ids=${wrong.join(',')}`);
    expect((await editor.post('/admin/questions/attach', { ids: wrong.join(','), qa: ENTRY, variants: WRONG.join('\n') })).status).toBe(303);
    expect(openRevision(t.app.db, 'qa', ENTRY)!.text).toContain(WRONG[0]);

    const queue = await editor.get('/admin/questions');
    expect(queue.text).toContain('Gỡ khỏi mục này (gắn nhầm)');
    expect(queue.text).toContain(`name="ids" value="${[...wrong].reverse().join(',')}"`);
    const res = await editor.post('/admin/questions/detach', { ids: wrong.join(','), back: '/admin/questions' });
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.location!)).toContain(`Gỡ 2 câu hỏi khỏi “${ENTRY}”, đưa trở lại hàng chờ; bỏ 2 cách hỏi khỏi thay đổi chờ duyệt.`);

    const rev = openRevision(t.app.db, 'qa', ENTRY)!;
    expect(rev.questionIds).toEqual([right]);
    expect(rev.text).toContain(RIGHT);
    for (const w of WRONG) expect(rev.text).not.toContain(w);
    for (const id of wrong) expect(status(id)).toEqual({ status: 'open', link: null });
    expect(listAudit(t.app.db, { action: 'question.detach', targetId: ENTRY })[0]!.actor).toBe('gan');

    await approver.get(`/admin/content/qa/${ENTRY}`);
    expect((await approver.post(`/admin/content/qa/${ENTRY}/approve`)).status).toBe(303);
    expect(status(right).status).toBe('answered');
    for (const id of wrong) expect(status(id).status).toBe('open');
    expect(listNotices(t.app.db, ENTRY).map((n) => n.unansweredId)).toEqual([right]);
  });

  it('takes a question off the wrong change when it is attached again elsewhere, or answered with a new draft', async () => {
    const q = 'đổi bằng lái xe ô tô hết hạn ở đâu';
    const id = ask('web-session-moved-0001', q);
    const q2 = 'cấp đổi giấy phép lái xe bị mất';
    const id2 = ask('web-session-moved-0002', q2);
    await editor.get(`/admin/questions/attach?ids=${id},${id2}`);
    await editor.post('/admin/questions/attach', { ids: `${id},${id2}`, qa: 'khai-sinh-truc-tuyen', variants: `${q}\n${q2}` });
    expect(openRevision(t.app.db, 'qa', 'khai-sinh-truc-tuyen')!.text).toContain(q);
    // Corrected by attaching the first to another entry straight away, without "Gỡ".
    await editor.get(`/admin/questions/attach?ids=${id}`);
    const res = await editor.post('/admin/questions/attach', { ids: String(id), qa: 'lam-thu-tuc-hanh-chinh-o-dau-sau-sap-xep', variants: q });
    expect(decodeURIComponent(res.location!)).toContain('Gỡ 1 câu hỏi khỏi “khai-sinh-truc-tuyen”');
    const old = openRevision(t.app.db, 'qa', 'khai-sinh-truc-tuyen')!;
    expect(old.text).not.toContain(q);
    expect(old.questionIds).toEqual([id2]);
    expect(openRevision(t.app.db, 'qa', 'lam-thu-tuc-hanh-chinh-o-dau-sau-sap-xep')!.text).toContain(q);
    expect(status(id).link).toBe('lam-thu-tuc-hanh-chinh-o-dau-sau-sap-xep');
    // The second is answered with a new draft instead: the wrong change is left with nothing, and closed.
    await editor.get(`/admin/content/qa/new?from=${id2}`);
    const saved = await editor.post('/admin/content/qa/new', {
      id: 'cap-doi-gplx',
      question: 'Mất giấy phép lái xe thì cấp lại ở đâu?',
      topics: 'chinh-quyen-dia-phuong',
      sources: 'Luật Trật tự, an toàn giao thông đường bộ 2024 | Điều 62',
      answer: 'Nộp hồ sơ cấp lại tại cơ quan công an có thẩm quyền hoặc trên Cổng dịch vụ công.',
      from: String(id2),
    });
    expect(saved.status).toBe(303);
    expect(openRevision(t.app.db, 'qa', 'khai-sinh-truc-tuyen')).toBeUndefined();
    expect(status(id2).link).toBe('cap-doi-gplx');
  });

  it('closes the change when the mistaken questions were all it held', async () => {
    const wrong = ask('web-session-wrong-0100', 'xin giấy phép nuôi chó cảnh ở đâu');
    await editor.get(`/admin/questions/attach?ids=${wrong}`);
    await editor.post('/admin/questions/attach', { ids: String(wrong), qa: 'khai-sinh-noi-dang-ky', variants: 'xin giấy phép nuôi chó cảnh ở đâu' });
    expect(openRevision(t.app.db, 'qa', 'khai-sinh-noi-dang-ky')).toBeDefined();
    await editor.get('/admin/questions');
    const res = await editor.post('/admin/questions/detach', { ids: String(wrong), back: '/admin/questions' });
    expect(decodeURIComponent(res.location!)).toContain('thay đổi chờ duyệt không còn gì nên đã đóng');
    expect(openRevision(t.app.db, 'qa', 'khai-sinh-noi-dang-ky')).toBeUndefined();
    expect(listRevisions(t.app.db, 'qa', 'khai-sinh-noi-dang-ky')[0]!.status).toBe('rejected');
    expect(status(wrong)).toEqual({ status: 'open', link: null });
  });

  it('does not take back questions of another region than the officer’s', async () => {
    addUser(t.app, 'phuong', ['editor'], 'pho-hien');
    const ward = new AdminClient(t.url);
    await ward.login('phuong', 'phuong-mat-khau-1');
    const other = ask('web-session-other-0001', 'đăng ký tạm trú cho người thuê trọ cần gì');
    await editor.get(`/admin/questions/attach?ids=${other}`);
    await editor.post('/admin/questions/attach', { ids: String(other), qa: 'khai-sinh-thoi-han-60-ngay', variants: 'đăng ký tạm trú cho người thuê trọ cần gì' });
    await ward.get('/admin/questions');
    const res = await ward.post('/admin/questions/detach', { ids: String(other), back: '/admin/questions' });
    expect(decodeURIComponent(res.location!)).toContain('không còn gắn với mục nào');
    expect(status(other).link).toBe('khai-sinh-thoi-han-60-ngay');
    // Nor dismiss them; and the message says why nothing happened ("Đã bỏ qua 0 câu hỏi." before).
    const dismissed = await ward.post('/admin/questions/dismiss', { ids: String(other), back: '/admin/questions' });
    expect(decodeURIComponent(dismissed.location!)).toContain('Không bỏ qua câu nào: các câu hỏi này đã được xử lý, hoặc không thuộc địa bàn bạn phụ trách.');
    expect(status(other).status).toBe('open');
  });
});

describe('a draft written for questions, then retired', () => {
  it('puts its questions back in the queue', async () => {
    const ids = [ask('web-session-retired-01', 'mất giấy khai sinh thì làm lại thế nào'), ask('web-session-retired-02', 'cấp lại giấy khai sinh bị mất ở đâu')];
    await editor.get(`/admin/content/qa/new?from=${ids.join(',')}`);
    const saved = await editor.post('/admin/content/qa/new', {
      id: 'cap-lai-khai-sinh',
      question: 'Mất giấy khai sinh thì xin cấp lại ở đâu?',
      variants: 'cấp lại giấy khai sinh bị mất ở đâu',
      topics: 'ho-tich',
      sources: 'Luật Hộ tịch năm 2014 | Điều 64',
      answer: 'Xin trích lục khai sinh tại UBND cấp xã nơi đã đăng ký khai sinh.',
      from: ids.join(','),
    });
    expect(saved.status).toBe(303);
    expect((await editor.get('/admin/questions')).text).toContain('Đã có bản nháp trả lời, chờ phê duyệt: <a href="/admin/content/qa/cap-lai-khai-sinh">');
    await approver.get('/admin/content/qa/cap-lai-khai-sinh');
    const retired = await approver.post('/admin/content/qa/cap-lai-khai-sinh/retire');
    expect(decodeURIComponent(retired.location!)).toContain('2 câu hỏi đang chờ mục này đã trở lại hàng “Câu hỏi chưa trả lời”.');
    // Back in the queue, to be answered again.
    for (const id of ids) expect(status(id)).toEqual({ status: 'open', link: null });
    const queue = await editor.get('/admin/questions');
    const group = queue.text.split('<section class="card group"').find((g) => g.includes('mất giấy khai sinh thì làm lại thế nào'))!;
    expect(group).toBeDefined();
    expect(group).not.toContain('data-answering');
  });

  it('says so in the queue when the entry a question is linked to is gone or retired by hand', async () => {
    // A link left by an older version, or a file retired or deleted on the server.
    const id = ask('web-session-retired-03', 'xin trích lục khai sinh bản sao ở đâu');
    t.app.db.prepare(`INSERT INTO unanswered_drafts (unanswered_id, qa_id, created_by, created_at) VALUES (?, 'khong-con-nua', 'gan', ?)`).run(id, new Date().toISOString());
    const queue = await editor.get('/admin/questions');
    expect(queue.text).toContain('Đã gắn với một mục nay đã gỡ hoặc không còn, không ai được báo:');
    // …and the way back is offered.
    await editor.post('/admin/questions/detach', { ids: String(id), back: '/admin/questions' });
    expect(status(id)).toEqual({ status: 'open', link: null });
  });
});

describe('a person who asked twice', () => {
  it('is told once, and counted once', async () => {
    // A 👎 and a re-ask of the same person land as two queue items; both are attached.
    const p = upsertPerson(t.app.db, 'web', 'web-session-twice-0001');
    const first = recordUnanswered(t.app.db, { personId: p.id, channel: 'web', question: 'đăng ký kết hôn cần giấy tờ gì', normalized: '', suggestions: [] });
    const again = recordUnanswered(t.app.db, { personId: p.id, channel: 'web', question: 'đăng ký kết hôn cần giấy tờ gì ạ', normalized: '', suggestions: [] });
    const other = ask('web-session-twice-0002', 'muốn đăng ký kết hôn thì phải mang những giấy gì');
    const ids = [first, again, other].join(',');
    await editor.get(`/admin/questions/attach?ids=${ids}`);
    await editor.post('/admin/questions/attach', { ids, qa: 'quyen-ket-hon-va-ly-hon', variants: 'đăng ký kết hôn cần giấy tờ gì' });
    await approver.get('/admin/content/qa/quyen-ket-hon-va-ly-hon');
    const res = await approver.post('/admin/content/qa/quyen-ket-hon-va-ly-hon/approve');
    expect(decodeURIComponent(res.location!)).toContain('Cả 2 người đã hỏi đều dùng web chat');
    const notices = listNotices(t.app.db, 'quyen-ket-hon-va-ly-hon');
    expect(notices.filter((n) => n.status === 'held').map((n) => n.unansweredId).sort()).toEqual([first, other].sort());
    const told = notices.find((n) => n.unansweredId === again)!;
    expect(told.status).toBe('skipped');
    expect(told.reason).toBe('cùng người hỏi, đã được báo chung một tin với câu “đăng ký kết hôn cần giấy tờ gì”');
    // One message waits for the person in the web chat, not two.
    const held = t.app.db.prepare(`SELECT COUNT(*) AS n FROM sends WHERE person_id = ? AND status = 'held' AND kind = 'notice'`).get(p.id) as { n: number };
    expect(held.n).toBe(1);
    for (const id of [first, again, other]) expect(status(id).status).toBe('answered');
  });
});

describe('a group of answers citizens called wrong', () => {
  it('names every entry the bot answered its questions with, not only the first', async () => {
    const { queueMaybeWrong, recordAnswerGiven, answerGivenByRef } = await import('../../src/db/questions.js');
    const given = (who: string, question: string, answerId: string): void => {
      const p = upsertPerson(t.app.db, 'web', who);
      recordAnswerGiven(t.app.db, { ref: `ref-${who}`, personId: p.id, channel: 'web', question, normalized: question, answerId, answerTitle: answerId });
      queueMaybeWrong(t.app.db, answerGivenByRef(t.app.db, `ref-${who}`)!.id, { reason: 'feedback' });
    };
    given('web-session-wrong-a1', 'xin bản sao trích lục khai sinh ở đâu', 'khai-sinh-noi-dang-ky');
    given('web-session-wrong-a2', 'xin bản sao trích lục khai sinh ở đâu ạ', 'khai-sinh-noi-dang-ky');
    given('web-session-wrong-a3', 'xin bản sao trích lục khai sinh ở đâu vậy', 'khai-sinh-qua-han');
    const r = await editor.get('/admin/questions?loai=co-the-sai');
    const group = r.text.slice(r.text.indexOf('xin bản sao trích lục khai sinh ở đâu'));
    expect(group).toContain('<span class="tag">3 người hỏi</span>');
    // The newest heads the group (answered with khai-sinh-qua-han); the two others name theirs.
    expect(group).toContain('Bot đã trả lời bằng\n      <a href="/admin/content/qa/khai-sinh-qua-han">');
    expect(group).toContain('Các câu khác trong nhóm được trả lời bằng mục khác: <a href="/admin/content/qa/khai-sinh-noi-dang-ky">khai-sinh-noi-dang-ky</a> (2 câu).');
  });
});

describe('the wordings a group offers', () => {
  it('offers one wording for the same question with a particle or two more, the shortest', async () => {
    const base = 'thủ tục cấp phép xây dựng nhà riêng lẻ';
    const ids = [`${base} ạ`, `${base} vậy`, base, 'làm giấy phép xây nhà cần gì'].map((q, i) => ask(`web-session-permit-0${i}`, q));
    const page = await editor.get(`/admin/questions/attach?ids=${ids.join(',')}`);
    const textarea = page.text.match(/<textarea name="variants">([^<]*)<\/textarea>/)![1]!;
    expect(textarea.split('\n')).toEqual(['làm giấy phép xây nhà cần gì', base]);
    const draft = await editor.get(`/admin/content/qa/new?from=${ids.join(',')}`);
    expect(draft.text.match(/<textarea name="variants"[^>]*>([^<]*)<\/textarea>/)![1]).toBe(base);
  });
});

describe('an approval while the content cannot be reloaded', () => {
  it('tells the askers at the next reload that goes live, instead of leaving them waiting for good', async () => {
    const q = 'trẻ sinh ra ở nước ngoài về nước khai sinh ở đâu';
    const id = ask('web-session-late-0001', q);
    await editor.get(`/admin/questions/attach?ids=${id}`);
    await editor.post('/admin/questions/attach', { ids: String(id), qa: 'khai-sinh-khong-co-giay-chung-sinh', variants: q });
    // A shared file broken on the server meanwhile: the approval is written, the index is not reloaded.
    const topics = join(t.contentDir, 'topics.yaml');
    const good = readFileSync(topics, 'utf8');
    writeFileSync(topics, `${good}\n- slug: [broken\n`);
    await approver.get('/admin/content/qa/khai-sinh-khong-co-giay-chung-sinh');
    const approved = await approver.post('/admin/content/qa/khai-sinh-khong-co-giay-chung-sinh/approve');
    expect(decodeURIComponent(approved.location!)).toContain('bot chưa cập nhật vì nội dung còn lỗi');
    expect(status(id).status).toBe('open');
    expect(openRevision(t.app.db, 'qa', 'khai-sinh-khong-co-giay-chung-sinh')).toBeUndefined();
    // Fixed; the next change staff make reloads the content, and the asker is told then.
    writeFileSync(topics, good);
    await editor.get('/admin/content/qa/new');
    const saved = await editor.post('/admin/content/qa/new', {
      id: 'mot-ban-nhap-khac',
      question: 'Một câu hỏi khác?',
      topics: 'ho-tich',
      sources: 'Luật Hộ tịch năm 2014 | Điều 1',
      answer: 'Một câu trả lời khác.',
    });
    expect(saved.status).toBe(303);
    expect(status(id).status).toBe('answered');
    expect(listNotices(t.app.db, 'khai-sinh-khong-co-giay-chung-sinh').map((n) => [n.unansweredId, n.status])).toEqual([[id, 'held']]);
    expect(listAudit(t.app.db, { action: 'question.notify', targetId: 'khai-sinh-khong-co-giay-chung-sinh' })[0]!.actor).toBe('loa');
  });
});
