/**
 * One search benchmark run in its own process (so RSS is this engine's alone):
 *   node bin/run-ts.js bench/lib/search-worker.ts <engine> <passages> <corpusDir> <casesFile>
 * engine: loa | minisearch-default | fts5. Prints one JSON line of figures.
 * The corpus dir holds the shipped content plus generated articles (written by 10-search.bench.ts).
 */
import { readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import MiniSearch from 'minisearch';
import Database from 'better-sqlite3';
import { createKnowledge, SNAPSHOT_FILE } from '../../src/knowledge/knowledge.js';
import { loadContent, isServable } from '../../src/knowledge/content.js';
import { toSearchDocs } from '../../src/knowledge/search.js';
import { evaluate, readCases, type EvalMetrics } from '../../src/knowledge/eval.js';
import type { Answer } from '../../src/knowledge/knowledge.js';

const [engine, passagesArg, corpusDir, casesFile] = process.argv.slice(2);
const cases = readCases(casesFile!);
const queries = cases.map((c) => c.query);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

// At 100k passages a baseline query can take seconds: one timed round there, three below.
const ROUNDS = Number(passagesArg) >= 100_000 ? 1 : 3;

/** Times every query `rounds` times; the answers of the last round are kept for the eval. */
function timeQueries<T>(answer: (q: string) => T, memo: Map<string, T>, rounds = ROUNDS): { p50: number; p99: number; p50Long: number; p99Long: number } {
  for (const q of queries.slice(0, 50)) answer(q); // warm up
  const all: number[] = [];
  const long: number[] = [];
  for (let r = 0; r < rounds; r++)
    for (const q of queries) {
      const t = process.hrtime.bigint();
      const a = answer(q);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      memo.set(q, a);
      all.push(ms);
      if (q.split(/\s+/).length >= 25) long.push(ms);
    }
  return { p50: percentile(all, 0.5), p99: percentile(all, 0.99), p50Long: percentile(long, 0.5), p99Long: percentile(long, 0.99) };
}

const result: Record<string, unknown> = { engine, passages: Number(passagesArg) };
const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20);
let quality: EvalMetrics;

if (engine === 'loa') {
  const data = mkdtempSync(join(tmpdir(), 'loa-bench-'));
  let t = Date.now();
  createKnowledge({ contentDir: corpusDir!, dataDir: data }); // builds and writes the snapshot
  result.buildMs = Date.now() - t;
  // RSS is that of the serving instance only: the one that built the snapshot is let go.
  (globalThis as { gc?: () => void }).gc?.();
  t = Date.now();
  const k2 = createKnowledge({ contentDir: corpusDir!, dataDir: data });
  result.startupWithSnapshotMs = Date.now() - t;
  result.fromSnapshot = k2.state.fromSnapshot;
  result.snapshotMB = Math.round(readFileSync(join(data, SNAPSHOT_FILE)).length / 2 ** 20);
  const memo = new Map<string, Answer>();
  result.latency = timeQueries((q) => k2.answer(q), memo);
  quality = evaluate((q) => memo.get(q) ?? k2.answer(q), cases).overall;
  rmSync(data, { recursive: true, force: true });
} else {
  // Baselines index the same passages (Q&A question+answer, article passages) and answer with
  // their top hit whenever there is one: neither has a notion of "no confident answer".
  const c = loadContent(corpusDir!);
  const today = new Date().toISOString().slice(0, 10);
  const docs = toSearchDocs(c.qa.filter((q) => isServable(q, today)), c.articles.filter((a) => isServable(a, today)), c.topics);
  const toAnswer = (id: string | undefined): Answer =>
    id ? { kind: 'answer', id, confidence: 1, score: 1, alternatives: [] } : { kind: 'none', reason: 'no-match', confidence: 0, suggestions: [] };
  let top3: (q: string) => string[];
  if (engine === 'minisearch-default') {
    let t = Date.now();
    const ms = new MiniSearch({ fields: ['question', 'variants', 'title', 'body'] });
    ms.addAll(docs);
    result.buildMs = Date.now() - t;
    const json = JSON.stringify(ms);
    t = Date.now();
    const loaded = MiniSearch.loadJSON(json, { fields: ['question', 'variants', 'title', 'body'] });
    result.startupWithSnapshotMs = Date.now() - t;
    result.snapshotMB = Math.round(json.length / 2 ** 20);
    top3 = (q) => loaded.search(q).slice(0, 3).map((r) => String(r.id));
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'loa-fts-'));
    const file = join(dir, 'fts.sqlite');
    let t = Date.now();
    const db = new Database(file);
    db.exec(`CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, question, variants, title, body, tokenize = 'unicode61 remove_diacritics 2')`);
    const ins = db.prepare('INSERT INTO docs (id, question, variants, title, body) VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (const d of docs) ins.run(d.id, d.question, d.variants, d.title, d.body);
    })();
    db.close();
    result.buildMs = Date.now() - t;
    t = Date.now();
    const db2 = new Database(file, { readonly: true });
    const stmt = db2.prepare(`SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 3`);
    stmt.all('"khai"');
    result.startupWithSnapshotMs = Date.now() - t;
    const ftsQuery = (q: string): string =>
      (q.normalize('NFC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => `"${w}"`).join(' OR ');
    const top = (q: string): string[] => {
      const m = ftsQuery(q);
      return m ? (stmt.all(m) as { id: string }[]).map((r) => r.id) : [];
    };
    top3 = top;
  }
  // One search per query gives the answer (top hit) and, for recall@3, the top 3 hits.
  const answer = (q: string): Answer => {
    const ids = top3(q);
    const a = toAnswer(ids[0]);
    return a.kind === 'answer' ? { ...a, alternatives: ids.slice(1, 3).map((id) => ({ id, label: id, coverage: 0 })) } : a;
  };
  const memo = new Map<string, Answer>();
  result.latency = timeQueries(answer, memo);
  quality = evaluate((q) => memo.get(q) ?? answer(q), cases).overall;
}
(globalThis as { gc?: () => void }).gc?.();
result.rssMB = rss();
result.quality = quality;
writeFileSync(1, JSON.stringify(result) + '\n');
