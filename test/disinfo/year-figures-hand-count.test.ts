/**
 * The yearly report's section 5 against a hand count of one year of reports as an office lives
 * them: a post reported by three people in three forms of its link, one person flooding one link
 * 500 times, a spam report, a second case of one rumour merged into the first, a handled case
 * whose reporter erased their data. The plan asks "found and handled" and how fast: the report
 * gave the share but no time to handle at all (measured 2026-12-07: no row, no sentence).
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { erasePerson, upsertPerson } from '../../src/db/people.js';
import { disinfoFigures, mergeCase, recordReport, setCaseStatus } from '../../src/db/disinfo.js';
import { buildYearReport, reportCsv, reportHtml } from '../../src/admin/report.js';
import { parseCsv } from '../../src/text/csv.js';

const SECTION = '5. Tin giả, tin xấu độc do người dân báo';

describe('section 5 by hand count', () => {
  it('cases, found false, handled, share and days to handle', () => {
    const db = openDb(':memory:');
    const at = (iso: string) => new Date(iso);
    const person = (ext: string, when = '2026-01-01T00:00:00Z') => upsertPerson(db, 'telegram', ext, undefined, at(when)).id;
    const report = (pid: number, text: string, when: string) =>
      recordReport(db, { personId: pid, channel: 'telegram', region: null, text, topic: 'khac', platform: 'facebook' }, at(when));
    const step = (id: number, status: 'checking' | 'confirmed_false' | 'handled' | 'out_of_scope', when: string) =>
      setCaseStatus(db, id, { status, actor: 'hoa', ...(status === 'handled' ? { outcome: 'correction' as const } : {}) }, at(when));

    // A: one Facebook post, three people, three forms of the link; handled after 2 days.
    const a = report(person('a1'), 'https://www.facebook.com/groups/4455/posts/7312/?mibextid=Zx9', '2026-03-02T03:00:00Z');
    report(person('a2'), 'facebook.com/groups/4455/posts/7312', '2026-03-02T05:00:00Z');
    report(person('a3'), 'http://m.facebook.com/groups/4455/posts/7312?utm_source=zalo', '2026-03-03T01:00:00Z');
    step(a.caseId, 'confirmed_false', '2026-03-03T03:00:00Z');
    step(a.caseId, 'handled', '2026-03-04T03:00:00Z');
    step(a.caseId, 'handled', '2026-03-20T03:00:00Z'); // a second way of handling, later: not the time to handle
    // D: the same rumour as a TikTok repost, one new reporter and one of A's: merged into A.
    const d = report(person('d1'), 'https://www.tiktok.com/@x/video/99?_t=1', '2026-03-05T00:00:00Z');
    report(person('a1'), 'https://tiktok.com/@x/video/99', '2026-03-05T01:00:00Z');
    mergeCase(db, d.caseId, a.number, { actor: 'hoa' }, at('2026-03-06T00:00:00Z'));
    // B: a text rumour, two reporters; handled after 10 days.
    const rumour = 'Từ tháng sau người cao tuổi phải nộp lại toàn bộ tiền trợ cấp xã hội đã nhận';
    const b = report(person('b1'), rumour, '2026-04-01T00:00:00Z');
    report(person('b2'), `${rumour}!!! 😡`, '2026-04-02T00:00:00Z');
    step(b.caseId, 'checking', '2026-04-03T00:00:00Z');
    step(b.caseId, 'confirmed_false', '2026-04-05T00:00:00Z');
    step(b.caseId, 'handled', '2026-04-11T00:00:00Z');
    // C: confirmed false, not handled yet.
    const c = report(person('c1'), 'https://youtu.be/AbC?si=1', '2026-05-01T00:00:00Z');
    step(c.caseId, 'confirmed_false', '2026-05-02T00:00:00Z');
    // E: spam, out of scope.
    const e = report(person('e1'), 'mua thuốc giảm cân giá rẻ liên hệ ngay', '2026-05-10T00:00:00Z');
    step(e.caseId, 'out_of_scope', '2026-05-10T02:00:00Z');
    // F: one person, the same link 500 times (the chat allows 5 a day; the case counts them once).
    const flooder = person('f1');
    for (let i = 0; i < 500; i++) report(flooder, `https://tin-nong.vn/bai/1?utm_source=s${i}`, '2026-06-01T00:00:00Z');
    // G: handled after 4 days; its only reporter then erased their data.
    const gp = person('g1');
    const g = report(gp, 'https://zalo.me/g/abcdef', '2026-07-01T00:00:00Z');
    step(g.caseId, 'confirmed_false', '2026-07-02T00:00:00Z');
    step(g.caseId, 'handled', '2026-07-05T00:00:00Z');
    erasePerson(db, gp, at('2026-07-06T00:00:00Z'));

    const f = disinfoFigures(db, at('2025-12-31T17:00:00Z'), at('2026-12-31T17:00:00Z'));
    expect(f.cases).toBe(6); // A, B, C, E, F, G (D merged into A)
    expect(f.reporters).toBe(4 + 2 + 1 + 1 + 1 + 1); // A's three and D's new one; F once; G kept after erasure
    expect(f.foundFalse).toBe(4); // A, B, C, G
    expect(f.handled).toBe(3); // A, B, G
    expect(f.handledShare).toBe(0.75);
    expect(f.byStatus.out_of_scope).toBe(1);
    expect(f.byStatus.new).toBe(1);
    expect(f.handleDays).toEqual({ median: 4, longest: 10 }); // 2, 10, 4 days

    const r = buildYearReport(db, 2026, { office: 'Phòng Văn hoá - Xã hội', topics: [], contests: [] }, at('2026-12-01T00:00:00Z'));
    const rows = parseCsv(reportCsv(r)).filter((x) => x[0] === SECTION);
    expect(rows.find((x) => x[1]!.startsWith('Thời gian xử lý, trung vị'))?.[3]).toBe('4');
    expect(rows.find((x) => x[1] === 'Thời gian xử lý, lâu nhất (ngày)')?.[3]).toBe('10');
    expect(rows.find((x) => x[1] === 'Tỷ lệ phát hiện và xử lý (%)')?.[3]).toBe('75');
    expect(reportHtml(r)).toMatch(/trung vị <strong>4<\/strong> ngày, lâu nhất <strong>10<\/strong> ngày/);
    db.close();
  });
});
