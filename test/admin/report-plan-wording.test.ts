/**
 * The yearly report's files quote the plan's target of each section, as the page does: the
 * training section had its "Chỉ tiêu của kế hoạch" row, the disinformation section did not,
 * so the .xlsx/.csv an office files showed "chỉ tiêu 90%" without what the 90% is of.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { buildYearReport, reportCsv, reportHtml } from '../../src/admin/report.js';
import { parseCsv } from '../../src/text/csv.js';

describe('the plan wording of the disinformation target', () => {
  it('is a row of section 5 of the files, the words the page shows', () => {
    const db = openDb(':memory:');
    const r = buildYearReport(db, 2026, { office: 'Phòng Thông tin cơ sở', topics: [], contests: [] }, new Date('2026-11-25T00:00:00Z'));
    const rows = parseCsv(reportCsv(r));
    const plan = rows.find((x) => x[0] === '5. Tin giả, tin xấu độc do người dân báo' && x[1] === 'Chỉ tiêu của kế hoạch');
    expect(plan?.[3]).toBe('Phát hiện, xử lý 90% tin giả, tin xấu độc xâm hại quyền con người trên không gian mạng.');
    expect(reportHtml(r)).toContain('phát hiện, xử lý 90% tin giả, tin xấu độc xâm hại quyền con người trên không gian mạng');
    db.close();
  });
});
