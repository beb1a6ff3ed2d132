/**
 * The conversation side of Zalo's lifecycle events. Platform-free (it reads only the Inbound
 * the core hands it): a new follower is greeted with the bot's greeting and how to ask, and
 * information submitted through Zalo's form is acknowledged.
 */
import type { Feature } from '../../conversation/types.js';

/** What a new follower reads under the greeting. */
export const FOLLOW_HINT =
  'Bạn có thể gõ câu hỏi bằng tiếng Việt (có dấu hay không dấu đều được), gõ /chude để xem câu hỏi theo chủ đề, hoặc /dangky để đăng ký nhận tin.';

/** The action a `user_submit_info` event becomes (its fields are stored by the webhook). */
export const SUBMIT_INFO_ACTION = 'zaloinfo';

/** The thanks sent after `user_submit_info`. */
export const SUBMIT_THANKS =
  'Cảm ơn bạn đã gửi thông tin. Thông tin chỉ được dùng để liên hệ, hỗ trợ bạn; bạn có thể yêu cầu xoá bất cứ lúc nào bằng lệnh /xoadulieu.';

/**
 * Creates the feature: greets on `follow` (Zalo's unfollow needs no reply: it cannot be
 * delivered) and thanks for submitted information.
 */
export function createZaloFeature(): Feature {
  return {
    name: 'zalo',
    actions: { [SUBMIT_INFO_ACTION]: () => [{ text: SUBMIT_THANKS }] },
    onLifecycle: (ctx) =>
      ctx.inbound.channel === 'zalo' && ctx.inbound.type === 'follow'
        ? [{ text: `${ctx.config.bot.greeting}\n\n${FOLLOW_HINT}` }]
        : null,
  };
}
