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
import { envFileText, knownEnvNames, loadEnvFile, suggestEnvName } from '../src/env-file.js';
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

  it('a file saved on Windows: CRLF line ends, a UTF-8 byte order mark, or UTF-16 ("Unicode" in Notepad)', () => {
    const d = dir();
    // The mark made the first name '\uFEFFLOA_…' and its setting was silently lost.
    writeFileSync(join(d, '.env'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('LOA_ENVFILE_TEST_A=3001\r\nLOA_ENVFILE_TEST_B="x y"\r\n')]));
    expect(loadEnvFile(d, {})).toBe(join(d, '.env'));
    expect(process.env.LOA_ENVFILE_TEST_A).toBe('3001');
    expect(process.env.LOA_ENVFILE_TEST_B).toBe('x y');
    delete process.env.LOA_ENVFILE_TEST_A;
    writeFileSync(join(d, '.env'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('LOA_ENVFILE_TEST_A=Hà Nội\r\n', 'utf16le')]));
    loadEnvFile(d, {});
    expect(process.env.LOA_ENVFILE_TEST_A).toBe('Hà Nội');
    expect(envFileText(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('A=1', 'utf16le').swap16()]))).toBe('A=1');
  });

  it('a misspelt name is an error naming its line and the name meant; nothing is loaded', () => {
    const d = dir();
    writeFileSync(join(d, '.env'), '# Loa\nLOA_ENVFILE_TEST_A=1\nLOA_HTTP_PROT=3001\ntelegram_bot_token=123:abc\nTELEGRAM_TOKEN=123:abc\n');
    let message = '';
    try {
      loadEnvFile(d, {}, () => {});
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      `cấu hình: ${join(d, '.env')}, dòng 3: LOA_HTTP_PROT: Loa không có biến này; có phải LOA_HTTP_PORT? Sửa tên (chữ hoa, đúng chính tả, xem .env.example) rồi chạy lại.`,
      `cấu hình: ${join(d, '.env')}, dòng 4: telegram_bot_token: Loa không có biến này; có phải TELEGRAM_BOT_TOKEN? Sửa tên (chữ hoa, đúng chính tả, xem .env.example) rồi chạy lại.`,
      `cấu hình: ${join(d, '.env')}, dòng 5: TELEGRAM_TOKEN: Loa không có biến này; có phải TELEGRAM_BOT_TOKEN? Sửa tên (chữ hoa, đúng chính tả, xem .env.example) rồi chạy lại.`,
    ]);
    expect(process.env.LOA_ENVFILE_TEST_A).toBeUndefined();
    expect(suggestEnvName('LOA_PORT', knownEnvNames())).toEqual(['LOA_HTTP_PORT']);
    expect(suggestEnvName('ZALO_TOKEN', knownEnvNames())).toEqual(['ZALO_ACCESS_TOKEN', 'ZALO_BOT_TOKEN', 'ZALO_REFRESH_TOKEN']);
    // Not ours, or not close to any of ours: no suggestion.
    for (const other of ['NODE_ENV', 'TZ', 'HTTP_PROXY', 'LOA_FOO', 'PORT']) expect(suggestEnvName(other, knownEnvNames()), other).toEqual([]);
  });

  it('an unknown LOA_ name far from any is only warned about; the names of compose.yaml are known', () => {
    const d = dir();
    writeFileSync(join(d, '.env'), 'LOA_DOMAIN=loa.example.gov.vn\nLOA_CONTENT_PATH=/srv/loa-content\nLOA_SOMETHING_NEW=1\nLOA_ENVFILE_TEST_A=ok\n');
    const warnings: string[] = [];
    loadEnvFile(d, {}, (l) => warnings.push(l));
    expect(warnings).toEqual([`cấu hình: ${join(d, '.env')}, dòng 3: LOA_SOMETHING_NEW: Loa không dùng biến này (bỏ qua); xem .env.example để biết các biến Loa đọc.`]);
    expect(process.env.LOA_ENVFILE_TEST_A).toBe('ok');
    for (const k of ['LOA_DOMAIN', 'LOA_CONTENT_PATH', 'LOA_SOMETHING_NEW']) delete process.env[k];
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
