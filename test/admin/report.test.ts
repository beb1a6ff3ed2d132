/**
 * The yearly report's figures match the database: known rows are seeded inside and outside
 * the year (including the Vietnam-time year boundary), and every figure is checked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { buildYearReport, reportCsv, reportHtml, yearBounds } from '../../src/admin/report.js';
import { run as reportCli } from '../../src/cli/report.js';
import { parseCsv } from '../../src/text/csv.js';
import { tempDir } from '../support/app.js';

function seed(db: Db): void {
  const person = db.prepare(
    `INSERT INTO people (id, channel, external_id, created_at, consent_at, opted_out_at, status) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  // consent times: 1-4 in 2026, 5 in 2025, 6 opted out during 2026, 7 gone.
  person.run(1, 'telegram', 't1', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z', null, 'active');
  person.run(2, 'telegram', 't2', '2026-02-05T00:00:00Z', '2026-02-05T00:00:00Z', null, 'active');
  person.run(3, 'zalo', 'z3', '2026-03-05T00:00:00Z', '2026-03-05T00:00:00Z', null, 'active');
  person.run(4, 'web', 'w4', '2026-03-05T00:00:00Z', null, null, 'active');
  person.run(5, 'zalo', 'z5', '2025-06-01T00:00:00Z', '2025-06-01T00:00:00Z', null, 'active');
  person.run(6, 'telegram', 't6', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z', 'active');
  person.run(7, 'zalo', 'z7', '2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z', null, 'gone');

  const msg = db.prepare(`INSERT INTO messages (channel, person_id, direction, kind, text, created_at) VALUES (?, ?, ?, 'text', 'x', ?)`);
  msg.run('telegram', 1, 'in', '2026-03-01T00:00:00Z');
  msg.run('telegram', 1, 'in', '2026-04-01T00:00:00Z'); // same person twice: counted once
  msg.run('zalo', 3, 'in', '2026-05-01T00:00:00Z');
  msg.run('web', 4, 'in', '2026-12-31T16:59:00Z'); // 23:59 on 31/12 in Vietnam: inside
  msg.run('web', 4, 'out', '2026-12-31T16:59:00Z'); // outbound does not count as "wrote"
  msg.run('zalo', 5, 'in', '2025-12-31T16:59:00Z'); // 23:59 on 31/12/2025 in Vietnam: outside
  msg.run('zalo', 5, 'in', '2026-12-31T17:00:00Z'); // 00:00 on 1/1/2027 in Vietnam: outside

  const camp = db.prepare(
    `INSERT INTO campaigns (id, status, text, channels, author, created_at, updated_at, started_at) VALUES (?, ?, 'x', '["telegram","zalo"]', 'lan', ?, ?, ?)`,
  );
  camp.run(1, 'done', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z');
  camp.run(2, 'cancelled', '2026-07-01T00:00:00Z', '2026-07-01T00:00:00Z', '2026-07-01T00:00:00Z');
  camp.run(3, 'done', '2025-07-01T00:00:00Z', '2025-07-01T00:00:00Z', '2025-07-01T00:00:00Z');
  camp.run(4, 'draft', '2026-08-01T00:00:00Z', '2026-08-01T00:00:00Z', null);
  const del = db.prepare(
    `INSERT INTO deliveries (campaign_id, person_id, channel, recipient, status, finished_at) VALUES (?, ?, ?, 'r', ?, ?)`,
  );
  del.run(1, 1, 'telegram', 'sent', '2026-06-01T00:01:00Z');
  del.run(1, 2, 'telegram', 'sent', '2026-06-01T00:01:00Z');
  del.run(1, 3, 'zalo', 'outside_window', '2026-06-01T00:01:00Z');
  del.run(1, 7, 'zalo', 'gone', '2026-06-01T00:01:00Z');
  del.run(2, 1, 'telegram', 'sent', '2026-07-01T00:01:00Z');
  del.run(2, 2, 'telegram', 'cancelled', '2026-07-01T00:01:00Z');
  del.run(3, 5, 'zalo', 'sent', '2025-07-01T00:01:00Z');

  const q = db.prepare(`INSERT INTO questions (person_id, channel, answered, answer_id, topics, created_at) VALUES (?, ?, ?, ?, ?, ?)`);
  q.run(1, 'telegram', 1, 'a', '["bao-hiem-y-te"]', '2026-02-01T00:00:00Z');
  q.run(1, 'telegram', 1, 'b', '["bao-hiem-y-te","tro-giup-xa-hoi"]', '2026-02-02T00:00:00Z');
  q.run(3, 'zalo', 1, 'c', '["ho-tich"]', '2026-02-03T00:00:00Z');
  q.run(3, 'zalo', 0, null, null, '2026-02-04T00:00:00Z');
  q.run(4, 'web', 0, null, null, '2026-02-05T00:00:00Z');
  q.run(5, 'zalo', 1, 'd', '["ho-tich"]', '2025-02-05T00:00:00Z'); // other year
  const u = db.prepare(`INSERT INTO unanswered (person_id, channel, question, normalized, status, created_at) VALUES (?, ?, 'x', 'x', ?, ?)`);
  u.run(3, 'zalo', 'answered', '2026-02-04T00:00:00Z');
  u.run(4, 'web', 'open', '2026-02-05T00:00:00Z');
  u.run(4, 'web', 'dismissed', '2026-02-06T00:00:00Z');

  const a = db.prepare(
    `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, question_count, score, correct_count, total_ms, started_at, finished_at)
     VALUES (?, ?, 'telegram', ?, ?, 5, ?, ?, 1000, ?, ?)`,
  );
  a.run('luyen-tap-quyen-tre-em', 1, 1, 'done', 40, 4, '2026-09-01T00:00:00Z', '2026-09-01T00:05:00Z');
  a.run('luyen-tap-quyen-tre-em', 1, 2, 'done', 50, 5, '2026-09-02T00:00:00Z', '2026-09-02T00:05:00Z');
  a.run('luyen-tap-quyen-tre-em', 2, 1, 'done', 20, 2, '2026-09-03T00:00:00Z', '2026-09-03T00:05:00Z');
  a.run('luyen-tap-quyen-tre-em', 3, 1, 'answering', 10, 1, '2026-09-04T00:00:00Z', null); // unfinished: not counted
  a.run('luyen-tap-quyen-tre-em', 5, 1, 'done', 30, 3, '2025-09-01T00:00:00Z', '2025-09-01T00:05:00Z'); // other year
}

const names = {
  office: 'Phòng Thông tin cơ sở',
  topics: [
    { slug: 'bao-hiem-y-te', name: 'Bảo hiểm y tế' },
    { slug: 'ho-tich', name: 'Hộ tịch, khai sinh, căn cước' },
  ],
  contests: [{ id: 'luyen-tap-quyen-tre-em', title: 'Luyện tập nhanh - Quyền trẻ em' }],
};

describe('yearly report', () => {
  it('uses the calendar year in Vietnam time', () => {
    expect(yearBounds(2026)).toEqual({ from: new Date('2025-12-31T17:00:00Z'), to: new Date('2026-12-31T17:00:00Z') });
  });

  it('matches the seeded database', () => {
    const db = openDb(':memory:');
    seed(db);
    const r = buildYearReport(db, 2026, names, new Date('2026-11-25T00:00:00Z'));
    expect(r.reachedByChannel).toEqual([
      { channel: 'telegram', people: 2, wrote: 1, received: 2 },
      { channel: 'web', people: 1, wrote: 1, received: 0 },
      { channel: 'zalo', people: 1, wrote: 1, received: 0 },
    ]);
    expect(r.newSubscribersByChannel).toEqual([
      { channel: 'telegram', n: 3 },
      { channel: 'zalo', n: 2 },
    ]);
    expect(r.subscribersAtEnd).toBe(4); // 1, 2, 3, 5 (6 opted out, 7 gone, 4 never consented)
    expect(r.campaigns).toEqual({ started: 2, done: 1, cancelled: 1 });
    expect(Object.fromEntries(r.deliveriesByStatus.map((d) => [d.status, d.n]))).toEqual({ sent: 3, outside_window: 1, gone: 1, cancelled: 1 });
    expect(r.questions).toEqual({ asked: 5, answered: 3, unanswered: 2 });
    expect(r.questionsByChannel).toEqual([
      { channel: 'telegram', asked: 2, answered: 2 },
      { channel: 'web', asked: 1, answered: 0 },
      { channel: 'zalo', asked: 2, answered: 1 },
    ]);
    expect(r.topTopics).toEqual([
      { topic: 'bao-hiem-y-te', n: 2 },
      { topic: 'ho-tich', n: 1 },
      { topic: 'tro-giup-xa-hoi', n: 1 },
    ]);
    expect(r.unansweredResolved).toEqual({ answered: 1, dismissed: 1, open: 1 });
    expect(r.contests).toEqual([{ contestId: 'luyen-tap-quyen-tre-em', participants: 2, attempts: 3, averageScore: 110 / 3, averageCorrect: 11 / 3 }]);

    const rows = parseCsv(reportCsv(r));
    const find = (indicator: string, group: string) => rows.find((x) => x[1] === indicator && x[2] === group)?.[3];
    expect(find('Tổng số người dân được tiếp cận', 'tất cả')).toBe('4');
    expect(find('Câu hỏi đã nhận', 'tất cả')).toBe('5');
    expect(find('Chủ đề được hỏi nhiều', 'Bảo hiểm y tế')).toBe('2');
    expect(find('Điểm trung bình', 'Luyện tập nhanh - Quyền trẻ em')).toBe('36.7');
    expect(find('Lượt gửi', 'Quá 7 ngày tương tác (Zalo)')).toBe('1');
    const html = reportHtml(r);
    expect(html).toContain('BÁO CÁO KẾT QUẢ NĂM 2026');
    expect(html).toContain('Luyện tập nhanh - Quyền trẻ em');
  });

  it('loa report --year writes the CSV and the printable page', async () => {
    const db = openDb(':memory:');
    seed(db);
    const { dir, cleanup } = tempDir();
    try {
      expect(await reportCli(['--year', '2026', '--out', dir], { db, contentDir: 'content', office: 'Phòng Thông tin cơ sở' })).toBe(0);
      expect(existsSync(join(dir, 'bao-cao-2026.html'))).toBe(true);
      const csv = readFileSync(join(dir, 'bao-cao-2026.csv'));
      expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(await reportCli(['--year', 'abc'], { db, contentDir: 'content', office: 'x' })).toBe(2);
    } finally {
      cleanup();
    }
  });

  it('loa report says so, in Vietnamese, for a year still to come or a year with no figures', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    const err: string[] = [];
    const out: string[] = [];
    const spyErr = vi.spyOn(console, 'error').mockImplementation((m: string) => void err.push(m));
    const spyLog = vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
    try {
      const now = new Date('2026-12-06T03:00:00Z');
      expect(await reportCli(['--year', '2030', '--out', dir], { db, contentDir: 'content', office: 'x', now })).toBe(2);
      expect(err.join('\n')).toContain('năm 2030 chưa tới (năm nay là 2026)');
      expect(existsSync(join(dir, 'bao-cao-2030.csv'))).toBe(false);
      expect(await reportCli(['--year', '2024', '--out', dir], { db, contentDir: 'content', office: 'x', now })).toBe(0);
      expect(out.join('\n')).toContain('năm 2024 không có số liệu nào');
      // No case found false: said so, without a '0/0' and a target beside it.
      expect(out.join('\n')).toContain('0 vụ việc tin giả (chưa có vụ việc xác định là tin giả) · ');
      expect(out.join('\n')).not.toContain('0/0');
      expect(await reportCli([], { db, contentDir: 'content', office: 'x', now })).toBe(2);
      expect(err.join('\n')).toContain('Cách dùng: loa report --year');
    } finally {
      spyErr.mockRestore();
      spyLog.mockRestore();
      cleanup();
    }
  });
});
