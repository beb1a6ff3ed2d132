/**
 * Test builders: a config in a fresh temp data dir, and a started app on an ephemeral loopback
 * port. Every e2e test starts its own app; nothing is shared between tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createConfig, type Config } from '../../src/config.js';
import { createApp, type App, type CreateAppOptions } from '../../src/app.js';

/** The bot YAML used by tests. */
export const testBot = {
  name: 'Loa thử nghiệm',
  greeting: 'Xin chào! Đây là bot thử nghiệm.',
  regions_root: 'hung-yen',
  staff_contact: { name: 'Phòng Thông tin cơ sở', phone: '0221 000 0000' },
};

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'loa-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A config for tests: port 0 (ephemeral), a temp data dir, the shipped content unless
 * `LOA_CONTENT_DIR` is given. Extra env (TELEGRAM_*, ZALO_*) goes in `env`.
 */
export function testConfig(env: Record<string, string> = {}, bot: Record<string, unknown> = {}): Config & { cleanup: () => void } {
  const { dir, cleanup } = tempDir();
  const config = createConfig(
    // No search thread unless a test asks for one (each would load its own index).
    { LOA_HTTP_PORT: '0', LOA_DATA_DIR: dir, LOA_CONTENT_DIR: 'content', LOA_LOG_LEVEL: 'silent', LOA_SEARCH_THREADS: '0', ...env },
    { ...testBot, ...bot },
  );
  return Object.assign(config, { cleanup });
}

/** A started app and its base URL; `close()` stops it and removes its data dir. */
export async function startTestApp(
  env: Record<string, string> = {},
  opts: CreateAppOptions & { bot?: Record<string, unknown> } = {},
): Promise<{ app: App; url: string; config: Config; close: () => Promise<void> }> {
  const config = testConfig(env, opts.bot);
  const app = await createApp(config, { logger: pino({ level: 'silent' }), watchContent: false, ...opts });
  const url = await app.start();
  return {
    app,
    url,
    config,
    close: async () => {
      await app.stop();
      config.cleanup();
    },
  };
}
