/**
 * Backups and restores of the one SQLite file, safe while the service runs.
 *
 * Why SQLite's online backup API (better-sqlite3's `db.backup()`) and not `cp`: the service
 * writes all the time, and in WAL mode the newest commits live in `loa.sqlite-wal` until a
 * checkpoint copies them back. Copying the two files one after the other can pair a database
 * file with a WAL from another moment. The backup API copies the pages of one read
 * transaction: a snapshot of one instant, with every commit before it and none after.
 *
 * - The copy runs on a worker thread with its own connection, in one step, so the server's
 *   event loop never waits for it and no commit in between can make SQLite start it over.
 * - It is written to `<file>.partial` and renamed at the end: a file with the final name is
 *   always whole. Its journal mode is set back to DELETE, so the backup is one self-contained
 *   file that can be copied anywhere.
 * - A restore first proves the file is a Loa database (integrity check, the expected tables,
 *   not from a newer Loa), refuses while a service uses the data directory, keeps the database
 *   it replaces as `loa.sqlite.before-restore-<time>`, and removes the old `-wal`/`-shm`.
 *
 * Deliveries that were in flight when the backup was taken are in the copy as `sending`;
 * after a restore the outbox's start-up recovery marks them `unknown`, exactly as after a
 * crash, so nobody is sent a campaign twice (test/db/backup.test.ts shows it end to end).
 */
import { withTimeout } from '../time/timeout.js';
import Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { chmodSync, chownSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { formatVietnamTime, nextVietnamTime } from '../time/vietnam.js';
import { acquireServiceLock, judgeServiceMarker, markerLockFields, SERVICE_LOCK, type ServiceLock, type ServiceMarker } from './service-lock.js';

/** The database file's name inside `LOA_DATA_DIR`. */
export const DB_FILE = 'loa.sqlite';
/** The marker a running service keeps in `LOA_DATA_DIR` (see {@link installServiceMarker}). */
export const SERVICE_MARKER = 'loa.pid';
/** Tables every Loa database has; a file without them is not one. */
export const REQUIRED_TABLES = ['schema_migrations', 'people', 'subscriptions', 'messages', 'campaigns', 'deliveries', 'users', 'audit'] as const;

/** Where backups go by default: `LOA_DATA_DIR/backups`. */
export function backupDir(dataDir: string): string {
  return join(dataDir, 'backups');
}

/** Vietnam wall-clock time as it goes into file names: `2026-11-25-0230`. */
function stamp(now: Date): string {
  return formatVietnamTime(now, 'yyyy-MM-dd-HHmm');
}

/** `path`, or `path` with `-2`, `-3` … before the extension when it exists already. */
function freePath(path: string, ext = ''): string {
  if (!existsSync(path)) return path;
  const base = ext && path.endsWith(ext) ? path.slice(0, -ext.length) : path;
  for (let i = 2; ; i++) if (!existsSync(`${base}-${i}${ext}`)) return `${base}-${i}${ext}`;
}

/**
 * The default backup file: `backups/loa-<time>.sqlite` (manual) or
 * `backups/loa-daily-<time>.sqlite` (scheduled; only those are pruned), in Vietnam time.
 *
 * @example defaultBackupPath('data', new Date('2026-11-24T19:30:00Z')) // 'data/backups/loa-2026-11-25-0230.sqlite'
 */
export function defaultBackupPath(dataDir: string, now: Date, kind: 'manual' | 'daily' = 'manual'): string {
  return freePath(join(backupDir(dataDir), `loa-${kind === 'daily' ? 'daily-' : ''}${stamp(now)}.sqlite`), '.sqlite');
}

// Plain CommonJS evaluated in the worker (as db/checkpoint.ts): no TypeScript loader needed.
// One step copies every page inside one read transaction: a consistent snapshot that a commit
// by the server cannot restart.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
(async () => {
  const src = new Database(workerData.source, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 10000');
    const r = await src.backup(workerData.target, { progress: (p) => p.remainingPages || 1 });
    parentPort.postMessage({ pages: r.totalPages });
  } finally {
    src.close();
  }
})().catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;

/** Backup files: the owner (Loa's user) reads and writes, its group reads, nobody else. */
export const BACKUP_MODE = 0o640;

/** What {@link backupDatabase} made. */
export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
}

/**
 * Copies the database at `source` (the service may be running on it) to `target`, which must
 * not exist yet. The result is a whole, self-contained SQLite file, or nothing.
 *
 * @example await backupDatabase('data/loa.sqlite', 'data/backups/loa-2026-11-25-0230.sqlite')
 */
