/**
 * `loa doctor` on the Zalo Bot channel: a sound token and webhook pass; a refused token, an
 * unreachable platform, a webhook set elsewhere and a webhook left set in polling mode are each
 * named in Vietnamese with how to fix them, the exit status non-zero, the token never printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConfig } from '../../src/config.js';
import { runDoctorCli } from '../../src/cli/doctor.js';
import { createZaloBotClient } from '../../src/channels/zalo-bot/client.js';
import { testBot } from '../support/app.js';
import { startFakeZaloBot, zaloBotEnv, type FakeZaloBot } from '../support/fake-zalo-bot.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fake(): Promise<FakeZaloBot> {
  const zb = await startFakeZaloBot();
  cleanups.push(() => zb.close());
  return zb;
}

async function doctor(env: Record<string, string>): Promise<{ code: number; lines: string[]; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'loa-doctor-zb-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const code = await runDoctorCli(
    { env: { LOA_DATA_DIR: dir, LOA_CONTENT_DIR: 'content', ...env }, loadConfig: (e) => createConfig(e, testBot), timeZone: 'Asia/Ho_Chi_Minh', freeBytes: () => 50 * 2 ** 30, timeoutMs: 2000 },
    (l) => lines.push(l),
  );
  return { code, lines, text: lines.join('\n') };
}

const line = (lines: string[], mark: '✓' | '!' | '✗', name: string): string => {
  const found = lines.find((l) => l.startsWith(`${mark} ${name}:`));
  if (!found) throw new Error(`no "${mark} ${name}:" line in:\n${lines.join('\n')}`);
  return found;
};

const WEBHOOK = { ZALO_BOT_MODE: 'webhook', ZALO_BOT_WEBHOOK_URL: 'https://loa.example.gov.vn/webhooks/zalo-bot', ZALO_BOT_WEBHOOK_SECRET: 'bi-mat-webhook-0123456789' };

describe('loa doctor: Zalo Bot', () => {
  it('a sound polling setup: the bot named, no webhook, exit 0; getUpdates never called', async () => {
    const zb = await fake();
    const r = await doctor(zaloBotEnv(zb));
    expect(r.code).toBe(0);
    expect(line(r.lines, '✓', 'Cấu hình')).toContain('Zalo Bot (long polling)');
    expect(line(r.lines, '✓', 'Zalo Bot')).toContain('bot.LoaThuNghiem');
    expect(line(r.lines, '✓', 'Zalo Bot long polling')).toContain('không có webhook');
    expect(zb.callsTo('getUpdates')).toHaveLength(0);
  });

  it('names a refused token, without printing it', async () => {
    const zb = await fake();
    const r = await doctor({ ...zaloBotEnv(zb), ZALO_BOT_TOKEN: '123:sai-ma-bot' });
    expect(r.code).toBe(1);
    expect(line(r.lines, '✗', 'Zalo Bot')).toContain('ZALO_BOT_TOKEN sai');
    expect(r.text).toContain('Zalo Bot Creator');
    expect(r.text).not.toContain('sai-ma-bot');
  });

  it('names an unreachable platform', async () => {
    const zb = await fake();
    zb.setDown(true);
    const r = await doctor(zaloBotEnv(zb));
    expect(r.code).toBe(1);
    expect(line(r.lines, '✗', 'Zalo Bot')).toContain(`không kết nối được máy chủ Zalo Bot tại ${zb.apiRoot}`);
    expect(r.text).not.toContain(zb.token);
  });

  it('in webhook mode: names a missing webhook, one set elsewhere, and passes the right one', async () => {
    const zb = await fake();
    const client = createZaloBotClient({ token: zb.token, apiRoot: zb.apiRoot });
    const none = await doctor({ ...zaloBotEnv(zb), ...WEBHOOK });
    expect(line(none.lines, '✗', 'Zalo Bot webhook')).toContain('chưa đặt webhook');
    await client.setWebhook('https://cu.example.com/hook', 'secret-0123456789');
    const elsewhere = await doctor({ ...zaloBotEnv(zb), ...WEBHOOK });
    expect(elsewhere.code).toBe(1);
    expect(line(elsewhere.lines, '✗', 'Zalo Bot webhook')).toContain('ZALO_BOT_WEBHOOK_URL=https://loa.example.gov.vn/webhooks/zalo-bot');
    await client.setWebhook(WEBHOOK.ZALO_BOT_WEBHOOK_URL, 'secret-0123456789');
    const right = await doctor({ ...zaloBotEnv(zb), ...WEBHOOK });
    expect(right.code).toBe(0);
    expect(line(right.lines, '✓', 'Zalo Bot webhook')).toContain('đặt đúng');
  });

  it('names a webhook left set in polling mode', async () => {
    const zb = await fake();
    await createZaloBotClient({ token: zb.token, apiRoot: zb.apiRoot }).setWebhook('https://cu.example.com/hook', 'secret-0123456789');
    const r = await doctor(zaloBotEnv(zb));
    expect(r.code).toBe(1);
    expect(line(r.lines, '✗', 'Zalo Bot long polling')).toContain('https://cu.example.com/hook');
  });

  it('refuses a webhook configuration without an HTTPS URL or a long enough secret', async () => {
    const zb = await fake();
    const r = await doctor({ ...zaloBotEnv(zb), ZALO_BOT_MODE: 'webhook', ZALO_BOT_WEBHOOK_URL: 'http://loa.example.gov.vn/webhooks/zalo-bot', ZALO_BOT_WEBHOOK_SECRET: 'ngan' });
    expect(r.code).toBe(1);
    const l = line(r.lines, '✗', 'Cấu hình');
    expect(l).toContain('ZALO_BOT_WEBHOOK_URL');
    expect(l).toContain('ZALO_BOT_WEBHOOK_SECRET');
  });
});
