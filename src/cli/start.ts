/**
 * `loa start`: runs the service until SIGINT/SIGTERM, then drains and stops cleanly.
 *
 * Two starts on one data folder are refused before the database is opened: the second would
 * apply its migrations under the first, and its start-up recovery would mark the first's
 * messages in flight "không rõ" (unknown) and send its campaigns beside it. The running one
 * holds `LOA_DATA_DIR/loa.lock` (db/service-lock.ts), a lock the kernel drops when the process
 * ends, so a `loa.pid` left by a crash never blocks a restart, whoever has its id now. An address it
 * cannot listen on (the port taken, a host that is not this machine's) is said in Vietnamese
 * with what to do, after the app is closed again, instead of Node's stack trace.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { createApp, type App } from '../app.js';
import { detectRunningService } from '../db/backup.js';
import { acquireServiceLock, SERVICE_LOCK, type ServiceLock } from '../db/service-lock.js';
import { migrationReport } from '../db/index.js';
import { argsErrorText } from './args.js';
import { clockBehindBy, newestRecordAt } from '../doctor/doctor.js';
import { listenForStop } from './stop-signal.js';

export const USAGE = `cách dùng:
  loa start   chạy dịch vụ (web chat, trang quản trị, các kênh đã cấu hình) tới khi nhận SIGTERM/Ctrl+C

Không có tuỳ chọn: mọi thiết lập nằm trong .env (LOA_HTTP_HOST, LOA_HTTP_PORT, LOA_DATA_DIR, …),
xem .env.example và docs/deploy.md. Trên máy chủ, chạy bằng dịch vụ: systemctl start loa.`;

/** Input/output of the command, replaceable in tests. */
export interface StartCliIo {
  config?: Config;
  /** Builds the app (tests pass one with a silent logger). */
  createApp?: (config: Config) => Promise<App>;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /**
   * Resolves with a signal name when the service should stop (default: the first SIGINT or
   * SIGTERM, listened for from the start of the command: cli/stop-signal.ts). Resolved before
   * the service runs, the start stops at its next step.
   */
  stopSignal?: Promise<string>;
}

/** Exit status of a configuration error (EX_CONFIG): systemd's unit does not restart on it. */
const EX_CONFIG = 78;

/**
 * Why the server could not listen, in Vietnamese with what to do, and the exit status; undefined
 * for other errors. A port in use exits 1 (systemd tries again: a previous process may still be
 * letting it go); an address this machine does not have, or a privileged port, exits 78.
 */
