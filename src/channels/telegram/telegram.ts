/**
 * The Telegram channel (grammY), over long polling or a webhook.
 *
 * Both modes feed one path, {@link TelegramChannel.intake}: parse -> Inbound -> the durable
 * inbox, which stores the event with its dedupe key synchronously. A webhook therefore answers
 * 200 only once the update is on disk, answers at once (processing happens afterwards, in
 * order per chat), and a redelivered update is handled once.
 *
 * Sending renders a {@link Reply} as HTML with inline keyboards (render.ts), goes through
 * grammY and `@grammyjs/auto-retry` with bounded attempts on a worker thread (send-thread.ts),
 * and maps what is left into a {@link SendResult} (errors.ts).
 *
 * @example
 * // app.ts
 * installTelegram(app); // no-op unless TELEGRAM_BOT_TOKEN is set
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Bot, GrammyError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { autoRetry } from '@grammyjs/auto-retry';
import type { Capabilities, Channel, Inbound, Reply, SendOptions, SendResult } from '../channel.js';
import type { TelegramConfig } from '../../config.js';
import type { Db } from '../../db/index.js';
import type { Inbox } from '../../conversation/inbox.js';
import type { ChannelHost } from '../host.js';
import { callbackAction, followChatMigration, recordSentPoll, rememberCallbackAction, sentPollById, sentPollsByRef, stopLiveQuizzesInChat } from '../../db/telegram.js';
import { BODY_LIMIT } from '../../http/server.js';
import { plainFromHtml, renderReply, type TelegramCall } from './render.js';
import { toConnectError, toSendResult } from './errors.js';
import type { ConnectionEvents } from '../connection.js';
import { ALLOWED_UPDATES, ANONYMOUS_ADMIN, GROUP_WELCOME, chatOfKey, createGroupBudget, toInbound, updateSchema, type TelegramUpdate } from './updates.js';
import { GROUP_COMMANDS, PRIVATE_COMMANDS } from './commands.js';
import { createLeanFetch } from './http.js';
import { createSendThread, type SentIds } from './send-thread.js';
import { fetchImage } from '../channel.js';

/** The webhook route on the Fastify server. `TELEGRAM_WEBHOOK_URL` is its public address. */
export const WEBHOOK_PATH = '/webhooks/telegram';

/** What Telegram can render. */
export const telegramCapabilities: Capabilities = {
  groupChats: true,
  buttons: true,
  // Telegram allows up to 100 inline buttons; more than this is unreadable on a phone.
  maxButtons: 20,
  nativeQuizPoll: true,
  maxTextLength: 4096,
  numberedReplies: false,
};

/** Retry policy of API calls (auto-retry). */
export interface RetryPolicy {
  /** Retries of one call after 429 or 5xx. Bounded, so a dead server never holds a send forever. */
  maxRetryAttempts: number;
  /** Longest `retry_after` waited in place; longer ones come back as `retryAfter` for the caller. */
  maxDelaySeconds: number;
}

