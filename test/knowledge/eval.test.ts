import { describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateContent, readCases, runEvalCli } from '../../src/knowledge/eval.js';

/**
 * Quality floor on the project's own cases. These are the figures reached when the thresholds
 * were tuned (docs/BENCHMARKS.md); a change that drops below them is a regression. The second
 * floor is the same cases on the sample content cut to one variant per Q&A, the way offices
 * write (issue 13): what the calibration, the long-question threshold and the lexicon bought.
 */
const FLOOR = { 'recall@1': 0.91, 'recall@3': 0.99, noanswer_precision: 0.91, noanswer_recall: 0.84 };
const OFFICE_FLOOR = { 'recall@1': 0.82, 'recall@3': 0.98, noanswer_precision: 0.81, noanswer_recall: 0.83 };
/**
 * The development set of issue 13 (test/fixtures/dev2/: an office's content on topics the shipped
 * negatives list as out of scope, one question and at most one variant per entry), as measured
 * on 2026-12-07 after the covered negatives were widened (calibrate.ts).
 */
const DEV2_FLOOR = { 'recall@1': 0.68, 'recall@3': 0.93, noanswer_precision: 0.65, noanswer_recall: 0.96 };
/**
 * Development set 3 (test/fixtures/dev3/: chứng thực, người có công, hộ kinh doanh, environment,
 * disability; written on 2026-12-07 by someone who does not work on search), as first measured
 * (0.683 / 0.890 / 0.707 / 0.621): a change judged on the other sets must not lose here.
 */
const DEV3_FLOOR = { 'recall@1': 0.68, 'recall@3': 0.88, noanswer_precision: 0.7, noanswer_recall: 0.62 };

describe('answer quality', () => {
  const cases = readCases('test/fixtures/eval-cases.jsonl');

  it('ships at least 200 cases with every required kind', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const kinds = new Set(cases.map((c) => c.kind));
    for (const k of ['no-diacritics', 'typo', 'abbrev', 'out-of-scope', 'long']) expect(kinds).toContain(k);
  });

  it('stays at or above the tuned quality floor', () => {
    const { report } = evaluateContent('content', cases);
    const m = report.overall;
    expect(m['recall@1']).toBeGreaterThanOrEqual(FLOOR['recall@1']);
    expect(m['recall@3']).toBeGreaterThanOrEqual(FLOOR['recall@3']);
    expect(m.noanswer_precision).toBeGreaterThanOrEqual(FLOOR.noanswer_precision);
    expect(m.noanswer_recall).toBeGreaterThanOrEqual(FLOOR.noanswer_recall);
  });

  it('holds on content written the way offices write it (one variant per Q&A)', () => {
    const m = evaluateContent('content', cases, undefined, 1).report.overall;
    expect(m['recall@1']).toBeGreaterThanOrEqual(OFFICE_FLOOR['recall@1']);
    expect(m['recall@3']).toBeGreaterThanOrEqual(OFFICE_FLOOR['recall@3']);
    expect(m.noanswer_precision).toBeGreaterThanOrEqual(OFFICE_FLOOR.noanswer_precision);
    expect(m.noanswer_recall).toBeGreaterThanOrEqual(OFFICE_FLOOR.noanswer_recall);
  });

  it('holds on an office\'s content on topics the shipped negatives cover (dev2)', () => {
    const m = evaluateContent('test/fixtures/dev2/content', readCases('test/fixtures/dev2/cases.jsonl')).report.overall;
    expect(m['recall@1']).toBeGreaterThanOrEqual(DEV2_FLOOR['recall@1']);
    expect(m['recall@3']).toBeGreaterThanOrEqual(DEV2_FLOOR['recall@3']);
    expect(m.noanswer_precision).toBeGreaterThanOrEqual(DEV2_FLOOR.noanswer_precision);
    expect(m.noanswer_recall).toBeGreaterThanOrEqual(DEV2_FLOOR.noanswer_recall);
  });

  it('holds on a second office\'s content it was not tuned on (dev3)', () => {
    const m = evaluateContent('test/fixtures/dev3/content', readCases('test/fixtures/dev3/cases.jsonl')).report.overall;
    expect(m['recall@1']).toBeGreaterThanOrEqual(DEV3_FLOOR['recall@1']);
    expect(m['recall@3']).toBeGreaterThanOrEqual(DEV3_FLOOR['recall@3']);
    expect(m.noanswer_precision).toBeGreaterThanOrEqual(DEV3_FLOOR.noanswer_precision);
    expect(m.noanswer_recall).toBeGreaterThanOrEqual(DEV3_FLOOR.noanswer_recall);
  });

  // A CLI process (it starts Node and tsx): well under the default on a quiet machine, a minute
  // on a loaded one.
  it('the CLI ends with the exact summary line, and --json prints the same keys', { timeout: 120_000 }, async () => {
    // What is checked here is the output; the figures are the tests above. So the CLI runs on a
    // part of the content (60 Q&A) and 40 cases: the shipped content took it ~2 s of CPU more a run.
    const dir = mkdtempSync(join(tmpdir(), 'loa-eval-cli-'));
    try {
      cpSync('content/topics.yaml', join(dir, 'topics.yaml'));
      mkdirSync(join(dir, 'qa'));
      const files = readdirSync('content/qa', { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.md'));
      for (const f of files.slice(0, 60)) cpSync(join(f.parentPath, f.name), join(dir, 'qa', f.name));
      const lines = readFileSync('test/fixtures/eval-cases.jsonl', 'utf8').split('\n').filter((l) => l.trim().startsWith('{'));
      writeFileSync(join(dir, 'cases.jsonl'), `${lines.slice(0, 40).join('\n')}\n`);
      const args = ['bin/loa.js', 'eval', '--content', dir, '--cases', join(dir, 'cases.jsonl')];
      const out = execFileSync('node', args, { encoding: 'utf8' });
      const last = out.trim().split('\n').pop()!;
      expect(last).toMatch(/^recall@1=\d\.\d{3} recall@3=\d\.\d{3} mrr=\d\.\d{3} noanswer_precision=\d\.\d{3} noanswer_recall=\d\.\d{3}$/);
      // `bin/loa.js eval` is the process above; --json is the same command run in this process
      // (a second process cost ~3 s of CPU for its Node and tsx start).
      const printed: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      expect(await runEvalCli([...args.slice(2), '--json'])).toBe(0);
      expect(printed).toHaveLength(1);
      const json = JSON.parse(printed[0]!);
      expect(Object.keys(json).sort()).toEqual(['mrr', 'noanswer_precision', 'noanswer_recall', 'recall@1', 'recall@3']);
    } finally {
      vi.restoreAllMocks();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
