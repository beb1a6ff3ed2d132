/**
 * Zalo failures, kept apart as in grammY: {@link ZaloApiError} when Zalo answered and said no
 * (it does so with HTTP 200 and a negative `error`), {@link ZaloHttpError} when the network or
 * the HTTP layer failed, and {@link ZaloTokenError} when the OA has no usable token pair and an
 * operator must act. {@link toSendResult} maps all three into the core's `SendResult`, in one
 * place.
 */
import type { SendResult } from '../channel.js';
import { ConnectError } from '../connection.js';
import { nextVietnamHour } from '../../time/vietnam.js';

/** Zalo answered with `error !== 0`. */
export class ZaloApiError extends Error {
  override name = 'ZaloApiError';
  constructor(
    /** Zalo's (negative) error code, e.g. -230. */
    readonly code: number,
    /** Zalo's message, as given. */
    readonly description: string,
    /** The endpoint path that answered, e.g. `/v3.0/oa/message/cs` (never a token). */
    readonly endpoint: string,
  ) {
    super(`Zalo: ${endpoint} answered error ${code}: ${description}${hint(code) ? ` (${hint(code)})` : ''}`);
  }
}

/** The request did not get a usable HTTP answer: network failure, timeout, non-200, not JSON. */
export class ZaloHttpError extends Error {
  override name = 'ZaloHttpError';
  constructor(
    readonly endpoint: string,
    /** The HTTP status, when there was one. */
    readonly status: number | undefined,
    reason: string,
  ) {
    super(`Zalo: ${endpoint} failed: ${reason}`);
  }
}

/** The OA cannot get a valid access token: not connected yet, or the refresh token is dead. */
export class ZaloTokenError extends Error {
  override name = 'ZaloTokenError';
  constructor(
    message: string,
    /** True when only a new authorisation (`loa zalo connect`) can fix it. */
    readonly needsConnect: boolean,
    /** Zalo's OAuth error code when Zalo refused the refresh (-14002: wrong app secret). */
    readonly code?: number,
  ) {
    super(message);
  }
}

/** Codes meaning the access token is invalid or expired: refresh once, then retry once. */
export const TOKEN_ERROR_CODES: ReadonlySet<number> = new Set([-216, -220]);

/** What each known code means for an operator reading a log line or a failed delivery. */
const HINTS: Record<number, string> = {
  [-32]: 'rate limit of the app exceeded; sends back off',
  [-201]: 'a field of the request is invalid',
  [-211]: 'the OA is out of its message quota',
  [-213]: 'the user does not follow the OA (or unfollowed it)',
  [-216]: 'the access token is invalid',
  [-218]: 'the OA is out of its message quota',
  [-220]: 'the access token has expired',
  [-224]: "the OA's tier does not allow this message; upgrade the OA package",
  [-227]: 'the user is banned or has been inactive for over 45 days',
  [-230]: 'the user has not interacted with the OA in the last 7 days',
  [-232]: 'the user has not interacted with the OA in the last 7 days',
  [-234]: 'the OA may not send this message at night (22:00–06:00)',
  [-240]: 'this API version is shut down; Loa uses v3',
};

/** The operator hint for a Zalo error code, if known. */
export function hint(code: number): string | undefined {
  return HINTS[code];
}

/** Seconds to wait after a rate limit (-32): Zalo counts per minute. */
export const RATE_LIMIT_BACKOFF_SECONDS = 60;
/** Seconds to wait after a network failure or a 5xx. */
export const HTTP_BACKOFF_SECONDS = 30;
/**
 * Seconds before a message refused for the OA's quota (-211, -218) is tried again. Out of quota
 * is a wait, not a failure: the quota comes back (a new day, a new package) and the same message
 * is then sent once. Zalo says nothing of when, so the row waits as long as the campaign lane's
 * probe (one row a minute while the channel is in trouble) and a reply is tried again within its
 * time to live. Not a rate limit: messages within the free 48 hours may still go meanwhile.
 */
export const QUOTA_RETRY_SECONDS = 60;

/**
 * Seconds from `now` until 06:00 in Asia/Ho_Chi_Minh (UTC+7 all year, no daylight saving), when
 * Zalo's night rule (-234) ends.
 */
export function secondsUntilMorning(now: Date): number {
  return Math.ceil((nextVietnamHour(now, 6).getTime() - now.getTime()) / 1000);
}

/**
 * Maps a failure of a send into the core's {@link SendResult} (courier style: retryable,
 * contact stopped, permanent). Token codes reaching here were already refreshed and retried
 * once by the client, so they are failures now.
 */
export function toSendResult(err: unknown, now: Date = new Date()): SendResult {
  if (err instanceof ZaloApiError) {
    const reason = `Zalo ${err.code}: ${hint(err.code) ?? err.description}`;
    switch (err.code) {
      case -32:
        return { kind: 'retryAfter', seconds: RATE_LIMIT_BACKOFF_SECONDS, reason, rateLimited: true };
      case -213:
      case -227:
        return { kind: 'gone', reason };
      case -230:
      case -232:
        return { kind: 'outsideWindow', reason };
      case -234:
        return { kind: 'retryAfter', seconds: secondsUntilMorning(now), reason, rateLimited: true };
      case -211:
      case -218:
        return { kind: 'retryAfter', seconds: QUOTA_RETRY_SECONDS, reason };
      case -216:
      case -220:
        return { kind: 'failed', reason: `${reason}; a refreshed token was refused too: check the OA connection with \`loa zalo status\`` };
      default:
        return { kind: 'failed', reason };
    }
  }
  if (err instanceof ZaloHttpError) return { kind: 'retryAfter', seconds: HTTP_BACKOFF_SECONDS, reason: err.message };
  if (err instanceof ZaloTokenError) return { kind: 'failed', reason: err.message };
  return { kind: 'failed', reason: `Zalo: unexpected error: ${(err as Error)?.message ?? String(err)}` };
}

