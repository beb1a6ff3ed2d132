/**
 * Telegram update -> platform-neutral {@link Inbound}, as pure functions: the zod schema of
 * the updates we handle, the group rules (answer only `/hoi`, a mention or a reply to the bot),
 * and block/unblock from `my_chat_member`.
 *
 * Dedupe keys start with the `update_id` (which Telegram says to deduplicate on) and add the
 * message, callback or poll identity: Telegram picks a random `update_id` after a week without
 * updates, and the extra part keeps a new update from ever colliding with an old one.
 */
import { z } from 'zod';
import { EDITED, MAX_MEDIA_REF, type Inbound, type MediaRef } from '../channel.js';
import { SHORT_ID_PREFIX } from './render.js';
import { createSlidingWindow } from '../../time/sliding-window.js';

/**
 * The update types Loa handles; sent as `allowed_updates` to setWebhook and getUpdates.
 * `edited_message`: a person who corrects a question by editing it is told to send it again
 * (the edit is not read as a new message: it may be a contest answer or a report's step).
 */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member', 'poll_answer'] as const;

const userSchema = z.object({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

const chatSchema = z.object({
  id: z.number().int(),
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
});

const entitySchema = z.object({ type: z.string(), offset: z.number().int(), length: z.number().int() });

const messageSchema = z.object({
  message_id: z.number().int(),
  date: z.number().int(),
  chat: chatSchema,
  // A forum supergroup's topic: replies go to the same topic (see chatKey).
  message_thread_id: z.number().int().optional(),
  is_topic_message: z.boolean().optional(),
  // A forwarded message (forward_date: Bot API before 7.0).
  forward_origin: z.unknown().optional(),
  forward_date: z.number().optional(),
  // Service messages of a group that became a supergroup (new chat id).
  migrate_to_chat_id: z.number().int().optional(),
  migrate_from_chat_id: z.number().int().optional(),
  from: userSchema.optional(),
  // Who posted for a group: the group itself when an admin posts anonymously.
  sender_chat: z.object({ id: z.number().int() }).optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(entitySchema).optional(),
  reply_to_message: z.object({ from: userSchema.optional() }).optional(),
  // The kinds of non-text content we name in the polite "text only" reply.
  photo: z.array(z.unknown()).optional(),
  sticker: z.unknown().optional(),
  voice: z.unknown().optional(),
  video: z.unknown().optional(),
  document: z.unknown().optional(),
  animation: z.unknown().optional(),
  audio: z.unknown().optional(),
  location: z.unknown().optional(),
  contact: z.unknown().optional(),
});

const chatMemberSchema = z.object({ status: z.string() });

/**
 * The part of a Telegram update Loa reads. Other update types (channel posts …) parse too and
 * are ignored; a body without an integer `update_id`, or with a malformed field
 * we read, is refused.
 */
export const updateSchema = z.object({
  update_id: z.number().int().nonnegative(),
  message: messageSchema.optional(),
  edited_message: messageSchema.extend({ edit_date: z.number().int().optional() }).optional(),
  callback_query: z
    .object({
      id: z.string().min(1),
      from: userSchema,
      data: z.string().optional(),
      message: z
        .object({ message_id: z.number().int(), chat: chatSchema, message_thread_id: z.number().int().optional(), is_topic_message: z.boolean().optional() })
        .optional(),
    })
    .optional(),
  my_chat_member: z
    .object({
      chat: chatSchema,
      from: userSchema,
      date: z.number().int(),
      old_chat_member: chatMemberSchema,
      new_chat_member: chatMemberSchema,
    })
    .optional(),
  poll_answer: z
    .object({
      poll_id: z.string().min(1),
      user: userSchema.optional(),
      option_ids: z.array(z.number().int().nonnegative()),
    })
    .optional(),
});

/** A parsed update. */
export type TelegramUpdate = z.infer<typeof updateSchema>;

/** What the conversion needs to know beyond the update. */
export interface UpdateContext {
  /** The bot's username (without '@'), to recognise mentions and `/cmd@bot`. */
  botUsername: string;
  botId: number;
  /** The action behind a short callback id (`~…`), or undefined if unknown. */
  resolveCallback: (id: string) => string | undefined;
  /** Our question ref for a Telegram poll id, and where the poll was sent. */
  resolvePoll: (pollId: string) => { ref: string } | undefined;
}

/** What a press on a button Loa no longer knows shows (Telegram's notice: at most 200 characters). */
export const EXPIRED_BUTTON = 'Nút này đã cũ, không còn dùng được. Bạn hãy gõ /chude để xem chủ đề, hoặc gõ câu hỏi.';

/**
 * What the bot says when it is added to a group: members cannot guess that it answers only
 * `/hoi`, a mention or a reply there, and a bot that stays silent looks broken.
 */
export const GROUP_WELCOME =
  'Xin chào cả nhà! Trong nhóm này, mời bạn hỏi tôi bằng lệnh /hoi kèm câu hỏi, ví dụ: /hoi thủ tục đăng ký khai sinh, hoặc trả lời (reply) một tin nhắn của tôi. Tôi chỉ trả lời bằng nội dung đã được cơ quan duyệt. Để hỏi riêng, bạn hãy nhắn tin trực tiếp cho tôi.';

/** The answer to a live quiz command sent by an anonymous admin. */
export const ANONYMOUS_ADMIN =
  'Bạn đang gửi tin ẩn danh với tư cách quản trị viên nhóm, nên trợ lý không biết bạn có phải người tổ chức thi nhanh hay không. Hãy tắt “Ẩn danh” (Remain anonymous) trong quyền quản trị của bạn rồi gửi lại lệnh.';

/** The outcome of converting one update. */
export type Conversion =
  | { kind: 'inbound'; inbound: Inbound; callbackQueryId?: string }
  | { kind: 'ignore'; reason: string; callbackQueryId?: string; callbackText?: string }
  /** A group became a supergroup: what ran under the old chat id follows the new one. */
  | { kind: 'migrated'; from: string; to: string }
  /** The bot was removed from a group (kicked, or left). */
  | { kind: 'removed'; chatId: string }
  /** The bot was added to a group: it says how to ask it there. */
  | { kind: 'added'; chatId: string }
  /** A live quiz command from an admin posting anonymously: Loa cannot tell who it is. */
  | { kind: 'anonymous'; chatId: string; messageId: number };

/**
 * Where replies to a group message go, as the Inbound's `chatId`: the chat id, plus `:<topic>`
 * when the message was posted in a topic of a forum supergroup, so the answer (and a live quiz
 * started there) lands in that topic and not in "General". Only `is_topic_message` counts: a
 * reply in a chat without topics (or in General) carries a `message_thread_id` too, which
 * Telegram refuses as a target ("message thread not found"). render.ts `chatIdOf` reads it back.
 *
 * @example chatKey({ id: -1001, type: 'supergroup' }, { message_thread_id: 42, is_topic_message: true }) // '-1001:42'
 */
export function chatKey(chat: { id: number }, m: { message_thread_id?: number | undefined; is_topic_message?: boolean | undefined }): string {
  return m.is_topic_message && m.message_thread_id !== undefined ? `${chat.id}:${m.message_thread_id}` : String(chat.id);
}

/** The chat part of a {@link chatKey} (the group's budget is per chat, whatever the topic). */
export function chatOfKey(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}

function displayName(u: z.infer<typeof userSchema>): string | undefined {
  const name = [u.first_name, u.last_name].filter(Boolean).join(' ').trim();
  return name || undefined;
}

/**
 * Commands a group may use: `/hoi`, and the live group quiz an organiser runs (`/quizgroup`,
 * `/quizstop`; the quiz feature checks who may). Everything else in a group needs a mention or
 * a reply to the bot.
 */
export const GROUP_COMMANDS = new Set(['hoi', 'quizgroup', 'quizstop']);

function mentions(text: string, entities: z.infer<typeof entitySchema>[] | undefined, username: string): boolean {
  const handle = `@${username}`.toLowerCase();
  if (entities?.some((e) => e.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle)) return true;
  return new RegExp(`(^|[^\\w@])@${username}(?![\\w])`, 'i').test(text);
}

function stripMention(text: string, username: string): string {
  return text.replace(new RegExp(`@${username}(?![\\w])`, 'gi'), ' ').replace(/\s+/g, ' ').trim();
}

/**
 * The largest size of a photo as a {@link MediaRef} (its `file_id`, and its `file_unique_id` as
 * the key that is the same for every copy of the picture), with the caption.
 */
function photoRef(m: z.infer<typeof messageSchema>): MediaRef | undefined {
  const largest = m.photo?.[m.photo.length - 1] as { file_id?: unknown; file_unique_id?: unknown } | undefined;
  const ref = typeof largest?.file_id === 'string' ? largest.file_id : undefined;
  if (!ref || ref.length > MAX_MEDIA_REF) return undefined;
  const unique = typeof largest?.file_unique_id === 'string' && largest.file_unique_id.length <= 200 ? largest.file_unique_id : undefined;
  return { kind: 'image', ref, ...(unique ? { key: `tg:${unique}` } : {}), ...(m.caption ? { caption: m.caption } : {}) };
}

function nonText(m: z.infer<typeof messageSchema>): string {
  for (const k of ['photo', 'sticker', 'voice', 'video', 'document', 'animation', 'audio', 'location', 'contact'] as const) if (m[k] !== undefined) return k;
  return 'other';
}

/**
 * Converts one update into an {@link Inbound}, or says why it is ignored.
 *
 * @example
 * toInbound(update, { botUsername: 'loa_bot', botId: 1, resolveCallback, resolvePoll })
 * // { kind: 'inbound', inbound: { channel: 'telegram', type: 'text', text: '/start', userId: '42', … } }
 */
export function toInbound(u: TelegramUpdate, ctx: UpdateContext): Conversion {
  const id = u.update_id;
  if (u.message) {
    const m = u.message;
    // Both chats announce it (the old one with migrate_to, the new one with migrate_from).
    if (m.migrate_to_chat_id !== undefined) return { kind: 'migrated', from: String(m.chat.id), to: String(m.migrate_to_chat_id) };
    if (m.migrate_from_chat_id !== undefined) return { kind: 'migrated', from: String(m.migrate_from_chat_id), to: String(m.chat.id) };
    // An admin who posts "anonymously" appears as the group itself (sender_chat): a live quiz
    // command from them cannot be checked against quiz_organizers, and is answered with how to
    // send it under their own name instead of silence.
    if (m.sender_chat?.id === m.chat.id && m.chat.type !== 'private' && m.text !== undefined) {
      const cmd = m.text.match(/^\/(quizgroup|quizstop)(?:@([A-Za-z0-9_]+))?(?=\s|$)/i);
      if (cmd && (!cmd[2] || cmd[2].toLowerCase() === ctx.botUsername.toLowerCase()))
        return { kind: 'anonymous', chatId: chatKey(m.chat, m), messageId: m.message_id };
    }
    if (!m.from || m.from.is_bot) return { kind: 'ignore', reason: 'message from a bot or a channel' };
    if (m.chat.type === 'channel') return { kind: 'ignore', reason: 'channel post' };
    const group = m.chat.type !== 'private';
    const base = {
      channel: 'telegram' as const,
      userId: String(m.from.id),
      ...(group ? { chatId: chatKey(m.chat, m), group: true, messageId: String(m.message_id) } : {}),
      displayName: displayName(m.from),
      dedupeKey: `u:${id}:m:${m.chat.id}:${m.message_id}`,
      at: new Date(m.date * 1000),
    };
    if (!group) {
      // A post passed on from elsewhere: the report flow offers to report it (disinfo.ts).
      const from = m.forward_origin !== undefined || m.forward_date !== undefined ? { forwarded: true } : {};
      if (m.text === undefined) {
        const media = photoRef(m);
        // A video, a file or a voice note with words: the words are what Loa can read. A forwarded
        // rumour video ("KHẨN: … chia sẻ ngay") is offered for reporting as a forwarded text is;
        // a question sent with a file is answered. Both got "text only" before (the caption was
        // dropped, and the report with it).
        const caption = m.caption?.trim();
        if (!media && caption && (m.video !== undefined || m.document !== undefined || m.animation !== undefined || m.audio !== undefined || m.voice !== undefined))
          return { kind: 'inbound', inbound: { ...base, ...from, type: 'text', text: caption } };
        return { kind: 'inbound', inbound: { ...base, ...from, type: 'unsupported', what: nonText(m), ...(media ? { media } : {}) } };
      }
      return { kind: 'inbound', inbound: { ...base, ...from, type: 'text', text: m.text } };
    }
    // In a group the bot speaks only when spoken to, so it never floods the conversation.
    const text = m.text;
    if (text === undefined) return { kind: 'ignore', reason: 'non-text message in a group' };
    const cmd = text.match(/^\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?=\s|$)/);
    if (cmd) {
      if (cmd[2] && cmd[2].toLowerCase() !== ctx.botUsername.toLowerCase()) return { kind: 'ignore', reason: 'command for another bot' };
      if (!GROUP_COMMANDS.has(cmd[1]!.toLowerCase())) return { kind: 'ignore', reason: `/${cmd[1]} is not answered in groups` };
      return { kind: 'inbound', inbound: { ...base, type: 'text', text } };
    }
    const repliesToBot = m.reply_to_message?.from?.id === ctx.botId;
    if (!repliesToBot && !mentions(text, m.entities, ctx.botUsername)) return { kind: 'ignore', reason: 'group message not addressed to the bot' };
    const question = stripMention(text, ctx.botUsername);
    if (!question) return { kind: 'ignore', reason: 'empty mention' };
    // Routed as /hoi so a group mention is always a question, never a keyword such as "HUY".
    return { kind: 'inbound', inbound: { ...base, type: 'text', text: `/hoi ${question}` } };
  }

  if (u.edited_message) {
    // An edit in a private chat: the person corrected what they sent (a typo in a question) and
    // waits for an answer to it. In a group the bot speaks only when spoken to.
    const m = u.edited_message;
    if (!m.from || m.from.is_bot || m.chat.type !== 'private') return { kind: 'ignore', reason: 'edited message outside a private chat' };
    return {
      kind: 'inbound',
      inbound: {
        channel: 'telegram',
        userId: String(m.from.id),
        displayName: displayName(m.from),
        dedupeKey: `u:${id}:e:${m.chat.id}:${m.message_id}:${m.edit_date ?? ''}`,
        ...(m.edit_date ? { at: new Date(m.edit_date * 1000) } : {}),
        type: 'unsupported',
        what: EDITED,
      },
    };
  }

  if (u.callback_query) {
    const q = u.callback_query;
    const chat = q.message?.chat;
    const group = chat !== undefined && chat.type !== 'private';
    const data = q.data;
    if (!data) return { kind: 'ignore', reason: 'callback without data', callbackQueryId: q.id };
    const action = data.startsWith(SHORT_ID_PREFIX) ? ctx.resolveCallback(data) : data;
    // Said in the press's little notice: a button that does nothing at all looks broken.
    if (!action) return { kind: 'ignore', reason: 'unknown short callback id', callbackQueryId: q.id, callbackText: EXPIRED_BUTTON };
    return {
      kind: 'inbound',
      callbackQueryId: q.id,
      inbound: {
        channel: 'telegram',
        userId: String(q.from.id),
        ...(group ? { chatId: chatKey(chat, q.message!), group: true } : {}),
        displayName: displayName(q.from),
        dedupeKey: `u:${id}:cq:${q.id}`,
        type: 'action',
        action,
      },
    };
  }

  if (u.my_chat_member) {
    const c = u.my_chat_member;
    if (c.chat.type !== 'private') {
      const now = c.new_chat_member.status;
      if (now === 'kicked' || now === 'left') return { kind: 'removed', chatId: String(c.chat.id) };
      const was = c.old_chat_member.status;
      if (c.chat.type !== 'channel' && (was === 'left' || was === 'kicked') && (now === 'member' || now === 'administrator'))
        return { kind: 'added', chatId: String(c.chat.id) };
      return { kind: 'ignore', reason: 'bot membership changed in a group' };
    }
    const was = c.old_chat_member.status;
    const now = c.new_chat_member.status;
    let type: 'blocked' | 'unblocked' | undefined;
    if (now === 'kicked') type = 'blocked';
    else if ((was === 'kicked' || was === 'left') && now === 'member') type = 'unblocked';
    if (!type) return { kind: 'ignore', reason: `membership ${was} -> ${now}` };
    return {
      kind: 'inbound',
      inbound: {
        channel: 'telegram',
        userId: String(c.from.id),
        dedupeKey: `u:${id}:mcm:${c.chat.id}:${c.date}`,
        at: new Date(c.date * 1000),
        type,
      },
    };
  }

  if (u.poll_answer) {
    const a = u.poll_answer;
    if (!a.user) return { kind: 'ignore', reason: 'anonymous poll answer' };
    if (a.option_ids.length === 0) return { kind: 'ignore', reason: 'vote retracted' };
    const poll = ctx.resolvePoll(a.poll_id);
    if (!poll) return { kind: 'ignore', reason: 'answer to a poll Loa did not send' };
    return {
      kind: 'inbound',
      inbound: {
        channel: 'telegram',
        userId: String(a.user.id),
        displayName: displayName(a.user),
        dedupeKey: `u:${id}:pa:${a.poll_id}:${a.user.id}`,
        type: 'quizAnswer',
        pollId: poll.ref,
        optionIds: a.option_ids,
      },
    };
  }

  return { kind: 'ignore', reason: 'update type not handled' };
}

/**
 * A per-group reply budget: at most `max` handled messages per `windowMs` in one group, well
 * under Telegram's 20 messages a minute per group. Over budget, messages are ignored silently:
 * a busy group must never turn into a flood of bot replies.
 */
export function createGroupBudget(
  max: number,
  windowMs: number,
): { allows(chatId: string, nowMs: number): boolean; record(chatId: string, nowMs: number): void; release(chatId: string, nowMs: number): void } {
  const window = createSlidingWindow({ windowMs });
  return {
    // Checked before the inbox and recorded after, so a duplicate delivery uses no budget.
    allows: (chatId, nowMs) => window.count(chatId, nowMs) < max,
    record: (chatId, nowMs) => void window.hit(chatId, nowMs),
    // Gives back a use recorded before the inbox said "duplicate" (the inbox answers later
    // than the check, so a use is recorded first and released if it was not one).
    release: (chatId, nowMs) => window.release(chatId, nowMs),
  };
}
