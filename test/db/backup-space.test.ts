/**
 * The daily backup on a nearly full disk (db/backup.ts takeDailyBackup). It copied whatever the
 * free space: on a disk with room for the copy but not for the copy and the service's writes,
 * the copy took the last megabytes, and the service's own records failed with "database or disk
 * is full" until the copy failed in turn and was removed. Now the oldest daily backups make room
 * first (never the last one), and a copy that still would not leave LOA_MIN_FREE_MB is skipped
 * with an error in the log (and `loa doctor` warns after two days without one).
 */
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { upsertPerson } from '../../src/db/people.js';
import { DB_FILE, takeDailyBackup } from '../../src/db/backup.js';
import { tempDir } from '../support/app.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const MB = 2 ** 20;

/** A data folder with a database of a few hundred kB and daily backups of 1 MB each, oldest first. */
function folder(dailies: number): { dataDir: string; dbBytes: number; backups: string } {
  const { dir, cleanup } = tempDir('loa-backup-space-');
  cleanups.push(cleanup);
  const db = openDb(join(dir, DB_FILE));
  for (let i = 0; i < 2000; i++) upsertPerson(db, 'telegram', `p${i}`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const backups = join(dir, 'backups');
  mkdirSync(backups);
  for (let i = 0; i < dailies; i++) {
    const f = join(backups, `loa-daily-2026-12-0${i + 1}-0230.sqlite`);
    writeFileSync(f, Buffer.alloc(MB));
    const t = new Date(Date.UTC(2026, 11, i + 1));
    utimesSync(f, t, t);
  }
  return { dataDir: dir, dbBytes: statSync(join(dir, DB_FILE)).size, backups };
}

/** A disk of `total` bytes holding the backups folder's files and `other` bytes of anything else. */
const disk = (backups: string, total: number, other: number) => (): number =>
  total - other - readdirSync(backups).reduce((n, f) => n + statSync(join(backups, f)).size, 0);

function logs(): { logger: Logger; lines: { level: number; msg: string; freeMb?: number }[] } {
  const lines: { level: number; msg: string }[] = [];
  return { logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }) as unknown as Logger, lines };
}

describe('daily backup and free space', () => {
  it('skipped, with an error, when the copy would leave less than LOA_MIN_FREE_MB and no old backup can make room', async () => {
    const { dataDir, dbBytes, backups } = folder(1);
    const { logger, lines } = logs();
    // Room for the copy, not for the copy and the 500 MB the service keeps for itself.
    const freeBytes = disk(backups, 10_000 * MB, 10_000 * MB - MB - 400 * MB - dbBytes);
    const file = await takeDailyBackup({ dataDir, keep: 7, at: '02:30', logger, minFreeMb: 500, freeBytes, now: () => new Date('2026-12-08T19:30:00Z') });
    expect(file).toBeUndefined();
    expect(readdirSync(backups)).toEqual(['loa-daily-2026-12-01-0230.sqlite']); // the old one kept, no new one, no .partial
    const err = lines.find((l) => l.msg.startsWith('backup: daily backup skipped'));
    expect(err?.level).toBe(50);
    expect(err?.freeMb).toBe(400);
  });

  it('makes room by removing the oldest daily backups first (down to keep - 1), then copies', async () => {
    const { dataDir, dbBytes, backups } = folder(3);
    const { logger } = logs();
    // With the three old backups there is no room; without the oldest one there is.
    const freeBytes = disk(backups, 10_000 * MB, 10_000 * MB - 3 * MB - 500 * MB - dbBytes + MB / 2);
    const file = await takeDailyBackup({ dataDir, keep: 3, at: '02:30', logger, minFreeMb: 500, freeBytes, now: () => new Date('2026-12-08T19:30:00Z') });
    expect(file).toBeDefined();
    expect(existsSync(file!)).toBe(true);
    expect(readdirSync(backups).sort()).toEqual(['loa-daily-2026-12-02-0230.sqlite', 'loa-daily-2026-12-03-0230.sqlite', 'loa-daily-2026-12-09-0230.sqlite']);
  });

  it('with room enough, nothing is removed before the copy', async () => {
    const { dataDir, backups } = folder(2);
    const { logger } = logs();
    const file = await takeDailyBackup({ dataDir, keep: 7, at: '02:30', logger, minFreeMb: 500, freeBytes: () => 50_000 * MB, now: () => new Date('2026-12-08T19:30:00Z') });
    expect(file).toBeDefined();
    expect(readdirSync(backups)).toHaveLength(3);
  });
});