/** Dependencies of {@link createTelegramChannel}. */
export interface TelegramChannelDeps {
  config: TelegramConfig;
  db: Db;
  /**
   * Where accepted events go: the app's durable inbox. `accept` returns (or resolves to) false
   * for a duplicate, once the event is stored; the app passes {@link Inbox.acceptGrouped}.
   */
  inbox: { accept(inbound: Inbound): boolean | Promise<boolean> };
  logger: Logger;
  /** Clock in ms (group budget). */
  now?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Handled messages per group per window (default 10 a minute, half Telegram's group limit). */
  groupBudget?: { max: number; windowMs: number };
  /** Known bot identity: skips `getMe` (tests). */
  botInfo?: UserFromGetMe;
}

/** What happened to one incoming update. */
export type IntakeResult = 'accepted' | 'duplicate' | 'ignored' | 'not-ready';

/** The Telegram channel. */
export interface TelegramChannel extends Channel {
  readonly name: 'telegram';
  /** The grammY bot (its `api` for tools; its middleware is Loa's intake). */
  readonly bot: Bot;
  /** True once the bot knows who it is (`getMe` done), so mentions can be recognised. */
  readonly ready: boolean;
  /**
   * Turns one update into an inbox event (persisted before this returns) or ignores it. A button
   * press is answered with `answerCallbackQuery`, or through `opts.answerCallback` when given
   * (tests observe it so).
   */
  intake(update: TelegramUpdate, opts?: { answerCallback?: (callbackQueryId: string, text?: string) => void }): Promise<IntakeResult>;
  /** Closes every quiz poll sent for a question ref (when the question's time is up). */
  stopPolls(ref: string): Promise<void>;
}

/** How long one connection call (getMe, setWebhook, deleteWebhook) may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 20_000;

/** grammY types its signal with the abort-controller shim; Node's own works at run time. */
const connectSignal = (): Parameters<Bot['api']['getMe']>[0] => AbortSignal.timeout(CONNECT_TIMEOUT_MS) as unknown as Parameters<Bot['api']['getMe']>[0];

const DEFAULT_RETRY: RetryPolicy = { maxRetryAttempts: 3, maxDelaySeconds: 5 };

/** Creates the channel. Nothing talks to Telegram until `start()` (or a send). */
export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const { config, db, inbox, logger } = deps;
  const now = deps.now ?? (() => Date.now());
  const retry = { ...DEFAULT_RETRY, ...deps.retry };
  const connectContext = { apiRoot: config.apiRoot, token: config.token, webhookUrl: config.webhookUrl, webhookPath: WEBHOOK_PATH };
  const budgetOpts = deps.groupBudget ?? { max: 10, windowMs: 60_000 };
  const groupBudget = createGroupBudget(budgetOpts.max, budgetOpts.windowMs);

  const bot = new Bot(config.token, {
    // Long polls last 30 s; a send that takes a minute is dead, let auto-retry and the caller decide.
    // The lean fetch costs about half node-fetch's CPU per call (http.ts).
    client: { apiRoot: config.apiRoot, timeoutSeconds: 60, fetch: createLeanFetch(config.apiRoot) as unknown as typeof fetch },
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
  });
  // Network errors are rethrown rather than retried: auto-retry retries them without a bound.
  bot.api.config.use(autoRetry({ ...retry, rethrowHttpErrors: true }));
  // Replies, button answers and campaign sends: the same grammY + auto-retry on a worker thread
  // (send-thread.ts), so the event loop is free for webhooks. Campaign sends skip auto-retry: a
  // 429 must reach the campaign throttle at once (as retryAfter) so it can slow the whole lane,
  // instead of being waited out here.
  // Connections per sender thread: a paid broadcast at 1,000/s with a real round trip of
  // ~100 ms keeps ~100 calls in flight, which 2 × 32 sockets would queue (measured against the
  // fake at 100 ms: 0.63 of the limit with 32, 0.98 with 128). The default rate keeps 32.
  const sender = createSendThread({ token: config.token, apiRoot: config.apiRoot, ...retry, maxSockets: Math.max(32, Math.ceil(config.ratePerSecond / 8)) });

  // Group notices sent (welcome, anonymous admin), by update_id (the latest 1,000).
  const welcomed = new Set<number>();
  // sendPoll calls not yet recorded (see intake).
  const pollsInFlight = new Set<Promise<unknown>>();

  const answerCallback = (id: string, text?: string): void => {
    sender.call('answerCallbackQuery', { callback_query_id: id, ...(text ? { text } : {}) }).catch((err: unknown) => logger.debug({ err: describe(err) }, 'Telegram: answerCallbackQuery failed'));
  };

