/**
 * An id typed twice. In the trial an editor copied an existing entry's id into "Mã" of a new
 * Q&A; the refusal read "Mã: '…' đã được dùng; chọn mã khác", without which entry has it or
 * that the box may be left empty. It now names the entry and says so; the typed text stays, and
 * saved with the box empty the entry gets an id of its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const TAKEN = 'can-cuoc-cong-dan-cu-va-cmnd';

describe('a new entry with an id already used', { timeout: 120_000 }, () => {
  it('is refused naming the entry that has it, and saves with the id left empty', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'hoa', ['editor']);
    const hoa = new AdminClient(t.url);
    expect((await hoa.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    const other = t.app.knowledge.getQa(TAKEN)!.question;
    const qa = {
      question: 'Điều kiện để được hưởng chế độ thai sản là gì?',
      answer: 'Theo Điều 50 Luật Bảo hiểm xã hội 2024, lao động nữ sinh con phải đóng bảo hiểm xã hội bắt buộc từ đủ 06 tháng trở lên trong 12 tháng trước khi sinh.',
      topics: 'bao-hiem-y-te',
      sources: 'Luật Bảo hiểm xã hội 2024 | Điều 50',
    };
    const refused = await hoa.post('/admin/content/qa/new', { ...qa, id: TAKEN });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(`Mã: &#39;${TAKEN}&#39; đã được dùng cho “${other}”; hãy chọn mã khác, hoặc để trống ô Mã để Loa tự tạo`);
    expect(refused.text).toContain(qa.answer);

    const saved = await hoa.post('/admin/content/qa/new', { ...qa, id: '' });
    expect(saved.status).toBe(303);
    expect(saved.location).toContain('/admin/content/qa/dieu-kien-de-duoc-huong-che-do-thai-san-la-gi');
  });
});
