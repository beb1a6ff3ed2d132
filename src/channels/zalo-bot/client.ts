/**
 * A small typed client over the Zalo Bot platform's Bot API (docs/zalo-bot.md), using `fetch`
 * and zod.
 *
 * Layers, as in grammY: {@link createZaloBotClient}'s `call` turns a method and a payload into
 * one `POST <apiRoot>/bot<token>/<method>` with a JSON body, and maps every failure into
 * {@link ZaloBotHttpError} or {@link ZaloBotApiError} at exactly one point. The answer is
 * `{ok:true, result}` or `{ok:false, error_code, description}`, and the body decides, whatever
 * the HTTP status (the platform mirrors `error_code` in the status, but a proxy may not).
 * Typed methods sit on top.
 *
 * The token is part of the URL: it never goes into an error message or a log line, which carry
 * the method, the code and the duration only.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { ZaloBotApiError, ZaloBotHttpError } from './errors.js';

/** `https://bot-api.zaloplatforms.com`, the platform's API root. */
export const DEFAULT_API_ROOT = 'https://bot-api.zaloplatforms.com';

/** Options of {@link createZaloBotClient}. */
export interface ZaloBotClientOptions {
  token: string;
  /** ZALO_BOT_API_ROOT, without a trailing slash (default {@link DEFAULT_API_ROOT}). */
  apiRoot?: string;
  /** Timeout of one ordinary call; default 15 s. A long poll adds its own `timeout`. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: Logger;
}

type Complete = Required<Omit<ZaloBotClientOptions, 'logger'>> & { logger?: Logger };

function complete(o: ZaloBotClientOptions): Complete {
  const apiRoot = o.apiRoot ?? DEFAULT_API_ROOT;
  if (apiRoot.endsWith('/')) throw new Error("Zalo Bot: remove the trailing '/' from the 'apiRoot' option (ZALO_BOT_API_ROOT)");
  if (!o.token) throw new Error('Zalo Bot: the token is empty; set ZALO_BOT_TOKEN to the token Zalo Bot Creator sent you');
  return { timeoutMs: 15_000, fetch: globalThis.fetch, ...o, apiRoot };
}

/** The envelope of every answer. */
const envelopeSchema = z.looseObject({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.coerce.number().optional(),
  description: z.string().optional(),
  parameters: z.looseObject({ retry_after: z.coerce.number().optional() }).optional(),
});

/** Ids are opaque strings (hex or digits, above 2^53): accept a number, never keep it as one. */
const id = z.union([z.string().min(1), z.number()]).transform(String);

/** `getMe`. */
export const botInfoSchema = z.looseObject({
  id,
  account_name: z.string().optional(),
  account_type: z.string().optional(),
  can_join_groups: z.boolean().optional(),
  display_name: z.string().optional(),
  name: z.string().optional(),
});
/** Who the bot is. */
export type ZaloBotInfo = z.infer<typeof botInfoSchema>;

/** `setWebhook`, `deleteWebhook`, `getWebhookInfo`: the URL now set ('' when none). */
export const webhookInfoSchema = z.preprocess(
  // Some answers carry `result: true` rather than the object: read that as "nothing known".
  (v) => (v && typeof v === 'object' ? v : {}),
  z.looseObject({ url: z.string().optional().default(''), updated_at: z.number().optional() }),
);
/** The webhook as the platform knows it. */
export type ZaloBotWebhookInfo = z.infer<typeof webhookInfoSchema>;

/** `sendMessage`, `sendPhoto`: the sent message's id. */
export const sentSchema = z.looseObject({ message_id: id.optional(), date: z.number().optional() });
/** A sent message. */
export type ZaloBotSent = z.infer<typeof sentSchema>;

/** The low-level call plus typed methods. */
export interface ZaloBotClient {
  /**
   * Calls a method. Resolves with `result` (unparsed) or throws {@link ZaloBotApiError} /
   * {@link ZaloBotHttpError}. `signal` ends the call early (a poll cut short by stop()).
   */
  call(method: string, payload?: Record<string, unknown>, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
  /** Checks the token; the cheapest call (connection check, `loa doctor`). */
  getMe(): Promise<ZaloBotInfo>;
  /**
   * Long-polls for the next update, up to `timeoutSeconds`. The platform returns one update per
   * call (not a list) and has no offset: an update is handed out once. Resolves with the raw
   * `result` (the caller parses it, so a shape it does not know is logged, not thrown), or
   * `null` when nothing arrived (error 408).
   */
  getUpdates(timeoutSeconds: number, signal?: AbortSignal): Promise<unknown>;
  setWebhook(url: string, secretToken: string): Promise<ZaloBotWebhookInfo>;
  deleteWebhook(): Promise<ZaloBotWebhookInfo>;
  getWebhookInfo(): Promise<ZaloBotWebhookInfo>;
  sendMessage(chatId: string, text: string): Promise<ZaloBotSent>;
  sendPhoto(chatId: string, photo: string, caption?: string): Promise<ZaloBotSent>;
  sendChatAction(chatId: string, action: 'typing'): Promise<void>;
}

/**
 * Creates the client.
 *
 * @example
 * const client = createZaloBotClient({ token: process.env.ZALO_BOT_TOKEN! });
 * await client.sendMessage('e4ea2cd5189df1c3a88c', 'Xin chào');
 */
export function createZaloBotClient(options: ZaloBotClientOptions): ZaloBotClient {
  const o = complete(options);

  const call: ZaloBotClient['call'] = async (method, payload = {}, opts = {}) => {
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? o.timeoutMs;
    const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      res = await o.fetch(`${o.apiRoot}/bot${o.token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal,
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: unknown } };
      const code = typeof e.cause?.code === 'string' ? ` (${e.cause.code})` : '';
      const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.name === 'AbortError' ? 'cancelled' : `${e.message}${code}`;
      o.logger?.debug({ method, reason }, 'zalo-bot: request failed');
      throw new ZaloBotHttpError(method, undefined, reason.split(o.token).join('***'));
    }
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      o.logger?.warn({ method, status: res.status }, 'zalo-bot: answer is not JSON');
      throw new ZaloBotHttpError(method, res.status, `HTTP ${res.status}, the answer is not JSON`);
    }
    const env = envelopeSchema.safeParse(body);
    if (!env.success) throw new ZaloBotHttpError(method, res.status, `HTTP ${res.status}, the answer is not a Bot API envelope ({ok, result})`);
    if (!env.data.ok) {
      const code = env.data.error_code ?? res.status;
      if (code !== 408) o.logger?.info({ method, code, ms: Date.now() - started }, 'zalo-bot: API error');
      throw new ZaloBotApiError(method, code, env.data.description ?? 'no description', env.data.parameters?.retry_after);
    }
    o.logger?.debug({ method, ms: Date.now() - started }, 'zalo-bot: ok');
    return env.data.result;
  };

  const typed = async <S extends z.ZodType>(method: string, schema: S, payload?: Record<string, unknown>): Promise<z.infer<S>> => {
    const result = await call(method, payload);
    const parsed = schema.safeParse(result ?? {});
    if (!parsed.success)
      throw new ZaloBotHttpError(method, 200, `unexpected result: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  };

  return {
    call,
    getMe: () => typed('getMe', botInfoSchema),
    async getUpdates(timeoutSeconds, signal) {
      try {
        // The documented type of `timeout` is a string of seconds.
        return await call('getUpdates', { timeout: String(timeoutSeconds) }, { timeoutMs: (timeoutSeconds + 10) * 1000, ...(signal ? { signal } : {}) });
      } catch (err) {
        if (err instanceof ZaloBotApiError && err.errorCode === 408) return null;
        throw err;
      }
    },
    setWebhook: (url, secretToken) => typed('setWebhook', webhookInfoSchema, { url, secret_token: secretToken }),
    deleteWebhook: () => typed('deleteWebhook', webhookInfoSchema),
    getWebhookInfo: () => typed('getWebhookInfo', webhookInfoSchema),
    sendMessage: (chatId, text) => typed('sendMessage', sentSchema, { chat_id: chatId, text }),
    sendPhoto: (chatId, photo, caption) => typed('sendPhoto', sentSchema, { chat_id: chatId, photo, ...(caption ? { caption } : {}) }),
    async sendChatAction(chatId, action) {
      await call('sendChatAction', { chat_id: chatId, action });
    },
  };
}
