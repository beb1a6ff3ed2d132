/**
 * `loa doctor`: every check an IT officer would otherwise do by hand, one line each, in
 * Vietnamese, with what is wrong and how to fix it (issue 16 item 2).
 *
 * Why it exists beside `/healthz`: the health check needs a running service and tells the state
 * of that process; the doctor works before the first start and after a failed one, and asks the
 * platforms directly (`getMe`, `getWebhookInfo`, Zalo's OA profile), so it can tell a wrong
 * token from a blocked network from a webhook pointing elsewhere.
 *
 * It changes nothing: the database is opened read-only (no migrations, no token refresh: a Zalo
 * refresh token works once and belongs to the service), and Telegram is never polled (a
 * `getUpdates` would cut the running service's own long poll).
 *
 * @example
 * const results = await runDoctor({ env: process.env });
 * for (const line of formatResults(results)) console.log(line);
 * process.exitCode = results.some((r) => r.status === 'fail') ? 1 : 0;
 */
import { withTimeout } from '../time/timeout.js';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { MIGRATIONS_DIR, type Db } from '../db/index.js';
import { backupOrderTime, detectRunningService } from '../db/backup.js';
import { createDiskGuard } from '../db/disk.js';
import { getZaloTokens } from '../db/zalo.js';
import { flattenRegions, loadContent, type Content } from '../knowledge/content.js';
import { isQuietTime, quietHoursEnd } from '../campaigns/quiet-hours.js';
import { formatVietnamTime, VIETNAM_OFFSET_MINUTES } from '../time/vietnam.js';
import { WEBHOOK_PATH as TELEGRAM_WEBHOOK_PATH } from '../channels/telegram/telegram.js';
import { ZALO_WEBHOOK_PATH } from '../channels/zalo/webhook.js';
import { createZaloBotClient } from '../channels/zalo-bot/client.js';
import { ZALO_BOT_WEBHOOK_PATH } from '../channels/zalo-bot/channel.js';
import { ZaloBotApiError } from '../channels/zalo-bot/errors.js';

/** ✓ ok, ! worth a look, ✗ wrong (the exit status is non-zero). */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the report. `message` and `fix` are Vietnamese. */
export interface CheckResult {
  /** What was checked: "Cấu hình", "Telegram", … */
  name: string;
  status: CheckStatus;
  message: string;
  /** How to fix it (for warn and fail). */
  fix?: string;
}

/** Dependencies of {@link runDoctor}; tests inject faults through them. */
export interface DoctorDeps {
  env: Record<string, string | undefined>;
  /** Reads the config (default `loadConfig`, which reads the bot YAML named by LOA_BOT). */
  loadConfig?: (env: Record<string, string | undefined>) => Config;
  now?: () => Date;
  /** The process's time zone (default: what Intl resolves, i.e. TZ or the system's). */
  timeZone?: string;
  /** Free bytes on the disk of a path (default `statfs`), as the free-space guard takes it. */
  freeBytes?: (dir: string) => number;
  /** HTTP client for the platform checks. */
  fetch?: typeof fetch;
  /** Per-request timeout of the platform checks (default 10 s). */
  timeoutMs?: number;
  /**
   * How `loa` started this process (bin/compiled.js, left by bin/loa.js): from the compiled copy
   * `dist/` or, when it could not be made, through tsx. Default: what bin/loa.js left; null or
   * absent (not started by bin/loa.js, e.g. in tests): no line.
   */
  compiledCopy?: CompiledCopyState | null;
  /** The Node.js version (default `process.versions.node`). */
  nodeVersion?: string;
  /** package.json's `engines.node` (default: read from the checkout). */
  engines?: string;
  /** The working directory `.env` is read from (default `process.cwd()`, as bin/loa.js does). */
  cwd?: string;
  /**
   * Whether the system clock is known to be synchronised (default: systemd-timesyncd's flag file
   * {@link TIMESYNC_FLAG}; false when it is not there, which says nothing under chrony or ntpd).
   */
  clockSynchronized?: () => boolean;
}

/** Made by systemd-timesyncd once it has set the clock from NTP (systemd 239 and later). */
export const TIMESYNC_FLAG = '/run/systemd/timesync/synchronized';

/** What bin/compiled.js `compiledCopy` returned in bin/loa.js, with the checkout it was for. */
export interface CompiledCopyState {
  dist: string | null;
  compiled: boolean;
  reason?: 'off' | 'no-esbuild' | 'read-only' | 'no-space' | 'error';
  detail?: string;
  root?: string;
}

/** The key under which bin/loa.js leaves its {@link CompiledCopyState} (bin/compiled.js COMPILED_COPY_KEY). */
const COMPILED_COPY_KEY = Symbol.for('loa.compiledCopy');

/** Below this much free space the doctor warns even when LOA_MIN_FREE_MB is off. */
const DEFAULT_WARN_FREE_MB = 500;
/** A Zalo refresh token that expires sooner than this is worth a warning. */
const REFRESH_WARN_DAYS = 14;

/** Runs every check; never throws. */
export async function runDoctor(deps: DoctorDeps): Promise<CheckResult[]> {
  const now = deps.now ?? (() => new Date());
  const results: CheckResult[] = [];
  let config: Config | undefined;
  try {
    config = (deps.loadConfig ?? loadConfig)(deps.env);
    const channels = [config.telegram ? `Telegram (${config.telegram.mode === 'webhook' ? 'webhook' : 'long polling'})` : undefined, config.zalo ? 'Zalo OA' : undefined, config.zaloBot ? `Zalo Bot (${config.zaloBot.mode === 'webhook' ? 'webhook' : 'long polling'})` : undefined].filter(Boolean);
    results.push({ name: 'Cấu hình', status: 'ok', message: `hợp lệ (${envFileText(deps)}; bot: ${config.botFile}; kênh: web chat${channels.length ? `, ${channels.join(', ')}` : ''})` });
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    results.push({
      name: 'Cấu hình',
      status: 'fail',
      // Each line of a ConfigError starts with 'cấu hình: ' already.
      message: `không hợp lệ (${envFileText(deps)}): ${text.split('\n').map((l) => l.replace(/^cấu hình: /, '')).join('; ')}`,
      fix: err instanceof ConfigError ? 'sửa các khóa được nêu trong .env (hoặc biến môi trường) hoặc trong tệp YAML của bot (LOA_BOT), rồi chạy lại `loa doctor`' : 'xem thông báo lỗi ở trên',
    });
  }
  results.push(nodeCheck(deps.nodeVersion ?? process.versions.node, deps.engines ?? packageEngines(), now()));
  results.push(...clockChecks(now(), deps.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone));
  const copy = 'compiledCopy' in deps ? deps.compiledCopy : ((globalThis as Record<symbol, unknown>)[COMPILED_COPY_KEY] as CompiledCopyState | undefined);
  if (copy) results.push(compiledCopyCheck(copy));
  if (!config) return results;

  results.push(await serviceCheck(config));
  results.push(...contentCheck(config));
  const db = openReadOnly(config, results);
  try {
    const behind = db ? clockBehindDatabase(db, now(), (deps.clockSynchronized ?? (() => existsSync(TIMESYNC_FLAG)))()) : undefined;
    if (behind) results.push(behind);
    results.push(writeAccessCheck(config.dataDir));
    const proxy = proxyCheck(config);
    if (proxy) results.push(proxy);
    results.push(diskCheck(config, deps.freeBytes));
    const data = dataUsageCheck(config, deps.freeBytes);
    if (data) results.push(data);
    const backups = backupCheck(config, db, now());
    if (backups) results.push(backups);
    results.push(quietHoursCheck(config, now()));
    const http = { fetch: deps.fetch ?? globalThis.fetch, timeoutMs: deps.timeoutMs ?? 10_000 };
    if (config.telegram) results.push(...(await telegramChecks(config, http)));
    else results.push({ name: 'Telegram', status: 'ok', message: 'không dùng (chưa đặt TELEGRAM_BOT_TOKEN)' });
    if (config.zalo) results.push(...(await zaloChecks(config, db, http, now())));
    else results.push({ name: 'Zalo OA', status: 'ok', message: 'không dùng (chưa đặt ZALO_APP_ID, ZALO_APP_SECRET, ZALO_OA_SECRET_KEY)' });
    if (config.zaloBot) results.push(...(await zaloBotChecks(config, http)));
    else results.push({ name: 'Zalo Bot', status: 'ok', message: 'không dùng (chưa đặt ZALO_BOT_TOKEN)' });
  } finally {
    db?.close();
  }
  return results;
}

