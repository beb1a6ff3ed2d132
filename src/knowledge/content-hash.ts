/**
 * The content hash at start-up without reading the content: a stat cache, as git's index is.
 *
 * Checking the snapshot needs the hash of every content file ({@link hashContent}); at 10,000
 * passages (1,270 files, 30 MB) reading and hashing them took about 0.3 s of every start, on
 * the main thread and again on the search thread. The cache, a small file in the data dir,
 * keeps the list of files with each one's size, modification and change times (ns) and device
 * and inode, next to the hash they had. When every file still stats the same, that hash is
 * given without reading a byte; on any doubt (a file added, removed or renamed, any stat field
 * different, no cache or an unreadable one, another content dir) the files are hashed again.
 *
 * Why a stat can be trusted: every write changes the change time (ctime), and ctime cannot be
 * set from user space (`touch` and `utimes` set the modification time, and set ctime to now).
 * A changed file therefore stats differently, even when its size is the same and its mtime was
 * put back. The one exception is a write in the same tick of the file system's clock as the
 * stat that was recorded (timestamps are coarse: a few ms on Linux): git calls such an entry
 * "racily clean". A file changed less than {@link SETTLE_MS} before the hash is therefore
 * never trusted: while one is, the cache is not written, and the next start hashes again.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { contentFiles, hashContent } from './content.js';

/**
 * How long ago (ms) a file's last change must be for its stat to be trusted. Far above the
 * file systems' timestamp granularity (ms on Linux, 2 s for FAT's mtime); a clock skew between
 * this machine and a network file system's server larger than this would defeat it.
 */
export const SETTLE_MS = 3_000;

/** The cache file's version: a cache of another version is ignored. */
const VERSION = 1;

interface Cache {
  v: number;
  /** The content dir, absolute: a data dir used with another content dir does not match. */
  dir: string;
  hash: string;
  /** Per file, in {@link contentFiles} order: the relative path, then the stat fields. */
  files: string[][];
}

/** Options of {@link hashContentCached}. */
export interface HashCacheOptions {
  /** Write the cache when the files were hashed (default true; false for a reader such as the search thread). */
  write?: boolean;
  /** The clock (ms since the epoch) that says whether a file changed too recently to be trusted; tests move it. */
  now?: () => number;
}

/** A file's stat as recorded: size, mtime and ctime in ns, device and inode. */
function statOf(dir: string, file: string): { entry: string[]; changedNs: bigint } {
  const s = statSync(file, { bigint: true });
  const changedNs = s.mtimeNs > s.ctimeNs ? s.mtimeNs : s.ctimeNs;
  return { entry: [relative(dir, file), String(s.size), String(s.mtimeNs), String(s.ctimeNs), String(s.dev), String(s.ino)], changedNs };
}

function readCache(file: string): Cache | undefined {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Partial<Cache>;
    return c.v === VERSION && typeof c.dir === 'string' && typeof c.hash === 'string' && Array.isArray(c.files) ? (c as Cache) : undefined;
  } catch {
    return undefined;
  }
}

function sameFiles(a: string[][], b: string[][]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!Array.isArray(y) || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/**
 * The content hash of `dir`, the same as {@link hashContent} gives, from the stat cache in
 * `cacheFile` when no content file changed since it was written; else hashed, and the cache
 * written for the next start (unless a file changed within {@link SETTLE_MS}).
 *
 * @example
 * const hash = hashContentCached('content', 'data/content-hash.json');
 */
export function hashContentCached(dir: string, cacheFile: string, opts: HashCacheOptions = {}): string {
  const abs = resolve(dir);
  // Stated before anything is read: a file changed after its stat was taken stats differently
  // next time, so the cache never pairs an old stat with new bytes it did not hash.
  const stats = contentFiles(dir).map((f) => statOf(dir, f));
  const files = stats.map((s) => s.entry);
  const cached = readCache(cacheFile);
  if (cached && cached.dir === abs && sameFiles(files, cached.files)) return cached.hash;
  const hash = hashContent(dir);
  if (opts.write === false) return hash;
  const settledBeforeNs = BigInt(Math.floor((opts.now ?? Date.now)() - SETTLE_MS)) * 1_000_000n;
  // Racily clean files: not cached, so the next start hashes them again.
  if (stats.some((s) => s.changedNs >= settledBeforeNs)) return hash;
  // Written under a name of its own and renamed: the build thread may write it at the same time.
  const tmp = `${cacheFile}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ v: VERSION, dir: abs, hash, files } satisfies Cache));
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only or full data dir: the next start hashes again, which is only slower.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do.
    }
  }
  return hash;
}
