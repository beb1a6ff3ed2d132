/**
 * Zalo Bot platform failures, kept apart as in grammY: {@link ZaloBotApiError} when the Bot API
 * answered `{ok:false, error_code, description}`, {@link ZaloBotHttpError} when the network or
 * the HTTP layer failed (no answer, a timeout, a body that is not the API's JSON). Both are
 * mapped into the core's `SendResult` ({@link toSendResult}) and into a `ConnectError`
 * ({@link toConnectError}) here, in one place.
 *
 * The platform documents no error codes beyond the envelope (docs/zalo-bot.md), so the mapping
 * reads them the way the Telegram-like API suggests and the way Telegram uses them: 429 slows
 * the whole channel down, 403 (or a description saying the user blocked the bot) means the
 * person is gone, 5xx and network trouble are retried, other 4xx are permanent for the message.
 */
import type { SendResult } from '../channel.js';
import { ConnectError } from '../connection.js';

/** The Bot API answered and said no. */
export class ZaloBotApiError extends Error {
  override name = 'ZaloBotApiError';
  constructor(
    /** The method called, e.g. `sendMessage` (never the URL: it holds the token). */
    readonly method: string,
    /** `error_code` as given (HTTP-like: 400, 401, 403, 408, 429, 5xx). */
    readonly errorCode: number,
    /** `description` as given. */
    readonly description: string,
    /** Seconds the platform asked to wait (`parameters.retry_after`), when it said. */
    readonly retryAfter?: number,
  ) {
    super(`Zalo Bot: ${method} answered ${errorCode} ${description}${hint(errorCode) ? ` (${hint(errorCode)})` : ''}`);
  }
}

/** The request got no usable answer: network failure, timeout, or a body that is not the API's JSON. */
export class ZaloBotHttpError extends Error {
  override name = 'ZaloBotHttpError';
  constructor(
    readonly method: string,
    /** The HTTP status, when there was one. */
    readonly status: number | undefined,
    reason: string,
  ) {
    super(`Zalo Bot: ${method} failed: ${reason}`);
  }
}

const HINTS: Record<number, string> = {
  400: 'the request was refused as invalid (an empty or over-long text, a wrong chat id)',
  401: 'the bot token is wrong or was revoked; copy it again from Zalo Bot Creator into ZALO_BOT_TOKEN',
  403: 'the user blocked the bot or cannot be written to',
  404: 'no such method or bot; check ZALO_BOT_API_ROOT and ZALO_BOT_TOKEN',
  408: 'no update arrived during the long poll (normal)',
  429: 'too many requests; sends slow down',
};

/** The operator hint for an error code, if known. */
export function hint(code: number): string | undefined {
  return HINTS[code];
}

/** Seconds to wait after a 5xx, a network error, or a 429 that did not say how long. */
export const TRANSIENT_RETRY_SECONDS = 5;

/** Descriptions that mean the recipient is gone for good, whatever the code. */
const GONE = /block|chặn|deactivat|not allowed to send|unfollow/i;

/**
 * Classifies an error thrown by the client.
 *
 * @example toSendResult(new ZaloBotApiError('sendMessage', 429, 'Too Many Requests', 3))
 * // { kind: 'retryAfter', seconds: 3, reason: 'Too Many Requests', rateLimited: true }
 */
export function toSendResult(err: unknown): SendResult {
  if (err instanceof ZaloBotApiError) {
    const reason = err.description;
    if (err.errorCode === 429) {
      const said = err.retryAfter ?? Number(/retry after (\d+)/i.exec(reason)?.[1] ?? NaN);
      return { kind: 'retryAfter', seconds: Number.isFinite(said) && said > 0 ? said : TRANSIENT_RETRY_SECONDS, reason, rateLimited: true };
    }
    if (err.errorCode === 403 || GONE.test(reason)) return { kind: 'gone', reason: `${err.errorCode} ${reason}` };
    if (err.errorCode >= 500) return { kind: 'retryAfter', seconds: TRANSIENT_RETRY_SECONDS, reason: `${err.errorCode} ${reason}` };
    return { kind: 'failed', reason: `${err.errorCode} ${reason}` };
  }
  if (err instanceof ZaloBotHttpError) {
    // A 4xx page that is not the API's JSON (a proxy refusing us) will not get better by itself.
    if (err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 429 && err.status !== 408)
      return { kind: 'failed', reason: err.message };
    return { kind: 'retryAfter', seconds: TRANSIENT_RETRY_SECONDS, reason: err.message };
  }
  return { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
}

/** What {@link toConnectError} needs to word its reasons. */
export interface ConnectContext {
  apiRoot: string;
  /** Removed from every message (an error may quote the URL, which holds the token). */
  token: string;
  webhookUrl?: string;
  webhookPath: string;
}

/**
 * Classifies a failure while connecting (`getMe`, `setWebhook`, `deleteWebhook`, the poll loop)
 * into a {@link ConnectError} with a Vietnamese reason for staff: a refused token (401, or 404
 * on `getMe`) and a webhook URL the platform refuses (400 on `setWebhook`) are permanent; the
 * network, 429 and 5xx are retried.
 */
export function toConnectError(err: unknown, ctx: ConnectContext): ConnectError {
  const clean = (s: string): string => (ctx.token ? s.split(ctx.token).join('***') : s);
  if (err instanceof ZaloBotApiError) {
    const desc = clean(err.description);
    const log = clean(err.message);
    if (err.errorCode === 401 || (err.errorCode === 404 && err.method === 'getMe'))
      return new ConnectError(
        `${log}; check ZALO_BOT_TOKEN`,
        `Zalo Bot từ chối mã bot (${err.errorCode} ${desc}): ZALO_BOT_TOKEN sai hoặc đã bị thu hồi. Lấy lại mã trong Zalo Bot Creator (xem docs/zalo-bot.md), sửa ZALO_BOT_TOKEN rồi khởi động lại Loa.`,
        true,
      );
    if (err.errorCode === 400 && err.method === 'setWebhook')
      return new ConnectError(
        `${log}; check ZALO_BOT_WEBHOOK_URL and ZALO_BOT_WEBHOOK_SECRET`,
        `Zalo Bot không nhận địa chỉ webhook ${ctx.webhookUrl ?? ''} (${desc}). Sửa ZALO_BOT_WEBHOOK_URL thành địa chỉ HTTPS công khai chuyển tới ${ctx.webhookPath} (và ZALO_BOT_WEBHOOK_SECRET dài 16–256 ký tự), rồi khởi động lại Loa.`,
        true,
      );
    return new ConnectError(log, `Máy chủ Zalo Bot trả lỗi ${err.errorCode} (${desc}) khi gọi ${err.method}. Loa sẽ tự thử lại.`, false);
  }
  const detail = clean(err instanceof Error ? err.message : String(err));
  return new ConnectError(
    `Zalo Bot: cannot reach ${ctx.apiRoot}: ${detail}`,
    `Không kết nối được máy chủ Zalo Bot tại ${ctx.apiRoot} (${detail}). Kiểm tra mạng và tường lửa của máy chủ (cho phép HTTPS ra bot-api.zaloplatforms.com). Loa sẽ tự thử lại.`,
    false,
  );
}
