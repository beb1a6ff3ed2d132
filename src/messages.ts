/**
 * The message model: what the core (`conversation/`, `quiz/`, `campaigns/`, `sender/`) and the
 * store (`db/`) speak, and what every channel adapter turns its platform into and out of.
 *
 * It belongs to no channel: a person's message arrives as an {@link Inbound} event, the bot
 * answers with {@link Reply} values, each channel renders a `Reply` the best way it can
 * (buttons, numbered text, native quiz polls) within its {@link Capabilities}, and maps its own
 * errors into a {@link SendResult}, which the sender (`sender/sender.ts`) relies on. The adapter
 * interface itself (`Channel`) is in channels/channel.ts.
 */

/**
 * The channels Loa speaks on: `zalo` is a Zalo Official Account (OA API v3), `zalo-bot` a bot
 * of the Zalo Bot platform (channels/zalo-bot/). A new platform adds a name here.
 */
export type ChannelName = 'web' | 'telegram' | 'zalo' | 'zalo-bot';

/** All channel names, for validation and iteration. */
export const CHANNEL_NAMES: readonly ChannelName[] = ['web', 'telegram', 'zalo', 'zalo-bot'];

/**
 * A choice the user can make. `action` is a short ASCII id (never Vietnamese text) such as
 * `qa:bhyt-tre-em` or `topic:ho-tich`: Telegram's `callback_data` allows only 64 bytes.
 */
export interface Button {
  label: string;
  action: string;
  /**
   * A layout hint: adjacent buttons with the same `row` share one row where the channel lays
   * buttons out in rows (Telegram's inline keyboard, e.g. 👍 and 👎 side by side). Channels
   * that number their choices ignore it.
   */
  row?: string;
}

/** A link shown with a reply (campaign links, "read the whole article"). */
export interface LinkButton {
  label: string;
  url: string;
}

/**
 * A quiz question the channel may render natively (Telegram quiz poll). Channels without
 * native polls render `buttons` plus numbered text instead, so `buttons` is always set too.
 */
export interface QuizPoll {
  /** Our own id for the question inside the attempt, echoed back in the answer event. */
  ref: string;
  question: string;
  options: string[];
  correctOptionId: number;
  /** Seconds the poll stays open (Telegram: 5–600). */
  openPeriod?: number;
  explanation?: string;
}

/**
 * One message from the bot, in platform-neutral form. `text` is plain text (no markup): each
 * channel escapes it for its own format. Bold spans are marked by the `title` field instead.
 */
export interface Reply {
  /** Optional heading, rendered bold where the channel can. */
  title?: string;
  text: string;
  buttons?: Button[];
  links?: LinkButton[];
  /** Public URL of an image to show with the text. */
  imageUrl?: string;
  /** When set and the channel supports it, the reply is sent as a native quiz poll. */
  poll?: QuizPoll;
  /**
   * Told back by the sender once this message is delivered (its `delivered` event), so the core
   * can count from when the person could see it rather than from when it was queued: a quiz
   * question's clock (`qa:<attempt>:<n>`). Channels do not render it.
   */
  deliveryRef?: string;
  /**
   * The platform id of a message in the same chat this one answers (Telegram: `reply_parameters`):
   * in a group, the answer quotes the question, so members see whose question it answers.
   */
  replyTo?: string;
  /**
   * Seconds left to answer (a timed quiz question), as of when the reply was made: a channel
   * that can show a running clock does (the web chat); others rely on the text.
   */
  countdown?: number;
  /**
   * The language of the reply (absent: Vietnamese): a channel that adds words of its own (the
   * numbered choices' "Type 1 or 2 to choose") writes them in it.
   */
  lang?: 'vi' | 'en';
}

/** What a channel can render; the core degrades gracefully for the rest. */
export interface Capabilities {
  /** Clickable reply buttons. Where false, choices are only numbered text. */
  buttons: boolean;
  /** Most buttons in one message (Zalo: 5). */
  maxButtons: number;
  /** Native quiz polls (Telegram). */
  nativeQuizPoll: boolean;
  /** Most characters in one text message (Telegram 4096, Zalo 2000). */
  maxTextLength: number;
  /** Whether the user can answer a choice by typing its number. */
  numberedReplies: boolean;
  /**
   * Whether the bot can write to a person unasked (a campaign, an answer notice, the next quiz
   * question). False for the web chat, which answers only in its HTTP responses: the sender
   * keeps such messages `held` until the person comes back. Default true.
   */
  canPush?: boolean;
  /** Group chats where several people answer one message (Telegram groups): live group quizzes. Default false. */
  groupChats?: boolean;
  /**
   * Days after a person's last message in which the platform lets the bot write to them (Zalo
   * OA's consultation window: 7); absent, no such window.
   */
  contactWindowDays?: number;
}

