/**
 * Which process runs the service on a data folder: a lock that dies with its process.
 *
 * `loa start` used to trust the process id in `LOA_DATA_DIR/loa.pid`. After a crash (`kill -9`,
 * the OOM killer, a power cut) the file stays behind, and a process id is reused: at the next
 * boot the id of the dead Loa may belong to sshd, to another Node program, or, under systemd's
 * `ProtectProc=invisible`, to a process this account cannot even see. Start then refused until
 * someone removed the file by hand, which a restart on failure at 3 a.m. cannot do.
 *
 * A running `loa start` therefore holds an exclusive lock on `LOA_DATA_DIR/loa.lock`, taken
 * through SQLite (an open `BEGIN EXCLUSIVE` transaction: a POSIX `fcntl` write lock on the file,
 * which Node cannot take by itself). The kernel releases such a lock when the process ends, for
 * whatever reason, so there is nothing to clean up after a crash, and it works across Docker
 * containers that share the volume on one machine (one kernel, one lock table). Why not the
 * alternatives:
 * - `/proc/<pid>/cmdline` says that a process is Node, not which data folder it serves (two
 *   Loa instances, or any other Node program, look alike), and is hidden by `ProtectProc`.
 * - `flock(2)` needs a native addon or the `flock` program; SQLite is already loaded and its
 *   locking is what guards the database itself.
 * - Locking `loa.sqlite` itself: in WAL mode its locks are per transaction, and an exclusive
 *   locking mode would shut out `loa backup`, `loa doctor` and every other command beside the
 *   service.
 *
 * `loa.pid` stays, for the messages (which process) and for a service on another machine that
 * shares the folder over the network, where the lock cannot be relied on: its marker says it
 * holds the lock and on which boot of which kernel (`/proc/sys/kernel/random/boot_id`, shared by
 * the containers of one machine and new at every boot).
 *
 * The lock must stay referenced for the life of the process: a garbage-collected connection
 * closes its file, and the lock with it (it lives in this module's map).
 */
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** The lock file's name inside `LOA_DATA_DIR`. */
export const SERVICE_LOCK = 'loa.lock';

/** The service marker's content (`LOA_DATA_DIR/loa.pid`, written by installServiceMarker). */
export interface ServiceMarker {
  pid: number;
  host: string;
  startedAt: string;
  /** Set when the writing process held {@link SERVICE_LOCK}: the lock, not the pid, then says whether it runs. */
  lock?: string;
  /** The kernel boot the marker was written in (Linux). */
  boot?: string;
}

/** A lock this process holds (see {@link acquireServiceLock}). */
export interface ServiceLock {
  /** The lock file. */
  readonly file: string;
  /** Lets the lock go (idempotent); the process ending does it as well. */
  release(): void;
}

/** Locks held by this process, by lock file: the connections must stay referenced. */
const held = new Map<string, Database.Database>();

/** This kernel's boot id (Linux), or undefined where there is none. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function lockFile(dataDir: string): string {
  return resolve(dataDir, SERVICE_LOCK);
}

const isBusy = (err: unknown): boolean => /^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown })?.code ?? ''));

/**
 * Takes the service lock of `dataDir` (creating the folder and the file if needed). Returns
 * null when another process holds it: a service runs on this folder. Waits up to `waitMs`
 * first, since a command checking the lock holds it for an instant. Throws the file system's
 * error (with its path) when the file cannot be written, and SQLite's when locking is not
 * possible there.
 *
 * @example
 * const lock = acquireServiceLock(config.dataDir);
 * if (!lock) return refuse();
 * try { await serve(); } finally { lock.release(); }
 */
