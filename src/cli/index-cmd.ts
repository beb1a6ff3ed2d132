/** `loa index`: validates the content (every error with file and field) and rebuilds the snapshot. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { createKnowledge } from '../knowledge/knowledge.js';
import { formatContentErrors } from '../knowledge/content.js';

export async function run(_args: string[]): Promise<number> {
  const config = loadConfig();
  rmSync(join(config.dataDir, 'index-snapshot.json'), { force: true });
  const k = createKnowledge({ contentDir: config.contentDir, dataDir: config.dataDir });
  if (k.errors.length) {
    console.error(formatContentErrors(k.errors));
    console.error(`${k.errors.length} error(s); the files above were not indexed.`);
    return 1;
  }
  console.log(`OK: ${k.state.qa.length} Q&A, ${k.state.articles.length} articles indexed.`);
  return 0;
}