export async function backupDatabase(source: string, target: string): Promise<BackupResult> {
  // Staff read these through `loa backup`: Vietnamese, with the fix.
  if (!existsSync(source)) throw new Error(`Chưa có cơ sở dữ liệu tại ${source}: kiểm tra LOA_DATA_DIR (phải giống của dịch vụ).`);
  if (existsSync(target)) throw new Error(`Tệp ${target} đã có: chọn tên khác cho --out.`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlite, source, target: partial } });
  try {
    const res = await new Promise<{ pages?: number; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`Không sao lưu được: luồng sao lưu dừng với mã ${code}`)));
    });
    if (res.error !== undefined) throw new Error(`Không sao lưu được: ${res.error}`);
    // One file, not a WAL pair: a backup is something people copy around.
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    // Citizens' personal data: never readable by every account on the machine, whatever the
    // umask of the shell that ran `loa backup` (sudo keeps 022; only the unit sets 0027).
    chmodSync(partial, BACKUP_MODE);
    syncFile(partial);
    renameSync(partial, target);
    return { file: target, bytes: statSync(target).size, pages: res.pages ?? 0 };
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    await worker.terminate();
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What {@link checkLoaDatabase} found. */
export interface DatabaseCheck {
  ok: boolean;
  /** Vietnamese sentences staff can read, empty when ok. */
  problems: string[];
  /** The highest migration applied in the file. */
  schemaVersion?: number;
  /** A few counts to show staff what they are restoring. */
  counts?: { people: number; campaigns: number; campaignsSending: number; deliveriesInFlight: number };
  /** The Zalo token pair is in the file: after a restore it may be one Zalo has rotated since. */
  hasZaloTokens?: boolean;
}

/** The highest migration number this version of Loa ships. */
export function latestMigration(): number {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
  return Math.max(0, ...readdirSync(dir).filter((f) => /^\d{3}_.*\.sql$/.test(f)).map((f) => Number(f.slice(0, 3))));
}

/**
 * Proves that `path` is a whole Loa database this version can run: SQLite's integrity check,
 * the tables every Loa database has, and a schema no newer than this Loa's migrations. The
 * file is opened read-only and left as it was. The problems name it `file` (default `path`):
 * the restore checks a working copy and names the file it was given.
 */
export function checkLoaDatabase(path: string, file = path): DatabaseCheck {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    return { ok: false, problems: [`không mở được ${file}: ${(err as Error).message}`] };
  }
  try {
    let integrity: string[];
    try {
      integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    } catch (err) {
      // Most often a backup still compressed or encrypted for its trip off the machine (deploy.md suggests gpg).
      if ((err as { code?: string }).code === 'SQLITE_NOTADB')
        return { ok: false, problems: [`${file} không phải là tệp cơ sở dữ liệu SQLite: có thể là tệp khác, hoặc bản sao lưu còn nén hay mã hoá (.gz, .zip, .gpg): giải nén, giải mã trước rồi khôi phục tệp .sqlite`] };
      return { ok: false, problems: [`${file} không phải là tệp cơ sở dữ liệu SQLite (${(err as Error).message})`] };
    }
    if (integrity.join() !== 'ok') return { ok: false, problems: [`${file} bị hỏng (PRAGMA integrity_check): ${integrity.slice(0, 3).join('; ')}`] };
    const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name));
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
    if (missing.length) return { ok: false, problems: [`${file} không phải là cơ sở dữ liệu của Loa: thiếu bảng ${missing.join(', ')}`] };
    const schemaVersion = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
    const problems: string[] = [];
    if (schemaVersion > latestMigration())
      problems.push(`${file} được tạo bởi phiên bản Loa mới hơn (lược đồ ${schemaVersion}, bản này đến ${latestMigration()}): hãy cập nhật Loa trước rồi khôi phục`);
    const n = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    return {
      ok: problems.length === 0,
      problems,
      schemaVersion,
      counts: {
        people: n('SELECT COUNT(*) AS n FROM people'),
        campaigns: n('SELECT COUNT(*) AS n FROM campaigns'),
        campaignsSending: n(`SELECT COUNT(*) AS n FROM campaigns WHERE status = 'sending'`),
        deliveriesInFlight: n(`SELECT COUNT(*) AS n FROM deliveries WHERE status = 'sending'`),
      },
      hasZaloTokens: tables.has('zalo_tokens') && n('SELECT COUNT(*) AS n FROM zalo_tokens') > 0,
    };
  } finally {
    db.close();
  }
}

