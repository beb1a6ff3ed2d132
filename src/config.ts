/**
 * Configuration: environment variables plus the bot YAML (`bots/<name>.yaml`), validated by zod
 * into one typed {@link Config}. Nothing else in Loa reads `process.env`.
 *
 * `createConfig(env, botYaml)` is pure, so tests build configs directly; `loadConfig()` reads
 * the real environment and file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');

/** The environment variables Loa reads. */
export const envSchema = z.object({
  LOA_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  LOA_HTTP_PORT: port.default(3000),
  LOA_DATA_DIR: z.string().min(1).default('data'),
  LOA_CONTENT_DIR: z.string().min(1).default('content'),
  LOA_BOT: z.string().min(1).default('bots/default.yaml'),
  LOA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Public base URL of this server (links in messages, Zalo OAuth callback). */
  LOA_PUBLIC_URL: optionalString,
  /**
   * SQLite `synchronous`: `normal` (default) survives a crash of the process but may lose the
   * last commits on power loss; `full` survives power loss and costs an fsync per commit.
   */
  LOA_DB_SYNCHRONOUS: z.enum(['normal', 'full']).default('normal'),
  /**
   * Search threads: `1` (default) answers questions on a worker thread with its own copy of the
   * index, so the event loop stays free for webhooks; `0` searches on the main thread and saves
   * the memory of that copy.
   */
  LOA_SEARCH_THREADS: z.enum(['0', '1']).default('1'),

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  TELEGRAM_API_ROOT: z
    .string()
    .url()
    .refine((u) => !u.endsWith('/'), "remove the trailing '/'")
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
}

/** The whole validated configuration. */
export interface Config {
  http: { host: string; port: number; publicUrl?: string };
  dataDir: string;
  /** SQLite durability level (see `LOA_DB_SYNCHRONOUS`). */
  dbSynchronous?: 'NORMAL' | 'FULL';
  /** Search threads (see `LOA_SEARCH_THREADS`); 0 when omitted. */
  searchThreads?: number;
  contentDir: string;
  botFile: string;
  logLevel: z.infer<typeof envSchema>['LOA_LOG_LEVEL'];
  bot: z.infer<typeof botSchema>;
  telegram?: TelegramConfig;
  zalo?: ZaloConfig;
}

/** A configuration error whose message names the key at fault and how to fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function describe(source: string, err: z.ZodError): string {
  return err.issues
    .map((i) => `config: ${source}${i.path.length ? `: ${i.path.join('.')}` : ''}: ${i.message}`)
    .join('\n');
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

  let telegram: TelegramConfig | undefined;
  if (v.TELEGRAM_BOT_TOKEN) {
    if (v.TELEGRAM_MODE === 'webhook') {
      if (!v.TELEGRAM_WEBHOOK_URL) problems.push('config: env: TELEGRAM_WEBHOOK_URL: required when TELEGRAM_MODE=webhook');
      else if (!/^https?:\/\//.test(v.TELEGRAM_WEBHOOK_URL))
        problems.push('config: env: TELEGRAM_WEBHOOK_URL: must be an http(s) URL');
      if (!v.TELEGRAM_WEBHOOK_SECRET || !/^[A-Za-z0-9_-]{16,256}$/.test(v.TELEGRAM_WEBHOOK_SECRET))
        problems.push(
          'config: env: TELEGRAM_WEBHOOK_SECRET: required in webhook mode, 16–256 characters of A-Z a-z 0-9 _ -',
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
      if (!v[k]) problems.push(`config: env: ${k}: required when any ZALO_* credential is set`);
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
    };
  }
  if (problems.length) throw new ConfigError(problems.join('\n'));

  return {
    http: { host: v.LOA_HTTP_HOST, port: v.LOA_HTTP_PORT, publicUrl: v.LOA_PUBLIC_URL },
    dataDir: v.LOA_DATA_DIR,
    dbSynchronous: v.LOA_DB_SYNCHRONOUS === 'full' ? 'FULL' : 'NORMAL',
    searchThreads: Number(v.LOA_SEARCH_THREADS),
    contentDir: v.LOA_CONTENT_DIR,
    botFile,
    logLevel: v.LOA_LOG_LEVEL,
    bot: b.data,
    telegram,
    zalo,
  };
}

/** Reads `process.env` (or the given map) and the bot YAML it names. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const botFile = env.LOA_BOT && env.LOA_BOT.trim() !== '' ? env.LOA_BOT : 'bots/default.yaml';
  let text: string;
  try {
    text = readFileSync(resolve(botFile), 'utf8');
  } catch {
    throw new ConfigError(`config: LOA_BOT: cannot read ${botFile}; point LOA_BOT at a bot YAML file`);
  }
  let yaml: unknown;
  try {
    yaml = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config: ${botFile}: not valid YAML: ${(err as Error).message}`);
  }
  return createConfig(env, yaml, botFile);
}
