/**
 * `loa quiz import`: a question sheet (Excel or CSV, as the district union sends it) replaces a
 * contest's pool; ids of unchanged questions are kept (statistics), problems are named by row and
 * nothing is written while there are any.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readQuestionFile, readQuestionRows } from '../../src/quiz/import.js';
import { quizCommand } from '../../src/cli/quiz.js';
import { createContestRegistry } from '../../src/quiz/definition.js';
import { openDb } from '../../src/db/index.js';
import { toXlsx } from '../../src/text/xlsx.js';
import { QUIZ_CONTENT } from './support.js';

const SHEET = [
  'BỘ CÂU HỎI CUỘC THI TÌM HIỂU QUYỀN CON NGƯỜI;;;;;;;',
  'STT;Câu hỏi;A;B;C;D;Đáp án đúng;Giải thích',
  '1;Hiến pháp năm 2013 có hiệu lực từ ngày nào?;28/11/2013;01/01/2014;01/07/2014;;B;Hiến pháp 2013 có hiệu lực từ ngày 01/01/2014.',
  '2;Công dân đủ bao nhiêu tuổi có quyền bầu cử?;16;18;21;;b.;Đủ 18 tuổi trở lên (Điều 27).',
  '3;Quyết định 1079/QĐ-TTg về tuyên truyền quyền con người giai đoạn nào?;2021–2025;2023–2028;2025–2030;;2023–2028;Giai đoạn 2023–2028.',
  '',
  '4;Quyền trẻ em được quy định trong luật nào?;Luật Trẻ em 2016;Luật Giáo dục;Bộ luật Dân sự;;1;Luật Trẻ em năm 2016.',
].join('\r\n');

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('reading a question sheet', () => {
  it('finds the header under a title row and reads letters, numbers and option texts as the right answer', async () => {
    const read = await readQuestionFile('cau-hoi.csv', Buffer.from(`\uFEFF${SHEET}`, 'utf8'));
    expect(read.problems).toEqual([]);
    expect(read.questions.map((q) => [q.id, q.correct, q.options.length])).toEqual([
      ['q1', 2, 3],
      ['q2', 2, 3],
      ['q3', 2, 3],
      ['q4', 1, 3],
    ]);
    expect(read.questions[1]!.options).toEqual(['16', '18', '21']);
    expect(read.questions[0]!.explanation).toBe('Hiến pháp 2013 có hiệu lực từ ngày 01/01/2014.');
  });

  it('keeps the id of a question whose text is unchanged, and never gives a new one a removed question’s id', () => {
    const rows = SHEET.split('\r\n').map((l) => l.split(';'));
    const existing = [
      { id: 'q1', question: 'Câu đã bỏ khỏi đề?' },
      { id: 'q2', question: 'Hiến pháp năm 2013 có hiệu lực từ ngày nào?' },
      { id: 'quyet-dinh', question: 'Quyết định 1079/QĐ-TTg về tuyên truyền quyền con người giai đoạn nào?' },
    ];
    const read = readQuestionRows(rows, existing);
    expect(read.questions.map((q) => q.id)).toEqual(['q2', 'q3', 'quyet-dinh', 'q4']);
  });

  it('names every row that is wrong, in Vietnamese, and what to write', () => {
    const rows = [
      ['Câu hỏi', 'Phương án A', 'Phương án B', 'Phương án C', 'Đáp án', 'Giải thích'],
      ['Câu một?', 'Có', 'Không', '', 'D', 'Vì thế.'],
      ['Câu hai?', 'Có', 'Không', '', 'A', ''],
      ['Câu ba?', 'Có', 'Có', '', 'A', 'Trùng.'],
      ['Câu bốn?', 'x'.repeat(101), 'Không', '', '2', 'Dài.'],
      ['Câu năm?', 'Có', 'Không', '', 'Đúng hết', 'Vì thế.'],
    ];
    const read = readQuestionRows(rows);
    expect(read.problems).toHaveLength(5);
    expect(read.problems[0]).toBe('Dòng 2, đáp án đúng: là 4 nhưng chỉ có 2 lựa chọn');
    expect(read.problems[1]).toMatch(/^Dòng 3, giải thích: /);
    expect(read.problems[2]).toMatch(/^Dòng 4, phương án B: trùng với một lựa chọn khác/);
    expect(read.problems[3]).toMatch(/^Dòng 5, phương án A: tối đa 100 ký tự/);
    expect(read.problems[4]).toMatch(/^Dòng 6: đáp án đúng “Đúng hết” không chỉ ra phương án nào; hãy ghi chữ cái/);
    expect(readQuestionRows([['STT', 'Nội dung', 'Ghi chú']]).problems[0]).toMatch(/^Không thấy dòng tiêu đề/);
  });

  it('reads an Excel workbook, number cells included', async () => {
    const bytes = await toXlsx({
      name: 'Câu hỏi',
      rows: [
        ['Câu hỏi', 'A', 'B', 'C', 'Đáp án đúng', 'Giải thích', 'Thời gian (giây)'],
        ['Công dân đủ bao nhiêu tuổi có quyền ứng cử?', 18, 21, 25, 2, 'Đủ 21 tuổi (Điều 27).', 45],
      ],
    });
    const read = await readQuestionFile('de-thi.xlsx', bytes);
    expect(read.problems).toEqual([]);
    expect(read.questions).toEqual([
      { id: 'q1', question: 'Công dân đủ bao nhiêu tuổi có quyền ứng cử?', options: ['18', '21', '25'], correct: 2, explanation: 'Đủ 21 tuổi (Điều 27).', time_limit: 45 },
    ]);
  });
});

describe('loa quiz import', () => {
  it('replaces the pool of the contest file (other fields and comments kept); the registry serves it; problems write nothing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'loa-quiz-import-'));
    mkdirSync(join(dir, 'quizzes'));
    const file = join(dir, 'quizzes', 'thu-nghiem.yaml');
    copyFileSync(join(QUIZ_CONTENT, 'quizzes', 'thu-nghiem.yaml'), file);
    writeFileSync(join(dir, 'cau-hoi.csv'), SHEET);
    const db = openDb(':memory:');
    const out: string[] = [];
    const deps = { db, registry: createContestRegistry(dir), contentDir: dir, print: (l: string) => out.push(l), error: (l: string) => out.push(l) };
    const before = readFileSync(file, 'utf8');
    expect(await quizCommand(['import', join(dir, 'cau-hoi.csv'), '--into', 'thu-nghiem', '--dry-run'], deps)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(await quizCommand(['import', join(dir, 'cau-hoi.csv'), '--into', 'thu-nghiem'], deps)).toBe(0);
    expect(out.at(-1)).toBe('Đã ghi 4 câu hỏi (1 câu giữ mã cũ, thống kê theo câu vẫn liền mạch; 3 câu mới), thay 3 câu cũ vào quizzes/thu-nghiem.yaml.');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# Test contest: three questions');
    expect(text).toContain('title: Cuộc thi thử nghiệm');
    const c = createContestRegistry(dir).get('thu-nghiem')!;
    expect(c.questions.map((q) => q.id)).toEqual(['a', 'q1', 'q2', 'q3']);
    expect(c.questions[1]!.options).toEqual(['16', '18', '21']);
    // A sheet with a wrong row writes nothing and says which row.
    writeFileSync(join(dir, 'sai.csv'), 'Câu hỏi,A,B,Đáp án đúng,Giải thích\nCâu một?,Có,Không,C,Vì thế.\n');
    const now = readFileSync(file, 'utf8');
    expect(await quizCommand(['import', join(dir, 'sai.csv'), '--into', 'thu-nghiem'], deps)).toBe(1);
    expect(out.join('\n')).toContain('Dòng 2, đáp án đúng: là 3 nhưng chỉ có 2 lựa chọn');
    expect(readFileSync(file, 'utf8')).toBe(now);
    expect(await quizCommand(['import', join(dir, 'cau-hoi.csv'), '--into', 'khong-co'], deps)).toBe(2);
    expect(out.at(-1)).toContain('không có tệp cuộc thi quizzes/khong-co.yaml');
    db.close();
  });
});
