/**
 * `loa` under systemd (bin/journal.js): a crash gets one line at the journal's critical priority
 * before Node's own stack, and what console.error prints is filed at "error", so `journalctl -u
 * loa -p warning` shows why the service stopped; Node's handling (the stack, exit 1) is
 * unchanged, and nothing is added off the journal.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'loa-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` after installCrashLine with stderr to a file (the journal when `journal`); returns the status and what it wrote. */
function crash(body: string, journal: boolean): { status: number | null; stderr: string } {
  const script = join(dir, `s-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(script, `import { installCrashLine, installErrorPriority } from ${JSON.stringify(resolve('bin/journal.js'))};\ninstallCrashLine();\ninstallErrorPriority();\n${body}\n`);
  const file = join(dir, `err-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, '');
  const fd = openSync(file, 'a');
  const st = fstatSync(fd);
  const env = { ...process.env, JOURNAL_STREAM: journal ? `${st.dev}:${st.ino}` : '' };
  const r = spawnSync(process.execPath, [script], { stdio: ['ignore', 'ignore', fd], env });
  closeSync(fd);
  return { status: r.status, stderr: readFileSync(file, 'utf8') };
}

describe('a crash under systemd', () => {
  it('an uncaught error: one critical line first, then Node\'s stack, exit 1', () => {
    const r = crash(`setTimeout(() => { throw new TypeError("Cannot read properties of undefined (reading 'x')\\nmore"); }, 5);`, true);
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe("<2>loa: dừng vì một lỗi không ai xử lý: TypeError: Cannot read properties of undefined (reading 'x') (chi tiết ở các dòng sau)");
    expect(r.stderr).toContain('at Timeout');
  });

  it('an unhandled rejection is said as such', () => {
    const r = crash(`Promise.reject(new Error('SQLITE_FULL: database or disk is full'));`, true);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('<2>loa: dừng vì một lời hứa bị từ chối không ai xử lý: Error: SQLITE_FULL: database or disk is full (chi tiết ở các dòng sau)');
  });

  it('off the journal (a terminal, Docker, a pipe): Node\'s output only', () => {
    const r = crash(`setTimeout(() => { throw new Error('boom'); }, 5);`, false);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain('<2>');
    expect(r.stderr).toContain('Error: boom');
  });

  it('what console.error prints (a refused start) is filed at "error", each line', () => {
    const r = crash(`console.error('cấu hình: env: LOA_HTTP_PORT: cần một số\\ncấu hình: env: LOA_LOG_LEVEL: …'); process.exitCode = 78;`, true);
    expect(r.status).toBe(78);
    expect(r.stderr).toBe('<3>cấu hình: env: LOA_HTTP_PORT: cần một số\n<3>cấu hình: env: LOA_LOG_LEVEL: …\n');
    expect(crash(`console.error('x %d', 5);`, false).stderr).toBe('x 5\n');
  });
});

