/**
 * Reading "Hỏi – đáp pháp luật" booklets as staff copy them out of Word. Every text here is a
 * SAMPLE written for these tests (not an office's publication); the laws and articles cited are
 * real: Luật Hộ tịch 2014 (Điều 13, 15, 16), Luật Bảo hiểm y tế 2008 sửa đổi 2014 (Điều 12, 22),
 * Luật Khiếu nại 2011 (Điều 9), Luật Trợ giúp pháp lý 2017 (Điều 7).
 */
import { describe, expect, it } from 'vitest';
import { cleanPastedText, readBooklet, sourceFromReference, sourcesFrom } from '../../src/content-import/booklet.js';

/** A booklet as Word's copy gives it: Windows line ends, bold, section headings, sources. */
const BOOKLET = [
  'UBND XÃ MẪU – TÀI LIỆU MẪU ĐỂ KIỂM THỬ',
  'HỎI – ĐÁP PHÁP LUẬT',
  '(Dùng cho hội nghị tuyên truyền năm 2026)',
  '',
  'PHẦN I. HỘ TỊCH',
  '',
  '**Câu 1.** Sinh con được bao lâu thì phải đăng ký khai sinh?',
  '**Trả lời:**',
  'Theo quy định tại Điều 15 Luật Hộ tịch năm 2014, trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con.',
  '',
  'Trường hợp cha, mẹ không thể đăng ký khai sinh cho con thì ông hoặc bà hoặc người thân thích khác có trách nhiệm đăng ký khai sinh cho trẻ em.',
  'Căn cứ pháp lý: Điều 15 Luật Hộ tịch năm 2014.',
  '',
  'Câu 2: Hồ sơ đăng ký khai sinh gồm những giấy tờ gì?',
  'Trả lời: Người đi đăng ký khai sinh nộp:',
  'a) Tờ khai theo mẫu quy định;',
  'b) Giấy chứng sinh; trường hợp không có giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận về việc sinh.',
  'Căn cứ khoản 1 Điều 16 Luật Hộ tịch năm 2014.',
  '',
  'PHẦN II. BẢO HIỂM Y TẾ',
  '',
  'Câu hỏi 3: Trẻ em dưới 6 tuổi đi khám chữa bệnh có phải trả tiền không?',
  'Trả lời:',
  'Trẻ em dưới 6 tuổi được Nhà nước đóng bảo hiểm y tế. Khi đi khám bệnh, chữa bệnh đúng quy định, trẻ được quỹ bảo hiểm y tế thanh toán 100% chi phí trong phạm vi được hưởng.',
  'Căn cứ pháp lý: Điều 12 và điểm a khoản 1 Điều 22 Luật Bảo hiểm y tế năm 2008 (sửa đổi, bổ sung năm 2014).',
].join('\r\n');