/** The service marker's content. */
type Marker = ServiceMarker;

/** How long a marker written on another host (another container) counts as alive. */
const MARKER_FRESH_MS = 90_000;
const MARKER_TOUCH_MS = 30_000;

/**
 * Keeps `LOA_DATA_DIR/loa.pid` while the service runs, so that `loa restore` can tell that a
 * service is using this data directory: the process id and host name, and a modification
 * time touched every 30 s (for a restore run from another container on the same volume, where
 * the process id means nothing). Removed on a clean stop; after a crash the free lock of
 * `loa start` (db/service-lock.ts), the dead process id or the stale time (another machine)
 * shows it is left over.
 */
export function installServiceMarker(
  hooks: { onStart: (fn: () => void) => void; onStop: (fn: () => void) => void },
  dataDir: string,
  now: () => Date = () => new Date(),
  logger?: Pick<Logger, 'warn'>,
): void {
  const file = join(dataDir, SERVICE_MARKER);
  let timer: NodeJS.Timeout | undefined;
  hooks.onStart(() => {
    // With the lock `loa start` holds, if it does: see db/service-lock.ts.
    const marker: Marker = { pid: process.pid, host: hostname(), startedAt: now().toISOString(), ...markerLockFields(dataDir) };
    try {
      writeFileSync(file, `${JSON.stringify(marker)}\n`);
    } catch (err) {
      // A full disk (ENOSPC): the start went on to here, and the marker is the lesser guard
      // (the lock on loa.lock is held, the port answers). Throwing here crashed the start
      // half-way, with the server already listening, in a loop of restarts that never answered
      // anyone; now the service runs, /healthz says the disk is full, and the webhooks are
      // redelivered once there is room (db/disk.ts).
      try {
        rmSync(file, { force: true }); // what a full disk let through: half a line
      } catch {
        // Not a file (nothing of ours to remove).
      }
      logger?.warn({ err, file }, 'service: could not write the service marker (loa.pid); loa restore relies on the lock and the HTTP port');
      return;
    }
    timer = setInterval(() => {
      try {
        const t = new Date();
        utimesSync(file, t, t);
      } catch {
        // Removed by hand: the restore check falls back to the HTTP port.
      }
    }, MARKER_TOUCH_MS).unref();
  });
  hooks.onStop(() => {
    if (timer) clearInterval(timer);
    try {
      const m = JSON.parse(readFileSync(file, 'utf8')) as Marker;
      if (m.pid === process.pid && m.host === hostname()) rmSync(file, { force: true });
    } catch {
      // Already gone.
    }
  });
}

/** Whether a Loa service is using a data directory, and how that was seen. */
export type ServiceState = { running: false } | { running: true; how: string };

/**
 * Looks for a service using `dataDir`: the lock `loa start` holds and its marker (see
 * db/service-lock.ts: a process id in a marker left by a crash may belong to anyone by now),
 * then, when `dataDir` holds a database, the configured HTTP address answering `/healthz` as
 * Loa does. `ignorePid`: `loa start` passes its own id, so that its own lock does not count,
 * nor a marker with its id left by a crash (a container restarted after a crash gives Loa the
 * same one). `ownLock`: the lock this process holds does not count (a restore holding it).
 */
