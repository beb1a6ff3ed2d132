/**
 * Bulk Q&A import under hostile or careless input: what an editor can paste or upload must not
 * stop the bot (one Node process serves the admin and every channel).
 *
 * - A run of spaces in a paste (or a sheet cell): the reader's trailing-space cleanup was a
 *   quadratic regular expression, 40,000 spaces held the event loop 3.5 s, 200,000 two minutes.
 * - An .xlsx that unpacks to far more than it weighs (a zip bomb): read-excel-file unpacked and
 *   parsed all of it, 300 KB held the loop 13 s at 1 GB; the 8 MB upload limit allowed gigabytes.
 * - A sheet of hundreds of thousands of cells within that: 700,000 cells kept a core busy 70 s.
 * - A CSV (or cells pasted from Excel) of 2,000,000 short rows, 8 MB: every row was read and
 *   cleaned (the event loop held 22 s, 900 MB) only to be refused for being over 1,000.
 */
import { zip } from '../content-import/docx-support.js';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { cleanPastedText } from '../../src/content-import/booklet.js';
import { readImportFile, readImportText } from '../../src/content-import/table.js';
import { MAX_XLSX_XML } from '../../src/content-import/xlsx-guard.js';

/** A minimal workbook whose answer cell (a shared string) is `answer`. */
function workbook(answer: Buffer, declare?: number, moreRows = 0): Buffer {
  const xml = (s: string): Buffer => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>${s}`);
  const sst = Buffer.concat([
    Buffer.from('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Câu hỏi</t></si><si><t>Trả lời</t></si><si><t>Đăng ký khai sinh ở đâu?</t></si><si><t>'),
    answer,
    Buffer.from('</t></si></sst>'),
  ]);
  return zip([
    {
      name: '[Content_Types].xml',
      data: xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
      ),
    },
    {
      name: '_rels/.rels',
      data: xml('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    },
    {
      name: 'xl/workbook.xml',
      data: xml('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Hỏi đáp" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: xml(
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
      ),
    },
    {
      name: 'xl/worksheets/sheet1.xml',
      data: xml(
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>' +
          Array.from({ length: moreRows }, (_, i) => `<row r="${i + 3}"><c r="A${i + 3}" s="1"/><c r="B${i + 3}" s="1"/></row>`).join('') +
          '</sheetData></worksheet>',
      ),
    },
    { name: 'xl/sharedStrings.xml', data: sst, ...(declare !== undefined ? { declare } : {}) },
  ]);
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('a paste with a long run of spaces', () => {
  it('is cleaned in linear time (the trailing-space cleanup was quadratic)', () => {
    const text = `Câu 1. Đăng ký khai sinh ở đâu?\nTrả lời: Tại Ủy ban nhân dân cấp xã${' '.repeat(150_000)}nơi cư trú của cha hoặc mẹ.   \n`;
    const t = performance.now();
    const cleaned = cleanPastedText(text);
    const read = readImportText(text);
    // Linear: a few milliseconds. The old expression took 167 s on this text here (load 12).
    expect(performance.now() - t).toBeLessThan(1_500);
    expect(cleaned.endsWith('cha hoặc mẹ.\n')).toBe(true);
    expect(read.entries).toHaveLength(1);
    expect(read.entries[0]!.answer).toMatch(/^Tại Ủy ban nhân dân cấp xã +nơi cư trú của cha hoặc mẹ\.$/);
  });

  it('still cuts trailing spaces and tabs on each line', () => {
    expect(cleanPastedText('Câu 1. Hỏi?  \t \nTrả lời: Đáp.   \n  - mục  ')).toBe('Câu 1. Hỏi?\nTrả lời: Đáp.\n  - mục');
  });
});

describe('an uploaded .xlsx that unpacks to more than a FAQ sheet', () => {
  it('reads a small workbook built the same way (the guard is not what refuses the others)', async () => {
    const read = await readImportFile('hoi-dap.xlsx', workbook(Buffer.from('Tại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.')));
    expect(read.problems).toEqual([]);
    expect(read.entries).toMatchObject([{ question: 'Đăng ký khai sinh ở đâu?', answer: 'Tại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.' }]);
  });

  it('refuses a zip bomb in Vietnamese, quickly, without unpacking it whole', async () => {
    const bomb = workbook(Buffer.alloc(MAX_XLSX_XML + 8 * 1024 * 1024, 'A'));
    expect(bomb.length).toBeLessThan(200_000);
    const t = performance.now();
    const read = await readImportFile('hoi-dap.xlsx', bomb);
    expect(read.entries).toEqual([]);
    expect(read.problems.join(' ')).toContain('giải nén ra hơn 32 MB');
    expect(performance.now() - t).toBeLessThan(3_000);
  });

  it('refuses it too when the archive declares a small size for the big entry', async () => {
    const read = await readImportFile('hoi-dap.xlsx', workbook(Buffer.alloc(MAX_XLSX_XML + 1024 * 1024, 'A'), 120));
    expect(read.entries).toEqual([]);
    expect(read.problems.join(' ')).toContain('giải nén ra hơn 32 MB');
  });

  it('refuses a sheet of more cells than a FAQ has (borders drawn down 60,000 rows), before reading it', async () => {
    const t = performance.now();
    const read = await readImportFile('hoi-dap.xlsx', workbook(Buffer.from('Tại Ủy ban nhân dân cấp xã nơi cư trú.'), undefined, 60_000));
    expect(read.entries).toEqual([]);
    expect(read.problems.join(' ')).toContain('có hơn 100.000 ô (kể cả ô trống có định dạng)');
    expect(performance.now() - t).toBeLessThan(3_000);
    // 10,000 such rows are read (20,000 cells).
    const fine = await readImportFile('hoi-dap.xlsx', workbook(Buffer.from('Tại Ủy ban nhân dân cấp xã nơi cư trú.'), undefined, 10_000));
    expect(fine.problems).toEqual([]);
    expect(fine.entries).toHaveLength(1);
  });

  it('refuses a file named .xlsx that is not a zip, or a truncated one, as unreadable', async () => {
    for (const bytes of [Buffer.from('Câu hỏi,Trả lời\nA,B\n'), workbook(Buffer.from('Đáp án đầy đủ.')).subarray(0, 400), Buffer.alloc(0)]) {
      const read = await readImportFile('hoi-dap.xlsx', bytes);
      expect(read.entries).toEqual([]);
      expect(read.problems.join(' ')).toContain('Không đọc được tệp Excel');
    }
  });
});

describe('a sheet longer than one import', () => {
  const csv = (rows: number): Buffer => Buffer.from(`Câu hỏi;Trả lời\n${Array.from({ length: rows }, (_, i) => `Câu hỏi số ${i + 1}?;Câu trả lời số ${i + 1}.`).join('\n')}\n`);

  it('is refused before its rows are read, with their number', async () => {
    const t = performance.now();
    const huge = await readImportFile('hoi-dap.csv', Buffer.from(`Câu hỏi,Trả lời\n${'a,b\n'.repeat(2_000_000)}`), { maxRows: 1_000 });
    expect(huge.entries).toEqual([]);
    expect(huge.problems).toEqual(['Mỗi lần nhập tối đa 1.000 câu hỏi; bảng dài 2.000.001 dòng: chia thành nhiều lần (mỗi lần một phần của bảng).']);
    const over = await readImportFile('hoi-dap.csv', csv(1_001), { maxRows: 1_000 });
    expect(over.entries).toEqual([]);
    expect(over.problems).toEqual(['Mỗi lần nhập tối đa 1.000 câu hỏi; bảng có 1.001 dòng câu hỏi: chia thành nhiều lần (mỗi lần một phần của bảng).']);
    expect(performance.now() - t).toBeLessThan(3_000);
    expect((await readImportFile('hoi-dap.csv', csv(1_000), { maxRows: 1_000 })).entries).toHaveLength(1_000);
    // Without a limit (loa content import, the operator's own file) every row is read as before.
    expect((await readImportFile('hoi-dap.csv', csv(1_001))).entries).toHaveLength(1_001);
  });

  it('is refused so by the admin upload', async () => {
    const t = await startAdminApp();
    cleanup.push(t.close);
    const c = new AdminClient(t.url);
    await c.login('bien', addUser(t.app, 'bien', ['editor']));
    await c.get('/admin/content/import');
    const form = new FormData();
    form.append('_csrf', c.csrf);
    form.append('topic', 'ho-tich');
    form.append('text', '');
    form.append('file', new Blob([new Uint8Array(csv(1_001))]), 'hoi-dap.csv');
    const res = await fetch(`${t.url}/admin/content/import`, { method: 'POST', headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, body: form });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Mỗi lần nhập tối đa 1.000 câu hỏi; bảng có 1.001 dòng câu hỏi');
  });
});
