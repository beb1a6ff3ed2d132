/**
 * The worker side of the search thread (search-thread.ts): loads the knowledge base from the
 * snapshot the main thread wrote (never writing one itself), at start and after each reload,
 * warms the search up on the content's own questions, says which content it serves, and
 * answers queries with decisions.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createKnowledge } from './knowledge.js';
import type { FromSearchThread, SearchThreadData, ToSearchThread } from './search-thread.js';

const data = workerData as SearchThreadData;
const port = parentPort!;
// On a reload the main thread has already rebuilt the index and written its snapshot: a fresh
// knowledge base reads that snapshot rather than parsing, indexing and calibrating the content a
// second time (it builds only if the snapshot could not be written).
const open = () =>
  createKnowledge({
    contentDir: data.contentDir,
    ...(data.dataDir ? { dataDir: data.dataDir } : {}),
    ...(data.options ? { options: data.options } : {}),
    readOnlySnapshot: true,
  });
let knowledge = open();

const post = (m: FromSearchThread): void => port.postMessage(m);

// The first queries after a start are several times slower until the JIT has seen the code.
for (const q of knowledge.state.qa.slice(0, 300)) knowledge.decide(q.question);
post({ type: 'ready', hash: knowledge.state.hash });

port.on('message', (m: ToSearchThread) => {
  if (m.type === 'reload') {
    const old = knowledge;
    knowledge = open();
    old.close();
    post({ type: 'ready', hash: knowledge.state.hash });
    return;
  }
  try {
    post({ type: 'decision', id: m.id, hash: knowledge.state.hash, decision: knowledge.decide(m.query) });
  } catch (err) {
    post({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
});
