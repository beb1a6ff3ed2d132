import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContent } from '../../src/knowledge/content.js';
import { buildSearchIndex, defaultSearchOptions, toSearchDocs } from '../../src/knowledge/search.js';
import { calibrate, chatty, defaultCalibrationOptions, readNegatives, reword } from '../../src/knowledge/calibrate.js';
import { createKnowledge } from '../../src/knowledge/knowledge.js';
import { DEFAULT_MODEL } from '../../src/knowledge/decision.js';
import { evaluateContent, readCases } from '../../src/knowledge/eval.js';
import { rememberedCalibrate } from '../support/calibration-memo.js';

const content = loadContent('content');
const docs = toSearchDocs(content.qa, content.articles, content.topics);
const index = buildSearchIndex(docs, content.synonyms);
const negatives = readNegatives('content');
/**
 * The fit on the shipped content with the default options, computed once for the tests that
 * only read it (about 2 s of CPU a fit); the determinism test fits a second time itself.
 */
let fitted: ReturnType<typeof calibrate> | undefined;
const defaultFit = (): ReturnType<typeof calibrate> => (fitted ??= calibrate(index, docs, content.synonyms, defaultSearchOptions, negatives));

/**
 * The default options without the estimates: the thresholds, and the share of the negatives
 * refused, come from the negatives alone (the estimates' practice questions were ~80% of a fit).
 */
const noEstimates = { ...defaultCalibrationOptions, estimate: false };