/**
 * The report's lines: a key to the marks (for whoever has never seen Loa), `✓ Tên: thông báo`,
 * then `  → Cách sửa: …` under each problem, then a summary.
 */
export function formatResults(results: CheckResult[]): string[] {
  const mark: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗' };
  const lines: string[] = ['Kiểm tra Loa (✓ ổn · ! nên xem · ✗ lỗi phải sửa; lệnh này không thay đổi gì):'];
  for (const r of results) {
    lines.push(`${mark[r.status]} ${r.name}: ${r.message}`);
    if (r.fix && r.status !== 'ok') lines.push(`    → Cách sửa: ${r.fix}`);
  }
  const fails = results.filter((r) => r.status === 'fail').length;
  const warns = results.filter((r) => r.status === 'warn').length;
  lines.push(fails === 0 && warns === 0 ? 'Kết quả: mọi kiểm tra đều ổn.' : `Kết quả: ${fails} lỗi, ${warns} cảnh báo.`);
  return lines;
}

// ---------------------------------------------------------------------------------------------

/** Which `.env` the settings came from, as bin/loa.js finds it (env-file.ts). */
function envFileText(deps: DoctorDeps): string {
  const named = deps.env.LOA_ENV_FILE?.trim();
  const file = resolve(deps.cwd ?? process.cwd(), named || '.env');
  return existsSync(file) ? `tệp ${file}` : 'không có tệp .env: chỉ biến môi trường';
}

/**
 * End of life of each Node.js major line (nodejs/Release schedule): after it, no security fixes.
 * A line not listed is newer than this table.
 */
const NODE_END_OF_LIFE: Record<number, string> = { 18: '2025-04-30', 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30', 26: '2029-04-30' };

/** package.json's `engines.node` of this checkout (src/ and dist/ are at the same depth). */
function packageEngines(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { engines?: { node?: string } };
    return pkg.engines?.node;
  } catch {
    return undefined;
  }
}

const versionParts = (v: string): number[] => v.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10) || 0);
const compareVersions = (a: string, b: string): number => {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

/** Whether `version` satisfies a range of `>=A.B`, `<C`, `^A.B.C` parts with `||` between sets; undefined when the range is not of that form. */
export function satisfiesEngines(version: string, range: string): boolean | undefined {
  const sets: { op: string; v: string }[][] = [];
  for (const set of range.split('||')) {
    const parts: { op: string; v: string }[] = [];
    for (const p of set.trim().split(/\s+/).filter(Boolean)) {
      const m = /^(>=|<=|>|<|\^|=)?v?(\d+(?:\.\d+){0,2})$/.exec(p);
      if (!m) return undefined;
      parts.push({ op: m[1] ?? '=', v: m[2]! });
    }
    sets.push(parts);
  }
  const holds = ({ op, v }: { op: string; v: string }): boolean => {
    const c = compareVersions(version, v);
    if (op === '>=') return c >= 0;
    if (op === '>') return c > 0;
    if (op === '<=') return c <= 0;
    if (op === '<') return c < 0;
    if (op === '^') return c >= 0 && versionParts(version)[0] === versionParts(v)[0];
    return c === 0;
  };
  return sets.some((parts) => parts.every(holds));
}

/**
 * The Node.js running Loa: inside package.json's `engines` (what Loa was tested on), and still
 * getting security fixes. Node 20, which the install steps once named, ended on 30 April 2026.
 */
export function nodeCheck(version: string, engines: string | undefined, now: Date): CheckResult {
  const major = versionParts(version)[0] ?? 0;
  const eol = NODE_END_OF_LIFE[major];
  const inRange = engines ? satisfiesEngines(version, engines) : undefined;
  const eolText = eol ? `${eol.slice(8, 10)}/${eol.slice(5, 7)}/${eol.slice(0, 4)}` : undefined;
  const install = 'cài Node.js 22 từ NodeSource (docs/deploy.md, mục A1), rồi trong thư mục Loa chạy `npm ci` và `sudo systemctl restart loa`';
  const floor = engines ? /^\s*(?:>=|\^)\s*v?(\d+(?:\.\d+){0,2})/.exec(engines)?.[1] : undefined;
  if (floor && compareVersions(version, floor) < 0)
    return { name: 'Node.js', status: 'fail', message: `v${version} cũ hơn mức Loa cần (package.json engines: ${engines})`, fix: install };
  if (eol && now.toISOString().slice(0, 10) > eol)
    return {
      name: 'Node.js',
      status: 'warn',
      message: `v${version}: dòng Node ${major} đã hết hỗ trợ từ ${eolText}, dự án Node.js không còn phát hành bản vá bảo mật cho nó (máy chủ này nhận tin từ Internet; gói nodejs của chính Debian có thể vẫn được Debian vá)`,
      fix: install,
    };
  if (inRange === false)
    return {
      name: 'Node.js',
      status: 'warn',
      message: `v${version} nằm ngoài các phiên bản Loa đã được thử (package.json engines: ${engines}); Loa có thể vẫn chạy, nhưng chưa ai kiểm chứng`,
      fix: 'nếu gặp lỗi lạ, dùng Node.js 22 (docs/deploy.md, mục A1)',
    };
  return { name: 'Node.js', status: 'ok', message: `v${version}${eolText ? `, được vá bảo mật tới ${eolText}` : ''}` };
}

/**
 * Whether the service runs on this data folder now (its lock, its marker, its port), so that
 * whoever reads the report knows if the other lines describe a running service.
 */
async function serviceCheck(config: Config): Promise<CheckResult> {
  const state = await detectRunningService(config.dataDir, config.http);
  if (state.running) return { name: 'Dịch vụ', status: 'ok', message: `đang chạy (${state.how})` };
  if (!existsSync(join(config.dataDir, 'loa.sqlite'))) return { name: 'Dịch vụ', status: 'ok', message: 'chưa chạy lần nào trên thư mục dữ liệu này' };
  return {
    name: 'Dịch vụ',
    status: 'warn',
    message: `không chạy trên ${config.dataDir}: người dân nhắn tới sẽ chưa được trả lời`,
    fix: 'systemctl status loa (hoặc docker compose ps) để xem vì sao; journalctl -u loa -p warning -n 50 cho các lỗi gần nhất; khởi động: sudo systemctl start loa',
  };
}

/** When the newest message or audit entry was written (ms), read by id (the primary key: no scan of a large table). */
export function newestRecordAt(db: Db): number | undefined {
  const newest = (sql: string): string | undefined => {
    try {
      return (db.prepare(sql).get() as { at?: string } | undefined)?.at ?? undefined;
    } catch {
      return undefined; // a table an older database does not have
    }
  };
  const times = [newest('SELECT created_at AS at FROM messages ORDER BY id DESC LIMIT 1'), newest('SELECT at FROM audit ORDER BY id DESC LIMIT 1')]
    .map((t) => (t ? Date.parse(t) : Number.NaN))
    .filter((t) => Number.isFinite(t));
  return times.length ? Math.max(...times) : undefined;
}

/** How far (ms) the clock is behind the newest record, when more than a few minutes; undefined otherwise. */
export function clockBehindBy(db: Db, now: Date): number | undefined {
  const latest = newestRecordAt(db);
  return latest !== undefined && latest - now.getTime() > CLOCK_BEHIND_LIMIT_MS ? latest - now.getTime() : undefined;
}

/** How far behind its own records the clock may be before it is said (a few seconds of NTP slew are normal). */
const CLOCK_BEHIND_LIMIT_MS = 5 * 60_000;

/**
 * The clock against what the database already holds: a newest message or audit entry later
 * than now means the clock was set back (a server without a working clock battery boots at an
 * old date until NTP answers, or someone set it by hand). Meanwhile schedules, quiet hours,
 * Zalo token expiries and the dates written into the records are wrong. The year check above
 * does not see a clock a few days or months off; this does.
 */
export function clockBehindDatabase(db: Db, now: Date, synchronized = false): CheckResult | undefined {
  const latest = clockBehindBy(db, now) === undefined ? undefined : newestRecordAt(db);
  if (latest === undefined) return undefined;
  const fmt = (t: number): string => formatVietnamTime(new Date(t), 'HH:mm dd/MM/yyyy');
  // The other way to get here: the clock ran ahead for a while (a virtual machine whose host
  // keeps local time, a wrong year at boot) and NTP has set it right since. The records written
  // meanwhile carry later dates, and this said ✗ (exit 1 for a monitoring probe) with "turn NTP
  // on" until real time caught up with them, hours or a year later.
  if (synchronized)
    return {
      name: 'Đồng hồ',
      status: 'warn',
      message: `đồng hồ đã đồng bộ (NTP) nhưng có bản ghi trong cơ sở dữ liệu mang giờ muộn hơn bây giờ (mới nhất ${fmt(latest)}): chúng được ghi khi đồng hồ máy chạy nhanh trước khi được chỉnh lại; các bản ghi đó mang giờ sai, dữ liệu mới đã đúng giờ`,
      fix: `không cần làm gì thêm nếu giờ hiện tại đúng; dòng này tự hết sau ${fmt(latest)}. Để đồng hồ không chạy nhanh lại: máy ảo lấy giờ của máy chủ ảo hoá (đặt máy chủ đó theo UTC) và bật NTP (timedatectl status)`,
    };
  return {
    name: 'Đồng hồ',
    status: 'fail',
    message: `đồng hồ đang chỉ ${fmt(now.getTime())} (giờ Việt Nam), sớm hơn bản ghi mới nhất trong cơ sở dữ liệu (${fmt(latest)}): đồng hồ máy đã bị lùi hoặc chưa đồng bộ, lịch gửi, giờ yên lặng và ngày ghi vào dữ liệu đang sai`,
    fix:
      'xem timedatectl status (dòng "System clock synchronized: yes"); bật đồng bộ: sudo timedatectl set-ntp true; máy không có pin giữ giờ: bật systemd-time-wait-sync để Loa chỉ khởi động sau khi có giờ đúng (docs/deploy.md, mục A4). ' +
      `Nếu đồng hồ đã đồng bộ và giờ hiện tại đúng, thì trước đó đồng hồ đã chạy nhanh: các bản ghi muộn hơn bây giờ được ghi lúc ấy, không cần làm gì, dòng này tự hết sau ${fmt(latest)}`,
  };
}

function clockChecks(now: Date, timeZone: string): CheckResult[] {
  const results: CheckResult[] = [];
  const year = now.getUTCFullYear();
  if (year < 2025 || year > 2100)
    results.push({
      name: 'Đồng hồ',
      status: 'fail',
      message: `đồng hồ hệ thống chỉ ${now.toISOString()}, không hợp lý`,
      fix: 'bật đồng bộ giờ (timedatectl set-ntp true) rồi kiểm tra lại; giờ sai làm lệch lịch gửi, giờ yên lặng và hạn của mã Zalo',
    });
  else results.push({ name: 'Đồng hồ', status: 'ok', message: `giờ Việt Nam hiện tại ${formatVietnamTime(now, 'HH:mm dd/MM/yyyy')}` });
  const offset = offsetMinutes(now, timeZone);
  const vn = `Loa luôn tính lịch gửi, giờ yên lặng, sao lưu hằng ngày và báo cáo theo giờ Việt Nam (Asia/Ho_Chi_Minh, UTC+7), bất kể múi giờ của máy`;
  if (offset === VIETNAM_OFFSET_MINUTES) results.push({ name: 'Múi giờ', status: 'ok', message: `tiến trình chạy theo ${timeZone} (UTC+7). ${vn}.` });
  else
    results.push({
      name: 'Múi giờ',
      status: 'warn',
      message: `tiến trình chạy theo ${timeZone} (${formatOffset(offset)}), không phải giờ Việt Nam. ${vn}; chỉ giờ in trong nhật ký hệ thống và cron của máy theo múi giờ này.`,
      fix: 'không bắt buộc; muốn nhật ký hiện giờ Việt Nam thì đặt TZ=Asia/Ho_Chi_Minh cho dịch vụ (hoặc timedatectl set-timezone Asia/Ho_Chi_Minh)',
    });
  return results;
}

function offsetMinutes(at: Date, timeZone: string): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(at);
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
    const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
    return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
  } catch {
    return 0;
  }
}

