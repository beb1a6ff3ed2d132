/**
 * A data folder whose database Loa's account cannot write (ops trial): `loa user add` run as
 * root before the first start left `loa.sqlite` owned by root; `loa doctor` run as the service's
 * account said "✓ Cơ sở dữ liệu … 0 lỗi", and `loa start` listened, then died at its first write
 * with SQLite's English "attempt to write a readonly database" and a stack trace. The doctor now
 * names the file and the chown; the start stops before listening with the Vietnamese sentence
 * of main.ts and exit 78.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { writeAccessCheck } from '../../src/doctor/doctor.js';

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'loa-write-'));
  dirs.push(d);
  return d;
}

describe('write access to the data folder', () => {
  it('a sound folder, and one not made yet under a writable one, are fine', () => {
    const dir = temp();
    openDb(join(dir, 'loa.sqlite')).close();
    expect(writeAccessCheck(dir).status).toBe('ok');
    expect(writeAccessCheck(join(dir, 'new', 'data'))).toMatchObject({ status: 'ok', message: expect.stringContaining('`loa start` sẽ tạo') });
  });

  it.runIf(isRoot)('run as root: a database owned by another account than its folder is named, with the chown', () => {
    const dir = temp();
    openDb(join(dir, 'loa.sqlite')).close();
    chownSync(join(dir, 'loa.sqlite'), 12345, 12345);
    const r = writeAccessCheck(dir);
    expect(r.status).toBe('warn');
    expect(r.message).toContain(`${join(dir, 'loa.sqlite')} không cùng chủ với ${dir}`);
    expect(r.fix).toContain(`sudo chown -R $(stat -c %u:%g ${dir}) ${dir}`);
  });

  it.runIf(isRoot)('run as root: a root-owned loa.lock (a `sudo npx loa start` tried by hand) is named too', () => {
    const dir = temp();
    openDb(join(dir, 'loa.sqlite')).close();
    writeFileSync(join(dir, 'loa.lock'), '');
    chownSync(dir, 12345, 12345);
    chownSync(join(dir, 'loa.sqlite'), 12345, 12345);
    const r = writeAccessCheck(dir);
    expect(r.status).toBe('warn');
    expect(r.message).toBe(`${join(dir, 'loa.lock')} không cùng chủ với ${dir} (uid 0 thay vì 12345): dịch vụ chạy bằng chủ của thư mục có thể không ghi được`);
  });

  it.runIf(!isRoot)('run as the service account: a database it cannot write fails, with the chown', () => {
    const dir = temp();
    openDb(join(dir, 'loa.sqlite')).close();
    chmodSync(join(dir, 'loa.sqlite'), 0o444);
    const r = writeAccessCheck(dir);
    expect(r.status).toBe('fail');
    expect(r.message).toContain(`không ghi được ${join(dir, 'loa.sqlite')}`);
    expect(r.fix).toContain(`sudo chown -R`);
  });

  // The start itself: another account (nobody) than the owner of loa.sqlite; needs root to run as it.
  it.runIf(isRoot)('a `loa` command as an account that cannot write loa.sqlite: exit 78 and the folder to chown, in Vietnamese', () => {
    const dir = temp();
    chmodSync(dir, 0o777);
    mkdirSync(join(dir, 'data'), { mode: 0o777 });
    chmodSync(join(dir, 'data'), 0o777);
    openDb(join(dir, 'data', 'loa.sqlite')).close(); // as root: 0644, owned by root
    writeFileSync(join(dir, 'empty.env'), '');
    const r = spawnSync(process.execPath, [resolve('bin/loa.js'), 'user', 'add', 'minh', '--role', 'viewer', '--password', 'Minh-mat-khau-2026'], {
      uid: 65534,
      gid: 65534,
      env: { PATH: process.env.PATH, HOME: dir, LOA_COMPILE: '0', LOA_DATA_DIR: join(dir, 'data'), LOA_CONTENT_DIR: resolve('content'), LOA_BOT: resolve('bots/default.yaml'), LOA_ENV_FILE: join(dir, 'empty.env'), TSX_TSCONFIG_PATH: resolve('tsconfig.json') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toContain(`loa: không ghi được vào ${join(dir, 'data')} (EACCES)`);
    expect(r.stderr).not.toContain('SqliteError');
    expect(r.status).toBe(78);
  }, 90_000);
});

describe('loa doctor arguments', () => {
  it('an option it does not have is refused (ops trial: `loa doctor --bogus` ran every check and exited 0)', async () => {
    const { run } = await import('../../src/cli/doctor.js');
    const lines: string[] = [];
    expect(await run(['--bogus'], { out: (l) => lines.push(l), err: (l) => lines.push(l) })).toBe(2);
    expect(lines[0]).toContain("loa doctor: không có tuỳ chọn '--bogus'");
  });
});

describe('the proxy line of loa doctor', () => {
  it('an HTTPS public address without LOA_TRUST_PROXY is worth a look (ops trial: behind nginx, the admin cookie had no Secure)', async () => {
    const { proxyCheck } = await import('../../src/doctor/doctor.js');
    expect(proxyCheck({ http: { host: '127.0.0.1', port: 3000, publicUrl: 'https://loa.example.gov.vn' } })).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('LOA_TRUST_PROXY trống'),
      fix: expect.stringContaining('LOA_TRUST_PROXY=127.0.0.1'),
    });
    expect(proxyCheck({ http: { host: '127.0.0.1', port: 3000, publicUrl: 'https://loa.example.gov.vn', trustProxy: ['127.0.0.1'] } })?.status).toBe('ok');
    expect(proxyCheck({ http: { host: '127.0.0.1', port: 3000 } })).toBeUndefined();
  });
});
