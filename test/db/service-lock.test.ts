/**
 * The service lock of a data folder (src/db/service-lock.ts): held by `loa start`, dropped with
 * its process, and the marker judged by it rather than by a process id that may be reused.
 * The cross-process cases (a real `loa start`, `kill -9`) are in test/cli/start.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireServiceLock, bootId, judgeServiceMarker, serviceLockState, SERVICE_LOCK } from '../../src/db/service-lock.js';
import { openDb } from '../../src/db/index.js';
import { tempDir } from '../support/app.js';

const require = createRequire(import.meta.url);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function folder(): string {
  const { dir, cleanup } = tempDir('loa-lock-');
  cleanups.push(cleanup);
  return dir;
}

const judge = (dir: string, m: Parameters<typeof judgeServiceMarker>[1], ignorePid?: number) =>
  judgeServiceMarker(dir, m, { file: join(dir, 'loa.pid'), mtimeMs: Date.now(), dbFile: 'loa.sqlite', ignorePid, freshMs: 90_000 });

describe('service lock', () => {
  it('is taken once per folder, released on demand, and looking at it never creates the file', () => {
    const dir = folder();
    expect(serviceLockState(dir)).toBe('free');
    // `sudo loa restore` looks too: it must not leave a root-owned lock file behind.
    expect(existsSync(join(dir, SERVICE_LOCK))).toBe(false);
    const lock = acquireServiceLock(dir);
    expect(lock).not.toBeNull();
    expect(serviceLockState(dir)).toBe('ours');
    expect(acquireServiceLock(dir, { waitMs: 0 })).toBeNull();
    lock!.release();
    lock!.release();
    expect(serviceLockState(dir)).toBe('free');
    const again = acquireServiceLock(dir);
    expect(again).not.toBeNull();
    again!.release();
  });

  it('held by another process: seen as such, not taken, and free once that process is killed', async () => {
    const dir = folder();
    const child = spawn(
      process.execPath,
      ['-e', `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const db = new D(${JSON.stringify(join(dir, SERVICE_LOCK))}); db.exec('CREATE TABLE IF NOT EXISTS service_lock (note TEXT)'); db.exec('BEGIN EXCLUSIVE'); globalThis.db = db; console.log('held'); setTimeout(() => {}, 60000)`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => child.kill('SIGKILL'));
    await new Promise((resolve) => child.stdout!.once('data', resolve));
    expect(serviceLockState(dir)).toBe('other');
    expect(acquireServiceLock(dir, { waitMs: 50 })).toBeNull();
    // Whatever the marker says (even nothing), the holder is a service.
    expect(judge(dir, undefined)).toContain(`giữ khoá ${join(dir, SERVICE_LOCK)}`);
    expect(judge(dir, { pid: child.pid!, host: hostname(), startedAt: '', lock: SERVICE_LOCK, boot: bootId() })).toBe(`tiến trình ${child.pid} giữ khoá ${join(dir, SERVICE_LOCK)}`);
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
    expect(serviceLockState(dir)).toBe('free');
    // The marker it left, with the id of a live process (this one): left over.
    expect(judge(dir, { pid: process.pid, host: hostname(), startedAt: '', lock: SERVICE_LOCK, boot: bootId() })).toBeUndefined();
  });

  it('a marker from before the last reboot of this machine is left over, whatever its process id', () => {
    const dir = folder();
    // This process has the folder's database open, as a service does.
    const db = openDb(join(dir, 'loa.sqlite'));
    cleanups.push(() => db.close());
    // Without the lock (a Loa older than it, or a test app): the live process with the database open counts…
    expect(judge(dir, { pid: process.pid, host: hostname(), startedAt: '' })).toBe(`tiến trình ${process.pid}, tệp ${join(dir, 'loa.pid')}`);
    // …unless the marker was written in another boot of this machine.
    if (bootId()) expect(judge(dir, { pid: process.pid, host: hostname(), startedAt: '', boot: 'another-boot' })).toBeUndefined();
    // A marker of another machine counts while it is fresh only.
    expect(judgeServiceMarker(dir, { pid: 1, host: 'elsewhere', startedAt: '', lock: SERVICE_LOCK, boot: 'x' }, { file: 'f', mtimeMs: Date.now() - 10_000, dbFile: 'loa.sqlite', freshMs: 90_000 })).toContain('máy/container elsewhere');
    expect(judgeServiceMarker(dir, { pid: 1, host: 'elsewhere', startedAt: '', lock: SERVICE_LOCK, boot: 'x' }, { file: 'f', mtimeMs: Date.now() - 100_000, dbFile: 'loa.sqlite', freshMs: 90_000 })).toBeUndefined();
  });

  it('loa.lock deleted by hand under a running service: its process, which has the database open, still counts', () => {
    const dir = folder();
    const db = openDb(join(dir, 'loa.sqlite'));
    cleanups.push(() => db.close());
    const marker = { pid: process.pid, host: hostname(), startedAt: '', lock: SERVICE_LOCK, boot: bootId() };
    expect(existsSync(join(dir, SERVICE_LOCK))).toBe(false);
    expect(judge(dir, marker)).toBe(`tiến trình ${process.pid} đang mở cơ sở dữ liệu này; tệp khoá ${join(dir, SERVICE_LOCK)} đã bị xoá trong lúc nó chạy`);
    // Its id given to a process that does not have the database open: left over.
    db.close();
    expect(judge(dir, marker)).toBeUndefined();
  });
});

