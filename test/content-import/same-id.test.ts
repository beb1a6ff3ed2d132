/**
 * An import and a form save of the same new id at the same moment: the import plans its ids,
 * then writes its drafts stopping every few entries to let the bot answer; a form save of the same
 * question in between (or a save whose cached view of the content does not have the import's
 * drafts yet) wrote one file over the other, and the first draft, audited as created, was gone.
 * Now neither can: a new entry's file is created only where none is, and the import takes the
 * next free id. Entries are SAMPLE text; the law cited is real.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentValidationError, saveArticleDraft, saveQaDraft, type QaForm } from '../../src/admin/content-files.js';
import { planImport, writeImport, writeImportYielding } from '../../src/content-import/plan.js';
import { loadContent, type Content } from '../../src/knowledge/content.js';
import type { ImportRead } from '../../src/content-import/booklet.js';

const QUESTION = 'Sinh con bao lâu thì phải đăng ký khai sinh?';
const ID = 'sinh-con-bao-lau-thi-phai-dang-ky-khai-sinh';
const read = (question = QUESTION): ImportRead => ({
  format: 'booklet',
  entries: [{ line: 1, question, answer: 'Trong thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con (bản nhập).', sources: [{ title: 'Luật Hộ tịch năm 2014', article: 'Điều 15' }] }],
  ignored: [],
  problems: [],
});
const form = (over: Partial<QaForm> = {}): QaForm => ({
  id: ID,
  question: QUESTION,
  variants: '',
  topics: ['ho-tich'],
  regions: [],
  sources: 'Luật Hộ tịch năm 2014 | Điều 15',
  expires: '',
  answer: 'Cha hoặc mẹ đăng ký khai sinh cho con trong 60 ngày kể từ ngày sinh (bản lưu từ biểu mẫu).',
  ...over,
});

let dir: string;
let content: Content;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loa-same-id-'));
  cpSync('content', dir, { recursive: true });
  content = loadContent(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the same new id from an import and a form', () => {
  it('the form saved between the import’s plan and its write keeps its file; the import takes the next id', () => {
    const plan = planImport(read(), content, { topic: 'ho-tich' }, dir);
    expect(plan.entries[0]!.id).toBe(ID);
    saveQaDraft(dir, form(), content);
    const audits: { targetId?: string | number }[] = [];
    const result = writeImport(dir, plan, new Set([1]), content, (e) => audits.push(e), { source: 'tệp x.docx' });
    expect(result.written.map((w) => w.id)).toEqual([`${ID}-2`]);
    expect(readFileSync(join(dir, 'qa', 'ho-tich', `${ID}.md`), 'utf8')).toContain('(bản lưu từ biểu mẫu)');
    expect(readFileSync(join(dir, 'qa', 'ho-tich', `${ID}-2.md`), 'utf8')).toContain('(bản nhập)');
    expect(audits[0]!.targetId).toBe(`${ID}-2`);
  });

  it('a form save with a view of the content older than the import’s write is refused, not written over it', async () => {
    const plan = planImport(read(), content, { topic: 'ho-tich' }, dir);
    await writeImportYielding(dir, plan, new Set([1]), content, () => undefined, { source: 'tệp x.docx' });
    // `content` is the view before the import: the id looks free.
    expect(() => saveQaDraft(dir, form(), content)).toThrow(ContentValidationError);
    expect(readFileSync(join(dir, 'qa', 'ho-tich', `${ID}.md`), 'utf8')).toContain('(bản nhập)');
    // Under another topic, or as an article, the id is taken as well (the loader would refuse two).
    expect(() => saveQaDraft(dir, form({ topics: ['tro-giup-phap-ly'] }), content)).toThrow(/vừa được dùng/);
    expect(() =>
      saveArticleDraft(dir, { id: ID, title: 'Khai sinh', published: '2026-12-01', source_title: 'Sở Tư pháp', source_url: '', topics: ['ho-tich'], regions: [], expires: '', body: 'Nội dung bài viết.' }, content),
    ).toThrow(/vừa được dùng/);
    expect(readdirSync(join(dir, 'qa', 'ho-tich')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('editing an existing draft still writes over its own file', () => {
    saveQaDraft(dir, form(), content);
    const again = saveQaDraft(dir, form({ answer: 'Trong thời hạn 60 ngày kể từ ngày sinh con (đã sửa).' }), content, join('qa', 'ho-tich', `${ID}.md`));
    expect(again.file).toBe(join('qa', 'ho-tich', `${ID}.md`));
    expect(readFileSync(join(dir, again.file), 'utf8')).toContain('(đã sửa)');
  });
});