export async function detectRunningService(dataDir: string, http?: { host: string; port: number }, opts: { ignorePid?: number; ownLock?: boolean } = {}): Promise<ServiceState> {
  const file = join(dataDir, SERVICE_MARKER);
  let marker: { m: Marker; mtimeMs: number } | undefined;
  try {
    marker = { m: JSON.parse(readFileSync(file, 'utf8')) as Marker, mtimeMs: statSync(file).mtimeMs };
  } catch {
    // No marker, or an unreadable one: the lock, then the port below.
  }
  const how = judgeServiceMarker(dataDir, marker?.m, { file, mtimeMs: marker?.mtimeMs ?? 0, dbFile: DB_FILE, ignorePid: opts.ignorePid, ownLock: opts.ownLock, freshMs: MARKER_FRESH_MS });
  if (how) return { running: true, how };
  // Only for a folder that has a database: a service always has one in its data folder, and the
  // port says nothing about which folder its service uses (a restore tried into a new folder
  // beside the running service, as docs/deploy.md suggests, was refused for the service's port).
  if (http && http.port > 0 && existsSync(join(dataDir, DB_FILE))) {
    const host = http.host === '0.0.0.0' || http.host === '::' ? '127.0.0.1' : http.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${http.port}/healthz`;
    try {
      // withTimeout, not AbortSignal.timeout: see time/timeout.ts (exit 13 in the ops trial).
      const { res, body } = await withTimeout(1500, async (signal) => {
        const res = await fetch(url, { signal });
        return { res, body: (await res.json().catch(() => null)) as { channels?: unknown } | null };
      });
      // 503 too: /healthz answers it while a channel is not connected, and Loa is running all the same.
      if ((res.ok || res.status === 503) && body && typeof body === 'object' && 'channels' in body) return { running: true, how: `${url} đang trả lời` };
    } catch {
      // Nothing listening, or nothing that answers.
    }
  }
  return { running: false };
}

/** Refusals and failures of a restore, with a Vietnamese message for staff. */
export class RestoreError extends Error {
  override name = 'RestoreError';
}

/** What {@link restoreDatabase} did. */
export interface RestoreResult {
  /** Where the database that was replaced now is, if there was one. */
  previous?: string;
  check: DatabaseCheck;
}

/**
 * Puts the backup `file` in place as `dataDir/loa.sqlite`. Refused (with a {@link RestoreError})
 * when the file is not a sound Loa database or when a service uses `dataDir`. The database it
 * replaces is kept as `loa.sqlite.before-restore-<time>` (its WAL merged into it first).
 */
export async function restoreDatabase(o: { dataDir: string; file: string; http?: { host: string; port: number }; now?: Date }): Promise<RestoreResult> {
  if (!existsSync(o.file)) throw new RestoreError(`Không tìm thấy tệp ${o.file}.`);
  // The service lock for the whole restore: checking it was not enough, a `loa start` (systemd
  // restarting the service, an officer starting it too early) could begin between the check and
  // the rename, open the old database or a half-placed one and migrate it. Holding it, such a
  // start is refused as beside a running service, until the restore is done.
  const lock = holdForRestore(o.dataDir);
  try {
    return await restoreLocked(o);
  } finally {
    lock?.release();
  }
}

const stopFirst = 'Hãy dừng dịch vụ trước (systemctl stop loa, hoặc docker compose stop loa) rồi chạy lại lệnh khôi phục.';

/**
 * Takes the service lock of `dataDir` for a restore; refuses (RestoreError) when a service holds
 * it. Null where the file system has no locks (some network mounts): the marker and the port
 * checks still apply. A lock file it creates as root is given to the data folder's owner, so
 * that the service (its own user) can still take it.
 */
function holdForRestore(dataDir: string): ServiceLock | null {
  const file = join(dataDir, SERVICE_LOCK);
  const created = !existsSync(file);
  let lock: ServiceLock | null;
  try {
    lock = acquireServiceLock(dataDir, { waitMs: 0 });
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).path === 'string') throw err; // said by main.ts with the path
    return null;
  }
  if (!lock) throw new RestoreError(`Loa đang chạy trên thư mục dữ liệu ${dataDir} (một tiến trình khác giữ khoá ${file}). ${stopFirst}`);
  if (created && process.getuid?.() === 0) {
    const { uid, gid } = statSync(dataDir);
    chownSync(file, uid, gid);
  }
  return lock;
}

async function restoreLocked(o: { dataDir: string; file: string; http?: { host: string; port: number }; now?: Date }): Promise<RestoreResult> {
  const now = o.now ?? new Date();
  // Our own lock does not count; a marker or a port still may (another machine, an older Loa).
  const service = await detectRunningService(o.dataDir, o.http, { ownLock: true });
  if (service.running) throw new RestoreError(`Loa đang chạy trên thư mục dữ liệu ${o.dataDir} (${service.how}). ${stopFirst}`);
  mkdirSync(o.dataDir, { recursive: true });
  const dbFile = join(o.dataDir, DB_FILE);
  // Work on a copy in the data directory: what is checked is exactly what is put in place, and
  // the final rename stays on one file system.
  const incoming = join(o.dataDir, `${DB_FILE}.restoring`);
  rmSync(incoming, { force: true });
  copyFileSync(o.file, incoming);
  // A copy of a stopped service's database may come with its WAL: merge it, and make the file
  // one self-contained database as `loa backup` writes them (the service sets WAL again).
  if (existsSync(`${o.file}-wal`)) copyFileSync(`${o.file}-wal`, `${incoming}-wal`);
  try {
    const db = new Database(incoming, { fileMustExist: true });
    try {
      db.pragma('journal_mode = DELETE');
    } finally {
      db.close();
    }
  } catch {
    // Not a database: the check below says so.
  }
  const dropSidecars = (): void => {
    rmSync(`${incoming}-wal`, { force: true });
    rmSync(`${incoming}-shm`, { force: true });
  };
  dropSidecars();
  // Named as the officer typed it, not as the working copy.
  const check = checkLoaDatabase(incoming, o.file);
  dropSidecars();
  if (!check.ok) {
    rmSync(incoming, { force: true });
    throw new RestoreError(`Không khôi phục: ${check.problems.join('; ')}.`);
  }
  syncFile(incoming);

  let previous: string | undefined;
  if (existsSync(dbFile)) {
    // Merge the old WAL into the old file, so the kept copy is whole on its own.
    try {
      const old = new Database(dbFile, { fileMustExist: true });
      try {
        old.pragma('busy_timeout = 5000');
        old.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        old.close();
      }
    } catch {
      // A damaged database (maybe why we restore): keep its WAL beside it, below.
    }
    previous = freePath(join(o.dataDir, `${DB_FILE}.before-restore-${stamp(now)}`));
    renameSync(dbFile, previous);
    const wal = `${dbFile}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) renameSync(wal, `${previous}-wal`);
  }
  // A WAL or shared-memory file of the old database must never be paired with the new one.
  rmSync(`${dbFile}-wal`, { force: true });
  rmSync(`${dbFile}-shm`, { force: true });
  // Run as root (`sudo loa restore`, not `sudo -u loa`): the copy would belong to root and the
  // service, running as the data folder's owner, could not write it. Give it to that owner.
  if (process.getuid?.() === 0) {
    const { uid, gid } = statSync(o.dataDir);
    chownSync(incoming, uid, gid);
  }
  renameSync(incoming, dbFile);
  return { previous, check };
}

