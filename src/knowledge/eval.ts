/**
 * Answer-quality evaluation: runs cases through the same `answer()` the bot uses.
 *
 * A case is `{"query", "expect": "<id>" | null, "kind"}` (JSON Lines, or one JSON array).
 * - recall@1: share of answerable cases the bot answers with the expected entry;
 * - recall@3: share where the expected entry is among what the person sees: the answer and
 *   its related buttons, or the no-answer suggestions (3 at most in all);
 * - mrr: mean reciprocal rank of the expected entry in that list;
 * - noanswer_precision / noanswer_recall: of the no-answers given, the share that were right;
 *   of the out-of-scope cases, the share that got the no-answer.
 * An expected article id also matches any of its passages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createKnowledge, type Answer, type Knowledge } from './knowledge.js';
import { formatContentErrors } from './content.js';
import type { SearchOptions } from './search.js';

export const evalCaseSchema = z.object({
  query: z.string().min(1),
  expect: z.string().min(1).nullable(),
  kind: z.string().min(1).default('paraphrase'),
  /** The question's language: English cases are answered as the bot answers an English question. */
  lang: z.enum(['vi', 'en']).optional(),
});
export type EvalCase = z.infer<typeof evalCaseSchema>;

/** The five headline figures. */
export interface EvalMetrics {
  'recall@1': number;
  'recall@3': number;
  mrr: number;
  noanswer_precision: number;
  noanswer_recall: number;
}

/** Metrics overall and per kind, with the cases that went wrong. */
export interface EvalReport {
  overall: EvalMetrics & { n: number };
  byKind: Record<string, EvalMetrics & { n: number }>;
  failures: { query: string; kind: string; expect: string | null; got: string | null; confidence: number }[];
}

/**
 * Reads cases from a JSON Lines file or a JSON array file; errors name the line. The cases of a
 * file named `*-en.jsonl` are English unless they say otherwise.
 */
