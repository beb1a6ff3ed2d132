// A data folder Loa cannot write to (a Docker bind mount owned by root, found by
// scripts/verify-image-rootfs.sh) ends with a Vietnamese explanation and exit 78, not a stack
// trace or SQLite's bare "unable to open database file".
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { main, unwritable } from '../../src/main.js';

const saved = process.env.LOA_DATA_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.LOA_DATA_DIR;
  else process.env.LOA_DATA_DIR = saved;
  vi.restoreAllMocks();
});

describe('a data folder Loa cannot write to', () => {
  it('`loa user list` with LOA_DATA_DIR under a file: exit 78 and the folder named in Vietnamese', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-unwritable-'));
    writeFileSync(join(dir, 'a-file'), 'x');
    process.env.LOA_DATA_DIR = join(dir, 'a-file', 'data');
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    expect(await main(['user', 'list'])).toBe(78);
    expect(errors.join('\n')).toContain(`không ghi được vào ${join(dir, 'a-file')}`);
    expect(errors.join('\n')).toContain('LOA_DATA_DIR');
  });

  it('the chown given is of the data folder, not of the file loa start failed on first (loa.lock, not there yet)', () => {
    // Ops trial as another user: `sudo chown -R 65534:65534 /…/data/loa.lock`, which failed with
    // "No such file or directory".
    const dir = mkdtempSync(join(tmpdir(), 'loa-unwritable-'));
    process.env.LOA_DATA_DIR = dir;
    const lock = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', path: join(dir, 'loa.lock') });
    expect(unwritable(lock)).toContain(`không ghi được vào ${join(dir, 'loa.lock')} (EACCES)`);
    expect(unwritable(lock)).toMatch(new RegExp(`sudo chown -R \\d+:\\d* ${dir}\\.`));
    // Outside the data folder (a backup's --out): the folder the file was to be made in.
    const out = Object.assign(new Error('EACCES'), { code: 'EACCES', path: join(dir, 'elsewhere', 'b.sqlite') });
    process.env.LOA_DATA_DIR = join(dir, 'data');
    expect(unwritable(out)).toContain(` ${join(dir, 'elsewhere')}.`);
  });

  it('other errors are not taken for it', () => {
    expect(unwritable(new Error('boom'))).toBeUndefined();
    expect(unwritable(Object.assign(new Error('x'), { code: 'ENOENT', path: '/x' }))).toBeUndefined();
  });

  // Root may write anywhere: only a non-root run (CI as a user, the container's uid 10001) sees it.
  it.skipIf(process.getuid?.() === 0)('a folder without write permission fails in openDb with its path (EACCES)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-unwritable-'));
    const data = join(dir, 'data');
    mkdirSync(data);
    chmodSync(data, 0o555);
    let err: unknown;
    try {
      openDb(join(data, 'loa.sqlite'));
    } catch (e) {
      err = e;
    }
    expect((err as NodeJS.ErrnoException).code).toBe('EACCES');
    expect(unwritable(err)).toContain(`không ghi được vào ${data} (EACCES)`);
  });
});