/** How far ahead of the clock a file's time may be before it counts as written by a clock that ran ahead. */
const AHEAD_MS = 10 * 60_000;

/**
 * A backup's time for ordering: its modification time, or, when that is later than now (taken
 * while the clock ran ahead: a VM whose host keeps local time, a wrong year at boot, since set
 * right by NTP), a time before every other backup: it was taken before the clock was set right,
 * so before every backup taken since. Ordered by their own time, such files stayed "the newest"
 * until real time caught up with them (for a year, with a wrong year): each pruning removed the
 * real newest backups around them, and the start's catch-up and the doctor took them for fresh.
 */
export function backupOrderTime(mtimeMs: number, now: number): number {
  return mtimeMs > now + AHEAD_MS ? mtimeMs - 1e15 : mtimeMs;
}

/** Daily backups that are kept: the newest `keep` `loa-daily-*.sqlite`; returns what was removed. */
export function pruneDailyBackups(dir: string, keep: number, now = Date.now()): string[] {
  if (!existsSync(dir)) return [];
  const at = (f: string): number => backupOrderTime(statSync(join(dir, f)).mtimeMs, now);
  const daily = readdirSync(dir)
    .filter((f) => /^loa-daily-\d{4}-\d{2}-\d{2}-\d{4}(-\d+)?\.sqlite$/.test(f))
    .sort((a, b) => at(a) - at(b) || a.localeCompare(b));
  const removed = daily.slice(0, Math.max(0, daily.length - keep));
  for (const f of removed) rmSync(join(dir, f), { force: true });
  return removed;
}

/** Options of {@link installDailyBackups}. */
export interface DailyBackupOptions {
  dataDir: string;
  /** Daily backups kept (`LOA_BACKUP_KEEP`); 0 turns them off. */
  keep: number;
  /** Vietnam time of day, `HH:MM` (`LOA_BACKUP_TIME`). */
  at: string;
  logger: Logger;
  now?: () => Date;
  /**
   * Free space to leave on the disk after the copy (`LOA_MIN_FREE_MB`): a daily backup that
   * would take the disk under it is not taken (see {@link takeDailyBackup}). 0 or absent: only
   * the copy's own size counts.
   */
  minFreeMb?: number;
  /** Free bytes on the disk of a folder (tests inject one); default `statfs`. */
  freeBytes?: (dir: string) => number;
}

function statfsFreeBytes(dir: string): number {
  try {
    const st = statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return Number.POSITIVE_INFINITY; // unknown: the copy is tried, and fails by itself if it must
  }
}

