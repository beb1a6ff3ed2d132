/**
 * Configuration: environment variables plus the bot YAML (`bots/<name>.yaml`), validated by zod
 * into one typed {@link Config}. Nothing else in Loa reads `process.env`.
 *
 * `createConfig(env, botYaml)` is pure, so tests build configs directly; `loadConfig()` reads
 * the real environment and file.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { decodeTextFile } from './file-text.js';
import { yamlFileError } from './text/yaml-error.js';
import { VIETNAMESE_LETTER, vietnameseMessage } from './text/zod-vi.js';

const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
/** The names proxy-addr (fastify's `trustProxy`) accepts for ranges of addresses. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const PROXY_OFF = new Set(['', 'off', 'false', 'no', 'none', '0']);

/**
 * Reads `LOA_TRUST_PROXY`: the reverse proxies whose `X-Forwarded-For` (and `-Proto`, `-Host`)
 * Loa believes. Off (an empty list) by default: a client could otherwise write any address in
 * the header, walk past the per-address login throttle and put a forged IP in the audit log.
 * Returns the entries (addresses, CIDRs, or proxy-addr's `loopback`, `linklocal`,
 * `uniquelocal`), or a message saying how to fix the value.
 *
 * @example parseTrustProxy('127.0.0.1, 10.0.0.0/8, ::1') // { ok: true, list: ['127.0.0.1', '10.0.0.0/8', '::1'] }
 */
export function parseTrustProxy(value: string | undefined): { ok: true; list: string[] } | { ok: false; message: string } {
  const v = (value ?? '').trim();
  if (PROXY_OFF.has(v.toLowerCase())) return { ok: true, list: [] };
  if (['true', 'yes', '1', '*', 'all'].includes(v.toLowerCase()))
    return {
      ok: false,
      message: `'${v}' sẽ tin X-Forwarded-For do bất kỳ ai ghi: hãy liệt kê địa chỉ của reverse proxy (ví dụ 127.0.0.1 hoặc 10.0.0.0/8), hoặc để trống`,
    };
  const list: string[] = [];
  for (const raw of v.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    if (PROXY_RANGE_NAMES.has(entry.toLowerCase())) {
      list.push(entry.toLowerCase());
      continue;
    }
    const [addr = '', prefix, extra] = entry.split('/');
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    if (family === 0 || extra !== undefined || !prefixOk)
      return {
        ok: false,
        message: `'${entry}' không phải địa chỉ IPv4/IPv6, dải CIDR (10.0.0.0/8, fd00::/8) hay một trong loopback, linklocal, uniquelocal; các mục cách nhau bằng dấu phẩy`,
      };
    list.push(entry);
  }
  return { ok: true, list };
}

const trustProxy = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const r = parseTrustProxy(s);
    if (r.ok) return r.list;
    ctx.addIssue({ code: 'custom', message: r.message });
    return z.NEVER;
  });

/**
 * One of `values`, whatever the case (`LOA_DB_SYNCHRONOUS=FULL` as SQLite's documentation writes
 * it, `LOA_LOG_LEVEL=INFO`, `TELEGRAM_MODE=Webhook` were refused).
 */
function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(values));
}

/**
 * `LOA_PUBLIC_URL`: the address people and platforms reach Loa at, a whole `http(s)://` origin.
 * A name without `https://` made broken links and a Zalo callback Zalo refuses; a path under
 * another site (`https://tinh.gov.vn/loa`) cannot work, since the admin pages, the web chat
 * and the widget address everything from `/` (docs/deploy.md, "Its own domain").
 */
