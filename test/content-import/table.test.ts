/**
 * Reading an office's FAQ sheet: .xlsx (written here with the project's own xlsx writer), CSV
 * as Excel saves it on a Vietnamese Windows (';', a title row above the headings), cells copied
 * from Excel (tab-separated). The rows are SAMPLE text written for these tests; the laws cited
 * are real (Luật Hộ tịch 2014 Điều 13, 15; Luật Trợ giúp pháp lý 2017 Điều 7).
 */
import { describe, expect, it } from 'vitest';
import { looksLikeSheet, readCsvBytes, readImportFile, readImportText, readRows } from '../../src/content-import/table.js';
import { writeSheet } from '../../src/text/xlsx.js';

const ROWS: (string | number)[][] = [
  ['DANH MỤC CÂU HỎI THƯỜNG GẶP VỀ HỘ TỊCH (mẫu kiểm thử)'],
  ['STT', 'Lĩnh vực', 'Câu hỏi', 'Trả lời', 'Căn cứ pháp lý', 'Ghi chú'],
  [1, 'Hộ tịch', 'Đăng ký khai sinh ở đâu?', 'Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.\nCó thể nộp hồ sơ trực tuyến.', 'Điều 13 Luật Hộ tịch năm 2014', ''],
  [2, 'Trợ giúp pháp lý', 'Ai được trợ giúp pháp lý miễn phí?', 'Người có công với cách mạng, người thuộc hộ nghèo, trẻ em và những người khác theo luật.', 'Điều 7 Luật Trợ giúp pháp lý năm 2017; Điều 2 Luật Trợ giúp pháp lý năm 2017', 'đã rà soát'],
  ['', '', '', '', '', ''],
  [3, '', 'Sinh con bao lâu thì phải đăng ký khai sinh?', '', '', ''],
];

