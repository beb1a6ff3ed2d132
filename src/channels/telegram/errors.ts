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
