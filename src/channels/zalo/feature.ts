/**
 * The conversation side of Zalo's lifecycle events. Platform-free (it reads only the Inbound
 * the core hands it): a new follower is greeted with the bot's greeting and how to ask, and
 * information submitted through Zalo's form is acknowledged.
 */
import type { Feature } from '../../conversation/types.js';
import { LANG_TEXTS } from '../../conversation/texts-en.js';
import { smallTalkReply } from '../../conversation/core-feature.js';

/** What a new follower reads under the greeting. */
export const FOLLOW_HINT =
  'Bạn có thể gõ câu hỏi bằng tiếng Việt (có dấu hay không dấu đều được), gõ /chude để xem câu hỏi theo chủ đề, hoặc /dangky để đăng ký nhận tin.';

/** {@link FOLLOW_HINT} for a follower answered in English (one who followed again after choosing /en). */
export const FOLLOW_HINT_EN = 'You can type your question in English or Vietnamese, type /chude to browse questions by topic, or /dangky to subscribe to news.';

/** The action a `user_submit_info` event becomes (its fields are stored by the webhook). */
export const SUBMIT_INFO_ACTION = 'zaloinfo';

/** The thanks sent after `user_submit_info`. */
export const SUBMIT_THANKS =
  'Cảm ơn bạn đã gửi thông tin. Thông tin chỉ được dùng để liên hệ, hỗ trợ bạn; bạn có thể yêu cầu xoá bất cứ lúc nào bằng lệnh /xoadulieu.';

/** {@link SUBMIT_THANKS} in English. */
export const SUBMIT_THANKS_EN =
  'Thank you for sending your details. They are used only to contact and help you; you can ask for them to be deleted at any time with /xoadulieu.';

/**
 * Creates the feature: greets on `follow` (Zalo's unfollow needs no reply: it cannot be
 * delivered) and thanks for submitted information.
 */
export function createZaloFeature(): Feature {
  return {
    name: 'zalo',
    actions: { [SUBMIT_INFO_ACTION]: (ctx) => [{ text: ctx.lang === 'en' ? SUBMIT_THANKS_EN : SUBMIT_THANKS }] },
    // A follow carries no text: it is greeted in the person's language (Vietnamese for a new one),
    // with the topic menu as a greeting typed to the bot gets it: the greeting invites the new
    // follower to "chọn một chủ đề bên dưới", and a typed number must work from the first turn.
    onLifecycle: (ctx) => {
      if (ctx.inbound.channel !== 'zalo' || ctx.inbound.type !== 'follow') return null;
      const { buttons } = smallTalkReply(ctx, 'greeting');
      const menu = buttons?.length ? { buttons } : {};
      return [
        ctx.lang === 'en'
          ? { text: `${LANG_TEXTS.en.greeting(ctx.config.bot.name)}\n\n${FOLLOW_HINT_EN}`, lang: 'en', ...menu }
          : { text: `${ctx.config.bot.greeting}\n\n${FOLLOW_HINT}`, ...menu },
      ];
    },
  };
}
