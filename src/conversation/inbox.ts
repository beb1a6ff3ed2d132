/**
 * The durable inbox between channel adapters and the conversation.
 *
 * `accept()` stores an inbound event with its dedupe key *synchronously* (better-sqlite3), so a
 * webhook can answer 200 only after the event is safe on disk, and a duplicate delivery is
 * recognised and dropped. Processing happens afterwards, in order per person and concurrently
 * across people. Events accepted but not processed when the process died are processed at
 * start-up by `recover()`.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { markProcessed, recordInbound, recordOutbound, unprocessedInbound } from '../db/messages.js';
import { getPersonByExternal } from '../db/people.js';
import type { Channel, ChannelName, Inbound, Reply, SendResult } from '../channels/channel.js';
import { markPersonGone } from '../db/people.js';
import type { Conversation } from './conversation.js';

/** Dependencies of {@link createInbox}. */
export interface InboxDeps {
  db: Db;
  conversation: Conversation;
  /** Channels replies go out on. */
  channels: Map<ChannelName, Channel>;
  logger?: Logger;
  /** Called before each reply send; a throttle can make replies wait their turn (or not). */
  beforeSend?: (channel: ChannelName, recipient: string) => Promise<void>;
}

/** The inbox. */
export interface Inbox {
  /**
   * Stores the event. Returns false for a duplicate (already stored): acknowledge it and stop.
   * Processing is scheduled unless `process: false`.
   */
  accept(inbound: Inbound, opts?: { process?: boolean }): boolean;
  /** Processes stored, unprocessed events (after a crash). */
  recover(): Promise<number>;
  /** Resolves when every scheduled event is processed (tests, graceful shutdown). */
  drain(): Promise<void>;
  /** Sends replies for one event's recipient and logs them; returns each SendResult. */
  deliver(inbound: Inbound, replies: Reply[]): Promise<SendResult[]>;
}

/** Creates the inbox. */
export function createInbox(deps: InboxDeps): Inbox {
  const { db, conversation, channels, logger } = deps;
  // One promise chain per person keeps their messages in order.
  const chains = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();

  const deliver = async (inbound: Inbound, replies: Reply[]): Promise<SendResult[]> => {
    const channel = channels.get(inbound.channel);
    const results: SendResult[] = [];
    if (!channel) return results;
    const recipient = inbound.chatId ?? inbound.userId;
    const person = getPersonByExternal(db, inbound.channel, inbound.userId);
    for (const reply of replies) {
      if (deps.beforeSend) await deps.beforeSend(inbound.channel, recipient);
      let result = await channel.send(recipient, reply);
      if (result.kind === 'retryAfter' && result.seconds <= 5) {
        // A reply is worth one short wait; a longer throttle means the platform wants calm.
        await new Promise((r) => setTimeout(r, result.kind === 'retryAfter' ? result.seconds * 1000 : 0));
        result = await channel.send(recipient, reply);
      }
      results.push(result);
      recordOutbound(db, inbound.channel, person?.id ?? null, 'reply', reply.text, { reply, result });
      if (result.kind === 'gone' && person && !inbound.group) markPersonGone(db, person.id, result.reason);
      if (result.kind === 'gone' || result.kind === 'outsideWindow') break;
    }
    return results;
  };

  const processOne = async (id: number, inbound: Inbound): Promise<void> => {
    const channel = channels.get(inbound.channel);
    try {
      const replies = channel ? await conversation.handle(inbound, channel.capabilities) : [];
      await deliver(inbound, replies);
      markProcessed(db, id);
    } catch (err) {
      logger?.error({ err, channel: inbound.channel, dedupeKey: inbound.dedupeKey }, 'inbox: processing failed');
      markProcessed(db, id, (err as Error).message ?? String(err));
    }
  };

  const schedule = (id: number, inbound: Inbound): void => {
    const key = `${inbound.channel}:${inbound.chatId ?? inbound.userId}`;
    const prev = chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => processOne(id, inbound));
    chains.set(key, next);
    pending.add(next);
    void next.finally(() => {
      pending.delete(next);
      if (chains.get(key) === next) chains.delete(key);
    });
  };

  return {
    accept(inbound, opts) {
      const person = conversation.personFor(inbound);
      const id = recordInbound(db, inbound, person.id);
      if (id === null) return false;
      if (opts?.process !== false) schedule(id, inbound);
      return true;
    },
    async recover() {
      const rows = unprocessedInbound(db);
      for (const r of rows) schedule(r.id, r.inbound);
      if (rows.length) logger?.info({ count: rows.length }, 'inbox: processing events accepted before a restart');
      return rows.length;
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    deliver,
  };
}
