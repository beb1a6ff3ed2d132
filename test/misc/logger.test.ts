import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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
});
