/**
 * The worker side of the Telegram sender thread (send-thread.ts): a grammY `Api` with
 * auto-retry and one without, over the lean fetch of http.ts, answering `{ id, method,
 * payload }` messages. Errors go back as plain data (`telegram` for a GrammyError, `network`
 * otherwise) and become the same error classes again on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Api, GrammyError, HttpError } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';
import { createLeanFetch } from './http.js';
import type { FromSendThread, SendThreadData, ToSendThread } from './send-thread.js';

const data = workerData as SendThreadData;
const port = parentPort!;
if (data.retryWaitScale !== 1) scaleAutoRetryWaits(data.retryWaitScale);
// grammY reads `ok`, `status`, `json()` and `text()` of what fetch returns: the lean fetch's shape.
const client = { apiRoot: data.apiRoot, timeoutSeconds: 60, fetch: createLeanFetch(data.apiRoot, data.maxSockets) as unknown as typeof fetch };
const retried = new Api(data.token, client);
// Network errors are rethrown rather than retried: auto-retry retries them without a bound.
retried.config.use(autoRetry({ maxRetryAttempts: data.maxRetryAttempts, maxDelaySeconds: data.maxDelaySeconds, rethrowHttpErrors: true }));
const direct = new Api(data.token, client);

const post = (m: FromSendThread): void => port.postMessage(m);

/**
 * A sent message comes back whole (its text, entities, keyboard); the caller reads only its ids,
 * and copying the rest between threads costs the event loop for nothing.
 */
function slim(result: unknown): unknown {
  if (!result || typeof result !== 'object' || !('message_id' in result)) return result;
  const m = result as { message_id: number; chat: { id: number }; poll?: { id: string } };
  return { message_id: m.message_id, chat: { id: m.chat.id }, ...(m.poll ? { poll: { id: m.poll.id } } : {}) };
}

port.on('message', async (m: ToSendThread) => {
  try {
    const api = m.direct ? direct : retried;
    const call = (api.raw as unknown as Record<string, (payload: Record<string, unknown>) => Promise<unknown>>)[m.method]!;
    post({ id: m.id, result: slim(await call(m.payload)) });
  } catch (err) {
    if (err instanceof GrammyError)
      post({ id: m.id, telegram: { error_code: err.error_code, description: err.description, parameters: err.parameters } });
    else if (err instanceof HttpError) {
      const cause = err.error as { message?: string } | undefined;
      post({ id: m.id, network: { message: err.message, cause: String(cause?.message || cause) } });
    } else post({ id: m.id, network: { message: `Telegram: ${(err as Error)?.message || err}`, cause: String(err) } });
  }
});

// Loaded (tsx, grammY, the HTTP client): calls posted from now on leave at once.
post({ ready: true });

/**
 * Tests only (send-thread.ts, `autoRetryWaits`): auto-retry's waits, and only those, take
 * `scale` times as long. They are the timers this thread's `setTimeout` is asked for from inside
 * the auto-retry package (its `pause`); grammY's own request timeout and everything else keep
 * their delays.
 */
function scaleAutoRetryWaits(scale: number): void {
  const real = globalThis.setTimeout;
  const fromAutoRetry = /[\\/]@grammyjs[\\/]auto-retry[\\/]/;
  globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
    real(fn, fromAutoRetry.test(new Error().stack ?? '') ? (ms ?? 0) * scale : ms, ...args)) as typeof setTimeout;
}
