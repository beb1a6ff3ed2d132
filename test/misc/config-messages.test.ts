/**
 * What the person installing Loa reads when the configuration is wrong (`loa start`, `loa
 * doctor`): Vietnamese, naming the key as written and what it must be. Zod's own English
 * ("Invalid input: expected number, received NaN") was printed before.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, createConfig } from '../../src/config.js';

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
});
