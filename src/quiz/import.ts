/**
 * Imports a contest's questions from the sheet organisers receive them in (Excel .xlsx, or CSV
 * saved from it) into the contest file's `questions:`, replacing the pool. Writing 30 questions
 * by hand in YAML with a 1-based `correct:` is where mistakes were made; the question bank comes
 * from the district union as a table anyway.
 *
 * The header is the first of the first ten rows that names a question column, at least two
 * option columns and the right-answer column; headings are matched in any case, with or without
 * diacritics:
 * - question: "Câu hỏi", "Nội dung câu hỏi";
 * - options: "A", "B", … "F", "Phương án A", "Đáp án A", "Lựa chọn 1", "1" … "6";
 * - right answer: "Đáp án đúng", "Đáp án", "Đúng": a letter (B), a number (2) or the option's text;
 * - explanation: "Giải thích", "Lời giải"; optional: "Thời gian (giây)", "Nguồn"/"Căn cứ", "Mã".
 *
 * A question keeps the id it already had in the file when its text is unchanged (statistics are
 * kept per id), else takes its "Mã" cell, else the next free `q<n>`.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { decodeTextFile, notUtf8CsvMessage } from '../text/encoding.js';
import { foldedCanonical } from '../text/vietnamese.js';
import { vietnameseMessage } from '../text/zod-vi.js';
import { csvRows, xlsxSheets } from '../content-import/table.js';
import { contestSchema, questionSchema } from './definition.js';

/** One question as written to the file. */
export interface ImportedQuestion {
  id: string;
  question: string;
  options: string[];
  correct: number;
  explanation: string;
  time_limit?: number;
  source?: string;
}

/** What a sheet gave: the questions, and what is wrong, row by row (Vietnamese). */
export interface QuestionSheet {
  questions: ImportedQuestion[];
  problems: string[];
}

type Column = 'question' | 'correct' | 'explanation' | 'time' | 'source' | 'id' | `option${number}`;

const LETTERS = ['a', 'b', 'c', 'd', 'e', 'f'];

function columnOf(heading: unknown): Column | undefined {
  const h = foldedCanonical(String(heading ?? '')).replace(/[.:()]/g, ' ').replace(/\s+/g, ' ').trim();
  if (['cau hoi', 'noi dung cau hoi', 'noi dung', 'question'].includes(h)) return 'question';
  if (['dap an dung', 'dap an', 'dung', 'dap an chinh xac', 'phuong an dung', 'correct', 'answer'].includes(h)) return 'correct';
  if (['giai thich', 'loi giai', 'giai thich dap an', 'explanation'].includes(h)) return 'explanation';
  if (['thoi gian', 'thoi gian giay', 'giay', 'so giay', 'time', 'time limit'].includes(h)) return 'time';
  if (['nguon', 'can cu', 'can cu phap ly', 'van ban', 'source'].includes(h)) return 'source';
  if (['ma', 'ma cau', 'ma cau hoi', 'id'].includes(h)) return 'id';
  const m = h.match(/^(?:phuong an|dap an|lua chon|option)?\s*([a-f]|[1-6])$/);
  if (m) return `option${/\d/.test(m[1]!) ? Number(m[1]) - 1 : LETTERS.indexOf(m[1]!)}`;
  return undefined;
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v)).replace(/\s+/g, ' ').trim();

/** The 1-based number of the right option from what the sheet says: "B", "b.", "2", "Đáp án B", or the option's text. */
function correctOf(v: string, options: string[]): number | null {
  const f = foldedCanonical(v).replace(/[.:)]/g, ' ').replace(/\s+/g, ' ').trim().replace(/^(?:dap an|phuong an|lua chon)\s+/, '');
  if (/^[a-f]$/.test(f)) return LETTERS.indexOf(f) + 1;
  if (/^[1-6]$/.test(f)) return Number(f);
  const at = options.findIndex((o) => foldedCanonical(o) === foldedCanonical(v));
  return at >= 0 ? at + 1 : null;
}