/**
 * Classifies a failure of the OA check (token, then `/v2.0/oa/getoa`) into a {@link ConnectError}:
 * a wrong app id or secret, an OA not connected or a refused token pair are permanent (an
 * operator must act); the network and other answers are retried. Reasons are Vietnamese.
 */
export function toConnectError(err: unknown, apiBase: string): ConnectError {
  const connect = 'Chạy `loa zalo connect` để quản trị viên OA cấp quyền lại (xem docs/zalo.md); Loa tự nhận cặp mã mới, không cần khởi động lại.';
  if (err instanceof ZaloTokenError) {
    if (err.code === -14002)
      return new ConnectError(err.message, 'Zalo từ chối khóa bí mật của ứng dụng (lỗi -14002): ZALO_APP_SECRET sai. Lấy khóa ở developers.zalo.me (ứng dụng của OA > Cài đặt), sửa ZALO_APP_SECRET rồi khởi động lại Loa.', true);
    if (err.code === -14001)
      return new ConnectError(err.message, 'Zalo không nhận mã ứng dụng (lỗi -14001): ZALO_APP_ID sai. Sửa ZALO_APP_ID theo developers.zalo.me rồi khởi động lại Loa.', true);
    if (err.needsConnect) {
      const why = err.code !== undefined ? `Zalo từ chối mã làm mới (refresh token, lỗi ${err.code}): mã đã dùng, đã hết hạn (3 tháng) hoặc quyền đã bị thu hồi.` : 'OA Zalo chưa được kết nối (chưa có cặp mã truy cập).';
      return new ConnectError(err.message, `${why} ${connect}`, true);
    }
    return new ConnectError(err.message, `Chưa lấy được mã truy cập Zalo (${err.message}). Loa sẽ tự thử lại.`, false);
  }
  if (err instanceof ZaloApiError) {
    if (TOKEN_ERROR_CODES.has(err.code))
      return new ConnectError(err.message, `Zalo từ chối mã truy cập của OA cả sau khi làm mới (lỗi ${err.code}). ${connect}`, true);
    return new ConnectError(err.message, `Zalo trả lỗi ${err.code} (${hint(err.code) ?? err.description}) khi kiểm tra OA. Loa sẽ tự thử lại.`, false);
  }
  if (err instanceof ZaloHttpError)
    return new ConnectError(err.message, `Không kết nối được máy chủ Zalo tại ${apiBase} (${err.message.replace(/^Zalo: /, '')}). Kiểm tra mạng và tường lửa của máy chủ; Loa sẽ tự thử lại.`, false);
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectError(`Zalo: OA check failed: ${message}`, `Lỗi không xác định khi kiểm tra OA Zalo (${message}). Loa sẽ tự thử lại.`, false);
}

/** What a failed send says about the whole channel (see {@link channelProblem}). */
export type ZaloChannelProblem = { kind: 'lost'; error: ConnectError } | { kind: 'trouble'; reason: string };

/**
 * What a failed send tells about the channel as a whole, for the dashboard and `/healthz`: a
 * failure of one message or one person says nothing, but a dead token pair or an OA that Zalo
 * refuses every message for means every citizen now gets silence, and staff must see why.
 * `lost` (permanent: the token pair is dead; the connection check runs again every few minutes,
 * so `loa zalo connect` clears it) or `trouble` (quota or package: shown until a send works).
 * Null for anything else.
 */
export function channelProblem(err: unknown, apiBase: string): ZaloChannelProblem | null {
  if ((err instanceof ZaloTokenError && err.needsConnect) || (err instanceof ZaloApiError && TOKEN_ERROR_CODES.has(err.code)))
    return { kind: 'lost', error: toConnectError(err, apiBase) };
  if (err instanceof ZaloApiError && (err.code === -211 || err.code === -218))
    return {
      kind: 'trouble',
      reason: `Zalo báo OA đã hết hạn mức tin tư vấn (lỗi ${err.code}): tin tới người đã nhắn cho OA quá 48 giờ trước (như tin chiến dịch) phải chờ đến khi có hạn mức; trả lời người vừa nhắn trong 48 giờ thường vẫn gửi được. Kiểm tra gói dịch vụ và hạn mức tin của OA tại oa.zalo.me (xem docs/zalo.md); trạng thái trở lại “đã kết nối” khi Zalo nhận tin trở lại.`,
    };
  if (err instanceof ZaloApiError && err.code === -224)
    return {
      kind: 'trouble',
      reason: 'Gói dịch vụ của OA không cho gửi tin này (lỗi -224): câu trả lời cho người dân không gửi được. Nâng cấp gói OA tại oa.zalo.me (xem docs/zalo.md, mục “Which OA, and which package”); trạng thái trở lại “đã kết nối” khi Zalo nhận tin trở lại.',
    };
  return null;
}
