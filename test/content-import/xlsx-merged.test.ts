/**
 * An FAQ sheet with merged cells, as offices draw them: "Lĩnh vực" merged down a group of rows,
 * one answer merged over two wordings of a question. read-excel-file gives a merged range's value
 * in its top-left cell only: the rows below had no topic, or no answer. The workbook is written
 * here part by part, as Excel stores it (inline strings, a mergeCells list). SAMPLE text; the laws
 * cited are real.
 */
import { describe, expect, it } from 'vitest';
import { readImportFile } from '../../src/content-import/table.js';
import { zip } from './docx-support.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const col = (i: number): string => String.fromCharCode(65 + i);

function workbook(rows: string[][], merges: string[]): Buffer {
  const sheet =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
    rows
      .map((r, i) => `<row r="${i + 1}">${r.map((v, j) => (v ? `<c r="${col(j)}${i + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>` : '')).join('')}</row>`)
      .join('') +
    `</sheetData><mergeCells count="${merges.length}">${merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells></worksheet>`;
  return zip([
    {
      name: '[Content_Types].xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    },
    { name: '_rels/.rels', data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>' },
    {
      name: 'xl/workbook.xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Hỏi &amp; đáp" sheetId="1" r:id="rId1"/></sheets></workbook>',
    },
    { name: 'xl/_rels/workbook.xml.rels', data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>' },
    { name: 'xl/worksheets/sheet1.xml', data: sheet },
  ]);
}

describe('an FAQ sheet with merged cells', () => {
  it('gives each row of a range merged down its value; a title merged across stays one', async () => {
    const bytes = workbook(
      [
        ['DANH MỤC CÂU HỎI THƯỜNG GẶP', '', '', ''],
        ['Lĩnh vực', 'Câu hỏi', 'Trả lời', 'Căn cứ pháp lý'],
        ['Trợ giúp pháp lý', 'Ai được trợ giúp pháp lý miễn phí?', 'Người thuộc hộ nghèo, trẻ em, người có công với cách mạng và những người khác theo luật.', 'Điều 7 Luật Trợ giúp pháp lý năm 2017'],
        ['', 'Những ai được nhà nước giúp pháp lý không mất tiền?', '', ''],
        ['', 'Trợ giúp pháp lý ở đâu?', 'Tại Trung tâm trợ giúp pháp lý nhà nước của tỉnh và các chi nhánh của Trung tâm.', 'Điều 10 Luật Trợ giúp pháp lý năm 2017'],
      ],
      ['A1:D1', 'A3:A5', 'C3:C4', 'D3:D4'],
    );
    const read = await readImportFile('hoi-dap.xlsx', bytes);
    expect(read.problems).toEqual([]);
    expect(read.ignored).toEqual([{ line: 1, text: 'DANH MỤC CÂU HỎI THƯỜNG GẶP' }]);
    expect(read.entries.map((e) => [e.line, e.topic, e.question, e.answer.slice(0, 20), e.sources[0]?.article])).toEqual([
      [3, 'Trợ giúp pháp lý', 'Ai được trợ giúp pháp lý miễn phí?', 'Người thuộc hộ nghèo', 'Điều 7'],
      [4, 'Trợ giúp pháp lý', 'Những ai được nhà nước giúp pháp lý không mất tiền?', 'Người thuộc hộ nghèo', 'Điều 7'],
      [5, 'Trợ giúp pháp lý', 'Trợ giúp pháp lý ở đâu?', 'Tại Trung tâm trợ gi', 'Điều 10'],
    ]);
  });
});
