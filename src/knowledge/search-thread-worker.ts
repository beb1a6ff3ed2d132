/**
 * The worker side of the search thread (search-thread.ts): on each 'reload' from the main
 * thread (the first one once the main thread has loaded or rebuilt the index, then one per
 * content change) loads the knowledge base from the snapshot the main thread read (its bytes,
 * shared) or wrote (never writing one itself), warms the search up on the content's own
 * questions, says which content it serves, and answers queries with decisions.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createKnowledge, type Knowledge } from './knowledge.js';
import type { FromSearchThread, SearchThreadData, ToSearchThread } from './search-thread.js';
import { parseSharedSnapshot, type SharedSnapshot } from './snapshot-file.js';

const data = workerData as SearchThreadData;
const port = parentPort!;
// The main thread has already loaded or rebuilt the index and written its snapshot: a fresh
// knowledge base reads that snapshot rather than parsing, indexing and calibrating the content a
// second time (it builds only if the snapshot could not be written). Given the bytes the main
// thread read the snapshot from, it parses those: neither the file nor its sections are read
// again (the sections are then in memory once for both threads).
const open = (shared: SharedSnapshot | undefined) =>
  createKnowledge({
    contentDir: data.contentDir,
    ...(data.dataDir ? { dataDir: data.dataDir } : {}),
    ...(data.options ? { options: data.options } : {}),
    ...(shared ? { snapshot: parseSharedSnapshot(shared) } : {}),
    readOnlySnapshot: true,
  });
let knowledge: Knowledge | undefined;

const post = (m: FromSearchThread): void => port.postMessage(m);

port.on('message', (m: ToSearchThread) => {
  if (m.type === 'reload') {
    const old = knowledge;
    knowledge = open(m.snapshot);
    old?.close();
    // The first queries after a start are several times slower until the JIT has seen the code.
    if (!old) for (const q of knowledge.state.qa.slice(0, 300)) knowledge.decide(q.question);
    post({ type: 'ready', hash: knowledge.state.hash });
    return;
  }
  // The main thread asks only once this thread said it is ready.
  if (!knowledge) return post({ type: 'failed', id: m.id, message: 'knowledge: the search thread has not loaded yet' });
  try {
    const t = performance.now();
    const decision = knowledge.decide(m.query, m.lang);
    post({ type: 'decision', id: m.id, hash: knowledge.state.hash, decision, ms: performance.now() - t });
  } catch (err) {
    post({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
});