/** A content dir with only the first `n` Q&A files of the sample (topics kept). */
function thinCopy(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'loa-thin-'));
  cpSync('content/topics.yaml', join(dir, 'topics.yaml'));
  mkdirSync(join(dir, 'qa'));
  const files = readdirSync('content/qa', { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.md'));
  for (const f of files.slice(0, n)) cpSync(join(f.parentPath, f.name), join(dir, 'qa', f.name));
  return dir;
}

describe('calibration of the answer decision', () => {
  it('ships at least 300 general out-of-scope questions, distinct and NFC', () => {
    expect(negatives.length).toBeGreaterThanOrEqual(300);
    expect(new Set(negatives).size).toBe(negatives.length);
    for (const q of negatives) expect(q.normalize('NFC')).toBe(q);
  });

  it('fits the same thresholds without the estimates (what a reload while serving does)', () => {
    const full = defaultFit();
    const quick = calibrate(index, docs, content.synonyms, defaultSearchOptions, negatives, noEstimates);
    expect(quick.threshold).toBe(full.threshold);
    expect(quick.longThreshold).toBe(full.longThreshold);
    expect(quick.suggestThreshold).toBe(full.suggestThreshold);
    expect(quick.info.estNoAnswerRecall).toBe(full.info.estNoAnswerRecall);
    expect(quick.info).toMatchObject({ source: 'fitted', estimated: false, positives: full.info.positives, negatives: full.info.negatives });
    expect(full.info.estimated).toBeUndefined();
  });

  it('fits a threshold to the content from practice questions and negatives, deterministically', () => {
    const a = defaultFit();
    const b = calibrate(index, docs, content.synonyms, defaultSearchOptions, negatives);
    expect(a.info.source).toBe('fitted');
    expect(a.info.positives).toBeGreaterThan(200);
    expect(a.info.negatives).toBeGreaterThanOrEqual(300);
    expect(a.threshold).toBeGreaterThan(0.05);
    expect(a.threshold).toBeLessThan(0.95);
    expect(a.info.estNoAnswerRecall).toBeGreaterThanOrEqual(0.9);
    expect({ ...a, info: undefined }).toEqual({ ...b, info: undefined });
  });

  it('fits long questions their own threshold on the long negatives, and only when there are enough', () => {
    const a = defaultFit();
    expect(a.longThreshold).toBeDefined();
    // A chatty question covers less of any entry: its threshold is the lower one.
    expect(a.longThreshold!).toBeLessThan(a.threshold);
    // The same rule on each side: at most the allowed share of each length's negatives answered.
    const short = negatives.filter((q) => q.split(/\s+/).length <= 8);
    const long = negatives.filter((q) => q.split(/\s+/).length >= 25);
    const answered = (qs: string[]) => qs.filter((q) => index.search(q).kind === 'answer').length / qs.length;
    index.setModel(a);
    try {
      expect(answered(short)).toBeLessThanOrEqual(0.12);
      expect(answered(long)).toBeLessThanOrEqual(0.12);
    } finally {
      index.setModel(DEFAULT_MODEL);
    }
    // Without the estimates: the long threshold comes from the negatives alone (tested above).
    const few = calibrate(index, docs, content.synonyms, defaultSearchOptions, [...short.slice(0, 200), ...long.slice(0, 10)], noEstimates);
    expect(few.longThreshold).toBeUndefined();
  });

  it('a stricter false-answer rate on the negatives gives a higher threshold', () => {
    // Without the estimates: the threshold and the share of negatives refused come from the
    // negatives alone (tested above).
    const strict = calibrate(index, docs, content.synonyms, defaultSearchOptions, negatives, {
      maxEntries: 50, maxHeldOutDocs: 200, maxFalseAnswerRate: 0.02, minPositives: 10, minNegatives: 50, depth: 10, minLongNegatives: 60, estimate: false,
    });
    const loose = calibrate(index, docs, content.synonyms, defaultSearchOptions, negatives, {
      maxEntries: 50, maxHeldOutDocs: 200, maxFalseAnswerRate: 0.2, minPositives: 10, minNegatives: 50, depth: 10, minLongNegatives: 60, estimate: false,
    });
    expect(strict.threshold).toBeGreaterThan(loose.threshold);
    expect(strict.info.estNoAnswerRecall).toBeGreaterThan(loose.info.estNoAnswerRecall);
  });

  it('leaves out a negative that the content answers word for word', () => {
    const base = defaultFit();
    const own = content.qa[0]!.question;
    // The threshold and the negatives kept are the same without the estimates (tested above).
    const withOwn = calibrate(index, docs, content.synonyms, defaultSearchOptions, [...negatives, own], noEstimates);
    expect(withOwn.info.negatives).toBe(base.info.negatives);
    expect(withOwn.threshold).toBe(base.threshold);
  });

  it('warns and keeps the default decision on content too thin to calibrate', () => {
    const dir = thinCopy(4);
    try {
      const k = createKnowledge({ contentDir: dir });
      expect(k.errors).toEqual([]);
      expect(k.decisionModel.info.source).toBe('default');
      expect(k.decisionModel.info.warnings.join(' ')).toMatch(/quá ít để hiệu chỉnh/);
      k.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the shipped negatives with any content, and adds the office’s own to them', () => {
    const dir = thinCopy(2);
    try {
      // An office that replaced the sample content has no out-of-scope folder: the shipped
      // negatives live beside the code, not in content/, and still calibrate its decision.
      expect(readNegatives(dir)).toEqual(negatives);
      expect(negatives.length).toBeGreaterThanOrEqual(300);
      mkdirSync(join(dir, 'out-of-scope'));
      writeFileSync(join(dir, 'out-of-scope', 'own.txt'), '# ours\nGiá lúa hôm nay bao nhiêu?\n\nGiá lúa hôm nay bao nhiêu?\n');
      expect(readNegatives(dir)).toEqual([...negatives, 'Giá lúa hôm nay bao nhiêu?']);
      // A line the shipped set already has is not counted twice.
      writeFileSync(join(dir, 'out-of-scope', 'dup.txt'), `${negatives[0]}\n`);
      expect(readNegatives(dir)).toHaveLength(negatives.length + 1);
      expect(readNegatives(dir, 'en').length).toBeGreaterThanOrEqual(300);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the default decision, and says why, with too few negatives to fit on', () => {
    const few = calibrate(index, docs, content.synonyms, defaultSearchOptions, negatives.slice(0, 10), noEstimates);
    expect(few.info.source).toBe('default');
    expect(few.threshold).toBe(DEFAULT_MODEL.threshold);
    expect(few.info.warnings.join(' ')).toMatch(/câu hỏi ngoài phạm vi để hiệu chỉnh \(cần ít nhất 50/);
    const none = calibrate(index, docs, content.synonyms, defaultSearchOptions, [], noEstimates);
    expect(none.info.source).toBe('default');
    expect(none.threshold).toBe(DEFAULT_MODEL.threshold);
  });

  it('keeps the fitted decision in the snapshot', () => {
    const data = mkdtempSync(join(tmpdir(), 'loa-snap-'));
    try {
      // The fit is calibrate's own, remembered per test process (calibration-memo.ts): the subject
      // is what the snapshot keeps of it.
      const first = createKnowledge({ contentDir: 'content', dataDir: data, calibrate: rememberedCalibrate });
      expect(first.state.fromSnapshot).toBe(false);
      const second = createKnowledge({ contentDir: 'content', dataDir: data });
      expect(second.state.fromSnapshot).toBe(true);
      expect(second.decisionModel).toEqual(first.decisionModel);
      first.close();
      second.close();
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('rewords questions the way citizens type them, reproducibly', () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const q = 'Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế miễn phí không?';
    const r = reword(q, rand);
    expect(r.split(' ').length).toBeGreaterThanOrEqual(3);
    expect(chatty(q, rand).split(' ').length).toBeGreaterThan(q.split(' ').length);
  });

  it('--strip-variants measures the content as an office writes it', () => {
    const cases = readCases('test/fixtures/eval-cases.jsonl').slice(0, 80);
    const full = evaluateContent('content', cases).report.overall;
    const bare = evaluateContent('content', cases, undefined, 0).report.overall;
    expect(bare['recall@1']).toBeLessThan(full['recall@1']);
  });
});
