/**
 * A person's open questions (db/questions.ts openUnansweredOf, read at every no-answer to find a
 * repeat) are found through the person's own index, on a database without statistics as Loa's
 * is: SQLite's own choice was the (kind, status, created_at) index, which walks every open
 * question of everyone, newest first, until this person's turn up.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { OPEN_OF_PERSON_SQL, openUnansweredOf, recordUnanswered } from '../../src/db/questions.js';
import { upsertPerson } from '../../src/db/people.js';

describe("a person's open questions", () => {
  it("are read through the person's index, newest first and bounded", () => {
    const db = openDb(':memory:');
    const people = Array.from({ length: 20 }, (_, i) => upsertPerson(db, 'telegram', String(9000 + i)).id);
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) recordUnanswered(db, { personId: people[i % 20]!, channel: 'telegram', question: `Câu hỏi ${i}`, normalized: `câu hỏi ${i}`, suggestions: [] }, new Date(t0 + i * 1000));
    })();
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${OPEN_OF_PERSON_SQL}`).all(people[3], 30) as { detail: string }[]).map((r) => r.detail);
    expect(plan.join(' | ')).toContain('USING INDEX unanswered_person_open (person_id=?)');
    // What SQLite chose alone here, which the query must not do:
    const unforced = OPEN_OF_PERSON_SQL.replace(' INDEXED BY unanswered_person_open', '');
    expect((db.prepare(`EXPLAIN QUERY PLAN ${unforced}`).all(people[3], 30) as { detail: string }[]).map((r) => r.detail).join(' | ')).toContain('unanswered_kind');

    const mine = openUnansweredOf(db, people[3]!, 5);
    expect(mine.map((r) => r.question)).toEqual(['Câu hỏi 1983', 'Câu hỏi 1963', 'Câu hỏi 1943', 'Câu hỏi 1923', 'Câu hỏi 1903']);
  });
});
