/**
 * The Loa server for the Telegram benchmark, in its own process (so its CPU and RSS are its
 * own, as in production where Telegram is elsewhere): `fork('bin/run-ts.js', [this file])`
 * with the TELEGRAM_* and LOA_* environment set by 15-telegram.bench.ts. The app is wired as
 * `npm start` wires it (its own logger at LOA_LOG_LEVEL). It sends { url } once listening, then
 * { ready: true } once its search thread is ready. It answers IPC messages:
 * 'stats' -> { rss, cpuMicros (all threads of the process), loopActiveMs/loopIdleMs (the main thread's event-loop utilisation) }, 'stop' -> stops and exits.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';

const config = loadConfig(process.env);
const app = await createApp(config, { watchContent: false });
const url = await app.start();
process.send?.({ url });
// The server listens before its search thread is ready (the main thread answers meanwhile): the
// benches time start-up at 'url' and measure answers after 'ready', as a server that has run a while.
await app.knowledge.searchThreadStarted();
process.send?.({ ready: true });
process.on('message', (m: unknown) => {
  if (m === 'stats') {
    const cpu = process.cpuUsage();
    // Event-loop utilisation: the share of time the main thread was busy (not waiting for I/O).
    const elu = performance.eventLoopUtilization();
    process.send?.({ rss: process.memoryUsage().rss, cpuMicros: cpu.user + cpu.system, loopActiveMs: elu.active, loopIdleMs: elu.idle });
  } else if (m === 'stop') {
    void app.stop().finally(() => process.exit(0));
  }
});
