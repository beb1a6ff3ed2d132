/**
 * The checks, ids and draft files of an import, against the sample content in `content/`.
 * Entries are SAMPLE text written for these tests; the laws cited are real.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent, parseQaText, type Content } from '../../src/knowledge/content.js';
import { planImport, writeImport } from '../../src/content-import/plan.js';
import type { ImportRead, ImportedEntry } from '../../src/content-import/booklet.js';

const ANSWER = 'Trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con.';
const HO_TICH = [{ title: 'Luật Hộ tịch năm 2014', article: 'Điều 15' }];
const entry = (question: string, over: Partial<ImportedEntry> = {}): ImportedEntry => ({ line: 1, question, answer: ANSWER, sources: HO_TICH, ...over });
const booklet = (...entries: ImportedEntry[]): ImportRead => ({ format: 'booklet', entries, ignored: [], problems: [] });

let content: Content;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loa-import-'));
  cpSync('content', dir, { recursive: true });
  content = loadContent(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('planImport', () => {
  it('gives each entry a readable id, numbered on a collision with the content and within the import', () => {
    const taken = content.qa.find((q) => q.topics.includes('ho-tich'))!;
    const plan = planImport(booklet(entry('Sinh con bao lâu thì phải đăng ký khai sinh?'), entry('Sinh con bao lâu thì phải đăng ký khai sinh!'), entry(taken.id.replace(/-/g, ' '))), content, { topic: 'ho-tich' }, dir);
    expect(plan.problems).toEqual([]);
    expect(plan.entries.map((e) => e.id)).toEqual(['sinh-con-bao-lau-thi-phai-dang-ky-khai-sinh', 'sinh-con-bao-lau-thi-phai-dang-ky-khai-sinh-2', `${taken.id}-2`]);
    expect(plan.entries[0]!.file).toBe(join('qa', 'ho-tich', 'sinh-con-bao-lau-thi-phai-dang-ky-khai-sinh.md'));
    // The second is the first again (punctuation aside): a warning, not ticked.
    expect(plan.entries[1]!.problems.map((p) => p.message)).toEqual(['Trùng câu hỏi với mục số 1 của lần nhập này.']);
    expect(plan.entries.map((e) => e.suggested)).toEqual([true, false, true]);
  });

  it('warns of a question already approved, word for word whatever its case, spacing and punctuation', () => {
    const approved = content.qa.find((q) => q.status === 'approved' && q.lang === 'vi')!;
    const typed = `  ${approved.question.toLocaleUpperCase('vi').replace(/\?$/, '')} ?? `;
    const [same, other] = planImport(booklet(entry(typed), entry(`${approved.question} cho người cao tuổi`)), content, { topic: 'ho-tich' }, dir).entries;
    expect(same!.problems).toEqual([{ code: 'approved-duplicate', blocking: false, message: `Câu hỏi này đã có trong nội dung đã duyệt, từng chữ: mục “${approved.id}”.` }]);
    expect(same!.importable).toBe(true);
    expect(same!.suggested).toBe(false);
    // More words: another question.
    expect(other!.problems).toEqual([]);
  });

  it('blocks an entry without an answer or without any source, and warns of a short answer', () => {
    const plan = planImport(
      booklet(entry('Mất giấy khai sinh thì làm thế nào?', { answer: '' }), entry('Ai đăng ký khai sinh?', { sources: [] }), entry('Có phải nộp lệ phí không?', { answer: 'Không.' })),
      content,
      { topic: 'ho-tich' },
      dir,
    );
    expect(plan.entries.map((e) => [e.importable, e.problems.map((p) => p.code)])).toEqual([
      [false, ['no-answer']],
      [false, ['no-source']],
      [true, ['short-answer']],
    ]);
    expect(plan.entries[2]!.problems[0]!.message).toBe('Câu trả lời quá ngắn (6 ký tự): kiểm tra xem câu trả lời có bị cắt khi chép không.');
    // The common source fills in for entries that cite none.
    const withCommon = planImport(booklet(entry('Ai đăng ký khai sinh?', { sources: [] })), content, { topic: 'ho-tich', source: 'Luật Hộ tịch năm 2014 | Điều 15' }, dir);
    expect(withCommon.entries[0]).toMatchObject({ importable: true, sourceFrom: 'common', sources: HO_TICH });
  });

  it('puts a row under the topic its “Lĩnh vực” names, and says when it names none', () => {
    const read: ImportRead = { format: 'xlsx', entries: [entry('Ai được trợ giúp pháp lý?', { topic: 'Trợ giúp pháp lý' }), entry('Ai đăng ký khai sinh?', { topic: 'Đất đai' })], ignored: [], problems: [] };
    const plan = planImport(read, content, { topic: 'ho-tich' }, dir);
    expect(plan.entries.map((e) => e.topic)).toEqual(['tro-giup-phap-ly', 'ho-tich']);
    expect(plan.entries[1]!.problems[0]!.message).toBe('Lĩnh vực “Đất đai” không khớp chủ đề nào; mục này vào chủ đề đã chọn “Hộ tịch, khai sinh, căn cước”.');
  });

  it('refuses the whole import without a known topic, and text in an old font encoding', () => {
    expect(planImport(booklet(entry('Ai đăng ký khai sinh?')), content, { topic: 'dat-dai' }, dir).problems).toEqual([
      'Không có chủ đề “dat-dai”: chọn một chủ đề trong danh sách (content/topics.yaml).',
    ]);
    const tcvn3 = planImport(booklet(entry('Ai ®­îc ®¨ng ký khai sinh?', { answer: 'Cha hoÆc mÑ cã tr¸ch nhiÖm ®¨ng ký khai sinh cho con trong thêi h¹n 60 ngµy.' })), content, { topic: 'ho-tich' }, dir);
    expect(tcvn3.problems[0]).toContain('TCVN3 (ABC)');
    expect(tcvn3.entries.every((e) => !e.importable)).toBe(true);
  });
});

describe('writeImport', () => {
  it('writes the chosen entries as drafts the loader reads, and audits each and the import', () => {
    const plan = planImport(
      booklet(entry('Sinh con thì đăng ký khai sinh ở đâu?', { variants: ['làm giấy khai sinh cho con ở đâu'] }), entry('Có phải nộp lệ phí đăng ký khai sinh không?'), entry('Mất giấy khai sinh thì làm thế nào?', { answer: '' })),
      content,
      { topic: 'ho-tich' },
      dir,
    );
    const audits: unknown[] = [];
    const result = writeImport(dir, plan, new Set([1, 3]), content, (e) => audits.push(e), { source: 'tệp hoi-dap.docx' });
    // Entry 2 was not chosen, entry 3 cannot be written.
    expect(result.written.map((w) => w.id)).toEqual(['sinh-con-thi-dang-ky-khai-sinh-o-dau']);
    expect(existsSync(join(dir, 'qa', 'ho-tich', 'co-phai-nop-le-phi-dang-ky-khai-sinh-khong.md'))).toBe(false);
    const file = join('qa', 'ho-tich', 'sinh-con-thi-dang-ky-khai-sinh-o-dau.md');
    const parsed = parseQaText(file, readFileSync(join(dir, file), 'utf8'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.entry).toMatchObject({ status: 'draft', variants: ['làm giấy khai sinh cho con ở đâu'], question: 'Sinh con thì đăng ký khai sinh ở đâu?', answer: ANSWER, sources: HO_TICH, topics: ['ho-tich'] });
    expect(audits).toEqual([
      {
        action: 'content.save',
        targetType: 'qa',
        targetId: 'sinh-con-thi-dang-ky-khai-sinh-o-dau',
        details: { text: 'Tạo bản nháp “sinh-con-thi-dang-ky-khai-sinh-o-dau” (nhập nhiều câu hỏi – đáp từ tệp hoi-dap.docx)', file, created: true },
      },
      {
        action: 'content.import',
        details: {
          text: 'Nhập 1 câu hỏi – đáp từ tệp hoi-dap.docx thành bản nháp, chờ phê duyệt',
          count: 1,
          topics: ['ho-tich'],
          ids: ['sinh-con-thi-dang-ky-khai-sinh-o-dau'],
        },
      },
    ]);
    // The content now has the draft: importing again numbers the id.
    const again = planImport(booklet(entry('Sinh con thì đăng ký khai sinh ở đâu?')), loadContent(dir), { topic: 'ho-tich' }, dir);
    expect(again.entries[0]!.id).toBe('sinh-con-thi-dang-ky-khai-sinh-o-dau-2');
    expect(again.entries[0]!.problems[0]!.code).toBe('draft-duplicate');
  });
});

describe('topics and regions of an import', () => {
  it('files every entry under the regions chosen for the import, unless its row names its own', () => {
    const read: ImportRead = {
      format: 'xlsx',
      entries: [
        entry('Ai đăng ký khai sinh cho trẻ?'),
        entry('Đăng ký khai sinh ở phường nào?', { regions: 'Phố Hiến; Phường Sơn Nam' }),
        entry('Khai sinh cho con ở đâu?', { regions: 'Toàn tỉnh' }),
        entry('Khai sinh cho trẻ bị bỏ rơi ở đâu?', { regions: 'Xã Không Có' }),
      ],
      ignored: [],
      problems: [],
    };
    const plan = planImport(read, content, { topic: 'ho-tich', regions: ['hung-yen'] }, dir);
    expect(plan.problems).toEqual([]);
    expect(plan.entries.map((e) => e.regions)).toEqual([['hung-yen'], ['pho-hien', 'son-nam'], ['hung-yen'], ['hung-yen']]);
    expect(plan.entries.map((e) => e.form?.regions)).toEqual([['hung-yen'], ['pho-hien', 'son-nam'], ['hung-yen'], ['hung-yen']]);
    expect(plan.entries[3]!.problems.map((p) => p.message)).toEqual(['Địa bàn “Xã Không Có” không có trong danh sách địa bàn; mục này áp dụng cho Tỉnh Hưng Yên.']);
    // Written: the draft file carries them.
    const result = writeImport(dir, plan, new Set([2]), content, () => undefined, { source: 'tệp x.xlsx' });
    const parsed = parseQaText(result.written[0]!.file, readFileSync(join(dir, result.written[0]!.file), 'utf8'));
    expect(parsed.entry).toMatchObject({ regions: ['pho-hien', 'son-nam'], topics: ['ho-tich'] });
    // A region that does not exist stops the import.
    expect(planImport(read, content, { topic: 'ho-tich', regions: ['ha-noi'] }, dir).problems).toEqual([
      'Không có địa bàn “ha-noi”: chọn địa bàn trong danh sách (content/regions.yaml).',
    ]);
  });

  it('reads several topics from “Lĩnh vực”, names with commas included', () => {
    const read: ImportRead = {
      format: 'xlsx',
      entries: [entry('Trẻ em được trợ giúp pháp lý không?', { topic: 'Trợ giúp pháp lý; Hộ tịch, khai sinh, căn cước' }), entry('Ai đăng ký khai sinh?', { topic: 'Hộ tịch; Đất đai' })],
      ignored: [],
      problems: [],
    };
    const plan = planImport(read, content, { topic: 'bao-hiem-y-te' }, dir);
    expect(plan.entries.map((e) => [e.topic, e.topics])).toEqual([
      ['tro-giup-phap-ly', ['tro-giup-phap-ly', 'ho-tich']],
      // "Hộ tịch" is the topic's slug read as words; "Đất đai" no topic: said, and left out.
      ['ho-tich', ['ho-tich']],
    ]);
    expect(plan.entries[1]!.problems.map((p) => p.message)).toEqual(['Lĩnh vực “Đất đai” không khớp chủ đề nào; mục này chỉ vào “Hộ tịch, khai sinh, căn cước”.']);
    expect(plan.entries[0]!.file).toBe(join('qa', 'tro-giup-phap-ly', `${plan.entries[0]!.id}.md`));
  });
});
