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
 * The worker is plain CommonJS (grammY, auto-retry and `node:http` only), so it starts in a few
 * milliseconds with or without a TypeScript loader. If it dies, the calls in flight fail as
 * network errors (a send maps them to `retryAfter`) and the next call starts a new one. Payloads
 * that carry a file upload (an `InputFile`) cannot cross to the worker and are sent by the
 * caller's own `Api`.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { GrammyError, HttpError } from 'grammy';

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
  /** Stops the workers; a later call still goes through, on a worker that ends once idle. */
  close(): Promise<void>;
}

// Plain CommonJS evaluated in the worker: no TypeScript loader needed there. The HTTP client is
// the lean fetch of http.ts (grammY only reads `ok`, `status`, `json()` and `text()`).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Api, GrammyError, HttpError } = require(workerData.grammy);
const { autoRetry } = require(workerData.autoRetry);
const https = workerData.apiRoot.startsWith('https:');
const lib = require(https ? 'node:https' : 'node:http');
const agent = new lib.Agent({ keepAlive: true, maxSockets: workerData.maxSockets });
const abortError = () => Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
const fetch = (url, init = {}) =>
  new Promise((resolve, reject) => {
    const signal = init.signal;
    if (signal && signal.aborted) return reject(abortError());
    const headers = { ...(init.headers || {}) };
    if (typeof init.body === 'string') headers['content-length'] = Buffer.byteLength(init.body);
    const req = lib.request(url, { method: init.method || 'GET', headers, agent });
    const onAbort = () => req.destroy(abortError());
    if (signal) signal.addEventListener('abort', onAbort);
    const done = () => signal && signal.removeEventListener('abort', onAbort);
    req.on('error', (err) => (done(), reject(err)));
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', (err) => (done(), reject(err)));
      res.on('end', () => {
        done();
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode || 0;
        resolve({ ok: status >= 200 && status < 300, status, text: async () => text, json: async () => JSON.parse(text) });
      });
    });
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
const client = { apiRoot: workerData.apiRoot, timeoutSeconds: 60, fetch };
const retried = new Api(workerData.token, client);
// Network errors are rethrown rather than retried: auto-retry retries them without a bound.
retried.config.use(autoRetry({ maxRetryAttempts: workerData.maxRetryAttempts, maxDelaySeconds: workerData.maxDelaySeconds, rethrowHttpErrors: true }));
const direct = new Api(workerData.token, client);
parentPort.on('message', async (m) => {
  try {
    const result = await (m.direct ? direct : retried).raw[m.method](m.payload);
    // A sent message comes back whole (its text, entities, keyboard); the caller reads only its
    // ids, and copying the rest between threads costs the event loop for nothing.
    const slim = result && typeof result === 'object' && 'message_id' in result
      ? { message_id: result.message_id, chat: { id: result.chat.id }, ...(result.poll ? { poll: { id: result.poll.id } } : {}) }
      : result;
    parentPort.postMessage({ id: m.id, result: slim });
  } catch (err) {
    if (err instanceof GrammyError)
      parentPort.postMessage({ id: m.id, telegram: { error_code: err.error_code, description: err.description, parameters: err.parameters } });
    else if (err instanceof HttpError)
      parentPort.postMessage({ id: m.id, network: { message: err.message, cause: String(err.error && err.error.message || err.error) } });
    else parentPort.postMessage({ id: m.id, network: { message: 'Telegram: ' + (err && err.message || err), cause: String(err) } });
  }
});
`;

type Answer =
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
  const require = createRequire(import.meta.url);
  const data = {
    token: options.token,
    apiRoot: options.apiRoot,
    maxRetryAttempts: options.maxRetryAttempts,
    maxDelaySeconds: options.maxDelaySeconds,
    maxSockets: options.maxSockets ?? 32,
    grammy: require.resolve('grammy'),
    autoRetry: require.resolve('@grammyjs/auto-retry'),
  };
  const pending = new Map<number, Pending>();
  const workers: (Worker | undefined)[] = Array.from({ length: Math.max(1, options.threads ?? 2) }, () => undefined);
  let turn = 0;
  let closed = false;
  let nextId = 1;

  const start = (slot: number): Worker => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: data });
    // Never keeps the process alive on its own.
    w.unref();
    w.on('message', (m: Answer) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
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
    return w;
  };

  return {
    call<T>(method: string, payload: Record<string, unknown>, opts: { direct?: boolean } = {}): Promise<T> {
      // Round robin: the calls of one chat are made one after another by the caller anyway.
      const slot = turn++ % workers.length;
      const w = (workers[slot] ??= start(slot));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { worker: w, method, payload, resolve: resolve as (v: unknown) => void, reject });
        w.postMessage({ id, method, payload, direct: opts.direct === true });
      });
    },
    warm() {
      workers.forEach((w, slot) => (workers[slot] = w ?? start(slot)));
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
