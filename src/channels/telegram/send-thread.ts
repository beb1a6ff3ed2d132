/**
 * Bot API calls on a worker thread: the replies and the button answers of the conversation go
 * through a grammY `Api` with `@grammyjs/auto-retry` that lives on a worker, so the server's
 * event loop spends its time on webhooks, the database and the conversation.
 *
 * Profiled on this machine (docs/BENCHMARKS.md), one Bot API call cost the main thread about
 * 170 µs of HTTP (request, socket writes, response parsing) plus about 90 µs of grammY (payload
 * serialisation, a timeout per call, the transformer chain); a button press makes two calls.
 * Here the main thread posts `{ method, payload }` (a few µs) and gets the result back. The
 * worker is the same grammY as on the main thread: same retries (auto-retry's bounded attempts
 * and waits), same lean HTTP client (http.ts, kept-alive connections), and its failures come
 * back as the same `GrammyError` / `HttpError`, so `toSendResult` (errors.ts) is unchanged.
 *
 * The worker is an ordinary type-checked module (send-thread-worker.ts) that imports grammY,
 * auto-retry and http.ts itself, started through tsx like the rest of the sources
 * (worker-thread.ts); the messages both sides exchange are the types below. Loading tsx makes a
 * worker's start slower (its first answer after about 0.3–0.5 s on this machine, against 0.1 s
 * for the former untyped CommonJS string); calls cost the same after that (2,000 sequential
 * calls: about 1.1–1.2 s either way). The workers start with the channel (`warm()`), so no
 * citizen waits for that.
 *
 * If a worker dies, the calls in flight fail as network errors (a send maps them to
 * `retryAfter`) and the next call starts a new one. Payloads that carry a file upload (an
 * `InputFile`) cannot cross to the worker and are sent by the caller's own `Api`.
 */
import type { Worker } from 'node:worker_threads';
import { GrammyError, HttpError } from 'grammy';
import { startModuleWorker } from '../../worker-thread.js';

/** Retry policy of the worker's calls (see telegram.ts). */
export interface SendThreadOptions {
  token: string;
  apiRoot: string;
  maxRetryAttempts: number;
  maxDelaySeconds: number;
  /** Kept-alive connections to the Bot API per worker (default 32). */
  maxSockets?: number;
  /**
   * Worker threads (default 2). At 1,000 button presses/s one worker makes 2,000 calls/s and
   * is as busy as the event loop; two share that and keep its latency down.
   */
  threads?: number;
}

/** What a send resolves with: the sent message's ids. */
export interface SentIds {
  message_id: number;
  chat: { id: number };
  poll?: { id: string };
}

/** A Bot API caller on a worker thread. */
export interface SendThread {
  /**
   * Calls `method` with `payload`; resolves with the result (a message as its ids only:
   * `message_id`, `chat.id`, `poll.id`) or rejects with a `GrammyError`
   * (Telegram answered not ok) or an `HttpError` (no answer). `direct` skips auto-retry, for
   * callers that handle 429 themselves (the campaign throttle).
   *
   * @example const m = await thread.call('sendMessage', { chat_id: 42, text: 'Xin chào' });
   */
  call<T = unknown>(method: string, payload: Record<string, unknown>, opts?: { direct?: boolean }): Promise<T>;
  /** Starts the workers now (at start-up) rather than on the first calls. */
  warm(): void;
  /**
   * Starts the workers if needed and resolves once every one has loaded, i.e. once a call
   * leaves for Telegram the moment it is made. Calls made before that wait in the worker's
   * queue and then leave together: a paced sender (the campaign throttle) waits for this first,
   * or the slots it granted meanwhile reach Telegram as one burst.
   */
  ready(): Promise<void>;
  /** Stops the workers; a later call still goes through, on a worker that ends once idle. */
  close(): Promise<void>;
}

/**
 * Tests only: the factor by which the workers started from now on shorten auto-retry's waits
 * (1, unchanged, in production). Auto-retry waits 3 s and then 6 s after a 5xx and `retry_after`
 * seconds after a 429, on the worker's own timers, which no fake clock reaches and which it has
 * no option to shorten: a test of those retries waited 10 s of real time. With a scale the calls,
 * attempts and results are the same, only sooner. A test sets it and puts 1 back after.
 */
export const autoRetryWaits = { scale: 1 };

/** What the worker is started with. */
export interface SendThreadData {
  token: string;
  apiRoot: string;
  maxRetryAttempts: number;
  maxDelaySeconds: number;
  maxSockets: number;
  /** {@link autoRetryWaits}`.scale` when the worker started. */
  retryWaitScale: number;
}

/** A call, from the main thread to the worker. */
export interface ToSendThread {
  id: number;
  method: string;
  payload: Record<string, unknown>;
  direct: boolean;
}

/** The answer to call `id`: its result, Telegram's refusal, or a network failure. */
export type FromSendThread =
  | { ready: true }
  | { id: number; result: unknown }
  | { id: number; telegram: { error_code: number; description: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } } }
  | { id: number; network: { message: string; cause: string } };

interface Pending {
  worker: Worker;
  method: string;
  payload: Record<string, unknown>;
  resolve: (v: unknown) => void;
  reject: (err: Error) => void;
}

