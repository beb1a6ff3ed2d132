/**
 * A copy of the shipped `content/` in a temp dir, with a data dir that already holds the run's
 * index snapshot of it (global-setup.ts): a knowledge base made on the pair starts from the
 * snapshot, as a production restart does, instead of parsing, indexing and calibrating the
 * content again (about 2 s of CPU here, most of a knowledge test's set-up).
 *
 * For the tests whose subject is what comes after the start: a reload, the search thread, the
 * build thread. A test of a fresh build itself builds without it.
 */
import { cpSync } from 'node:fs';
import { inject } from 'vitest';
import { hashContent } from '../../src/knowledge/content.js';
import { seedSnapshot, tempDir } from './app.js';

/** A content dir copied from `content/` and a data dir seeded with its snapshot; `cleanup` removes both. */
export function shippedCopy(): { contentDir: string; dataDir: string; cleanup: () => void } {
  const content = tempDir('loa-content-');
  const data = tempDir('loa-data-');
  cpSync('content', content.dir, { recursive: true });
  // The copy must hash as the snapshot's content, or nothing is seeded and every test built anew.
  if (hashContent(content.dir) !== inject('knowledgeSnapshotHash')) throw new Error('shippedCopy: the copy of content/ does not hash as the snapshot');
  seedSnapshot(content.dir, data.dir);
  return {
    contentDir: content.dir,
    dataDir: data.dir,
    cleanup: () => {
      content.cleanup();
      data.cleanup();
    },
  };
}

/** A data dir seeded with the run's snapshot of `content/` itself; `cleanup` removes it. */
export function seededDataDir(): { dir: string; cleanup: () => void } {
  const data = tempDir('loa-data-');
  seedSnapshot('content', data.dir);
  return data;
}