/**
 * Reads the sheet's rows. `existing` is the pool in the file now: a question whose text is
 * unchanged keeps its id.
 */
export function readQuestionRows(rows: unknown[][], existing: readonly { id?: string; question: string }[] = []): QuestionSheet {
  const headerAt = rows.slice(0, 10).findIndex((r) => {
    const cols = r.map(columnOf);
    return cols.includes('question') && cols.includes('correct') && cols.filter((c) => c?.startsWith('option')).length >= 2;
  });
  if (headerAt < 0)
    return {
      questions: [],
      problems: ['Không thấy dòng tiêu đề: bảng cần các cột “Câu hỏi”, ít nhất hai cột phương án (“A”, “B”, … hoặc “Phương án A”, …), “Đáp án đúng” và “Giải thích”, trong 10 dòng đầu.'],
    };
  const cols = rows[headerAt]!.map(columnOf);
  const at = (r: unknown[], c: Column): string => {
    const i = cols.indexOf(c);
    return i >= 0 ? cell(r[i]) : '';
  };
  const optionCols = [0, 1, 2, 3, 4, 5].filter((k) => cols.includes(`option${k}`));
  const byText = new Map(existing.filter((q) => q.id).map((q) => [foldedCanonical(q.question), q.id!]));
  const used = new Set<string>();
  const problems: string[] = [];
  const drafts: { line: number; q: Omit<ImportedQuestion, 'id'> & { id?: string } }[] = [];
  rows.slice(headerAt + 1).forEach((r, k) => {
    const line = headerAt + 2 + k;
    const question = at(r, 'question');
    const options = optionCols.map((c) => at(r, `option${c}`)).filter(Boolean);
    if (!question && options.length === 0) return;
    const correctText = at(r, 'correct');
    const correct = correctText ? correctOf(correctText, options) : null;
    if (correct === null) {
      problems.push(`Dòng ${line}: đáp án đúng “${correctText}” không chỉ ra phương án nào; hãy ghi chữ cái (A, B, …), số thứ tự hoặc đúng nội dung phương án.`);
      return;
    }
    const timeText = at(r, 'time');
    const time = timeText ? Number(timeText.replace(/[^\d]/g, '')) : undefined;
    if (timeText && !time) {
      problems.push(`Dòng ${line}: thời gian “${timeText}” không phải số giây.`);
      return;
    }
    const source = at(r, 'source');
    const q = { question, options, correct, explanation: at(r, 'explanation'), ...(time ? { time_limit: time } : {}), ...(source ? { source } : {}) };
    const check = questionSchema.safeParse(q);
    if (!check.success) {
      for (const i of check.error.issues) problems.push(`Dòng ${line}, ${fieldName(i.path)}: ${vietnameseMessage(i)}`);
      return;
    }
    const kept = byText.get(foldedCanonical(question)) ?? (at(r, 'id') ? at(r, 'id').toLowerCase() : undefined);
    if (kept && used.has(kept)) {
      problems.push(`Dòng ${line}: mã câu “${kept}” hoặc câu hỏi này đã có ở một dòng trên.`);
      return;
    }
    if (kept) used.add(kept);
    drafts.push({ line, q: { ...q, ...(kept ? { id: kept } : {}) } });
  });
  // New questions take the next free q<n>, never an id an earlier question had (its statistics).
  for (const q of existing) if (q.id) used.add(q.id);
  let n = 0;
  const fresh = (): string => {
    do n++;
    while (used.has(`q${n}`));
    used.add(`q${n}`);
    return `q${n}`;
  };
  const questions = drafts.map(({ q }) => ({ id: q.id ?? fresh(), ...q }) as ImportedQuestion);
  if (!problems.length && questions.length === 0) problems.push('Bảng không có câu hỏi nào dưới dòng tiêu đề.');
  return { questions, problems };
}