function formatOffset(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `UTC${sign}${Math.floor(a / 60)}${a % 60 ? `:${String(a % 60).padStart(2, '0')}` : ''}`;
}

function contentCheck(config: Config): CheckResult[] {
  let content: Content;
  try {
    content = loadContent(config.contentDir);
  } catch (err) {
    return [{ name: 'Nội dung', status: 'fail', message: `không đọc được ${config.contentDir}: ${(err as Error).message}`, fix: 'kiểm tra LOA_CONTENT_DIR trỏ tới thư mục nội dung' }];
  }
  const roots = regionsRootCheck(config, content);
  if (content.errors.length === 0)
    return [{ name: 'Nội dung', status: 'ok', message: `${content.qa.length} hỏi đáp, ${content.articles.length} bài viết trong ${config.contentDir}, không có lỗi` }, ...roots];
  const shown = content.errors.slice(0, 10).map((e) => `${e.file} · ${e.field}: ${e.message}`);
  const more = content.errors.length > shown.length ? `; và ${content.errors.length - shown.length} lỗi khác` : '';
  return [
    {
      name: 'Nội dung',
      status: 'fail',
      message: `${content.errors.length} lỗi: ${shown.join('; ')}${more}`,
      fix: 'mở từng tệp được nêu (trong thư mục nội dung hoặc ở trang Nội dung của trang quản trị), sửa trường được nêu, rồi chạy `loa index`',
    },
    ...roots,
  ];
}

/**
 * The bot YAML's `regions_root` must be a region of the content's regions.yaml: an office that
 * replaces the sample content but keeps the sample bot YAML gets a root that is not there. The
 * subscription menu and the campaigns' audience then fall back to the file's single top region
 * (subscription.ts, audience.ts); with several, nothing counts as the whole deployment.
 */
function regionsRootCheck(config: Config, content: Content): CheckResult[] {
  const root = config.bot.regions_root;
  if (!root || content.regions.length === 0 || flattenRegions(content.regions).has(root)) return [];
  const tops = content.regions.map((r) => r.slug);
  return [
    {
      name: 'Địa bàn',
      status: 'warn',
      message: `regions_root: '${root}' trong ${config.botFile} không có trong regions.yaml (địa bàn gốc ở đó: ${tops.join(', ')})${tops.length === 1 ? `: Loa tạm dùng '${tops[0]}' làm địa bàn gốc cho menu đăng ký nhận tin và chiến dịch gửi cả tỉnh` : ': menu đăng ký nhận tin bắt đầu từ danh sách địa bàn gốc, và không chiến dịch nào được tính là gửi cả tỉnh cho người chưa chọn địa bàn'}`,
      fix: `đặt regions_root: ${tops[0]} trong ${config.botFile} (mã địa bàn gốc của regions.yaml), rồi khởi động lại Loa`,
    },
  ];
}

