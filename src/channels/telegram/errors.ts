/**
 * Telegram failures -> {@link SendResult}, in one place (courier style): what the caller should
 * do next, not what went wrong inside grammY.
 *
 * - 429: `retryAfter` with the body's `parameters.retry_after`;
 * - 403 blocked / deactivated (or the bot removed from the group): `gone`, never retry;
 * - other 4xx: `failed`, permanent for this message;
 * - 5xx and network errors: `retryAfter`, the platform or the path to it is having a moment.
 */
import { GrammyError, HttpError } from 'grammy';
import type { SendResult } from '../channel.js';
import { ConnectError } from '../connection.js';

/** Seconds to wait after a 5xx or a network error that auto-retry gave up on. */
export const TRANSIENT_RETRY_SECONDS = 5;

/** 403 descriptions that mean the recipient is gone for good. */
const GONE = /blocked by the user|user is deactivated|bot was kicked|chat was deleted/i;

/**
 * Classifies an error thrown by a grammY API call.
 *
 * @example toSendResult(new GrammyError('…', { ok: false, error_code: 429, description: 'Too Many Requests: retry after 35', parameters: { retry_after: 35 } }, 'sendMessage', {}))
 * // { kind: 'retryAfter', seconds: 35, reason: 'Too Many Requests: retry after 35', rateLimited: true }
 */
export function toSendResult(err: unknown): SendResult {
  if (err instanceof GrammyError) {
    const reason = err.description;
    if (err.error_code === 429) {
      const seconds = err.parameters.retry_after ?? Number(/retry after (\d+)/i.exec(reason)?.[1] ?? TRANSIENT_RETRY_SECONDS);
      return { kind: 'retryAfter', seconds, reason, rateLimited: true };
    }
    if (err.error_code === 403 && GONE.test(reason)) return { kind: 'gone', reason };
    if (err.error_code >= 500) return { kind: 'retryAfter', seconds: TRANSIENT_RETRY_SECONDS, reason };
    return { kind: 'failed', reason: `${err.error_code} ${reason}` };
  }
  if (err instanceof HttpError) return { kind: 'retryAfter', seconds: TRANSIENT_RETRY_SECONDS, reason: `network: ${err.message}` };
  return { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
}

/** What `toConnectError` needs to word its reasons. */
export interface ConnectContext {
  apiRoot: string;
  /** Removed from every message (an error may quote the URL, which holds the token). */
  token: string;
  webhookUrl?: string;
  webhookPath: string;
}

/**
 * Classifies a failure while connecting (`getMe`, `setWebhook`, `deleteWebhook`, the poll loop)
 * into a {@link ConnectError}: a wrong token (401, or 404 for a malformed one) and a webhook URL
 * Telegram refuses (400) are permanent; the network, 409 conflicts, 429 and 5xx are retried.
 * The reason is Vietnamese and says what to do.
 */
export function toConnectError(method: string, err: unknown, ctx: ConnectContext): ConnectError {
  const clean = (s: string): string => (ctx.token ? s.split(ctx.token).join('***') : s);
  if (err instanceof GrammyError) {
    const desc = clean(err.description);
    const log = `Telegram: ${method} answered ${err.error_code} ${desc}`;
    if (err.error_code === 401 || (err.error_code === 404 && method === 'getMe'))
      return new ConnectError(
        `${log}; check TELEGRAM_BOT_TOKEN`,
        `Telegram từ chối mã bot (${err.error_code} ${desc}): TELEGRAM_BOT_TOKEN sai hoặc đã bị thu hồi. Lấy mã mới ở @BotFather (lệnh /token), sửa TELEGRAM_BOT_TOKEN rồi khởi động lại Loa.`,
        true,
      );
    if (err.error_code === 400 && method === 'setWebhook')
      return new ConnectError(
        `${log}; check TELEGRAM_WEBHOOK_URL`,
        `Telegram không nhận địa chỉ webhook ${ctx.webhookUrl ?? ''} (${desc}). Sửa TELEGRAM_WEBHOOK_URL thành địa chỉ HTTPS công khai chuyển tới ${ctx.webhookPath}, rồi khởi động lại Loa.`,
        true,
      );
    if (err.error_code === 409)
      return new ConnectError(
        `${log}; another process is taking this bot's updates`,
        `Telegram báo xung đột (409 ${desc}): một chương trình khác đang nhận tin của bot này (một bản Loa khác, hoặc một webhook đang đặt). Tắt chương trình kia; Loa sẽ tự thử lại.`,
        false,
      );
    return new ConnectError(log, `Máy chủ Telegram trả lỗi ${err.error_code} (${desc}) khi gọi ${method}. Loa sẽ tự thử lại.`, false);
  }
  const detail = clean(err instanceof HttpError ? `${err.message} ${describeCause(err.error)}` : err instanceof Error ? err.message : String(err));
  return new ConnectError(
    `Telegram: ${method} failed at ${ctx.apiRoot}: ${detail}`,
    `Không kết nối được máy chủ Telegram tại ${ctx.apiRoot} (${detail}). Kiểm tra mạng và tường lửa của máy chủ, hoặc đặt TELEGRAM_API_ROOT trỏ tới máy chủ Bot API riêng nếu Telegram bị chặn. Loa sẽ tự thử lại.`,
    false,
  );
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' ? `(${code})` : `(${cause.message})`;
}
