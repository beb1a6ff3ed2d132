/**
 * The `.env` file (src/env-file.ts, read by bin/loa.js before any command): loaded when present,
 * the real environment wins, a missing LOA_ENV_FILE is an error, and the real `loa` binary
 * reads it from its working directory.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnvFile } from '../src/env-file.js';
import { ConfigError } from '../src/config.js';
import { tempDir } from './support/app.js';

const run = promisify(execFile);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
  delete process.env.LOA_ENVFILE_TEST_A;
  delete process.env.LOA_ENVFILE_TEST_B;
});

function dir(): string {
  const t = tempDir('loa-env-');
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('.env file', () => {
  it('loads .env from the working directory; variables already set win', () => {
    const d = dir();
    writeFileSync(join(d, '.env'), '# comment\nLOA_ENVFILE_TEST_A="from file"\nLOA_ENVFILE_TEST_B=from-file\n');
    process.env.LOA_ENVFILE_TEST_B = 'from environment';
    expect(loadEnvFile(d, {})).toBe(join(d, '.env'));
    expect(process.env.LOA_ENVFILE_TEST_A).toBe('from file');
    expect(process.env.LOA_ENVFILE_TEST_B).toBe('from environment');
  });

  it('is optional, unless LOA_ENV_FILE names a file that is not there', () => {
    const d = dir();
    expect(loadEnvFile(d, {})).toBeUndefined();
    expect(() => loadEnvFile(d, { LOA_ENV_FILE: 'secrets/loa.env' })).toThrow(ConfigError);
    expect(() => loadEnvFile(d, { LOA_ENV_FILE: 'secrets/loa.env' })).toThrow(/LOA_ENV_FILE: không có tệp .*secrets\/loa\.env/);
    writeFileSync(join(d, 'other.env'), 'LOA_ENVFILE_TEST_A=other\n');
    expect(loadEnvFile(d, { LOA_ENV_FILE: 'other.env' })).toBe(join(d, 'other.env'));
    expect(process.env.LOA_ENVFILE_TEST_A).toBe('other');
  });

  it('is read by the loa command before its configuration', async () => {
    const d = dir();
    writeFileSync(join(d, '.env'), 'LOA_BOT=from-dotenv.yaml\n');
    const bin = resolve('bin/loa.js');
    const env = { ...process.env, LOA_BOT: undefined, LOA_ENV_FILE: undefined, NODE_OPTIONS: undefined };
    // The two commands run side by side: each is a Node process that starts tsx (about 1 s).
    const [failed, again] = await Promise.all([
      run(process.execPath, [bin, 'backup'], { cwd: d, env }).catch((e: { code: number; stderr: string }) => e),
      // The environment wins over the file.
      run(process.execPath, [bin, 'backup'], { cwd: d, env: { ...env, LOA_BOT: 'from-env.yaml' } }).catch((e: { code: number; stderr: string }) => e),
    ]);
    expect(failed).toMatchObject({ code: 78 });
    expect((failed as { stderr: string }).stderr).toContain('cấu hình: LOA_BOT: không đọc được tệp from-dotenv.yaml');
    expect((again as { stderr: string }).stderr).toContain('không đọc được tệp from-env.yaml');
  });
});

describe('.env.example', () => {
  it('lists every variable config.ts reads, and its values are a valid configuration', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseEnv } = await import('node:util');
    const { createConfig, envSchema } = await import('../src/config.js');
    const text = readFileSync('.env.example', 'utf8');
    const listed = new Set([...text.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(Object.keys(envSchema.shape).filter((k) => !listed.has(k))).toEqual([]);
    expect(() => createConfig(parseEnv(text), { name: 'Loa', greeting: 'Xin chào' })).not.toThrow();
  });
});
