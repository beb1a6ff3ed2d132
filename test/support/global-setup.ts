/**
 * Runs once before all test files: builds the index of the shipped `content/` into a snapshot
 * that every test app then starts from (`test/support/app.ts`), as a production restart does.
 *
 * Building the index and fitting its decision costs 1–2 s of CPU; about a hundred apps start in
 * one `npm test`, so paying it once instead of per app is most of the suite's start-up time. The
 * snapshot carries the hash of the content and of the index options (knowledge.ts), so a test
 * whose content differs never starts from it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createKnowledge } from '../../src/knowledge/knowledge.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A data dir holding only the index snapshot of the shipped `content/`. */
    knowledgeSnapshotDir: string;
    /** The content hash of that snapshot. */
    knowledgeSnapshotHash: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'loa-test-snapshot-'));
  const knowledge = createKnowledge({ contentDir: 'content', dataDir: dir });
  if (knowledge.errors.length > 0) throw new Error('test setup: content/ has errors; run `loa index` to see them');
  project.provide('knowledgeSnapshotDir', dir);
  project.provide('knowledgeSnapshotHash', knowledge.state.hash);
  knowledge.close();
  return () => rmSync(dir, { recursive: true, force: true });
}
