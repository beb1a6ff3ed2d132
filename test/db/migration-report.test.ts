/**
 * What opening the database did to its schema (ops trial): after an update, docs/deploy.md says
 * to read "any migration applied" in the journal, and nothing said it. `migrationReport` gives
 * `loa start` the migrations an open applied, and those recorded by a newer Loa.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrationReport, openDb } from '../../src/db/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'loa-migr-'));
  dirs.push(d);
  return d;
}

describe('migrationReport', () => {
  it('names the migrations an open applied, then none; and those only a newer Loa has', () => {
    const shipped = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();
    const last = shipped.at(-1)!;
    // The database of the previous version: every migration but the last.
    const older = temp();
    for (const f of shipped.slice(0, -1)) cpSync(join(MIGRATIONS_DIR, f), join(older, f));
    const file = join(temp(), 'loa.sqlite');
    const before = openDb(file, { migrationsDir: older });
    expect(migrationReport(before)?.applied).toEqual(shipped.slice(0, -1));
    before.close();

    const updated = openDb(file);
    expect(migrationReport(updated)).toEqual({ applied: [last], newer: [] });
    updated.close();

    const again = openDb(file);
    expect(migrationReport(again)).toEqual({ applied: [], newer: [] });
    again.close();

    // Rolled back to the previous version without restoring: the last migration is unknown to it.
    const rolledBack = openDb(file, { migrationsDir: older });
    expect(migrationReport(rolledBack)).toEqual({ applied: [], newer: [last] });
    rolledBack.close();
  });
});
