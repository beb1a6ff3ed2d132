/**
 * Reading a Word booklet (.docx) directly: the files are built here as Word writes them (a zip
 * of [Content_Types].xml, _rels/.rels, word/document.xml and, for automatic numbering,
 * word/numbering.xml), with Word's habits: a question's text split over several runs, a tab
 * after the number, tracked changes, a table of questions. The Q&A text is SAMPLE text written
 * for these tests; the laws cited are real (Luật Hộ tịch 2014 Điều 13, 16).
 */
import { describe, expect, it } from 'vitest';
import { readDocxBytes } from '../../src/content-import/docx.js';
import { readImportFile } from '../../src/content-import/table.js';
import { writeSheet } from '../../src/text/xlsx.js';
import { docx, para, table, zip } from './docx-support.js';

/** "Câu %1." numbering (numId 1) and a bulleted list (numId 2), as Word defines them. */
const NUMBERING =
  '<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="Câu %1."/><w:lvlJc w:val="left"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl></w:abstractNum>' +
  '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val=""/></w:lvl></w:abstractNum>' +
  '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>';

describe('a Word booklet (.docx)', () => {
  it('reads typed labels, text split over runs, entities, and counts paragraphs', async () => {
    const body =
      para('HỎI – ĐÁP PHÁP LUẬT VỀ HỘ TỊCH') +
      para('') +
      para(['Câu 1. ', 'Đăng ký khai sinh ', 'ở đâu?']) +
      para('Trả lời:') +
      para('Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ thực hiện việc đăng ký khai sinh & cấp bản chính Giấy khai sinh.') +
      para('Căn cứ pháp lý: Điều 13 Luật Hộ tịch năm 2014.') +
      para('Câu 2: Hồ sơ đăng ký khai sinh gồm những gì?') +
      // Word's tracked change: the deleted words are not read, the inserted ones are.
      `<w:p><w:r><w:t>Trả lời: Tờ khai theo mẫu và </w:t></w:r><w:del w:id="1" w:author="Lan"><w:r><w:delText>bản sao </w:delText></w:r></w:del><w:ins w:id="2" w:author="Lan"><w:r><w:t>bản chính </w:t></w:r></w:ins><w:r><w:t>giấy chứng sinh; trường hợp không có giấy chứng sinh thì nộp văn bản của người làm chứng.</w:t></w:r></w:p>` +
      para('Căn cứ pháp lý: Điều 16 Luật Hộ tịch năm 2014.');
    const read = await readImportFile('Hoi dap ho tich.docx', docx(body));
    expect(read.problems).toEqual([]);
    expect(read.format).toBe('docx');
    expect(read.ignored).toEqual([{ line: 1, text: 'HỎI – ĐÁP PHÁP LUẬT VỀ HỘ TỊCH' }]);
    expect(read.entries).toEqual([
      {
        line: 3,
        label: 'Câu 1',
        question: 'Đăng ký khai sinh ở đâu?',
        answer: 'Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ thực hiện việc đăng ký khai sinh & cấp bản chính Giấy khai sinh.',
        sources: [{ title: 'Luật Hộ tịch năm 2014', article: 'Điều 13' }],
      },
      {
        line: 7,
        label: 'Câu 2',
        question: 'Hồ sơ đăng ký khai sinh gồm những gì?',
        answer: 'Tờ khai theo mẫu và bản chính giấy chứng sinh; trường hợp không có giấy chứng sinh thì nộp văn bản của người làm chứng.',
        sources: [{ title: 'Luật Hộ tịch năm 2014', article: 'Điều 16' }],
      },
    ]);
  });

  it('writes out Word’s automatic numbering (“Câu %1.”) and bulleted lists', async () => {
    const body =
      para('Đăng ký khai sinh ở đâu?', { id: 1 }) +
      para('Trả lời: Tại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.') +
      para('Hồ sơ gồm những gì?', { id: 1 }) +
      para('Trả lời: Người đi đăng ký nộp:') +
      para('Tờ khai theo mẫu;', { id: 2 }) +
      para('Giấy chứng sinh.', { id: 2 }) +
      para('Ai đi đăng ký?', { id: 1 }) +
      para('Trả lời: Cha hoặc mẹ của trẻ; ông bà hoặc người thân thích khác khi cha mẹ không thể đi.');
    const read = await readDocxBytes(docx(body, NUMBERING));
    expect(read.entries.map((e) => [e.label, e.question])).toEqual([
      ['Câu 1', 'Đăng ký khai sinh ở đâu?'],
      ['Câu 2', 'Hồ sơ gồm những gì?'],
      ['Câu 3', 'Ai đi đăng ký?'],
    ]);
    expect(read.entries[1]!.answer).toBe('Người đi đăng ký nộp:\n\n- Tờ khai theo mẫu;\n- Giấy chứng sinh.');
  });

  it('numbers paragraphs by their style (a “Câu hỏi” style numbered “Câu %1.”), not by a tracked change’s old numbering', async () => {
    const styles =
      '<w:style w:type="paragraph" w:styleId="CauHoiGoc"><w:name w:val="Câu hỏi gốc"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>' +
      '<w:style w:type="paragraph" w:styleId="CauHoi"><w:name w:val="Câu hỏi"/><w:basedOn w:val="CauHoiGoc"/><w:rPr><w:b/></w:rPr></w:style>';
    const q = (text: string): string => `<w:p><w:pPr><w:pStyle w:val="CauHoi"/><w:pPrChange w:id="9" w:author="Lan"><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="2"/></w:numPr></w:pPr></w:pPrChange></w:pPr><w:r><w:t>${text}</w:t></w:r></w:p>`;
    const body =
      q('Đăng ký khai sinh ở đâu?') +
      para('Trả lời: Tại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.') +
      q('Hồ sơ gồm những gì?') +
      para('Trả lời: Tờ khai theo mẫu và giấy chứng sinh do cơ sở y tế cấp.');
    const read = await readDocxBytes(docx(body, NUMBERING, styles));
    expect(read.entries.map((e) => [e.label, e.question])).toEqual([
      ['Câu 1', 'Đăng ký khai sinh ở đâu?'],
      ['Câu 2', 'Hồ sơ gồm những gì?'],
    ]);
  });

  it('reads a table with “Câu hỏi” and “Trả lời” headings as a sheet, and a headless two-column one', async () => {
    const body =
      para('DANH MỤC CÂU HỎI') +
      table([
        ['STT', 'Câu hỏi', 'Trả lời', 'Căn cứ pháp lý'],
        ['1', 'Đăng ký khai sinh ở đâu?', 'Tại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.\nCó thể nộp trực tuyến.', 'Điều 13 Luật Hộ tịch năm 2014'],
        ['2', 'Hồ sơ gồm những gì?', 'Tờ khai theo mẫu và giấy chứng sinh của cơ sở y tế nơi trẻ sinh ra.', 'Điều 16 Luật Hộ tịch năm 2014'],
      ]);
    const read = await readDocxBytes(docx(body));
    expect(read.problems).toEqual([]);
    expect(read.entries).toEqual([
      {
        line: 2,
        label: 'Bảng 1, hàng 2',
        question: 'Đăng ký khai sinh ở đâu?',
        answer: 'Tại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.\nCó thể nộp trực tuyến.',
        sources: [{ title: 'Luật Hộ tịch năm 2014', article: 'Điều 13' }],
      },
      {
        line: 2,
        label: 'Bảng 1, hàng 3',
        question: 'Hồ sơ gồm những gì?',
        answer: 'Tờ khai theo mẫu và giấy chứng sinh của cơ sở y tế nơi trẻ sinh ra.',
        sources: [{ title: 'Luật Hộ tịch năm 2014', article: 'Điều 16' }],
      },
    ]);
    const headless = await readDocxBytes(
      docx(table([['Đăng ký khai sinh ở đâu?', 'Tại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.\nCăn cứ pháp lý: Điều 13 Luật Hộ tịch năm 2014.']])),
    );
    expect(headless.entries.map((e) => [e.question, e.answer, e.sources.length])).toEqual([
      ['Đăng ký khai sinh ở đâu?', 'Tại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.', 1],
    ]);
  });

  it('keeps a table’s columns with merged cells: a “Lĩnh vực” merged down its rows is each row’s, a wide cell counts its columns', async () => {
    const cell = (text: string, pr = ''): string => `<w:tc><w:tcPr>${pr}</w:tcPr>${para(text)}</w:tc>`;
    const row = (...cells: string[]): string => `<w:tr>${cells.join('')}</w:tr>`;
    const body =
      '<w:tbl>' +
      row(cell('DANH MỤC CÂU HỎI', '<w:gridSpan w:val="4"/>')) +
      row(cell('Lĩnh vực'), cell('Câu hỏi'), cell('Trả lời'), cell('Căn cứ pháp lý')) +
      row(cell('Trợ giúp pháp lý', '<w:vMerge w:val="restart"/>'), cell('Ai được trợ giúp pháp lý miễn phí?'), cell('Người thuộc hộ nghèo, trẻ em, người có công với cách mạng và những người khác theo luật.'), cell('Điều 7 Luật Trợ giúp pháp lý năm 2017')) +
      row(cell('', '<w:vMerge/>'), cell('Trợ giúp pháp lý ở đâu?'), cell('Tại Trung tâm trợ giúp pháp lý nhà nước của tỉnh và các chi nhánh của Trung tâm.'), cell('Điều 10 Luật Trợ giúp pháp lý năm 2017')) +
      '</w:tbl>';
    const read = await readDocxBytes(docx(body));
    expect(read.problems).toEqual([]);
    expect(read.entries.map((e) => [e.question, e.topic, e.sources[0]?.article])).toEqual([
      ['Ai được trợ giúp pháp lý miễn phí?', 'Trợ giúp pháp lý', 'Điều 7'],
      ['Trợ giúp pháp lý ở đâu?', 'Trợ giúp pháp lý', 'Điều 10'],
    ]);
  });

  it('refuses a zip bomb before parsing it, whatever size the archive declares', async () => {
    // 40 MB of spaces packs to about 40 KB; the headers claim 1 KB.
    const huge = Buffer.alloc(40 * 1024 * 1024, " ");
    const bomb = zip([
      { name: '_rels/.rels', data: '<Relationships/>' },
      { name: 'word/document.xml', data: huge, declare: 1024 },
    ]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const started = Date.now();
    const read = await readImportFile('bom.docx', bomb);
    expect(read.entries).toEqual([]);
    expect(read.problems[0]).toMatch(/giải nén ra hơn 32 MB/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses what is not a .docx with how to save one: text, an old .doc, a workbook renamed', async () => {
    const notDocx = /tệp phải là \.docx \(Word 2007 trở lên\)/;
    const text = await readImportFile('hoi-dap.docx', Buffer.from('Câu 1. Ai?\nTrả lời: Công dân.', 'utf8'));
    expect(text.problems[0]).toMatch(notDocx);
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096)]);
    expect((await readImportFile('hoi-dap.docx', ole)).problems[0]).toMatch(notDocx);
    const workbook = await writeSheet({ name: 'Hỏi đáp', rows: [['Câu hỏi', 'Trả lời'], ['Ai?', 'Công dân.']] });
    expect((await readImportFile('hoi-dap.docx', workbook)).problems[0]).toMatch(notDocx);
    // A document of pictures only (a scanned booklet): says so.
    const scanned = await readDocxBytes(docx('<w:p><w:r><w:drawing/></w:r></w:p>'));
    expect(scanned.problems[0]).toMatch(/ảnh chụp/);
  });
});
