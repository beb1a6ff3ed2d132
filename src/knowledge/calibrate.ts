/**
 * Index-time calibration: fits the answer decision (./decision.ts) to the content being served.
 *
 * An office writes one question per entry, rarely a second wording, and sometimes pastes whole
 * legal articles with no question at all. A threshold tuned on other content either refuses its
 * right answers or answers what it does not cover. So at index time Loa makes its own practice
 * questions from the content and fits the decision to them:
 * - **held-out questions**: each sampled entry's question and variants (a passage's heading)
 *   are removed from a second, small index, and then asked: the entry must be found from its
 *   answer body and the rest of the content, as a citizen's own wording would have to be;
 * - **reworded questions**: the question with words dropped, chat filler added and sometimes the
 *   diacritics taken off, asked of the real index;
 * - **negatives**: general questions a communication office does not answer
 *   (negatives/general.vi.txt, ≥ 300 shipped, and the office's own in <content>/out-of-scope/), asked of the real index; those the content
 *   turns out to cover are left out.
 * The threshold is the lowest that keeps the negatives answered at most `maxFalseAnswerRate`;
 * the practice questions estimate what it costs in right answers, and warn when the content is
 * too thin or its entries too alike.
 *
 * Deterministic: samples and rewordings come from a PRNG seeded by entry ids.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { decodeTextFile } from '../text/encoding.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fold } from '../text/vietnamese.js';
import { isLong, predict, rankOf, DEFAULT_MODEL, FEATURE_NAMES, type DecisionModel } from './decision.js';
import { buildSearchIndex, type SearchDoc, type SearchIndex, type SearchOptions } from './search.js';
import { hash32, seeded } from '../text/random.js';
import type { Lang } from '../text/language.js';

/**
 * Knobs of the calibration (not of the content: these hold for any office). The false-answer
 * rate on the general negatives is the one constant chosen on the project's own cases: 0.09
 * gives the shipped content the threshold tuned by hand before (0.38); on other content the
 * threshold moves with what its own negatives score.
 */
export interface CalibrationOptions {
  /** At most this many entries get practice questions (a deterministic sample). */
  maxEntries: number;
  /** The held-out index holds at most this many documents (the sampled ones first). */
  maxHeldOutDocs: number;
  /**
   * ... and at most this many words of text beyond the sampled entries' own: with long
   * passages (law articles of 300–600 syllables) 1,500 documents made the held-out index cost
   * nearly a second index build. It serves only the estimates, not the threshold.
   */
  maxHeldOutWords?: number;
  /** Share of the general negatives the fitted decision may still answer. */
  maxFalseAnswerRate: number;
  /** Fewer practice questions than this: the content is too thin; the default decision stays. */
  minPositives: number;
  /**
   * Fewer negatives than this (after those the content answers are left out): nothing to fit a
   * threshold on (9% of a handful is no one); the default decision stays.
   */
  minNegatives: number;
  /** Candidates per practice question. */
  depth: number;
  /** Long questions get their own threshold when at least this many negatives are long. */
  minLongNegatives: number;
  /**
   * Ask the practice questions too, for the estimates and the warnings (default). The
   * threshold comes from the negatives alone, so a reload while serving skips them: that is
   * about half the work, and a second index build less.
   */
  estimate?: boolean;
}

export const defaultCalibrationOptions: CalibrationOptions = {
  maxEntries: 300,
  maxHeldOutDocs: 1500,
  maxHeldOutWords: 150_000,
  maxFalseAnswerRate: 0.09,
  minPositives: 40,
  minNegatives: 50,
  depth: 10,
  minLongNegatives: 60,
};



const PREFIXES = ['cho em hỏi', 'xin hỏi', 'chào anh chị, cho tôi hỏi là', 'mình muốn hỏi', 'ad ơi cho hỏi', 'dạ cho tôi hỏi'];
const SUFFIXES = ['ạ', 'với ạ', 'vậy ạ', 'không ạ', 'thế nào ạ', 'ạ, em cảm ơn'];

