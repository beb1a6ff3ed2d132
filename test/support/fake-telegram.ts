/**
 * A fake Telegram Bot API server on an ephemeral loopback port, for end-to-end tests and the
 * benchmark. It plays Telegram as `../shared/PLATFORMS.md` describes it:
 *
 * - URLs are `${apiRoot}/bot${token}/${method}`; a wrong token is answered 401;
 * - errors are `{"ok":false,"error_code":N,"description":"…","parameters":{"retry_after":S}}`,
 *   with `retry_after` in the JSON body, never in a header;
 * - a webhook's 2xx answer may carry a method call (`{"method":…}`), which the fake performs;
 * - `getUpdates` long-polls and answers 409 while a webhook is set;
 * - webhook deliveries carry `X-Telegram-Bot-Api-Secret-Token`;
 * - `sendMessage` checks HTML parse mode like Telegram (unknown tags, stray `<`/`&`), the
 *   4096-character limit after entity parsing (in code points, as TDLib counts) and the 64-byte
 *   `callback_data` limit.
 *
 * Test controls: rate limits (global and per chat, per second, answered with 429), blocked and
 * deactivated users (403), injected failures (any error code, or a dropped connection),
 * latency, updates pushed to the webhook or queued for `getUpdates`, and a record of every call
 * with a way to await the next one (tests await events, never sleep).
 *
 * @example
 * const tg = await startFakeTelegram();
 * const { app } = await startTestApp({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot });
 * await tg.pushUpdate(tg.message({ userId: 42, text: '/start' }));
 * await tg.waitForCall((c) => c.method === 'sendMessage');
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One recorded API call. */
export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  status: number;
  response: unknown;
  /** Fake-clock time of the call (ms). */
  at: number;
  /** True while the call is still being answered (a long poll, a held answer). */
  pending: boolean;
}

/** An injected failure: a Bot API error, or a connection dropped without an answer. */
export type Failure =
  | { error_code: number; description: string; retry_after?: number }
  | { network: true };

/** Options of {@link startFakeTelegram}. */
export interface FakeTelegramOptions {
  token?: string;
  username?: string;
  botId?: number;
  /** Sends per second across all chats (0 = unlimited). */
  globalPerSecond?: number;
  /** Sends per second to one chat (0 = unlimited). */
  perChatPerSecond?: number;
  /** Latency added to every answer (ms). */
  latencyMs?: number;
  /** Clock in ms (tests pass a fake clock to drive the rate windows). */
  now?: () => number;
  /** Keep every call in `calls` (default true; the benchmark turns it off to keep memory flat). */
  record?: boolean;
  /** Called when each call is answered (the benchmark measures latency with it). */
  onCall?: (call: RecordedCall) => void;
}

/** A loose Telegram update as the fake builds and stores it. */
export type FakeUpdate = Record<string, unknown> & { update_id: number };

/** The result of pushing one update. */
export type PushResult = { delivered: true; status: number; body: string } | { delivered: false; queued: true };

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendPoll', 'editMessageText', 'stopPoll']);
const ALLOWED_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'blockquote', 'tg-spoiler', 'span']);

/**
 * Parses Telegram HTML the way the Bot API does and returns the visible text, or an error
 * description like Telegram's "can't parse entities".
 */
export function parseTelegramHtml(html: string): { text: string } | { error: string } {
  const stack: string[] = [];
  let text = '';
  let i = 0;
  while (i < html.length) {
    const c = html[i]!;
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) return { error: `Bad Request: can't parse entities: Unclosed start tag at byte offset ${i}` };
      const inner = html.slice(i + 1, end);
      const close = inner.startsWith('/');
      const name = (close ? inner.slice(1) : inner).trim().split(/\s+/)[0]!.toLowerCase();
      if (!ALLOWED_TAGS.has(name))
        return { error: `Bad Request: can't parse entities: Unsupported start tag "${name}" at byte offset ${i}` };
      if (close) {
        if (stack.pop() !== name)
          return { error: `Bad Request: can't parse entities: Unmatched end tag at byte offset ${i}, expected "</${stack.at(-1) ?? ''}>", found "</${name}>"` };
      } else stack.push(name);
      i = end + 1;
    } else if (c === '&') {
      const m = html.slice(i).match(/^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/);
      if (!m) return { error: `Bad Request: can't parse entities: Character '&' is reserved and must be escaped at byte offset ${i}` };
      const e = m[1]!;
      text += e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
      i += m[0].length;
    } else if (c === '>') {
      return { error: `Bad Request: can't parse entities: Character '>' is reserved and must be escaped at byte offset ${i}` };
    } else {
      text += c;
      i++;
    }
  }
  if (stack.length) return { error: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${stack.at(-1)}"` };
  return { text };
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    description: string,
    readonly retryAfter?: number,
    readonly migrateTo?: number,
  ) {
    super(description);
  }
}

