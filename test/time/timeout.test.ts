/**
 * withTimeout (src/time/timeout.ts): a time limit that keeps a CLI process alive while it waits.
 * With AbortSignal.timeout's unref'd timer, a request that never settles left the event loop
 * empty and Node ended with exit code 13 and no word (`loa start`, `loa restore` in the ops trial).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTimeout } from '../../src/time/timeout.js';

/** Runs `body` as a TypeScript module in its own process (nothing else alive); its exit code and output. */
function runAlone(body: string): { status: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'loa-timeout-'));
  try {
    const file = join(dir, 'run.mts');
    writeFileSync(file, `import { withTimeout } from ${JSON.stringify(resolve('src/time/timeout.ts'))};\n${body}`);
    const r = spawnSync(process.execPath, ['bin/run-ts.js', file], { encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Work that never settles and holds nothing open, as a fetch to a silent listener did. */
const NEVER = `const never = (signal: AbortSignal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));`;

describe('withTimeout', () => {
  it('gives the result, or a TimeoutError after the limit', async () => {
    expect(await withTimeout(1000, async () => 42)).toBe(42);
    await expect(withTimeout(50, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))))).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('keeps a process with nothing else to do alive until the limit (AbortSignal.timeout ended it with exit 13)', () => {
    const ours = runAlone(`${NEVER}\ntry { await withTimeout(300, never); } catch (e) { console.log('limit', (e as Error).name); }\nconsole.log('done');`);
    expect(ours).toMatchObject({ status: 0, stdout: 'limit TimeoutError\ndone\n' });
    const theirs = runAlone(`${NEVER}\nvoid withTimeout;\ntry { await never(AbortSignal.timeout(300)); } catch { console.log('limit'); }\nconsole.log('done');`);
    expect(theirs.status).toBe(13);
    expect(theirs.stdout).toBe('');
  });
});
