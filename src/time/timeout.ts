/**
 * A time limit for one request that keeps the process alive while it waits.
 *
 * `AbortSignal.timeout()` runs on an unref'd timer: in a CLI process with nothing else to do, a
 * request to a server that accepts and never answers leaves the event loop empty, and Node ends
 * with exit code 13 ("unsettled top-level await") without a word, before the limit is reached.
 * Seen in the ops trial: `loa start` and `loa restore` against a listener on this machine's port
 * 2024. Here the timer is a normal one, cleared as soon as the work ends.
 *
 * @example
 * const res = await withTimeout(1500, (signal) => fetch(url, { signal }));
 */
export async function withTimeout<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const c = new AbortController();
  const timer = setTimeout(() => c.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  try {
    return await run(c.signal);
  } finally {
    clearTimeout(timer);
  }
}
