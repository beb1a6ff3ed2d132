/** A pino logger whose lines a test can read (start-up messages, retries, the first admin's password). */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** A logger at `level` that keeps every line it writes in `lines`. */
export function captureLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger: Logger = pino({ level }, stream);
  return { logger, lines };
}

/** Fails the test instead of hanging when a promise does not settle in time. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_r, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref())]);
}