/** A running fake Telegram server. */
export interface FakeTelegram {
  /** `TELEGRAM_API_ROOT` for the app: `http://127.0.0.1:<port>` (no trailing slash). */
  readonly apiRoot: string;
  readonly token: string;
  readonly username: string;
  readonly botId: number;
  /** Every API call, in order. */
  readonly calls: RecordedCall[];
  /** The calls of one method. */
  callsTo(method: string): RecordedCall[];
  /**
   * Resolves with the `count`th call (already recorded or future, from index `after`) matching,
   * once answered; with `arrived: true`, as soon as it arrives (e.g. a long poll in progress).
   */
  waitForCall(match: string | ((c: RecordedCall) => boolean), opts?: { after?: number; count?: number; arrived?: boolean }): Promise<RecordedCall>;
  /** The webhook set by `setWebhook`, or null. */
  readonly webhook: { url: string; secret_token?: string; allowed_updates?: string[]; max_connections?: number } | null;
  /** Where webhook deliveries really go (e.g. from the public portal URL to the local server). */
  rewriteWebhookUrl: (url: string) => string;
  /** Marks a user as having blocked the bot (403 "bot was blocked by the user") or deactivated. */
  block(userId: number, how?: 'blocked' | 'deactivated'): void;
  unblock(userId: number): void;
  /**
   * Makes the whole server unreachable (every connection is dropped without an answer, as on a
   * network that blocks Telegram) or reachable again. Calls are not recorded while down.
   */
  setDown(down: boolean): void;
  /** Sets the webhook as if by another program (`null` removes it), bypassing `setWebhook`. */
  setWebhookDirect(url: string | null): void;
  /** What `getWebhookInfo` reports as `last_error_message` (Telegram's last failed delivery), or null. */
  setWebhookError(message: string | null): void;
  /** Fails the next `times` calls of `method` with `failure`. */
  failNext(method: string, failure: Failure, times?: number): void;
  /** Sets latency for every answer, or for one method. */
  setLatency(ms: number, method?: string): void;
  setLimits(limits: { globalPerSecond?: number; perChatPerSecond?: number }): void;
  /** Holds every answer to `method` until the returned release is called (a slow Telegram, without timers). */
  hold(method: string): () => void;
  /**
   * Gives the update an `update_id` (unless it has one) and delivers it: POSTs it to the
   * webhook with the secret header when one is set, else queues it for `getUpdates`.
   */
  pushUpdate(update: Record<string, unknown>): Promise<PushResult>;
  /** POSTs an update to the webhook with an explicit secret header (or none) and raw body. */
  postToWebhook(body: string, secret: string | null): Promise<{ status: number; body: string }>;
  /** Updates queued and not yet confirmed by `getUpdates` offsets. */
  readonly queued: FakeUpdate[];
  /** Messages the bot sent, per chat id, as visible text. */
  sentTexts(chatId: number | string): string[];
  /**
   * A file people sent (a photo): `getFile` answers its `file_path`, and the file server
   * (`/file/bot<token>/<path>`) serves its bytes, as Telegram does for files up to 20 MB.
   */
  addFile(fileId: string, bytes: Uint8Array, path?: string): void;
  // Update builders (no update_id: pushUpdate assigns one).
  /**
   * Upgrades a basic group to a supergroup, as Telegram does when a group grows or an admin
   * changes a setting: sends to `from` are refused with 400 and `parameters.migrate_to_chat_id`.
   * Returns the two service messages Telegram delivers (old chat, then new chat), to push.
   */
  migrateGroup(from: number, to: number, byUserId: number): [Record<string, unknown>, Record<string, unknown>];
  /** Makes `chatId` a forum supergroup with these topics (sends to other topics: 400 "message thread not found"). */
  forum(chatId: number, topics: number[]): void;
  /** `topic`: the message is in that topic of a forum (`message_thread_id`, `is_topic_message`). */
  /** `forwardedFrom`: a forwarded message, from someone who hides their account (`forward_origin` hidden_user). */
  message(o: { userId: number; text: string; chatId?: number; chatType?: 'private' | 'group' | 'supergroup'; firstName?: string; replyToBot?: boolean; entities?: unknown[]; topic?: number; forwardedFrom?: string }): Record<string, unknown>;
  callbackQuery(o: { userId: number; data: string; chatId?: number; messageId?: number; topic?: number }): Record<string, unknown>;
  myChatMember(o: { userId: number; status: 'kicked' | 'member' }): Record<string, unknown>;
  pollAnswer(o: { userId: number; pollId: string; optionIds: number[] }): Record<string, unknown>;
  close(): Promise<void>;
}