/** Starts (lazily, on the first call) a Bot API caller on a worker thread. */
export function createSendThread(options: SendThreadOptions): SendThread {
  const data: SendThreadData = {
    token: options.token,
    apiRoot: options.apiRoot,
    maxRetryAttempts: options.maxRetryAttempts,
    maxDelaySeconds: options.maxDelaySeconds,
    maxSockets: options.maxSockets ?? 32,
    retryWaitScale: 1,
  };
  const pending = new Map<number, Pending>();
  const workers: (Worker | undefined)[] = Array.from({ length: Math.max(1, options.threads ?? 2) }, () => undefined);
  // Per worker: resolved by its `ready` message (a worker loads tsx and grammY first: 0.3–0.5 s).
  const loaded = new Map<Worker, { promise: Promise<void>; resolve: () => void; done: boolean }>();
  const resolved = Promise.resolve();
  // Calls awaiting an answer, per worker: a worker with some is ref'd, so the process waits for them.
  const inFlight = new Map<Worker, number>();
  const busy = (w: Worker, delta: number): void => {
    const n = (inFlight.get(w) ?? 0) + delta;
    if (n <= 0) {
      inFlight.delete(w);
      w.unref();
    } else {
      if (n === 1 && delta > 0) w.ref();
      inFlight.set(w, n);
    }
  };
  let turn = 0;
  let closed = false;
  let nextId = 1;

  const start = (slot: number): Worker => {
    const w = startModuleWorker(import.meta.url, './send-thread-worker', { ...data, retryWaitScale: autoRetryWaits.scale });
    let resolveLoaded = (): void => {};
    const state = { promise: new Promise<void>((r) => (resolveLoaded = r)), resolve: () => resolveLoaded(), done: false };
    loaded.set(w, state);
    w.on('message', (m: FromSendThread) => {
      if ('ready' in m) {
        state.done = true;
        state.resolve();
        if (!inFlight.has(w)) w.unref();
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      busy(w, -1);
      if ('result' in m) p.resolve(m.result);
      else if ('telegram' in m) p.reject(new GrammyError(`Call to '${p.method}' failed!`, { ok: false, ...m.telegram }, p.method, p.payload));
      else p.reject(new HttpError(`Network request for '${p.method}' failed! (${m.network.message})`, new Error(m.network.cause)));
      // After close(), a worker started for late calls (replies drained at shutdown) ends when idle.
      if (closed && workers[slot] === w && ![...pending.values()].some((q) => q.worker === w)) {
        workers[slot] = undefined;
        void w.terminate();
      }
    });
    const gone = (err: Error): void => {
      // Whoever waits for this worker to load looks again (ready() then starts a new one).
      loaded.get(w)?.resolve();
      loaded.delete(w);
      inFlight.delete(w);
      if (workers[slot] !== w) return;
      workers[slot] = undefined;
      for (const [id, p] of pending) {
        if (p.worker !== w) continue;
        pending.delete(id);
        p.reject(new HttpError(`Network request for '${p.method}' failed! (the Telegram sender thread stopped)`, err));
      }
    };
    w.on('error', (err) => gone(err));
    w.on('exit', (code) => gone(new Error(`the Telegram sender thread exited with code ${code}`)));
    // Keeps the process alive only while it loads or has calls to answer (`busy`); unref'd
    // once loaded and idle. (An unref() right after creating it did nothing: the 'message'
    // listener refs it again, and a channel never stopped, as in the campaigns bench, kept its
    // process running once done.)
    return w;
  };

  // A worker that dies while loading is replaced and waited for, a few times; after that the
  // calls fail as network errors, which their callers retry.
  const waitLoaded = async (): Promise<void> => {
    for (let tries = 0; tries < 3; tries++) {
      const all = workers.map((w, slot) => (workers[slot] = w ?? start(slot)));
      await Promise.all(all.map((w) => loaded.get(w)?.promise));
      if (all.every((w, slot) => workers[slot] === w && loaded.get(w)?.done)) return;
    }
  };

  return {
    call<T>(method: string, payload: Record<string, unknown>, opts: { direct?: boolean } = {}): Promise<T> {
      // Round robin: the calls of one chat are made one after another by the caller anyway.
      const slot = turn++ % workers.length;
      const w = (workers[slot] ??= start(slot));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { worker: w, method, payload, resolve: resolve as (v: unknown) => void, reject });
        busy(w, +1);
        w.postMessage({ id, method, payload, direct: opts.direct === true } satisfies ToSendThread);
      });
    },
    warm() {
      workers.forEach((w, slot) => (workers[slot] = w ?? start(slot)));
    },
    ready() {
      // Asked before every paced send: answered without a new promise once all are up.
      if (workers.every((w) => w !== undefined && loaded.get(w)?.done)) return resolved;
      return waitLoaded();
    },
    async close() {
      closed = true;
      const running = workers.filter((w): w is Worker => w !== undefined);
      workers.fill(undefined);
      await Promise.all(running.map(async (w) => {
        await w.terminate();
        for (const [id, p] of pending) {
          if (p.worker !== w) continue;
          pending.delete(id);
          p.reject(new HttpError(`Network request for '${p.method}' failed! (the Telegram sender thread stopped)`, new Error('closed')));
        }
      }));
    },
  };
}
