/**
 * The worker side of the build thread (build-thread.ts): on each 'build', loads the content,
 * indexes and calibrates it with `createKnowledge`, which writes the snapshot (or reuses it when
 * the content did not change), and answers with the hash now in the snapshot and the errors.
 * The main thread reads the snapshot and serves it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createKnowledge } from './knowledge.js';
import type { BuildThreadData, FromBuildThread, ToBuildThread } from './build-thread.js';

const data = workerData as BuildThreadData;
const port = parentPort!;

port.on('message', (m: ToBuildThread) => {
  const post = (r: FromBuildThread): void => port.postMessage(r);
  try {
    const k = createKnowledge({
      contentDir: data.contentDir,
      dataDir: data.dataDir,
      ...(data.options ? { options: data.options } : {}),
      ...(data.maxVariants !== undefined ? { maxVariants: data.maxVariants } : {}),
      // The main thread's clock: what is servable is judged at its time (tests move it).
      now: () => new Date(m.now),
      // This thread builds; it never starts another one.
      buildThread: false,
      // The threshold only: the answers depend on nothing else (`loa index` measures the estimates).
      calibrationEstimates: false,
    });
    const hash = k.state.hash;
    const errors = k.errors;
    k.close();
    post({ type: 'built', id: m.id, hash, errors });
  } catch (err) {
    post({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
});
