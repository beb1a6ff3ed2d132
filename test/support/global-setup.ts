/**
 * Runs once before all test files: builds the index of the shipped `content/` into a snapshot
 * that every test app then starts from (`test/support/app.ts`), as a production restart does.
 *
 * Building the index and fitting its decision costs 3–4 s of CPU; about a hundred apps start in
 * one `npm test`, so paying it once instead of per app is most of the suite's start-up time. The
 * snapshot carries the hash of the content and of the index options (knowledge.ts), so a test
 * whose content differs never starts from it.
 *
 * The build is on the path of every test (no test file starts before it ends), so it is also
 * kept between runs, in node_modules/.cache/loa-test-snapshot/, under a key made of everything
 * it is built from: every file of content/ and src/, package-lock.json, this file, the Node
 * version and today's date (what is servable depends on it). Any change to those builds it again; so does
 * `LOA_TEST_SNAPSHOT_CACHE=0`. The tests of a fresh build (test/knowledge/) build their own.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A data dir holding only the index snapshot of the shipped `content/`. */
    knowledgeSnapshotDir: string;
    /** The content hash of that snapshot. */
    knowledgeSnapshotHash: string;
  }
}

const CACHE = join('node_modules', '.cache', 'loa-test-snapshot');

/** Every file under `dir`, sorted, as relative paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => relative(dir, join(f.parentPath, f.name)))
    .sort();
}

/** The cache key: a hash of everything the snapshot is built from. */
function cacheKey(): string {
  const h = createHash('sha256');
  h.update(`loa-test-snapshot 1\0${process.version}\0${new Date().toISOString().slice(0, 10)}\0`);
  for (const dir of ['content', 'src'])
    for (const f of filesUnder(dir)) {
      h.update(`${dir}/${f}\0`);
      h.update(readFileSync(join(dir, f)));
      h.update('\0');
    }
  // This file too: how the snapshot is built.
  for (const f of ['package-lock.json', 'test/support/global-setup.ts']) if (existsSync(f)) h.update(readFileSync(f));
  return h.digest('hex');
}

/** Keeps the built snapshot under `key` (only that one). A failure only means no cache. */
function remember(key: string, dir: string, hash: string): void {
  try {
    mkdirSync(CACHE, { recursive: true });
    const staging = mkdtempSync(join(CACHE, 'tmp-'));
    cpSync(dir, join(staging, 'snapshot'), { recursive: true });
    writeFileSync(join(staging, 'hash'), hash);
    // Another run may have put the same key there meanwhile: theirs is as good.
    if (existsSync(join(CACHE, key))) rmSync(staging, { recursive: true, force: true });
    else renameSync(staging, join(CACHE, key));
    // Other keys, and staging dirs a killed run left (another run's may be in use for seconds).
    for (const other of readdirSync(CACHE)) {
      const stale = !other.startsWith('tmp-') || Date.now() - statSync(join(CACHE, other)).mtimeMs > 600_000;
      if (other !== key && stale) rmSync(join(CACHE, other), { recursive: true, force: true });
    }
  } catch {
    // A read-only node_modules: every run builds.
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'loa-test-snapshot-'));
  const useCache = process.env.LOA_TEST_SNAPSHOT_CACHE !== '0';
  const key = useCache ? cacheKey() : '';
  const cached = join(CACHE, key);
  let hash: string;
  if (useCache && existsSync(join(cached, 'hash'))) {
    // A copy: the run's tests never write to the cache, whatever they do with their dir.
    cpSync(join(cached, 'snapshot'), dir, { recursive: true });
    hash = readFileSync(join(cached, 'hash'), 'utf8');
  } else {
    // Imported only to build (half a second of CPU otherwise spent on every run).
    const { createKnowledge } = await import('../../src/knowledge/knowledge.js');
    const knowledge = createKnowledge({ contentDir: 'content', dataDir: dir });
    if (knowledge.errors.length > 0) throw new Error('test setup: content/ has errors; run `loa index` to see them');
    hash = knowledge.state.hash;
    knowledge.close();
    if (useCache) remember(key, dir, hash);
  }
  project.provide('knowledgeSnapshotDir', dir);
  project.provide('knowledgeSnapshotHash', hash);
  return () => rmSync(dir, { recursive: true, force: true });
}
