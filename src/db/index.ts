/**
 * The one store: a SQLite file opened with better-sqlite3 in WAL mode.
 *
 * Migrations are numbered SQL files in `migrations/` (`NNN_name.sql`); each runs once, inside a
 * transaction, in number order. Feature areas own number ranges so that parallel work does
 * not collide: 001–009 core, 010–019 telegram, 020–029 zalo, 030–039 campaigns, 040–049
 * quizzes, 050–059 admin.
 */
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The database handle used everywhere (`db/` modules take it as their first argument). */
export type Db = Database.Database;

/** The numbered `.sql` migrations shipped with this version. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Options of {@link openDb}. */
export interface OpenDbOptions {
  /** Where migration files are read from (tests may add their own). */
  migrationsDir?: string;
  /**
   * `PRAGMA synchronous` (default NORMAL). In WAL mode NORMAL loses nothing when the process
   * crashes, but the last commits before an OS crash or power loss may be lost (the database
   * stays consistent); FULL syncs the WAL on every commit, which survives power loss at the
   * price of an `fsync` per commit on the writing thread. `LOA_DB_SYNCHRONOUS` sets it.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /**
   * Size the WAL file is cut back to when SQLite rewinds it (default 64 MB), so that the space
   * a burst of commits took is given back (see src/db/checkpoint.ts on rewinding).
   */
  walSizeLimit?: number;
}

/**
 * Opens (creating if needed) the database at `file` (or `:memory:`), sets WAL, foreign keys
 * and a busy timeout, and applies pending migrations.
 *
 * @example const db = openDb('data/loa.sqlite');
 */
export function openDb(file: string, options: OpenDbOptions = {}): Db {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true });
    // A folder Loa may not write to (e.g. a Docker bind mount owned by root) fails here with
    // its path (main.ts explains it), not as SQLite's bare "unable to open database file".
    accessSync(dirname(file), constants.W_OK);
    // A database a `loa` command run as root created: SQLite opens it and fails only at its first
    // write, in the middle of the start ("attempt to write a readonly database"). Said here, with
    // the folder to give back to Loa's account (main.ts `unwritable`).
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      if (!existsSync(f)) continue;
      try {
        accessSync(f, constants.W_OK);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw Object.assign(new Error(`db: ${f} is not writable by this account (${e.code}); give ${dirname(file)} back to the account running Loa`), { code: e.code, path: dirname(file) });
      }
    }
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last
  // commits), and much faster than FULL for the many small writes of webhooks and the outbox.
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma(`journal_size_limit = ${options.walSizeLimit ?? 64 * 2 ** 20}`);
  const dir = options.migrationsDir ?? MIGRATIONS_DIR;
  const applied = migrate(db, dir);
  opened.set(db, { applied, newer: newerMigrations(db, dir) });
  cacheStatements(db);
  return db;
}

/** What {@link openDb} did to the schema: the migrations it applied, and those it does not know. */
export interface MigrationReport {
  /** File names of the migrations applied by this open, in order (empty: none were pending). */
  applied: string[];
  /**
   * Migrations recorded in the database that this version does not ship: the database was used
   * by a newer Loa (an update rolled back without restoring the backup taken before it).
   */
  newer: string[];
}

const opened = new WeakMap<Db, MigrationReport>();

/**
 * What opening `db` did to its schema, for `loa start` to log (an update's migrations are then
 * in the journal); undefined for a handle {@link openDb} did not open.
 */
export function migrationReport(db: Db): MigrationReport | undefined {
  return opened.get(db);
}

/** The migrations recorded in `db` that `dir` does not have, as `NNN_name.sql`. */
function newerMigrations(db: Db, dir: string): string[] {
  const known = new Set(readdirSync(dir).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).map((f) => Number(f.slice(0, 3))));
  const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as { version: number; name: string }[];
  return rows.filter((r) => !known.has(r.version)).map((r) => r.name);
}

/**
 * Makes `db.prepare(sql)` return a cached statement for SQL it has seen. The db modules call
 * `prepare` inside their functions (clear to read); compiling the same SQL ~10 times per
 * message cost about 12% of the webhook path's CPU. Statements are reentrant for run/get/all;
 * no module uses `.iterate()`, which would hold a statement busy.
 */
function cacheStatements(db: Db): void {
  const cache = new Map<string, Database.Statement>();
  const prepare = db.prepare.bind(db);
  (db as { prepare: (sql: string) => Database.Statement }).prepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      if (cache.size < 2000) cache.set(sql, stmt);
    }
    return stmt;
  };
}

/** Applies every migration in `dir` not yet recorded in `schema_migrations`. */
export function migrate(db: Db, dir: string): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  const seen = new Map<number, string>();
  for (const f of files) {
    const version = Number(f.slice(0, 3));
    const other = seen.get(version);
    if (other) throw new Error(`db: migrations ${other} and ${f} share number ${version}; renumber one`);
    seen.set(version, f);
    if (done.has(version)) continue;
    const sql = readFileSync(join(dir, f), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        version,
        f,
        new Date().toISOString(),
      );
    })();
    applied.push(f);
  }
  return applied;
}

/** The current time as an ISO string; the one format for timestamps in the database. */
export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}
