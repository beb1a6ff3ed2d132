/**
 * A share just under its target is never written as the target: 1 749 of 2 500 key officials of
 * the mass organisations trained is 69,96%, which rounded to nearest read "70%" beside "chưa đạt
 * chỉ tiêu 70%" in the yearly report, the CLI and the training page (and 224 of 249 disinformation
 * cases handled read "90%" beside "chưa đạt chỉ tiêu 90%"). Other shares round as before.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { buildYearReport, reportHtml, reportRows } from '../../src/admin/report.js';
import { coverageText } from '../../src/cli/training.js';
import { trainingCoverage } from '../../src/db/training.js';
import { loadTraining } from '../../src/training/definition.js';
import { formatShare, sharePercent } from '../../src/training/format.js';
import { vietnamInstant } from '../../src/time/vietnam.js';

describe('a share under its target', () => {
  it('is rounded down only when rounding would reach the target', () => {
    expect(sharePercent(1749 / 2500, 0.7)).toBe(69.9);
    expect(sharePercent(224 / 249, 0.9)).toBe(89.9);
    expect(sharePercent(0.99996, 1)).toBe(99.9);
    expect(sharePercent(7 / 10, 0.7)).toBe(70);
    expect(sharePercent(2 / 3, 1)).toBe(66.7);
    expect(sharePercent(2 / 3)).toBe(66.7);
    expect(sharePercent(1749 / 2500)).toBe(70);
    expect(formatShare(1749 / 2500, 0.7)).toBe('69,9%');
  });

  it('reads "69,9%" and "chưa đạt chỉ tiêu" in the report, the CLI and the coverage', () => {
    const db = openDb(':memory:');
    const groups = loadTraining('content').groups;
    db.transaction(() => {
      const off = db.prepare(
        `INSERT INTO training_officials (name, unit, group_id, region, channel, external_id, imported_at, updated_at, trained_at)
         VALUES ('x', 'Hội Nông dân', 'to-chuc-chinh-tri-xa-hoi', NULL, 'telegram', ?, '2026-01-05T00:00:00.000Z', '2026-01-05T00:00:00.000Z', ?)`,
      );
      const mem = db.prepare(`INSERT INTO training_memberships (official_id, group_id, unit, region, valid_from) VALUES (?, 'to-chuc-chinh-tri-xa-hoi', 'Hội Nông dân', NULL, '2026-01-05T00:00:00.000Z')`);
      for (let i = 0; i < 2500; i++) mem.run(Number(off.run(`u${i}`, i < 1749 ? '2026-03-01T00:00:00.000Z' : null).lastInsertRowid));
    })();
    const r = buildYearReport(db, 2026, { office: 'x', topics: [], contests: [], trainingGroups: groups }, vietnamInstant(2027, 1, 5));
    const rows = reportRows(r);
    const key = 'Cán bộ chủ chốt của các tổ chức chính trị - xã hội';
    expect(rows.find((x) => x[1] === 'Tỷ lệ đã tập huấn (%)' && x[2] === key)?.[3]).toBe(69.9);
    expect(rows.find((x) => x[1] === 'Đánh giá' && x[2] === key)?.[3]).toBe('chưa đạt chỉ tiêu');
    expect(reportHtml(r)).toMatch(/<td class="num">69,9%<\/td><td>Chưa đạt chỉ tiêu<\/td>/);
    expect(coverageText(trainingCoverage(db, groups))).toContain('đã tập huấn 1749/2500 = 69,9%; chưa đạt chỉ tiêu');
  });
});
