/**
 * Commands asked for in words: "đăng ký nhận tin", "xem dữ liệu của tôi", "xoá dữ liệu của tôi",
 * "hướng dẫn" typed as a whole message run /dangky, /dulieucuatoi, /xoadulieu and /help, as the
 * words to stop the news already run /huy (subscription.ts). ("hướng dẫn" got a line and the
 * topics, never the list of what can be done.)
 *
 * Why: people who do not know slash commands (an elderly person on Zalo) ask for them in words.
 * "xoa du lieu cua toi" got the Q&A about a data subject's rights, and "đăng ký nhận tin" the
 * Q&A telling them to type /dangky: one more step, and the erasure they asked for never
 * started (citizen trial, session 16). Only the whole message counts, with nothing but who,
 * the request and small words: a question ("làm sao để đăng ký nhận tin?", "xoá dữ liệu cá nhân
 * có mất phí không") is answered as before.
 */
import { foldedCanonical } from '../text/vietnamese.js';

/** Small words around a request that change nothing ("cho tôi …", "… giúp tôi nhé"). */
const AROUND = new Set([
  'toi', 'minh', 'em', 'chau', 'bac', 'anh', 'chi', 'con', 'cho', 'muon', 'can', 'xin', 'hay', 'giup', 'voi', 'di', 'nhe', 'nha', 'a', 'ah', 'oi', 'ban', 'loa', 'bot', 'ad',
  'vui', 'long', 'lam', 'on', 'please', 'i', 'want', 'to', 'me',
]);

/** The requests, folded, after the small words are left out. */
const REQUESTS: Record<string, readonly string[]> = {
  dangky: [
    'dang ky nhan tin', 'dang ky nhan ban tin', 'dang ky nhan thong bao', 'dang ky nhan tin tuc', 'dang ky ban tin', 'dang ky theo doi',
    'nhan ban tin', 'nhan tin tuc', 'nhan thong bao', 'subscribe',
  ],
  // Vietnamese only: "help" is small talk answered in the person's language (smalltalk.ts), and
  // read as a command it would be answered in English.
  help: ['huong dan', 'huong dan su dung', 'xem huong dan', 'xem huong dan su dung', 'cach su dung', 'cach dung', 'tro giup', 'su dung the nao', 'su dung nhu the nao', 'dung the nao', 'dung nhu the nao'],
  dulieucuatoi: [
    'du lieu cua_toi', 'xem du lieu cua_toi', 'du lieu ca nhan cua_toi', 'xem du lieu ca nhan', 'xem du lieu ca nhan cua_toi',
    'thong tin cua_toi', 'xem thong tin cua_toi', 'xem thong tin ca nhan cua_toi', 'my data', 'see my data',
  ],
  xoadulieu: [
    'xoa du lieu', 'xoa du lieu cua_toi', 'xoa du lieu ca nhan', 'xoa du lieu ca nhan cua_toi', 'xoa het du lieu', 'xoa het du lieu cua_toi',
    'xoa thong tin cua_toi', 'xoa thong tin ca nhan cua_toi', 'xoa tai khoan cua_toi', 'delete my data', 'erase my data',
  ],
};

const BY_WORDS = new Map<string, string>();
for (const [command, list] of Object.entries(REQUESTS)) for (const words of list) BY_WORDS.set(words, command);

/**
 * The command (without '/') a whole message asks for in words, or null.
 *
 * @example
 * typedCommand('Xoá dữ liệu của tôi') // 'xoadulieu'
 * typedCommand('cho tôi đăng ký nhận tin nhé') // 'dangky'
 * typedCommand('làm sao để đăng ký nhận tin?') // null
 */
export function typedCommand(text: string): string | null {
  if (text.includes('?') || text.length > 80) return null;
  // "của tôi" (mine) is kept as one word: "dữ liệu của bạn" asks about the bot, not for mine.
  const all = foldedCanonical(text)
    .replace(/\bcua (?:toi|minh|em|chau|bac|con|tui|to|anh|chi)\b/g, 'cua_toi')
    .split(' ')
    .filter(Boolean);
  // As typed first ("trợ giúp" has "giúp" in it), then without the small words.
  const words = all.filter((w) => !AROUND.has(w));
  return BY_WORDS.get(all.join(' ')) ?? (words.length ? (BY_WORDS.get(words.join(' ')) ?? null) : null);
}
