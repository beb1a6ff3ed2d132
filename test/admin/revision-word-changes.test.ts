/**
 * The approver sees where a paragraph changed. In the trial an editor changed "05 ngày" into
 * "năm ngày" in a 150-word answer written as one paragraph; the approval screen showed the
 * whole old paragraph struck out and the whole new one, and the approver had to find the change
 * by eye. It now also shows the changed words with a few words either side.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { wordChange } from '../../src/admin/routes/content.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const ANSWER =
  'Theo khoản 2 Điều 53 Luật Bảo hiểm xã hội 2024, lao động nam đang đóng bảo hiểm xã hội khi vợ sinh con được nghỉ việc hưởng chế độ thai sản: 05 ngày làm việc nếu vợ sinh thường; 07 ngày làm việc nếu vợ sinh con phải phẫu thuật hoặc sinh con dưới 32 tuần tuổi; 10 ngày làm việc nếu vợ sinh đôi. Thời gian nghỉ này được tính trong 60 ngày đầu kể từ ngày vợ sinh con.';
const QA = { id: 'chong-nghi-khi-vo-sinh', question: 'Chồng được nghỉ mấy ngày khi vợ sinh con?', answer: ANSWER, topics: 'bao-hiem-y-te', sources: 'Luật Bảo hiểm xã hội 2024 | Điều 53' };

describe('what a change changes, in words', { timeout: 120_000 }, () => {
  it('finds the words that differ, with context', () => {
    expect(wordChange('nghỉ 05 ngày làm việc', 'nghỉ năm ngày làm việc')).toEqual({ before: 'nghỉ', removed: '05', added: 'năm', after: 'ngày làm việc' });
    expect(wordChange('a b c', 'a b c d')).toEqual({ before: 'a b c', removed: '', added: 'd', after: '' });
    const w = wordChange(ANSWER, ANSWER.replace('05 ngày', 'năm ngày'));
    expect(w.before).toBe('… việc hưởng chế độ thai sản:');
    expect(w.removed).toBe('05');
    expect(w.added).toBe('năm');
    expect(w.after).toBe('ngày làm việc nếu vợ sinh …');
  });

  it('shows the approver the changed words of a one-paragraph answer', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['editor']);
    addUser(t.app, 'lan', ['approver']);
    const hoa = new AdminClient(t.url);
    expect((await hoa.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    const lan = new AdminClient(t.url);
    expect((await lan.login('lan', 'lan-mat-khau-1')).status).toBe(303);
    expect((await hoa.post('/admin/content/qa/new', QA)).status).toBe(303);
    expect((await lan.post(`/admin/content/qa/${QA.id}/approve`)).status).toBe(303);
    expect((await hoa.post(`/admin/content/qa/${QA.id}`, { ...QA, answer: ANSWER.replace('05 ngày', 'năm ngày') })).status).toBe(303);

    const page = (await lan.get(`/admin/content/qa/${QA.id}`)).text;
    expect(page).toContain('Chỗ sửa:');
    expect(page).toContain('<li>… việc hưởng chế độ thai sản: <del>05</del> <ins>năm</ins> ngày làm việc nếu vợ sinh …</li>');
    // The whole paragraphs are still there.
    expect(page).toContain('Đoạn bỏ đi:');
    expect(page).toContain('Đoạn thêm vào:');
  });
});
