/**
 * Connecting an OA: `loa zalo connect` (PKCE + state) against the fake OAuth server, finished
 * by pasting the redirected URL, by `--code`, or by the running server's callback route; and
 * `loa zalo status`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { runZalo } from '../../src/cli/zalo.js';
import { openDb } from '../../src/db/index.js';
import { failZaloRefresh, getZaloTokens } from '../../src/db/zalo.js';
import { parseConnectInput } from '../../src/channels/zalo/oauth.js';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo.js';
import { startTestApp, testConfig } from '../support/app.js';
import { spawn } from 'node:child_process';
import { createZaloOAuth } from '../../src/channels/zalo/client.js';
import { createZaloTokenStore } from '../../src/channels/zalo/token-store.js';
import { finishZaloConnect } from '../../src/channels/zalo/oauth.js';
import type { Config } from '../../src/config.js';

let zalo: FakeZalo;
let config: Config & { cleanup: () => void };
let out: string[];
let err: string[];

const env = (z: FakeZalo): Record<string, string> => ({
  ZALO_APP_ID: z.appId,
  ZALO_APP_SECRET: z.appSecret,
  ZALO_OA_SECRET_KEY: z.oaSecretKey,
  ZALO_API_BASE: z.url,
  ZALO_OAUTH_BASE: z.url,
  LOA_PUBLIC_URL: 'https://loa.example.gov.vn',
});

/** Lines typed by the admin: each is released when the test pushes it. */
function typed(): { lines: AsyncIterable<string>; type: (line: string) => void; end: () => void } {
  const queue: (string | null)[] = [];
  let wake: (() => void) | null = null;
  const push = (v: string | null): void => {
    queue.push(v);
    wake?.();
  };
  return {
    lines: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queue.length === 0) await new Promise<void>((r) => (wake = r));
          const v = queue.shift()!;
          if (v === null) return;
          yield v;
        }
      },
    },
    type: (line) => push(line),
    end: () => push(null),
  };
}
const io = (extra: object = {}) => ({ config, out: (s: string) => out.push(s), err: (s: string) => err.push(s), pollMs: 5, ...extra });
const printedUrl = (): string => out.find((l) => l.includes('/v4/oa/permission?'))!.trim();

beforeEach(async () => {
  zalo = await startFakeZalo();
  config = testConfig(env(zalo));
  out = [];
  err = [];
});
afterEach(async () => {
  config.cleanup();
  await zalo.close();
});