/** Opens the database read-only and reports on it; undefined when there is none or it is broken. */
function openReadOnly(config: Config, results: CheckResult[]): Db | undefined {
  const file = join(config.dataDir, 'loa.sqlite');
  if (!existsSync(file)) {
    results.push({ name: 'Cơ sở dữ liệu', status: 'warn', message: `chưa có ${file}`, fix: 'bình thường trước lần chạy đầu: `loa start` sẽ tạo; nếu đã từng chạy, kiểm tra LOA_DATA_DIR' });
    return undefined;
  }
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true }) as Db;
    db.pragma('busy_timeout = 5000');
    const check = (db.pragma('quick_check', { simple: false }) as { quick_check: string }[]).map((r) => r.quick_check);
    const shipped = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).map((f) => Number(f.slice(0, 3)));
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    const applied = new Set(hasTable ? (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version) : []);
    const pending = shipped.filter((v) => !applied.has(v));
    const unknown = [...applied].filter((v) => !shipped.includes(v));
    if (check.length !== 1 || check[0] !== 'ok')
      results.push({
        name: 'Cơ sở dữ liệu',
        status: 'fail',
        message: `${file} bị hỏng (quick_check: ${check.slice(0, 3).join('; ')})`,
        fix: 'dừng dịch vụ, khôi phục bản sao lưu gần nhất bằng `loa restore TỆP` (xem docs/deploy.md)',
      });
    else if (unknown.length > 0)
      results.push({
        name: 'Cơ sở dữ liệu',
        status: 'fail',
        message: `${file} do một bản Loa mới hơn tạo (migration ${unknown.join(', ')} không có trong bản này)`,
        fix: 'cập nhật Loa lên bản đã dùng với cơ sở dữ liệu này; nếu cố ý quay về bản cũ, khôi phục bản sao lưu lấy trước khi cập nhật (`loa restore TỆP`, docs/deploy.md mục Updates)',
      });
    else if (pending.length > 0)
      results.push({ name: 'Cơ sở dữ liệu', status: 'warn', message: `mở được, toàn vẹn; ${pending.length} migration chưa áp dụng`, fix: '`loa start` áp dụng chúng khi khởi động; sao lưu trước (`loa backup`) nếu muốn chắc chắn' });
    else results.push({ name: 'Cơ sở dữ liệu', status: 'ok', message: `${file} mở được, toàn vẹn (quick_check), đủ ${applied.size} migration` });
    return db;
  } catch (err) {
    db?.close();
    results.push({ name: 'Cơ sở dữ liệu', status: 'fail', message: `không mở được ${file}: ${(err as Error).message}`, fix: 'kiểm tra quyền đọc của tài khoản chạy Loa trên LOA_DATA_DIR; nếu tệp hỏng, khôi phục bằng `loa restore TỆP`' });
    return undefined;
  }
}

/** Bytes of the file `path`, 0 when it is not there. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const mb = (bytes: number): string => `${Math.max(bytes > 0 ? 1 : 0, Math.round(bytes / 2 ** 20)).toLocaleString('vi-VN')} MB`;

/**
 * What Loa keeps in its data folder, over months: the database, the daily backups (pruned to
 * LOA_BACKUP_KEEP), and what nothing prunes (`loa backup` copies, the databases a restore
 * replaced). Worth a look when the next daily backup, about the database's size, would not fit.
 */
export function dataUsageCheck(config: Config, freeBytes?: (dir: string) => number): CheckResult | undefined {
  const dbFile = join(config.dataDir, 'loa.sqlite');
  if (!existsSync(dbFile)) return undefined;
  const db = sizeOf(dbFile) + sizeOf(`${dbFile}-wal`);
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const backups = join(config.dataDir, 'backups');
  const daily = list(backups).filter((f) => /^loa-daily-.*\.sqlite$/.test(f));
  const manual = list(backups).filter((f) => /^loa-.*\.sqlite$/.test(f) && !daily.includes(f));
  const replaced = list(config.dataDir).filter((f) => f.startsWith('loa.sqlite.before-restore-'));
  const total = (dir: string, files: string[]): number => files.reduce((n, f) => n + sizeOf(join(dir, f)), 0);
  const parts = [`cơ sở dữ liệu ${mb(db)}`, `${daily.length} bản sao lưu hằng ngày ${mb(total(backups, daily))} (giữ ${config.backup?.keep ?? 0} bản mới nhất)`];
  const kept: string[] = [];
  if (manual.length) kept.push(`${manual.length} bản sao lưu bằng loa backup ${mb(total(backups, manual))}`);
  if (replaced.length) kept.push(`${replaced.length} cơ sở dữ liệu cũ để lại sau khôi phục ${mb(total(config.dataDir, replaced))}`);
  const message = `${parts.join(', ')}${kept.length ? `; không tự xoá: ${kept.join(', ')}` : ''}`;
  const free = (freeBytes ?? defaultFreeBytes)(config.dataDir);
  if ((config.backup?.keep ?? 0) > 0 && Number.isFinite(free) && free < db * 1.5)
    return {
      name: 'Dữ liệu',
      status: 'warn',
      message: `${message}. Bản sao lưu hằng ngày tới cần khoảng ${mb(db)}, ổ chỉ còn ${mb(free)}`,
      fix: `xoá bớt các bản không tự xoá (trong ${backups} và ${config.dataDir}) sau khi đã chép chúng ra nơi khác, hoặc chuyển LOA_DATA_DIR sang ổ lớn hơn`,
    };
  return { name: 'Dữ liệu', status: 'ok', message };
}

/** A backup older than this is a missed one: daily at LOA_BACKUP_TIME, caught up 10 minutes after a start past 26 hours. */
const BACKUP_STALE_MS = 50 * 3_600_000;

/**
 * Whether the database has a recent backup. A daily backup that fails (a full disk, the backups
 * folder not writable) is only written to the log at error level, and the service goes on: the
 * officer learnt it the day the disk failed and the newest backup was weeks old, or when daily
 * backups had been turned off (LOA_BACKUP_KEEP=0) with nothing else in their place. Undefined
 * without a database, and for one younger than two days (its first backup may still be due).
 * `loa backup` copies in the backups folder count (an office may take them by cron instead).
 */
export function backupCheck(config: Config, db: Db | undefined, now: Date): CheckResult | undefined {
  const keep = config.backup?.keep ?? 0;
  let since: number | undefined;
  try {
    const first = db?.prepare('SELECT min(applied_at) AS at FROM schema_migrations').get() as { at: string | null } | undefined;
    since = first?.at ? Date.parse(first.at) : undefined;
  } catch {
    since = undefined;
  }
  if (since === undefined || !Number.isFinite(since)) return undefined;
  const dir = join(config.dataDir, 'backups');
  let newest: { file: string; at: number } | undefined;
  try {
    for (const f of readdirSync(dir)) {
      if (!/^loa-.*\.sqlite$/.test(f)) continue;
      const at = statSync(join(dir, f)).mtimeMs;
      // One dated later than now was taken while the clock ran ahead: not a fresh backup.
      if (backupOrderTime(at, now.getTime()) !== at) continue;
      if (!newest || at > newest.at) newest = { file: f, at };
    }
  } catch {
    // No backups folder: no backup yet.
  }
  const when = (ms: number): string => `${formatVietnamTime(new Date(ms), 'HH:mm dd/MM/yyyy')}, ${Math.floor((now.getTime() - ms) / 86_400_000)} ngày trước`;
  const offMachine = 'và chép thư mục backups sang một máy hoặc ổ khác mỗi ngày: bản sao lưu nằm cùng ổ với cơ sở dữ liệu không cứu được khi hỏng ổ (docs/deploy.md, Backups)';
  if (newest && now.getTime() - newest.at <= BACKUP_STALE_MS)
    return { name: 'Sao lưu', status: 'ok', message: `bản mới nhất ${join(dir, newest.file)} (${formatVietnamTime(new Date(newest.at), 'HH:mm dd/MM/yyyy')})${keep > 0 ? `; sao lưu hằng ngày lúc ${config.backup?.at ?? '02:30'}, giữ ${keep} bản` : '; sao lưu hằng ngày đang tắt (LOA_BACKUP_KEEP=0)'}` };
  if (now.getTime() - since < BACKUP_STALE_MS) return undefined;
  const last = newest ? `bản mới nhất là ${join(dir, newest.file)} (${when(newest.at)})` : `chưa có bản sao lưu nào trong ${dir}`;
  if (keep <= 0)
    return {
      name: 'Sao lưu',
      status: 'warn',
      message: `sao lưu hằng ngày đang tắt (LOA_BACKUP_KEEP=0) và ${last}`,
      fix: `đặt LOA_BACKUP_KEEP=7 trong .env rồi khởi động lại Loa (hoặc chạy loa backup theo lịch cron), ${offMachine}`,
    };
  return {
    name: 'Sao lưu',
    status: 'warn',
    message: `sao lưu hằng ngày (lúc ${config.backup?.at ?? '02:30'}) không có bản nào trong 2 ngày qua: ${last}. Loa chỉ tự sao lưu khi dịch vụ đang chạy; mỗi lần không được đều ghi vào nhật ký`,
    fix: `xem lý do: journalctl -u loa | grep 'backup:' (thường là ổ đầy hoặc thư mục backups không ghi được); sửa rồi chạy thử loa backup, ${offMachine}`,
  };
}

