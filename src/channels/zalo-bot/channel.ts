/**
 * The Zalo Bot platform channel (a bot made with Zalo Bot Creator, no Official Account needed),
 * over long polling or a webhook.
 *
 * Both modes feed one path, {@link ZaloBotChannel.intake}: parse -> Inbound -> the durable
 * inbox, which stores the event under `zb:<message_id>` before anything else happens. A
 * webhook therefore answers 200 only once the update is on disk, and a redelivered update is
 * handled once. The poll loop stores each update before it asks for the next one: the
 * platform has no offset to confirm, it hands an update out once.
 *
 * Sending renders a {@link Reply} as plain text with numbered choices (render.ts), calls the
 * Bot API (client.ts) and maps what fails into a {@link SendResult} (errors.ts). The channel does
 * not count requests: its rate limit is the channel throttle of the one sender
 * (sender/sender.ts `createChannelThrottles`, `ZALO_BOT_RATE_*`).
 *
 * @example
 * const channel = createZaloBotChannel({ config, client, inbox: app.inbox, logger });
 * await channel.start(events); // getMe, then setWebhook or deleteWebhook + the poll loop
 */
import type { Logger } from 'pino';
import type { Capabilities, Channel, Inbound, Reply, SendOptions, SendResult } from '../channel.js';
import type { ZaloBotConfig } from '../../config.js';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions, type ConnectionEvents } from '../connection.js';
import type { ZaloBotClient, ZaloBotInfo } from './client.js';
import { ZaloBotApiError, toConnectError, toSendResult, type ConnectContext } from './errors.js';
import { ZALO_BOT_MAX_TEXT, renderReply } from './render.js';
import { readUpdates, toInbound, type ZaloBotUpdate } from './updates.js';

/** The webhook route on the Fastify server; `ZALO_BOT_WEBHOOK_URL` is its public address. */
export const ZALO_BOT_WEBHOOK_PATH = '/webhooks/zalo-bot';

/**
 * What the Zalo Bot platform renders: plain text of up to 2,000 characters, no buttons and no
 * polls (choices are numbered and answered by typing the number), pushes to anyone who has
 * written to the bot, no contact window documented. Groups exist (`chat_type: GROUP`) but
 * a bot answers there only `/hoi`: no live group quizzes, which need native polls or buttons.
 */
export const zaloBotCapabilities: Capabilities = {
  buttons: false,
  // How many numbered choices one message lists.
  maxButtons: 10,
  nativeQuizPoll: false,
  maxTextLength: ZALO_BOT_MAX_TEXT,
  numberedReplies: true,
  canPush: true,
  groupChats: false,
};

/** What happened to one incoming update. */
export type IntakeResult = 'accepted' | 'duplicate' | 'ignored';

/** Dependencies of {@link createZaloBotChannel}. */
export interface ZaloBotChannelDeps {
  config: ZaloBotConfig;
  client: ZaloBotClient;
  /**
   * Where accepted events go: the app's durable inbox. `accept` resolves to false for a
   * duplicate, once the event is stored; the app passes {@link Inbox.acceptGrouped}.
   */
  inbox: { accept(inbound: Inbound): boolean | Promise<boolean> };
  logger: Logger;
  /** Seconds one long poll waits for an update (default 30, the platform's default). */
  pollTimeoutSeconds?: number;
  /** Waits between failed polls (default 1 s doubling to 5 min; tests shorten it). */
  backoff?: Partial<BackoffOptions>;
}

/** The Zalo Bot channel. */
export interface ZaloBotChannel extends Channel {
  readonly name: 'zalo-bot';
  /** Who the bot is, once `getMe` has answered. */
  readonly botInfo: ZaloBotInfo | undefined;
  /** Turns one update into an inbox event (persisted before this resolves) or ignores it. */
  intake(update: ZaloBotUpdate): Promise<IntakeResult>;
  /** True while the poll loop runs. */
  readonly polling: boolean;
}

