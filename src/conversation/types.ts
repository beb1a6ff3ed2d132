/**
 * Types shared by the conversation core and the features that plug into it (subscription,
 * quizzes, data deletion …). A feature is a plain object of handlers; `createConversation`
 * dispatches to it. Features never import platform code.
 */
import type { Db } from '../db/index.js';
import type { Person } from '../db/people.js';
import type { Capabilities, Inbound, MediaRef, Reply } from '../messages.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { Config } from '../config.js';
import type { Lang } from '../text/language.js';

/** Everything a handler may use for one turn. */
export interface TurnContext {
  db: Db;
  /** The person as stored at the start of the turn (refetch after writes if needed). */
  person: Person;
  inbound: Inbound;
  now: Date;
  /** What the person's channel can render. */
  caps: Capabilities;
  knowledge: Knowledge;
  config: Config;
  /**
   * The language of this turn's replies: the language a typed question is written in when it is
   * clear (./texts-en.ts, ../text/language.ts), else the person's own (`person.lang`).
   */
  lang: Lang;
  /**
   * Runs a write that only records what happened (question statistics, the staff queue), which
   * nothing in this turn reads back. In the app it joins the inbox's group commit instead of
   * committing on its own; elsewhere it runs at once.
   */
  record(write: () => void): void;
}

/** A handler result: the replies to send, in order. */
export type Replies = Reply[] | Promise<Reply[]>;

/**
 * A conversation feature.
 *
 * @example
 * const ping: Feature = { name: 'ping', commands: { ping: () => [{ text: 'pong' }] } };
 */
export interface Feature {
  name: string;
  /** Slash commands, keyed by the lower-case name without '/': `thi`, `dangky`. Get the text after the command. */
  commands?: Record<string, (ctx: TurnContext, args: string) => Replies>;
  /**
   * Button actions, keyed by the prefix before the first ':' (`quiz` for `quiz:start:abc`).
   * Get the rest after the prefix and ':'.
   */
  actions?: Record<string, (ctx: TurnContext, payload: string) => Replies>;
  /**
   * Sees free text before the knowledge base does (an attempt waiting for an answer, a keyword
   * such as "HUY"). Returns null to let the next feature or the Q&A fallback handle it.
   */
  onText?: (ctx: TurnContext, text: string) => Reply[] | null | Promise<Reply[] | null>;
  /**
   * True when this feature takes the person's next text as data of any length (a post pasted
   * into a report): it then reaches `onText` instead of the "too long for a question" reply.
   */
  takesLongText?: (ctx: TurnContext) => boolean;
  /**
   * A picture the person sent (a screenshot for a report). Returns null to let the next feature
   * have it; when none takes it, the person is told that only text is read.
   */
  onMedia?: (ctx: TurnContext, media: MediaRef) => Reply[] | null | Promise<Reply[] | null>;
  /**
   * Something the person sent that Loa cannot read (a video, a file or a sticker with no words).
   * Returns null to let the next feature have it; when none takes it, the person is told that
   * only text is read. (A report waiting for its post says what it can take instead.)
   */
  onUnreadable?: (ctx: TurnContext) => Reply[] | null;
  /** A native quiz poll answer (Telegram). */
  onQuizAnswer?: (ctx: TurnContext, pollId: string, optionIds: number[]) => Reply[] | null | Promise<Reply[] | null>;
  /** follow / unfollow / blocked / unblocked, after the core updated the person's status. */
  onLifecycle?: (ctx: TurnContext) => Reply[] | null | Promise<Reply[] | null>;
  /** Extra lines for /help. */
  help?: string[];
  /** The same lines in English, for people answered in English (none: not listed to them). */
  helpEn?: string[];
}