/** Starts a fake Bot API server on 127.0.0.1 and an ephemeral port. */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? '123456:TEST-fake-token_abc';
  const username = options.username ?? 'loa_test_bot';
  const botId = options.botId ?? 123456;
  const now = options.now ?? (() => Date.now());
  let limits = { global: options.globalPerSecond ?? 0, perChat: options.perChatPerSecond ?? 0 };
  let latency = { all: options.latencyMs ?? 0, byMethod: new Map<string, number>() };
  const holds = new Map<string, { held: Promise<void>; release: () => void }>();

  const calls: RecordedCall[] = [];
  const waiters: { match: (c: RecordedCall) => boolean; after: number; count: number; arrived: boolean; seen: Set<RecordedCall>; resolve: (c: RecordedCall) => void }[] = [];
  const blocked = new Map<string, 'blocked' | 'deactivated'>();
  const failures = new Map<string, { failure: Failure; times: number }[]>();
  const queue: FakeUpdate[] = [];
  const pollers = new Set<() => void>();
  const sockets = new Set<Socket>();
  let webhook: FakeTelegram['webhook'] = null;
  let nextUpdateId = 500_000;
  let nextPollId = 9_000;
  const messageIds = new Map<string, number>();
  const sent = new Map<string, string[]>();
  let windowSecond = -1;
  let globalCount = 0;
  const chatCounts = new Map<string, number>();
  let closed = false;
  let down = false;
  let webhookError: string | null = null;

  const notify = (c: RecordedCall): void => {
    for (const w of [...waiters]) {
      if ((c.pending && !w.arrived) || w.seen.has(c) || calls.indexOf(c) < w.after || !w.match(c)) continue;
      w.seen.add(c);
      if (w.seen.size < w.count) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(c);
    }
  };
  /** Records a call on arrival; `finish` fills in the answer. */
  const arrive = (method: string, params: Record<string, unknown>): RecordedCall => {
    const c: RecordedCall = { method, params, status: 0, response: undefined, at: now(), pending: true };
    if (options.record === false) return c;
    calls.push(c);
    notify(c);
    return c;
  };
  const finish = (c: RecordedCall, status: number, response: unknown): void => {
    Object.assign(c, { status, response, at: now(), pending: false });
    options.onCall?.(c);
    if (options.record !== false) notify(c);
  };

  const rateCheck = (chatId: string): void => {
    const t = now();
    const second = Math.floor(t / 1000);
    if (second !== windowSecond) {
      windowSecond = second;
      globalCount = 0;
      chatCounts.clear();
    }
    const retryAfter = Math.max(1, Math.ceil(((second + 1) * 1000 - t) / 1000));
    if (limits.global > 0 && globalCount >= limits.global)
      throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, retryAfter);
    const n = chatCounts.get(chatId) ?? 0;
    if (limits.perChat > 0 && n >= limits.perChat) throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, retryAfter);
    globalCount++;
    chatCounts.set(chatId, n + 1);
  };

  const chatOf = (id: unknown): { id: number | string; type: string } => {
    const n = typeof id === 'string' && /^-?\d+$/.test(id) ? Number(id) : id;
    if (typeof n !== 'number' && typeof n !== 'string') throw new ApiError(400, 'Bad Request: chat_id is empty');
    return { id: n, type: typeof n === 'number' && n < 0 ? 'supergroup' : 'private' };
  };

  const checkKeyboard = (markup: unknown): void => {
    if (markup === undefined) return;
    const m = (typeof markup === 'string' ? JSON.parse(markup) : markup) as { inline_keyboard?: unknown };
    if (!Array.isArray(m.inline_keyboard)) throw new ApiError(400, 'Bad Request: reply markup is not an inline keyboard');
    for (const row of m.inline_keyboard as unknown[]) {
      if (!Array.isArray(row)) throw new ApiError(400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object");
      for (const b of row as Record<string, unknown>[]) {
        if (typeof b.text !== 'string' || b.text.length === 0) throw new ApiError(400, 'Bad Request: text buttons are unallowed in the inline keyboard');
        if (b.callback_data !== undefined) {
          const bytes = Buffer.byteLength(String(b.callback_data), 'utf8');
          if (bytes < 1 || bytes > 64) throw new ApiError(400, 'Bad Request: BUTTON_DATA_INVALID');
        } else if (typeof b.url !== 'string') throw new ApiError(400, 'Bad Request: BUTTON_TYPE_INVALID');
      }
    }
  };

  const visible = (text: unknown, parseMode: unknown, max: number, what: string): string => {
    if (typeof text !== 'string' || text.length === 0) throw new ApiError(400, `Bad Request: ${what} is empty`);
    let plain = text;
    if (parseMode === 'HTML') {
      const parsed = parseTelegramHtml(text);
      if ('error' in parsed) throw new ApiError(400, parsed.error);
      plain = parsed.text;
    }
    if (plain.trim().length === 0) throw new ApiError(400, `Bad Request: ${what} must be non-empty`);
    // TDLib counts the parsed text in code points (utf8_length), not UTF-16 units: an emoji is one.
    if ([...plain].length > max) throw new ApiError(400, `Bad Request: ${what} is too long`);
    return plain;
  };

  const newMessage = (chat: { id: number | string; type: string }, extra: Record<string, unknown>): Record<string, unknown> => {
    const key = String(chat.id);
    const id = (messageIds.get(key) ?? 0) + 1;
    messageIds.set(key, id);
    return { message_id: id, date: Math.floor(now() / 1000), chat, from: { id: botId, is_bot: true, first_name: 'Loa', username }, ...extra };
  };

  // Basic groups that became supergroups: old id -> new id.
  const migrated = new Map<string, number>();
  const guardChat = (chatId: string): void => {
    const to = migrated.get(chatId);
    if (to !== undefined) throw new ApiError(400, 'Bad Request: group chat was upgraded to a supergroup chat', undefined, to);
    const how = blocked.get(chatId);
    if (how === 'blocked') throw new ApiError(403, 'Forbidden: bot was blocked by the user');
    if (how === 'deactivated') throw new ApiError(403, 'Forbidden: user is deactivated');
  };

  // Forum supergroups and their topics (createForumTopic's message_thread_id).
  const forums = new Map<string, Set<number>>();
  /** A send into a topic: the chat must be a forum with that topic, as Telegram checks. */
  /** A reply quoting a message: it must exist in the chat unless the call allows sending without it. */
  const guardReply = (chatId: string, raw: unknown): void => {
    if (raw === undefined) return;
    const r = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { message_id?: unknown; allow_sending_without_reply?: unknown };
    if (!Number.isInteger(r.message_id)) throw new ApiError(400, 'Bad Request: invalid reply parameters');
    if (Number(r.message_id) > (messageIds.get(chatId) ?? 0) && r.allow_sending_without_reply !== true)
      throw new ApiError(400, 'Bad Request: message to be replied not found');
  };
  const guardThread = (chatId: string, thread: unknown): void => {
    if (thread === undefined) return;
    if (!forums.get(chatId)?.has(Number(thread))) throw new ApiError(400, 'Bad Request: message thread not found');
  };

  const files = new Map<string, { bytes: Uint8Array; path: string }>();
  const handlers: Record<string, (p: Record<string, unknown>) => unknown | Promise<unknown>> = {
    getFile: (p) => {
      const f = files.get(String(p.file_id));
      if (!f) throw new ApiError(400, 'Bad Request: invalid file_id');
      return { file_id: p.file_id, file_unique_id: `u-${p.file_id}`, file_size: f.bytes.length, file_path: f.path };
    },
    getMe: () => ({ id: botId, is_bot: true, first_name: 'Loa', username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),
    deleteMyCommands: () => true,
    setMyCommands: (p) => {
      const cmds = (typeof p.commands === 'string' ? JSON.parse(p.commands) : p.commands) as { command: string; description: string }[];
      if (!Array.isArray(cmds) || cmds.length > 100) throw new ApiError(400, 'Bad Request: commands must be an array of at most 100');
      for (const c of cmds) {
        if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw new ApiError(400, 'Bad Request: BOT_COMMAND_INVALID');
        if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256)
          throw new ApiError(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
      }
      return true;
    },
    setWebhook: (p) => {
      const url = String(p.url ?? '');
      if (url === '') {
        webhook = null;
        return true;
      }
      if (!/^https?:\/\//.test(url)) throw new ApiError(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
      const secret = p.secret_token === undefined ? undefined : String(p.secret_token);
      if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret))
        throw new ApiError(400, 'Bad Request: secret token contains unallowed characters');
      const mc = p.max_connections === undefined ? undefined : Number(p.max_connections);
      if (mc !== undefined && (mc < 1 || mc > 100)) throw new ApiError(400, 'Bad Request: bad webhook: max_connections must be 1-100');
      if (p.drop_pending_updates) queue.length = 0;
      const allowed = typeof p.allowed_updates === 'string' ? (JSON.parse(p.allowed_updates) as string[]) : (p.allowed_updates as string[] | undefined);
      webhook = { url, secret_token: secret, allowed_updates: allowed, max_connections: mc };
      return true;
    },
    deleteWebhook: (p) => {
      webhook = null;
      if (p.drop_pending_updates) queue.length = 0;
      return true;
    },
    getWebhookInfo: () => ({
      url: webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: queue.length,
      ...(webhook && webhookError ? { last_error_date: Math.floor(now() / 1000), last_error_message: webhookError } : {}),
    }),
    getUpdates: async (p) => {
      if (webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      const offset = Number(p.offset ?? 0);
      if (offset > 0) while (queue.length && queue[0]!.update_id < offset) queue.shift();
      const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
      const timeout = Number(p.timeout ?? 0);
      if (queue.length === 0 && timeout > 0 && !closed) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            pollers.delete(done);
            resolve();
          };
          const timer = setTimeout(done, timeout * 1000);
          pollers.add(done);
        });
        if (webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      }
      return queue.slice(0, limit);
    },
    sendMessage: (p) => {
      const chat = chatOf(p.chat_id);
      guardChat(String(chat.id));
      guardThread(String(chat.id), p.message_thread_id);
      guardReply(String(chat.id), p.reply_parameters);
      rateCheck(String(chat.id));
      const text = visible(p.text, p.parse_mode, 4096, 'message text');
      checkKeyboard(p.reply_markup);
      (sent.get(String(chat.id)) ?? sent.set(String(chat.id), []).get(String(chat.id))!).push(text);
      return newMessage(chat, { text });
    },
    editMessageText: (p) => {
      const chat = chatOf(p.chat_id);
      guardChat(String(chat.id));
      rateCheck(String(chat.id));
      const text = visible(p.text, p.parse_mode, 4096, 'message text');
      checkKeyboard(p.reply_markup);
      if (!Number.isInteger(Number(p.message_id)) || Number(p.message_id) > (messageIds.get(String(chat.id)) ?? 0))
        throw new ApiError(400, 'Bad Request: message to edit not found');
      return { message_id: Number(p.message_id), date: Math.floor(now() / 1000), chat, text, edit_date: Math.floor(now() / 1000) };
    },
    sendPhoto: (p) => {
      const chat = chatOf(p.chat_id);
      guardChat(String(chat.id));
      guardThread(String(chat.id), p.message_thread_id);
      guardReply(String(chat.id), p.reply_parameters);
      rateCheck(String(chat.id));
      if (typeof p.photo !== 'string' || p.photo === '') throw new ApiError(400, 'Bad Request: there is no photo in the request');
      const caption = p.caption === undefined ? undefined : visible(p.caption, p.parse_mode, 1024, 'caption');
      checkKeyboard(p.reply_markup);
      return newMessage(chat, { photo: [{ file_id: `photo-${calls.length}`, file_unique_id: `u${calls.length}`, width: 800, height: 600 }], ...(caption ? { caption } : {}) });
    },
    sendPoll: (p) => {
      const chat = chatOf(p.chat_id);
      guardChat(String(chat.id));
      guardThread(String(chat.id), p.message_thread_id);
      guardReply(String(chat.id), p.reply_parameters);
      rateCheck(String(chat.id));
      const question = String(p.question ?? '');
      if (question.length < 1 || question.length > 300) throw new ApiError(400, 'Bad Request: poll question length must be 1-300');
      const raw = (typeof p.options === 'string' ? JSON.parse(p.options) : p.options) as unknown[];
      const opts = Array.isArray(raw) ? raw.map((o) => (typeof o === 'string' ? o : String((o as { text?: unknown }).text ?? ''))) : [];
      if (opts.length < 2 || opts.length > 10) throw new ApiError(400, 'Bad Request: poll must have 2-10 options');
      if (opts.some((o) => o.length < 1 || o.length > 100)) throw new ApiError(400, 'Bad Request: poll options length must be 1-100');
      const correct = p.correct_option_id ?? (Array.isArray(p.correct_option_ids) ? p.correct_option_ids[0] : undefined);
      if (p.type === 'quiz' && (typeof correct !== 'number' || correct < 0 || correct >= opts.length))
        throw new ApiError(400, 'Bad Request: wrong correct option ID specified');
      if (p.open_period !== undefined && (Number(p.open_period) < 5 || Number(p.open_period) > 600))
        throw new ApiError(400, 'Bad Request: open_period must be 5-600');
      if (typeof p.explanation === 'string' && p.explanation.length > 200) throw new ApiError(400, 'Bad Request: explanation is too long');
      const poll = {
        id: String(++nextPollId),
        question,
        options: opts.map((text) => ({ text, voter_count: 0 })),
        total_voter_count: 0,
        is_closed: false,
        is_anonymous: p.is_anonymous !== false,
        type: p.type ?? 'regular',
        allows_multiple_answers: false,
        ...(typeof correct === 'number' ? { correct_option_id: correct } : {}),
      };
      return newMessage(chat, { poll });
    },
    stopPoll: (p) => {
      const chat = chatOf(p.chat_id);
      const poll = calls.find((c) => c.method === 'sendPoll' && String(c.params.chat_id) === String(chat.id) && (c.response as { result?: { message_id?: number } } | undefined)?.result?.message_id === Number(p.message_id));
      if (!poll) throw new ApiError(400, 'Bad Request: message with poll to stop not found');
      return { ...((poll.response as { result: { poll: Record<string, unknown> } }).result.poll), is_closed: true };
    },
    answerCallbackQuery: (p) => {
      if (typeof p.callback_query_id !== 'string' || p.callback_query_id === '') throw new ApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
      if (typeof p.text === 'string' && p.text.length > 200) throw new ApiError(400, 'Bad Request: MESSAGE_TOO_LONG');
      return true;
    },
  };

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const parseParams = (req: IncomingMessage, body: string): Record<string, unknown> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const type = req.headers['content-type'] ?? '';
    if (body.length === 0) return params;
    if (type.includes('application/json')) return { ...params, ...(JSON.parse(body) as Record<string, unknown>) };
    if (type.includes('application/x-www-form-urlencoded')) return { ...params, ...Object.fromEntries(new URLSearchParams(body)) };
    throw new ApiError(400, 'Bad Request: unsupported content type (the fake accepts JSON and form data)');
  };

  const send = (res: ServerResponse, status: number, payload: unknown): void => {
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server: Server = createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    void (async () => {
      const file = (req.url ?? '').match(/^\/file\/bot([^/]+)\/(.+)$/);
      if (file) {
        const f = file[1] === token ? [...files.values()].find((x) => x.path === decodeURIComponent(file[2]!)) : undefined;
        if (!f) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.bytes.length });
        res.end(Buffer.from(f.bytes));
        return;
      }
      const m = (req.url ?? '').match(/^\/bot([^/]+)\/([A-Za-z]+)(\?.*)?$/);
      if (!m) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      const [, reqToken, method] = m as unknown as [string, string, string];
      const body = await readBody(req);
      let params: Record<string, unknown> = {};
      let status = 200;
      let payload: unknown;
      let call: RecordedCall | undefined;
      try {
        params = parseParams(req, body);
        call = arrive(method, params);
        if (reqToken !== token) throw new ApiError(401, 'Unauthorized');
        const pending = failures.get(method);
        const f = pending?.[0];
        if (f) {
          if (--f.times <= 0) pending!.shift();
          if ('network' in f.failure) {
            finish(call, 0, 'connection dropped');
            req.socket.destroy();
            return;
          }
          throw new ApiError(f.failure.error_code, f.failure.description, f.failure.retry_after);
        }
        const handler = handlers[method];
        if (!handler) throw new ApiError(404, 'Not Found: method not found');
        if (SEND_METHODS.has(method) && params.chat_id === undefined) throw new ApiError(400, 'Bad Request: chat_id is empty');
        payload = { ok: true, result: await handler(params) };
      } catch (err) {
        if (err instanceof ApiError) {
          status = err.code;
          const parameters = { ...(err.retryAfter !== undefined ? { retry_after: err.retryAfter } : {}), ...(err.migrateTo !== undefined ? { migrate_to_chat_id: err.migrateTo } : {}) };
          payload = { ok: false, error_code: err.code, description: err.message, ...(Object.keys(parameters).length ? { parameters } : {}) };
        } else {
          status = 400;
          payload = { ok: false, error_code: 400, description: `Bad Request: ${(err as Error).message}` };
        }
      }
      const delay = latency.byMethod.get(method) ?? latency.all;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const hold = holds.get(method);
      if (hold) await hold.held;
      finish(call ?? arrive(method, params), status, payload);
      if (!res.destroyed) send(res, status, payload);
    })();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const withId = (u: Record<string, unknown>): FakeUpdate =>
    (typeof u.update_id === 'number' ? u : { update_id: ++nextUpdateId, ...u }) as FakeUpdate;

  const fake: FakeTelegram = {
    apiRoot,
    token,
    username,
    botId,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitForCall(match, opts = {}) {
      const fn = typeof match === 'string' ? (c: RecordedCall) => c.method === match : match;
      const after = opts.after ?? 0;
      const count = opts.count ?? 1;
      const arrived = opts.arrived ?? false;
      const seen = new Set<RecordedCall>();
      for (let i = after; i < calls.length; i++) {
        const c = calls[i]!;
        if ((c.pending && !arrived) || !fn(c)) continue;
        seen.add(c);
        if (seen.size >= count) return Promise.resolve(c);
      }
      return new Promise((resolve) => waiters.push({ match: fn, after, count, arrived, seen, resolve }));
    },
    get webhook() {
      return webhook;
    },
    rewriteWebhookUrl: (url) => url,
    block: (userId, how = 'blocked') => void blocked.set(String(userId), how),
    setWebhookDirect(url) {
      webhook = url === null ? null : { url };
    },
    setWebhookError(message) {
      webhookError = message;
    },
    setDown(d) {
      down = d;
      if (d) for (const s of sockets) s.destroy();
    },
    unblock: (userId) => void blocked.delete(String(userId)),
    failNext(method, failure, times = 1) {
      const list = failures.get(method) ?? [];
      list.push({ failure, times });
      failures.set(method, list);
    },
    setLatency(ms, method) {
      if (method) latency.byMethod.set(method, ms);
      else latency = { ...latency, all: ms };
    },
    setLimits(l) {
      limits = { global: l.globalPerSecond ?? limits.global, perChat: l.perChatPerSecond ?? limits.perChat };
    },
    hold(method) {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const entry = { held, release: () => {
        if (holds.get(method) === entry) holds.delete(method);
        release();
      } };
      holds.set(method, entry);
      return entry.release;
    },
    async pushUpdate(u) {
      const update = withId(u);
      if (!webhook) {
        queue.push(update);
        for (const p of [...pollers]) p();
        return { delivered: false, queued: true };
      }
      const r = await fake.postToWebhook(JSON.stringify(update), webhook.secret_token ?? null);
      return { delivered: true, ...r };
    },
    async postToWebhook(body, secret) {
      if (!webhook) throw new Error('fake-telegram: no webhook is set; call setWebhook first (start the app in webhook mode)');
      const res = await fetch(fake.rewriteWebhookUrl(webhook.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret !== null ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
        body,
      });
      const text = await res.text();
      // A webhook reply: Telegram performs the method given in a 2xx answer's JSON body.
      if (res.ok && (res.headers.get('content-type') ?? '').includes('application/json')) {
        const { method, ...params } = JSON.parse(text) as { method?: unknown };
        if (typeof method === 'string')
          await fetch(`${apiRoot}/bot${token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
      }
      return { status: res.status, body: text };
    },
    get queued() {
      return queue;
    },
    sentTexts: (chatId) => sent.get(String(chatId)) ?? [],
    addFile: (fileId, bytes, path = `photos/file_${files.size}.jpg`) => {
      files.set(fileId, { bytes, path });
    },
    migrateGroup(from, to, byUserId) {
      migrated.set(String(from), to);
      const user = { id: byUserId, is_bot: false, first_name: `Người dùng ${byUserId}` };
      const date = Math.floor(now() / 1000);
      const next = (chat: number): number => {
        const id = (messageIds.get(String(chat)) ?? 0) + 1;
        messageIds.set(String(chat), id);
        return id;
      };
      return [
        { message: { message_id: next(from), date, chat: { id: from, type: 'group', title: 'Nhóm thử' }, from: user, migrate_to_chat_id: to } },
        { message: { message_id: next(to), date, chat: { id: to, type: 'supergroup', title: 'Nhóm thử' }, from: user, migrate_from_chat_id: from } },
      ];
    },
    forum(chatId, topics) {
      forums.set(String(chatId), new Set(topics));
    },
    message(o) {
      const chatId = o.chatId ?? o.userId;
      const topic = o.topic !== undefined ? { message_thread_id: o.topic, is_topic_message: true } : {};
      const group = o.chatType ? o.chatType !== 'private' : chatId < 0;
      const from = { id: o.userId, is_bot: false, first_name: o.firstName ?? `Người dùng ${o.userId}`, language_code: 'vi' };
      const key = String(chatId);
      const messageId = (messageIds.get(key) ?? 0) + 1;
      messageIds.set(key, messageId);
      const entities = o.entities ?? (o.text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: o.text.split(/\s/)[0]!.length }] : undefined);
      return {
        message: {
          message_id: messageId,
          date: Math.floor(now() / 1000),
          chat: group ? { id: chatId, type: o.chatType ?? 'supergroup', title: 'Nhóm thử' } : { id: chatId, type: 'private', first_name: from.first_name },
          from,
          ...topic,
          ...(o.forwardedFrom !== undefined ? { forward_origin: { type: 'hidden_user', sender_user_name: o.forwardedFrom, date: Math.floor(now() / 1000) - 3600 } } : {}),
          text: o.text,
          ...(entities ? { entities } : {}),
          ...(o.replyToBot ? { reply_to_message: { message_id: Math.max(1, messageId - 1), date: Math.floor(now() / 1000), chat: { id: chatId, type: group ? 'supergroup' : 'private' }, from: { id: botId, is_bot: true, first_name: 'Loa', username }, ...topic, text: '…' } } : {}),
        },
      };
    },
    callbackQuery(o) {
      const chatId = o.chatId ?? o.userId;
      return {
        callback_query: {
          id: `cq-${o.userId}-${calls.length}-${Math.random().toString(36).slice(2, 8)}`,
          from: { id: o.userId, is_bot: false, first_name: `Người dùng ${o.userId}` },
          chat_instance: `ci-${chatId}`,
          data: o.data,
          message: {
            message_id: o.messageId ?? messageIds.get(String(chatId)) ?? 1,
            date: Math.floor(now() / 1000),
            chat: { id: chatId, type: chatId < 0 ? 'supergroup' : 'private' },
            from: { id: botId, is_bot: true, first_name: 'Loa', username },
            ...(o.topic !== undefined ? { message_thread_id: o.topic, is_topic_message: true } : {}),
            text: '…',
          },
        },
      };
    },
    myChatMember(o) {
      const user = { id: o.userId, is_bot: false, first_name: `Người dùng ${o.userId}` };
      const bot = { id: botId, is_bot: true, first_name: 'Loa', username };
      const was = o.status === 'kicked' ? 'member' : 'kicked';
      return {
        my_chat_member: {
          chat: { id: o.userId, type: 'private', first_name: user.first_name },
          from: user,
          date: Math.floor(now() / 1000),
          old_chat_member: { status: was, user: bot, ...(was === 'kicked' ? { until_date: 0 } : {}) },
          new_chat_member: { status: o.status, user: bot, ...(o.status === 'kicked' ? { until_date: 0 } : {}) },
        },
      };
    },
    pollAnswer(o) {
      return { poll_answer: { poll_id: o.pollId, user: { id: o.userId, is_bot: false, first_name: `Người dùng ${o.userId}` }, option_ids: o.optionIds } };
    },
    async close() {
      closed = true;
      for (const p of [...pollers]) p();
      for (const h of [...holds.values()]) h.release();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
  return fake;
}