/** Creates the channel. Nothing talks to the platform until `start()` (or a send). */
export function createZaloBotChannel(deps: ZaloBotChannelDeps): ZaloBotChannel {
  const { config, client, inbox, logger } = deps;
  const pollTimeout = deps.pollTimeoutSeconds ?? 30;
  const backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
  const ctx: ConnectContext = { apiRoot: config.apiRoot, token: config.token, webhookUrl: config.webhookUrl, webhookPath: ZALO_BOT_WEBHOOK_PATH };
  let botInfo: ZaloBotInfo | undefined;
  let loop: Promise<void> | undefined;
  let abort: AbortController | undefined;

  const intake: ZaloBotChannel['intake'] = async (update) => {
    const conv = toInbound(update);
    if (conv.kind === 'ignore') {
      logger.debug({ message_id: update.message.message_id, reason: conv.reason }, 'zalo-bot: update ignored');
      return 'ignored';
    }
    return (await inbox.accept(conv.inbound)) ? 'accepted' : 'duplicate';
  };

  /** Waits `ms`, or less if the loop is stopped meanwhile. */
  const pause = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });

  /**
   * Polls until stopped: one update per answer (408 when none came), each stored before the
   * next poll; a failed poll reports trouble and waits the backoff; a refused token ends the
   * loop (`lost`, a permanent failure the app shows staff).
   */
  const pollLoop = async (events: ConnectionEvents | undefined, signal: AbortSignal): Promise<void> => {
    let failures = 0;
    while (!signal.aborted) {
      let result: unknown;
      try {
        result = await client.getUpdates(pollTimeout, signal);
      } catch (err) {
        if (signal.aborted) return;
        const ce = toConnectError(err, ctx);
        // A refused token never heals by itself; a webhook set meanwhile (400) is cleared by starting again.
        if (err instanceof ZaloBotApiError && (ce.permanent || err.errorCode === 400 || err.errorCode === 409)) {
          logger.error({ err: ce.message }, 'zalo-bot: long polling stopped');
          events?.lost(ce);
          return;
        }
        failures++;
        const wait = backoffDelay(failures, backoff);
        logger.warn({ attempt: failures, retryInMs: wait, err: ce.message }, 'zalo-bot: getUpdates failed; polling again after a pause');
        events?.trouble(ce.reason);
        await pause(wait, signal);
        continue;
      }
      failures = 0;
      events?.up();
      if (result === null || result === undefined) continue;
      const updates = readUpdates(result);
      if (!updates) {
        logger.warn({ keys: result && typeof result === 'object' ? Object.keys(result) : typeof result }, 'zalo-bot: update not understood; skipped');
        continue;
      }
      for (const u of updates) {
        try {
          await intake(u);
        } catch (err) {
          logger.error({ err, message_id: u.message.message_id }, 'zalo-bot: update could not be stored');
        }
      }
    }
  };

  const send = async (recipient: string, reply: Reply, options?: SendOptions): Promise<SendResult> => {
    let messageId: string | undefined;
    const calls = renderReply(recipient, reply);
    // Messages an earlier attempt delivered are skipped (a retry after the first of two sent it again).
    let part = Math.min(options?.fromPart ?? 0, calls.length);
    try {
      for (; part < calls.length; part++) {
        const c = calls[part]!;
        const sent = c.method === 'sendMessage' ? await client.sendMessage(c.payload.chat_id, c.payload.text) : await client.sendPhoto(c.payload.chat_id, c.payload.photo, c.payload.caption);
        messageId = sent.message_id ?? messageId;
      }
    } catch (err) {
      const refused = toSendResult(err);
      const result = refused.kind === 'retryAfter' && part > 0 ? { ...refused, partsSent: part } : refused;
      logger.info({ result: result.kind, reason: 'reason' in result ? result.reason : undefined }, 'zalo-bot: send not delivered');
      return result;
    }
    return messageId === undefined ? { kind: 'ok' } : { kind: 'ok', messageId };
  };

  return {
    name: 'zalo-bot',
    capabilities: zaloBotCapabilities,
    get botInfo() {
      return botInfo;
    },
    get polling() {
      return loop !== undefined;
    },
    intake,
    send,
    async start(events) {
      if (!botInfo) {
        try {
          botInfo = await client.getMe();
        } catch (err) {
          throw toConnectError(err, ctx);
        }
      }
      if (config.mode === 'webhook') {
        try {
          await client.setWebhook(config.webhookUrl!, config.webhookSecret!);
        } catch (err) {
          throw toConnectError(err, ctx);
        }
        logger.info({ bot: botInfo.account_name ?? botInfo.id, mode: 'webhook' }, 'zalo-bot: webhook set');
        return;
      }
      if (loop) return;
      // getUpdates does not work while a webhook is set.
      try {
        await client.deleteWebhook();
      } catch (err) {
        throw toConnectError(err, ctx);
      }
      abort = new AbortController();
      const signal = abort.signal;
      loop = pollLoop(events, signal).finally(() => {
        loop = undefined;
      });
      logger.info({ bot: botInfo.account_name ?? botInfo.id, mode: 'polling' }, 'zalo-bot: long polling');
    },
    async stop() {
      abort?.abort();
      await loop;
    },
  };
}
