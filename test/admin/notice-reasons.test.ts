/**
 * Answer notices say per asker whether the answer arrived and why not, in Vietnamese (issue 16,
 * item 5), with the platform's technical reason kept as a detail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeWhy } from '../../src/admin/notice-reasons.js';
import { recordUnanswered } from '../../src/db/questions.js';
import { upsertPerson } from '../../src/db/people.js';
import { AdminClient, addUser, startAdminApp } from './support.js';

describe('noticeWhy', () => {
  it.each([
    ['sent', null, undefined, undefined],
    ['failed', 'gave up after 8 attempts: Too Many Requests: retry after 5', /đã thử 8 lần/, 'gave up after 8 attempts: Too Many Requests: retry after 5'],
    ['failed', '403 Forbidden: bot was blocked by the user', /người hỏi đã chặn bot/, '403 Forbidden: bot was blocked by the user'],
    ['failed', '400 Bad Request: chat not found', /không tìm thấy người hỏi/, '400 Bad Request: chat not found'],
    ['failed', 'Zalo: unexpected error: fetch failed', /không kết nối được tới nền tảng/, 'Zalo: unexpected error: fetch failed'],
    ['failed', '400 Bad Request: message is too long', /nền tảng từ chối tin nhắn/, '400 Bad Request: message is too long'],
    ['outside_window', 'outside the 7-day window', /7 ngày/, 'outside the 7-day window'],
    ['gone', 'người hỏi đã chặn bot hoặc rời đi', /^Không gửi: người hỏi đã chặn bot hoặc rời đi\.$/, undefined],
    ['unknown', 'bị gián đoạn khi đang gửi (máy chủ dừng đột ngột)', /Không rõ: máy chủ dừng giữa lúc gửi/, undefined],
    ['unreachable', 'kênh zalo chưa được cấu hình trên máy chủ này', /^Kênh zalo chưa được cấu hình/, undefined],
    ['pending', 'Too Many Requests: retry after 5', /đang chờ gửi lại/, 'Too Many Requests: retry after 5'],
  ] as const)('%s: %s', (status, reason, text, detail) => {
    const why = noticeWhy(status, reason);
    if (text === undefined) return expect(why).toBeUndefined();
    expect(why?.text).toMatch(text);
    expect(why?.detail).toBe(detail);
  });
});

describe('the entry page', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  let staff: AdminClient;
  beforeAll(async () => {
    t = await startAdminApp();
    staff = new AdminClient(t.url);
    await staff.login('bien', addUser(t.app, 'bien', ['editor']));
    const ask = (user: string): number =>
      recordUnanswered(t.app.db, { personId: upsertPerson(t.app.db, 'telegram', user).id, channel: 'telegram', question: `Câu hỏi của ${user}`, normalized: user, suggestions: [] });
    const notice = t.app.db.prepare(
      `INSERT INTO answer_notices (unanswered_id, person_id, channel, entry_id, reply, status, reason, created_at) VALUES (?, NULL, 'telegram', 'bhyt-ho-ngheo', '{"text":""}', ?, ?, ?)`,
    );
    const now = new Date().toISOString();
    notice.run(ask('111'), 'failed', '403 Forbidden: bot was blocked by the user', now);
    notice.run(ask('222'), 'sent', null, now);
  });
  afterAll(async () => t?.close());

  it('says per asker whether it arrived and why not, with the technical reason as a detail', async () => {
    const page = await staff.get('/admin/content/qa/bhyt-ho-ngheo');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Không gửi được: người hỏi đã chặn bot hoặc bỏ theo dõi.');
    expect(page.text).toContain('Chi tiết kỹ thuật: 403 Forbidden: bot was blocked by the user');
    expect(page.text).toContain('Đã gửi tới người hỏi');
  });
});
