/**
 * `loa doctor` (issue 16 item 2): each injected fault is named on its own line, in Vietnamese,
 * with how to fix it, and the exit status is non-zero; a sound setup exits 0.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConfig } from '../../src/config.js';
import { openDb } from '../../src/db/index.js';
import { failZaloRefresh, saveConnectedZaloTokens } from '../../src/db/zalo.js';
import { runDoctorCli } from '../../src/cli/doctor.js';
import { nodeCheck, satisfiesEngines, type DoctorDeps } from '../../src/doctor/doctor.js';
import { acquireServiceLock } from '../../src/db/service-lock.js';
import { testBot } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the doctor on `env` (over a fresh data dir and the shipped content); returns the exit code and the lines. */
async function doctor(env: Record<string, string>, deps: Partial<DoctorDeps> = {}): Promise<{ code: number; lines: string[]; text: string }> {
  const lines: string[] = [];
  const code = await runDoctorCli(
    {
      env: { LOA_DATA_DIR: temp('loa-doctor-'), LOA_CONTENT_DIR: 'content', ...env },
      loadConfig: (e) => createConfig(e, testBot),
      timeZone: 'Asia/Ho_Chi_Minh',
      freeBytes: () => 50 * 2 ** 30,
      timeoutMs: 2000,
      ...deps,
    },
    (l) => lines.push(l),
  );
  return { code, lines, text: lines.join('\n') };
}

/** The line of a check (its mark and name). */
function line(lines: string[], mark: '✓' | '!' | '✗', name: string): string {
  const found = lines.find((l) => l.startsWith(`${mark} ${name}:`));
  if (!found) throw new Error(`no "${mark} ${name}:" line in:\n${lines.join('\n')}`);
  return found;
}

async function fakeTelegram(): Promise<FakeTelegram> {
  const tg = await startFakeTelegram();
  cleanups.push(() => tg.close());
  return tg;
}

