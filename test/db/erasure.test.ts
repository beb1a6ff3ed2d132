/**
 * The right to erasure leaves no identifier behind: after `erasePerson`, no column of any table
 * holds the person's platform id or web session id (scanned, not listed), unique constraints
 * still hold, the request is audited under the internal number only, and every id-like column
 * the migrations create is on `db/erasure.ts`'s list.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { erasePerson, subscribe, upsertPerson, type Person } from '../../src/db/people.js';
import { recordInbound } from '../../src/db/messages.js';
import { recordAnswerGiven, recordUnanswered } from '../../src/db/questions.js';
import { listAudit } from '../../src/db/audit.js';
import { IDENTIFIER_COLUMNS } from '../../src/db/erasure.js';
import type { Inbound } from '../../src/channels/channel.js';

const AT = new Date('2026-03-02T03:00:00Z');
const TG_ID = '777000111';
const WEB_SESSION = 'b3f1c0de9a7e4d2f8c6b5a4938271605';
const ZALO_ID = '3512345678901234999';
const NAME = 'Nguyễn Thị Lan';
const QUESTION = 'Tôi là Lan, số 0912 345 678, hỏi về thẻ BHYT';

let db: Db;
beforeEach(() => {
  db = openDb(':memory:');
});
afterEach(() => db.close());

const hasTable = (t: string): boolean => !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t);

/** Every (table, column, rowid) whose text contains `needle`, anywhere in the database. */
function occurrences(needle: string): string[] {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
  const hits: string[] = [];
  for (const t of tables) {
    const cols = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[];
    for (const c of cols) {
      const rows = db.prepare(`SELECT rowid AS r FROM "${t}" WHERE instr(CAST("${c}" AS TEXT), ?) > 0`).all(needle) as { r: number }[];
      for (const r of rows) hits.push(`${t}.${c}#${r.r}`);
    }
  }
  return hits;
}

/** A person with something in every table that can hold their id. */
function seed(channel: 'telegram' | 'web' | 'zalo', externalId: string, name = NAME, question = QUESTION): Person {
  const p = upsertPerson(db, channel, externalId, name, AT);
  subscribe(db, p.id, ['bao-hiem-y-te'], 'pho-hien', AT);
  const key = channel === 'telegram' ? `u:9001:m:${externalId}:17` : channel === 'web' ? `${externalId}:m1` : `zalo:${externalId}:1700000000000`;
  recordInbound(db, { channel, userId: externalId, dedupeKey: key, type: 'text', text: question } as Inbound, p.id, AT);
  const u = recordUnanswered(db, { personId: p.id, channel, question, normalized: 'the bhyt', suggestions: [] }, AT);
  recordAnswerGiven(db, { ref: `ref${p.id}abcdefg`.slice(0, 12), personId: p.id, channel, question, normalized: 'the bhyt', answerId: 'bhyt-tre-em' }, AT);
  const campaign = Number(
    db
      .prepare(`INSERT INTO campaigns (status, text, channels, author, created_at, updated_at) VALUES ('sending', 'Tin', '[]', 'hoa', ?, ?)`)
      .run(AT.toISOString(), AT.toISOString()).lastInsertRowid,
  );
  db.prepare(`INSERT INTO deliveries (campaign_id, person_id, channel, recipient, status) VALUES (?, ?, ?, ?, 'sent')`).run(campaign, p.id, channel, externalId);
  db.prepare(
    `INSERT INTO answer_notices (unanswered_id, person_id, channel, recipient, entry_id, reply, status, created_at)
     VALUES (?, ?, ?, ?, 'bhyt-tre-em', '{"text":"Câu hỏi của bạn đã có câu trả lời"}', 'sent', ?)`,
  ).run(u, p.id, channel, externalId, AT.toISOString());
  // The send queue is being introduced (migration 070): seeded only where the table exists.
  if (hasTable('sends'))
    db.prepare(
      `INSERT INTO sends (channel, person_id, recipient, kind, reply, status, expires_at, created_at)
       VALUES (?, ?, ?, 'reply', '{"text":"Xin chào"}', 'sent', ?, ?)`,
    ).run(channel, p.id, externalId, AT.toISOString(), AT.toISOString());
  if (channel === 'telegram') {
    db.prepare(`INSERT INTO telegram_polls (poll_id, ref, chat_id, message_id, created_at) VALUES (?, 'q:1', ?, 5, ?)`).run(`poll-${p.id}`, externalId, AT.toISOString());
    db.prepare(
      `INSERT INTO quiz_live_sessions (contest_id, channel, chat_id, started_by, status, plan, phase, due_at, started_at)
       VALUES ('thi-thu', 'telegram', '-100123', ?, 'done', '[]', 'waiting', ?, ?)`,
    ).run(externalId, AT.toISOString(), AT.toISOString());
  }
  // An official on the training list (migration 091), imported with the same account.
  if (channel !== 'web' && hasTable('training_officials'))
    db.prepare(
      `INSERT INTO training_officials (name, unit, group_id, channel, external_id, person_id, imported_at, updated_at)
       VALUES (?, 'UBND xã Phố Hiến', 'quyen-con-nguoi', ?, ?, ?, ?, ?)`,
    ).run(name, channel, externalId, p.id, AT.toISOString(), AT.toISOString());
  if (channel === 'zalo')
    db.prepare(
      `INSERT INTO zalo_submissions (person_id, user_id, name, phone, consent_at, created_at) VALUES (?, ?, ?, '0912345678', ?, ?)`,
    ).run(p.id, externalId, name, AT.toISOString(), AT.toISOString());
  return p;
}

