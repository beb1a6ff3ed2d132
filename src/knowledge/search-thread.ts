/**
 * The search thread: a worker holding its own copy of the knowledge base, so that the server's
 * event loop does not spend its time ranking questions.
 *
 * A free-text question costs the main thread about 0.2–0.35 ms of search (more on a large
 * corpus), on top of the webhook, the database and the reply. Here the main thread posts the
 * query and resolves the worker's decision (ids and scores) against its own content. Both
 * sides load the same content (the worker reads the snapshot the main thread wrote), and every
 * decision carries the content hash it was made on: when the hashes differ (a reload in
 * between) or the worker is not ready or has failed, the main thread searches itself. The
 * answers are therefore always those of the content being served.
 *
 * The hand-off is not free (two wake-ups, a clone each way, a turn of the event loop): the
 * knowledge base keeps on the main thread a cheap search of a request that is alone
 * (knowledge.ts `idle`, IDLE_INLINE_SEARCH_MS); it could also keep every search expected to cost
 * less than the hand-off (`inlineSearchMs`), which the server leaves off (INLINE_SEARCH_MS says why).
 *
 * The cost is memory: the worker holds a second index (for the shipped content about 60 MB;
 * see docs/BENCHMARKS.md for large corpora). `LOA_SEARCH_THREADS=0` turns it off.
 */
import { startModuleWorker } from '../worker-thread.js';
import type { Decision, SearchOptions } from './search.js';
import type { SharedSnapshot } from './snapshot-file.js';
import type { Lang } from '../text/language.js';

/** What the worker is started with. */
export interface SearchThreadData {
  contentDir: string;
  dataDir?: string;
  options?: SearchOptions;
}

/**
 * Messages from the main thread. 'reload' makes the worker (re)load the knowledge base from the
 * snapshot: the first once the main thread has loaded (the worker boots meanwhile), then after
 * each reload of the content.
 */
export type ToSearchThread =
  | { type: 'decide'; id: number; query: string; lang?: Lang }
  | { type: 'reload'; snapshot?: SharedSnapshot };

/** Messages from the worker. */
export type FromSearchThread =
  | { type: 'ready'; hash: string }
  | { type: 'decision'; id: number; hash: string; decision: Decision; ms: number }
  | { type: 'failed'; id: number; message: string };

/** A running search thread. */
export interface SearchThread {
  /**
   * The worker's decision for `query`, made on content with hash `hash`, with what the search
   * cost the worker (ms); undefined when the worker is not ready, serves other content, or
   * failed (the caller then searches itself).
   */
  decide(query: string, hash: string, lang?: Lang): Promise<{ decision: Decision; ms: number } | undefined>;
  /**
   * Tells the worker to load the snapshot the main thread has written or read: after the main
   * thread's first load, and after each reload of the content. Given the bytes the main thread
   * read it from (shared memory), the worker parses those instead of reading the file: the
   * sections are then in memory once for both threads.
   */
  reload(snapshot?: SharedSnapshot): void;
  /** Resolves once the worker first reports ready, or has failed (never rejects). */
  readonly started: Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a search thread on `contentDir` (reading the snapshot in `dataDir`).
 *
 * @example
 * const thread = startSearchThread({ contentDir: 'content', dataDir: 'data' }, log);
 * const made = await thread.decide('bhyt tre em', knowledge.state.hash); // undefined -> search here
 */
export function startSearchThread(
  opts: { contentDir: string; dataDir?: string; options?: SearchOptions },
  onFailure: (err: Error) => void = () => undefined,
  onReady: (hash: string) => void = () => undefined,
): SearchThread {
  const data: SearchThreadData = { ...opts };
  // The worker module runs under tsx like the rest of the sources (../worker-thread.ts).
  const worker = startModuleWorker(import.meta.url, './search-thread-worker', { ...data });
  worker.unref();
  const pending = new Map<number, (d: { decision: Decision; ms: number } | undefined) => void>();
  let readyHash: string | undefined;
  let failed = false;
  let nextId = 1;
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));

  const fail = (err: Error): void => {
    if (failed) return;
    failed = true;
    readyHash = undefined;
    for (const done of pending.values()) done(undefined);
    pending.clear();
    markStarted();
    onFailure(err);
  };
  worker.on('message', (m: FromSearchThread) => {
    if (m.type === 'ready') {
      readyHash = m.hash;
      markStarted();
      onReady(m.hash);
    }
    else {
      const done = pending.get(m.id);
      pending.delete(m.id);
      done?.(m.type === 'decision' && m.hash === readyHash ? { decision: m.decision, ms: m.ms } : undefined);
    }
  });
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => fail(new Error(`knowledge: the search thread exited with code ${code}`)));

  return {
    started,
    decide(query, hash, lang = 'vi') {
      if (failed || readyHash !== hash) return Promise.resolve(undefined);
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        worker.postMessage({ type: 'decide', id, query, ...(lang === 'en' ? { lang } : {}) } satisfies ToSearchThread);
      });
    },
    reload(snapshot) {
      if (failed) return;
      readyHash = undefined;
      worker.postMessage({ type: 'reload', ...(snapshot ? { snapshot } : {}) } satisfies ToSearchThread);
    },
    async close() {
      failed = true;
      markStarted();
      for (const done of pending.values()) done(undefined);
      pending.clear();
      await worker.terminate();
    },
  };
}
