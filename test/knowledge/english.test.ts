import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, readCases } from '../../src/knowledge/eval.js';
import { createKnowledge, type Knowledge } from '../../src/knowledge/knowledge.js';
import { loadContent } from '../../src/knowledge/content.js';
import { shippedKnowledge } from '../support/app.js';
import { seededDataDir } from '../support/shipped-copy.js';

/**
 * English answers (issue 18, item 2): the floor on the English cases (written before the English
 * sample entries, docs/search.md), and the rule that a question is answered in its own language.
 * The floor is what was measured when it was written, a little under; the targets (recall@1
 * ≥ 0.90, no-answer precision ≥ 0.92) are the Vietnamese ones: 0.955 and 0.939 with the
 * 299-group English lexicon.
 */
const EN_FLOOR = { 'recall@1': 0.94, 'recall@3': 0.99, noanswer_precision: 0.92, noanswer_recall: 0.85 };
/** The hold-out cases, written before the English wording lexicon (docs/search.md). */
const HOLDOUT_FLOOR = { 'recall@1': 0.65, noanswer_recall: 0.85 };

describe('English answers on the shipped content', () => {
  // From the run's snapshot of content/ (what a fresh build gives: test/knowledge/postings.test.ts).
  const knowledge = shippedKnowledge({ now: () => new Date('2026-12-06T00:00:00Z') });
  const en = readCases('test/fixtures/eval-cases-en.jsonl');

  it('ships 100+ English cases of every kind, read as English', () => {
    expect(en.length).toBeGreaterThanOrEqual(100);
    expect(new Set(en.map((c) => c.kind))).toEqual(new Set(['paraphrase', 'short', 'long', 'typo', 'out-of-scope']));
    expect(en.every((c) => c.lang === 'en')).toBe(true);
    expect(knowledge.state.qa.filter((q) => q.lang === 'en').length).toBeGreaterThanOrEqual(20);
    expect(knowledge.errors).toEqual([]);
  });

  it('stays at or above the English floor', () => {
    const m = evaluate((q, lang) => knowledge.answer(q, lang), en).overall;
    expect(m['recall@1']).toBeGreaterThanOrEqual(EN_FLOOR['recall@1']);
    expect(m['recall@3']).toBeGreaterThanOrEqual(EN_FLOOR['recall@3']);
    expect(m.noanswer_precision).toBeGreaterThanOrEqual(EN_FLOOR.noanswer_precision);
    expect(m.noanswer_recall).toBeGreaterThanOrEqual(EN_FLOOR.noanswer_recall);
  });

  it('holds on the hold-out cases, written before the English wording lexicon', () => {
    const m = evaluate((q, lang) => knowledge.answer(q, lang), readCases('test/fixtures/eval-cases-holdout-en.jsonl')).overall;
    expect(m['recall@1']).toBeGreaterThanOrEqual(HOLDOUT_FLOOR['recall@1']);
    expect(m.noanswer_recall).toBeGreaterThanOrEqual(HOLDOUT_FLOOR.noanswer_recall);
  });

  it('never answers a Vietnamese question with an English entry, nor an English one with a Vietnamese entry unmarked', () => {
    for (const c of readCases('test/fixtures/eval-cases.jsonl')) {
      const a = knowledge.answer(c.query);
      if (a.kind === 'answer') expect(knowledge.getQa(a.id)?.lang ?? 'vi').toBe('vi');
    }
    for (const c of en) {
      const a = knowledge.answer(c.query, 'en');
      if (a.kind !== 'answer') continue;
      const lang = knowledge.getQa(a.id.split('#')[0]!)?.lang ?? knowledge.getArticle(a.id.split('#')[0]!)?.lang;
      expect(lang === 'en' || a.fallback === true).toBe(true);
      expect(a.lang).toBe(lang);
    }
  });

  it('has a decision calibrated on the English content and negatives', () => {
    const m = knowledge.decisionModelEn!;
    expect(m.info.source).toBe('fitted');
    expect(m.info.negatives).toBeGreaterThanOrEqual(100);
  });
});

