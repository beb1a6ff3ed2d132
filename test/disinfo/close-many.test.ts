/**
 * Closing a case many people reported: each reporter gets exactly one outcome message, queued in
 * the same commit that marks them told. Before, the messages were handed to the sender one by one
 * (each stored in a later commit) while the "told" marks were written at once, one autocommit
 * each: a case of 5,000 reporters held the staff member's request for seconds (2.2 s measured on
 * an idle machine, 13 s under load), and a failure half-way left reporters marked told whose
 * message was never stored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';
import { recordReport, reportsOfCase, setCaseStatus } from '../../src/db/disinfo.js';
import { tellReporters } from '../../src/admin/disinfo.js';
import { queuedOutcomes, tellDeps } from './outcome-rows.js';

const AT = new Date('2026-06-01T03:00:00Z');
let db: Db;
let caseId = 0;
const N = 1500;

beforeEach(() => {
  db = openDb(':memory:');
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const p = upsertPerson(db, i % 3 === 0 ? 'web' : 'telegram', `r-${100_000 + i}`, undefined, AT);
      caseId = recordReport(db, { personId: p.id, channel: p.channel, region: null, text: 'https://facebook.com/groups/1/posts/2', topic: 'khac', platform: 'facebook' }, AT).caseId;
    }
  })();
  setCaseStatus(db, caseId, { status: 'confirmed_false', actor: 'lan' }, AT);
  setCaseStatus(db, caseId, { status: 'handled', outcome: 'platform', actor: 'lan' }, AT);
});
afterEach(() => db.close());

describe('closing a case of many reporters', () => {
  it('queues one message per reporter and marks each told, once', () => {
    const deps = tellDeps(db);
    expect(tellReporters(deps, caseId, AT)).toBe(N);
    const rows = queuedOutcomes(db);
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((r) => r.personId)).size).toBe(N);
    expect(rows.filter((r) => r.status === 'held').length).toBe(N / 3);
    expect(reportsOfCase(db, caseId).every((r) => r.notifiedStatus === 'handled')).toBe(true);
    // The sender's pass is run once, not once per reporter.
    expect(deps.polls()).toBe(1);
    expect(tellReporters(deps, caseId, AT)).toBe(0);
    expect(queuedOutcomes(db)).toHaveLength(N);
  });

  it('all or nothing: a failure half-way leaves no reporter marked told and no message queued', () => {
    // The 1,000th message cannot be stored (a full disk, say).
    db.exec(`CREATE TEMP TRIGGER fail_sends BEFORE INSERT ON sends WHEN (SELECT COUNT(*) FROM sends) >= 999 BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => tellReporters(tellDeps(db), caseId, AT)).toThrow('disk full');
    expect(queuedOutcomes(db)).toHaveLength(0);
    expect(reportsOfCase(db, caseId).filter((r) => r.notifiedStatus !== null)).toHaveLength(0);
    // Once it can be stored, everyone is told, once.
    db.exec(`DROP TRIGGER fail_sends`);
    expect(tellReporters(tellDeps(db), caseId, AT)).toBe(N);
    expect(new Set(queuedOutcomes(db).map((r) => r.personId)).size).toBe(N);
  });
});
