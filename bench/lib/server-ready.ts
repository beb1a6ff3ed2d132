/**
 * The first two messages of a forked bench/lib/telegram-app.ts: `{ url }` once it listens, then
 * `{ ready: true }` once its search thread is ready. One listener takes both: two IPC messages
 * read together are emitted in one go, before an await could add a second listener.
 */
import type { ChildProcess } from 'node:child_process';

/**
 * Resolves with the server's URL once it listens; `ready` resolves when its search thread is
 * ready (at once when `threaded` is false: a server without one never says so).
 *
 * @example
 * const { url, ready } = await listening(child, 'chat bench');
 * await ready; // measure answers from here
 */
export function listening(child: ChildProcess, label: string, threaded = true): Promise<{ url: string; ready: Promise<void> }> {
  let readyNow: () => void = () => {};
  const ready = new Promise<void>((resolve) => (readyNow = resolve));
  if (!threaded) readyNow();
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      const x = m as { url?: string; ready?: boolean };
      if (x.url) resolve({ url: x.url, ready });
      if (x.ready || (x.url && !threaded)) {
        readyNow();
        child.off('message', onMessage);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${label}: the server exited (${code}) before listening`)));
  });
}