function fieldName(path: PropertyKey[]): string {
  const [head, i] = path;
  if (head === 'question') return 'câu hỏi';
  if (head === 'options') return i === undefined ? 'các phương án' : `phương án ${LETTERS[Number(i)]?.toUpperCase() ?? Number(i) + 1}`;
  if (head === 'correct') return 'đáp án đúng';
  if (head === 'explanation') return 'giải thích';
  if (head === 'time_limit') return 'thời gian';
  return String(head);
}

/** Reads a question sheet file by its extension: .xlsx (first sheet with the headings) or CSV (UTF-8, `,` or `;`). */
export async function readQuestionFile(name: string, bytes: Buffer, existing: readonly { id?: string; question: string }[] = []): Promise<QuestionSheet> {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  if (ext === 'xls') return { questions: [], problems: ['Tệp .xls (Excel 97-2003) chưa đọc được: mở bằng Excel, chọn “Lưu thành” kiểu “Excel Workbook (.xlsx)”.'] };
  if (ext === 'xlsx') {
    // The Q&A import's reader: the archive's limits, merged cells filled (content-import/table.ts).
    const book = await xlsxSheets(bytes);
    if (!book.ok)
      return {
        questions: [],
        problems: [
          book.reason === 'unreadable'
            ? 'Không đọc được tệp Excel: tệp phải là .xlsx (Excel 2007 trở lên).'
            : 'Không đọc được tệp Excel (.xlsx) này, hoặc tệp quá lớn với một bộ câu hỏi: hãy chép trang tính câu hỏi sang một tệp mới.',
        ],
      };
    let first: QuestionSheet | undefined;
    for (const s of book.sheets) {
      const read = readQuestionRows(s.data, existing);
      if (read.questions.length || (read.problems.length && !read.problems[0]!.startsWith('Không thấy dòng tiêu đề'))) return read;
      first ??= read;
    }
    return first ?? { questions: [], problems: ['Tệp Excel không có trang tính nào.'] };
  }
  const decoded = decodeTextFile(bytes);
  if (!decoded.ok) return { questions: [], problems: [`Tệp CSV: ${notUtf8CsvMessage(decoded.line)}`] };
  const parsed = csvRows(decoded.text);
  if (!parsed.ok) return { questions: [], problems: [parsed.problem] };
  return readQuestionRows(parsed.rows, existing);
}

/** The questions in a contest file now (for their ids); empty when the file has none or cannot be read. */
export function questionsInFile(path: string): { id?: string; question: string }[] {
  const js = parseDocument(readFileSync(path, 'utf8')).toJS() as { questions?: unknown } | null;
  const qs = Array.isArray(js?.questions) ? js.questions : [];
  return qs.flatMap((q: unknown) => {
    const o = q as { id?: unknown; question?: unknown };
    return typeof o?.question === 'string' ? [{ ...(typeof o.id === 'string' ? { id: o.id } : {}), question: o.question }] : [];
  });
}

/**
 * Replaces the `questions:` of the contest file at `path` (its other fields, comments and layout
 * kept), after checking the whole file as the registry will read it. Returns the problems
 * (Vietnamese) instead of writing when there are any; `dryRun` checks without writing.
 */
export function writeQuestions(path: string, questions: ImportedQuestion[], dryRun = false): string[] {
  const doc = parseDocument(readFileSync(path, 'utf8'));
  if (doc.errors.length) return [`Tệp cuộc thi không đọc được: ${doc.errors[0]!.message}`];
  doc.set('questions', questions);
  const check = contestSchema.safeParse(doc.toJS());
  if (!check.success) return check.error.issues.map((i) => `Tệp cuộc thi sau khi nhập, ${i.path.join('.') || '(tệp)'}: ${vietnameseMessage(i)}`);
  if (dryRun) return [];
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, doc.toString({ lineWidth: 0 }));
  renameSync(tmp, path);
  return [];
}