  const intake: TelegramChannel['intake'] = async (update, opts = {}) => {
    if (!bot.isInited()) return 'not-ready';
    const answer = opts.answerCallback ?? answerCallback;
    const convert = (): ReturnType<typeof toInbound> =>
      toInbound(update, {
        botUsername: bot.botInfo.username,
        botId: bot.botInfo.id,
        resolveCallback: (id) => callbackAction(db, id),
        resolvePoll: (pollId) => sentPollById(db, pollId),
      });
    let conv = convert();
    // An answer to a poll whose sendPoll has not come back yet (Telegram answered, the poll is
    // not recorded yet): wait for the polls in flight, then look again, so no vote is lost.
    if (conv.kind === 'ignore' && update.poll_answer && pollsInFlight.size > 0) {
      await Promise.allSettled([...pollsInFlight]);
      conv = convert();
    }
    if (conv.kind === 'migrated') {
      const moved = followChatMigration(db, conv.from, conv.to);
      logger.info({ from: conv.from, to: conv.to, liveQuizzes: moved }, 'Telegram: group became a supergroup');
      return 'ignored';
    }
    if (conv.kind === 'added' || conv.kind === 'anonymous') {
      // Not through the inbox (no person, nothing to store): a redelivered update is recognised here.
      if (welcomed.has(update.update_id)) return 'duplicate';
      // An anonymous admin's commands count against the group's budget like anyone's.
      if (conv.kind === 'anonymous') {
        const key = chatOfKey(conv.chatId);
        if (!groupBudget.allows(key, now())) return 'ignored';
        groupBudget.record(key, now());
      }
      welcomed.add(update.update_id);
      if (welcomed.size > 1000) welcomed.delete(welcomed.values().next().value!);
      const reply = conv.kind === 'added' ? { text: GROUP_WELCOME } : { text: ANONYMOUS_ADMIN, replyTo: String(conv.messageId) };
      void send(conv.chatId, reply).then((r) => {
        if (r.kind !== 'ok') logger.info({ chat: conv.chatId, result: r }, 'Telegram: group notice not sent');
      });
      return 'accepted';
    }
    if (conv.kind === 'removed') {
      const stopped = stopLiveQuizzesInChat(db, conv.chatId);
      logger.info({ chat: conv.chatId, liveQuizzesStopped: stopped }, 'Telegram: bot removed from a group');
      return 'ignored';
    }
    if (conv.kind === 'ignore') {
      logger.debug({ update_id: update.update_id, reason: conv.reason }, 'Telegram: update ignored');
      if (conv.callbackQueryId) answer(conv.callbackQueryId, conv.callbackText);
      return 'ignored';
    }
    const { inbound, callbackQueryId } = conv;
    // The budget counts what people write to the bot in a group. Button presses are exempt: each
    // is a tap on the bot's own message, and an answer in a live group quiz must never be dropped.
    // Per chat, whatever the forum topic: Telegram's 20 messages a minute are per group.
    const groupKey = inbound.group && inbound.type === 'text' && inbound.chatId ? chatOfKey(inbound.chatId) : undefined;
    const at = now();
    if (groupKey !== undefined) {
      if (!groupBudget.allows(groupKey, at)) {
        logger.info({ update_id: update.update_id, chat: groupKey }, 'Telegram: group reply budget used up; message ignored');
        if (callbackQueryId) answer(callbackQueryId);
        return 'ignored';
      }
      // Held while the inbox stores the event, so messages arriving meanwhile see it used.
      groupBudget.record(groupKey, at);
    }
    const fresh = await inbox.accept(inbound);
    if (!fresh) {
      if (groupKey !== undefined) groupBudget.release(groupKey, at);
      return 'duplicate';
    }
    // Stops the button's spinner at once; the answer itself follows as a message.
    if (callbackQueryId) answer(callbackQueryId);
    return 'accepted';
  };

