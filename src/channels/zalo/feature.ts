/**
 * The conversation side of Zalo's lifecycle events. Platform-free (it reads only the Inbound
 * the core hands it): a new follower is greeted with the bot's greeting and how to ask.
 */
import type { Feature } from '../../conversation/types.js';

/** What a new follower reads under the greeting. */
export const FOLLOW_HINT =
  'Bạn có thể gõ câu hỏi bằng tiếng Việt (có dấu hay không dấu đều được), gõ /chude để xem câu hỏi theo chủ đề, hoặc /dangky để đăng ký nhận tin.';

/** Creates the feature: greets on `follow` (Zalo's unfollow needs no reply: it cannot be delivered). */
export function createZaloFeature(): Feature {
  return {
    name: 'zalo',
    onLifecycle: (ctx) =>
      ctx.inbound.channel === 'zalo' && ctx.inbound.type === 'follow'
        ? [{ text: `${ctx.config.bot.greeting}\n\n${FOLLOW_HINT}` }]
        : null,
  };
}
