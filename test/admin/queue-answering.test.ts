/**
 * What the queue says of a question already answered and waiting for approval. In the trial two
 * citizens' questions attached to an approved answer stayed in "Câu hỏi chưa trả lời" marked
 * "Đã có bản nháp: chong-duoc-nghi-may-ngay-khi-vo-sinh-con": there was no draft, the answer was
 * approved and serving, a change to it waited; and the slug named it, not its question. It now
 * says which of the two it is, with the entry's question.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { recordUnanswered } from '../../src/db/questions.js';
import { upsertPerson } from '../../src/db/people.js';
import type { App } from '../../src/app.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function asked(app: App, who: string, question: string): number {
  const p = upsertPerson(app.db, 'web', who);
  return recordUnanswered(app.db, { personId: p.id, channel: 'web', question, normalized: question.toLowerCase(), suggestions: [] });
}

const APPROVED = 'can-cuoc-cong-dan-cu-va-cmnd';

describe('the queue, for questions answered and waiting for approval', { timeout: 120_000 }, () => {
  it('tells a new draft from a change to an approved answer, by the entry question', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['editor']);
    const hoa = new AdminClient(t.url);
    expect((await hoa.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    const attachedQ = asked(t.app, 'web-session-0001', 'Cái căn cước cũ còn hạn thì có bắt buộc phải đổi không ạ');
    const draftedQ = asked(t.app, 'web-session-0002', 'Đang nghỉ thai sản thì công ty có được cho nghỉ việc không');

    expect((await hoa.post('/admin/questions/attach', { ids: String(attachedQ), qa: APPROVED, variants: 'Cái căn cước cũ còn hạn thì có bắt buộc phải đổi không ạ' })).status).toBe(303);
    const draft = {
      id: 'sa-thai-khi-nghi-thai-san',
      question: 'Công ty có được cho người lao động nghỉ việc khi đang nghỉ thai sản không?',
      answer: 'Theo khoản 3 Điều 37 Bộ luật Lao động 2019, người sử dụng lao động không được đơn phương chấm dứt hợp đồng với người lao động đang nghỉ thai sản.',
      topics: 'bao-hiem-y-te',
      sources: 'Bộ luật Lao động 2019 | Điều 37',
      from: String(draftedQ),
    };
    expect((await hoa.post('/admin/content/qa/new', draft)).status).toBe(303);

    const queue = (await hoa.get('/admin/questions')).text;
    const approvedTitle = t.app.knowledge.getQa(APPROVED)!.question;
    expect(queue).toContain(`Đã gắn vào câu trả lời có sẵn, chờ phê duyệt: <a href="/admin/content/qa/${APPROVED}">${approvedTitle}</a>`);
    expect(queue).toContain(`Đã có bản nháp trả lời, chờ phê duyệt: <a href="/admin/content/qa/${draft.id}">${draft.question}</a>`);
    expect(queue).not.toContain('Đã có bản nháp:');
  });
});
