import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { applyRetention, RETENTION_PLACEHOLDER, retentionCutoff } from '../../src/db/retention.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('retention', () => {
  const db = openDb(join(dir, 'loa.sqlite'));
  const now = new Date('2026-12-06T10:00:00Z');
  const old = '2025-10-01T00:00:00.000Z';
  const recent = '2026-11-01T00:00:00.000Z';
  const msg = db.prepare(
    `INSERT INTO messages (channel, person_id, direction, dedupe_key, kind, text, payload, created_at, processed_at) VALUES ('web', NULL, ?, ?, 'text', ?, '{}', ?, ?)`,
  );
  msg.run('in', 'a', 'số điện thoại tôi 0912345678', old, old);
  msg.run('in', 'b', 'chưa xử lý xong', old, null);
  msg.run('out', null, 'trả lời cũ', old, old);
  msg.run('in', 'c', 'câu hỏi mới', recent, recent);
  db.prepare(`INSERT INTO unanswered (channel, question, normalized, created_at) VALUES ('web', 'nhà tôi ở số 5', 'nha toi o so 5', ?)`).run(old);
  db.prepare(`INSERT INTO unanswered (channel, question, normalized, created_at) VALUES ('web', 'câu mới', 'cau moi', ?)`).run(recent);
  // Officials on the training list: one taken off long ago (anonymised), one recently, one still on it.
  const official = db.prepare(
    `INSERT INTO training_officials (name, unit, group_id, channel, external_id, imported_at, updated_at, removed_at, trained_at)
     VALUES (?, 'UBND xã', 'quyen-con-nguoi', 'telegram', ?, ?, ?, ?, ?)`,
  );
  official.run('Nguyễn Văn Cũ', '701', old, old, old, old);
  official.run('Trần Thị Mới', '702', old, recent, recent, null);
  official.run('Lê Văn Còn', '703', old, old, null, null);
  // Disinformation reports: an old closed text case, an old closed link case, an old case still
  // open (keeps its text for staff), and a recent report.
  const reporter = Number(db.prepare(`INSERT INTO people (channel, external_id, created_at) VALUES ('telegram', '801', ?)`).run(old).lastInsertRowid);
  const kase = db.prepare(
    `INSERT INTO disinfo_cases (number, year, seq, match_key, url, text, media_ref, status, reporter_count, first_at, last_at, updated_at)
     VALUES (?, 2025, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
  );
  const report = db.prepare(`INSERT INTO disinfo_reports (case_id, person_id, channel, url, text, media_ref, created_at) VALUES (?, ?, 'telegram', ?, ?, ?, ?)`);
  const rumour = 'Gọi 0912345678 để nhận tiền hỗ trợ của phường';
  kase.run('BC-2025-0001', 1, 't:goi 0912345678 de nhan tien ho tro cua phuong', null, rumour, null, 'not_false', old, old, old);
  report.run(1, reporter, null, rumour, null, old);
  kase.run('BC-2025-0002', 2, 'u:https://facebook.com/p/1', 'https://facebook.com/p/1', 'xem https://m.facebook.com/p/1', 'AgAC-file', 'handled', old, old, old);
  report.run(2, reporter, 'https://facebook.com/p/1', 'xem https://m.facebook.com/p/1', 'AgAC-file', old);
  kase.run('BC-2025-0003', 3, 't:tin chua xu ly', null, 'tin chưa xử lý', null, 'checking', old, old, old);
  report.run(3, reporter, null, 'tin chưa xử lý', null, old);
  report.run(2, reporter, 'https://facebook.com/p/1', 'https://facebook.com/p/1 lại thấy', null, recent);

  it('counts months back from now', () => {
    expect(retentionCutoff(now, 12).toISOString()).toBe('2025-12-06T10:00:00.000Z');
  });

  it('clears old texts, keeps the rows the report counts, and never touches an unprocessed message', () => {
    const r = applyRetention(db, 12, now, 1);
    expect(r).toEqual({ messages: 2, unanswered: 1, feedback: 0, officials: 1, disinfoReports: 3, disinfoCases: 2 });
    const cases = db.prepare('SELECT match_key AS key, url, text, media_ref AS media, reporter_count AS n FROM disinfo_cases ORDER BY id').all();
    expect(cases).toEqual([
      { key: 'x:1', url: null, text: RETENTION_PLACEHOLDER, media: null, n: 1 },
      { key: 'u:https://facebook.com/p/1', url: 'https://facebook.com/p/1', text: null, media: null, n: 1 },
      { key: 't:tin chua xu ly', url: null, text: 'tin chưa xử lý', media: null, n: 1 },
    ]);
    const reports = db.prepare('SELECT person_id AS p, url, text, media_ref AS media FROM disinfo_reports ORDER BY id').all();
    expect(reports).toEqual([
      { p: reporter, url: null, text: null, media: null },
      { p: reporter, url: 'https://facebook.com/p/1', text: null, media: null },
      { p: reporter, url: null, text: null, media: null },
      { p: reporter, url: 'https://facebook.com/p/1', text: 'https://facebook.com/p/1 lại thấy', media: null },
    ]);
    const officials = db.prepare('SELECT name, external_id AS id, trained_at AS trainedAt FROM training_officials ORDER BY rowid').all() as { name: string; id: string; trainedAt: string | null }[];
    expect(officials.map((o) => o.name)).toEqual(['(đã xoá)', 'Trần Thị Mới', 'Lê Văn Còn']);
    expect(officials[0]).toMatchObject({ id: expect.stringMatching(/^erased:\d+$/), trainedAt: old }); // still counted as trained
    const texts = db.prepare('SELECT dedupe_key AS k, text, payload FROM messages ORDER BY id').all() as { k: string | null; text: string | null; payload: string | null }[];
    expect(texts.map((t) => t.text)).toEqual([null, 'chưa xử lý xong', null, 'câu hỏi mới']);
    expect(texts[0]!.payload).toBeNull();
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 4 });
    expect((db.prepare('SELECT question FROM unanswered ORDER BY id').all() as { question: string }[]).map((q) => q.question)).toEqual([RETENTION_PLACEHOLDER, 'câu mới']);
    // Idempotent; 0 months keeps everything.
    const none = { messages: 0, unanswered: 0, feedback: 0, officials: 0, disinfoReports: 0, disinfoCases: 0 };
    expect(applyRetention(db, 12, now)).toEqual(none);
    expect(applyRetention(db, 0, now)).toEqual(none);
  });
});
