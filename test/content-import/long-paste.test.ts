/**
 * A paste far longer than one import is refused before it is read: the booklet reader costs about
 * 25 µs a line (load 20), and 100,000 one-line questions (6.4 MB, under the form's 8 MB) held the
 * event loop 4.8 s before the route refused them for their number; a Word file the same.
 */
import { describe, expect, it } from 'vitest';
import { readImportFile, readImportText } from '../../src/content-import/table.js';
import { docx, para } from './docx-support.js';

const oneLine = (n: number): string => Array.from({ length: n }, (_, i) => `Câu ${(i % 9999) + 1}. Câu hỏi số ${i} là gì? Trả lời: Đây là câu trả lời số ${i}.`).join('\n');

describe('a paste longer than one import', () => {
  it('is refused by its count of questions, unread, and quickly', () => {
    const text = oneLine(100_000);
    const started = performance.now();
    const read = readImportText(text, { maxRows: 1_000 });
    const took = performance.now() - started;
    expect(read.entries).toEqual([]);
    expect(read.problems).toEqual(['Mỗi lần nhập tối đa 1.000 câu hỏi; nội dung dài 100.000 dòng: chia thành nhiều lần (mỗi lần một phần của tài liệu).']);
    // Generous for a loaded machine: reading it took 4,800 ms.
    expect(took).toBeLessThan(1_000);
    // Within the line count, the question count refuses: 1,001 questions in 2,002 lines.
    const many = Array.from({ length: 1_001 }, (_, i) => `Câu ${i + 1}. Hỏi số ${i}?\nTrả lời: Đáp số ${i}.`).join('\n');
    expect(readImportText(many, { maxRows: 1_000 }).problems[0]).toMatch(/^Mỗi lần nhập tối đa 1\.000 câu hỏi; nội dung có hơn 1\.000 câu hỏi \(dòng bắt đầu bằng “Câu …”/);
    // 1,000 are read.
    expect(readImportText(many.split('\n').slice(0, 2_000).join('\n'), { maxRows: 1_000 }).entries).toHaveLength(1_000);
  });

  it('in a Word file too', async () => {
    const body = Array.from({ length: 1_200 }, (_, i) => para(`Câu ${i + 1}. Hỏi số ${i}?`) + para(`Trả lời: Đáp số ${i}.`)).join('');
    const read = await readImportFile('dai.docx', docx(body), { maxRows: 1_000 });
    expect(read.entries).toEqual([]);
    expect(read.problems[0]).toMatch(/^Mỗi lần nhập tối đa 1\.000 câu hỏi; tệp Word có hơn 1\.000 câu hỏi/);
  });
});