export function listenError(err: unknown, http: { host: string; port: number }): { text: string; code: number } | undefined {
  const e = err as (NodeJS.ErrnoException & { syscall?: string }) | null;
  if (!e || typeof e !== 'object' || e.syscall !== 'listen') return undefined;
  const where = `${http.host.includes(':') ? `[${http.host}]` : http.host}:${http.port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return {
        code: 1,
        text:
          `loa start: cổng ${where} đang có chương trình khác dùng (EADDRINUSE).\n` +
          `Loa có thể đang chạy rồi (systemctl status loa; hoặc docker compose ps), hoặc một chương trình khác giữ cổng này: ` +
          `xem bằng: sudo ss -ltnp 'sport = :${http.port}'. Dừng chương trình đó, hoặc đặt LOA_HTTP_PORT khác trong .env ` +
          `(và sửa địa chỉ trong cấu hình reverse proxy cho khớp).`,
      };
    case 'EADDRNOTAVAIL':
      return {
        code: EX_CONFIG,
        text:
          `loa start: máy này không có địa chỉ ${http.host} (LOA_HTTP_HOST) để nghe (EADDRNOTAVAIL).\n` +
          `Đặt LOA_HTTP_HOST=127.0.0.1 khi có reverse proxy trên cùng máy (khuyến nghị), hoặc 0.0.0.0 để nghe mọi địa chỉ (Docker).`,
      };
    case 'EACCES':
      return {
        code: EX_CONFIG,
        text:
          `loa start: không được phép nghe ở cổng ${where} (EACCES): cổng dưới 1024 chỉ dành cho root.\n` +
          `Để Loa nghe ở cổng từ 1024 trở lên (mặc định LOA_HTTP_PORT=3000) và để reverse proxy (Caddy, nginx) nhận cổng 80/443.`,
      };
    default:
      return undefined;
  }
}

/**
 * Logs the migrations the start applied (the update steps of docs/deploy.md read them in the
 * journal), and warns when the database was used by a newer Loa than this one.
 */
function logMigrations(app: App): void {
  const report = migrationReport(app.db);
  if (!report) return;
  if (report.applied.length) app.logger.info({ migrations: report.applied }, `db: ${report.applied.length} migration(s) applied`);
  if (report.newer.length)
    app.logger.warn(
      { migrations: report.newer },
      'db: this database was used by a newer Loa (migrations this version does not have); an older Loa is not meant to run on it: restore the backup taken before the update (docs/deploy.md, Updates)',
    );
}

/**
 * Warns when the clock is behind the newest record of the database (a server without a clock
 * battery started before NTP answered, a clock set back): schedules, quiet hours and the dates
 * written are wrong meanwhile. `loa doctor` says the same.
 */
function logClockBehind(app: App): void {
  const behind = clockBehindBy(app.db, new Date());
  if (behind === undefined) return;
  app.logger.warn(
    { behindMinutes: Math.round(behind / 60_000), newestRecord: new Date(newestRecordAt(app.db)!).toISOString() },
    'clock: the system clock is behind the newest record in the database; campaign times, quiet hours and the dates written are wrong until it is synchronised (timedatectl status; sudo timedatectl set-ntp true). If it is synchronised and right, the clock ran ahead earlier and the records written then carry later dates: nothing to do (loa doctor)',
  );
}

/**
 * Warns when Loa is reached through an HTTPS proxy (an `https://` LOA_PUBLIC_URL) whose
 * X-Forwarded-For it does not believe (no LOA_TRUST_PROXY): every visitor is then the proxy's one
 * address (the web chat's per-address limits refuse them together) and the admin cookie is not
 * Secure. `loa doctor` said it; the journal, which the IT officer reads after a start, did not.
 */
function logProxyUntrusted(app: App, config: Config): void {
  if (!config.http.publicUrl?.startsWith('https://') || config.http.trustProxy?.length) return;
  app.logger.warn(
    { publicUrl: config.http.publicUrl },
    'proxy: LOA_PUBLIC_URL is https (a reverse proxy in front) but LOA_TRUST_PROXY is empty: every visitor is the proxy\'s address to Loa, the web chat\'s per-address limits count them as one, and the admin cookie is not Secure; set LOA_TRUST_PROXY=127.0.0.1 (the proxy\'s address) in .env (docs/deploy.md, HTTPS)',
  );
}

/** Runs `loa start`; returns the exit code once the service has stopped. */
export async function run(args: string[], io: StartCliIo = {}): Promise<number> {
  const out = io.out ?? ((s: string) => console.log(s));
  const err = io.err ?? ((s: string) => console.error(s));
  try {
    parseArgs({ args, options: {} });
  } catch (e) {
    err(`loa start: ${argsErrorText(e)}\n${USAGE}`);
    return 2;
  }
  // Listened for before anything else: a SIGTERM while the snapshot loads or the database opens
  // must not kill the process half-way (cli/stop-signal.ts).
  const stop = io.stopSignal ?? listenForStop();
  let signal: string | undefined;
  void stop.then((s) => (signal = s));
  const config = io.config ?? loadConfig();
  // The lock first: two starts at the same instant cannot both pass, and a marker left by a
  // crash (its process id reused by now) does not count once the lock is free.
  let lock: ServiceLock | null = null;
  let busy = false;
  try {
    lock = acquireServiceLock(config.dataDir);
    busy = lock === null;
  } catch (e) {
    // The folder or the file not writable: said by main.ts with the path to give back.
    if (typeof (e as NodeJS.ErrnoException).path === 'string') throw e;
    // A file system without locks (some network mounts): the marker and the port still guard.
    err(`loa start: không khoá được ${join(config.dataDir, SERVICE_LOCK)} (${e instanceof Error ? e.message : String(e)}); vẫn chạy, chỉ dựa vào tệp loa.pid và cổng để tránh chạy hai bản.`);
  }
  try {
    const running = await detectRunningService(config.dataDir, config.http, { ignorePid: process.pid });
    if (busy || running.running) {
      err(
        `loa start: Loa đang chạy rồi (${running.running ? running.how : `khoá ${join(config.dataDir, SERVICE_LOCK)} đang bị giữ`}): không chạy bản thứ hai trên cùng thư mục dữ liệu (${config.dataDir}) hay cùng cổng.\n` +
          `Dùng dịch vụ đang chạy (systemctl status loa), hoặc dừng nó trước (systemctl stop loa). ` +
          `Muốn thử một bản khác bên cạnh: đặt LOA_DATA_DIR và LOA_HTTP_PORT khác. ` +
          `Nếu đang khôi phục dữ liệu (loa restore giữ khoá này tới khi xong), chờ lệnh đó xong rồi khởi động lại.`,
      );
      return 1;
    }
    await signalsDelivered();
    if (signal) {
      // Stopped before anything was opened (the journal shows why it ended so soon).
      out(`loa start: đã nhận ${signal} trước khi dịch vụ chạy; dừng lại, chưa mở cơ sở dữ liệu hay nhận việc gì.`);
      return 0;
    }
    return await serve(config, io, out, err, stop, () => signal);
  } finally {
    lock?.release();
  }
}

/**
 * One turn of the event loop, so that a signal already delivered reaches its handler before the
 * next step: the app's build runs long stretches without yielding (the index). (One that the
 * system has not delivered yet is handled later: the start then finishes and drains at once.)
 */
function signalsDelivered(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The service, from building the app until it has stopped; returns the exit code. A stop
 * requested while the app is being built closes it without starting it (nothing was accepted
 * yet); one requested while it starts lets the start finish (the server listens, the outbox and
 * the channels have begun) and then drains it as any stop does.
 */
async function serve(
  config: Config,
  io: StartCliIo,
  out: (line: string) => void,
  err: (line: string) => void,
  stop: Promise<string>,
  signalled: () => string | undefined,
): Promise<number> {
  const app = await (io.createApp ?? createApp)(config);
  logMigrations(app);
  await signalsDelivered();
  if (signalled()) {
    app.logger.info({ signal: signalled() }, 'loa: stop requested while loading; closing before the service starts');
    await stopApp(app);
    return 0;
  }
  logClockBehind(app);
  logProxyUntrusted(app, config);
  let address: string;
  try {
    address = await app.start();
  } catch (e) {
    // Whatever stopped the start (the port, a full disk), what it had begun is stopped and the
    // database closed before the reason is said: a start that failed half-way used to leave the
    // server listening and the sender running until the process died of the error.
    await app.stop().catch((stopErr: unknown) => app.logger.error({ err: stopErr }, 'loa: error while stopping'));
    const why = listenError(e, config.http);
    if (!why) throw e;
    err(why.text);
    return why.code;
  }
  const pub = config.http.publicUrl?.replace(/\/+$/, '');
  out(`Loa đang chạy: web chat ${address}/ · quản trị ${address}/admin${pub ? ` · địa chỉ công khai ${pub}/ (LOA_PUBLIC_URL)` : ''}`);
  const signal = await stop;
  app.logger.info({ signal }, 'loa: stopping');
  await stopApp(app);
  return 0;
}

/** Drains and closes the app; an error on the way is logged, the stop goes on. */
async function stopApp(app: App): Promise<void> {
  try {
    await app.stop();
  } catch (e) {
    app.logger.error({ err: e }, 'loa: error while stopping');
  }
  app.logger.info('loa: stopped');
}