export function acquireServiceLock(dataDir: string, opts: { waitMs?: number; remade?: boolean } = {}): ServiceLock | null {
  const file = lockFile(dataDir);
  if (held.has(file)) return null;
  mkdirSync(dataDir, { recursive: true });
  // Said by the file system with its path (an account that may not write here), not as SQLite's
  // bare "unable to open database file".
  closeSync(openSync(file, 'a'));
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(opts.waitMs ?? 2000))}`);
    // A table, so that the file is a database of one page and holding the lock writes no journal.
    db.exec('CREATE TABLE IF NOT EXISTS service_lock (note TEXT)');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if (isBusy(err)) return null;
    if ((err as { code?: string }).code === 'SQLITE_NOTADB' && !opts.remade) {
      // Not a database (something else written over it): no Loa can hold it; made again, once.
      rmSync(file, { force: true });
      return acquireServiceLock(dataDir, { ...opts, remade: true });
    }
    throw err;
  }
  held.set(file, db);
  return {
    file,
    release: () => {
      if (held.get(file) !== db) return;
      held.delete(file);
      try {
        db.close();
      } catch {
        // Closed already: the lock is gone either way.
      }
    },
  };
}

/** Whether this process holds the service lock of `dataDir`. */
export function holdsServiceLock(dataDir: string): boolean {
  return held.has(lockFile(dataDir));
}

/**
 * Who holds the service lock of `dataDir`: `ours` (this process), `other` (another process: a
 * service runs), `free`, or `unknown` (the file cannot be read, or locks do not work there).
 * Never creates the file (a `sudo loa restore` must not leave a root-owned one behind) and never
 * waits.
 */
export function serviceLockState(dataDir: string): 'ours' | 'other' | 'free' | 'unknown' {
  const file = lockFile(dataDir);
  if (held.has(file)) return 'ours';
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    // No file: no service that takes the lock ever ran here.
    return (err as { code?: string }).code === 'SQLITE_CANTOPEN' && !exists(file) ? 'free' : 'unknown';
  }
  try {
    db.pragma('busy_timeout = 0');
    // A read needs a shared lock, which the holder's exclusive lock refuses.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return 'free';
  } catch (err) {
    return isBusy(err) ? 'other' : 'unknown';
  } finally {
    db.close();
  }
}

function exists(file: string): boolean {
  try {
    closeSync(openSync(file, 'r'));
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** The fields a marker written now carries besides pid, host and time. */
export function markerLockFields(dataDir: string): Pick<ServiceMarker, 'lock' | 'boot'> {
  return holdsServiceLock(dataDir) ? { lock: SERVICE_LOCK, boot: bootId() } : {};
}

/**
 * Whether the process `pid` of this machine has `dataDir`'s database open, as its service does
 * (`/proc/<pid>/fd`): `yes`, `no` (not alive, no database in the folder, or none of its files is
 * the database), or `unknown` when its files cannot be seen (another account's process under
 * systemd's `ProtectProc=invisible`, not Linux). A reused process id is `no` when it can be seen.
 */
export function pidUsesDatabase(pid: number, dataDir: string, dbFile: string): 'yes' | 'no' | 'unknown' {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return 'no';
  }
  let db: string;
  try {
    db = realpathSync(join(dataDir, dbFile));
  } catch {
    return 'no'; // no database in the folder: no service uses it (a service always has it open)
  }
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 'unknown';
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target === db || target === `${db}-wal`) return 'yes';
    } catch {
      // Closed meanwhile.
    }
  }
  return 'no';
}

/**
 * For a marker written without the lock (a Loa older than it, a test app): whether its process
 * serves `dataDir`. When its files cannot be seen, a live Node process counts, as before.
 */
function legacyPidServes(pid: number, dataDir: string, dbFile: string): boolean {
  const uses = pidUsesDatabase(pid, dataDir, dbFile);
  if (uses !== 'unknown') return uses === 'yes';
  try {
    return /node|loa|tsx/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * Whether the marker `m` of `dataDir` shows a running service, and how (undefined: left over).
 * With the lock: another process holding it is a service, whatever the marker says; a marker
 * written by a lock holder on this kernel is then left over when the lock is free (a crash, a
 * power cut: the process id in it is not looked at, it may be anyone's by now). A marker of
 * another machine counts while it is touched (every 30 s). `ignorePid`: `loa start` passes its
 * own, and its own lock does not count; `ownLock` (a restore holding the lock) only the latter.
 */
export function judgeServiceMarker(
  dataDir: string,
  m: ServiceMarker | undefined,
  o: { file: string; mtimeMs: number; dbFile: string; ignorePid?: number; ownLock?: boolean; freshMs: number; now?: number },
): string | undefined {
  const lock = serviceLockState(dataDir);
  const who = m && m.host === hostname() ? `tiến trình ${m.pid}` : m ? `máy/container ${m.host}` : 'một tiến trình khác';
  if (lock === 'other') return `${who} giữ khoá ${lockFile(dataDir)}`;
  if (lock === 'ours' && !o.ownLock && o.ignorePid !== process.pid) return `tiến trình ${process.pid} giữ khoá ${lockFile(dataDir)}`;
  if (!m) return undefined;
  const boot = bootId();
  const thisKernel = m.boot && boot ? m.boot === boot : m.host === hostname();
  if (m.boot && boot && m.boot !== boot && m.host === hostname()) return undefined; // written before the last reboot
  if (thisKernel) {
    if (m.pid === o.ignorePid) return undefined;
    if (m.lock && lock !== 'unknown') {
      // The lock is free. Its holder is gone, unless someone deleted loa.lock by hand under a
      // running service (a habit from the old pid file): then its process still has the
      // database open, which is said when it can be seen; a process id that cannot be seen
      // is not held against the start (the reason for the lock).
      return pidUsesDatabase(m.pid, dataDir, o.dbFile) === 'yes' ? `tiến trình ${m.pid} đang mở cơ sở dữ liệu này; tệp khoá ${lockFile(dataDir)} đã bị xoá trong lúc nó chạy` : undefined;
    }
    return legacyPidServes(m.pid, dataDir, o.dbFile) ? `tiến trình ${m.pid}, tệp ${o.file}` : undefined;
  }
  return (o.now ?? Date.now()) - o.mtimeMs < o.freshMs ? `máy/container ${m.host}, tệp ${o.file} vừa được cập nhật` : undefined;
}