describe('loa doctor', () => {
  it('a sound setup: every line ✓ or !, exit 0, the clock and quiet hours said', async () => {
    const tg = await fakeTelegram();
    const r = await doctor({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot }, { now: () => new Date('2026-03-02T15:30:00Z') });
    expect(r.code).toBe(0);
    expect(r.lines.some((l) => l.startsWith('✗'))).toBe(false);
    expect(line(r.lines, '✓', 'Cấu hình')).toContain('hợp lệ');
    expect(line(r.lines, '✓', 'Nội dung')).toContain('không có lỗi');
    expect(line(r.lines, '✓', 'Đồng hồ')).toContain('22:30 02/03/2026');
    expect(line(r.lines, '✓', 'Múi giờ')).toContain('Asia/Ho_Chi_Minh');
    // 22:30 in Vietnam is inside the default 21:00–07:00.
    expect(line(r.lines, '✓', 'Giờ yên lặng')).toContain('chờ tới 07:00');
    expect(line(r.lines, '✓', 'Telegram')).toContain(`@${tg.username}`);
    expect(line(r.lines, '✓', 'Telegram long polling')).toContain('không có webhook');
    expect(r.lines.at(-1)).toContain('Kết quả');
    // What the marks mean, for someone who has never seen Loa.
    expect(r.lines[0]).toBe('Kiểm tra Loa (✓ ổn · ! nên xem · ✗ lỗi phải sửa; lệnh này không thay đổi gì):');
  });

  it('names a bad configuration value', async () => {
    const r = await doctor({ LOA_HTTP_PORT: 'tám nghìn' });
    expect(r.code).toBe(1);
    expect(line(r.lines, '✗', 'Cấu hình')).toContain('LOA_HTTP_PORT');
    expect(r.text).toContain('→ Cách sửa:');
  });

  it('names a broken content file with its field', async () => {
    const dir = temp('loa-doctor-content-');
    cpSync('content', dir, { recursive: true });
    writeFileSync(join(dir, 'qa', 'bao-hiem-y-te', 'hong.md'), '---\nid: hong\ntopics: [bao-hiem-y-te]\nstatus: approved\n---\nThiếu câu hỏi.\n');
    const r = await doctor({ LOA_CONTENT_DIR: dir });
    expect(r.code).toBe(1);
    const l = line(r.lines, '✗', 'Nội dung');
    expect(l).toContain('hong.md');
    expect(l).toContain('question');
  });

  // Seen on a trial run: an office that replaced the content (its regions.yaml starts at
  // ninh-binh) kept the bot YAML's regions_root: hung-yen; /dangky then offered no region at all.
  it("warns when the bot YAML's regions_root is not in the content's regions.yaml, naming the roots there", async () => {
    const r = await doctor({ LOA_CONTENT_DIR: 'test/fixtures/dev3/content' });
    expect(r.code).toBe(0);
    const l = line(r.lines, '!', 'Địa bàn');
    expect(l).toContain("regions_root: 'hung-yen'");
    expect(l).toContain('ninh-binh');
    expect(r.text).toMatch(/→ Cách sửa: đặt regions_root: ninh-binh/);
    expect(r.lines.some((x) => x.includes('Địa bàn') && x.startsWith('✓'))).toBe(false);
    // The shipped content has hung-yen: nothing to say.
    expect((await doctor({})).lines.some((x) => x.startsWith('! Địa bàn'))).toBe(false);
  });

  it('names an unreachable Telegram', async () => {
    const tg = await fakeTelegram();
    tg.setDown(true);
    const r = await doctor({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot });
    expect(r.code).toBe(1);
    expect(line(r.lines, '✗', 'Telegram')).toContain(`không kết nối được máy chủ Bot API tại ${tg.apiRoot}`);
    expect(r.text).toContain('TELEGRAM_API_ROOT');
    expect(r.text).not.toContain(tg.token);
  });

  it('names a wrong Telegram token (401)', async () => {
    const tg = await fakeTelegram();
    const r = await doctor({ TELEGRAM_BOT_TOKEN: '999:sai-ma', TELEGRAM_API_ROOT: tg.apiRoot });
    expect(r.code).toBe(1);
    expect(line(r.lines, '✗', 'Telegram')).toContain('TELEGRAM_BOT_TOKEN sai');
    expect(r.text).toContain('@BotFather');
  });

  it('names a webhook set elsewhere than TELEGRAM_WEBHOOK_URL, and Telegram’s last delivery error', async () => {
    const tg = await fakeTelegram();
    const env = {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_URL: 'https://loa.example.gov.vn/webhooks/telegram',
      TELEGRAM_WEBHOOK_SECRET: 'bi-mat-webhook-0123456789',
    };
    tg.setWebhookDirect('https://cu.example.com/hook');
    const wrong = await doctor(env);
    expect(wrong.code).toBe(1);
    const l = line(wrong.lines, '✗', 'Telegram webhook');
    expect(l).toContain('https://cu.example.com/hook');
    expect(l).toContain('TELEGRAM_WEBHOOK_URL=https://loa.example.gov.vn/webhooks/telegram');

    tg.setWebhookDirect('https://loa.example.gov.vn/webhooks/telegram');
    tg.setWebhookError('Wrong response from the webhook: 502 Bad Gateway');
    const failing = await doctor(env);
    expect(failing.code).toBe(1);
    expect(line(failing.lines, '✓', 'Telegram webhook')).toContain('đặt đúng');
    expect(line(failing.lines, '✗', 'Telegram webhook')).toContain('502 Bad Gateway');
  });

  it('names a webhook left set in polling mode', async () => {
    const tg = await fakeTelegram();
    tg.setWebhookDirect('https://cu.example.com/hook');
    const r = await doctor({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot });
    expect(r.code).toBe(1);
    expect(line(r.lines, '✗', 'Telegram long polling')).toContain('409');
  });

  it('names an expired Zalo token pair, and a valid one as valid', async () => {
    const zalo: FakeZalo = await startFakeZalo();
    cleanups.push(() => zalo.close());
    const dataDir = temp('loa-doctor-zalo-');
    const env = {
      LOA_DATA_DIR: dataDir,
      LOA_PUBLIC_URL: 'https://loa.example.gov.vn',
      ZALO_APP_ID: zalo.appId,
      ZALO_APP_SECRET: zalo.appSecret,
      ZALO_OA_SECRET_KEY: zalo.oaSecretKey,
      ZALO_API_BASE: zalo.url,
      ZALO_OAUTH_BASE: zalo.url,
    };
    const now = new Date('2026-06-01T03:00:00Z');
    const db = openDb(join(dataDir, 'loa.sqlite'));
    const pair = zalo.issueTokens();
    saveConnectedZaloTokens(db, zalo.appId, { ...pair, accessExpiresAt: new Date('2026-05-01T00:00:00Z'), refreshExpiresAt: new Date('2026-05-20T00:00:00Z') }, new Date('2026-02-20T00:00:00Z'));
    db.close();
    const r = await doctor(env, { now: () => now });
    expect(r.code).toBe(1);
    expect(line(r.lines, '✗', 'Zalo mã làm mới')).toContain('đã hết hạn');
    expect(line(r.lines, '✗', 'Zalo mã truy cập')).toContain('đã hết hạn');
    expect(r.text).toContain('loa zalo connect');
    expect(line(r.lines, '!', 'Zalo webhook')).toContain('https://loa.example.gov.vn/webhooks/zalo');

    const db2 = openDb(join(dataDir, 'loa.sqlite'));
    saveConnectedZaloTokens(db2, zalo.appId, { ...zalo.issueTokens(), accessExpiresAt: new Date(Date.now() + 3600_000), refreshExpiresAt: new Date(Date.now() + 90 * 86_400_000) });
    db2.close();
    const ok = await doctor(env);
    expect(line(ok.lines, '✓', 'Zalo mã truy cập')).toContain('hợp lệ');
    expect(line(ok.lines, '✓', 'Zalo mã làm mới')).toContain('còn hạn');
  });

  it('Zalo: a wrong app secret is named as such, not as a refresh token to reconnect; a never-connected OA is told to connect', async () => {
    const zalo: FakeZalo = await startFakeZalo();
    cleanups.push(() => zalo.close());
    const dataDir = temp('loa-doctor-zalo-');
    const env = {
      LOA_DATA_DIR: dataDir,
      LOA_PUBLIC_URL: 'https://loa.example.gov.vn',
      ZALO_APP_ID: zalo.appId,
      ZALO_APP_SECRET: zalo.appSecret,
      ZALO_OA_SECRET_KEY: zalo.oaSecretKey,
      ZALO_API_BASE: zalo.url,
      ZALO_OAUTH_BASE: zalo.url,
    };
    const never = await doctor(env);
    expect(line(never.lines, '✗', 'Zalo OA')).toContain('chưa được kết nối');
    // Not connected yet, nothing else reached Zalo: whether this server can is said before connect.
    expect(line(never.lines, '✓', 'Zalo máy chủ')).toContain(zalo.url);
    zalo.setDown(true);
    const blocked = await doctor(env);
    expect(line(blocked.lines, '✗', 'Zalo máy chủ')).toContain(`không kết nối được ${zalo.url}`);
    expect(blocked.text).toContain('oauth.zaloapp.com và openapi.zalo.me');
    zalo.setDown(false);
    expect(never.text).not.toContain('cấp quyền lại'); // "again": it was never granted
    expect(never.text).toContain('loa zalo connect');

    // What the token store writes when Zalo refuses the refresh for a wrong ZALO_APP_SECRET.
    const db = openDb(join(dataDir, 'loa.sqlite'));
    saveConnectedZaloTokens(db, zalo.appId, { ...zalo.issueTokens(), accessExpiresAt: new Date(Date.now() - 60_000), refreshExpiresAt: new Date(Date.now() + 80 * 86_400_000) });
    failZaloRefresh(db, zalo.appId, 'refused: error -14002');
    db.close();
    const wrong = await doctor(env);
    const refresh = line(wrong.lines, '✗', 'Zalo mã làm mới');
    expect(refresh).toContain('ZALO_APP_SECRET sai');
    const fixes = wrong.lines.filter((l, i) => i > 0 && /Zalo mã (làm mới|truy cập)/.test(wrong.lines[i - 1]!)).join('\n');
    expect(fixes).toContain('sửa ZALO_APP_SECRET');
    expect(fixes).not.toMatch(/chạy `loa zalo connect`/);
  });

  it('Zalo: a refused refresh token is not followed by "Loa sẽ thử làm mới"', async () => {
    const zalo: FakeZalo = await startFakeZalo();
    cleanups.push(() => zalo.close());
    const dataDir = temp('loa-doctor-zalo-');
    const env = { LOA_DATA_DIR: dataDir, ZALO_APP_ID: zalo.appId, ZALO_APP_SECRET: zalo.appSecret, ZALO_OA_SECRET_KEY: zalo.oaSecretKey, ZALO_API_BASE: zalo.url, ZALO_OAUTH_BASE: zalo.url };
    const db = openDb(join(dataDir, 'loa.sqlite'));
    saveConnectedZaloTokens(db, zalo.appId, { ...zalo.issueTokens(), accessExpiresAt: new Date(Date.now() + 3600_000), refreshExpiresAt: new Date(Date.now() + 80 * 86_400_000) });
    failZaloRefresh(db, zalo.appId, 'refused: error -14020');
    db.close();
    zalo.expireAccessTokens(); // Zalo revoked the pair: the access token is refused too
    const r = await doctor(env);
    expect(line(r.lines, '✗', 'Zalo mã làm mới')).toContain('-14020');
    expect(line(r.lines, '✗', 'Zalo mã truy cập')).toContain('-216');
    expect(r.text).not.toContain('Loa sẽ thử làm mới');
    expect(r.text).toContain('loa zalo connect');
  });

  it('names low disk space (below LOA_MIN_FREE_MB)', async () => {
    const r = await doctor({ LOA_MIN_FREE_MB: '1000' }, { freeBytes: () => 100 * 2 ** 20 });
    expect(r.code).toBe(1);
    const l = line(r.lines, '✗', 'Ổ đĩa');
    expect(l).toContain('còn 100 MB');
    expect(l).toContain('LOA_MIN_FREE_MB=1000');
  });

  it('says the process time zone is not Vietnam time, and what Loa uses', async () => {
    const r = await doctor({}, { timeZone: 'UTC' });
    const l = line(r.lines, '!', 'Múi giờ');
    expect(l).toContain('UTC+0');
    expect(l).toContain('Asia/Ho_Chi_Minh');
  });

  it('warns (exit 0) when loa could not make its compiled copy, says why and how to fix it; says nothing when started otherwise', async () => {
    const readOnly = await doctor({}, { compiledCopy: { dist: null, compiled: false, reason: 'read-only', root: '/srv/loa', detail: "EACCES: permission denied, mkdir '/srv/loa/.dist-1-x'" } });
    expect(readOnly.code).toBe(0);
    const l = line(readOnly.lines, '!', 'Bản biên dịch');
    expect(l).toContain('không ghi được vào /srv/loa');
    expect(l).toContain('chậm hơn khoảng 0,6 giây');
    expect(l).not.toContain('EACCES');
    const fix = readOnly.lines[readOnly.lines.indexOf(l) + 1]!;
    expect(fix).toContain('chown -R loa:loa /srv/loa');
    expect(fix).toContain('docker compose up -d --build');

    const noEsbuild = await doctor({}, { compiledCopy: { dist: null, compiled: false, reason: 'no-esbuild', root: '/srv/loa' } });
    expect(line(noEsbuild.lines, '!', 'Bản biên dịch')).toContain('esbuild');
    expect(noEsbuild.text).toContain('npm ci --omit=dev');
    const full = await doctor({}, { compiledCopy: { dist: null, compiled: false, reason: 'no-space', root: '/srv/loa' } });
    expect(line(full.lines, '!', 'Bản biên dịch')).toContain('ổ đĩa');

    expect(line((await doctor({}, { compiledCopy: { dist: '/srv/loa/dist', compiled: false, root: '/srv/loa' } })).lines, '✓', 'Bản biên dịch')).toContain('/srv/loa/dist');
    expect(line((await doctor({}, { compiledCopy: { dist: null, compiled: false, reason: 'off' } })).lines, '✓', 'Bản biên dịch')).toContain('LOA_COMPILE=0');
    const none = await doctor({}, { compiledCopy: null });
    expect(none.lines.some((x) => x.includes('Bản biên dịch'))).toBe(false);
  });

  it('Node.js: within engines and still patched is ✓; Node 20 after 30/04/2026 is worth a look; older than engines is ✗', async () => {
    const at = (version: string, iso: string) => nodeCheck(version, '>=20.19 <23', new Date(iso));
    expect(at('20.20.2', '2026-03-02T00:00:00Z')).toEqual({ name: 'Node.js', status: 'ok', message: 'v20.20.2, được vá bảo mật tới 30/04/2026' });
    const eol = at('20.20.2', '2026-12-07T00:00:00Z');
    expect(eol.status).toBe('warn');
    expect(eol.message).toBe('v20.20.2: dòng Node 20 đã hết hỗ trợ từ 30/04/2026, dự án Node.js không còn phát hành bản vá bảo mật cho nó (máy chủ này nhận tin từ Internet; gói nodejs của chính Debian có thể vẫn được Debian vá)');
    expect(eol.fix).toContain('Node.js 22');
    expect(at('22.12.0', '2026-12-07T00:00:00Z')).toMatchObject({ status: 'ok', message: 'v22.12.0, được vá bảo mật tới 30/04/2027' });
    expect(at('24.3.0', '2026-12-07T00:00:00Z')).toMatchObject({ status: 'warn', message: expect.stringContaining('ngoài các phiên bản Loa đã được thử (package.json engines: >=20.19 <23)') });
    expect(at('20.11.1', '2026-01-01T00:00:00Z')).toMatchObject({ status: 'fail', message: 'v20.11.1 cũ hơn mức Loa cần (package.json engines: >=20.19 <23)' });
    expect(satisfiesEngines('22.11.0', '^20.19.0 || >=22.12.0 <23')).toBe(false);
    expect(satisfiesEngines('22.12.0', '^20.19.0 || >=22.12.0 <23')).toBe(true);
    expect(satisfiesEngines('20.19.0', '^20.19.0 || >=22.12.0 <23')).toBe(true);
    expect(satisfiesEngines('20.0.0', 'lts/*')).toBeUndefined();
    // In the report, from the real package.json.
    const r = await doctor({}, { nodeVersion: '20.20.2', now: () => new Date('2026-12-07T00:00:00Z') });
    expect(line(r.lines, '!', 'Node.js')).toContain('đã hết hỗ trợ từ 30/04/2026');
  });

  it('says which .env it read, whether the service runs, and a configuration error without repeating "cấu hình"', async () => {
    const cwd = temp('loa-doctor-cwd-');
    writeFileSync(join(cwd, '.env'), 'LOA_HTTP_PORT=3000\n');
    const dataDir = temp('loa-doctor-data-');
    const r = await doctor({ LOA_DATA_DIR: dataDir }, { cwd });
    expect(line(r.lines, '✓', 'Cấu hình')).toContain(`hợp lệ (tệp ${join(cwd, '.env')}; bot: `);
    expect(line(r.lines, '✓', 'Dịch vụ')).toBe('✓ Dịch vụ: chưa chạy lần nào trên thư mục dữ liệu này');
    // Ran before, not running now: worth a look, with where to see why.
    openDb(join(dataDir, 'loa.sqlite')).close();
    const stopped = await doctor({ LOA_DATA_DIR: dataDir, LOA_HTTP_PORT: '1' }, { cwd });
    expect(line(stopped.lines, '!', 'Dịch vụ')).toContain(`không chạy trên ${dataDir}`);
    expect(stopped.text).toContain('journalctl -u loa -p warning');
    // Running: the lock is held (as by loa start in another process; here, this one).
    const lock = acquireServiceLock(dataDir)!;
    cleanups.push(() => lock.release());
    const running = await doctor({ LOA_DATA_DIR: dataDir }, { cwd });
    expect(line(running.lines, '✓', 'Dịch vụ')).toContain(`đang chạy (tiến trình ${process.pid} giữ khoá ${join(dataDir, 'loa.lock')})`);
    const bad = await doctor({ LOA_HTTP_PORT: 'abc' }, { cwd: temp('loa-doctor-none-') });
    expect(line(bad.lines, '✗', 'Cấu hình')).toBe('✗ Cấu hình: không hợp lệ (không có tệp .env: chỉ biến môi trường): env: LOA_HTTP_PORT: cần một số');
  });

  it('a clock set back behind what the database already holds is ✗ (the year check alone saw nothing)', async () => {
    const dataDir = temp('loa-doctor-clock-');
    const db = openDb(join(dataDir, 'loa.sqlite'));
    db.prepare(`INSERT INTO audit (at, actor, action) VALUES (?, 'system', 'test')`).run('2026-12-07T10:00:00.000Z');
    db.close();
    // A server whose clock went back to November (no clock battery, before NTP answered).
    const r = await doctor({ LOA_DATA_DIR: dataDir }, { now: () => new Date('2026-11-20T03:00:00Z'), clockSynchronized: () => false });
    expect(r.code).toBe(1);
    expect(line(r.lines, '✓', 'Đồng hồ')).toContain('10:00 20/11/2026');
    expect(line(r.lines, '✗', 'Đồng hồ')).toBe(
      '✗ Đồng hồ: đồng hồ đang chỉ 10:00 20/11/2026 (giờ Việt Nam), sớm hơn bản ghi mới nhất trong cơ sở dữ liệu (17:00 07/12/2026): đồng hồ máy đã bị lùi hoặc chưa đồng bộ, lịch gửi, giờ yên lặng và ngày ghi vào dữ liệu đang sai',
    );
    expect(r.text).toContain('timedatectl set-ntp true');
    // Right on time, or a few seconds of NTP slew: nothing said.
    const ok = await doctor({ LOA_DATA_DIR: dataDir }, { now: () => new Date('2026-12-07T10:03:00Z') });
    expect(ok.lines.filter((l) => l.includes('Đồng hồ'))).toEqual(['✓ Đồng hồ: giờ Việt Nam hiện tại 17:03 07/12/2026']);
  });

  it('records dated later than a synchronised clock (it ran ahead, NTP set it back): a warning that clears by itself, not ✗ with "turn NTP on"', async () => {
    const dataDir = temp('loa-doctor-clock-ahead-');
    const db = openDb(join(dataDir, 'loa.sqlite'));
    // Written while a virtual machine's clock ran 7 hours ahead (its host keeps local time).
    db.prepare(`INSERT INTO audit (at, actor, action) VALUES (?, 'system', 'test')`).run('2026-12-07T17:00:00.000Z');
    db.close();
    const now = () => new Date('2026-12-07T10:30:00Z');
    const synced = await doctor({ LOA_DATA_DIR: dataDir }, { now, clockSynchronized: () => true });
    expect(synced.lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(line(synced.lines, '!', 'Đồng hồ')).toBe(
      '! Đồng hồ: đồng hồ đã đồng bộ (NTP) nhưng có bản ghi trong cơ sở dữ liệu mang giờ muộn hơn bây giờ (mới nhất 00:00 08/12/2026): chúng được ghi khi đồng hồ máy chạy nhanh trước khi được chỉnh lại; các bản ghi đó mang giờ sai, dữ liệu mới đã đúng giờ',
    );
    expect(synced.text).toContain('dòng này tự hết sau 00:00 08/12/2026');
    // Not known to be synchronised (chrony, ntpd, or really behind): still ✗, and the fix says both.
    const unknown = await doctor({ LOA_DATA_DIR: dataDir }, { now, clockSynchronized: () => false });
    expect(unknown.code).toBe(1);
    expect(line(unknown.lines, '✗', 'Đồng hồ')).toContain('sớm hơn bản ghi mới nhất');
    expect(unknown.text).toContain('Nếu đồng hồ đã đồng bộ và giờ hiện tại đúng, thì trước đó đồng hồ đã chạy nhanh');
  });

  it('says what the data folder holds over months, what is never pruned, and when the next daily backup would not fit', async () => {
    const dataDir = temp('loa-doctor-data-use-');
    openDb(join(dataDir, 'loa.sqlite')).close();
    mkdirSync(join(dataDir, 'backups'));
    const mib = Buffer.alloc(2 ** 20);
    for (const f of ['loa-daily-2026-12-05-0230.sqlite', 'loa-daily-2026-12-06-0230.sqlite', 'loa-2026-11-01-0900.sqlite']) writeFileSync(join(dataDir, 'backups', f), mib);
    writeFileSync(join(dataDir, 'loa.sqlite.before-restore-2026-11-02-1000'), Buffer.concat([mib, mib]));
    const r = await doctor({ LOA_DATA_DIR: dataDir, LOA_BACKUP_KEEP: '7' });
    expect(line(r.lines, '✓', 'Dữ liệu')).toMatch(
      /^✓ Dữ liệu: cơ sở dữ liệu 1 MB, 2 bản sao lưu hằng ngày 2 MB \(giữ 7 bản mới nhất\); không tự xoá: 1 bản sao lưu bằng loa backup 1 MB, 1 cơ sở dữ liệu cũ để lại sau khôi phục 2 MB$/,
    );
    const full = await doctor({ LOA_DATA_DIR: dataDir, LOA_BACKUP_KEEP: '7' }, { freeBytes: () => 1000 });
    expect(line(full.lines, '!', 'Dữ liệu')).toContain('Bản sao lưu hằng ngày tới cần khoảng 1 MB, ổ chỉ còn 1 MB');
    expect(full.text).toContain('xoá bớt các bản không tự xoá');
  });
});
