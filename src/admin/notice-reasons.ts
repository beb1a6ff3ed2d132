/**
 * Why an answer notice did not reach its asker, in words staff read on the entry's page.
 *
 * The outbox records the platform's own reason (`Forbidden: bot was blocked by the user`,
 * `gave up after 8 attempts: Too Many Requests`, `network: …`): exact, and what IT needs, but
 * English and technical. Staff need to know, per asker, whether the answer arrived and if not,
 * why and whether anything will still happen. This module words that; the technical reason is
 * kept beside it as a detail when it is not already Vietnamese.
 */
import type { NoticeStatus } from '../db/notices.js';

/** A notice's outcome for staff: the sentence, and the recorded technical reason if any. */
export interface NoticeWhy {
  text: string;
  detail?: string;
}

// Any Vietnamese letter with a diacritic: reasons Loa itself records are already Vietnamese.
const VIETNAMESE = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;

/** Reasons of a failed send, by what the platform or the network said. */
const FAILED: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/gave up after (\d+) attempts/i, (m) => `Không gửi được: đã thử ${m[1]} lần, nền tảng vẫn báo quá tải hoặc lỗi tạm thời; không thử nữa.`],
  [/blocked|deactivated|kicked|unfollow/i, () => 'Không gửi được: người hỏi đã chặn bot hoặc bỏ theo dõi.'],
  [/chat not found|user not found|not exist|invalid user/i, () => 'Không gửi được: nền tảng không tìm thấy người hỏi (tài khoản có thể đã bị xoá).'],
  [/token|access|oauth|refresh/i, () => 'Không gửi được: kết nối của máy chủ với nền tảng hết hạn hoặc bị từ chối; báo quản trị viên kiểm tra (loa doctor).'],
  [/network|fetch failed|ECONN|ETIMEDOUT|ENOTFOUND|timeout/i, () => 'Không gửi được: máy chủ không kết nối được tới nền tảng; báo quản trị viên kiểm tra mạng.'],
];

/**
 * The outcome of one asker's notice for staff; undefined for a delivered one.
 *
 * @example noticeWhy('failed', '403 Forbidden: bot was blocked by the user')
 * // { text: 'Không gửi được: người hỏi đã chặn bot hoặc bỏ theo dõi.', detail: '403 Forbidden: bot was blocked by the user' }
 */
export function noticeWhy(status: NoticeStatus, reason: string | null | undefined): NoticeWhy | undefined {
  if (status === 'sent') return undefined;
  const detail = reason && !VIETNAMESE.test(reason) ? reason : undefined;
  const own = reason && !detail ? reason : undefined;
  const say = (text: string): NoticeWhy => (detail ? { text, detail } : { text });
  switch (status) {
    case 'pending':
    case 'sending':
      return say(reason ? 'Chưa gửi được, đang chờ gửi lại: nền tảng yêu cầu chờ hoặc báo lỗi tạm thời.' : 'Đang chờ tới lượt gửi (gửi theo nhịp như chiến dịch).');
    case 'gone':
      return say(own ? `Không gửi: ${own}.` : 'Không gửi: người hỏi đã chặn bot hoặc bỏ theo dõi.');
    case 'outside_window':
      return say('Không gửi: người hỏi không nhắn cho OA trong 7 ngày qua, Zalo không cho gửi tin tư vấn ngoài khoảng này. Nếu họ nhắn lại, hãy trả lời trực tiếp.');
    case 'unknown':
      return say('Không rõ: máy chủ dừng giữa lúc gửi, người hỏi có thể đã nhận hoặc chưa; không tự gửi lại để tránh gửi trùng.');
    case 'failed': {
      for (const [re, word] of FAILED) {
        const m = re.exec(reason ?? '');
        if (m) return say(word(m));
      }
      return say(own ? `Không gửi được: ${own}.` : 'Không gửi được: nền tảng từ chối tin nhắn.');
    }
    default:
      // held, unreachable, skipped, cancelled: Loa records these reasons itself, in Vietnamese.
      return own ? { text: own.charAt(0).toUpperCase() + own.slice(1) + '.' } : detail ? { text: 'Không gửi.', detail } : undefined;
  }
}
