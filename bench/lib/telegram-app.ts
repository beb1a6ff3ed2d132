/**
 * The Loa server for the Telegram benchmark, in its own process (so its CPU and RSS are its
 * own, as in production where Telegram is elsewhere): `fork('bin/run-ts.js', [this file])`
 * with the TELEGRAM_* and LOA_* environment set by 15-telegram.bench.ts. It answers IPC
 * messages: 'stats' -> { rss, cpuMicros }, 'stop' -> stops and exits.
 */
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';

// Experiment (LOA_BENCH_STMT_CACHE=1): the db modules prepare their SQL on every call; this
// caches prepared statements per connection to measure what that costs. Not used by Loa itself.
if (process.env.LOA_BENCH_STMT_CACHE === '1') {
  const proto = Database.prototype as unknown as { prepare: (sql: string) => unknown };
  const prepare = proto.prepare;
  const caches = new WeakMap<object, Map<string, unknown>>();
  proto.prepare = function (this: object, sql: string) {
    let c = caches.get(this);
    if (!c) caches.set(this, (c = new Map()));
    let st = c.get(sql);
    if (!st) c.set(sql, (st = prepare.call(this, sql)));
    return st;
  };
}
const config = loadConfig(process.env);
const app = await createApp(config, { watchContent: false, logger: pino({ level: 'warn' }) });
const url = await app.start();
process.send?.({ url });
process.on('message', (m: unknown) => {
  if (m === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({ rss: process.memoryUsage().rss, cpuMicros: cpu.user + cpu.system });
  } else if (m === 'stop') {
    void app.stop().finally(() => process.exit(0));
  }
});
