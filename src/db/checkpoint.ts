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
 * to nothing.
 *
 * SQLite rewinds the WAL (writes again from its start) only when a write begins after a
 * checkpoint copied all of it. Under a steady stream of commits the worker never catches up
 * with the last commit, and the WAL grew by about 20 MB a second at 1,000 updates/s. So when a
 * passive checkpoint leaves the WAL longer than `rewindFrames`, the worker asks the main
 * connection, the only writer, to finish the job between two of its transactions: a passive
 * checkpoint of the few frames added since (with its sync, a few ms at most, about once per
 * 64 MB written), after which its next write rewinds the WAL. (Done from the worker instead, a
 * truncating checkpoint holds the write lock, and the main thread's transactions that had
 * already read failed with SQLITE_BUSY.) Durability is unchanged: commits are as durable as `synchronous` makes them, and
 * the checkpoint syncs exactly as SQLite's own would. If the worker cannot start or dies,
 * automatic checkpoints are switched back on, so the WAL never grows without bound.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Db } from './index.js';

/** Options of {@link startBackgroundCheckpoints}. */
export interface BackgroundCheckpointOptions {
  /** Time between passive checkpoints (default 200 ms). */
  intervalMs?: number;
  /** WAL size (pages) past which the main connection is asked to rewind it (default 16,384: 64 MB with 4 KB pages). */
  rewindFrames?: number;
  /** The `synchronous` level of the worker's connection; a checkpoint syncs according to it. */
  synchronous?: 'NORMAL' | 'FULL';
  /** Told when the worker failed and automatic checkpoints were switched back on. */
  onFallback?: (err: Error) => void;
}

/** A running background checkpointer. */
export interface BackgroundCheckpoints {
  /** How often the worker asked the main connection to rewind the WAL, and how often it could. */
  readonly rewinds: { asked: number; done: number };
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
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // Copied up to the last commit, but the WAL is large: the writer may rewind it (see below).
    if (r && r.busy === 0 && r.log > workerData.rewindFrames) parentPort.postMessage('rewind');
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
    workerData: { sqlite, file: db.name, intervalMs: options.intervalMs ?? 200, rewindFrames: options.rewindFrames ?? 16384, synchronous: options.synchronous ?? 'NORMAL' },
  });
  // Never keeps the process alive on its own.
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');

  let stopping = false;
  const rewinds = { asked: 0, done: 0 };
  const fallback = (err: Error): void => {
    if (stopping || !db.open) return;
    db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    options.onFallback?.(err);
  };
  worker.on('error', fallback);
  worker.on('message', (m: unknown) => {
    if (m !== 'rewind' || stopping || !db.open || db.inTransaction) return;
    rewinds.asked++;
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      if (r && r.busy === 0 && r.log === r.checkpointed) rewinds.done++;
    } catch {
      // The worker asks again after its next checkpoint.
    }
  });
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      if (code !== 0) fallback(new Error(`db: the checkpoint worker exited with code ${code}`));
      resolve();
    }),
  );

  return {
    rewinds,
    async stop() {
      if (stopping) return exited;
      stopping = true;
      // Held alive until it has exited: unref'd, a process with nothing else left to do ended
      // while this awaited the exit (Node's exit code 13, an unsettled await), before the
      // database was closed (measured: the admin bench's test app, stopped outside vitest).
      worker.ref();
      worker.postMessage('stop');
      await exited;
      // Back to SQLite's own checkpoints for whatever still uses the connection.
      if (db.open) db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    },
  };
}
