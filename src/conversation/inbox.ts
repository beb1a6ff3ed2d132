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
import { markPersonGone, personIdByExternal } from '../db/people.js';
import type { Channel, ChannelName, Inbound, Reply, SendResult } from '../channels/channel.js';
import type { Conversation } from './conversation.js';
import { createGroupCommit, type GroupCommit } from '../db/group-commit.js';

/** Dependencies of {@link createInbox}. */
export interface InboxDeps {
  db: Db;
  conversation: Conversation;
  /** Channels replies go out on. */
  channels: Map<ChannelName, Channel>;
  logger?: Logger;
  /** Called before each reply send; a throttle can make replies wait their turn (or not). */
  beforeSend?: (channel: ChannelName, recipient: string) => Promise<void>;
  /** The group commit to use (the app shares one with the conversation); default: its own. */
  group?: GroupCommit;
}

/** The inbox. */
export interface Inbox {
  /**
   * Stores the event. Returns false for a duplicate (already stored): acknowledge it and stop.
   * Processing is scheduled unless `process: false`.
   */
  accept(inbound: Inbound, opts?: { process?: boolean }): boolean;
  /**
   * Like {@link Inbox.accept}, but the event shares its commit with the other events accepted
   * in the same turn of the event loop (db/group-commit.ts). Resolves once the event is stored:
   * a webhook answers 200 after that, never before.
   */
  acceptGrouped(inbound: Inbound): Promise<boolean>;
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
  // Accepted events and the records of processed ones, committed together per turn.
  const group = deps.group ?? createGroupCommit(db);
  // One promise chain per person keeps their messages in order.
  const chains = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();

  /**
   * Sends the replies; returns each result and what is to be written about them. The writes are
   * left to the caller so that they share one transaction (one WAL commit) with its own.
   */
  const sendAll = async (inbound: Inbound, replies: Reply[]): Promise<{ results: SendResult[]; write: () => void }> => {
    const channel = channels.get(inbound.channel);
    const results: SendResult[] = [];
    const log: { text: string; payload: unknown; at: Date }[] = [];
    let gone: string | undefined;
    if (channel) {
      const recipient = inbound.chatId ?? inbound.userId;
      for (const reply of replies) {
        if (deps.beforeSend) await deps.beforeSend(inbound.channel, recipient);
        let result = await channel.send(recipient, reply);
        if (result.kind === 'retryAfter' && result.seconds <= 5) {
          // A reply is worth one short wait; a longer throttle means the platform wants calm.
          await new Promise((r) => setTimeout(r, result.kind === 'retryAfter' ? result.seconds * 1000 : 0));
          result = await channel.send(recipient, reply);
        }
        results.push(result);
        // The text has its own column; the payload keeps the rest of the reply and the outcome.
        log.push({ text: reply.text, payload: { reply: { ...reply, text: undefined }, result }, at: new Date() });
        if (result.kind === 'gone' && !inbound.group) gone = result.reason;
        if (result.kind === 'gone' || result.kind === 'outsideWindow') break;
      }
    }
    const write = (): void => {
      // Looked up after the conversation ran: /xoadulieu may have just erased the person.
      const personId = personIdByExternal(db, inbound.channel, inbound.userId) ?? null;
      for (const l of log) recordOutbound(db, inbound.channel, personId, 'reply', l.text, l.payload, l.at);
      if (gone !== undefined && personId !== null) markPersonGone(db, personId, gone);
    };
    return { results, write };
  };

  const deliver = async (inbound: Inbound, replies: Reply[]): Promise<SendResult[]> => {
    const { results, write } = await sendAll(inbound, replies);
    await group.run(write);
    return results;
  };

  const processOne = async (id: number, inbound: Inbound): Promise<void> => {
    const channel = channels.get(inbound.channel);
    try {
      const replies = channel ? await conversation.handle(inbound, channel.capabilities) : [];
      const { write } = await sendAll(inbound, replies);
      // The outbound log and the processed mark, in a shared commit within a few ms
      // (group.later). A crash before it lands means the event is processed again at start-up
      // (sends and marks were never atomic), never that it is lost.
      await group.later(() => {
        write();
        markProcessed(db, id);
      });
    } catch (err) {
      logger?.error({ err, channel: inbound.channel, dedupeKey: inbound.dedupeKey }, 'inbox: processing failed');
      markProcessed(db, id, (err as Error).message ?? String(err));
    }
  };

  const store = (inbound: Inbound): number | null => {
    const person = conversation.personFor(inbound);
    const id = recordInbound(db, inbound, person.id);
    if (id !== null) conversation.recordInteraction(inbound, person);
    return id;
  };
  const acceptTx = db.transaction(store);

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
      // The person, the event with its dedupe key and the time of the interaction: one commit.
      const id = acceptTx(inbound);
      if (id === null) return false;
      if (opts?.process !== false) schedule(id, inbound);
      return true;
    },
    async acceptGrouped(inbound) {
      const id = await group.run(() => store(inbound));
      if (id === null) return false;
      schedule(id, inbound);
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
      group.flush();
    },
    deliver,
  };
}