function defaultFreeBytes(dir: string): number {
  try {
    const st = statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return Number.NaN;
  }
}

function diskCheck(config: Config, freeBytes?: (dir: string) => number): CheckResult {
  let dir = config.dataDir;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const min = config.minFreeMb ?? 0;
  const guard = createDiskGuard({ dir, minFreeMb: min > 0 ? min : DEFAULT_WARN_FREE_MB, freeBytes, cacheMs: 0 });
  const state = guard.state();
  const free = guard.freeMb();
  if (!Number.isFinite(free)) return { name: 'Ổ đĩa', status: 'warn', message: `không đọc được dung lượng trống của ${dir}` };
  const freeText = `còn ${Math.round(free).toLocaleString('vi-VN')} MB trống ở ${dir}`;
  if (min <= 0)
    return state === 'ok'
      ? { name: 'Ổ đĩa', status: 'ok', message: `${freeText} (LOA_MIN_FREE_MB chưa đặt: không có ngưỡng bảo vệ)` }
      : { name: 'Ổ đĩa', status: 'warn', message: `${freeText}, dưới ${DEFAULT_WARN_FREE_MB} MB`, fix: 'giải phóng chỗ (sao lưu cũ, nhật ký) và đặt LOA_MIN_FREE_MB (ví dụ 1024) để Loa tự bảo vệ khi đĩa gần đầy' };
  if (state === 'ok') return { name: 'Ổ đĩa', status: 'ok', message: `${freeText} (ngưỡng LOA_MIN_FREE_MB=${min})` };
  return {
    name: 'Ổ đĩa',
    status: 'fail',
    message:
      state === 'critical'
        ? `${freeText}, dưới 1/4 ngưỡng LOA_MIN_FREE_MB=${min}: Loa không lưu tin mới, webhook trả 503`
        : `${freeText}, dưới ngưỡng LOA_MIN_FREE_MB=${min}: web chat từ chối người mới`,
    fix: 'giải phóng chỗ trên ổ chứa LOA_DATA_DIR (xóa bản sao lưu cũ, nhật ký), hoặc chuyển dữ liệu sang ổ lớn hơn',
  };
}

/**
 * Whether `loa` starts from the compiled copy of the sources (bin/compiled.js). Without it Loa
 * works the same, through tsx, only each start and each `loa` command takes about 0.6 s more:
 * worth a warning with the fix, never a fault.
 */
export function compiledCopyCheck(copy: CompiledCopyState): CheckResult {
  const name = 'Bản biên dịch';
  const root = copy.root ?? 'thư mục của Loa';
  if (copy.dist)
    return {
      name,
      status: 'ok',
      message: copy.compiled ? `vừa biên dịch lại ${copy.dist} theo mã nguồn mới; các lần khởi động sau dùng bản này` : `Loa chạy từ bản biên dịch sẵn ${copy.dist}, khớp với mã nguồn`,
    };
  const slower = 'Loa vẫn chạy đúng (thẳng từ mã nguồn, qua tsx) nhưng mỗi lần khởi động và mỗi lệnh loa chậm hơn khoảng 0,6 giây';
  switch (copy.reason) {
    case 'off':
      return { name, status: 'ok', message: 'đã tắt (LOA_COMPILE=0): Loa chạy thẳng từ mã nguồn qua tsx, mỗi lần khởi động chậm hơn khoảng 0,6 giây' };
    case 'read-only':
      return {
        name,
        status: 'warn',
        message: `không tạo được bản biên dịch sẵn (dist/) vì tài khoản ${currentUser()} không ghi được vào ${root}. ${slower}`,
        fix: `giao thư mục cho tài khoản chạy dịch vụ (sudo chown -R loa:loa ${root}, như bước A2 của docs/deploy.md) rồi chạy lại \`sudo -u loa npx loa doctor\`; hoặc, nếu thư mục cố ý chỉ đọc, sau mỗi lần cập nhật chạy một lệnh loa bằng tài khoản ghi được vào đó (ví dụ \`cd ${root} && sudo node bin/loa.js --help\`). Với Docker: dựng lại ảnh (docker compose up -d --build)`,
      };
    case 'no-esbuild':
      return {
        name,
        status: 'warn',
        message: `không tạo được bản biên dịch sẵn (dist/): thiếu gói esbuild trong node_modules. ${slower}`,
        fix: `cài lại các gói: \`cd ${root} && sudo -u loa npm ci --omit=dev\`, rồi khởi động lại Loa`,
      };
    case 'no-space':
      return {
        name,
        status: 'warn',
        message: `không tạo được bản biên dịch sẵn (dist/): ổ đĩa chứa ${root} đã đầy. ${slower}`,
        fix: 'giải phóng chỗ trên ổ đĩa đó (bản sao lưu cũ, nhật ký); lệnh loa tiếp theo sẽ tự biên dịch lại',
      };
    default:
      return {
        name,
        status: 'warn',
        message: `không tạo được bản biên dịch sẵn (dist/)${copy.detail ? ` (${copy.detail})` : ''}. ${slower}`,
        fix: `xóa thư mục ${root}/dist rồi chạy lại \`loa doctor\` bằng tài khoản chạy dịch vụ; nếu dòng này còn, gửi nó cho người phát triển Loa`,
      };
  }
}

/**
 * An HTTPS address with nothing to believe about the proxy that serves it: Loa does no TLS, so
 * `LOA_PUBLIC_URL=https://…` means a reverse proxy in front. Without `LOA_TRUST_PROXY`, every
 * visitor is the proxy's address (the web chat's per-address limits then refuse a whole town at
 * once, the audit log names the proxy) and the admin cookie is not `Secure`. Undefined when the
 * setting is consistent (or there is no public address).
 */
export function proxyCheck(config: Pick<Config, 'http'>): CheckResult | undefined {
  const { publicUrl, trustProxy } = config.http;
  if (!publicUrl?.startsWith('https://')) return undefined;
  if (trustProxy?.length) return { name: 'Proxy', status: 'ok', message: `tin X-Forwarded-For của ${trustProxy.join(', ')} (LOA_TRUST_PROXY)` };
  return {
    name: 'Proxy',
    status: 'warn',
    message: `LOA_PUBLIC_URL là ${publicUrl} (HTTPS, qua reverse proxy) nhưng LOA_TRUST_PROXY trống: Loa thấy mọi người dân như một địa chỉ (của proxy), giới hạn tin nhắn theo địa chỉ của web chat chặn tất cả cùng lúc, và cookie đăng nhập quản trị không có Secure`,
    fix: 'đặt LOA_TRUST_PROXY=127.0.0.1 trong .env khi Caddy/nginx chạy trên cùng máy (địa chỉ của proxy nếu ở máy khác), rồi khởi động lại Loa (docs/deploy.md, mục HTTPS)',
  };
}

/**
 * The files of the data folder Loa writes to (the database with its WAL pair, the backups folder,
 * the lock `loa start` takes: a root-owned one, left by a `sudo npx loa start` tried by hand,
 * stops the service's start).
 */
const WRITTEN = ['loa.sqlite', 'loa.sqlite-wal', 'loa.sqlite-shm', 'backups', 'loa.lock'];