export function readCases(file: string): EvalCase[] {
  const fileLang = /-en\.jsonl?$/.test(file) ? 'en' : undefined;
  const text = readFileSync(file, 'utf8').trim();
  const raw: unknown[] = text.startsWith('[')
    ? (JSON.parse(text) as unknown[])
    : text
        .split('\n')
        .map((l, i) => ({ l: l.trim(), i }))
        .filter(({ l }) => l && !l.startsWith('//'))
        .map(({ l, i }) => {
          try {
            return JSON.parse(l) as unknown;
          } catch {
            throw new Error(`eval: ${file}:${i + 1}: not valid JSON`);
          }
        });
  return raw.map((r, i) => {
    const p = evalCaseSchema.safeParse(r);
    if (!p.success) throw new Error(`eval: ${file}: case ${i + 1}: ${p.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    return fileLang && !p.data.lang ? { ...p.data, lang: fileLang } : p.data;
  });
}

const matches = (got: string, expect: string): boolean => got === expect || got.split('#')[0] === expect;

/** What the person is shown, in order: the answer then its alternatives, or the suggestions. */
export function shownIds(a: Answer): string[] {
  return a.kind === 'answer' ? [a.id, ...a.alternatives.map((s) => s.id)] : a.suggestions.map((s) => s.id);
}

function metrics(rows: { c: EvalCase; a: Answer }[]): EvalMetrics & { n: number } {
  const answerable = rows.filter((r) => r.c.expect !== null);
  const oos = rows.filter((r) => r.c.expect === null);
  let r1 = 0;
  let r3 = 0;
  let rr = 0;
  for (const { c, a } of answerable) {
    if (a.kind === 'answer' && matches(a.id, c.expect!)) r1++;
    const shown = shownIds(a).slice(0, 3);
    const at = shown.findIndex((id) => matches(id, c.expect!));
    if (at >= 0) {
      r3++;
      rr += 1 / (at + 1);
    }
  }
  const noAnswers = rows.filter((r) => r.a.kind === 'none');
  const rightNo = noAnswers.filter((r) => r.c.expect === null).length;
  const div = (a: number, b: number): number => (b === 0 ? 1 : a / b);
  return {
    n: rows.length,
    'recall@1': div(r1, answerable.length),
    'recall@3': div(r3, answerable.length),
    mrr: div(rr, answerable.length),
    noanswer_precision: div(rightNo, noAnswers.length),
    noanswer_recall: div(oos.filter((r) => r.a.kind === 'none').length, oos.length),
  };
}

/** Runs every case through `answer` (in the case's language) and computes the report. */
export function evaluate(answer: (q: string, lang?: 'vi' | 'en') => Answer, cases: EvalCase[]): EvalReport {
  const rows = cases.map((c) => ({ c, a: answer(c.query, c.lang) }));
  const kinds = [...new Set(cases.map((c) => c.kind))].sort();
  const byKind: EvalReport['byKind'] = {};
  for (const k of kinds) byKind[k] = metrics(rows.filter((r) => r.c.kind === k));
  const failures = rows
    .filter(({ c, a }) => (c.expect === null ? a.kind === 'answer' : !(a.kind === 'answer' && matches(a.id, c.expect))))
    .map(({ c, a }) => ({ query: c.query, kind: c.kind, expect: c.expect, got: a.kind === 'answer' ? a.id : null, confidence: a.confidence }));
  return { overall: metrics(rows), byKind, failures };
}

/**
 * Builds a knowledge base for a content dir (no snapshot) and evaluates the cases on it. The
 * decision is fitted without the calibration's estimates: they change no answer (the thresholds
 * come from the negatives alone, calibrate.ts), and were about half the build.
 */
export function evaluateContent(
  contentDir: string,
  cases: EvalCase[],
  options?: SearchOptions,
  maxVariants?: number,
  english: boolean = cases.some((c) => c.lang === 'en'),
): { report: EvalReport; knowledge: Knowledge } {
  const knowledge = createKnowledge({ contentDir, options, english, calibrationEstimates: false, ...(maxVariants !== undefined ? { maxVariants } : {}) });
  return { report: evaluate((q, lang) => knowledge.answer(q, lang), cases), knowledge };
}

const f3 = (x: number): string => x.toFixed(3);

/** The exact last line of `loa eval`. */
export function summaryLine(m: EvalMetrics): string {
  return `recall@1=${f3(m['recall@1'])} recall@3=${f3(m['recall@3'])} mrr=${f3(m.mrr)} noanswer_precision=${f3(m.noanswer_precision)} noanswer_recall=${f3(m.noanswer_recall)}`;
}

/** `loa eval --content DIR --cases FILE [--json] [--failures]` */
export async function runEvalCli(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      content: { type: 'string', default: 'content' },
      cases: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      failures: { type: 'boolean', default: false },
      'strip-variants': { type: 'string' },
    },
  });
  const strip = values['strip-variants'];
  if (strip !== undefined && !/^\d+$/.test(strip)) {
    console.error('eval: --strip-variants cần một số nguyên ≥ 0 (số biến thể giữ lại cho mỗi mục)');
    return 2;
  }
  const files = values.cases?.length ? values.cases : ['test/fixtures/eval-cases.jsonl'];
  // Without --cases, the English cases are reported too, on their own (the last line stays the
  // Vietnamese summary); with --cases, a file named *-en.jsonl is English.
  const englishFiles = values.cases?.length ? [] : ['test/fixtures/eval-cases-en.jsonl'].filter((f) => existsSync(f));
  const cases = files.flatMap(readCases);
  const withEnglish = englishFiles.length > 0 || cases.some((c) => c.lang === 'en');
  const { report, knowledge } = evaluateContent(values.content!, cases, undefined, strip === undefined ? undefined : Number(strip), withEnglish);
  const english = englishFiles.length ? evaluate((q, lang) => knowledge.answer(q, lang), englishFiles.flatMap(readCases)) : undefined;
  if (knowledge.errors.length) console.error(formatContentErrors(knowledge.errors));
  const m = report.overall;
  const pick = (x: EvalMetrics): EvalMetrics => ({
    'recall@1': Number(f3(x['recall@1'])),
    'recall@3': Number(f3(x['recall@3'])),
    mrr: Number(f3(x.mrr)),
    noanswer_precision: Number(f3(x.noanswer_precision)),
    noanswer_recall: Number(f3(x.noanswer_recall)),
  });
  if (values.json) {
    console.log(JSON.stringify(english ? { ...pick(m), en: pick(english.overall) } : pick(m)));
    return 0;
  }
  console.log(`cases: ${m.n} (${files.join(', ')}) · content: ${values.content}${strip !== undefined ? ` · variants kept: ${strip}` : ''}`);
  console.log(`${'kind'.padEnd(16)} ${'n'.padStart(4)}  r@1    r@3    mrr    na_prec na_rec`);
  for (const [k, v] of Object.entries(report.byKind))
    console.log(`${k.padEnd(16)} ${String(v.n).padStart(4)}  ${f3(v['recall@1'])}  ${f3(v['recall@3'])}  ${f3(v.mrr)}  ${f3(v.noanswer_precision)}   ${f3(v.noanswer_recall)}`);
  if (values.failures) {
    console.log('\nfailures:');
    for (const f of report.failures) console.log(`  [${f.kind}] ${f.query}\n      expect=${f.expect} got=${f.got} conf=${f.confidence.toFixed(2)}`);
  }
  if (english) {
    const e = english.overall;
    console.log(`\nEnglish: ${e.n} cases (${englishFiles.join(', ')})`);
    for (const [k, v] of Object.entries(english.byKind))
      console.log(`${k.padEnd(16)} ${String(v.n).padStart(4)}  ${f3(v['recall@1'])}  ${f3(v['recall@3'])}  ${f3(v.mrr)}  ${f3(v.noanswer_precision)}   ${f3(v.noanswer_recall)}`);
    if (values.failures)
      for (const f of english.failures) console.log(`  [${f.kind}] ${f.query}\n      expect=${f.expect} got=${f.got} conf=${f.confidence.toFixed(2)}`);
    console.log(`en: ${summaryLine(e)}\n`);
  }
  console.log(summaryLine(m));
  return 0;
}
