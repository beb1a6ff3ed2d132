/**
 * WAL checkpoints on a worker thread, so the server's event loop never waits on `fsync`.
 *
 * In WAL mode a commit appends pages to the `-wal` file; a checkpoint copies them back into the
 * database file and, unless `synchronous = OFF`, syncs both files. SQLite runs that checkpoint
 * inside whichever commit crosses `wal_autocheckpoint` (1,000 pages), so with better-sqlite3 it
 * happens on the main thread: on this machine every ~50th webhook update stalled the whole
 * process for 10–30 ms (two `fsync`s), which alone set the webhook's p99 at any load, and it
 * cost ~125 µs of wall time per small commit on average.
 *
 * Here the main connection turns automatic checkpoints off and a worker thread, with its own
 * connection to the same file, runs `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`. A
 * passive checkpoint never blocks readers or writers, and one with nothing to copy costs next
 * to nothing. Durability is unchanged: commits are as durable as `synchronous` makes them, and
 * the checkpoint syncs exactly as SQLite's own would. If the worker cannot start or dies,
 * automatic checkpoints are switched back on, so the WAL never grows without bound.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Db } from './index.js';

/** Options of {@link startBackgroundCheckpoints}. */
export interface BackgroundCheckpointOptions {
  /** Time between passive checkpoints (default 200 ms: the WAL stays a few MB at 1,000 updates/s). */
  intervalMs?: number;
  /** The `synchronous` level of the worker's connection; a checkpoint syncs according to it. */
  synchronous?: 'NORMAL' | 'FULL';
  /** Told when the worker failed and automatic checkpoints were switched back on. */
  onFallback?: (err: Error) => void;
}

/** A running background checkpointer. */
export interface BackgroundCheckpoints {
  /** Stops the worker (after its current checkpoint) and closes its connection. */
  stop(): Promise<void>;
}

/** SQLite's default `wal_autocheckpoint`, restored when the worker fails. */
const AUTO_CHECKPOINT_PAGES = 1000;

// Plain CommonJS evaluated in the worker: no TypeScript loader needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('synchronous = ' + workerData.synchronous);
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // SQLITE_BUSY/LOCKED: another checkpoint is running; try again next time.
    if (!/busy|locked/i.test(String(err && err.message))) throw err;
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage('ready');
`;

/**
 * Moves WAL checkpoints of the database file behind `db` to a worker thread. Call once, right
 * after opening; {@link BackgroundCheckpoints.stop} before closing `db`.
 *
 * @example
 * const db = openDb('data/loa.sqlite');
 * const checkpoints = startBackgroundCheckpoints(db);
 * // … on shutdown:
 * await checkpoints.stop();
 * db.close();
 */
export function startBackgroundCheckpoints(db: Db, options: BackgroundCheckpointOptions = {}): BackgroundCheckpoints {
  if (db.memory) throw new Error('db: background checkpoints need a database file, not :memory:');
  const mode = String(db.pragma('journal_mode', { simple: true }));
  if (mode !== 'wal') throw new Error(`db: background checkpoints need journal_mode=WAL (it is ${mode})`);
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { sqlite, file: db.name, intervalMs: options.intervalMs ?? 200, synchronous: options.synchronous ?? 'NORMAL' },
  });
  // Never keeps the process alive on its own.
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');

  let stopping = false;
  const fallback = (err: Error): void => {
    if (stopping || !db.open) return;
    db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    options.onFallback?.(err);
  };
  worker.on('error', fallback);
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      if (code !== 0) fallback(new Error(`db: the checkpoint worker exited with code ${code}`));
      resolve();
    }),
  );

  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      worker.postMessage('stop');
      await exited;
      // Back to SQLite's own checkpoints for whatever still uses the connection.
      if (db.open) db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    },
  };
}
