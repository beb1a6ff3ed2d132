/**
 * Test builders: a config in a fresh temp data dir, and a started app on an ephemeral loopback
 * port. Every e2e test starts its own app; nothing is shared between tests but the index
 * snapshot of the shipped content, built once per run (global-setup.ts) and copied into each
 * data dir whose content it matches, so an app starts as a production restart does.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { inject } from 'vitest';
import { createConfig, type Config } from '../../src/config.js';
import { createApp, type App, type CreateAppOptions } from '../../src/app.js';
import { hashContent } from '../../src/knowledge/content.js';
import { createKnowledge, type Knowledge } from '../../src/knowledge/knowledge.js';
import { rememberedCalibrate } from './calibration-memo.js';

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
    // No search thread unless a test asks for one (each would load its own index). Replies to one
    // chat are not held to the platforms' one a second (a conversation of five replies took 5 s
    // of real time): the throttle has its own tests (campaigns/throttle, sender), and a test of
    // it sets the rate it needs.
    {
      LOA_HTTP_PORT: '0',
      LOA_DATA_DIR: dir,
      LOA_CONTENT_DIR: 'content',
      LOA_LOG_LEVEL: 'silent',
      LOA_SEARCH_THREADS: '0',
      TELEGRAM_RATE_PER_CHAT: '50',
      ZALO_BOT_RATE_PER_CHAT: '50',
      ...env,
    },
    { ...testBot, ...bot },
  );
  seedSnapshot(config.contentDir, dir);
  return Object.assign(config, { cleanup });
}

/**
 * Copies the run's index snapshot of `content/` into `dataDir` when `contentDir` holds exactly
 * that content (a copy of it too). Otherwise nothing is copied: a snapshot of other content
 * would be served as the "last good" index if this content had errors.
 */
export function seedSnapshot(contentDir: string, dataDir: string): void {
  const run = runSnapshot();
  if (!run || hashContent(contentDir) !== run.hash) return;
  // The whole dir: it holds only what createKnowledge wrote there, whatever the file is called.
  cpSync(run.dir, dataDir, { recursive: true });
}

/**
 * The run's index snapshot of `content/`, made once by vitest's global setup; none outside a
 * test run (the benchmarks start test apps too, and `inject` throws there).
 */
export function runSnapshot(): { hash: string; dir: string } | undefined {
  try {
    const hash = inject('knowledgeSnapshotHash');
    const dir = inject('knowledgeSnapshotDir');
    return hash && dir ? { hash, dir } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The shipped knowledge (`content/`), loaded from the run's snapshot: what `createKnowledge({
 * contentDir: 'content' })` builds, in a tenth of the time. Options as `createKnowledge`'s.
 */
export function shippedKnowledge(opts: { now?: () => Date } = {}): Knowledge {
  const run = runSnapshot();
  return createKnowledge({ contentDir: 'content', ...(run ? { dataDir: run.dir, readOnlySnapshot: true } : {}), ...opts });
}

/** A started app and its base URL; `close()` stops it and removes its data dir. */
export async function startTestApp(
  env: Record<string, string> = {},
  opts: CreateAppOptions & { bot?: Record<string, unknown> } = {},
): Promise<{ app: App; url: string; config: Config; close: () => Promise<void> }> {
  const config = testConfig(env, opts.bot);
  // Reloads on this thread: a worker's start (~1-3 s here) per test app would cost more than the
  // reloads it takes off the event loop; test/knowledge/build-thread.test.ts covers the worker.
  // The decision's fits are remembered across a test process's apps (calibration-memo.ts): a reload
  // that serves what an earlier one served gets the same fit without computing it again.
  const app = await createApp(config, { logger: pino({ level: 'silent' }), watchContent: false, buildThread: false, calibrate: rememberedCalibrate, ...opts });
  const url = await app.start();
  return {
    app,
    url,
    config,
    close: async () => {
      // Replies still in flight finish first: stop() closes the channels' senders before it
      // drains, and a send cut off there is retried after a 5 s wait (inbox.ts).
      await app.inbox.drain();
      await app.stop();
      config.cleanup();
    },
  };
}