describe('erasePerson', () => {
  it.each([
    ['telegram', TG_ID, '888000222'],
    ['web', WEB_SESSION, 'c0ffee00c0ffee00c0ffee00c0ffee00'],
    ['zalo', ZALO_ID, '4600000000000000001'],
  ] as const)('leaves no %s id, name or text anywhere in the database', (channel, externalId, otherId) => {
    const p = seed(channel, externalId);
    seed(channel, otherId, 'Trần Văn Bình', 'Thủ tục cấp lại căn cước'); // someone else, untouched
    expect(occurrences(externalId).length).toBeGreaterThan(3);
    const othersBefore = occurrences(otherId);
    erasePerson(db, p.id, AT);
    expect(occurrences(externalId)).toEqual([]);
    expect(occurrences(NAME)).toEqual([]);
    expect(occurrences('0912 345 678')).toEqual([]);
    expect(occurrences(otherId)).toEqual(othersBefore);
  });

  it('replaces the feedback ref (a hash of the user id) and keeps the rows for the report', () => {
    const p = seed('telegram', TG_ID);
    erasePerson(db, p.id, AT);
    const refs = db.prepare('SELECT ref FROM answer_feedback WHERE person_id = ?').pluck().all(p.id) as string[];
    expect(refs).toEqual([expect.stringMatching(/^erased:\d+$/)]);
    expect((db.prepare('SELECT COUNT(*) FROM messages WHERE person_id = ?').pluck().get(p.id) as number)).toBe(1);
    expect((db.prepare('SELECT COUNT(*) FROM deliveries WHERE person_id = ?').pluck().get(p.id) as number)).toBe(1);
  });

  it('keeps unique constraints valid: two people erased, and one who came back and erased again', () => {
    const a = seed('web', WEB_SESSION);
    const b = seed('web', 'another-session-0000000000000000');
    expect(() => {
      erasePerson(db, a.id, AT);
      erasePerson(db, b.id, AT);
    }).not.toThrow();
    // The same session comes back: a new person, with the same dedupe key shape, erased again.
    const again = seed('web', WEB_SESSION);
    expect(again.id).not.toBe(a.id);
    expect(() => erasePerson(db, again.id, AT)).not.toThrow();
    expect(occurrences(WEB_SESSION)).toEqual([]);
  });

  it('audits the erasure under the internal number only: no platform id, name or text', () => {
    const p = seed('zalo', ZALO_ID);
    erasePerson(db, p.id, AT);
    const [entry, ...rest] = listAudit(db, { action: 'privacy.' });
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ actor: `person:${p.id}`, action: 'privacy.erase', targetType: 'person', targetId: String(p.id) });
    const raw = JSON.stringify(entry);
    for (const secret of [ZALO_ID, NAME, 'BHYT', '0912']) expect(raw).not.toContain(secret);
  });

  it('names staff as the actor when staff erase on request', () => {
    const p = seed('telegram', TG_ID);
    erasePerson(db, p.id, AT, { actor: 'cli:hoa' });
    expect(listAudit(db, { action: 'privacy.erase' })[0]!.actor).toBe('cli:hoa');
  });
});

describe('IDENTIFIER_COLUMNS', () => {
  // Staff accounts are not citizens' data; their ids are the office's own.
  const STAFF = new Set(['sessions.user_id', 'login_attempts.username', 'users.username']);
  const ID_LIKE = /(^|_)(recipient|chat_id|user_id|external_id|dedupe_key|started_by|session_id|sender_id|ref)$/;

  it('lists every column the migrations create that can hold a platform id or session id', () => {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
    const listed = new Set([...IDENTIFIER_COLUMNS.map((c) => `${c.table}.${c.column}`), 'people.external_id']);
    const idLike: string[] = [];
    for (const t of tables)
      for (const c of db.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(t) as { name: string; type: string }[])
        if (ID_LIKE.test(c.name) && c.type.toUpperCase() === 'TEXT' && !STAFF.has(`${t}.${c.name}`)) idLike.push(`${t}.${c.name}`);
    // Our own references: a poll's question ref, a queued row's 'notice:<id>'.
    const ours = new Set(['telegram_polls.ref', 'sends.ref']);
    expect(idLike.filter((c) => !listed.has(c) && !ours.has(c))).toEqual([]);
  });
});
