/**
 * Start-up never hangs on Telegram, and `/healthz` tells the truth (issue 16 item 1): with the
 * Bot API unreachable the app starts at once, the first admin password appears, `/healthz`
 * answers 503 with telegram "retrying" and the reason; once the Bot API is back the channel
 * connects by itself. A wrong token (401) ends in "failed" with a reason staff can act on.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { startTestApp } from '../support/app.js';
import { captureLogger, within } from '../support/capture-log.js';
import { AdminClient, addUser } from '../admin/support.js';

const backoff = { minMs: 20, maxMs: 200 };

describe('Telegram connects in the background', () => {
  let tg: FakeTelegram;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
    await tg?.close();
    vi.useRealTimers();
  });

  it('starts at once with the Bot API unreachable, reports "retrying" with the reason, then connects', async () => {
    tg = await startFakeTelegram();
    tg.setDown(true);
    const { logger, lines } = captureLogger();
    const started = await within(
      startTestApp({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot }, { logger, connectBackoff: backoff }),
      15_000,
      'app.start() with Telegram unreachable',
    );
    close = started.close;
    const { app, url } = started;

    // The first admin account exists and its one-time password was printed.
    expect(lines.join('')).toMatch(/mật khẩu dùng một lần: \S+/);

    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.ok).toBe(false);
    expect(body.channels.telegram.state).toBe('retrying');
    expect(body.channels.telegram.reason).toContain('Không kết nối được máy chủ Telegram');
    expect(Date.parse(body.channels.telegram.since)).not.toBeNaN();
    expect(body.channels.web.state).toBe('connected');
    expect(body.channels.zalo.state).toBe('off');
    expect(body.content.errors).toEqual([]);
    // The token never reaches the reason.
    expect(JSON.stringify(body)).not.toContain(tg.token);
    // Each failed attempt is logged with its reason.
    await within(app.health.waitFor('telegram', 'retrying'), 5000, 'a retry');
    expect(lines.some((l) => l.includes('connection failed; retrying') && l.includes('"channel":"telegram"'))).toBe(true);

    tg.setDown(false);
    await within(app.health.waitFor('telegram', 'connected'), 10_000, 'telegram connected');
    const after = await fetch(`${url}/healthz`);
    expect(after.status).toBe(200);
    const ok = await after.json();
    expect(ok.ok).toBe(true);
    expect(ok.channels.telegram.state).toBe('connected');

    // Long polling runs: a message is answered.
    await tg.pushUpdate(tg.message({ userId: 4242, text: '/start' }));
    await within(tg.waitForCall((c) => c.method === 'sendMessage' && String(c.params.chat_id) === '4242'), 10_000, 'a reply');
  });

  it('a wrong token (401) is "failed" with a Vietnamese reason, and is not retried', async () => {
    tg = await startFakeTelegram();
    const started = await startTestApp({ TELEGRAM_BOT_TOKEN: '999:wrong-token', TELEGRAM_API_ROOT: tg.apiRoot }, { connectBackoff: backoff });
    close = started.close;
    await within(started.app.health.waitFor('telegram', 'failed'), 10_000, 'telegram failed');
    const res = await fetch(`${started.url}/healthz`);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.channels.telegram.state).toBe('failed');
    expect(body.channels.telegram.reason).toContain('TELEGRAM_BOT_TOKEN');
    expect(body.channels.telegram.reason).toContain('@BotFather');
    expect(body.channels.telegram.reason).not.toContain('wrong-token');
    expect(tg.callsTo('getMe')).toHaveLength(1);

    // The dashboard says the same, in Vietnamese.
    addUser(started.app, 'lan', ['viewer']);
    const client = new AdminClient(started.url);
    await client.login('lan', 'lan-mat-khau-1');
    const page = await client.get('/admin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Kết nối các kênh');
    expect(page.text).toContain('không kết nối được (cần sửa cấu hình)');
    expect(page.text).toContain('TELEGRAM_BOT_TOKEN sai hoặc đã bị thu hồi');
  });

  it('a long poll that starts failing turns "retrying", and "connected" again when it answers', async () => {
    tg = await startFakeTelegram();
    const started = await startTestApp({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot }, { connectBackoff: backoff });
    close = started.close;
    const { app } = started;
    await within(app.health.waitFor('telegram', 'connected'), 10_000, 'connected');
    // grammY waits 3 s before polling again after a failed poll. A fake clock that otherwise
    // keeps pace with real time (the app's other timers run as usual) is moved past that wait.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    tg.failNext('getUpdates', { network: true }, 1);
    // Ends the poll in progress so the next one meets the failure.
    await tg.pushUpdate(tg.message({ userId: 77, text: 'xin chào' }));
    await within(app.health.waitFor('telegram', 'retrying'), 10_000, 'retrying after a failed poll');
    expect(app.health.get('telegram').reason).toContain('Không kết nối được máy chủ Telegram');
    // grammY has set its timer by now (it does so in the same turn as the failure is reported).
    await new Promise((r) => setImmediate(r));
    await vi.advanceTimersByTimeAsync(3000);
    await within(app.health.waitFor('telegram', 'connected'), 15_000, 'connected again');
  });
});
