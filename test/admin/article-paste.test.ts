/**
 * An office pastes law articles into the article form as they are published ("Điều 32. Thời
 * hạn …" on a line of its own), not as Markdown: each article of the law becomes a section of
 * its own (a passage the bot can quote), as "## Điều 32. …" would.
 */
import { describe, expect, it } from 'vitest';
import { articleFormSchema, buildArticleText } from '../../src/admin/content-files.js';
import { splitFrontMatter, splitPassages } from '../../src/knowledge/content.js';

const refs = { topics: [{ slug: 'chung-thuc', name: 'Chứng thực' }], regions: [] };
const form = (body: string) =>
  articleFormSchema.parse({ id: 'nd-23-thoi-han', title: 'Nghị định 23/2015/NĐ-CP: thời hạn', published: '2026-12-07', source_title: 'Nghị định số 23/2015/NĐ-CP', topics: 'chung-thuc', body });
const passagesOf = (text: string) => splitPassages('nd-23-thoi-han', 'Nghị định 23', splitFrontMatter(text)!.body);

describe('a law pasted into the article form', () => {
  // Seen on a trial run: two pasted articles became one passage under the article's title.
  it('makes each "Điều N." line a section when the text has no "##" heading', () => {
    const text = buildArticleText(
      form(
        'Điều 32. Thời hạn thực hiện yêu cầu chứng thực\n\n1. Thời hạn chứng thực bản sao được thực hiện ngay trong ngày.\n\nĐiều 33. Lưu trữ hồ sơ chứng thực\nHồ sơ chứng thực hợp đồng được lưu trữ 20 năm.\nTheo Điều 5 của Nghị định này, thẩm quyền thuộc Ủy ban nhân dân cấp xã.',
      ),
      refs,
    );
    expect(passagesOf(text).map((p) => p.heading)).toEqual(['Điều 32. Thời hạn thực hiện yêu cầu chứng thực', 'Điều 33. Lưu trữ hồ sơ chứng thực']);
    // A reference inside a sentence is not a heading.
    expect(text).toContain('\nTheo Điều 5 của Nghị định này');
  });

  it('leaves a text that already has "##" headings, or no article heading, as typed', () => {
    const marked = '## Điều 3. Dạng tật\nNội dung.\nĐiều 4. Không phải tiêu đề ở đây\nVăn bản.';
    expect(splitFrontMatter(buildArticleText(form(marked), refs))!.body.trim()).toBe(marked);
    const plain = 'Người dân nộp hồ sơ tại Trung tâm phục vụ hành chính công cấp xã.';
    expect(splitFrontMatter(buildArticleText(form(plain), refs))!.body.trim()).toBe(plain);
  });
});