/** A citizen's rewording of a question: words dropped, filler added, diacritics sometimes gone. */
export function reword(text: string, rand: () => number, lang: Lang = 'vi'): string {
  const words = text.replace(/[?!.,;:“”"()]/gu, ' ').split(/\s+/u).filter(Boolean);
  let kept = words.filter(() => rand() >= 0.25);
  if (kept.length < Math.min(3, words.length)) kept = words.slice(0, Math.max(3, Math.ceil(words.length / 2)));
  let out = kept.join(' ');
  const prefixes = lang === 'en' ? EN_PREFIXES : PREFIXES;
  const suffixes = lang === 'en' ? EN_SUFFIXES : SUFFIXES;
  if (rand() < 0.35) out = `${prefixes[Math.floor(rand() * prefixes.length)]} ${out}`;
  if (rand() < 0.35) out = `${out} ${suffixes[Math.floor(rand() * suffixes.length)]}`;
  if (lang === 'vi' && rand() < 0.3) out = fold(out);
  return out;
}

const EN_PREFIXES = ['hi, can you tell me', 'hello, I would like to know', 'quick question:', 'excuse me,', 'could you please tell me'];
const EN_SUFFIXES = ['please', 'thanks', 'thank you', 'thanks in advance', '?'];
const EN_CONTEXTS = [
  'Hello, I work for a small international organisation and we are planning some activities in the province next year, so I would like to ask',
  'Hi there, a friend of mine told me something different and I am a bit confused, could you tell me',
  'Good morning, I am new to Viet Nam and my colleagues could not answer this, so',
  'Dear sir or madam, on behalf of our company I would like to ask',
];
const EN_CLOSINGS = ['thank you very much', 'is that right?', 'any guidance is appreciated', 'thanks a lot for your help'];

const CONTEXTS = [
  'Thưa anh chị, em ở quê, hôm trước mọi người trong thôn nói chuyện với nhau mà em nghe không rõ lắm, nên em muốn hỏi',
  'Chào ban biên tập, nhà tôi có việc gia đình cần lo mà tôi chưa biết bắt đầu từ đâu, cho tôi hỏi',
  'Dạ em chào ạ, em đọc trên mạng thấy mỗi người nói một kiểu, em hơi lo nên muốn hỏi cho chắc',
  'Cho mình hỏi chút, mẹ mình lớn tuổi rồi nhờ mình hỏi giúp',
];
const CLOSINGS = ['ạ, em cảm ơn nhiều', 'vậy có đúng không ạ', 'mong được hướng dẫn ạ', 'với ạ, cảm ơn anh chị'];

/** A long, chatty wording: the question inside the context a citizen adds around it. */
export function chatty(text: string, rand: () => number, lang: Lang = 'vi'): string {
  if (lang === 'en') {
    const q = reword(text, rand, 'en');
    return `${EN_CONTEXTS[Math.floor(rand() * EN_CONTEXTS.length)]} ${q} ${EN_CLOSINGS[Math.floor(rand() * EN_CLOSINGS.length)]}`;
  }
  const q = reword(text, rand).replace(/\s+(ạ|với ạ|vậy ạ|không ạ|thế nào ạ|ạ, em cảm ơn)$/u, '');
  const out = `${CONTEXTS[Math.floor(rand() * CONTEXTS.length)]} ${q} ${CLOSINGS[Math.floor(rand() * CLOSINGS.length)]}`;
  return rand() < 0.25 ? fold(out) : out;
}

/**
 * The shipped general negatives, beside this module (`negatives/general.<lang>.txt`), not in the
 * content folder: an office that replaces the sample content (deleting `content/`) keeps them.
 * When they lived in `content/out-of-scope/`, such an office calibrated on no negatives at all
 * and its threshold fell to the floor (0.05): every question got an answer.
 */
const SHIPPED_NEGATIVES = join(dirname(fileURLToPath(import.meta.url)), 'negatives');

/** The questions of a negatives file: one a line, `#` comments and blank lines left out, NFC. */
const negativeLines = (file: string): string[] => {
  // An office's file saved as UTF-16 (Notepad's "Unicode") is read; one in neither UTF-8 nor
  // UTF-16 is left out rather than calibrated on garbled questions.
  const decoded = decodeTextFile(readFileSync(file));
  return (decoded.ok ? decoded.text : '')
    .split('\n')
    .map((l) => l.trim().normalize('NFC'))
    .filter((l) => l && !l.startsWith('#'));
};

/**
 * Reads the negatives: the shipped general ones, then the office's own, every `*.txt` in
 * `<contentDir>/out-of-scope/` (questions near its topics that it does not answer), without
 * duplicates. English ones (for the English index) are `general.en.txt` and the office's
 * `out-of-scope/en/*.txt`.
 */
export function readNegatives(contentDir: string, lang: Lang = 'vi'): string[] {
  const ownDir = join(contentDir, 'out-of-scope', lang === 'en' ? 'en' : '');
  const own = existsSync(ownDir)
    ? readdirSync(ownDir)
        .filter((f) => f.endsWith('.txt'))
        .sort()
        .flatMap((f) => negativeLines(join(ownDir, f)))
    : [];
  return [...new Set([...negativeLines(join(SHIPPED_NEGATIVES, `general.${lang}.txt`)), ...own])];
}

interface Practice {
  query: string;
  /** The entry (Q&A id or passage id) that answers it, or null for a negative. */
  expect: string | null;
  index: SearchIndex;
}

/** Words of a text, roughly (a Vietnamese syllable is a word here): the held-out index's budget. */
const wordCount = (text: string): number => {
  let n = 0;
  for (const m of text.matchAll(/\S+/gu)) if (m) n++;
  return n;
};

const QCOV = FEATURE_NAMES.indexOf('qcov');
const DCOV = FEATURE_NAMES.indexOf('dcov');
const QSIDE = FEATURE_NAMES.indexOf('qside');
const PASSAGE = FEATURE_NAMES.indexOf('passage');

/** Fits the decision to the content of `index`. Returns the default when the content is too thin. */
export function calibrate(
  index: SearchIndex,
  docs: SearchDoc[],
  synonyms: readonly (readonly string[])[],
  searchOptions: SearchOptions,
  negatives: string[],
  opts: CalibrationOptions = defaultCalibrationOptions,
  lang: Lang = 'vi',
): DecisionModel {
  const started = performance.now();
  const warnings: string[] = [];
  const order = [...docs].sort((a, b) => hash32(a.id) - hash32(b.id) || (a.id < b.id ? -1 : 1));
  const sampled = order.slice(0, opts.maxEntries);
  const sampledIds = new Set(sampled.map((d) => d.id));

  const estimate = opts.estimate !== false;
  // The held-out index: the sampled entries without their question texts, and the others.
  const others: SearchDoc[] = [];
  let words = 0;
  for (const d of order) {
    if (sampled.length + others.length >= opts.maxHeldOutDocs || words >= (opts.maxHeldOutWords ?? 150_000)) break;
    if (sampledIds.has(d.id)) continue;
    others.push(d);
    words += wordCount(d.body) + wordCount(d.question) + wordCount(d.variants);
  }
  const heldOutDocs = [...sampled.map((d) => ({ ...d, question: '', variants: '', title: d.kind === 'passage' ? '' : d.title })), ...others];
  const heldOut = estimate ? buildSearchIndex(heldOutDocs, synonyms, searchOptions, lang) : index;

  const made: Practice[] = [];
  for (const d of sampled) {
    const rand = seeded(hash32(d.id));
    const texts = d.kind === 'qa' ? [d.question, ...d.variants.split('\n').filter(Boolean)].slice(0, 3) : [headingOf(d.title)];
    for (const t of texts) if (t.trim()) made.push({ query: t, expect: d.id, index: heldOut });
    const own = d.kind === 'qa' ? d.question : headingOf(d.title);
    if (own.trim()) {
      made.push({ query: reword(own, rand, lang), expect: d.id, index });
      made.push({ query: chatty(own, rand, lang), expect: d.id, index: heldOut });
    }
  }
  const positives = made.length;
  // Without estimates the practice questions are only counted (the thin-content check).
  const practice: Practice[] = estimate ? made : [];
  for (const q of negatives) practice.push({ query: q, expect: null, index });
  // The English negatives are short questions: each is also asked in a chatty wording, as the
  // positives are, so that long questions get a threshold of their own (`minLongNegatives`).
  if (lang === 'en') for (const q of negatives) practice.push({ query: chatty(q, seeded(hash32(q)), 'en'), expect: null, index });

  // Each practice question's candidates, once; the fit below only recombines their features.
  const asked: { expect: string | null; cands: { id: string; f: Float64Array }[] }[] = [];
  let negKept = 0;
  for (const p of practice) {
    const { list } = p.index.candidates(p.query, undefined, opts.depth);
    if (p.expect === null) {
      // A negative the content answers outright is not a negative for this office: it asks an
      // entry's question nearly word for word, or most of its information is in one entry and
      // most of that in the entry's question texts (an office's single question is often longer
      // than a general one: "đăng ký kết hôn cần giấy tờ gì" against "Thủ tục đăng ký kết hôn
      // gồm những giấy tờ gì, nộp ở đâu?"; "mức phạt nồng độ cồn xe máy" against an entry on
      // that fine). The shipped negatives list whole administrative topics an office may write
      // about; left in, they push its threshold up and its right answers are refused.
      // A long one is judged by what it asks, as the confidence judges it: it asks most of one
      // Q&A's question (a passage's heading is a short label: asking most of one says little).
      if (
        list.some(
          (c) =>
            (c.f[QCOV]! >= 0.85 && c.f[DCOV]! >= 0.8) ||
            (c.f[QCOV]! >= 0.7 && c.f[QSIDE]! >= 0.6) ||
            (isLong(c.f) && c.f[PASSAGE] === 0 && c.f[DCOV]! >= 0.65 && c.f[QCOV]! >= 0.25),
        )
      )
        continue;
      negKept++;
    }
    asked.push({ expect: p.expect, cands: list });
  }
  if (positives < opts.minPositives) {
    warnings.push(
      `Nội dung quá ít để hiệu chỉnh (${positives} câu hỏi luyện tập, cần ít nhất ${opts.minPositives}): dùng ngưỡng mặc định. Hãy thêm mục hỏi đáp hoặc cách hỏi khác.`,
    );
    return { ...DEFAULT_MODEL, info: { ...DEFAULT_MODEL.info, positives, negatives: negKept, warnings, ms: performance.now() - started } };
  }
  if (negKept < opts.minNegatives) {
    warnings.push(
      `Chỉ có ${negKept} câu hỏi ngoài phạm vi để hiệu chỉnh (cần ít nhất ${opts.minNegatives}, nên có 300): dùng ngưỡng mặc định. Hãy kiểm tra tệp câu hỏi ngoài phạm vi đi kèm Loa (src/knowledge/negatives/) còn nguyên, hoặc thêm câu hỏi vào <nội dung>/out-of-scope/*.txt.`,
    );
    return { ...DEFAULT_MODEL, info: { ...DEFAULT_MODEL.info, positives, negatives: negKept, warnings, ms: performance.now() - started } };
  }
  if (negKept < 100) warnings.push(`Chỉ có ${negKept} câu hỏi ngoài phạm vi để hiệu chỉnh (nên có ít nhất 300).`);

  /** The decision on every practice question under one model: its best candidate and confidence. */
  const decide = (m: DecisionModel) =>
    asked.map((a) => {
      let best: { id: string; rank: number; conf: number } | undefined;
      for (const c of a.cands) {
        const rank = rankOf(m, c.f, searchOptions.passageWeight);
        if (!best || rank > best.rank) best = { id: c.id, rank, conf: predict(m, c.f) };
      }
      return { expect: a.expect, best, long: a.cands[0] ? isLong(a.cands[0].f) : false };
    });
  type Decided = ReturnType<typeof decide>[number];
  /** The lowest threshold that keeps these negatives answered at most maxFalseAnswerRate. */
  const thresholdOf = (negatives: Decided[]): number => {
    const conf = negatives.map((x) => x.best?.conf ?? 0).sort((a, b) => b - a);
    return Math.max(0.05, (conf[Math.floor(conf.length * opts.maxFalseAnswerRate)] ?? 0) + 1e-6);
  };
  /**
   * The thresholds (short questions; long ones on their own when there are enough long
   * negatives to fit on) and what they give on the practice questions.
   */
  const fit = (m: DecisionModel) => {
    const d = decide(m);
    const neg = d.filter((x) => x.expect === null);
    const threshold = thresholdOf(neg.filter((x) => !x.long));
    const longNeg = neg.filter((x) => x.long);
    const longThreshold = longNeg.length >= opts.minLongNegatives ? thresholdOf(longNeg) : undefined;
    const at = (x: Decided): number => (x.long && longThreshold !== undefined ? longThreshold : threshold);
    const pos = d.filter((x) => x.expect !== null);
    const right = pos.filter((x) => x.best && x.best.conf >= at(x) && x.best.id === x.expect).length;
    const wrong = pos.filter((x) => x.best && x.best.conf >= at(x) && x.best.id !== x.expect).length;
    const falseAnswers = neg.filter((x) => (x.best?.conf ?? 0) >= at(x)).length;
    return { threshold, longThreshold, right, wrong, falseAnswers, pos: pos.length, neg: neg.length };
  };

  // Only the thresholds are fitted. A grid over the formula's weights was tried: it chose weights
  // for the held-out practice questions (harder than citizens' wording: they must be found from
  // the answer body alone) and lost accuracy on real questions (docs/search.md).
  const m: DecisionModel = { ...DEFAULT_MODEL };
  const r = fit(m);
  const model: DecisionModel = {
    ...m,
    threshold: r.threshold,
    ...(r.longThreshold !== undefined ? { longThreshold: r.longThreshold } : {}),
    suggestThreshold: Math.min(DEFAULT_MODEL.suggestThreshold, Math.min(r.threshold, r.longThreshold ?? 1) * 0.55),
  };
  const estRecall = r.pos ? r.right / r.pos : 0;
  const answered = r.right + r.wrong + r.falseAnswers;
  model.info = {
    source: 'fitted',
    positives: r.pos,
    negatives: r.neg,
    estRecall,
    estPrecision: answered ? r.right / answered : 1,
    estNoAnswerRecall: r.neg ? 1 - r.falseAnswers / r.neg : 1,
    warnings,
    ms: performance.now() - started,
    ...(estimate ? {} : { positives, estimated: false }),
  };
  if (estimate && estRecall < 0.2)
    warnings.push(
      `Chỉ ${Math.round(estRecall * 100)}% câu hỏi luyện tập được trả lời đúng: nhiều mục giống nhau hoặc quá ngắn. Hãy viết câu hỏi rõ hơn hoặc thêm một cách hỏi khác cho các mục hay bị nhầm.`,
    );
  return model;
}

const sameEntry = (got: string, expect: string): boolean => got === expect;

/** A passage title is "Article title. Heading": its heading asks most like a question. */
function headingOf(title: string): string {
  const at = title.indexOf('. ');
  return at >= 0 && at < title.length - 2 ? title.slice(at + 2) : title;
}

