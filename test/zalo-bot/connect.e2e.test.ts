/**
 * Start-up never hangs on the Zalo Bot platform, and `/healthz` tells the truth: unreachable, the
 * app starts at once with the channel "retrying" and the reason, then connects by itself; a
 * refused token and a refused webhook address end in "failed" with a reason staff can act on.
 * The token reaches neither the reasons nor the log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeZaloBot, zaloBotEnv, type FakeZaloBot } from '../support/fake-zalo-bot.js';
import { captureLogger, within } from '../support/capture-log.js';

const backoff = { minMs: 20, maxMs: 200 };
const WEBHOOK = { ZALO_BOT_MODE: 'webhook', ZALO_BOT_WEBHOOK_URL: 'https://loa.example.gov.vn/webhooks/zalo-bot', ZALO_BOT_WEBHOOK_SECRET: 'bi-mat-webhook-0123456789' };

describe('Zalo Bot connects in the background', () => {
  let zb: FakeZaloBot;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
    await zb?.close();
  });

  const healthz = async (url: string): Promise<{ status: number; body: { channels: Record<string, { state: string; reason?: string }> } }> => {
    const res = await fetch(`${url}/healthz`);
    return { status: res.status, body: await res.json() };
  };

  it('starts at once with the platform unreachable, reports "retrying" with the reason, then connects', async () => {
    zb = await startFakeZaloBot();
    zb.setDown(true);
    const { logger, lines } = captureLogger('debug');
    const started = await within(startTestApp(zaloBotEnv(zb), { logger, connectBackoff: backoff }), 15_000, 'start with the platform unreachable');
    close = started.close;
    const first = await healthz(started.url);
    expect(first.status).toBe(503);
    expect(first.body.channels['zalo-bot']).toMatchObject({ state: 'retrying' });
    expect(first.body.channels['zalo-bot']!.reason).toContain('Không kết nối được máy chủ Zalo Bot');
    expect(first.body.channels.web!.state).toBe('connected');
    zb.setDown(false);
    await within(started.app.health.waitFor('zalo-bot', 'connected'), 5000, 'connected');
    expect((await healthz(started.url)).body.channels['zalo-bot']!.state).toBe('connected');
    expect(JSON.stringify(first.body) + lines.join('')).not.toContain(zb.token.split(':')[1]!);
  });

  it('a refused token ends in "failed", naming ZALO_BOT_TOKEN', async () => {
    zb = await startFakeZaloBot();
    const { logger, lines } = captureLogger('debug');
    const started = await startTestApp({ ...zaloBotEnv(zb), ZALO_BOT_TOKEN: '123:ma-bot-sai-0000' }, { logger, connectBackoff: backoff });
    close = started.close;
    await within(started.app.health.waitFor('zalo-bot', 'failed'), 5000, 'failed');
    const h = await healthz(started.url);
    expect(h.body.channels['zalo-bot']!.reason).toContain('ZALO_BOT_TOKEN sai hoặc đã bị thu hồi');
    expect(JSON.stringify(h.body) + lines.join('')).not.toContain('ma-bot-sai-0000');
  });

  it('a webhook address the platform refuses ends in "failed", naming ZALO_BOT_WEBHOOK_URL; a passing error is retried', async () => {
    zb = await startFakeZaloBot();
    zb.failNext('setWebhook', { error_code: 500, description: 'Internal Server Error' });
    zb.failNext('setWebhook', { error_code: 400, description: 'url is not reachable' });
    const started = await startTestApp({ ...zaloBotEnv(zb), ...WEBHOOK }, { connectBackoff: backoff });
    close = started.close;
    await within(started.app.health.waitFor('zalo-bot', 'failed'), 5000, 'failed');
    expect(zb.callsTo('setWebhook').map((c) => c.status)).toEqual([500, 400]);
    expect((await healthz(started.url)).body.channels['zalo-bot']!.reason).toContain('ZALO_BOT_WEBHOOK_URL');
    expect(zb.webhook).toBeNull();
  });
});