/**
 * Whether the account running the doctor (the service's, run as the guide says: `sudo -u loa npx
 * loa doctor`) can write the data folder and the database in it. The usual way to break it: a
 * first `loa` command run as root, which creates `loa.sqlite` owned by root; the service then
 * stops at its first write with SQLite's "attempt to write a readonly database". Run as root, the
 * doctor can write anything, so it compares owners instead: a file owned by another account
 * than the folder is named.
 */
export function writeAccessCheck(dataDir: string): CheckResult {
  const name = 'Quyền ghi';
  // The folder, or the nearest folder above it that exists (`loa start` creates the rest).
  let dir = dataDir;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const chown = (path: string) => `sudo chown -R ${currentUser()}: ${path} (tài khoản chạy dịch vụ; với Docker: sudo chown -R 10001:10001 …)`;
  const denied = (path: string): boolean => {
    try {
      accessSync(path, constants.W_OK);
      return false;
    } catch {
      return true;
    }
  };
  if (denied(dir))
    return { name, status: 'fail', message: `tài khoản ${currentUser()} không ghi được vào ${dir}: Loa sẽ dừng ngay khi khởi động`, fix: chown(dir) };
  if (dir !== dataDir) return { name, status: 'ok', message: `${dataDir} chưa có; ${dir} ghi được, \`loa start\` sẽ tạo` };
  const files = WRITTEN.map((f) => join(dataDir, f)).filter((f) => existsSync(f));
  const unwritable = files.filter(denied);
  if (unwritable.length)
    return {
      name,
      status: 'fail',
      message: `tài khoản ${currentUser()} không ghi được ${unwritable.join(', ')}: dịch vụ sẽ dừng ở lần ghi đầu tiên ("attempt to write a readonly database")`,
      fix: `${chown(dataDir)}; thường do một lệnh \`loa\` đã chạy bằng root: luôn chạy bằng sudo -u <tài khoản dịch vụ> npx loa …`,
    };
  const owner = statSync(dataDir).uid;
  const others = files.filter((f) => statSync(f).uid !== owner);
  if (others.length)
    return {
      name,
      status: 'warn',
      message: `${others.join(', ')} không cùng chủ với ${dataDir} (uid ${others.map((f) => statSync(f).uid).join(', ')} thay vì ${owner}): dịch vụ chạy bằng chủ của thư mục có thể không ghi được`,
      fix: `sudo chown -R $(stat -c %u:%g ${dataDir}) ${dataDir}; rồi chạy các lệnh \`loa\` bằng tài khoản đó (sudo -u … npx loa …), không bằng root`,
    };
  return { name, status: 'ok', message: `${dataDir} và cơ sở dữ liệu ghi được bởi ${currentUser()}` };
}

/** The name of the account running this process (its uid when it has no name). */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

function quietHoursCheck(config: Config, now: Date): CheckResult {
  const q = config.bot.quiet_hours;
  if (q.start === q.end) return { name: 'Giờ yên lặng', status: 'ok', message: 'không đặt (quiet_hours trong YAML có start = end): chiến dịch gửi cả ngày đêm' };
  if (isQuietTime(now, q))
    return { name: 'Giờ yên lặng', status: 'ok', message: `đang trong giờ yên lặng (${q.start}–${q.end} giờ Việt Nam): chiến dịch chờ tới ${formatVietnamTime(quietHoursEnd(now, q), 'HH:mm')}; trả lời người hỏi vẫn gửi ngay` };
  return { name: 'Giờ yên lặng', status: 'ok', message: `không phải giờ yên lặng lúc này (${q.start}–${q.end} giờ Việt Nam): chiến dịch được gửi` };
}

// ---------------------------------------------------------------------------------------------
// Telegram

type Http = { fetch: typeof fetch; timeoutMs: number };

/**
 * The Zalo Bot platform: the token (`getMe`) and where updates go (`getWebhookInfo`). It never
 * calls `getUpdates`: the platform hands each update out once, so a doctor's poll would take a
 * person's message away from the running service.
 */
async function zaloBotChecks(config: Config, http: Http): Promise<CheckResult[]> {
  const zb = config.zaloBot!;
  const clean = (s: string): string => s.split(zb.token).join('***');
  const client = createZaloBotClient({ token: zb.token, apiRoot: zb.apiRoot, fetch: http.fetch, timeoutMs: http.timeoutMs });
  const why = (err: unknown): string => clean(err instanceof ZaloBotApiError ? `${err.errorCode} ${err.description}` : err instanceof Error ? err.message.replace(/^Zalo Bot: \w+ failed: /, '') : String(err));
  let bot;
  try {
    bot = await client.getMe();
  } catch (err) {
    if (err instanceof ZaloBotApiError && (err.errorCode === 401 || err.errorCode === 404))
      return [{ name: 'Zalo Bot', status: 'fail', message: `Zalo Bot từ chối mã bot (${why(err)}): ZALO_BOT_TOKEN sai hoặc đã bị thu hồi`, fix: 'mở Zalo, vào OA “Zalo Bot Manager” → Zalo Bot Creator, chọn bot để lấy lại mã (dạng <số>:<chuỗi>), sửa ZALO_BOT_TOKEN rồi khởi động lại Loa (xem docs/zalo-bot.md)' }];
    if (err instanceof ZaloBotApiError)
      return [{ name: 'Zalo Bot', status: 'fail', message: `getMe trả lỗi ${why(err)}`, fix: 'thử lại sau ít phút; nếu vẫn lỗi, kiểm tra ZALO_BOT_API_ROOT' }];
    return [
      {
        name: 'Zalo Bot',
        status: 'fail',
        message: `không kết nối được máy chủ Zalo Bot tại ${zb.apiRoot} (${why(err)})`,
        fix: 'kiểm tra mạng và tường lửa của máy chủ (cho phép HTTPS ra bot-api.zaloplatforms.com), rồi chạy lại `loa doctor`',
      },
    ];
  }
  const results: CheckResult[] = [{ name: 'Zalo Bot', status: 'ok', message: `mã bot hợp lệ: ${bot.account_name ?? bot.display_name ?? bot.name ?? '?'} (id ${bot.id})` }];
  let url: string;
  try {
    url = (await client.getWebhookInfo()).url;
  } catch (err) {
    results.push({ name: 'Zalo Bot webhook', status: 'fail', message: `getWebhookInfo không trả lời (${why(err)})`, fix: 'chạy lại `loa doctor` sau ít phút' });
    return results;
  }
  if (zb.mode === 'webhook') {
    const expected = zb.webhookUrl ?? '';
    if (url === '')
      results.push({ name: 'Zalo Bot webhook', status: 'fail', message: `chưa đặt webhook (cấu hình: ${expected}); Zalo chưa gửi tin tới Loa`, fix: 'khởi động Loa (`loa start`): Loa đặt webhook khi kết nối được Zalo Bot' });
    else if (url !== expected)
      results.push({
        name: 'Zalo Bot webhook',
        status: 'fail',
        message: `webhook đang đặt là ${url}, khác ZALO_BOT_WEBHOOK_URL=${expected}; tin nhắn đang được gửi tới nơi khác`,
        fix: `nếu ${expected} đúng, khởi động lại Loa để đặt lại webhook, và tắt chương trình khác dùng cùng bot; nếu sai, sửa ZALO_BOT_WEBHOOK_URL (địa chỉ HTTPS công khai chuyển tới ${ZALO_BOT_WEBHOOK_PATH})`,
      });
    else results.push({ name: 'Zalo Bot webhook', status: 'ok', message: `đặt đúng ${url}` });
  } else if (url !== '')
    results.push({
      name: 'Zalo Bot long polling',
      status: 'fail',
      message: `đang có webhook ${url}: khi webhook còn đặt, getUpdates không nhận được tin`,
      fix: 'Loa xóa webhook khi khởi động ở chế độ polling; nếu có chương trình khác đặt lại, tắt nó, hoặc đặt ZALO_BOT_MODE=webhook cho bản này',
    });
  else results.push({ name: 'Zalo Bot long polling', status: 'ok', message: 'không có webhook nào đặt, getUpdates dùng được' });
  return results;
}
type TgAnswer = { ok: boolean; result?: unknown; error_code?: number; description?: string };

