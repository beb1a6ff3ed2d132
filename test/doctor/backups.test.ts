/**
 * `loa doctor` and the backups (doctor.ts backupCheck). A daily backup that fails (a full disk,
 * the backups folder not writable) was only logged, and the doctor said "✓ Dữ liệu: … 0 bản sao
 * lưu hằng ngày" with daily backups off or failing for weeks: the officer learnt it on the day
 * the disk died. Measured on a data folder whose last backup was 5 days old: no warning before.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConfig } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/index.js';
import { backupCheck } from '../../src/doctor/doctor.js';
import { testBot } from '../support/app.js';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const NOW = new Date('2026-12-08T03:00:00Z'); // 10:00 in Vietnam
const DAY = 86_400_000;

/** A data folder whose database was first migrated `ageDays` ago, with backups of the given ages (days). */
function folder(o: { ageDays: number; backups?: Record<string, number>; keep: number }): { config: ReturnType<typeof createConfig>; db: Db } {
  const dataDir = mkdtempSync(join(tmpdir(), 'loa-doctor-backups-'));
  dirs.push(dataDir);
  const db = openDb(join(dataDir, 'loa.sqlite'));
  dbs.push(db);
  db.prepare('UPDATE schema_migrations SET applied_at = ?').run(new Date(NOW.getTime() - o.ageDays * DAY).toISOString());
  mkdirSync(join(dataDir, 'backups'));
  for (const [name, age] of Object.entries(o.backups ?? {})) {
    const f = join(dataDir, 'backups', name);
    writeFileSync(f, 'x');
    const t = new Date(NOW.getTime() - age * DAY);
    utimesSync(f, t, t);
  }
  const config = createConfig({ LOA_DATA_DIR: dataDir, LOA_BACKUP_KEEP: String(o.keep) }, testBot);
  return { config, db };
}

describe('loa doctor: backups', () => {
  it('daily backups on, the newest 5 days old (they have been failing): a warning with where to look', () => {
    const { config, db } = folder({ ageDays: 40, keep: 7, backups: { 'loa-daily-2026-12-03-0230.sqlite': 5, 'loa-daily-2026-12-02-0230.sqlite': 6 } });
    const r = backupCheck(config, db, NOW);
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('không có bản nào trong 2 ngày qua: bản mới nhất là');
    expect(r?.message).toContain('loa-daily-2026-12-03-0230.sqlite (10:00 03/12/2026, 5 ngày trước)');
    expect(r?.fix).toContain("journalctl -u loa | grep 'backup:'");
    expect(r?.fix).toContain('chép thư mục backups sang một máy hoặc ổ khác');
  });

  it('a backup dated later than now (taken while the clock ran ahead) is not taken for a fresh one', () => {
    // Taken with the clock a year ahead, then NTP set it right and daily backups kept failing:
    // the doctor said ✓ for a year, on the strength of that one file.
    const { config, db } = folder({ ageDays: 40, keep: 7, backups: { 'loa-daily-2027-12-01-0230.sqlite': -358, 'loa-daily-2026-12-03-0230.sqlite': 5 } });
    const r = backupCheck(config, db, NOW);
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('loa-daily-2026-12-03-0230.sqlite (10:00 03/12/2026, 5 ngày trước)');
  });

  it('daily backups off and no copy taken otherwise: a warning saying how to turn them on', () => {
    const { config, db } = folder({ ageDays: 40, keep: 0 });
    const r = backupCheck(config, db, NOW);
    expect(r?.status).toBe('warn');
    expect(r?.message).toBe(`sao lưu hằng ngày đang tắt (LOA_BACKUP_KEEP=0) và chưa có bản sao lưu nào trong ${join(config.dataDir, 'backups')}`);
    expect(r?.fix).toContain('LOA_BACKUP_KEEP=7');
  });

  it('a recent backup is fine, whether daily or taken by `loa backup` from cron', () => {
    const daily = folder({ ageDays: 40, keep: 7, backups: { 'loa-daily-2026-12-08-0230.sqlite': 0.3 } });
    expect(backupCheck(daily.config, daily.db, NOW)).toMatchObject({ status: 'ok', message: expect.stringContaining('giữ 7 bản') });
    const cron = folder({ ageDays: 40, keep: 0, backups: { 'loa-2026-12-07-2300.sqlite': 0.5 } });
    expect(backupCheck(cron.config, cron.db, NOW)).toMatchObject({ status: 'ok', message: expect.stringContaining('sao lưu hằng ngày đang tắt') });
  });

  it('a database younger than two days without a backup yet is not warned about (its first backup may be due)', () => {
    const { config, db } = folder({ ageDays: 1, keep: 7 });
    expect(backupCheck(config, db, NOW)).toBeUndefined();
  });
});
