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

  it('counts months back from now', () => {
    expect(retentionCutoff(now, 12).toISOString()).toBe('2025-12-06T10:00:00.000Z');
  });

  it('clears old texts, keeps the rows the report counts, and never touches an unprocessed message', () => {
    const r = applyRetention(db, 12, now, 1);
    expect(r).toEqual({ messages: 2, unanswered: 1, feedback: 0, officials: 1 });
    const officials = db.prepare('SELECT name, external_id AS id, trained_at AS trainedAt FROM training_officials ORDER BY rowid').all() as { name: string; id: string; trainedAt: string | null }[];
    expect(officials.map((o) => o.name)).toEqual(['(đã xoá)', 'Trần Thị Mới', 'Lê Văn Còn']);
    expect(officials[0]).toMatchObject({ id: expect.stringMatching(/^erased:\d+$/), trainedAt: old }); // still counted as trained
    const texts = db.prepare('SELECT dedupe_key AS k, text, payload FROM messages ORDER BY id').all() as { k: string | null; text: string | null; payload: string | null }[];
    expect(texts.map((t) => t.text)).toEqual([null, 'chưa xử lý xong', null, 'câu hỏi mới']);
    expect(texts[0]!.payload).toBeNull();
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 4 });
    expect((db.prepare('SELECT question FROM unanswered ORDER BY id').all() as { question: string }[]).map((q) => q.question)).toEqual([RETENTION_PLACEHOLDER, 'câu mới']);
    // Idempotent; 0 months keeps everything.
    expect(applyRetention(db, 12, now)).toEqual({ messages: 0, unanswered: 0, feedback: 0, officials: 0 });
    expect(applyRetention(db, 0, now)).toEqual({ messages: 0, unanswered: 0, feedback: 0, officials: 0 });
  });
});