async function telegramChecks(config: Config, http: Http): Promise<CheckResult[]> {
  const tg = config.telegram!;
  const clean = (s: string): string => s.split(tg.token).join('***');
  const call = async (method: string): Promise<{ answer: TgAnswer } | { network: string }> => {
    try {
      const answer = await withTimeout(http.timeoutMs, async (signal) => {
        const res = await http.fetch(`${tg.apiRoot}/bot${tg.token}/${method}`, { method: 'POST', signal });
        return (await res.json().catch(() => ({ ok: false, error_code: res.status, description: `HTTP ${res.status}` }))) as TgAnswer;
      });
      return { answer };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      return { network: clean(e.name === 'TimeoutError' ? `không trả lời trong ${http.timeoutMs / 1000} giây` : (e.cause?.code ?? e.cause?.message ?? e.message)) };
    }
  };

  const me = await call('getMe');
  if ('network' in me)
    return [
      {
        name: 'Telegram',
        status: 'fail',
        message: `không kết nối được máy chủ Bot API tại ${tg.apiRoot} (${me.network})`,
        fix: 'kiểm tra mạng và tường lửa của máy chủ (cho phép HTTPS ra api.telegram.org); nếu mạng chặn Telegram, chạy một máy chủ Bot API riêng và đặt TELEGRAM_API_ROOT (xem docs/telegram.md)',
      },
    ];
  if (!me.answer.ok) {
    const code = me.answer.error_code;
    const desc = clean(me.answer.description ?? '');
    if (code === 401 || code === 404)
      return [{ name: 'Telegram', status: 'fail', message: `Telegram từ chối mã bot (${code} ${desc}): TELEGRAM_BOT_TOKEN sai hoặc đã bị thu hồi`, fix: 'lấy mã ở @BotFather (lệnh /token, chọn bot), sửa TELEGRAM_BOT_TOKEN rồi khởi động lại Loa' }];
    return [{ name: 'Telegram', status: 'fail', message: `getMe trả lỗi ${code} (${desc})`, fix: 'thử lại sau ít phút; nếu vẫn lỗi, kiểm tra TELEGRAM_API_ROOT' }];
  }
  const bot = me.answer.result as { username?: string; id?: number; can_read_all_group_messages?: boolean };
  const results: CheckResult[] = [{ name: 'Telegram', status: 'ok', message: `mã bot hợp lệ: @${bot.username ?? '?'} (id ${bot.id ?? '?'})` }];

  const info = await call('getWebhookInfo');
  if ('network' in info || !info.answer.ok) {
    results.push({ name: 'Telegram webhook', status: 'fail', message: `getWebhookInfo không trả lời (${'network' in info ? info.network : clean(info.answer.description ?? '')})`, fix: 'chạy lại `loa doctor` sau ít phút' });
    return results;
  }
  const w = info.answer.result as { url?: string; last_error_date?: number; last_error_message?: string; pending_update_count?: number };
  const url = w.url ?? '';
  if (tg.mode === 'webhook') {
    const expected = tg.webhookUrl ?? '';
    if (url === '')
      results.push({ name: 'Telegram webhook', status: 'fail', message: `chưa đặt webhook (cấu hình: ${expected}); Telegram chưa gửi tin tới Loa`, fix: 'khởi động Loa (`loa start`): Loa đặt webhook khi kết nối được Telegram' });
    else if (url !== expected)
      results.push({
        name: 'Telegram webhook',
        status: 'fail',
        message: `webhook đang đặt là ${url}, khác TELEGRAM_WEBHOOK_URL=${expected}; tin nhắn đang được gửi tới nơi khác`,
        fix: `nếu ${expected} đúng, khởi động lại Loa để đặt lại webhook, và tắt chương trình khác dùng cùng bot; nếu sai, sửa TELEGRAM_WEBHOOK_URL (địa chỉ HTTPS công khai chuyển tới ${TELEGRAM_WEBHOOK_PATH})`,
      });
    else results.push({ name: 'Telegram webhook', status: 'ok', message: `đặt đúng ${url}${w.pending_update_count ? `; ${w.pending_update_count} tin đang chờ` : ''}` });
    if (url !== '' && w.last_error_message) {
      const when = w.last_error_date ? ` lúc ${formatVietnamTime(new Date(w.last_error_date * 1000), 'HH:mm dd/MM/yyyy')}` : '';
      results.push({
        name: 'Telegram webhook',
        status: 'fail',
        message: `lần gửi gần nhất của Telegram tới webhook bị lỗi${when}: ${w.last_error_message}`,
        fix: `kiểm tra từ ngoài Internet: ${url} phải mở được qua HTTPS với chứng chỉ hợp lệ, proxy (Caddy/nginx) chuyển tới Loa, và Loa đang chạy`,
      });
    }
  } else if (url !== '')
    results.push({
      name: 'Telegram long polling',
      status: 'fail',
      message: `đang có webhook ${url}: ở chế độ long polling, getUpdates bị Telegram từ chối (409 Conflict) khi webhook còn đặt`,
      fix: 'Loa xóa webhook khi khởi động ở chế độ polling; nếu có chương trình khác (một bản Loa ở chế độ webhook) đặt lại, tắt nó, hoặc đặt TELEGRAM_MODE=webhook cho bản này',
    });
  else results.push({ name: 'Telegram long polling', status: 'ok', message: 'không có webhook nào đặt, getUpdates dùng được' });
  return results;
}

// ---------------------------------------------------------------------------------------------
// Zalo

async function zaloChecks(config: Config, db: Db | undefined, http: Http, now: Date): Promise<CheckResult[]> {
  const z = config.zalo!;
  const results: CheckResult[] = [];
  const connectFix = 'chạy `loa zalo connect` để quản trị viên OA cấp quyền lại (xem docs/zalo.md)';
  const row = db ? safeTokens(db, z.appId) : undefined;
  if (!row) {
    results.push({
      name: 'Zalo OA',
      status: 'fail',
      message: z.refreshToken ? 'chưa có cặp mã trong cơ sở dữ liệu (ZALO_REFRESH_TOKEN sẽ được nạp khi `loa start` chạy lần đầu)' : 'OA chưa được kết nối: chưa có mã truy cập',
      fix: z.refreshToken ? 'chạy `loa start` một lần rồi chạy lại `loa doctor`' : 'chạy `loa zalo connect` để quản trị viên OA cấp quyền cho Loa (xem docs/zalo.md, mục 4)',
    });
    // With no token nothing below reaches Zalo: say now whether this server can (a government
    // network often blocks it), before the admin spends a permission link on a connect that fails.
    results.push(await zaloReachable([z.oauthBase, z.apiBase], http));
  } else {
    const at = (iso: string | null): string => (iso ? formatVietnamTime(new Date(iso), 'HH:mm dd/MM/yyyy') : 'không rõ');
    const refreshLeftMs = row.refreshExpiresAt ? Date.parse(row.refreshExpiresAt) - now.getTime() : Infinity;
    const refused = row.lastError?.startsWith('refused');
    // Zalo refused the app's own credentials, not the refresh token (which is then unspent):
    // reconnecting would fail the same way; the variable must be corrected.
    const credential = /error -14002\b/.test(row.lastError ?? '') ? 'ZALO_APP_SECRET' : /error -14001\b/.test(row.lastError ?? '') ? 'ZALO_APP_ID' : undefined;
    const refusedFix = credential
      ? `sửa ${credential} theo developers.zalo.me (ứng dụng của OA > Thông tin ứng dụng) rồi khởi động lại Loa; mã làm mới chưa bị dùng nên không cần \`loa zalo connect\``
      : connectFix;
    if (refused && credential)
      results.push({ name: 'Zalo mã làm mới', status: 'fail', message: `Zalo từ chối ${credential === 'ZALO_APP_SECRET' ? 'khóa bí mật' : 'mã'} của ứng dụng khi làm mới mã truy cập (${row.lastError}): ${credential} sai`, fix: refusedFix });
    else if (refused)
      results.push({ name: 'Zalo mã làm mới', status: 'fail', message: `Zalo đã từ chối mã làm mới (refresh token): ${row.lastError}`, fix: connectFix });
    else if (refreshLeftMs <= 0)
      results.push({ name: 'Zalo mã làm mới', status: 'fail', message: `mã làm mới (refresh token) đã hết hạn lúc ${at(row.refreshExpiresAt)}`, fix: connectFix });
    else if (refreshLeftMs < REFRESH_WARN_DAYS * 86_400_000)
      results.push({ name: 'Zalo mã làm mới', status: 'warn', message: `mã làm mới hết hạn lúc ${at(row.refreshExpiresAt)} (còn ${Math.ceil(refreshLeftMs / 86_400_000)} ngày); Loa dùng nó mỗi ngày nên thường được thay trước hạn`, fix: `nếu dịch vụ ngừng chạy quá lâu, ${connectFix}` });
    else results.push({ name: 'Zalo mã làm mới', status: 'ok', message: row.refreshExpiresAt ? `còn hạn tới ${at(row.refreshExpiresAt)}` : 'có (hạn không rõ: mã nạp từ ZALO_REFRESH_TOKEN)' });

    const accessExpired = row.accessExpiresAt !== null && Date.parse(row.accessExpiresAt) <= now.getTime();
    if (!row.accessToken || accessExpired)
      results.push({
        name: 'Zalo mã truy cập',
        status: refused || refreshLeftMs <= 0 ? 'fail' : 'warn',
        message: row.accessToken ? `mã truy cập đã hết hạn lúc ${at(row.accessExpiresAt)}` : 'chưa có mã truy cập',
        fix: refused ? refusedFix : refreshLeftMs <= 0 ? connectFix : 'Loa tự làm mới bằng mã làm mới ở lần gửi tới (doctor không làm mới: mỗi mã làm mới chỉ dùng được một lần)',
      });
    else results.push(await zaloTokenWorks(z.apiBase, row.accessToken, http, `còn hạn tới ${at(row.accessExpiresAt)}`, refused ? refusedFix : connectFix, !!refused));
  }
  results.push(await zaloWebhookCheck(config, http));
  return results;
}

