/**
 * What the person installing Loa reads when the configuration is wrong (`loa start`, `loa
 * doctor`): Vietnamese, naming the key as written and what it must be. Zod's own English
 * ("Invalid input: expected number, received NaN") was printed before.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createConfig, loadConfig, TELEGRAM_HOOK_PATH, ZALO_BOT_HOOK_PATH } from '../../src/config.js';
import { WEBHOOK_PATH as TELEGRAM_WEBHOOK_PATH } from '../../src/channels/telegram/telegram.js';
import { ZALO_BOT_WEBHOOK_PATH } from '../../src/channels/zalo-bot/channel.js';

const bot = { name: 'Loa', greeting: 'Xin chào' };
const problems = (env: Record<string, string>, yaml: unknown = bot): string => {
  try {
    createConfig(env, yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('no error');
};

describe('configuration errors', () => {
  it('name the key and say, in Vietnamese, what it must be', () => {
    const m = problems({ LOA_HTTP_PORT: 'abc', LOA_LOG_LEVEL: 'loud', LOA_BACKUP_TIME: '2h30' });
    expect(m).toContain('cấu hình: env: LOA_HTTP_PORT: cần một số');
    expect(m).toContain('cấu hình: env: LOA_LOG_LEVEL: giá trị không được chấp nhận; chỉ nhận: fatal, error, warn, info, debug, trace, silent');
    expect(m).toContain('cấu hình: env: LOA_BACKUP_TIME: cần giờ dạng HH:MM');
    expect(m).not.toMatch(/Invalid|expected|received/);
  });

  it('say what a channel still needs', () => {
    const m = problems({ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'webhook', ZALO_APP_ID: '1' });
    expect(m).toContain('TELEGRAM_WEBHOOK_URL: bắt buộc khi TELEGRAM_MODE=webhook');
    expect(m).toContain('TELEGRAM_WEBHOOK_SECRET: bắt buộc ở chế độ webhook');
    expect(m).toContain('ZALO_APP_SECRET: bắt buộc khi đã đặt một khóa ZALO_*');
    expect(m).not.toMatch(/required|must be/);
  });

  it('word the bot file’s problems too', () => {
    const m = problems({}, { name: 'Loa', greeting: 'Xin chào', quiet_hours: { start: '9pm', end: '07:00' } });
    expect(m).toMatch(/^cấu hình: bots\/default\.yaml: quiet_hours\.start: cần giờ dạng HH:MM/);
  });

  it('LOA_PUBLIC_URL must be a whole https:// address of its own domain, not a name alone or a subpath', () => {
    expect(problems({ LOA_PUBLIC_URL: 'loa.example.gov.vn' })).toBe(
      "cấu hình: env: LOA_PUBLIC_URL: 'loa.example.gov.vn' không phải địa chỉ đầy đủ: cần dạng https://tên-miền, ví dụ https://loa.stttt.example.gov.vn",
    );
    expect(problems({ LOA_PUBLIC_URL: 'https://www.tinh.gov.vn/loa/' })).toBe(
      'cấu hình: env: LOA_PUBLIC_URL: \'https://www.tinh.gov.vn/loa/\' có đường dẫn con (/loa/): Loa cần một tên miền (hoặc tên miền con) riêng, vì trang quản trị và web chat dùng đường dẫn từ gốc /; đặt ví dụ https://loa.tinh.gov.vn (xem docs/deploy.md, mục "Its own domain")',
    );
    for (const ok of ['https://loa.example.gov.vn', 'https://loa.example.gov.vn/', 'http://10.0.0.5:3000'])
      expect(createConfig({ LOA_PUBLIC_URL: ok }, bot).http.publicUrl).toBe(ok);
  });

  it('webhook mode takes its URLs from LOA_PUBLIC_URL, and refuses one that cannot reach Loa\'s route', () => {
    // Set once: the IT officer had to write the domain a second (and third) time, and a URL
    // without the route (the domain alone, /webhook/telegram) was accepted by the platform,
    // which then posted every update to a 404 while the channel showed "connected".
    const secrets = { TELEGRAM_WEBHOOK_SECRET: 'bi-mat-webhook-0123456789', ZALO_BOT_WEBHOOK_SECRET: 'bi-mat-webhook-0123456789' };
    const hooks = { TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_MODE: 'webhook', ZALO_BOT_TOKEN: '2:b', ZALO_BOT_MODE: 'webhook', ...secrets };
    const c = createConfig({ ...hooks, LOA_PUBLIC_URL: 'https://loa.example.gov.vn/' }, bot);
    expect(c.telegram?.webhookUrl).toBe('https://loa.example.gov.vn/webhooks/telegram');
    expect(c.zaloBot?.webhookUrl).toBe('https://loa.example.gov.vn/webhooks/zalo-bot');
    expect(TELEGRAM_HOOK_PATH).toBe(TELEGRAM_WEBHOOK_PATH);
    expect(ZALO_BOT_HOOK_PATH).toBe(ZALO_BOT_WEBHOOK_PATH);
    // Set explicitly, it wins (another name, a proxy that strips a prefix).
    const own = createConfig({ ...hooks, LOA_PUBLIC_URL: 'https://loa.example.gov.vn', TELEGRAM_WEBHOOK_URL: 'https://tg.example.gov.vn/loa/webhooks/telegram' }, bot);
    expect(own.telegram?.webhookUrl).toBe('https://tg.example.gov.vn/loa/webhooks/telegram');
    // Neither set: said how to fix it either way.
    expect(problems({ TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_MODE: 'webhook', ...secrets })).toContain('hoặc đặt LOA_PUBLIC_URL, Loa lấy địa chỉ đó cộng /webhooks/telegram');
    // A URL that does not end with the route.
    expect(problems({ ...hooks, LOA_PUBLIC_URL: 'https://loa.example.gov.vn', TELEGRAM_WEBHOOK_URL: 'https://loa.example.gov.vn' })).toBe(
      'cấu hình: env: TELEGRAM_WEBHOOK_URL: https://loa.example.gov.vn không dẫn tới Loa: nền tảng sẽ gửi tin tới đó và chỉ nhận lỗi 404. Địa chỉ phải kết thúc bằng /webhooks/telegram, ví dụ https://loa.example.gov.vn/webhooks/telegram (hoặc bỏ dòng TELEGRAM_WEBHOOK_URL: Loa lấy LOA_PUBLIC_URL cộng /webhooks/telegram)',
    );
    expect(problems({ ...hooks, TELEGRAM_WEBHOOK_URL: 'https://loa.example.gov.vn/webhooks/telegram/' })).toContain('không dẫn tới Loa');
    expect(problems({ ...hooks, ZALO_BOT_WEBHOOK_URL: 'https://loa.example.gov.vn/webhook/zalo-bot', TELEGRAM_WEBHOOK_URL: 'https://loa.example.gov.vn/webhooks/telegram' })).toBe(
      'cấu hình: env: ZALO_BOT_WEBHOOK_URL: https://loa.example.gov.vn/webhook/zalo-bot không dẫn tới Loa: nền tảng sẽ gửi tin tới đó và chỉ nhận lỗi 404. Địa chỉ phải kết thúc bằng /webhooks/zalo-bot, ví dụ https://loa.example.gov.vn/webhooks/zalo-bot',
    );
  });

  it('a choice is read whatever its case (FULL as SQLite writes it, INFO, Webhook)', () => {
    const c = createConfig({ LOA_DB_SYNCHRONOUS: 'FULL', LOA_LOG_LEVEL: 'INFO', LOA_LOG_FORMAT: ' Json ', TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_MODE: 'Polling' }, bot);
    expect([c.dbSynchronous, c.logLevel, c.logFormat, c.telegram?.mode]).toEqual(['FULL', 'info', 'json', 'polling']);
    expect(problems({ LOA_LOG_LEVEL: 'DEBG' })).toBe('cấu hình: env: LOA_LOG_LEVEL: giá trị không được chấp nhận; chỉ nhận: fatal, error, warn, info, debug, trace, silent');
  });

  it('a bot YAML saved on Windows: a byte order mark, CRLF, or UTF-16 ("Unicode" in Notepad)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-bot-'));
    try {
      const yaml = 'name: "Loa Tỉnh"\r\ngreeting: "Xin chào"\r\n';
      writeFileSync(join(dir, 'utf8.yaml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(yaml)]));
      writeFileSync(join(dir, 'utf16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(yaml, 'utf16le')]));
      for (const f of ['utf8.yaml', 'utf16.yaml']) expect(loadConfig({ LOA_BOT: join(dir, f) }).bot.name, f).toBe('Loa Tỉnh');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

