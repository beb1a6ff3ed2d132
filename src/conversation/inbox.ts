/**
 * The durable inbox between channel adapters and the conversation.
 *
 * `accept()` stores an inbound event with its dedupe key *synchronously* (better-sqlite3), so a
 * webhook can answer 200 only after the event is safe on disk, and a duplicate delivery is
 * recognised and dropped. Processing happens afterwards, in order per person and concurrently
 * across people. Events accepted but not processed when the process died are processed at
 * start-up by `recover()`.
 *
 * Replies leave through the one sender (sender/sender.ts): they are stored as `sends` rows in
 * the same commit as the event's processed mark, then sent in order per chat with retries.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { markProcessed, recordInbound, recordOutbound, unprocessedInbound, wasErasedEvent } from '../db/messages.js';
import { personIdByExternal, personLangByExternal } from '../db/people.js';
import type { ChannelName, Inbound, Reply, SendResult } from '../messages.js';
import type { Channel } from '../channels/channel.js';
import type { Conversation } from './conversation.js';
import type { Lang } from '../text/language.js';
import { createGroupCommit, type GroupCommit } from '../db/group-commit.js';
import { createSender, type Sender } from '../sender/sender.js';

/** Dependencies of {@link createInbox}. */
export interface InboxDeps {
  db: Db;
  conversation: Conversation;
  /** Channels replies go out on. */
  channels: Map<ChannelName, Channel>;
  logger?: Logger;
  /** The group commit to use (the app shares one with the conversation); default: its own. */
  group?: GroupCommit;
  /**
   * Where replies go: the one send queue (sender/sender.ts), shared by the app with quizzes,
   * notices and campaigns. Default: a sender of its own on `channels`, without throttles.
   */
  sender?: Sender;
}

/** The inbox. */
export interface Inbox {
  /**
   * Stores the event. Returns false for a duplicate (already stored): acknowledge it and stop.
   * Processing is scheduled unless `process: false`. `alsoWrite` runs in the same transaction
   * with the person's id (a channel's own record of the event, e.g. a Zalo form's fields), and
   * only for an event not seen before.
   */
  accept(inbound: Inbound, opts?: { process?: boolean; alsoWrite?: (personId: number) => void }): boolean;
  /**
   * Like {@link Inbox.accept}, but the event shares its commit with the other events accepted
   * in the same turn of the event loop (db/group-commit.ts). Resolves once the event is stored:
   * a webhook answers 200 after that, never before.
   */
  acceptGrouped(inbound: Inbound): Promise<boolean>;
  /** Processes stored, unprocessed events (after a crash). */
  recover(): Promise<number>;
  /** Resolves when every scheduled event is processed and its replies sent (tests, graceful shutdown). */
  drain(): Promise<void>;
  /** Queues replies for one event's recipient; resolves with each message's last SendResult. */
  deliver(inbound: Inbound, replies: Reply[]): Promise<SendResult[]>;
  /**
   * For a channel that answers in its own response (the web chat, which cannot push): stores
   * the event exactly as {@link Inbox.accept} does (the person resolved once, the dedupe key,
   * one commit), handles it in the person's order, and resolves with the replies, recorded with
   * the processed mark in one commit, with the person's id (null once erased). `null` for a
   * duplicate. A crash in between leaves the event to `recover()`, whose replies the sender then
   * keeps for the visitor's return. `lang` is the language the person is answered in after
   * this turn, read in the same commit (absent once erased).
   */
  answerNow(inbound: Inbound): Promise<{ replies: Reply[]; personId: number | null; lang?: Lang } | null>;
  /**
   * Events stored and not yet handled to the end (their turn running or waiting in their
   * person's order). 1 while a turn runs means it is alone: the knowledge base may then search
   * on the main thread (knowledge.ts `idle`).
   */
  inProgress(): number;
}

