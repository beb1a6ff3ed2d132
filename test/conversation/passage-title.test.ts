/**
 * An article passage's title (core-feature.ts passageReply): an office that names the article
 * after the law's article got the heading twice ("Luật BHXH 2024 – Điều 54: Thời gian hưởng… –
 * Điều 54. Thời gian hưởng…"), found by the content author trial.
 */
import { describe, expect, it } from 'vitest';
import { passageReply } from '../../src/conversation/core-feature.js';
import type { ArticleEntry, Passage } from '../../src/knowledge/content.js';

const titleOf = (articleTitle: string, heading: string): string | undefined => {
  const passage = { id: 'a#1', articleId: 'a', n: 1, heading, text: 'Nội dung của điều.' } as Passage;
  const article = { id: 'a', title: articleTitle, source: { title: 'Luật Bảo hiểm xã hội 2024' }, published: '2026-11-01', passages: [{ ...passage, id: 'a#0', n: 0, heading: '' }, passage] } as unknown as ArticleEntry;
  return passageReply(article, passage).title;
};

describe('an article passage reply’s title', () => {
  it('does not repeat a heading the article’s title already has', () => {
    expect(titleOf('Luật BHXH 2024 – Điều 54: Thời gian hưởng chế độ khi nhận nuôi con nuôi', 'Điều 54. Thời gian hưởng chế độ khi nhận nuôi con nuôi')).toBe(
      'Luật BHXH 2024 – Điều 54: Thời gian hưởng chế độ khi nhận nuôi con nuôi',
    );
    expect(titleOf('Quyền trẻ em: được bảo vệ', 'Được bảo vệ')).toBe('Quyền trẻ em: được bảo vệ');
  });

  it('keeps a heading that adds to the title, including another article number', () => {
    expect(titleOf('Luật Bảo hiểm xã hội 2024 (trích)', 'Điều 54. Thời gian hưởng chế độ')).toBe('Luật Bảo hiểm xã hội 2024 (trích) – Điều 54. Thời gian hưởng chế độ');
    expect(titleOf('Luật BHXH 2024 – Điều 5', 'Điều 54. Khác')).toBe('Luật BHXH 2024 – Điều 5 – Điều 54. Khác');
  });
});