  bot.use(async (ctx) => {
    const parsed = updateSchema.safeParse(ctx.update);
    if (!parsed.success) {
      logger.warn({ update_id: ctx.update.update_id, issues: parsed.error.issues.length }, 'Telegram: malformed update ignored');
      return;
    }
    // Awaited: long polling confirms an offset only after its updates are stored.
    await intake(parsed.data);
  });
  bot.catch((err) => logger.error({ err: err.error, update_id: err.ctx.update.update_id }, 'Telegram: update could not be stored'));

  let polling: Promise<void> | undefined;
  // Where the poll loop reports trouble and recovery once started (the app's connector).
  let connection: ConnectionEvents | undefined;
  // A long poll that fails (the network, 5xx) is retried by grammY every few seconds without a
  // word; this watches its answers so the health check tells the truth meanwhile.
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== 'getUpdates' || !connection) return prev(method, payload, signal);
    try {
      const res = await prev(method, payload, signal);
      if (res.ok) connection.up();
      else if (res.error_code === 429 || res.error_code >= 500)
        connection.trouble(toConnectError('getUpdates', new GrammyError('', res, 'getUpdates', {}), connectContext).reason);
      return res;
    } catch (err) {
      if (!signal?.aborted) connection.trouble(toConnectError('getUpdates', err, connectContext).reason);
      throw err;
    }
  });

  /** Turns an HTML call into its plain-text twin, in place; false when it has no HTML. */
  const asPlainText = (c: TelegramCall): boolean => {
    if (c.method === 'sendMessage' && c.payload.parse_mode === 'HTML') {
      const { parse_mode: _html, ...rest } = c.payload;
      Object.assign(c, { payload: { ...rest, text: plainFromHtml(c.payload.text) } });
      return true;
    }
    if (c.method === 'sendPhoto' && c.payload.parse_mode === 'HTML' && c.payload.caption !== undefined) {
      const { parse_mode: _html, ...rest } = c.payload;
      Object.assign(c, { payload: { ...rest, caption: plainFromHtml(c.payload.caption) } });
      return true;
    }
    return false;
  };

  const send = async (recipient: string, reply: Reply, options?: SendOptions): Promise<SendResult> => {
    const calls = renderReply(recipient, reply, {
      remember: (id, action) => rememberCallbackAction(db, id, action),
      paidBroadcast: Boolean(options?.broadcast && config.paidBroadcast),
    });
    let messageId: number | undefined;
    const direct = Boolean(options?.broadcast);
    const call = async (c: (typeof calls)[number]): Promise<number> => {
      if (c.method !== 'sendPoll') return (await sender.call<SentIds>(c.method, c.payload, { direct })).message_id;
      // `correct_option_id` (single) is what every Bot API version takes; newer typings
      // only list `correct_option_ids`.
      const sent = sender.call<SentIds & { poll: { id: string } }>('sendPoll', c.payload, { direct }).then((m) => {
        recordSentPoll(db, { pollId: m.poll.id, ref: c.ref, chatId: String(m.chat.id), messageId: m.message_id });
        return m;
      });
      pollsInFlight.add(sent);
      return (await sent.finally(() => pollsInFlight.delete(sent))).message_id;
    };
    // Set once a group turns out to have become a supergroup: the rest goes to the new chat id.
    let migratedTo: number | undefined;
    // The messages an earlier attempt delivered are not sent again (a 429 after the first half of
    // a long answer, or after a photo: the retry sent it whole, and the person got it twice).
    let part = Math.min(options?.fromPart ?? 0, calls.length);
    try {
      for (; part < calls.length; part++) {
        const c = calls[part]!;
        if (migratedTo !== undefined) c.payload.chat_id = migratedTo;
        try {
          messageId = await call(c);
        } catch (err) {
          // 400 "group chat was upgraded to a supergroup chat" names the new id: the same call
          // goes there, and a live quiz running in the old chat follows (the service message
          // that announces a migration may have been missed, e.g. while Loa was down).
          // 400 "can't parse entities": our HTML is escaped (render.ts), but a Bot API server
          // may still refuse it; the same message as plain text rather than no answer.
          if (err instanceof GrammyError && err.error_code === 400 && /can't parse entities/i.test(err.description) && asPlainText(c)) {
            logger.warn({ method: c.method, description: err.description }, 'Telegram: HTML refused; sending as plain text');
            messageId = await call(c);
            continue;
          }
          const to = err instanceof GrammyError ? err.parameters.migrate_to_chat_id : undefined;
          if (to === undefined || migratedTo !== undefined) throw err;
          migratedTo = to;
          const moved = followChatMigration(db, String(c.payload.chat_id), String(to));
          logger.info({ from: c.payload.chat_id, to, liveQuizzes: moved }, 'Telegram: group became a supergroup; sending there');
          c.payload.chat_id = to;
          messageId = await call(c);
        }
      }
    } catch (err) {
      const refused = toSendResult(err);
      const result = refused.kind === 'retryAfter' && part > 0 ? { ...refused, partsSent: part } : refused;
      logger.info({ method: (err as { method?: string }).method, result }, 'Telegram: send did not go through');
      return result;
    }
    return messageId === undefined ? { kind: 'ok' } : { kind: 'ok', messageId: String(messageId) };
  };

  return {
    name: 'telegram',
    capabilities: telegramCapabilities,
    bot,
    get ready() {
      return bot.isInited();
    },
    intake,
    send,
    warm: () => sender.ready(),
    publicLink: () => (bot.isInited() && bot.botInfo.username ? `https://t.me/${bot.botInfo.username}` : undefined),
    async fetchMedia(ref, maxBytes) {
      // getFile gives a path on the Bot API's file server, valid for an hour (bots may download up to 20 MB).
      const file = await bot.api.getFile(ref).catch((err: unknown) => {
        logger.info({ err: describe(err) }, 'Telegram: getFile failed');
        return null;
      });
      if (!file?.file_path || (file.file_size ?? 0) > maxBytes) return null;
      return fetchImage(`${config.apiRoot}/file/bot${config.token}/${file.file_path}`, maxBytes);
    },
    async stopPolls(ref) {
      for (const p of sentPollsByRef(db, ref)) {
        await bot.api.stopPoll(p.chatId, p.messageId).catch((err: unknown) => logger.info({ err: describe(err), ref }, 'Telegram: stopPoll failed'));
      }
    },
    async start(events) {
      sender.warm();
      connection = events;
      const ctx = connectContext;
      if (!bot.isInited()) {
        // One bounded call, not `bot.init()`: grammY retries a network failure there forever
        // and silently. The app retries this start with backoff and says why (connection.ts).
        try {
          bot.botInfo = await bot.api.getMe(connectSignal());
        } catch (err) {
          throw toConnectError('getMe', err, ctx);
        }
      }
      try {
        await bot.api.setMyCommands([...PRIVATE_COMMANDS]);
        await bot.api.setMyCommands([...GROUP_COMMANDS], { scope: { type: 'all_group_chats' } });
        // One menu, in Vietnamese (with /en), for every app language. Telegram has no Vietnamese
        // interface, so most Vietnamese citizens' apps are set to English: a menu registered for
        // 'en' would show them English. Menus an earlier version registered for 'en' are removed.
        await bot.api.deleteMyCommands({ language_code: 'en' });
        await bot.api.deleteMyCommands({ scope: { type: 'all_group_chats' }, language_code: 'en' });
      } catch (err) {
        // The menu is a convenience; the commands work without it.
        logger.warn({ err: describe(err) }, 'Telegram: setMyCommands failed; the command menu may be out of date');
      }
      if (config.mode === 'webhook') {
        try {
          await bot.api.setWebhook(
            config.webhookUrl!,
            { secret_token: config.webhookSecret, allowed_updates: [...ALLOWED_UPDATES], max_connections: 40 },
            connectSignal(),
          );
        } catch (err) {
          throw toConnectError('setWebhook', err, ctx);
        }
        logger.info({ username: bot.botInfo.username, mode: 'webhook' }, 'Telegram: webhook set');
        return;
      }
      if (polling) return;
      // getUpdates cannot run while a webhook is set. bot.start() deletes it too, but retries
      // that call without a bound; this one fails fast and the app retries.
      try {
        await bot.api.deleteWebhook({}, connectSignal());
      } catch (err) {
        throw toConnectError('deleteWebhook', err, ctx);
      }
      await new Promise<void>((resolve, reject) => {
        let started = false;
        polling = bot
          .start({
            allowed_updates: [...ALLOWED_UPDATES],
            onStart: () => {
              started = true;
              resolve();
            },
          })
          .catch((err: unknown) => {
            const e = toConnectError('getUpdates', err, ctx);
            if (!started) reject(e);
            else {
              logger.error({ err: e.message }, 'Telegram: long polling stopped on an error');
              connection?.lost(e);
            }
          })
          .finally(() => {
            polling = undefined;
          });
      });
      logger.info({ username: bot.botInfo.username, mode: 'polling' }, 'Telegram: long polling');
    },
    async stop() {
      connection = undefined;
      if (polling) {
        // Confirms the last offset, so the updates already stored are not fetched again.
        await bot.stop().catch((err: unknown) => logger.warn({ err: describe(err) }, 'Telegram: could not confirm the last update offset'));
        await polling;
        polling = undefined;
      }
      await sender.close();
    },
  };
}