const publicUrl = optionalString.superRefine((s, ctx) => {
  if (s === undefined) return;
  let u: URL | undefined;
  try {
    u = new URL(s);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || !u.hostname) {
    ctx.addIssue({ code: 'custom', message: `'${s}' không phải địa chỉ đầy đủ: cần dạng https://tên-miền, ví dụ https://loa.stttt.example.gov.vn` });
    return;
  }
  if (u.pathname !== '/' || u.search || u.hash)
    ctx.addIssue({
      code: 'custom',
      message: `'${s}' có đường dẫn con (${u.pathname}${u.search}${u.hash}): Loa cần một tên miền (hoặc tên miền con) riêng, vì trang quản trị và web chat dùng đường dẫn từ gốc /; đặt ví dụ https://loa.${u.hostname.replace(/^www\./, '')} (xem docs/deploy.md, mục "Its own domain")`,
    });
});

/** "At most `count` per `seconds`". */
const rateSchema = z.object({ count: z.number().int().positive(), seconds: z.number().positive() });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'cần giờ dạng HH:MM (24 giờ), ví dụ 21:00');

/** The environment variables Loa reads. */
export const envSchema = z.object({
  LOA_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  LOA_HTTP_PORT: port.default(3000),
  LOA_DATA_DIR: z.string().min(1).default('data'),
  LOA_CONTENT_DIR: z.string().min(1).default('content'),
  LOA_BOT: z.string().min(1).default('bots/default.yaml'),
  LOA_LOG_LEVEL: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto` (default): readable lines on a terminal, JSON otherwise; `json` or `pretty` to force. */
  LOA_LOG_FORMAT: choice(['auto', 'json', 'pretty']).default('auto'),
  /** Public base URL of this server (links in messages, Zalo OAuth callback). */
  LOA_PUBLIC_URL: publicUrl,
  /**
   * SQLite `synchronous`: `normal` (default) survives a crash of the process but may lose the
   * last commits on power loss; `full` survives power loss and costs an fsync per commit.
   */
  LOA_DB_SYNCHRONOUS: choice(['normal', 'full']).default('normal'),
  /**
   * Search threads: `1` (default) answers questions on a worker thread with its own copy of the
   * index, so the event loop stays free for webhooks; `0` searches on the main thread and saves
   * the memory of that copy.
   */
  LOA_SEARCH_THREADS: z.enum(['0', '1']).default('1'),
  /**
   * Months that message texts and questions are kept; after that only what the yearly report
   * counts stays (who, when, which channel, answered or not). 0 keeps them for ever.
   */
  LOA_RETENTION_MONTHS: z.coerce.number().int().min(0).max(120).default(12),
  /**
   * Free disk space (MB) under which new web visitors are politely refused; under a quarter of
   * it nothing new is stored and webhooks answer 503 so the platforms redeliver later. 0: off.
   */
  LOA_MIN_FREE_MB: z.coerce.number().int().min(0).default(500),
  /**
   * The reverse proxies to believe about the client's address (see {@link parseTrustProxy}):
   * comma-separated addresses or CIDRs, IPv4 or IPv6, or `loopback`; empty (default) trusts none.
   */
  LOA_TRUST_PROXY: trustProxy,
  /** Daily backups kept in `LOA_DATA_DIR/backups` (db/backup.ts); 0 turns them off. */
  LOA_BACKUP_KEEP: z.coerce.number().int().min(0).max(365).default(7),
  /** Vietnam time of day of the daily backup, `HH:MM`. */
  LOA_BACKUP_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'cần giờ dạng HH:MM (24 giờ, giờ Việt Nam), ví dụ 02:30').default('02:30'),

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_MODE: choice(['polling', 'webhook']).default('polling'),
  TELEGRAM_API_ROOT: z
    .string()
    .url()
    .refine((u) => !u.endsWith('/'), "bỏ dấu '/' ở cuối")
    .default('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_URL: optionalString,
  TELEGRAM_WEBHOOK_SECRET: optionalString,
  TELEGRAM_PAID_BROADCAST: bool,
  TELEGRAM_RATE_GLOBAL: z.coerce.number().positive().default(30),
  TELEGRAM_RATE_PER_CHAT: z.coerce.number().positive().default(1),

  ZALO_APP_ID: optionalString,
  ZALO_APP_SECRET: optionalString,
  ZALO_OA_SECRET_KEY: optionalString,
  ZALO_OA_ID: optionalString,
  ZALO_ACCESS_TOKEN: optionalString,
  ZALO_REFRESH_TOKEN: optionalString,
  ZALO_API_BASE: z.string().url().default('https://openapi.zalo.me'),
  ZALO_OAUTH_BASE: z.string().url().default('https://oauth.zaloapp.com'),
  ZALO_RATE_PER_MINUTE: z.coerce.number().positive().default(3000),
  /** Oldest signed webhook event (hours, by its `timestamp`) that is still processed; 0: no limit. */
  ZALO_WEBHOOK_MAX_AGE_HOURS: z.coerce.number().min(0).default(48),

  /** A bot of the Zalo Bot platform (docs/zalo-bot.md): the token Zalo Bot Creator sent. */
  ZALO_BOT_TOKEN: optionalString,
  ZALO_BOT_MODE: choice(['polling', 'webhook']).default('polling'),
  ZALO_BOT_API_ROOT: z
    .string()
    .url()
    .refine((u) => !u.endsWith('/'), "bỏ dấu '/' ở cuối")
    .default('https://bot-api.zaloplatforms.com'),
  ZALO_BOT_WEBHOOK_URL: optionalString,
  ZALO_BOT_WEBHOOK_SECRET: optionalString,
  /** Sends per second across all chats; the platform publishes no limit (docs/zalo-bot.md). */
  ZALO_BOT_RATE_GLOBAL: z.coerce.number().positive().default(20),
  ZALO_BOT_RATE_PER_CHAT: z.coerce.number().positive().default(1),
});

/** The bot YAML: one deployment's identity and local settings. */
export const botSchema = z.object({
  name: z.string().min(1),
  greeting: z.string().min(1),
  /** Slug of the root region this deployment serves (from regions.yaml). */
  regions_root: z.string().min(1).optional(),
  staff_contact: z
    .object({
      name: z.string().min(1),
      phone: z.string().optional(),
      email: z.string().email().optional(),
      address: z.string().optional(),
    })
    .optional(),
  /** Campaign sends are held during quiet hours (Asia/Ho_Chi_Minh). */
  quiet_hours: z.object({ start: hhmm, end: hhmm }).default({ start: '21:00', end: '07:00' }),
  /** Inbound flood limit: at most `messages` per `seconds` per person. */
  flood_limit: z
    .object({ messages: z.number().int().positive(), seconds: z.number().positive() })
    .default({ messages: 8, seconds: 10 }),
  /** Limits of the public web chat, checked before anything is stored (channels/web/limits.ts). */
  web_chat_limits: z
    .object({
      per_address: rateSchema.default({ count: 120, seconds: 60 }),
      new_sessions_per_address: rateSchema.default({ count: 60, seconds: 3600 }),
      global: rateSchema.default({ count: 300, seconds: 1 }),
      /** An address refused this often is shut out for `seconds`, refused before its request is read. */
      refusals_per_address: rateSchema.default({ count: 30, seconds: 60 }),
    })
    .default({
      per_address: { count: 120, seconds: 60 },
      new_sessions_per_address: { count: 60, seconds: 3600 },
      global: { count: 300, seconds: 1 },
      refusals_per_address: { count: 30, seconds: 60 },
    }),
  /** Reports of suspected disinformation (/baocao): at most `reports_per_day` per person per day. */
  disinfo: z
    .object({ reports_per_day: z.number().int().positive().default(5) })
    .default({ reports_per_day: 5 }),
  telegram: z
    .object({
      /** Telegram user ids allowed to run live group quizzes. */
      quiz_organizers: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
    })
    .default({ quiz_organizers: [] }),
});

/** Telegram settings; present only when a token is configured. */
export interface TelegramConfig {
  token: string;
  mode: 'polling' | 'webhook';
  apiRoot: string;
  webhookUrl?: string;
  webhookSecret?: string;
  paidBroadcast: boolean;
  ratePerSecond: number;
  ratePerChatPerSecond: number;
}

/** Zalo OA settings; present only when the app id and secrets are configured. */
export interface ZaloConfig {
  appId: string;
  appSecret: string;
  oaSecretKey: string;
  oaId?: string;
  accessToken?: string;
  refreshToken?: string;
  apiBase: string;
  oauthBase: string;
  ratePerMinute: number;
  /**
   * Signed webhook events whose `timestamp` is older than this (hours) are acknowledged and not
   * processed: a replayed delivery (`ZALO_WEBHOOK_MAX_AGE_HOURS`, default 48; 0: no limit).
   */
  webhookMaxAgeHours?: number;
}

/** Zalo Bot platform settings; present only when `ZALO_BOT_TOKEN` is set. */
export interface ZaloBotConfig {
  token: string;
  mode: 'polling' | 'webhook';
  /** Without a trailing slash; methods are `<apiRoot>/bot<token>/<method>`. */
  apiRoot: string;
  /** Public HTTPS address of `/webhooks/zalo-bot` (webhook mode). */
  webhookUrl?: string;
  /** `setWebhook`'s `secret_token`, checked on every delivery (webhook mode). */
  webhookSecret?: string;
  ratePerSecond: number;
  ratePerChatPerSecond: number;
}

/** The whole validated configuration. */
export interface Config {
  http: {
    host: string;
    port: number;
    publicUrl?: string;
    /**
     * Proxies whose `X-Forwarded-*` headers are believed (`LOA_TRUST_PROXY`); empty or absent:
     * none, and `req.ip` is the peer's own address.
     */
    trustProxy?: string[];
  };
  dataDir: string;
  /** SQLite durability level (see `LOA_DB_SYNCHRONOUS`). */
  dbSynchronous?: 'NORMAL' | 'FULL';
  /** Search threads (see `LOA_SEARCH_THREADS`); 0 when omitted. */
  searchThreads?: number;
  /** Months texts are kept (`LOA_RETENTION_MONTHS`); 0 or absent: for ever. */
  retentionMonths?: number;
  /** Free-space guard threshold in MB (`LOA_MIN_FREE_MB`); 0 or absent: off. */
  minFreeMb?: number;
  /** Daily backups (`LOA_BACKUP_KEEP`, `LOA_BACKUP_TIME`); absent or `keep: 0`: off. */
  backup?: { keep: number; at: string };
  contentDir: string;
  botFile: string;
  logLevel: z.infer<typeof envSchema>['LOA_LOG_LEVEL'];
  /** Log line format (`LOA_LOG_FORMAT`); `auto` when absent. */
  logFormat?: 'auto' | 'json' | 'pretty';
  bot: z.infer<typeof botSchema>;
  telegram?: TelegramConfig;
  zalo?: ZaloConfig;
  zaloBot?: ZaloBotConfig;
}

/** A configuration error whose message names the key at fault and how to fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * A configuration issue in Vietnamese for whoever installs Loa (the key names and values stay
 * as written): what the value must be.
 */
function configIssue(i: z.core.$ZodIssue): string {
  if (VIETNAMESE_LETTER.test(i.message)) return i.message;
  switch (i.code) {
    case 'invalid_type':
      return i.expected === 'number' ? 'cần một số' : i.expected === 'string' ? 'cần một chuỗi chữ' : i.expected === 'boolean' ? 'cần true hoặc false' : `thiếu hoặc không đúng kiểu (cần ${i.expected})`;
    case 'invalid_value':
      return `giá trị không được chấp nhận; chỉ nhận: ${i.values.map(String).join(', ')}`;
    case 'too_small':
      return i.origin === 'number' ? `phải ${i.inclusive ? 'từ' : 'lớn hơn'} ${String(i.minimum)} trở lên` : 'đang trống hoặc quá ngắn';
    case 'too_big':
      return i.origin === 'number' ? `phải ${i.inclusive ? 'không quá' : 'nhỏ hơn'} ${String(i.maximum)}` : 'quá dài';
    case 'invalid_format':
      return i.format === 'url' ? 'không phải địa chỉ URL hợp lệ (ví dụ https://…)' : i.format === 'email' ? 'không phải địa chỉ email hợp lệ' : 'không đúng định dạng';
    case 'unrecognized_keys':
      return `có khóa không được biết: ${i.keys.join(', ')}`;
    default:
      return vietnameseMessage(i);
  }
}

function describe(source: string, err: z.ZodError): string {
  return err.issues
    .map((i) => `cấu hình: ${source}${i.path.length ? `: ${i.path.join('.')}` : ''}: ${configIssue(i)}`)
    .join('\n');
}

/**
 * The webhook routes (channels/telegram/telegram.ts WEBHOOK_PATH, channels/zalo-bot/channel.ts
 * ZALO_BOT_WEBHOOK_PATH; a test keeps them equal). In webhook mode without the variable, the URL
 * is `LOA_PUBLIC_URL` followed by the route: the IT officer sets the public address once.
 */
export const TELEGRAM_HOOK_PATH = '/webhooks/telegram';
export const ZALO_BOT_HOOK_PATH = '/webhooks/zalo-bot';

/**
 * Whether a webhook URL cannot reach Loa's route: its path does not end with it (the domain
 * alone, `/webhook/telegram`, a typo). The platform accepted such an address and then posted
 * every update to a page that answers 404, while the channel looked connected. A path before
 * the route is allowed (a proxy that strips a prefix); a `/` after it is not (Fastify's routes
 * do not ignore it: 404 again).
 */
function webhookPathWrong(url: string, route: string): boolean {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return false; // the format check above speaks for it
  }
  // Exactly: with a '/' after it the route answers 404 too (Fastify does not ignore it).
  return !path.endsWith(route);
}

function webhookPathProblem(key: string, url: string, route: string, publicUrl: string | undefined): string {
  const origin = (() => {
    try {
      return new URL(url).origin;
    } catch {
      return '';
    }
  })();
  return (
    `cấu hình: env: ${key}: ${url} không dẫn tới Loa: nền tảng sẽ gửi tin tới đó và chỉ nhận lỗi 404. ` +
    `Địa chỉ phải kết thúc bằng ${route}, ví dụ ${publicUrl ?? origin}${route}` +
    (publicUrl ? ` (hoặc bỏ dòng ${key}: Loa lấy LOA_PUBLIC_URL cộng ${route})` : '')
  );
}

/**
 * Builds the config from an environment map and the parsed bot YAML. Throws {@link ConfigError}
 * naming every key at fault.
 *
 * @example createConfig({ LOA_HTTP_PORT: '0' }, { name: 'Loa', greeting: 'Xin chào' })
 */
export function createConfig(
  env: Record<string, string | undefined>,
  botYaml: unknown,
  botFile = 'bots/default.yaml',
): Config {
  const e = envSchema.safeParse(env);
  if (!e.success) throw new ConfigError(describe('env', e.error));
  const b = botSchema.safeParse(botYaml);
  if (!b.success) throw new ConfigError(describe(botFile, b.error));
  const v = e.data;
  const problems: string[] = [];
  /** `LOA_PUBLIC_URL` without the `/` it may end with, for the webhook URLs made from it. */
  const publicBase = v.LOA_PUBLIC_URL?.replace(/\/+$/, '');

  let telegram: TelegramConfig | undefined;
  if (v.TELEGRAM_BOT_TOKEN) {
    if (v.TELEGRAM_MODE === 'webhook') {
      v.TELEGRAM_WEBHOOK_URL ??= publicBase && `${publicBase}${TELEGRAM_HOOK_PATH}`;
      if (!v.TELEGRAM_WEBHOOK_URL) problems.push(`cấu hình: env: TELEGRAM_WEBHOOK_URL: bắt buộc khi TELEGRAM_MODE=webhook (địa chỉ https công khai của máy chủ, kết thúc bằng ${TELEGRAM_HOOK_PATH}); hoặc đặt LOA_PUBLIC_URL, Loa lấy địa chỉ đó cộng ${TELEGRAM_HOOK_PATH}`);
      else if (!/^https?:\/\//.test(v.TELEGRAM_WEBHOOK_URL))
        problems.push('cấu hình: env: TELEGRAM_WEBHOOK_URL: phải là địa chỉ http(s)://…');
      else if (webhookPathWrong(v.TELEGRAM_WEBHOOK_URL, TELEGRAM_HOOK_PATH)) problems.push(webhookPathProblem('TELEGRAM_WEBHOOK_URL', v.TELEGRAM_WEBHOOK_URL, TELEGRAM_HOOK_PATH, publicBase));
      if (!v.TELEGRAM_WEBHOOK_SECRET || !/^[A-Za-z0-9_-]{16,256}$/.test(v.TELEGRAM_WEBHOOK_SECRET))
        problems.push(
          'cấu hình: env: TELEGRAM_WEBHOOK_SECRET: bắt buộc ở chế độ webhook, 16–256 ký tự A-Z a-z 0-9 _ - (ví dụ tạo bằng: openssl rand -hex 24)',
        );
    }
    telegram = {
      token: v.TELEGRAM_BOT_TOKEN,
      mode: v.TELEGRAM_MODE,
      apiRoot: v.TELEGRAM_API_ROOT,
      webhookUrl: v.TELEGRAM_WEBHOOK_URL,
      webhookSecret: v.TELEGRAM_WEBHOOK_SECRET,
      paidBroadcast: v.TELEGRAM_PAID_BROADCAST,
      ratePerSecond: v.TELEGRAM_PAID_BROADCAST ? Math.max(v.TELEGRAM_RATE_GLOBAL, 1000) : v.TELEGRAM_RATE_GLOBAL,
      ratePerChatPerSecond: v.TELEGRAM_RATE_PER_CHAT,
    };
  }

  let zalo: ZaloConfig | undefined;
  if (v.ZALO_APP_ID || v.ZALO_APP_SECRET || v.ZALO_OA_SECRET_KEY) {
    for (const k of ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY'] as const)
      if (!v[k]) problems.push(`cấu hình: env: ${k}: bắt buộc khi đã đặt một khóa ZALO_* (xem docs/zalo.md)`);
    zalo = {
      appId: v.ZALO_APP_ID ?? '',
      appSecret: v.ZALO_APP_SECRET ?? '',
      oaSecretKey: v.ZALO_OA_SECRET_KEY ?? '',
      oaId: v.ZALO_OA_ID,
      accessToken: v.ZALO_ACCESS_TOKEN,
      refreshToken: v.ZALO_REFRESH_TOKEN,
      apiBase: v.ZALO_API_BASE.replace(/\/+$/, ''),
      oauthBase: v.ZALO_OAUTH_BASE.replace(/\/+$/, ''),
      ratePerMinute: v.ZALO_RATE_PER_MINUTE,
      webhookMaxAgeHours: v.ZALO_WEBHOOK_MAX_AGE_HOURS,
    };
  }
  let zaloBot: ZaloBotConfig | undefined;
  if (v.ZALO_BOT_TOKEN) {
    if (v.ZALO_BOT_MODE === 'webhook') {
      v.ZALO_BOT_WEBHOOK_URL ??= publicBase && `${publicBase}${ZALO_BOT_HOOK_PATH}`;
      if (!v.ZALO_BOT_WEBHOOK_URL) problems.push(`cấu hình: env: ZALO_BOT_WEBHOOK_URL: bắt buộc khi ZALO_BOT_MODE=webhook; hoặc đặt LOA_PUBLIC_URL, Loa lấy địa chỉ đó cộng ${ZALO_BOT_HOOK_PATH}`);
      else if (!/^https:\/\/[^/\s]+/.test(v.ZALO_BOT_WEBHOOK_URL))
        problems.push('cấu hình: env: ZALO_BOT_WEBHOOK_URL: phải là địa chỉ https:// công khai (nền tảng chỉ gửi tới HTTPS), kết thúc bằng /webhooks/zalo-bot');
      else if (webhookPathWrong(v.ZALO_BOT_WEBHOOK_URL, ZALO_BOT_HOOK_PATH)) problems.push(webhookPathProblem('ZALO_BOT_WEBHOOK_URL', v.ZALO_BOT_WEBHOOK_URL, ZALO_BOT_HOOK_PATH, publicBase));
      if (!v.ZALO_BOT_WEBHOOK_SECRET || !/^[A-Za-z0-9_-]{16,256}$/.test(v.ZALO_BOT_WEBHOOK_SECRET))
        problems.push('cấu hình: env: ZALO_BOT_WEBHOOK_SECRET: bắt buộc ở chế độ webhook, 16–256 ký tự A-Z a-z 0-9 _ - (ví dụ tạo bằng: openssl rand -hex 24)');
    }
    zaloBot = {
      token: v.ZALO_BOT_TOKEN,
      mode: v.ZALO_BOT_MODE,
      apiRoot: v.ZALO_BOT_API_ROOT,
      webhookUrl: v.ZALO_BOT_WEBHOOK_URL,
      webhookSecret: v.ZALO_BOT_WEBHOOK_SECRET,
      ratePerSecond: v.ZALO_BOT_RATE_GLOBAL,
      ratePerChatPerSecond: v.ZALO_BOT_RATE_PER_CHAT,
    };
  }
  if (problems.length) throw new ConfigError(problems.join('\n'));

  return {
    http: { host: v.LOA_HTTP_HOST, port: v.LOA_HTTP_PORT, publicUrl: v.LOA_PUBLIC_URL, trustProxy: v.LOA_TRUST_PROXY },
    dataDir: v.LOA_DATA_DIR,
    dbSynchronous: v.LOA_DB_SYNCHRONOUS === 'full' ? 'FULL' : 'NORMAL',
    searchThreads: Number(v.LOA_SEARCH_THREADS),
    retentionMonths: v.LOA_RETENTION_MONTHS,
    minFreeMb: v.LOA_MIN_FREE_MB,
    backup: { keep: v.LOA_BACKUP_KEEP, at: v.LOA_BACKUP_TIME },
    contentDir: v.LOA_CONTENT_DIR,
    botFile,
    logLevel: v.LOA_LOG_LEVEL,
    logFormat: v.LOA_LOG_FORMAT,
    bot: b.data,
    telegram,
    zalo,
    zaloBot,
  };
}

/** Reads `process.env` (or the given map) and the bot YAML it names. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const botFile = env.LOA_BOT && env.LOA_BOT.trim() !== '' ? env.LOA_BOT : 'bots/default.yaml';
  let text: string;
  try {
    // Saved on Windows: a byte order mark, or UTF-16 (file-text.ts).
    text = decodeTextFile(readFileSync(resolve(botFile)));
  } catch {
    throw new ConfigError(`cấu hình: LOA_BOT: không đọc được tệp ${botFile}; hãy đặt LOA_BOT là đường dẫn tới tệp YAML của bot (ví dụ bots/default.yaml)`);
  }
  let yaml: unknown;
  try {
    yaml = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`cấu hình: ${botFile}: ${yamlFileError(err)}`);
  }
  return createConfig(env, yaml, botFile);
}
