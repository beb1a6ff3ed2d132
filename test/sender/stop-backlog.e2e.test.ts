/**
 * A stop with a backlog of replies (end to end: the real app, grammY and the fake Bot API at
 * Telegram's one message a second per chat). The stop must not wait for the backlog: what is
 * queued and not yet sent stays `pending` in SQLite, and the next start sends it, once each and
 * in order, within its lifetime. Before the fix a stop waited for every queued reply (20 queued
 * stickers' replies held a stop for 17.7 s; 30 outlast systemd's TimeoutStopSec=30).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { testConfig } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import type { Feature } from '../../src/conversation/types.js';

const SECRET = 'test_secret-0123456789abcdef';
const N = 12;

/** One message that gets N replies: a backlog of N seconds in one chat. */
const many: Feature = {
  name: 'many',
  commands: { nhieu: () => Array.from({ length: N }, (_, i) => ({ text: `Tin số ${i + 1}` })) },
};

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** The replies' states, read from the database file (the stopped app's connection is closed). */
const statusCounts = (dataDir: string): Record<string, number> => {
  const db = new Database(join(dataDir, 'loa.sqlite'), { readonly: true });
  try {
    return Object.fromEntries(
      (db.prepare(`SELECT status, COUNT(*) AS n FROM sends WHERE kind = 'reply' GROUP BY status`).all() as { status: string; n: number }[]).map((r) => [r.status, r.n]),
    );
  } finally {
    db.close();
  }
};

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

describe('a stop with replies queued in one chat', () => {
  it('ends without working off the backlog; the next start sends the rest once each, in order', async () => {
    const tg: FakeTelegram = await startFakeTelegram();
    cleanup.push(() => tg.close());
    // Telegram's real per-chat rate: the backlog takes N seconds to send.
    const config = testConfig({
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_URL: 'https://portal.example.gov.vn/webhooks/telegram',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_RATE_PER_CHAT: '1',
    });
    cleanup.push(() => config.cleanup());
    const build = (): Promise<App> => createApp(config, { logger: pino({ level: 'silent' }), watchContent: false, buildThread: false, features: [many] });

    const first = await build();
    let stopped = false;
    cleanup.push(() => (stopped ? undefined : first.stop()));
    const url = await first.start();
    tg.rewriteWebhookUrl = () => `${url}/webhooks/telegram`;
    await tg.pushUpdate(tg.message({ userId: 77, text: '/nhieu' }));
    await until(() => tg.sentTexts(77).length >= 1);

    await first.stop();
    stopped = true;
    const sentBefore = tg.sentTexts(77);
    // Not the whole backlog (it needs N seconds at one a second): the rest waits in SQLite.
    expect(sentBefore.length).toBeLessThan(N);
    const counts = statusCounts(config.dataDir);
    expect(counts.pending ?? 0).toBe(N - sentBefore.length);
    expect(counts.sending ?? 0).toBe(0);

    const second = await build();
    cleanup.push(() => second.stop());
    const url2 = await second.start();
    tg.rewriteWebhookUrl = () => `${url2}/webhooks/telegram`;
    await until(() => tg.sentTexts(77).length >= N);
    await second.inbox.drain();
    // Each once, in order, nothing unknown or expired.
    expect(tg.sentTexts(77)).toEqual(Array.from({ length: N }, (_, i) => `Tin số ${i + 1}`));
    expect(statusCounts(config.dataDir)).toEqual({ sent: N });
  }, 60_000);
});