function safeTokens(db: Db, appId: string): ReturnType<typeof getZaloTokens> {
  try {
    return getZaloTokens(db, appId);
  } catch {
    return undefined;
  }
}

/** Whether Zalo's OAuth and API servers answer at all (any HTTP status will do). */
async function zaloReachable(bases: string[], http: Http): Promise<CheckResult> {
  for (const base of new Set(bases)) {
    try {
      await withTimeout(http.timeoutMs, (signal) => http.fetch(base, { method: 'GET', signal }));
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      return {
        name: 'Zalo máy chủ',
        status: 'fail',
        message: `máy này không kết nối được ${base} (${e.name === 'TimeoutError' ? 'không trả lời' : (e.cause?.code ?? (e.cause as Error | undefined)?.message ?? e.message)}); \`loa zalo connect\` và mọi tin gửi qua Zalo sẽ lỗi`,
        fix: 'cho phép máy chủ ra Internet bằng HTTPS tới oauth.zaloapp.com và openapi.zalo.me (tường lửa, proxy của cơ quan), rồi chạy lại `loa doctor`',
      };
    }
  }
  return { name: 'Zalo máy chủ', status: 'ok', message: `kết nối được ${[...new Set(bases)].join(' và ')}` };
}

async function zaloTokenWorks(apiBase: string, token: string, http: Http, validity: string, connectFix: string, refreshRefused = false): Promise<CheckResult> {
  try {
    const { res, body } = await withTimeout(http.timeoutMs, async (signal) => {
      const res = await http.fetch(`${apiBase}/v2.0/oa/getoa`, { headers: { access_token: token }, signal });
      const body = (await res.json().catch(() => null)) as { error?: number | string; message?: string; data?: { name?: string; oa_id?: string | number } } | null;
      return { res, body };
    });
    if (!res.ok || !body) return { name: 'Zalo mã truy cập', status: 'fail', message: `máy chủ Zalo trả HTTP ${res.status} tại ${apiBase}`, fix: 'thử lại sau ít phút; kiểm tra ZALO_API_BASE' };
    const code = Number(body.error ?? 0);
    if (code === -216 || code === -220)
      return { name: 'Zalo mã truy cập', status: 'fail', message: `Zalo từ chối mã truy cập dù chưa tới hạn (lỗi ${code}: ${body.message ?? ''})`, fix: refreshRefused ? connectFix : `Loa sẽ thử làm mới ở lần gửi tới; nếu vẫn lỗi, ${connectFix}` };
    if (code !== 0) return { name: 'Zalo mã truy cập', status: 'fail', message: `Zalo trả lỗi ${code} (${body.message ?? ''}) khi đọc thông tin OA`, fix: 'xem docs/zalo.md về gói OA và quyền của ứng dụng' };
    return { name: 'Zalo mã truy cập', status: 'ok', message: `hợp lệ (OA ${body.data?.name ?? body.data?.oa_id ?? '?'}), ${validity}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return {
      name: 'Zalo mã truy cập',
      status: 'fail',
      message: `không kết nối được máy chủ Zalo tại ${apiBase} (${e.name === 'TimeoutError' ? 'không trả lời' : (e.cause?.code ?? e.message)})`,
      fix: 'kiểm tra mạng và tường lửa (cho phép HTTPS ra openapi.zalo.me và oauth.zaloapp.com)',
    };
  }
}

/**
 * The OA API cannot read back the webhook URL set in the developer console, so this checks what
 * Loa can: a public HTTPS address, and the domain verification file Zalo asks for.
 */
async function zaloWebhookCheck(config: Config, http: Http): Promise<CheckResult> {
  const base = config.http.publicUrl?.replace(/\/+$/, '');
  if (!base)
    return { name: 'Zalo webhook', status: 'fail', message: 'LOA_PUBLIC_URL chưa đặt: không có địa chỉ công khai để Zalo gửi tin tới', fix: `đặt LOA_PUBLIC_URL (ví dụ https://loa.example.gov.vn) và khai báo ${ZALO_WEBHOOK_PATH} trên developers.zalo.me` };
  const webhook = `${base}${ZALO_WEBHOOK_PATH}`;
  if (!base.startsWith('https://'))
    return { name: 'Zalo webhook', status: 'fail', message: `${webhook} không phải HTTPS; Zalo chỉ gửi tới địa chỉ HTTPS`, fix: 'đặt Loa sau một reverse proxy có HTTPS (Caddy/nginx, xem docs/deploy.md) và đặt LOA_PUBLIC_URL bằng https://…' };
  const dir = join(config.dataDir, 'zalo');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^zalo_verifier[A-Za-z0-9_-]+\.html$/.test(f)) : [];
  if (files.length === 0)
    return {
      name: 'Zalo webhook',
      status: 'warn',
      message: `khai báo ${webhook} trên developers.zalo.me (Zalo không cho đọc lại địa chỉ này); chưa có tệp xác thực tên miền trong ${dir}`,
      fix: `tải tệp zalo_verifier….html ở mục Xác thực tên miền trên developers.zalo.me và đặt vào ${dir}/`,
    };
  try {
    const res = await withTimeout(http.timeoutMs, (signal) => http.fetch(`${base}/${files[0]}`, { signal }));
    if (res.ok) return { name: 'Zalo webhook', status: 'ok', message: `tên miền xác thực được (${base}/${files[0]} mở được); địa chỉ khai báo trên developers.zalo.me phải là ${webhook}` };
    return { name: 'Zalo webhook', status: 'warn', message: `${base}/${files[0]} trả HTTP ${res.status}`, fix: 'kiểm tra reverse proxy chuyển mọi đường dẫn tới Loa, và Loa đang chạy' };
  } catch {
    return { name: 'Zalo webhook', status: 'warn', message: `không mở được ${base}/${files[0]} từ máy này (Loa chưa chạy, hoặc DNS/proxy chưa xong)`, fix: `khi Loa chạy, mở ${base}/${files[0]} từ ngoài Internet để chắc Zalo xác thực được tên miền` };
  }
}
