/**
 * One unit typed two ways by the people who filled the office's sheet: "Ủy ban" and "Uỷ ban",
 * "Văn hóa" and "Văn hoá" (the tone mark on another letter: other characters, the same word).
 * Coverage is counted per unit as written, so the yearly report showed the unit twice, each
 * line with part of its officials. The import now writes a unit as the list (then the file)
 * first wrote it, and says which lines it rewrote.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/training.js';
import { openDb } from '../../src/db/index.js';
import { trainingCoverage } from '../../src/db/training.js';
import { loadTraining } from '../../src/training/definition.js';
import { tempDir } from '../support/app.js';

const groups = loadTraining('content').groups;
const HEAD = '\uFEFFHọ và tên;Đơn vị;Nhóm đối tượng;Địa bàn;Kênh;Mã tài khoản';
const TCXH = 'Cán bộ chủ chốt của các tổ chức chính trị - xã hội';
const TTTT = 'Cán bộ làm công tác quản lý thông tin, truyền thông';

describe('loa training import: one unit spelt two ways', () => {
  it('counts it as one unit in the coverage, and says which lines were rewritten', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const config = { dataDir: dir, contentDir: 'content' };
      const path = join(dir, 'can-bo.csv');
      const importRows = async (rows: string[]): Promise<string> => {
        writeFileSync(path, [HEAD, ...rows].join('\r\n') + '\r\n');
        const out: string[] = [];
        expect(await run(['import', path], { db, config, out: (s) => out.push(s), err: (s) => out.push(s) })).toBe(0);
        return out.join('\n');
      };
      const said = await importRows([
        `Bùi Thị Thu;Ủy ban MTTQ Việt Nam xã Nghĩa Trụ;${TCXH};;telegram;9308`,
        `Đinh Văn Bảo;Uỷ ban MTTQ Việt Nam xã Nghĩa Trụ;${TCXH};;telegram;9312`,
        `Hoàng Minh Tuấn;Sở Văn hoá, Thể thao và Du lịch;${TTTT};;telegram;9305`,
      ]);
      expect(said).toContain('1 dòng ghi tên đơn vị khác cách viết với tên đã có');
      expect(said).toContain('“Uỷ ban MTTQ Việt Nam xã Nghĩa Trụ” ghi là “Ủy ban MTTQ Việt Nam xã Nghĩa Trụ” (dòng 3)');
      // A later file typed on another computer: the list's spelling is kept.
      const later = await importRows([`Ngô Văn Khoa;Sở Văn hóa,  Thể thao và Du lịch;${TTTT};;telegram;9310`]);
      expect(later).toContain('“Sở Văn hóa,  Thể thao và Du lịch” ghi là “Sở Văn hoá, Thể thao và Du lịch” (dòng 2)');
      const cov = trainingCoverage(db, groups);
      expect(cov.find((g) => g.groupId === 'to-chuc-chinh-tri-xa-hoi')!.units).toEqual([{ unit: 'Ủy ban MTTQ Việt Nam xã Nghĩa Trụ', officials: 2, trained: 0, share: 0 }]);
      expect(cov.find((g) => g.groupId === 'thong-tin-truyen-thong')!.units.map((u) => [u.unit, u.officials])).toEqual([['Sở Văn hoá, Thể thao và Du lịch', 2]]);
      // Same spelling: nothing said.
      expect(await importRows([`Ngô Văn Khoa;Sở Văn hoá, Thể thao và Du lịch;${TTTT};;telegram;9310`])).not.toContain('khác cách viết');
    } finally {
      db.close();
      cleanup();
    }
  });
});