/** Creates the inbox. */
export function createInbox(deps: InboxDeps): Inbox {
  const { db, conversation, channels, logger } = deps;
  // Accepted events and the records of processed ones, committed together per turn.
  const group = deps.group ?? createGroupCommit(db);
  const sender = deps.sender ?? createSender({ db, channels, throttles: new Map(), group, logger });
  // One promise chain per person keeps their messages in order.
  const chains = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();

  /**
   * Hands the replies to the sender. `alsoWrite` (the processed mark) shares the commit that
   * stores them, so an event is either processed with its replies queued, or neither.
   */
  const queue = (inbound: Inbound, replies: Reply[], alsoWrite?: () => void): ReturnType<Sender['enqueue']> => {
    // In a group the first reply quotes the message it answers (whose question it is).
    const msg = inbound.group ? inbound.messageId : undefined;
    return sender.enqueue(
      {
        channel: inbound.channel,
        recipient: inbound.chatId ?? inbound.userId,
        // Looked up after the conversation ran: /xoadulieu may have just erased the person.
        personId: personIdByExternal(db, inbound.channel, inbound.userId) ?? null,
        markGone: !inbound.group,
      },
      msg ? replies.map((r, i) => (i === 0 ? { ...r, replyTo: msg } : r)) : replies,
      { kind: 'reply', alsoWrite },
    );
  };

  const deliver = async (inbound: Inbound, replies: Reply[]): Promise<SendResult[]> => queue(inbound, replies).done;

  const processOne = async (id: number, inbound: Inbound): Promise<void> => {
    const channel = channels.get(inbound.channel);
    try {
      const replies = channel ? await conversation.handle(inbound, channel.capabilities) : [];
      if (replies.length === 0) {
        await group.later(() => markProcessed(db, id));
        return;
      }
      // Resolves once the replies are stored (the first already claimed when the chat is idle)
      // together with the processed mark; the sends go on in the sender, in order per chat.
      const { stored, done } = queue(inbound, replies, () => markProcessed(db, id));
      done.catch((err: unknown) => logger?.error({ err, channel: inbound.channel }, 'inbox: sending replies failed'));
      await stored;
    } catch (err) {
      logger?.error({ err, channel: inbound.channel, dedupeKey: inbound.dedupeKey }, 'inbox: processing failed');
      markProcessed(db, id, (err as Error).message ?? String(err));
    }
  };

  const store = (inbound: Inbound, alsoWrite?: (personId: number) => void): number | null => {
    // A redelivered event of a person erased since: dropped before the person is made again.
    if (wasErasedEvent(db, inbound)) return null;
    const person = conversation.personFor(inbound);
    const id = recordInbound(db, inbound, person.id);
    if (id !== null) {
      conversation.recordInteraction(inbound, person);
      alsoWrite?.(person.id);
    }
    return id;
  };
  const acceptTx = db.transaction(store);

  const schedule = (id: number, inbound: Inbound, process: (id: number, inbound: Inbound) => Promise<void> = processOne): void => {
    const key = `${inbound.channel}:${inbound.chatId ?? inbound.userId}`;
    const prev = chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => process(id, inbound));
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
      const id = acceptTx(inbound, opts?.alsoWrite);
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
      await sender.drain();
      group.flush();
    },
    deliver,
    inProgress: () => pending.size,
    async answerNow(inbound) {
      const id = await group.run(() => store(inbound));
      if (id === null) return null;
      return new Promise<{ replies: Reply[]; personId: number | null; lang?: Lang }>((resolve, reject) => {
        schedule(id, inbound, async (rowId, ev) => {
          try {
            const channel = channels.get(ev.channel);
            // The reply records and the processed mark, in the commit of the turn's records.
            let recorded: Promise<{ id: number; lang: Lang } | undefined> | undefined;
            const recordReplies = (replies: Reply[]): Promise<{ id: number; lang: Lang } | undefined> =>
              (recorded = group.run(() => {
                // Looked up after the conversation ran: /xoadulieu may have just erased the person.
                const person = personLangByExternal(db, ev.channel, ev.userId);
                for (const r of replies) recordOutbound(db, ev.channel, person?.id ?? null, 'reply', r.text, r);
                markProcessed(db, rowId);
                return person;
              }));
            const replies = channel ? await conversation.handle(ev, channel.capabilities, { alongside: recordReplies }) : [];
            const person = await (recorded ?? recordReplies(replies));
            resolve({ replies, personId: person?.id ?? null, ...(person ? { lang: person.lang } : {}) });
          } catch (err) {
            logger?.error({ err, channel: ev.channel, dedupeKey: ev.dedupeKey }, 'inbox: processing failed');
            markProcessed(db, rowId, (err as Error).message ?? String(err));
            reject(err);
          }
        });
      });
    },
  };
}
