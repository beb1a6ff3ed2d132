/**
 * The yearly report's count of reporters is the sum over cases (`reporter_count`): one citizen
 * who reported two rumours is counted twice. The report called it "Người báo tin" (people who
 * reported), which an office copies into its filing as a number of people; in the office trial
 * 11 citizens reported and the report said 12. It is now labelled as what it counts.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';
import { recordReport } from '../../src/db/disinfo.js';
import { buildYearReport, reportCsv, reportHtml } from '../../src/admin/report.js';
import { parseCsv } from '../../src/text/csv.js';

const AT = new Date('2026-06-10T03:00:00Z');

describe('reporters in the yearly report', () => {
  it('says the figure counts each case’s reporters, not distinct people', () => {
    const db = openDb(':memory:');
    const one = upsertPerson(db, 'telegram', '7002', undefined, AT);
    const two = upsertPerson(db, 'telegram', '7003', undefined, AT);
    const report = (personId: number, text: string) => recordReport(db, { personId, channel: 'telegram', region: null, text, topic: 'khac', platform: 'facebook' }, AT);
    report(one.id, 'https://www.facebook.com/groups/4455/posts/7312');
    report(two.id, 'https://www.facebook.com/groups/4455/posts/7312');
    report(one.id, 'https://www.youtube.com/watch?v=abc123');
    const r = buildYearReport(db, 2026, { office: 'Phòng Thông tin cơ sở', topics: [], contests: [] }, new Date('2026-11-25T00:00:00Z'));
    const rows = parseCsv(reportCsv(r)).filter((x) => x[0] === '5. Tin giả, tin xấu độc do người dân báo');
    // Two people reported; the figure is 3.
    expect(rows.find((x) => x[1]!.includes('người báo'))?.[3]).toBe('3');
    expect(rows.some((x) => x[1] === 'Người báo tin')).toBe(false);
    expect(rows.find((x) => x[3] === '3')?.[1]).toBe('Lượt người báo tin (một người báo nhiều vụ việc được tính ở mỗi vụ việc)');
    const html = reportHtml(r).replace(/<[^>]+>/g, '');
    expect(html).toContain('2 vụ việc (3 lượt người báo; một người báo nhiều vụ việc được tính ở mỗi vụ việc)');
    db.close();
  });
});
