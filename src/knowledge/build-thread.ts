/**
 * The build thread: content reloads are parsed, indexed and calibrated on a worker, so that the
 * server keeps answering while staff publish.
 *
 * A reload used to run on the main thread: loading the files, building the index and fitting
 * the decision (calibrate.ts) took ~2–7 s for the shipped content on this machine (a minute at
 * 10k passages), during which no webhook, web chat request or admin page was served. Here a
 * worker does that work with the same code (`createKnowledge`, which writes the snapshot), and
 * the main thread then only reads the snapshot it wrote, as at start-up, and swaps it in. The
 * old index keeps serving meanwhile.
 *
 * The worker starts on the first reload and stays for the next ones (its start costs about as
 * much as a small build); it holds nothing between builds.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../worker-thread.js';
import type { ContentError } from './content.js';
import type { SearchOptions } from './search.js';

/** What the worker is started with. */
export interface BuildThreadData {
  contentDir: string;
  dataDir: string;
  options?: SearchOptions;
  maxVariants?: number;
}

/** A build request: `now` is the main thread's clock (the index holds what is servable then). */
export type ToBuildThread = { type: 'build'; id: number; now: number };

/** The outcome: the hash of the content now in the snapshot (or served), and the content's errors. */
export type FromBuildThread = { type: 'built'; id: number; hash: string; errors: ContentError[] } | { type: 'failed'; id: number; message: string };

/** A build thread. */
export interface BuildThread {
  /** Loads, indexes and calibrates the content on the worker; resolves once the snapshot is written. */
  build(now: Date): Promise<{ hash: string; errors: ContentError[] }>;
  close(): Promise<void>;
}

/** Starts the worker lazily, on the first build. */
export function createBuildThread(data: BuildThreadData): BuildThread {
  let worker: Worker | undefined;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: { hash: string; errors: ContentError[] }) => void; reject: (err: Error) => void }>();
  const failAll = (err: Error): void => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  const start = (): Worker => {
    const w = startModuleWorker(import.meta.url, './build-thread-worker', { ...data });
    // Never the reason the process stays up: a build in flight at shutdown is simply dropped.
    w.unref();
    w.on('message', (m: FromBuildThread) => {
      const p = waiting.get(m.id);
      if (!p) return;
      waiting.delete(m.id);
      if (m.type === 'built') p.resolve({ hash: m.hash, errors: m.errors });
      else p.reject(new Error(m.message));
    });
    w.on('error', (err) => {
      worker = undefined;
      failAll(err);
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      failAll(new Error(`knowledge: the build thread exited (${code})`));
    });
    return w;
  };
  return {
    build(now) {
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker!.postMessage({ type: 'build', id, now: now.getTime() } satisfies ToBuildThread);
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      failAll(new Error('knowledge: closed'));
      await w?.terminate();
    },
  };
}