describe('readBooklet', () => {
  it('reads numbered questions, answers over paragraphs and lists, and their sources', () => {
    const read = readBooklet(BOOKLET);
    expect(read.problems).toEqual([]);
    expect(read.entries.map((e) => [e.label, e.line, e.question])).toEqual([
      ['Câu 1', 7, 'Sinh con được bao lâu thì phải đăng ký khai sinh?'],
      ['Câu 2', 14, 'Hồ sơ đăng ký khai sinh gồm những giấy tờ gì?'],
      ['Câu 3', 22, 'Trẻ em dưới 6 tuổi đi khám chữa bệnh có phải trả tiền không?'],
    ]);
    const [first, second, third] = read.entries;
    // Two paragraphs stay two; the "Căn cứ pháp lý" line leaves the answer for the sources.
    expect(first!.answer).toBe(
      'Theo quy định tại Điều 15 Luật Hộ tịch năm 2014, trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con.\n\n' +
        'Trường hợp cha, mẹ không thể đăng ký khai sinh cho con thì ông hoặc bà hoặc người thân thích khác có trách nhiệm đăng ký khai sinh cho trẻ em.',
    );
    expect(first!.sources).toEqual([{ title: 'Luật Hộ tịch năm 2014', article: 'Điều 15' }]);
    // The list's items stay together; a "Căn cứ …" sentence stays in the answer and names the source.
    expect(second!.answer).toBe(
      'Người đi đăng ký khai sinh nộp:\n\na) Tờ khai theo mẫu quy định;\nb) Giấy chứng sinh; trường hợp không có giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận về việc sinh.\n\nCăn cứ khoản 1 Điều 16 Luật Hộ tịch năm 2014.',
    );
    expect(second!.sources).toEqual([{ title: 'Luật Hộ tịch năm 2014', article: 'khoản 1 Điều 16' }]);
    // A bracket's commas belong to the law's name.
    expect(third!.sources).toEqual([{ title: 'Luật Bảo hiểm y tế năm 2008 (sửa đổi, bổ sung năm 2014)', article: 'Điều 12 và điểm a khoản 1 Điều 22' }]);
  });

  it('leaves out the booklet’s title and the section headings, and says so', () => {
    const read = readBooklet(BOOKLET);
    expect(read.ignored).toEqual([
      { line: 1, text: 'UBND XÃ MẪU – TÀI LIỆU MẪU ĐỂ KIỂM THỬ' },
      { line: 2, text: 'HỎI – ĐÁP PHÁP LUẬT' },
      { line: 3, text: '(Dùng cho hội nghị tuyên truyền năm 2026)' },
      { line: 5, text: 'PHẦN I. HỘ TỊCH' },
      { line: 20, text: 'PHẦN II. BẢO HIỂM Y TẾ' },
    ]);
    expect(read.entries[1]!.answer).not.toContain('PHẦN II');
  });

  it.each([
    ['Câu 12:', 'Câu 12'],
    ['Câu 12.', 'Câu 12'],
    ['Câu hỏi 12:', 'Câu 12'],
    ['Câu hỏi số 12.', 'Câu 12'],
    ['CÂU 12 -', 'Câu 12'],
    ['câu 12)', 'Câu 12'],
    ['**Câu 12:**', 'Câu 12'],
  ])('reads “%s” as a question’s label', (label, expected) => {
    const read = readBooklet(`${label} Đăng ký khai sinh ở đâu?\nTrả lời: Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ thực hiện việc đăng ký khai sinh.\nCăn cứ pháp lý: Điều 13 Luật Hộ tịch năm 2014.`);
    expect(read.entries).toHaveLength(1);
    expect(read.entries[0]).toMatchObject({ label: expected, question: 'Đăng ký khai sinh ở đâu?' });
    expect(read.entries[0]!.answer).toMatch(/^Ủy ban nhân dân cấp xã/);
  });

  it('mends Word’s copy: non-breaking spaces, tabs, bullets, zero-width spaces, old Mac line ends', () => {
    const messy =
      'Câu\u00a01.\u00a0Trẻ em dưới 6 tuổi có\u200b được cấp thẻ bảo hiểm y tế không?\r' +
      'Trả\u00a0lời:\u00a0Có.\r' +
      '\t•\tTrẻ em dưới 6 tuổi thuộc nhóm do ngân sách nhà nước đóng bảo hiểm y tế;\r' +
      '\t●\tThẻ được cấp cùng với việc đăng ký khai sinh.\r' +
      'Căn\u00a0cứ pháp lý:\u00a0Điều 12 Luật Bảo hiểm y tế năm 2008 (sửa đổi, bổ sung năm 2014).';
    const [entry] = readBooklet(messy).entries;
    expect(entry!.question).toBe('Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế không?');
    expect(entry!.answer).toBe('Có.\n\n- Trẻ em dưới 6 tuổi thuộc nhóm do ngân sách nhà nước đóng bảo hiểm y tế;\n- Thẻ được cấp cùng với việc đăng ký khai sinh.');
    expect(entry!.sources).toEqual([{ title: 'Luật Bảo hiểm y tế năm 2008 (sửa đổi, bổ sung năm 2014)', article: 'Điều 12' }]);
    expect(cleanPastedText('a\u00a0b\u2009c\r\nd')).toBe('a b c\nd');
  });

  it('reads a long run of spaces in linear time (Word’s justified lines; a pathological paste)', () => {
    expect(cleanPastedText('Trả lời:   Có.   ')).toBe('Trả lời: Có.');
    const started = performance.now();
    const read = readBooklet(`Câu${' '.repeat(100_000)}1. Ai?\nTrả lời: Công dân.${' '.repeat(100_000)}x`);
    // Quadratic before (a label's and a line end's pattern tried again from each space): minutes.
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(read.entries[0]).toMatchObject({ question: 'Ai?', answer: 'Công dân. x' });
  });

  it('reads “Hỏi: … Đáp: …”, a question over two lines, and a question and answer on one line', () => {
    const read = readBooklet(
      [
        'Hỏi: Tôi nhận được quyết định xử phạt từ tháng trước,',
        'vậy thời hiệu khiếu nại quyết định này là bao lâu?',
        'Đáp: Thời hiệu khiếu nại là 90 ngày, kể từ ngày nhận được quyết định hành chính hoặc biết được quyết định hành chính, hành vi hành chính.',
        'Căn cứ pháp lý: Điều 9 Luật Khiếu nại năm 2011.',
        'Hỏi: Hộ nghèo có được trợ giúp pháp lý không? Đáp: Có. Người thuộc hộ nghèo là người được trợ giúp pháp lý miễn phí.',
        'Nguồn: Điều 7 Luật Trợ giúp pháp lý năm 2017',
      ].join('\n'),
    );
    expect(read.entries.map((e) => e.question)).toEqual([
      'Tôi nhận được quyết định xử phạt từ tháng trước, vậy thời hiệu khiếu nại quyết định này là bao lâu?',
      'Hộ nghèo có được trợ giúp pháp lý không?',
    ]);
    expect(read.entries[1]!.answer).toBe('Có. Người thuộc hộ nghèo là người được trợ giúp pháp lý miễn phí.');
    expect(read.entries.map((e) => e.sources)).toEqual([[{ title: 'Luật Khiếu nại năm 2011', article: 'Điều 9' }], [{ title: 'Luật Trợ giúp pháp lý năm 2017', article: 'Điều 7' }]]);
  });

  it('reads a booklet numbered “1.”, “2.” with “Trả lời:”, keeping an answer’s own numbered list', () => {
    const read = readBooklet(
      [
        '1. Thời hiệu khiếu nại là bao lâu?',
        'Trả lời: Thời hiệu khiếu nại là 90 ngày, kể từ ngày nhận được quyết định hành chính hoặc biết được quyết định hành chính, hành vi hành chính.',
        '2. Ai được trợ giúp pháp lý miễn phí?',
        'Trả lời:',
        'Người được trợ giúp pháp lý gồm:',
        '1. Người có công với cách mạng;',
        '2. Người thuộc hộ nghèo;',
        '3. Trẻ em;',
        '4. Người dân tộc thiểu số cư trú ở vùng có điều kiện kinh tế - xã hội đặc biệt khó khăn.',
        'Căn cứ pháp lý:',
        '- Điều 7 Luật Trợ giúp pháp lý năm 2017.',
      ].join('\n'),
    );
    expect(read.entries.map((e) => [e.label, e.question])).toEqual([
      ['Câu 1', 'Thời hiệu khiếu nại là bao lâu?'],
      ['Câu 2', 'Ai được trợ giúp pháp lý miễn phí?'],
    ]);
    expect(read.entries[1]!.answer).toBe(
      'Người được trợ giúp pháp lý gồm:\n\n1. Người có công với cách mạng;\n2. Người thuộc hộ nghèo;\n3. Trẻ em;\n4. Người dân tộc thiểu số cư trú ở vùng có điều kiện kinh tế - xã hội đặc biệt khó khăn.',
    );
    // A label alone on its line heads a list of references.
    expect(read.entries[1]!.sources).toEqual([{ title: 'Luật Trợ giúp pháp lý năm 2017', article: 'Điều 7' }]);
  });

  it('without “Trả lời:”, takes the question to its “?” and the rest as the answer', () => {
    const [entry] = readBooklet('Câu 5. Đăng ký khai sinh ở đâu?\nỦy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.\nTheo Điều 13 Luật Hộ tịch năm 2014.').entries;
    expect(entry!.question).toBe('Đăng ký khai sinh ở đâu?');
    expect(entry!.answer).toBe('Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.\n\nTheo Điều 13 Luật Hộ tịch năm 2014.');
    expect(entry!.sources).toEqual([{ title: 'Luật Hộ tịch năm 2014', article: 'Điều 13' }]);
  });

  it('reads a label alone on its line, the question on the next', () => {
    const [entry] = readBooklet('Câu 7:\nĐăng ký khai sinh ở đâu?\nTrả lời:\nTại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.').entries;
    expect(entry).toMatchObject({ label: 'Câu 7', question: 'Đăng ký khai sinh ở đâu?', answer: 'Tại Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ.' });
  });

  it('keeps text that only looks like a label inside an answer', () => {
    const [entry] = readBooklet(
      'Câu 1. Có được hỏi thêm không?\nTrả lời: Được.\nHỏi thăm ý kiến của cán bộ tư pháp trước khi nộp hồ sơ.\nĐáp ứng đủ điều kiện thì được giải quyết ngay.\nCâu 2 của tài liệu này nói về hộ tịch.',
    ).entries;
    expect(entry!.answer).toBe('Được.\n\nHỏi thăm ý kiến của cán bộ tư pháp trước khi nộp hồ sơ.\n\nĐáp ứng đủ điều kiện thì được giải quyết ngay.\n\nCâu 2 của tài liệu này nói về hộ tịch.');
  });

  it('keeps a question without an answer, for the preview to say so', () => {
    const read = readBooklet('Câu 1. Mất giấy khai sinh thì làm thế nào?\nTrả lời:\n\nCâu 2. Đăng ký khai sinh ở đâu?\nTrả lời: Tại Ủy ban nhân dân cấp xã.');
    expect(read.entries.map((e) => [e.question, e.answer])).toEqual([
      ['Mất giấy khai sinh thì làm thế nào?', ''],
      ['Đăng ký khai sinh ở đâu?', 'Tại Ủy ban nhân dân cấp xã.'],
    ]);
  });

  it('says in Vietnamese when it finds no question', () => {
    const read = readBooklet('Kính gửi các đồng chí,\nĐề nghị các đơn vị triển khai.');
    expect(read.entries).toEqual([]);
    expect(read.problems[0]).toMatch(/^Không tìm thấy câu hỏi nào: mỗi câu hỏi cần bắt đầu bằng “Câu 1\.”/);
  });
});

