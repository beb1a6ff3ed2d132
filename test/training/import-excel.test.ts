/**
 * An officials list as an office keeps it in Excel: Vietnamese headings, groups written as the
 * plan names them, communes by name, saved as "CSV UTF-8" (BOM, CRLF, ';' in a Vietnamese
 * locale). Read by the same reader the CLI and the admin page use.
 */
import { describe, expect, it } from 'vitest';
import { readOfficialsCsv } from '../../src/training/import.js';
import { loadTraining } from '../../src/training/definition.js';
import { flattenRegions, loadContent } from '../../src/knowledge/content.js';
import { run } from '../../src/cli/training.js';
import { openDb } from '../../src/db/index.js';
import { listOfficials } from '../../src/db/training.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/app.js';

const groups = loadTraining('content').groups;
const known = { groups: new Map(groups.map((g) => [g.id, g.name])), regions: flattenRegions(loadContent('content').regions) };

describe('officials list saved from Excel', () => {
  it('reads Vietnamese headings, group names of the plan and commune names', () => {
    const text =
      '\uFEFFHọ và tên;Đơn vị;Nhóm đối tượng;Địa bàn;Kênh;Mã tài khoản\r\n' +
      'Nguyễn Thị Hoa;UBND phường Phố Hiến;Cán bộ làm công tác quyền con người;Phường Phố Hiến;telegram;9301\r\n' +
      'Trần Văn Nam;UBND phường Phố Hiến;cán bộ làm công tác quản lý thông tin,  truyền thông;pho-hien;telegram;9302\r\n' +
      'Lê Thị Mai;Hội LHPN phường Sơn Nam;Cán bộ chủ chốt của các tổ chức chính trị - xã hội;;zalo;8713451786543210987\r\n';
    const r = readOfficialsCsv(text, known);
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.name, x.groupId, x.region])).toEqual([
      ['Nguyễn Thị Hoa', 'quyen-con-nguoi', 'pho-hien'],
      ['Trần Văn Nam', 'thong-tin-truyen-thong', 'pho-hien'],
      ['Lê Thị Mai', 'to-chuc-chinh-tri-xa-hoi', null],
    ]);
    // Headings typed without diacritics, with commas.
    const plain = readOfficialsCsv('Ho va ten,Don vi,Nhom doi tuong,Dia ban,Kenh,Ma tai khoan\nAn,UBND xã X,quyen-con-nguoi,,telegram,1\n', known);
    expect(plain.problems).toEqual([]);
    // A heading with a comma in a ';' file (Excel in a Vietnamese locale).
    const comma = readOfficialsCsv('Họ và tên;Cơ quan, đơn vị;Nhóm;Xã, phường;Kênh;Mã tài khoản\nAn;UBND xã X;quyen-con-nguoi;;telegram;1\n', known);
    expect(comma.problems).toEqual([]);
    expect(comma.rows[0]).toMatchObject({ name: 'An', unit: 'UBND xã X' });
    // Headings it does not know still get the message naming the columns.
    expect(readOfficialsCsv('Tên;Chỗ làm;Nhóm;Địa bàn;Kênh;Mã\nAn;X;quyen-con-nguoi;;telegram;1\n', known).problems[0]).toContain('dòng 1: dòng đầu phải là tên các cột');
  });

  it('still names the line of a group or commune it does not know', () => {
    const r = readOfficialsCsv('Họ và tên,Đơn vị,Nhóm,Địa bàn,Kênh,Mã tài khoản\nAn,UBND xã X,Cán bộ văn thư,Xã Không Có,telegram,1\n', known);
    expect(r.rows).toEqual([]);
    expect(r.problems.join('\n')).toContain("dòng 2: group: không có nhóm 'Cán bộ văn thư'");
    expect(r.problems.join('\n')).toContain("dòng 2: region: không có địa bàn 'Xã Không Có'");
  });

  it('loa training import refuses a file Excel saved as \u201cCSV (Comma delimited)\u201d (Windows-1258), saying how to save it as UTF-8', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'danh-sach.csv');
      // The heading in ASCII, then a row as Excel writes it on a Vietnamese Windows (made with Python's cp1258 codec).
      writeFileSync(file, Buffer.concat([Buffer.from('Ho va ten;Don vi;Nhom doi tuong;Dia ban;Kenh;Ma tai khoan\r\n'), Buffer.from('4e677579eade6e20546869f220486f613b55424e44207068fdf5cc6e67205068f4ec204869eaec6e3b4361ec6e2062f4f2206c61cc6d2063f46e67207461ec6320717579eacc6e20636f6e206e67fdf5cc693b5068fdf5cc6e67205068f4ec204869eaec6e3b74656c656772616d3b393330310d0a', 'hex')]));
      const err: string[] = [];
      const code = await run(['import', file], { db, config: { dataDir: dir, contentDir: 'content' }, out: () => {}, err: (s) => err.push(s) });
      expect(code).toBe(1);
      expect(err.join('\n')).toMatch(/không được lưu ở mã UTF-8.*dòng 2.*CSV UTF-8 \(Comma delimited\)/);
      expect(listOfficials(db)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('loa training import takes the Excel file', async () => {
    const db = openDb(':memory:');
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'danh-sach.csv');
      writeFileSync(file, '\uFEFFHọ và tên;Đơn vị;Nhóm đối tượng;Địa bàn;Kênh;Mã tài khoản\r\nNguyễn Thị Hoa;UBND phường Phố Hiến;Cán bộ làm công tác quyền con người;Phường Phố Hiến;telegram;9301\r\n');
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(['import', file], { db, config: { dataDir: dir, contentDir: 'content' }, out: (s) => out.push(s), err: (s) => err.push(s) });
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expect(listOfficials(db).map((o) => [o.groupId, o.region])).toEqual([['quyen-con-nguoi', 'pho-hien']]);
    } finally {
      cleanup();
    }
  });
});
