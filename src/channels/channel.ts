/**
 * The adapter interface each platform implements (`channels/<platform>/`). The message model it
 * speaks (Inbound, Reply, SendResult, Capabilities) lives in ../messages.ts, shared with the
 * core and the store; it is re-exported here for the channel folders.
 */
import type { ConnectionEvents } from './connection.js';
import type { Capabilities, ChannelName, Reply, SendOptions, SendResult } from '../messages.js';

export * from '../messages.js';

/** A platform adapter. One instance per configured channel. */
export interface Channel {
  readonly name: ChannelName;
  /** What it renders and what the platform allows (push, groups, a contact window): ../messages.ts. */
  readonly capabilities: Capabilities;
  /**
   * Sends one reply to one recipient (the channel's external user/chat id). Never throws for
   * platform errors: they come back as a {@link SendResult}.
   */
  send(recipient: string, reply: Reply, options?: SendOptions): Promise<SendResult>;
  /**
   * Connects to the platform: checks the credentials, registers the webhook or starts the poll
   * loop. Resolves once connected; throws a `ConnectError` (channels/connection.ts) saying
   * whether retrying can help. The app calls it in the background, again after each failure
   * (with backoff), so it must be safe to call more than once. Later changes (a poll loop that
   * failed or recovered) are reported through `events`.
   */
  start?(events?: ConnectionEvents): Promise<void>;
  /** Stops loops and drains in-flight work. */
  stop?(): Promise<void>;
}