describe('sources', () => {
  it.each([
    ['Điều 22 Luật Hộ tịch năm 2014', { title: 'Luật Hộ tịch năm 2014', article: 'Điều 22' }],
    ['khoản 1 Điều 12 Luật Bảo hiểm y tế 2008.', { title: 'Luật Bảo hiểm y tế 2008', article: 'khoản 1 Điều 12' }],
    ['Điều 5, Điều 6 của Luật Trẻ em năm 2016', { title: 'Luật Trẻ em năm 2016', article: 'Điều 5, Điều 6' }],
    ['Luật Trẻ em năm 2016', { title: 'Luật Trẻ em năm 2016' }],
    ['“Nghị định 123/2015/NĐ-CP”;', { title: 'Nghị định 123/2015/NĐ-CP' }],
  ])('“%s”', (ref, source) => {
    expect(sourceFromReference(ref)).toEqual(source);
  });

  it('splits references at “;” and lines, once each', () => {
    expect(sourcesFrom('Điều 15 Luật Hộ tịch năm 2014; Nghị định 123/2015/NĐ-CP\n- Điều 15 Luật Hộ tịch năm 2014')).toEqual([
      { title: 'Luật Hộ tịch năm 2014', article: 'Điều 15' },
      { title: 'Nghị định 123/2015/NĐ-CP' },
    ]);
  });
});