/**
 * The result of one send, classified so the caller knows what to do next (courier style):
 * - `ok`: delivered, with the platform's message id;
 * - `retryAfter`: throttled or a transient failure; try again after `seconds`;
 * - `gone`: the person blocked the bot, unfollowed or was deactivated; never retry;
 * - `outsideWindow`: Zalo's 7-day rule forbids the message; recorded, not retried;
 * - `failed`: permanent for this message, with a reason for staff.
 */
export type SendResult =
  | { kind: 'ok'; messageId?: string }
  | {
      kind: 'retryAfter';
      seconds: number;
      reason?: string;
      /**
       * The platform asked the whole channel to slow down (Telegram 429, Zalo -32 and its night
       * rule): the channel's throttle pauses for `seconds`. Without it (a 5xx, a network error)
       * only this message waits, and everyone else's replies keep flowing.
       */
      rateLimited?: boolean;
      /**
       * How many of the reply's messages (a long text split in two, a photo and its text) went
       * through before this one was refused, counting those skipped by `fromPart`: the retry
       * starts after them, so nobody gets the first half twice.
       */
      partsSent?: number;
    }
  | { kind: 'gone'; reason: string }
  | { kind: 'outsideWindow'; reason?: string }
  | { kind: 'failed'; reason: string };

/** Options of one send. */
export interface SendOptions {
  /** Campaign sends use the platform's bulk lanes (e.g. Telegram paid broadcast). */
  broadcast?: boolean;
  /** Messages of this reply an earlier attempt already delivered (its `partsSent`): skipped. */
  fromPart?: number;
}

/**
 * A picture a person sent (a screenshot they report): the platform's own reference to it (a
 * Telegram `file_id`, a Zalo image URL), never the bytes, so nothing large is stored.
 */
export interface MediaRef {
  kind: 'image';
  /** The platform reference, at most {@link MAX_MEDIA_REF} characters. */
  ref: string;
  /**
   * The file's identity when the platform gives one that stays the same for every copy (Telegram's
   * `file_unique_id`; its `file_id` differs between two people forwarding one picture): what
   * reports of one screenshot are grouped by. Not usable to fetch the file.
   */
  key?: string;
  /** Text sent with the picture, if any. */
  caption?: string;
}

/** Longest media reference kept (a longer one is dropped: no platform sends one). */
export const MAX_MEDIA_REF = 1000;

/** Fields every inbound event has. */
interface InboundBase {
  channel: ChannelName;
  /** The person's id on that channel (Telegram user id, Zalo user id, web session id), as a string. */
  userId: string;
  /** Where replies go; defaults to `userId` (differs in Telegram groups). */
  chatId?: string;
  /** True when the message comes from a group chat. */
  group?: boolean;
  /**
   * True when the person passed on a message from elsewhere (Telegram's forward) instead of
   * writing it: a post they saw, which may be a rumour to report, not their own question.
   */
  forwarded?: boolean;
  /** The platform's id of the message, when a group answer may quote it ({@link Reply.replyTo}). */
  messageId?: string;
  displayName?: string;
  /** Platform-unique key of this event, used to handle a duplicate delivery once. */
  dedupeKey: string;
  /**
   * Where a client that has no account behind it came from (the web chat: a short keyed digest of
   * its network address, db/web-source.ts; never the address): what tells two of its sessions
   * apart from two people, e.g. in a rumour case's reporter count. Absent for platform accounts.
   */
  source?: string;
  /** When the platform says the event happened. */
  at?: Date;
  /**
   * The language the client says the person reads, when it knows before the person wrote
   * anything (the web widget: the browser's language, sent for a new visitor). It sets the
   * person's language only while they have none of their own (never chosen with /en or /vi, no
   * question asked yet); a typed question's own language still wins.
   */
  lang?: 'vi' | 'en';
}

/** A platform-neutral inbound event. */
export type Inbound = InboundBase &
  (
    | { type: 'text'; text: string }
    | { type: 'action'; action: string }
    | { type: 'quizAnswer'; pollId: string; optionIds: number[] }
    | { type: 'follow' }
    | { type: 'unfollow' }
    | { type: 'blocked' }
    | { type: 'unblocked' }
    | { type: 'unsupported'; what: string; media?: MediaRef }
  );

/** The `type` values of {@link Inbound}. */
export type InboundType = Inbound['type'];

/**
 * The `what` of an `unsupported` Inbound for a message the person edited after sending it
 * (Telegram's `edited_message`): it is not read again, and the person is told to send it anew.
 */
export const EDITED = 'edited';

/**
 * Splits text into chunks of at most `max` characters, preferring paragraph breaks, then line
 * breaks, then sentence ends, then spaces. Shared by every channel (Telegram 4096, Zalo 2000).
 *
 * @example splitText('a\n\nb', 3) // ['a', 'b']
 */
export function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = -1;
    for (const sep of ['\n\n', '\n', '. ', ' ']) {
      const at = window.lastIndexOf(sep);
      if (at > max * 0.3) {
        cut = at + (sep === '. ' ? 1 : 0);
        break;
      }
    }
    if (cut <= 0) cut = max;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) out.push(rest);
  return out.length > 0 ? out : [''];
}
