/**
 * The Zalo OA channel: renders a Reply (render.ts), sends it through the OA client under the
 * app's rate limit, and maps every failure into a SendResult (errors.ts). It never throws for
 * platform errors: the outbox and the inbox decide what to do with the result.
 */
import type { Logger } from 'pino';
import type { Capabilities, Channel, Reply, SendOptions, SendResult } from '../channel.js';
import type { ZaloClient, ZaloMessage } from './client.js';
import { ZaloApiError, toSendResult } from './errors.js';
import { ZALO_MAX_BUTTONS, ZALO_MAX_TEXT, renderReply, withoutButtons } from './render.js';

/** What Zalo OA renders: up to 5 buttons (disputed on v3, so numbered replies always work too). */
export const zaloCapabilities: Capabilities = {
  buttons: true,
  maxButtons: ZALO_MAX_BUTTONS,
  nativeQuizPoll: false,
  maxTextLength: ZALO_MAX_TEXT,
  numberedReplies: true,
};

/** Dependencies of {@link createZaloChannel}. */
export interface ZaloChannelDeps {
  client: Pick<ZaloClient, 'sendMessage'>;
  /** The app's request budget per minute (Zalo allows about 4000; keep a margin). */
  ratePerMinute: number;
  logger?: Logger;
  now?: () => Date;
  /** Waits for the rate limiter (tests inject a clock-driven one). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A token bucket holding one second's worth of the per-minute budget, so a burst of replies
 * goes out at once and a campaign is spread evenly.
 */
export function createRateLimiter(ratePerMinute: number, now: () => number): { take(): number } {
  const perMs = ratePerMinute / 60_000;
  const capacity = Math.max(1, ratePerMinute / 60);
  let tokens = capacity;
  let last = now();
  return {
    /** Takes a slot; returns 0 when it is free now, else the ms to wait (the slot is not taken). */
    take() {
      const t = now();
      tokens = Math.min(capacity, tokens + (t - last) * perMs);
      last = t;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - tokens) / perMs);
    },
  };
}

/**
 * Creates the channel.
 *
 * @example app.channels.set('zalo', createZaloChannel({ client, ratePerMinute: 3000 }));
 */
export function createZaloChannel(deps: ZaloChannelDeps): Channel {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const limiter = createRateLimiter(deps.ratePerMinute, () => now().getTime());
  // Set once Zalo refuses a button template (-201): from then on only numbered text is sent.
  let buttonsRefused = false;

  /** Waits for a slot; a broadcast never waits: it is told when to come back. */
  const slot = async (broadcast: boolean): Promise<SendResult | null> => {
    for (;;) {
      const wait = limiter.take();
      if (wait === 0) return null;
      if (broadcast) return { kind: 'retryAfter', seconds: Math.max(1, Math.ceil(wait / 1000)), reason: 'Zalo: local rate limit (ZALO_RATE_PER_MINUTE)' };
      await sleep(wait);
    }
  };

  const sendOne = async (recipient: string, message: ZaloMessage, broadcast: boolean): Promise<SendResult> => {
    const throttled = await slot(broadcast);
    if (throttled) return throttled;
    try {
      const { messageId } = await deps.client.sendMessage(recipient, message);
      return { kind: 'ok', messageId };
    } catch (err) {
      const plain = withoutButtons(message);
      if (err instanceof ZaloApiError && err.code === -201 && plain !== message && !buttonsRefused) {
        buttonsRefused = true;
        deps.logger?.warn('zalo: button templates refused (-201); sending numbered text choices only from now on');
        if (!plain) return { kind: 'ok' };
        return sendOne(recipient, plain, broadcast);
      }
      const result = toSendResult(err, now());
      deps.logger?.info({ result: result.kind, reason: 'reason' in result ? result.reason : undefined }, 'zalo: send not delivered');
      return result;
    }
  };

  return {
    name: 'zalo',
    capabilities: zaloCapabilities,
    async send(recipient: string, reply: Reply, options: SendOptions = {}): Promise<SendResult> {
      let last: SendResult = { kind: 'ok' };
      for (const message of renderReply(reply, { buttons: !buttonsRefused })) {
        const msg = buttonsRefused ? withoutButtons(message) : message;
        if (!msg) continue;
        last = await sendOne(recipient, msg, options.broadcast === true);
        if (last.kind !== 'ok') return last;
      }
      return last;
    },
  };
}