const sizeOrZero = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/**
 * Whether the next daily copy fits, making room first by removing the oldest daily backups down
 * to `keep - 1` (what pruning after the copy would remove anyway; never the last one). A copy
 * that filled the disk took the service's own database writes with it (SQLite "database or disk
 * is full" on the messages being recorded) until the copy failed and was removed.
 */
function roomForDailyBackup(o: DailyBackupOptions): { ok: true } | { ok: false; freeMb: number; needMb: number } {
  const db = join(o.dataDir, DB_FILE);
  const need = sizeOrZero(db) + sizeOrZero(`${db}-wal`) + Math.max(0, o.minFreeMb ?? 0) * 2 ** 20;
  const free = (): number => (o.freeBytes ?? statfsFreeBytes)(o.dataDir);
  if (free() >= need) return { ok: true };
  if (o.keep >= 2) pruneDailyBackups(backupDir(o.dataDir), o.keep - 1, (o.now?.() ?? new Date()).getTime());
  const after = free();
  return after >= need ? { ok: true } : { ok: false, freeMb: Math.floor(after / 2 ** 20), needMb: Math.ceil(need / 2 ** 20) };
}

/** Taken at start when the newest daily backup is older than this (the machine was off at night). */
const CATCH_UP_AFTER_MS = 26 * 3_600_000;
const CATCH_UP_DELAY_MS = 10 * 60_000;

/**
 * Takes one daily backup now and prunes the old ones; failures are logged, never thrown (the
 * service goes on). Returns the file, or undefined when it failed.
 */
export async function takeDailyBackup(o: DailyBackupOptions): Promise<string | undefined> {
  const now = o.now?.() ?? new Date();
  try {
    const room = roomForDailyBackup(o);
    if (!room.ok) {
      o.logger.error(
        { freeMb: room.freeMb, neededMb: room.needMb, minFreeMb: o.minFreeMb ?? 0 },
        'backup: daily backup skipped: the copy would leave the disk under LOA_MIN_FREE_MB and the service needs that space for its own writes; free space in LOA_DATA_DIR (copy old backups elsewhere, then delete them)',
      );
      return undefined;
    }
    const r = await backupDatabase(join(o.dataDir, DB_FILE), defaultBackupPath(o.dataDir, now, 'daily'));
    const removed = pruneDailyBackups(backupDir(o.dataDir), o.keep, now.getTime());
    o.logger.info({ file: r.file, bytes: r.bytes, removed: removed.length }, 'backup: daily backup written');
    return r.file;
  } catch (err) {
    o.logger.error({ err }, 'backup: daily backup failed; check free space and permissions in LOA_DATA_DIR/backups');
    return undefined;
  }
}

/**
 * With the service: the marker `loa restore` looks for, and a backup every day at `at`
 * (Vietnam time) keeping the newest `keep`. If the newest daily backup is more than 26 hours
 * old at start (an office machine switched off at night), one is taken 10 minutes after start.
 * Timers never keep the process alive and are cleared on stop.
 *
 * @example installDailyBackups(app, { dataDir: config.dataDir, keep: 7, at: '02:30', logger })
 */
export function installDailyBackups(hooks: { onStart: (fn: () => void) => void; onStop: (fn: () => Promise<void> | void) => void }, o: DailyBackupOptions): void {
  installServiceMarker(hooks, o.dataDir, o.now, o.logger);
  if (o.keep <= 0) return;
  const [hour = 2, minute = 30] = o.at.split(':').map(Number);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = takeDailyBackup(o).finally(() => {
        const now = o.now?.() ?? new Date();
        schedule(nextVietnamTime(now, hour, minute).getTime() - now.getTime());
      });
    }, ms);
    timer.unref();
  };
  hooks.onStart(() => {
    const now = o.now?.() ?? new Date();
    const dir = backupDir(o.dataDir);
    const newest = existsSync(dir)
      ? Math.max(0, ...readdirSync(dir).filter((f) => f.startsWith('loa-daily-') && f.endsWith('.sqlite')).map((f) => backupOrderTime(statSync(join(dir, f)).mtimeMs, now.getTime())))
      : 0;
    const next = nextVietnamTime(now, hour, minute).getTime() - now.getTime();
    schedule(now.getTime() - newest > CATCH_UP_AFTER_MS ? Math.min(CATCH_UP_DELAY_MS, next) : next);
  });
  hooks.onStop(async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  });
}