describe('loa zalo connect', () => {
  it('prints a PKCE permission URL and stores the pair from the pasted redirect', async () => {
    const admin = typed();
    const done = runZalo(['connect'], io({ lines: admin.lines }));
    await expect.poll(() => out.some((l) => l.includes('/v4/oa/permission?'))).toBe(true);
    const url = new URL(printedUrl());
    expect(url.searchParams.get('redirect_uri')).toBe('https://loa.example.gov.vn/zalo/oauth/callback');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[0-9a-f]{32}$/);

    const { code, state } = zalo.authorize(url.toString());
    admin.type('not a url');
    admin.type(`https://loa.example.gov.vn/zalo/oauth/callback?oa_id=${zalo.oaId}&code=${code}&state=${state}`);
    expect(await done).toBe(0);
    expect(err).toEqual([expect.stringContaining('hãy dán lại')]);
    expect(out.join('\n')).toContain(`ZALO_OA_ID=${zalo.oaId}`);

    const exchange = zalo.calls.find((c) => c.path === '/v4/oa/access_token')!;
    const form = exchange.body as Record<string, string>;
    expect(form).toMatchObject({ grant_type: 'authorization_code', code, app_id: zalo.appId });
    expect(createHash('sha256').update(form.code_verifier!).digest('base64url')).toBe(url.searchParams.get('code_challenge'));
    expect(exchange.headers.secret_key).toBe(zalo.appSecret);

    const db = openDb(join(config.dataDir, 'loa.sqlite'));
    expect(getZaloTokens(db, zalo.appId)).toMatchObject({ source: 'connect', generation: 1 });
    db.close();
  });

  it('says so when the OA authorised is not ZALO_OA_ID (an admin of several OAs chose another)', async () => {
    const other = testConfig({ ...env(zalo), ZALO_OA_ID: '1111111111111111111' });
    try {
      const admin = typed();
      const done = runZalo(['connect'], { ...io({ lines: admin.lines }), config: other });
      await expect.poll(() => out.some((l) => l.includes('/v4/oa/permission?'))).toBe(true);
      const { code, state } = zalo.authorize(printedUrl());
      admin.type(`https://loa.example.gov.vn/zalo/oauth/callback?code=${code}&state=${state}`);
      expect(await done).toBe(0);
      expect(out.join('\n')).toContain(`Chú ý: ZALO_OA_ID=1111111111111111111 nhưng OA vừa cấp quyền có mã ${zalo.oaId}`);
    } finally {
      other.cleanup();
    }
  });

  it('finishes with --code in a second run, and refuses a replayed state', async () => {
    const start = runZalo(['connect', '--redirect-uri', 'http://127.0.0.1:9/cb'], io({ lines: (async function* () {})() }));
    await expect.poll(() => out.some((l) => l.includes('/v4/oa/permission?'))).toBe(true);
    const { code, state } = zalo.authorize(printedUrl());
    const redirected = `http://127.0.0.1:9/cb?code=${code}&state=${state}`;
    expect(await runZalo(['connect', '--code', redirected], io())).toBe(0);
    await expect(start).resolves.toBe(0); // the first run notices the stored pair and ends too
    expect(await runZalo(['connect', '--code', redirected], io())).toBe(1);
    expect(err.join('\n')).toMatch(/không hợp lệ, đã được dùng hoặc đã quá 30 phút/);
  });

  it('is finished by the running server callback route', async () => {
    const t = await startTestApp(env(zalo));
    try {
      const runCfg = { ...config, dataDir: t.config.dataDir };
      const cli = runZalo(['connect'], { ...io(), config: runCfg, lines: (async function* () {})() });
      await expect.poll(() => out.some((l) => l.includes('/v4/oa/permission?'))).toBe(true);
      const { code, state } = zalo.authorize(printedUrl());
      const page = await fetch(`${t.url}/zalo/oauth/callback?oa_id=${zalo.oaId}&code=${code}&state=${state}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Đã kết nối');
      expect(await cli).toBe(0);
      // Which OA was authorised, read with the new token: the server's callback path too.
      expect(out.join('\n')).toContain(`Đã kết nối OA “OA thử nghiệm” (mã OA ${zalo.oaId})`);
      expect(out.join('\n')).toContain(`ZALO_OA_ID=${zalo.oaId}`);
      expect(getZaloTokens(t.app.db, zalo.appId)!.source).toBe('connect');
      const forged = await fetch(`${t.url}/zalo/oauth/callback?code=${code}&state=${'f'.repeat(32)}`);
      expect(forged.status).toBe(400);
    } finally {
      await t.close();
    }
  });

  it('with nothing to read (stdin closed), the command waits for the server instead of ending with exit 13', async () => {
    // Trial: `loa zalo connect < /dev/null` (as under `docker compose exec -T` or a script)
    // printed the link and ended at once with exit 13 and no word: its only timer was unref'd.
    const child = spawn(process.execPath, ['bin/loa.js', 'zalo', 'connect'], {
      env: { ...process.env, ...env(zalo), LOA_DATA_DIR: config.dataDir, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      await expect.poll(() => /đang chờ Loa/.test(stdout) || child.exitCode !== null, { timeout: 30_000 }).toBe(true);
      expect(child.exitCode, stderr).toBeNull();
      // The running server's callback route finishes it (here: the same calls, on the same database).
      const url = stdout.split('\n').find((l) => l.includes('/v4/oa/permission?'))!.trim();
      const { code, state } = zalo.authorize(url);
      const db = openDb(join(config.dataDir, 'loa.sqlite'));
      try {
        const oauth = createZaloOAuth({ apiBase: zalo.url, oauthBase: zalo.url, appId: zalo.appId, appSecret: zalo.appSecret });
        await finishZaloConnect({ db, oauth, tokens: createZaloTokenStore({ db, appId: zalo.appId, oauth }) }, code, state);
      } finally {
        db.close();
      }
      expect(await exited).toBe(0);
      expect(stdout).toContain('Đã kết nối');
    } finally {
      child.kill();
    }
  }, 60_000);

  it('says what to set when there is no callback URL', async () => {
    config = testConfig({ ...env(zalo), LOA_PUBLIC_URL: '' });
    expect(await runZalo(['connect'], io())).toBe(2);
    expect(err.join('\n')).toMatch(/Zalo: chưa có địa chỉ nhận kết quả \(callback\)\. Hãy đặt LOA_PUBLIC_URL.*--redirect-uri/);
  });

  it('parses what an admin may paste', () => {
    expect(parseConnectInput('https://x/cb?oa_id=1&code=abc&state=def')).toEqual({ code: 'abc', state: 'def', oaId: '1' });
    expect(parseConnectInput('code=abc&state=def')).toEqual({ code: 'abc', state: 'def', oaId: undefined });
    expect(parseConnectInput('abc')).toEqual({ code: 'abc' });
    expect(parseConnectInput('   ')).toBeNull();
  });
});

describe('loa zalo status', () => {
  it('reports not connected, then the pair without printing tokens', async () => {
    expect(await runZalo(['status'], io())).toBe(1);
    expect(out.join('\n')).toMatch(/chưa kết nối/);
    out = [];
    const db = openDb(join(config.dataDir, 'loa.sqlite'));
    const p = zalo.issueTokens();
    db.prepare(`INSERT INTO zalo_tokens (app_id, access_token, refresh_token, source, updated_at) VALUES (?, ?, ?, 'env', ?)`).run(
      zalo.appId,
      p.accessToken,
      p.refreshToken,
      new Date().toISOString(),
    );
    db.close();
    expect(await runZalo(['status'], io())).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/đã kết nối \(cặp mã #1, nguồn env/);
    expect(text).not.toContain(p.accessToken);
    expect(text).not.toContain(p.refreshToken);

    // Refused: the headline says so (it said "đã kết nối"), with the fix that fits the refusal.
    for (const [error, fix] of [
      ['refused: error -14020', 'hãy chạy `loa zalo connect`'],
      ['refused: error -14002', 'ZALO_APP_SECRET sai'],
    ] as const) {
      const db2 = openDb(join(config.dataDir, 'loa.sqlite'));
      failZaloRefresh(db2, zalo.appId, error);
      db2.close();
      out = [];
      expect(await runZalo(['status'], io())).toBe(1);
      expect(out[0]).toContain('KHÔNG gia hạn được');
      expect(out[0]).toContain(fix);
      expect(out[0]).not.toContain('đã kết nối');
    }
  });
});
