import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repeatingFailureLog } from '../../src/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'loa-logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Logs one line with a secret through createLogger in a child process; returns its stdout. */
function logLine(format: string, tty: boolean): string {
  const script = join(dir, `log-${format}-${tty}.mts`);
  writeFileSync(
    script,
    `import { createLogger } from ${JSON.stringify(resolve('src/logger.ts'))};\n` +
      `createLogger('info', ${JSON.stringify(format)} as 'auto', ${tty}).info({ token: 'abc123', channel: 'telegram' }, 'telegram: connected');\n`,
  );
  return execFileSync('node', ['bin/run-ts.js', script], { encoding: 'utf8' });
}

describe('log lines', () => {
  it('are JSON, one object a line, for log tools (auto without a terminal)', () => {
    const out = logLine('auto', false).trim();
    const line = JSON.parse(out) as { msg: string; token: string; level: number };
    expect(line.msg).toBe('telegram: connected');
    expect(line.token).toBe('[redacted]');
  });
  it('are readable on a terminal, with secrets still redacted', () => {
    const out = logLine('pretty', false);
    expect(() => JSON.parse(out.trim())).toThrow();
    expect(out).toMatch(/INFO.*telegram: connected/);
    expect(out).toContain('channel: "telegram"');
    expect(out).not.toContain('abc123');
  });

  it('under systemd, start with their syslog priority, so journalctl -p warning finds the warnings', () => {
    const script = join(dir, 'log-journal.mts');
    writeFileSync(
      script,
      `import { createLogger } from ${JSON.stringify(resolve('src/logger.ts'))};\n` +
        `const log = createLogger('debug', 'auto', false);\n` +
        `log.debug('d'); log.info('i'); log.warn({ token: 'abc123' }, 'w'); log.error('e'); log.fatal('f');\n`,
    );
    // systemd connects stdout to the journal and names that stream in JOURNAL_STREAM (device:inode).
    const file = join(dir, 'journal.out');
    writeFileSync(file, '');
    const fd = openSync(file, 'a');
    const st = fstatSync(fd);
    execFileSync('node', ['bin/run-ts.js', script], { stdio: ['ignore', fd, 'inherit'], env: { ...process.env, JOURNAL_STREAM: `${st.dev}:${st.ino}` } });
    closeSync(fd);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.slice(0, 3))).toEqual(['<7>', '<6>', '<4>', '<3>', '<2>']);
    expect(JSON.parse(lines[2]!.slice(3))).toMatchObject({ level: 40, msg: 'w', token: '[redacted]' });
    // The variable inherited by a process whose output goes elsewhere (a pipe): plain JSON, in
    // the order logged (asynchronous stdout wrote the first line last in about one run in three).
    for (let run = 0; run < 6; run++) {
      const piped = execFileSync('node', ['bin/run-ts.js', script], { encoding: 'utf8', env: { ...process.env, JOURNAL_STREAM: `${st.dev}:${st.ino}` } });
      expect(piped.trim().split('\n').map((l) => l.slice(0, 11))).toEqual(['{"level":20', '{"level":30', '{"level":40', '{"level":50', '{"level":60']);
    }
  });
});

describe('repeatingFailureLog', () => {
  it('logs the first failure, then one line a minute with the count, and once when a pass works again', () => {
    let t = 0;
    const lines: { level: string; obj: { failedPasses?: number }; msg: string }[] = [];
    const logger = {
      error: (obj: unknown, msg: string) => void lines.push({ level: 'error', obj: obj as { failedPasses?: number }, msg }),
      info: (obj: unknown, msg: string) => void lines.push({ level: 'info', obj: obj as { failedPasses?: number }, msg }),
    };
    const log = repeatingFailureLog(logger, 'sender: recovery pass failed', 60_000, () => t);
    // A pass a second failing for two and a half minutes: 3 lines, not 150.
    for (let i = 0; i < 150; i++, t += 1000) log.failed(new Error('SQLITE_IOERR'));
    expect(lines.map((l) => [l.level, l.obj.failedPasses])).toEqual([['error', 1], ['error', 61], ['error', 121]]);
    log.ok();
    log.ok();
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'sender: recovery pass failed: works again', obj: { failedPasses: 150 } });
    expect(lines).toHaveLength(4);
    // A new failure after recovery is logged at once.
    log.failed(new Error('again'));
    expect(lines.at(-1)).toMatchObject({ level: 'error', obj: { failedPasses: 1 } });
  });
});
