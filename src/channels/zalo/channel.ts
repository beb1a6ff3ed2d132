/**
 * The Zalo OA channel: renders a Reply (render.ts), sends it through the OA client, and maps
 * every failure into a SendResult (errors.ts). It never throws for platform errors: the outbox
 * and the inbox decide what to do with the result.
 *
 * It does not count requests itself. Zalo's budget (`ZALO_RATE_PER_MINUTE`) is kept by one
 * limiter, the channel throttle (sender/sender.ts `createChannelThrottles`), which every
 * Zalo send passes before it reaches here: replies and quiz pushes (the sender), answer
 * notices and campaigns (the outbox, the sender's campaign lane), replies first. A second limiter here used to count the
 * same budget again and could refuse a send the throttle had just granted.
 */
import type { Logger } from 'pino';
import type { Capabilities, Channel, Reply, SendOptions, SendResult } from '../channel.js';
import type { ConnectionEvents } from '../connection.js';
import { fetchImage } from '../channel.js';
import type { ZaloClient, ZaloMessage } from './client.js';
import { ZaloApiError, channelProblem, toConnectError, toSendResult } from './errors.js';
import { ZALO_MAX_BUTTONS, ZALO_MAX_TEXT, renderReply, withoutButtons } from './render.js';

/** What Zalo OA renders: up to 5 buttons (disputed on v3, so numbered replies always work too). */
export const zaloCapabilities: Capabilities = {
  buttons: true,
  maxButtons: ZALO_MAX_BUTTONS,
  nativeQuizPoll: false,
  maxTextLength: ZALO_MAX_TEXT,
  numberedReplies: true,
  contactWindowDays: 7,
};

/** Dependencies of {@link createZaloChannel}. */
export interface ZaloChannelDeps {
  client: Pick<ZaloClient, 'sendMessage'> & Partial<Pick<ZaloClient, 'getOa'>>;
  /** ZALO_API_BASE, named in the reasons staff read. */
  apiBase?: string;
  /** ZALO_OA_ID when set: the OA's public page (`publicLink`) before `getOa` has answered. */
  oaId?: string;
  logger?: Logger;
  /** Clock for the night rule's retry time (errors.ts). */
  now?: () => Date;
}

/** The Zalo channel, with what the OAuth callback tells it. */
export interface ZaloChannel extends Channel {
  /**
   * A new token pair was just issued by Zalo (`loa zalo connect` finished through this server):
   * a "failed" state from a dead pair is cleared at once, not at the next check minutes later.
   */
  tokensReplaced(): void;
}

/**
 * Creates the channel.
 *
 * @example app.channels.set('zalo', createZaloChannel({ client, logger }));
 */
export function createZaloChannel(deps: ZaloChannelDeps): ZaloChannel {
  const now = deps.now ?? (() => new Date());
  // Set once Zalo refuses a button template (-201): from then on only numbered text is sent.
  let buttonsRefused = false;
  // Where a send that finds the whole OA refused (dead token, quota) is reported: the
  // dashboard and /healthz, so staff see why citizens get no answer (a log line alone went unseen).
  let events: ConnectionEvents | undefined;
  // The OA's id, from ZALO_OA_ID or from getOa once the token works: its page is zalo.me/<id>.
  let oaId = deps.oaId;

  const sendOne = async (recipient: string, message: ZaloMessage): Promise<SendResult> => {
    try {
      const { messageId } = await deps.client.sendMessage(recipient, message);
      events?.up();
      return { kind: 'ok', messageId };
    } catch (err) {
      const plain = withoutButtons(message);
      if (err instanceof ZaloApiError && err.code === -201 && plain !== message && !buttonsRefused) {
        buttonsRefused = true;
        deps.logger?.warn('zalo: button templates refused (-201); sending numbered text choices only from now on');
        if (!plain) return { kind: 'ok' };
        return sendOne(recipient, plain);
      }
      const result = toSendResult(err, now());
      deps.logger?.info({ result: result.kind, reason: 'reason' in result ? result.reason : undefined }, 'zalo: send not delivered');
      const problem = channelProblem(err, deps.apiBase ?? 'ZALO_API_BASE');
      if (problem?.kind === 'lost') events?.lost(problem.error);
      else if (problem?.kind === 'trouble') events?.trouble(problem.reason);
      return result;
    }
  };

  return {
    name: 'zalo',
    capabilities: zaloCapabilities,
    // A Zalo image event carries the image's CDN URL as its reference (webhook.ts, from a signed
    // webhook). Only an https URL with a host name is fetched: never an IP literal or localhost.
    async fetchMedia(ref, maxBytes) {
      let url: URL;
      try {
        url = new URL(ref);
      } catch {
        return null;
      }
      if (url.protocol !== 'https:' || /^(localhost|\[.*\]|[\d.]+)$/i.test(url.hostname)) return null;
      return fetchImage(url.href, maxBytes);
    },
    /**
     * Checks the OA for real: a valid access token (refreshed if due) and one cheap call with
     * it. Zalo pushes events to the webhook, so there is nothing else to start. Later sends
     * report through `connection` when the whole OA is refused ({@link channelProblem}).
     */
    async start(connection) {
      events = connection;
      if (!deps.client.getOa) return;
      try {
        const oa = await deps.client.getOa();
        deps.logger?.info({ oaId: oa.oaId, name: oa.name }, 'zalo: OA token works');
        if (oa.oaId) oaId = oa.oaId;
      } catch (err) {
        throw toConnectError(err, deps.apiBase ?? 'ZALO_API_BASE');
      }
    },
    publicLink: () => (oaId && /^\d{1,25}$/.test(oaId) ? `https://zalo.me/${oaId}` : undefined),
    tokensReplaced() {
      events?.up();
    },
    async send(recipient: string, reply: Reply, options?: SendOptions): Promise<SendResult> {
      let last: SendResult = { kind: 'ok' };
      const messages = renderReply(reply, { buttons: !buttonsRefused });
      // Messages an earlier attempt delivered are skipped: a retry after the first of two sent
      // the first again.
      for (let i = Math.min(options?.fromPart ?? 0, messages.length); i < messages.length; i++) {
        const msg = buttonsRefused ? withoutButtons(messages[i]!) : messages[i]!;
        if (!msg) continue;
        last = await sendOne(recipient, msg);
        if (last.kind === 'retryAfter' && i > 0) return { ...last, partsSent: i };
        if (last.kind !== 'ok') return last;
      }
      return last;
    },
  };
}