describe('an FAQ sheet', () => {
  it('finds the headings under a title row, in any order, and reads each row', async () => {
    const bytes = await writeSheet({ name: 'Hỏi đáp', rows: ROWS });
    const read = await readImportFile('Hoi dap ho tich.xlsx', bytes);
    expect(read.format).toBe('xlsx');
    expect(read.problems).toEqual([]);
    expect(read.ignored).toEqual([{ line: 1, text: 'DANH MỤC CÂU HỎI THƯỜNG GẶP VỀ HỘ TỊCH (mẫu kiểm thử)' }]);
    expect(read.entries).toEqual([
      {
        line: 3,
        question: 'Đăng ký khai sinh ở đâu?',
        answer: 'Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.\nCó thể nộp hồ sơ trực tuyến.',
        sources: [{ title: 'Luật Hộ tịch năm 2014', article: 'Điều 13' }],
        topic: 'Hộ tịch',
      },
      {
        line: 4,
        question: 'Ai được trợ giúp pháp lý miễn phí?',
        answer: 'Người có công với cách mạng, người thuộc hộ nghèo, trẻ em và những người khác theo luật.',
        sources: [
          { title: 'Luật Trợ giúp pháp lý năm 2017', article: 'Điều 7' },
          { title: 'Luật Trợ giúp pháp lý năm 2017', article: 'Điều 2' },
        ],
        topic: 'Trợ giúp pháp lý',
      },
      // A question without an answer is kept, for the preview to say so; an empty row is not.
      { line: 6, question: 'Sinh con bao lâu thì phải đăng ký khai sinh?', answer: '', sources: [] },
    ]);
  });

  it('reads a CSV as Excel saves it on a Vietnamese Windows (UTF-8 with a BOM, ";")', () => {
    const csv = '\uFEFFSTT;Nội dung câu hỏi;Nội dung trả lời;Nguồn\r\n1;"Đăng ký khai sinh ở đâu?";"Tại Ủy ban nhân dân cấp xã; nơi cư trú của cha hoặc mẹ.";Điều 13 Luật Hộ tịch năm 2014\r\n';
    const read = readCsvBytes(Buffer.from(csv, 'utf8'));
    expect(read.entries).toEqual([
      { line: 2, question: 'Đăng ký khai sinh ở đâu?', answer: 'Tại Ủy ban nhân dân cấp xã; nơi cư trú của cha hoặc mẹ.', sources: [{ title: 'Luật Hộ tịch năm 2014', article: 'Điều 13' }] },
    ]);
  });

  it('reads other wordings from “Cách hỏi khác”, one a line or separated by “;”', () => {
    const read = readRows(
      [
        ['Câu hỏi', 'Trả lời', 'Cách hỏi khác'],
        ['Đăng ký khai sinh ở đâu?', 'Tại Ủy ban nhân dân cấp xã nơi cư trú của cha hoặc mẹ.', 'làm giấy khai sinh ở đâu\nkhai sinh cho con ở chỗ nào; đăng ký khai sinh tại đâu'],
      ],
      'xlsx',
    );
    expect(read.entries[0]!.variants).toEqual(['làm giấy khai sinh ở đâu', 'khai sinh cho con ở chỗ nào', 'đăng ký khai sinh tại đâu']);
  });

  it('leaves out a booklet’s labels copied into the cells', () => {
    const read = readRows(
      [
        ['Câu hỏi', 'Trả lời'],
        ['Câu 3: Đăng ký khai sinh ở đâu?', 'Trả lời: Tại Ủy ban nhân dân cấp xã nơi cư trú của cha hoặc mẹ.'],
        ['Hỏi: Câu hỏi 2 của tài liệu là gì?', 'Đáp: Là câu hỏi mẫu.'],
      ],
      'xlsx',
    );
    expect(read.entries.map((e) => [e.question, e.answer])).toEqual([
      ['Đăng ký khai sinh ở đâu?', 'Tại Ủy ban nhân dân cấp xã nơi cư trú của cha hoặc mẹ.'],
      ['Câu hỏi 2 của tài liệu là gì?', 'Là câu hỏi mẫu.'],
    ]);
  });

  it('refuses a CSV saved in the Windows code page, saying how to save it again', () => {
    // "Câu hỏi" in Windows-1258 bytes: not UTF-8.
    const read = readCsvBytes(Buffer.from([0x43, 0xe2, 0x75, 0x20, 0x68, 0xf5, 0x69, 0x3b, 0x54, 0x72, 0x61, 0x0a]));
    expect(read.entries).toEqual([]);
    expect(read.problems[0]).toContain('CSV UTF-8');
  });

  it('reads cells copied from Excel and pasted as text (tab-separated)', () => {
    const pasted = 'Câu hỏi\tTrả lời\tCăn cứ\r\nĐăng ký khai sinh ở đâu?\tTại Ủy ban nhân dân cấp xã nơi cư trú của cha hoặc mẹ.\tĐiều 13 Luật Hộ tịch năm 2014\r\n';
    expect(looksLikeSheet(pasted)).toBe(true);
    const read = readImportText(pasted);
    expect(read.format).toBe('tsv');
    expect(read.entries.map((e) => e.question)).toEqual(['Đăng ký khai sinh ở đâu?']);
    // A booklet is not a sheet even with a tab in its first line.
    expect(looksLikeSheet('Câu 1.\tĐăng ký ở đâu?\nTrả lời: …')).toBe(false);
  });

  it('says which headings it needs when it finds none', () => {
    const read = readRows([['Họ tên', 'Đơn vị'], ['An', 'Xã A']], 'csv');
    expect(read.problems[0]).toMatch(/^Không thấy dòng tên cột: bảng cần một cột “Câu hỏi” và một cột “Trả lời”/);
  });

  it.each([
    ['hoi-dap.xls', 'Excel Workbook (.xlsx)'],
    ['hoi-dap.doc', 'Word Document (.docx)'],
    ['hoi-dap.pdf', 'chép (Ctrl+C) rồi dán'],
  ])('refuses %s with what to do instead', async (name, hint) => {
    const read = await readImportFile(name, Buffer.from('x'));
    expect(read.entries).toEqual([]);
    expect(read.problems[0]).toContain(hint);
  });

  it('refuses a file that is not a workbook though named .xlsx', async () => {
    const read = await readImportFile('hoi-dap.xlsx', Buffer.from('Câu hỏi,Trả lời\n'));
    expect(read.problems[0]).toMatch(/^Không đọc được tệp Excel/);
  });
});
