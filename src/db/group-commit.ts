/**
 * Group commit: writes queued during one turn of the event loop share one transaction.
 *
 * A SQLite commit in WAL mode appends every page the transaction touched to the WAL. The
 * messages table and its indexes put each new row on the same few pages, so ten events
 * committed one by one write those pages ten times; committed together, once. Under load
 * (many webhooks arriving in the same turn) this cuts the commit cost per event several times;
 * alone, an event waits only until `setImmediate`, i.e. no timer and no extra I/O round.
 *
 * (Spacing commits at least 1 ms apart, to batch more at 1,000 updates/s, was tried and
 * measured: no CPU saved on the server's main thread, and the median latency rose by 3–4 ms.)
 *
 * The writes of a batch run straight in the shared transaction. If one throws, the whole
 * transaction is rolled back and the batch runs again with each write in its own savepoint, so
 * only the write that threw is rejected (a savepoint per write, always, cost about a fifth of
 * the commit). The promise of a write resolves only after the shared transaction has committed.
 *
 * Writes nobody waits on to answer a request (the log of a reply already sent, the processed
 * mark) can be queued with `later`: they ride along with the next commit, or are committed
 * after `laterMs` at most. At 1,000 updates/s that halves the commits per update; the cost is
 * that a crash loses those few milliseconds of records, so an event whose reply went out just
 * before the crash is processed again at start-up (which the inbox allows for anyway).
 */
import type { Db } from './index.js';

/** A group commit on one connection. */
export interface GroupCommit {
  /**
   * Runs `fn` (synchronous SQL) in the next shared transaction, committed at the end of this
   * turn of the event loop. Resolves with its result once that transaction is committed;
   * rejects with its error, or with the commit's.
   *
   * @example
   * const id = await group.run(() => recordInbound(db, inbound, personId));
   */
  run<T>(fn: () => T): Promise<T>;
  /**
   * Like {@link GroupCommit.run}, but the write may wait up to `laterMs` for other writes to
   * share its commit.
   *
   * @example
   * await group.later(() => markProcessed(db, id));
   */
  later<T>(fn: () => T): Promise<T>;
  /** Commits what is queued now, synchronously (shutdown, tests). */
  flush(): void;
}

/** Options of {@link createGroupCommit}. */
export interface GroupCommitOptions {
  /** Longest wait of a write queued with `later` (default 5 ms). */
  laterMs?: number;
}

interface Queued {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; value: unknown };

/** Creates a group commit on `db`. */
export function createGroupCommit(db: Db, options: GroupCommitOptions = {}): GroupCommit {
  const laterMs = options.laterMs ?? 5;
  let queue: Queued[] = [];
  let immediate: NodeJS.Immediate | undefined;
  let timer: NodeJS.Timeout | undefined;

  // Straight: one transaction, the writes in it without savepoints (the common case).
  const straight = db.transaction((batch: Queued[]): Outcome[] => batch.map((q) => ({ ok: true, value: q.fn() })));
  // After a write threw: each write in its own savepoint, so it fails alone.
  const inSavepoint = db.transaction((fn: () => unknown) => fn());
  const isolated = db.transaction((batch: Queued[]): Outcome[] =>
    batch.map((q) => {
      try {
        return { ok: true, value: inSavepoint(q.fn) };
      } catch (err) {
        return { ok: false, value: err };
      }
    }),
  );

  const flush = (): void => {
    if (immediate) clearImmediate(immediate);
    if (timer) clearTimeout(timer);
    immediate = timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = straight(batch);
    } catch {
      try {
        outcomes = isolated(batch);
      } catch (err) {
        for (const q of batch) q.reject(err);
        return;
      }
    }
    batch.forEach((q, i) => (outcomes[i]!.ok ? q.resolve(outcomes[i]!.value) : q.reject(outcomes[i]!.value)));
  };

  const enqueue = <T>(fn: () => T, soon: boolean): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (soon) immediate ??= setImmediate(flush);
      else if (!immediate) timer ??= setTimeout(flush, laterMs);
    });

  return {
    run: (fn) => enqueue(fn, true),
    later: (fn) => enqueue(fn, false),
    flush,
  };
}
