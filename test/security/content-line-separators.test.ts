/**
 * A question with U+2028 (LINE SEPARATOR) or U+2029 in it, as text copied from a web page or a
 * PDF can carry into the Q&A form or an imported sheet (the bulk import's confirmation takes its
 * entries from the page, so anything the browser sends). YAML writes the character as it is
 * inside a quoted value, and the loader's front matter reading threw on the file: the whole
 * content load failed, the admin's content list with it, and the service could not start again.
 * Now the admin writes it as a line break (a space in a field of one line). A citizen's own
 * question attached to an entry as another wording, and a reviewer's display name, likewise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { addQaVariants, buildArticleText, buildQaText, withStatus } from '../../src/admin/content-files.js';
import { loadContent, parseArticleText, parseQaText } from '../../src/knowledge/content.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const refs = { topics: [{ slug: 'ho-tich', name: 'Hộ tịch', description: '' }], regions: [] } as unknown as Parameters<typeof buildQaText>[1];

describe('the files the admin writes', () => {
  it('load whatever separators the fields carry', () => {
    for (const sep of ['\u2028', '\u2029']) {
      const text = buildQaText(
        {
          id: 'dang-ky-khai-sinh',
          question: `Đăng ký khai sinh${sep}ở đâu?`,
          variants: `làm giấy khai sinh${sep}khai sinh cho con ở đâu`,
          topics: ['ho-tich'],
          regions: [],
          sources: `Luật Hộ tịch 2014 | Điều 13${sep}Nghị định 123/2015/NĐ-CP | Điều 9`,
          expires: '',
          answer: `Tại Ủy ban nhân dân cấp xã.${sep}Nơi cư trú của cha hoặc mẹ.`,
        },
        refs,
      );
      const { entry, problems } = parseQaText('qa/ho-tich/dang-ky-khai-sinh.md', text);
      expect(problems).toEqual([]);
      expect(entry).toMatchObject({
        status: 'draft',
        question: 'Đăng ký khai sinh ở đâu?',
        variants: ['làm giấy khai sinh', 'khai sinh cho con ở đâu'],
        sources: [
          { title: 'Luật Hộ tịch 2014', article: 'Điều 13' },
          { title: 'Nghị định 123/2015/NĐ-CP', article: 'Điều 9' },
        ],
      });
      expect(entry!.answer).toContain('Tại Ủy ban nhân dân cấp xã.\nNơi cư trú của cha hoặc mẹ.');
      const article = buildArticleText(
        { id: 'bai', title: `Tiêu đề${sep}bài`, published: '2026-12-07', source_title: `Báo${sep}Hưng Yên`, source_url: '', topics: ['ho-tich'], regions: [], expires: '', body: `Đoạn một.${sep}Đoạn hai.` },
        refs,
      );
      const a = parseArticleText('articles/bai.md', article);
      expect(a.problems).toEqual([]);
      expect(a.entry).toMatchObject({ title: 'Tiêu đề bài' });
    }
  });
});

describe('a citizen\'s question attached to an entry as another wording', () => {
  it('is written on one line: a phone can send U+2028 in a message', () => {
    const draft = buildQaText(
      { id: 'x', question: 'Đăng ký khai sinh ở đâu?', variants: '', topics: ['ho-tich'], regions: [], sources: 'Luật Hộ tịch 2014 | Điều 13', expires: '', answer: 'Tại Ủy ban nhân dân cấp xã.' },
      refs,
    );
    const { text, added } = addQaVariants(draft, ['làm giấy khai sinh\u2028cho con ở đâu vậy']);
    expect(added).toEqual(['làm giấy khai sinh cho con ở đâu vậy']);
    const { entry, problems } = parseQaText('qa/ho-tich/x.md', text);
    expect(problems).toEqual([]);
    expect(entry!.variants).toEqual(['làm giấy khai sinh cho con ở đâu vậy']);
  });
});

describe('an approval by someone whose display name carries one', () => {
  it('records the reviewer on one line, and the file loads', () => {
    const draft = buildQaText(
      { id: 'x', question: 'Đăng ký khai sinh ở đâu?', variants: '', topics: ['ho-tich'], regions: [], sources: 'Luật Hộ tịch 2014 | Điều 13', expires: '', answer: 'Tại Ủy ban nhân dân cấp xã.' },
      refs,
    );
    const approved = withStatus(draft, 'qa', 'approved', 'Nguyễn Thị Hoa\u2028Phòng Tư pháp', '2026-12-07');
    const { entry, problems } = parseQaText('qa/ho-tich/x.md', approved);
    expect(problems).toEqual([]);
    expect(entry).toMatchObject({ status: 'approved', reviewedBy: 'Nguyễn Thị Hoa Phòng Tư pháp' });
  });
});

describe('an editor saving such a question in the form', () => {
  it('leaves the content loadable: the list still opens, the draft is there', async () => {
    const t = await startAdminApp();
    cleanup.push(t.close);
    const editor = new AdminClient(t.url);
    expect((await editor.login('bien', addUser(t.app, 'bien', ['editor']))).status).toBe(303);
    const saved = await editor.post('/admin/content/qa/new', {
      id: 'cap-lai-the-bhyt',
      question: 'Cấp lại thẻ bảo hiểm y tế\u2028có mất phí không?',
      answer: 'Không mất phí khi thẻ bị mất hoặc hỏng; người tham gia chỉ cần làm tờ khai.',
      topics: 'bao-hiem-y-te',
      sources: 'Luật Bảo hiểm y tế | Điều 16',
    });
    expect(saved.status).toBe(303);
    const file = join(t.contentDir, 'qa', 'bao-hiem-y-te', 'cap-lai-the-bhyt.md');
    expect(readFileSync(file, 'utf8')).not.toMatch(/\u2028/);
    const content = loadContent(t.contentDir); // threw "m is not iterable" on the old file
    expect(content.qa.find((q) => q.id === 'cap-lai-the-bhyt')).toMatchObject({ status: 'draft', question: 'Cấp lại thẻ bảo hiểm y tế có mất phí không?' });
    const list = await editor.get('/admin/content?status=draft');
    expect(list.status).toBe(200);
    expect(list.text).toContain('cap-lai-the-bhyt');
  });
});
