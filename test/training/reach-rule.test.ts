/**
 * One rule for who the yearly report counts as reached and whose questions it counts
 * (`db/reach.ts`): citizens and officials of the training list are one split of the same people.
 * A small office's year, counted by hand, with the edge cases: the period's bounds, outbound
 * messages and failed deliveries (not reached), a message with no person, an official linked and
 * one matched by account only, one who left the list before the year (a citizen in it), an
 * official who asked for erasure, and a citizen who asked for erasure whose anonymous row number
 * happens to equal the erased official's ("erased:4" in both tables).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { yearFigures } from '../../src/db/admin.js';
import { erasePerson } from '../../src/db/people.js';
import { officialsQuestions, officialsReached } from '../../src/db/training.js';
import { buildYearReport, reportRows } from '../../src/admin/report.js';
import type { RegionScope } from '../../src/db/scope.js';

// The year 2026 in Vietnam time (UTC+7).
const FROM = new Date('2025-12-31T17:00:00.000Z');
const TO = new Date('2026-12-31T17:00:00.000Z');
const IN = '2026-05-10T03:00:00.000Z';

let db: Db;
const ids: Record<string, number> = {};

function seed(): void {
  db = openDb(':memory:');
  const person = db.prepare(`INSERT INTO people (channel, external_id, region, created_at) VALUES (?, ?, ?, '2025-01-01T00:00:00.000Z')`);
  // Person ids in this order: I must be 4 (the erased official H's row on the list is 4 too).
  for (const [key, channel, ext, region] of [
    ['A', 'telegram', 'a', 'x'],
    ['B', 'telegram', 'b', 'y'],
    ['C', 'telegram', 'c', 'x'],
    ['I', 'telegram', 'i', 'x'],
    ['D', 'zalo', 'd', 'x'],
    ['E', 'telegram', 'e', 'x'],
    ['F', 'zalo', 'f', null],
    ['G', 'telegram', 'g', 'x'],
    ['H', 'telegram', 'h', 'x'],
  ] as const)
    ids[key] = Number(person.run(channel, ext, region).lastInsertRowid);
  expect(ids.I).toBe(4);
  const msg = db.prepare(`INSERT INTO messages (channel, person_id, direction, kind, text, created_at) VALUES (?, ?, ?, 'text', 'x', ?)`);
  msg.run('telegram', ids.A, 'in', IN);
  msg.run('telegram', ids.A, 'in', '2026-06-01T00:00:00.000Z');
  msg.run('telegram', ids.B, 'in', FROM.toISOString()); // at the start: counted
  msg.run('telegram', ids.B, 'out', IN);
  msg.run('telegram', ids.C, 'in', TO.toISOString()); // at the end: the next year's
  msg.run('telegram', ids.C, 'out', IN); // a reply is not reaching
  msg.run('telegram', null, 'in', IN); // no person (deleted row): nobody
  msg.run('telegram', ids.I, 'in', IN);
  msg.run('telegram', ids.E, 'in', IN);
  msg.run('zalo', ids.F, 'in', '2026-02-01T00:00:00.000Z'); // before F's listing, in the year: an official's
  msg.run('telegram', ids.G, 'in', IN);
  msg.run('telegram', ids.H, 'in', IN);
  const camp = Number(
    db
      .prepare(`INSERT INTO campaigns (status, text, channels, author, created_at, updated_at, started_at) VALUES ('done', 'x', '["telegram","zalo"]', 'a', ?, ?, ?)`)
      .run(IN, IN, IN).lastInsertRowid,
  );
  const del = db.prepare(`INSERT INTO deliveries (campaign_id, person_id, channel, recipient, status, finished_at) VALUES (?, ?, ?, 'r', ?, ?)`);
  del.run(camp, ids.A, 'telegram', 'sent', IN);
  del.run(camp, ids.C, 'telegram', 'failed', IN);
  del.run(camp, ids.I, 'telegram', 'sent', IN);
  del.run(camp, ids.D, 'zalo', 'sent', IN);
  del.run(camp, ids.F, 'zalo', 'sent', IN);
  const camp2 = Number(
    db
      .prepare(`INSERT INTO campaigns (status, text, channels, author, created_at, updated_at, started_at) VALUES ('done', 'x', '["zalo"]', 'a', ?, ?, ?)`)
      .run('2025-12-30T00:00:00.000Z', '2025-12-30T00:00:00.000Z', '2025-12-30T00:00:00.000Z').lastInsertRowid,
  );
  del.run(camp2, ids.D, 'zalo', 'sent', '2025-12-31T16:59:59.999Z'); // the year before
  // The training list: E linked, F by account only (joined in July), G left in 2025, H linked.
  const off = db.prepare(
    `INSERT INTO training_officials (name, unit, group_id, region, channel, external_id, person_id, imported_at, updated_at)
     VALUES (?, 'UBND xã X', 'quyen-con-nguoi', 'x', ?, ?, ?, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')`,
  );
  const mem = db.prepare(`INSERT INTO training_memberships (official_id, group_id, unit, region, valid_from, valid_to) VALUES (?, 'quyen-con-nguoi', 'UBND xã X', 'x', ?, ?)`);
  const e = Number(off.run('Cán bộ E', 'telegram', 'e', ids.E).lastInsertRowid);
  mem.run(e, '2025-01-01T00:00:00.000Z', null);
  const f = Number(off.run('Cán bộ F', 'zalo', 'f', null).lastInsertRowid);
  mem.run(f, '2026-07-01T00:00:00.000Z', null);
  const g = Number(off.run('Cán bộ G', 'telegram', 'g', ids.G).lastInsertRowid);
  mem.run(g, '2025-01-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z');
  const h = Number(off.run('Cán bộ H', 'telegram', 'h', ids.H).lastInsertRowid);
  mem.run(h, '2025-01-01T00:00:00.000Z', null);
  expect(h).toBe(4);
  const q = db.prepare(`INSERT INTO questions (person_id, channel, answered, topics, created_at) VALUES (?, ?, ?, ?, ?)`);
  q.run(ids.A, 'telegram', 1, '["t1"]', IN);
  q.run(ids.A, 'telegram', 0, null, IN);
  q.run(ids.E, 'telegram', 1, '["t2"]', IN);
  q.run(ids.H, 'telegram', 0, null, IN);
  q.run(null, 'web', 1, '["t1"]', IN); // the asker's row is gone: a citizen's question
  q.run(ids.G, 'telegram', 1, '["t2"]', IN);
  q.run(ids.A, 'telegram', 1, '["t1"]', TO.toISOString()); // next year
  const u = db.prepare(`INSERT INTO unanswered (person_id, channel, question, normalized, status, created_at) VALUES (?, 'telegram', 'x', 'x', ?, ?)`);
  u.run(ids.A, 'answered', IN);
  u.run(ids.H, 'open', IN);
}

const citizens = (scope: RegionScope = null) => yearFigures(db, FROM, TO, scope, 'citizens');

describe('who the yearly report counts (one rule, db/reach.ts)', () => {
  beforeEach(seed);

  it('splits the people reached into citizens and officials, counted by hand', () => {
    // Telegram: citizens A (wrote, received), B (wrote at the start), I (wrote, received), G
    // (left the list in 2025); officials E and H. C: a message at the end, a failed delivery.
    // Zalo: citizen D (received; the 2025 delivery is not this year's); official F.
    expect(citizens().reachedByChannel).toEqual([
      { channel: 'telegram', people: 4, wrote: 4, received: 2 },
      { channel: 'zalo', people: 1, wrote: 0, received: 1 },
    ]);
    expect(officialsReached(db, FROM, TO)).toEqual([
      { channel: 'telegram', people: 2, wrote: 2, received: 0 },
      { channel: 'zalo', people: 1, wrote: 1, received: 1 },
    ]);
    expect(yearFigures(db, FROM, TO).reachedByChannel).toEqual([
      { channel: 'telegram', people: 6, wrote: 6, received: 2 },
      { channel: 'zalo', people: 2, wrote: 1, received: 2 },
    ]);
    // A commune account (region x): A, G and D are citizens of x; E the official of x.
    expect(citizens(['x']).reachedByChannel).toEqual([
      { channel: 'telegram', people: 3, wrote: 3, received: 2 },
      { channel: 'zalo', people: 1, wrote: 0, received: 1 },
    ]);
    expect(officialsReached(db, FROM, TO, ['x'])).toEqual([{ channel: 'telegram', people: 2, wrote: 2, received: 0 }]);
  });

  it('splits the questions the same way: section 3 counts the citizens’, the officials’ are apart', () => {
    const c = citizens();
    // A's two, the one with no asker, G's (a citizen this year); not E's or H's.
    expect(c.questions).toEqual({ asked: 4, answered: 3, unanswered: 1 });
    expect(c.questionsByChannel).toEqual([
      { channel: 'telegram', asked: 3, answered: 2 },
      { channel: 'web', asked: 1, answered: 1 },
    ]);
    expect(c.topTopics).toEqual([
      { topic: 't1', n: 2 },
      { topic: 't2', n: 1 },
    ]);
    expect(c.unansweredResolved).toEqual({ answered: 1, dismissed: 0, open: 0 });
    expect(officialsQuestions(db, FROM, TO)).toEqual({ asked: 2, answered: 1, unanswered: 1 });
    expect(yearFigures(db, FROM, TO).questions).toEqual({ asked: 6, answered: 4, unanswered: 2 });
  });

  it('keeps answers people said were wrong out of "unanswered questions" (the queue holds both kinds)', () => {
    // A's answered question was 👎'd and staff answered it again; G's was asked again, still waiting.
    const mw = db.prepare(`INSERT INTO unanswered (person_id, channel, question, normalized, status, kind, created_at) VALUES (?, 'telegram', 'x', 'x', ?, 'maybe_wrong', ?)`);
    mw.run(ids.A, 'answered', IN);
    mw.run(ids.G, 'open', IN);
    mw.run(ids.E, 'open', IN); // an official's: not the citizens'
    const c = citizens();
    // Before: { answered: 2, dismissed: 0, open: 1 }, the corrected answer counted as an unanswered question.
    expect(c.unansweredResolved).toEqual({ answered: 1, dismissed: 0, open: 0 });
    expect(c.maybeWrong).toEqual({ answered: 1, dismissed: 0, open: 1 });
    const rows = reportRows(buildYearReport(db, 2026, { office: 'UBND xã X', topics: [], contests: [] }, new Date('2027-01-05T00:00:00.000Z')));
    const value = (indicator: string) => rows.find((x) => x[1] === indicator && x[2] === 'tất cả')?.[3];
    expect(value('Câu chưa trả lời: cán bộ đã trả lời')).toBe(1);
    expect(value('Câu bot đã trả lời, người hỏi cho là chưa đúng: cán bộ đã trả lời lại')).toBe(1);
    expect(value('Câu bot đã trả lời, người hỏi cho là chưa đúng: còn chờ')).toBe(1);
  });

  it('does not count as reached someone whose only event was leaving: an unfollow, a block', () => {
    const person = db.prepare(`INSERT INTO people (channel, external_id, region, created_at) VALUES (?, ?, 'x', '2025-01-01T00:00:00.000Z')`);
    const j = Number(person.run('zalo', 'j').lastInsertRowid);
    const k = Number(person.run('zalo', 'k').lastInsertRowid);
    const l = Number(person.run('telegram', 'l').lastInsertRowid);
    const ev = db.prepare(`INSERT INTO messages (channel, person_id, direction, kind, created_at) VALUES (?, ?, 'in', ?, ?)`);
    ev.run('zalo', j, 'unfollow', IN); // followed in 2025, left in 2026: not reached in 2026
    ev.run('zalo', k, 'follow', IN); // followed and was welcomed: reached
    ev.run('telegram', l, 'blocked', IN);
    ev.run('telegram', l, 'unblocked', '2026-06-01T00:00:00.000Z');
    // Zalo: D (received) and K (followed); telegram unchanged (A, B, I, G). Before: J and L too.
    expect(citizens().reachedByChannel).toEqual([
      { channel: 'telegram', people: 4, wrote: 4, received: 2 },
      { channel: 'zalo', people: 2, wrote: 1, received: 1 },
    ]);
  });

  it('citizens + officials = everyone, on every row, for every scope', () => {
    for (const scope of [null, ['x'], ['y'], []] as RegionScope[]) {
      const all = yearFigures(db, FROM, TO, scope);
      const c = citizens(scope);
      const o = officialsReached(db, FROM, TO, scope);
      for (const row of all.reachedByChannel) {
        const ci = c.reachedByChannel.find((x) => x.channel === row.channel) ?? { people: 0, wrote: 0, received: 0 };
        const oi = o.find((x) => x.channel === row.channel) ?? { people: 0, wrote: 0, received: 0 };
        expect({ people: ci.people + oi.people, wrote: ci.wrote + oi.wrote, received: ci.received + oi.received }, JSON.stringify(scope)).toEqual({
          people: row.people,
          wrote: row.wrote,
          received: row.received,
        });
      }
      const oq = officialsQuestions(db, FROM, TO, scope);
      expect(c.questions.asked + oq.asked).toBe(all.questions.asked);
      expect(c.questions.answered + oq.answered).toBe(all.questions.answered);
    }
  });

  it('an erasure moves nobody between the citizens’ and the officials’ rows', () => {
    const report = () => {
      const r = buildYearReport(db, 2026, { office: 'UBND xã X', topics: [], contests: [] }, new Date('2027-01-05T00:00:00.000Z'));
      return { reached: r.reachedByChannel, officials: r.officialsReached, questions: r.questions, officialsQuestions: r.officialsQuestions };
    };
    const before = report();
    // The official H asks to be forgotten, then the citizen I (person 4, like H's row on the list).
    erasePerson(db, ids.H!, new Date('2027-01-02T00:00:00.000Z'));
    erasePerson(db, ids.I!, new Date('2027-01-03T00:00:00.000Z'));
    expect(report()).toEqual(before);
    // Nothing of H's identity stays on the list: only the link to an anonymous row number.
    const h = db.prepare(`SELECT name, external_id AS ext, person_id AS personId FROM training_officials WHERE id = 4`).get() as { name: string; ext: string; personId: number };
    expect(h).toEqual({ name: '(đã xoá)', ext: 'erased:4', personId: ids.H });
    expect(db.prepare(`SELECT external_id FROM people WHERE id = ?`).pluck().get(ids.H)).toBe(`erased:${ids.H}`);
  });

  it('an official matched by account only (never linked) is linked when erased, so still counted an official', () => {
    const before = officialsReached(db, FROM, TO);
    erasePerson(db, ids.F!, new Date('2027-01-02T00:00:00.000Z'));
    expect(officialsReached(db, FROM, TO)).toEqual(before);
    expect(citizens().reachedByChannel.find((c) => c.channel === 'zalo')).toEqual({ channel: 'zalo', people: 1, wrote: 0, received: 1 });
  });

  it('the report’s rows say the officials’ questions are not in the citizens’ figures', () => {
    const r = buildYearReport(db, 2026, { office: 'UBND xã X', topics: [], contests: [] }, new Date('2027-01-05T00:00:00.000Z'));
    const rows = reportRows(r);
    const value = (indicator: string, group = 'tất cả') => rows.find((x) => x[1] === indicator && x[2] === group)?.[3];
    expect(value('Câu hỏi đã nhận')).toBe(4);
    expect(value('Bot trả lời được')).toBe(3);
    expect(value('Câu hỏi đã nhận', 'Telegram')).toBe(3);
    expect(value('Câu hỏi của cán bộ trong danh sách tập huấn (không tính vào số câu hỏi của người dân)')).toBe(2);
    expect(value('Tổng số người dân được tiếp cận')).toBe(5);
  });
});

describe('an erased official on the list', () => {
  beforeEach(seed);

  it('is not invited: no person "erased:<n>" is made and nothing is queued to no one', async () => {
    const { inviteOfficials } = await import('../../src/training/invite.js');
    const { listOfficials } = await import('../../src/db/training.js');
    erasePerson(db, ids.H!, new Date('2027-01-02T00:00:00.000Z'));
    const people = db.prepare(`SELECT COUNT(*) FROM people`).pluck().get();
    const queued: unknown[] = [];
    const h = listOfficials(db).find((o) => o.id === 4)!;
    expect(h.name).toBe('(đã xoá)');
    const training = { id: 'tap-huan', title: 'Tập huấn', quiz: 'q', articles: [], groups: ['quyen-con-nguoi'], status: 'approved' } as never;
    const res = inviteOfficials(
      { db, sender: { enqueue: (...a: unknown[]) => (queued.push(a), 1) } as never, quiz: { registry: { get: () => undefined } } as never },
      training,
      [h],
      { kind: 'invite', actor: 'hoa', now: new Date('2027-01-03T00:00:00.000Z') },
    );
    expect(res).toEqual({ queued: 0, skipped: 1, outOfTries: 0 });
    expect(queued).toEqual([]);
    expect(db.prepare(`SELECT COUNT(*) FROM people`).pluck().get()).toBe(people);
  });
});