describe('a reference in brackets', () => {
  it('names the source of an answer that has no "Căn cứ" line, and stays in the answer', () => {
    const [entry] = readBooklet(
      'Câu 2. Hộ gia đình đang sử dụng đất không có giấy tờ thì có được cấp sổ đỏ không?\n' +
        'Trả lời: Có thể được cấp nếu đất đã sử dụng ổn định trước ngày 01/7/2014, không vi phạm pháp luật về đất đai và được Ủy ban nhân dân cấp xã xác nhận không có tranh chấp (Điều 138 Luật Đất đai năm 2024).',
    ).entries;
    expect(entry!.sources).toEqual([{ title: 'Luật Đất đai năm 2024', article: 'Điều 138' }]);
    expect(entry!.answer).toContain('(Điều 138 Luật Đất đai năm 2024)');
    const [other] = readBooklet('Câu 1. Mức lương tối thiểu vùng I là bao nhiêu?\nTrả lời: Là 4.960.000 đồng/tháng (theo khoản 1 Điều 3 Nghị định 74/2024/NĐ-CP), áp dụng từ 01/7/2024.').entries;
    expect(other!.sources).toEqual([{ title: 'Nghị định 74/2024/NĐ-CP', article: 'khoản 1 Điều 3' }]);
    // A bracket that cites no law is not a source.
    const [none] = readBooklet('Câu 1. Ai được cấp?\nTrả lời: Người đủ điều kiện (xem Điều kiện ở trên).').entries;
    expect(none!.sources).toEqual([]);
  });
});
