/**
 * A merge staff got wrong can be split again. Before (session 16), a merge could not be undone:
 * a mistyped case number ("BC-2026-0003" for "BC-2026-0033") took a case, its reporters and its
 * outcome out of the yearly "90% found and handled" for good, and later reports of its link kept
 * joining the wrong case. Now the merged case gets back the reports the merge moved (with what
 * their reporters had been told), those that joined since through its item, its reporter count
 * (reporters who erased their data included) and its place in the queue and the figures.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { erasePerson, upsertPerson } from '../../src/db/people.js';
import { CaseStepError, disinfoFigures, getCase, listCases, mergeCase, recordReport, reportsOfCase, setCaseStatus, splitCase, stepsOfCase } from '../../src/db/disinfo.js';
import { tellReporters } from '../../src/admin/disinfo.js';
import { queuedOutcomes, tellDeps } from './outcome-rows.js';
import { listAudit } from '../../src/db/audit.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';

const YEAR = [new Date('2025-12-31T17:00:00Z'), new Date('2026-12-31T17:00:00Z')] as const;
const FB = 'https://www.facebook.com/tin-nong/posts/111';
const TIKTOK = 'https://www.tiktok.com/@tin.nong/video/222';
const at = (day: number) => new Date(Date.UTC(2026, 2, day, 3));

let db: Db;
beforeEach(() => {
  db = openDb(':memory:');
});
afterEach(() => db.close());

const person = (ext: string) => upsertPerson(db, 'telegram', ext, undefined, at(1)).id;
const report = (personId: number, text: string, when: Date) =>
  recordReport(db, { personId, channel: 'telegram', region: null, text, topic: 'khac', platform: 'facebook' }, when);

describe('splitting a wrong merge', () => {
  it('gives the merged case back its reports, reporters, told outcomes, times and place in the figures', () => {
    const [p1, p2, p3, p4, p5] = [person('1'), person('2'), person('3'), person('4'), person('5')];
    // B (TikTok) first, judged not false and its reporters told; then A (Facebook), found false.
    const b = report(p2, TIKTOK, at(2));
    report(p3, TIKTOK, at(3));
    setCaseStatus(db, b.caseId, { status: 'not_false', actor: 'hoa' }, at(4));
    const deps = tellDeps(db);
    expect(tellReporters(deps, b.caseId, at(4))).toBe(2);
    const a = report(p1, FB, at(5));
    report(p2, FB, at(5));
    setCaseStatus(db, a.caseId, { status: 'confirmed_false', actor: 'hoa' }, at(6));
    const before = disinfoFigures(db, ...YEAR);
    expect(before).toMatchObject({ cases: 2, reporters: 4, foundFalse: 1 });

    // The wrong merge: B into A. A now counts p1, p2, p3 and starts at B's first report.
    mergeCase(db, b.caseId, a.number, { actor: 'hoa' }, at(7));
    expect(getCase(db, a.caseId)).toMatchObject({ reporterCount: 3, firstAt: at(2).toISOString() });
    // Since: p4 reports the TikTok link (joins A through B's item), p5 the Facebook one; A is handled, all told; p3 erases their data.
    expect(report(p4, TIKTOK, at(8)).caseId).toBe(a.caseId);
    report(p5, FB, at(8));
    setCaseStatus(db, a.caseId, { status: 'handled', outcome: 'platform', actor: 'hoa' }, at(9));
    tellReporters(deps, a.caseId, at(9));
    erasePerson(db, p3, at(10));
    expect(getCase(db, a.caseId)!.reporterCount).toBe(5);
    expect(disinfoFigures(db, ...YEAR)).toMatchObject({ cases: 1, reporters: 5, foundFalse: 1, handled: 1 });

    const { split, from } = splitCase(db, b.caseId, { actor: 'lan', note: 'Gõ nhầm mã vụ việc.' }, at(11));
    // B: p2, p4 on reports, and p3 (erased) still counted; A: p1, p2, p5.
    expect(split).toMatchObject({ id: b.caseId, mergedInto: null, status: 'not_false', reporterCount: 3, firstAt: at(2).toISOString(), lastAt: at(8).toISOString() });
    expect(from).toMatchObject({ id: a.caseId, reporterCount: 3, firstAt: at(5).toISOString() });
    expect(reportsOfCase(db, b.caseId).map((r) => r.personId).sort()).toEqual([p2, p4].sort());
    expect(reportsOfCase(db, a.caseId).map((r) => r.personId).sort()).toEqual([p1, p2, p5].sort());
    expect(disinfoFigures(db, ...YEAR)).toMatchObject({ cases: 2, reporters: 6, foundFalse: 1, handled: 1, byStatus: { not_false: 1, handled: 1 } });
    expect(listCases(db).map((c) => c.number).sort()).toEqual([a.number, b.number].sort());

    // p2 had been told B's outcome before the merge: not again. p4 never was: told now.
    const before11 = queuedOutcomes(db).length;
    expect(tellReporters(deps, b.caseId, at(11))).toBe(1);
    expect(queuedOutcomes(db).slice(before11).map((o) => o.personId)).toEqual([p4]);
    // The TikTok link's later reports go to B again.
    expect(report(person('6'), TIKTOK, at(12))).toMatchObject({ caseId: b.caseId, created: false });
    expect(getCase(db, b.caseId)!.reporterCount).toBe(4);

    expect(stepsOfCase(db, b.caseId).at(-1)!.note).toBe(`Đã tách khỏi vụ việc ${a.number} (không cùng một tin). Gõ nhầm mã vụ việc.`);
    expect(stepsOfCase(db, a.caseId).at(-1)!.note).toContain(`Đã tách vụ việc ${b.number} ra`);
    expect(listAudit(db, {}).find((e) => e.action === 'disinfo.split')).toMatchObject({ actor: 'lan', targetId: b.number, details: { from: a.number, reports: 2 } });

    // It can be merged again (into the right case) and split again.
    const c = report(person('7'), 'https://youtu.be/xyz', at(13));
    mergeCase(db, b.caseId, getCase(db, c.caseId)!.number, { actor: 'hoa' }, at(14));
    expect(getCase(db, c.caseId)!.reporterCount).toBe(5);
    splitCase(db, b.caseId, { actor: 'hoa' }, at(15));
    expect(getCase(db, b.caseId)!.reporterCount).toBe(4);
    expect(getCase(db, c.caseId)!.reporterCount).toBe(1);
  });

  it('brings back a case merged into the merged one with it, and refuses what it cannot split', () => {
    const a = report(person('1'), FB, at(2));
    const b = report(person('2'), TIKTOK, at(2));
    const c = report(person('3'), 'https://youtu.be/abc', at(2));
    expect(() => splitCase(db, a.caseId, { actor: 'hoa' }, at(3))).toThrow(`Vụ việc ${a.number} chưa được gộp vào vụ việc nào.`);
    mergeCase(db, c.caseId, b.number, { actor: 'hoa' }, at(3));
    mergeCase(db, b.caseId, a.number, { actor: 'hoa' }, at(4));
    expect(getCase(db, a.caseId)!.reporterCount).toBe(3);
    // C was merged into B, which was merged into A: B first.
    expect(() => splitCase(db, c.caseId, { actor: 'hoa' }, at(5))).toThrow(CaseStepError);
    expect(() => splitCase(db, c.caseId, { actor: 'hoa' }, at(5))).toThrow(`hãy tách ${b.number} khỏi ${a.number} trước`);
    // A later YouTube report joined A through C's item; splitting B brings it back with B.
    expect(report(person('4'), 'https://www.youtube.com/watch?v=abc', at(5)).caseId).toBe(a.caseId);
    splitCase(db, b.caseId, { actor: 'hoa' }, at(6));
    expect(getCase(db, a.caseId)!.reporterCount).toBe(1);
    expect(getCase(db, b.caseId)!.reporterCount).toBe(3);
    splitCase(db, c.caseId, { actor: 'hoa' }, at(7));
    expect(getCase(db, b.caseId)!.reporterCount).toBe(1);
    expect(getCase(db, c.caseId)!.reporterCount).toBe(2);
    expect(disinfoFigures(db, ...YEAR).cases).toBe(3);
    // A merge made before merges recorded what they moved cannot be split.
    mergeCase(db, c.caseId, a.number, { actor: 'hoa' }, at(8));
    db.prepare(`UPDATE disinfo_cases SET merged_at = NULL WHERE id = ?`).run(c.caseId);
    expect(() => splitCase(db, c.caseId, { actor: 'hoa' }, at(9))).toThrow('không tách lại được');
  });
});

describe('the case page', () => {
  it('offers the split on a merged case and puts the case back in the queue', async () => {
    const t = await startAdminApp();
    try {
      addUser(t.app, 'hoa', ['editor']);
      const p1 = upsertPerson(t.app.db, 'telegram', '501').id;
      const p2 = upsertPerson(t.app.db, 'telegram', '502').id;
      const a = recordReport(t.app.db, { personId: p1, channel: 'telegram', region: null, text: FB, topic: 'khac', platform: 'facebook' });
      const b = recordReport(t.app.db, { personId: p2, channel: 'telegram', region: null, text: TIKTOK, topic: 'khac', platform: 'tiktok' });
      const c = new AdminClient(t.url);
      await c.login('hoa', 'hoa-mat-khau-1');
      expect((await c.get(`/admin/disinfo/${b.caseId}`)).text).not.toContain('Gộp nhầm?');
      await c.post(`/admin/disinfo/${b.caseId}/merge`, { into: a.number });
      const merged = await c.get(`/admin/disinfo/${b.caseId}`);
      expect(merged.text).toContain('Gộp nhầm?');
      expect(merged.text).toContain(`action="/admin/disinfo/${b.caseId}/split"`);
      const res = await c.post(`/admin/disinfo/${b.caseId}/split`, { note: 'Hai tin khác nhau.' });
      expect(res.status).toBe(303);
      expect(decodeURIComponent(res.headers.get('location') ?? '')).toContain(`Đã tách vụ việc ${b.number} khỏi vụ việc ${a.number}`);
      const back = await c.get(`/admin/disinfo/${b.caseId}`);
      expect(back.text).not.toContain('Vụ việc này đã được gộp vào vụ việc');
      expect(back.text).toContain('Lưu bước xử lý');
      expect((await c.get('/admin/disinfo')).text).toContain(b.number);
      const again = await c.post(`/admin/disinfo/${b.caseId}/split`, {});
      expect(decodeURIComponent(again.headers.get('location') ?? '')).toContain('chưa được gộp vào vụ việc nào');
    } finally {
      await t.close();
    }
  });
});
