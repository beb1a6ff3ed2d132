/**
 * The Bot API's HTTP calls on a worker thread, behind the same `fetch` slice grammY uses
 * (http.ts), so the server's event loop spends its time on webhooks, the database and the
 * conversation instead of on outgoing HTTP.
 *
 * Every reply Loa sends is one HTTPS request, and every button press adds an
 * `answerCallbackQuery`. On Node, building a request, writing it and parsing the answer costs
 * about 170 µs of CPU per call (http.ts): at 1,000 updates/s that alone is a third of the main
 * thread. Here the main thread posts `{ url, method, headers, body }` to the worker (a few µs)
 * and gets `{ status, text }` back; the worker keeps its own kept-alive connections. grammY
 * (and `@grammyjs/auto-retry`) still run on the main thread and see an ordinary response, so
 * errors, 429s and retries behave exactly as with the in-thread fetch.
 *
 * A body that is not a string (a file upload streamed as multipart) goes through the in-thread
 * lean fetch. If the worker dies, the calls in flight fail as network errors (a send maps them
 * to `retry`) and the next call starts a new worker.
 */
import { Worker } from 'node:worker_threads';
import { createLeanFetch, type LeanFetch, type LeanInit, type LeanResponse } from './http.js';

// Plain CommonJS evaluated in the worker: no TypeScript loader needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const https = workerData.apiRoot.startsWith('https:');
const lib = require(https ? 'node:https' : 'node:http');
const agent = new lib.Agent({ keepAlive: true, maxSockets: workerData.maxSockets });
const inflight = new Map();
const fail = (id, err) => {
  inflight.delete(id);
  parentPort.postMessage({ id, error: { name: err.name, message: err.message, code: err.code } });
};
parentPort.on('message', (m) => {
  if (m.abort !== undefined) {
    const req = inflight.get(m.abort);
    if (req) req.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
    return;
  }
  const { id, url, method, headers, body } = m;
  if (typeof body === 'string') headers['content-length'] = Buffer.byteLength(body);
  let req;
  try {
    req = lib.request(url, { method, headers, agent });
  } catch (err) {
    return fail(id, err);
  }
  inflight.set(id, req);
  req.on('error', (err) => fail(id, err));
  req.on('response', (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('error', (err) => fail(id, err));
    res.on('end', () => {
      inflight.delete(id);
      parentPort.postMessage({ id, status: res.statusCode || 0, text: Buffer.concat(chunks).toString('utf8') });
    });
  });
  req.end(body);
});
`;

interface Pending {
  resolve: (r: LeanResponse) => void;
  reject: (err: Error) => void;
  done: () => void;
}

type WorkerAnswer = { id: number; status: number; text: string } | { id: number; error: { name: string; message: string; code?: string } };

/** A fetch whose requests run on a worker thread; `close()` stops the worker (a later call starts another). */
export interface ThreadedFetch extends LeanFetch {
  close(): Promise<void>;
}

/**
 * Creates a fetch for `apiRoot` whose requests run on a worker thread.
 *
 * @example new Bot(token, { client: { apiRoot, fetch: createThreadedFetch(apiRoot) as never } })
 */
export function createThreadedFetch(apiRoot: string, maxSockets = 64): ThreadedFetch {
  const inThread = createLeanFetch(apiRoot, maxSockets);
  const pending = new Map<number, Pending>();
  let worker: Worker | undefined;
  let nextId = 1;

  const failAll = (err: Error): void => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.done();
      p.reject(err);
    }
  };

  const start = (): Worker => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { apiRoot, maxSockets } });
    // Never keeps the process alive on its own; an idle worker costs nothing.
    w.unref();
    w.on('message', (m: WorkerAnswer) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      p.done();
      if ('error' in m) p.reject(Object.assign(new Error(m.error.message), { name: m.error.name, code: m.error.code }));
      else {
        const { status, text } = m;
        p.resolve({ ok: status >= 200 && status < 300, status, text: async () => text, json: async () => JSON.parse(text) as unknown });
      }
    });
    const gone = (err: Error): void => {
      if (worker === w) worker = undefined;
      failAll(err);
    };
    w.on('error', (err) => gone(new Error(`Telegram: the HTTP worker failed (${err.message})`)));
    w.on('exit', (code) => gone(new Error(`Telegram: the HTTP worker exited with code ${code}`)));
    return w;
  };

  const threaded = (url: string, init: LeanInit = {}): Promise<LeanResponse> => {
    const body = init.body;
    if ((body !== undefined && body !== null && typeof body !== 'string')) return inThread(url, init);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError());
    worker ??= start();
    const w = worker;
    const id = nextId++;
    return new Promise<LeanResponse>((resolve, reject) => {
      const onAbort = (): void => {
        // The worker destroys the request; its error answer then finds nothing pending.
        w.postMessage({ abort: id });
        if (pending.delete(id)) {
          done();
          reject(abortError());
        }
      };
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      signal?.addEventListener('abort', onAbort);
      pending.set(id, { resolve, reject, done });
      w.postMessage({ id, url, method: init.method ?? 'GET', headers: { ...(init.headers ?? {}) }, body: body ?? undefined });
    });
  };

  return Object.assign(threaded, {
    // Stops the worker; a later call starts a new one.
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  });
}

function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}