/** Compares the secret header in constant time. */
export function secretMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Registers `POST /webhooks/telegram`:
 * - 401 for a wrong or missing secret header, checked before the body is even read;
 * - 413 over 1 MB; 400 for a body that is not a Telegram update;
 * - 200 once the update is stored (or recognised as a duplicate, or deliberately ignored). A
 *   button press is answered with an `answerCallbackQuery` call, not in this response (a
 *   "webhook reply"): its outcome is then known, and every Bot API server performs it.
 * - 503 before the bot knows who it is, so Telegram delivers again a moment later.
 */
export function registerTelegramWebhook(server: FastifyInstance, channel: TelegramChannel, secret: string): void {
  server.post(
    WEBHOOK_PATH,
    {
      bodyLimit: BODY_LIMIT,
      onRequest: async (req, reply) => {
        if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'], secret))
          return reply.code(401).send({ ok: false, error: 'Telegram: wrong or missing X-Telegram-Bot-Api-Secret-Token' });
      },
    },
    async (req, reply) => {
      const parsed = updateSchema.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send({ ok: false, error: 'Telegram: the body is not a Telegram update' });
      const result = await channel.intake(parsed.data);
      if (result === 'not-ready') return reply.code(503).send({ ok: false, error: 'Telegram: starting; deliver again' });
      return reply.send({ ok: true });
    },
  );
}

/**
 * Builds the Telegram channel when `TELEGRAM_BOT_TOKEN` is set (app.ts adds it to the channels,
 * and the app starts and stops it) and, in webhook mode, registers the webhook route.
 */
export function installTelegram(app: ChannelHost, overrides: Partial<Omit<TelegramChannelDeps, 'config' | 'db' | 'inbox'>> = {}): TelegramChannel | undefined {
  const config = app.config.telegram;
  if (!config) return undefined;
  const channel = createTelegramChannel({
    config,
    db: app.db,
    // Updates arriving together share one commit; each webhook still answers only once its update is stored.
    inbox: { accept: (inbound) => app.inbox.acceptGrouped(inbound) },
    logger: app.logger.child({ channel: 'telegram' }),
    ...overrides,
  });
  if (config.mode === 'webhook') registerTelegramWebhook(app.server, channel, config.webhookSecret!);
  return channel;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