describe('English on the search thread', () => {
  it('gives the same English answers on the search thread as on this one', async () => {
    // Started from the run's snapshot of content/ (a restart): the subject is the thread.
    const data = seededDataDir();
    const k = createKnowledge({ contentDir: 'content', dataDir: data.dir, searchThreads: 1 });
    try {
      await k.searchThreadStarted();
      for (const c of readCases('test/fixtures/eval-cases-en.jsonl').slice(0, 40)) {
        const here = k.answer(c.query, 'en');
        const there = await k.answerAsync(c.query, 'en');
        expect(there.kind === 'answer' ? there.id : null).toBe(here.kind === 'answer' ? here.id : null);
      }
      expect(k.searchCounts.onThread).toBeGreaterThan(0);
    } finally {
      k.close();
      data.cleanup();
    }
  });
});

describe('translations and the Vietnamese fallback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loa-en-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const qa = (id: string, front: string, body: string) =>
    writeFileSync(join(dir, 'qa', `${id}.md`), `---\nid: ${id}\n${front}\ntopics: [chung]\nsources: [{title: Nguồn mẫu}]\nstatus: approved\nreviewed_by: A\nreviewed_at: 2026-12-01\n---\n${body}\n`);
  mkdirSync(join(dir, 'qa'), { recursive: true });
  writeFileSync(join(dir, 'topics.yaml'), '- slug: chung\n  name: Chung\n  name_en: General\n');
  qa('zalo-telegram', 'question: Zalo Official Account và Telegram bot khác nhau thế nào?', 'Zalo Official Account cần giấy tờ của tổ chức; Telegram bot thì ai cũng tạo được.');
  qa('khai-sinh', 'question: Đăng ký khai sinh cho con ở đâu?', 'Tại Ủy ban nhân dân xã nơi cư trú.');
  qa('birth-en', 'question: Where do I register a child’s birth?\nlang: en\ntranslation_of: khai-sinh', 'At the People’s Committee of the commune where you live.');
  qa('bad-en', 'question: A translation of nothing\nlang: en\ntranslation_of: khong-co', 'Text.');
  qa('bad-vi', 'question: Câu hỏi\ntranslation_of: khai-sinh', 'Nội dung.');
  /**
   * The knowledge base of this content, built once (it writes its snapshot in dir/data) for the
   * tests that ask it; the snapshot test compares a second start with it.
   */
  let built: Knowledge | undefined;
  const knowledgeOfDir = (): Knowledge => (built ??= createKnowledge({ contentDir: dir, dataDir: join(dir, 'data') }));

  it('checks that a translation names a Vietnamese entry, and only an English entry translates', () => {
    const c = loadContent(dir);
    expect(c.errors.map((e) => `${e.file}:${e.field}`).sort()).toEqual(['qa/bad-en.md:translation_of', 'qa/bad-vi.md:translation_of']);
    expect(c.qa.find((q) => q.id === 'birth-en')).toMatchObject({ lang: 'en', translationOf: 'khai-sinh' });
  });

  it('answers an English question from the English entry, a Vietnamese one never from it', () => {
    const k = knowledgeOfDir();
    expect(k.answer('where do I register the birth of my child', 'en')).toMatchObject({ kind: 'answer', id: 'birth-en', lang: 'en' });
    const vi = k.answer('Where do I register a child’s birth?');
    expect(vi.kind === 'answer' ? vi.id : null).not.toBe('birth-en');
    expect(k.translationOf('khai-sinh')).toBe('birth-en');
    expect(k.qaByTopic('chung', 'en').map((q) => q.id)).toEqual(['birth-en']);
    expect(k.qaByTopic('chung').map((q) => q.id).sort()).toEqual(['khai-sinh', 'zalo-telegram']);
  });

  it('keeps the English index in the snapshot, typo correction included', () => {
    const first = knowledgeOfDir();
    const again = createKnowledge({ contentDir: dir, dataDir: join(dir, 'data') });
    expect(again.state.fromSnapshot).toBe(true);
    for (const q of ['where do I register the birth of my child', 'where do I registr the brith of my child'])
      expect(again.decide(q, 'en')).toEqual(first.decide(q, 'en'));
    expect(again.answer('where do I registr the birth of my chlid', 'en')).toMatchObject({ kind: 'answer', id: 'birth-en' });
    expect(again.decisionModelEn).toEqual(first.decisionModelEn);
  });

  it('gives an English question with no English answer the confident Vietnamese match, marked', () => {
    const k = knowledgeOfDir();
    const a = k.answer('Zalo Official Account vs Telegram bot', 'en');
    expect(a).toMatchObject({ kind: 'answer', id: 'zalo-telegram', lang: 'vi', fallback: true });
    expect(k.answer('What is the weather tomorrow?', 'en')).toMatchObject({ kind: 'none', lang: 'en' });
  });
});
