/**
 * The one sender: every message to a person leaves through here.
 *
 * - **Rows.** Replies and quiz pushes are rows of `sends` (db/sends.ts); answer notices and
 *   campaign deliveries keep their own rows and are the campaign lane (campaigns/outbox.ts),
 *   which uses the same throttles, `sendSafely`, `replyCost` and attempt log from here, with
 *   its own retry limit (attempts, not a TTL) and the Zalo window check at its claim.
 * - **No poll on the hot path.** `enqueue` stores the rows in the caller's group commit
 *   (db/group-commit.ts) and hands them to the recipient's in-memory chain at once. When that
 *   chain is idle, the first row is stored already claimed, right after its throttle slot is
 *   granted: a reply costs the same two commits it cost before the queue (stored + claimed,
 *   then the result). Polling only picks up rows left pending by a crash or a stop.
 * - **Order.** One chain per recipient: a reply waiting for its retry holds back the later
 *   replies to the same chat, never the other chats.
 * - **Throttle.** The channel's throttle (shared with the campaign lane) serves replies first;
 *   `notice` rows (a report's outcome to its thousands of reporters) wait in the campaign turn.
 * - **Retry.** `retryAfter` (429 with its `retry_after`, 5xx, network errors) is retried after
 *   the platform's delay (at least an exponential backoff) until the row's TTL; `gone` marks the
 *   person (not in group chats) and ends the rest of the batch, as does `outsideWindow`.
 * - **Crash safety.** A row is `sending` only from its claim (committed right before the send)
 *   to its recorded result; rows found `sending` at start-up become `unknown`, are reported,
 *   and are never re-sent. A crash before the claim leaves the row pending (sent once later) or
 *   the inbound event unprocessed (handled again at start-up): never a duplicate.
 * - **Stop.** Retry waits end at once; what is queued goes on for {@link STOP_GRACE_MS}, then the
 *   throttle waits are cut (no timer is left behind) and the rest stays `pending` for the next
 *   start, within its lifetime. Rows of a channel no longer configured end `expired` once their
 *   lifetime is over (they stayed pending for ever: nothing polls that channel).
 * - **No push.** A channel that cannot be pushed to (the web chat) keeps its rows `held` until
 *   the person comes back (`takeHeld`).
 *
 * @example
 * const sender = createSender({ db, channels, throttles: createChannelThrottles(config) });
 * sender.start();
 * const { stored, done } = sender.enqueue({ channel: 'telegram', recipient: '42', personId: 7 }, [{ text: 'Xin chào' }]);
 */
import { EventEmitter, setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Config } from '../config.js';
import type { ChannelName, Reply, SendResult } from '../messages.js';
import type { Channel } from '../channels/channel.js';
import { createGroupCommit, type GroupCommit } from '../db/group-commit.js';
import { markPersonGone } from '../db/people.js';
import { recordAudit } from '../db/audit.js';
import {
  claimSend,
  dueSends,
  insertSends,
  logAttempt,
  markInterruptedSendsUnknown,
  recordSend,
  sendsOfChannelsOff,
  skipSends,
  takeHeldSends,
  type NewSend,
  type SendKind,
  type SendOutcome,
} from '../db/sends.js';
import { markHeldNoticeDelivered } from '../db/notices.js';
import { createThrottle, systemClock, type Clock, type Throttle } from '../campaigns/throttle.js';
import { repeatingFailureLog } from '../logger.js';

/** How long a reply or a quiz push is retried before it is given up (default 5 minutes). */
export const REPLY_TTL_MS = 5 * 60_000;
/**
 * How long a notice (a training invitation; a rumour report's outcome sets the same day itself,
 * admin/disinfo.ts) is retried, or waits for a channel that is down or no longer configured,
 * before it is given up (default 24 hours). Nobody waits for it at that moment, and it takes
 * the campaign lane's turn behind every reply: a reply's 5 minutes let a channel outage of a few
 * minutes, or a long campaign, expire a whole round of invitations.
 */
export const NOTICE_TTL_MS = 24 * 3_600_000;
/** How long a message held for a web visitor waits for them (default 30 days). */
export const HELD_TTL_MS = 30 * 86_400_000;
/**
 * How long a stop goes on sending (default 2 s). Replies of the messages being answered at the
 * stop still go out at once; a backlog (one chat's 20 replies at Telegram's one a second, or a
 * campaign-lane queue of notices) is not worked off: those rows stay `pending`, and the next
 * start sends them within their lifetime. Without the cut a stop waited for every queued reply
 * (20 queued stickers held a stop for 17.7 s; 30 outlast systemd's `TimeoutStopSec=30`).
 */
export const STOP_GRACE_MS = 2000;

/** What a message left pending by a stop resolves with (it is sent by the next start). */
const STOPPED: SendResult = { kind: 'retryAfter', seconds: 0, reason: 'sender stopped: kept pending for the next start' };

/** Dependencies of {@link createSender}. */
export interface SenderDeps {
  db: Db;
  channels: Map<ChannelName, Channel>;
  /** One throttle per channel, shared with the campaign lane (replies go first). */
  throttles: Map<ChannelName, Throttle>;
  /** The group commit rows share with the caller's writes (default: its own). */
  group?: GroupCommit;
  logger?: Logger;
  /** Wall clock for rows and TTLs. */
  now?: () => Date;
  /** Waits between retries (tests inject one that does not really wait). */
  clock?: Clock;
  /** TTL of replies and quiz pushes (default {@link REPLY_TTL_MS}). */
  replyTtlMs?: number;
  /** TTL of held messages (default {@link HELD_TTL_MS}). */
  heldTtlMs?: number;
  /** TTL of notices (default {@link NOTICE_TTL_MS}). */
  noticeTtlMs?: number;
  /** Period of the recovery poll (default 1000 ms). */
  pollMs?: number;
  /**
   * How long a stop keeps sending what is queued (default {@link STOP_GRACE_MS}); then the
   * waits for the throttle are cut and the rest stays pending for the next start.
   */
  stopGraceMs?: number;
}

/** Where a message goes. */
export interface SendTarget {
  channel: ChannelName;
  /** The chat id on the channel. */
  recipient: string;
  /** The person it is for, when known (gone marking, erasure, held messages). */
  personId: number | null;
  /** False in group chats: a 403 there is about the group, not the person (default true). */
  markGone?: boolean;
}

/** Options of one {@link Sender.enqueue}. */
export interface EnqueueOptions {
  kind?: SendKind;
  /** Synchronous writes that must share the rows' commit (the inbox's processed mark). */
  alsoWrite?: () => void;
  /** Stored with held rows (e.g. `notice:<id>`), so their delivery can be told back. */
  ref?: string;
}

/** What the sender's `delivered` event carries: a message with a `deliveryRef` reached the platform. */
export interface Delivered {
  channel: ChannelName;
  recipient: string;
  /** The reply's {@link Reply.deliveryRef}. */
  ref: string;
  /**
   * When the accepted request left for the platform: after the queue and the throttle's wait,
   * which is what delays a message, but before the API's answer, so the person is never timed
   * from later than they could see it.
   */
  at: Date;
}

/**
 * The sender. Events: `send` (rowId, status); `delivered` ({@link Delivered}) for each message
 * with a `deliveryRef` that was sent, synchronously, before the next message to that chat.
 */
export interface Sender {
  readonly events: EventEmitter;
  readonly throttles: Map<ChannelName, Throttle>;
  /**
   * Queues messages to one recipient, sent in order. `stored` resolves once the rows (and
   * `alsoWrite`) are committed; `done` with the last result of each message.
   */
  enqueue(target: SendTarget, replies: Reply[], opts?: EnqueueOptions): { stored: Promise<number[]>; done: Promise<SendResult[]> };
  /** One message; resolves with its last result (quiz pushes, live quizzes). */
  send(target: SendTarget, reply: Reply, kind?: SendKind): Promise<SendResult>;
  /** Messages held for a person on a channel without push, marked delivered: show them now. */
  takeHeld(personId: number): Reply[];
  /** Reports rows a crash left `sending` (they become `unknown`), then starts the recovery poll. */
  start(): Map<ChannelName, number>;
  /** One recovery pass: due pending rows not already in memory are handed to their chains. */
  poll(): void;
  /** Resolves when every chain is idle (tests, shutdown). */
  drain(): Promise<void>;
  /**
   * Stops the poll and cuts retry waits short; what is queued goes on for `stopGraceMs`, then
   * the throttle waits are cut too. Rows not sent stay pending for the next start. Drains.
   */
  stop(): Promise<void>;
}

/**
 * Builds the per-channel throttles from the config (Telegram: `TELEGRAM_RATE_GLOBAL` and
 * `TELEGRAM_RATE_PER_CHAT`, 1000/s with paid broadcast; Zalo: `ZALO_RATE_PER_MINUTE`; Zalo Bot:
 * `ZALO_BOT_RATE_GLOBAL` and `ZALO_BOT_RATE_PER_CHAT`).
 */
export function createChannelThrottles(config: Pick<Config, 'telegram' | 'zalo' | 'zaloBot'>, clock?: Clock): Map<ChannelName, Throttle> {
  const throttles = new Map<ChannelName, Throttle>();
  const tg = config.telegram;
  if (tg) throttles.set('telegram', createThrottle({ ratePerSecond: tg.ratePerSecond, perChatPerSecond: tg.ratePerChatPerSecond, clock }));
  const zalo = config.zalo;
  if (zalo) throttles.set('zalo', createThrottle({ ratePerSecond: zalo.ratePerMinute / 60, clock }));
  // The Zalo Bot platform publishes no limit: Telegram-like defaults, `ZALO_BOT_RATE_*` (docs/zalo-bot.md).
  const zb = config.zaloBot;
  if (zb) throttles.set('zalo-bot', createThrottle({ ratePerSecond: zb.ratePerSecond, perChatPerSecond: zb.ratePerChatPerSecond, clock }));
  return throttles;
}

/**
 * What a SendResult means for a row: sent, retried after the platform's delay (and at least
 * `2^(attempts-1)` s, at most a minute of backoff), or final. `retryAt` past `expiresAt` ends it.
 */
export function sendOutcome(res: SendResult, attempts: number, at: Date, expiresAt?: Date): SendOutcome {
  if (res.kind === 'ok') return { status: 'sent', messageId: res.messageId };
  if (res.kind === 'retryAfter') {
    const seconds = Math.max(0.2, res.seconds, Math.min(60, 2 ** Math.max(0, attempts - 1)));
    const retryAt = new Date(at.getTime() + seconds * 1000);
    const reason = res.reason ?? `retry after ${res.seconds}s`;
    if (expiresAt && retryAt > expiresAt) return { status: 'expired', reason: `hết thời hạn gửi lại: ${reason}` };
    return { status: 'retry', retryAt, reason };
  }
  if (res.kind === 'gone') return { status: 'gone', reason: res.reason };
  if (res.kind === 'outsideWindow') return { status: 'outside_window', reason: res.reason ?? 'outside the 7-day window' };
  return { status: 'failed', reason: res.reason };
}

/**
 * Sends through a channel, never throwing: a channel that throws (it should not) counts as a
 * transient failure with exponential backoff, so the row is retried rather than lost.
 */
export async function sendSafely(channel: Channel, recipient: string, reply: Reply, attempts: number, broadcast = false, fromPart = 0): Promise<SendResult> {
  try {
    return await channel.send(recipient, reply, { ...(broadcast ? { broadcast: true } : {}), ...(fromPart > 0 ? { fromPart } : {}) });
  } catch (err) {
    return { kind: 'retryAfter', seconds: 2 ** Math.min(attempts, 6), reason: `send threw: ${(err as Error).message}` };
  }
}

/** API calls a reply takes on a channel (long text is split): what the throttle counts. */
export function replyCost(channel: Channel, reply: Reply): number {
  const length = (reply.title ? reply.title.length + 2 : 0) + reply.text.length;
  return Math.max(1, Math.ceil(length / channel.capabilities.maxTextLength));
}

interface Job {
  id: number;
  attempts: number;
  reply: Reply;
  /**
   * `notice`: a message nobody is waiting for at this moment (a report's outcome, an invitation),
   * often queued by the thousand at once: it takes the throttle in the campaign lane's turn, so
   * that the replies of people writing now go first.
   */
  kind?: SendKind;
  expiresAt: Date;
  /** Messages of the reply delivered by an earlier attempt (a 429 after the first half). */
  partsSent?: number;
}

/** Creates the sender. */
export function createSender(deps: SenderDeps): Sender {
  const { db, channels, throttles, logger } = deps;
  const group = deps.group ?? createGroupCommit(db);
  const now = deps.now ?? (() => new Date());
  const clock = deps.clock ?? systemClock;
  const replyTtlMs = deps.replyTtlMs ?? REPLY_TTL_MS;
  const heldTtlMs = deps.heldTtlMs ?? HELD_TTL_MS;
  const noticeTtlMs = deps.noticeTtlMs ?? NOTICE_TTL_MS;
  const pollMs = deps.pollMs ?? 1000;
  const stopGraceMs = deps.stopGraceMs ?? STOP_GRACE_MS;
  const events = new EventEmitter();
  // One promise chain per recipient keeps their messages in order.
  const chains = new Map<string, Promise<unknown>>();
  // Rows owned by a chain in memory: the recovery poll leaves them alone.
  const owned = new Set<number>();
  let stopping = false;
  let signalStop = (): void => {};
  let stopSignal = new Promise<void>((r) => (signalStop = r));
  // Aborted `stopGraceMs` after a stop: throttle waits end, and nothing more is claimed. Every
  // reply waiting for a slot listens to it (hundreds at once under load): no listener limit.
  const newCut = (): AbortController => {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  };
  let cut = newCut();
  let timer: NodeJS.Timeout | undefined;

  /** Waits for the throttle; false when a stop cut the wait (the row stays pending). */
  const acquireSlot = async (throttle: Throttle | undefined, recipient: string, kind: SendKind | undefined, cost: number): Promise<boolean> => {
    if (cut.signal.aborted) return false;
    try {
      await throttle?.acquire(recipient, kind === 'notice' ? 'campaign' : 'reply', cost, cut.signal);
    } catch (err) {
      if (cut.signal.aborted) return false;
      throw err;
    }
    return !cut.signal.aborted;
  };

  const chain = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const prev = chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    chains.set(key, next);
    void next.then(
      () => chains.get(key) === next && chains.delete(key),
      () => chains.get(key) === next && chains.delete(key),
    );
    return next;
  };

  const emit = (id: number, status: string): void => void events.emit('send', id, status);

  /**
   * Sends one row until it is final or waits for a retry past a stop. `claim` is false when the
   * row was stored already claimed (the fast path: its throttle slot is granted too).
   */
  const run = async (target: SendTarget, channel: Channel, job: Job, claimFirst: boolean): Promise<SendResult> => {
    const throttle = throttles.get(target.channel);
    let mustClaim = claimFirst;
    for (;;) {
      if (mustClaim) {
        if (!(await acquireSlot(throttle, target.recipient, job.kind, replyCost(channel, job.reply)))) return STOPPED;
        const claim = await group.run(() => claimSend(db, job.id, now()));
        if (claim.kind !== 'claimed') {
          emit(job.id, claim.kind === 'skipped' ? claim.status : 'lost');
          return claim.kind === 'skipped' && claim.status === 'gone' ? { kind: 'gone', reason: claim.reason } : { kind: 'failed', reason: claim.kind === 'skipped' ? claim.reason : 'claimed elsewhere' };
        }
        job.attempts++;
      }
      mustClaim = true;
      // When the message left for the platform (after the throttle's wait): what `delivered` reports.
      const leftAt = now();
      const res = await sendSafely(channel, target.recipient, job.reply, job.attempts, false, job.partsSent ?? 0);
      if (res.kind === 'retryAfter' && res.partsSent !== undefined) job.partsSent = res.partsSent;
      // Only a rate limit slows the whole channel; a 5xx or a network error retries this message.
      if (res.kind === 'retryAfter' && res.rateLimited) throttle?.throttled(res.seconds);
      else if (res.kind === 'ok') throttle?.succeeded();
      const at = now();
      const outcome = sendOutcome(res, job.attempts, at, job.expiresAt);
      // Recorded in the next shared commit: a crash before it leaves the row `sending`, which
      // start-up reports as `unknown` (it may have arrived), never re-sends.
      void group
        .later(() => {
          recordSend(db, job.id, outcome, at);
          logAttempt(db, 'sends', job.id, target.channel, job.attempts, res, at);
          if (outcome.status === 'gone' && target.markGone !== false && target.personId !== null) markPersonGone(db, target.personId, outcome.reason);
        })
        .catch((err: unknown) => logger?.error({ err, row: job.id }, 'sender: recording a send failed'));
      emit(job.id, outcome.status);
      if (outcome.status === 'sent' && job.reply.deliveryRef) {
        const d: Delivered = { channel: target.channel, recipient: target.recipient, ref: job.reply.deliveryRef, at: leftAt };
        try {
          events.emit('delivered', d);
        } catch (err) {
          logger?.error({ err, row: job.id }, 'sender: a delivered listener failed');
        }
      }
      if (outcome.status !== 'retry') {
        if (outcome.status !== 'sent') logger?.info({ row: job.id, channel: target.channel, status: outcome.status, reason: outcome.reason }, 'sender: not delivered');
        return res;
      }
      if (stopping) return res;
      logger?.info({ row: job.id, channel: target.channel, retryAt: outcome.retryAt.toISOString(), reason: outcome.reason }, 'sender: retrying');
      const ends = new AbortController();
      await Promise.race([clock.sleep(outcome.retryAt.getTime() - at.getTime(), ends.signal), stopSignal]);
      // No timer left behind: it would keep a stopped process up until the retry time.
      ends.abort();
      if (stopping) return res;
    }
  };

  /** Runs a batch of rows to one recipient in order; stops at `gone` / `outsideWindow`. */
  const runBatch = async (target: SendTarget, channel: Channel, jobs: Job[], firstClaimed: boolean): Promise<SendResult[]> => {
    const results: SendResult[] = [];
    try {
      for (let i = 0; i < jobs.length; i++) {
        const res = await run(target, channel, jobs[i]!, !(i === 0 && firstClaimed));
        results.push(res);
        if (res === STOPPED) {
          // The stop's cut: this row and the rest stay pending, for the next start.
          for (const _ of jobs.slice(i + 1)) results.push(STOPPED);
          break;
        }
        if (res.kind === 'gone' || res.kind === 'outsideWindow') {
          const rest = jobs.slice(i + 1).map((j) => j.id);
          if (rest.length > 0) {
            const status = res.kind === 'gone' ? 'gone' : 'outside_window';
            void group.later(() => skipSends(db, rest, status, res.reason ?? status, now()));
            for (const _ of rest) results.push(res);
          }
          break;
        }
      }
    } finally {
      for (const j of jobs) owned.delete(j.id);
    }
    return results;
  };

  const enqueue: Sender['enqueue'] = (target, replies, opts = {}) => {
    const kind = opts.kind ?? 'reply';
    const channel = channels.get(target.channel);
    const at = now();
    const ttlMs = kind === 'notice' ? noticeTtlMs : replyTtlMs;
    const row = (reply: Reply, status: NewSend['status']): NewSend => ({
      channel: target.channel,
      personId: target.personId,
      recipient: target.recipient,
      kind,
      reply,
      status,
      markGone: target.markGone,
      ref: opts.ref,
      expiresAt: new Date(at.getTime() + (status === 'held' ? heldTtlMs : ttlMs)),
    });
    const store = (first: 'sending' | 'pending' | 'held'): Promise<number[]> =>
      group.run(() => {
        const ids = insertSends(db, replies.map((r, i) => row(r, i === 0 ? first : first === 'held' ? 'held' : 'pending')), at);
        opts.alsoWrite?.();
        return ids;
      });
    if (!channel && kind === 'notice' && replies.length > 0) {
      // A channel taken out of the configuration (or not yet back): the notice waits for it
      // within its lifetime, then ends `expired` (sweepChannelsOff), which staff see.
      const stored = store('pending');
      const reason = `sender: channel ${target.channel} is not configured; kept pending until its lifetime ends`;
      return { stored, done: stored.then((ids) => ids.map((): SendResult => ({ kind: 'retryAfter', seconds: 0, reason }))) };
    }
    if (!channel || replies.length === 0) {
      const stored = group.run(() => (opts.alsoWrite?.(), [] as number[]));
      const reason = `sender: channel ${target.channel} is not configured`;
      return { stored, done: stored.then(() => replies.map((): SendResult => ({ kind: 'failed', reason }))) };
    }
    if (channel.capabilities.canPush === false) {
      // Kept until the person comes back (takeHeld); as far as the caller knows, it is handed over.
      const stored = store('held');
      return { stored, done: stored.then((ids) => ids.map((): SendResult => ({ kind: 'ok' }))) };
    }
    const key = `${target.channel}:${target.recipient}`;
    const jobsOf = (ids: number[]): Job[] => ids.map((id, i) => ({ id, attempts: 0, reply: replies[i]!, kind, expiresAt: new Date(at.getTime() + ttlMs) }));
    if (chains.has(key) || kind !== 'reply') {
      // The chat is busy (an earlier reply is being sent or waits for its retry): store now, send
      // in turn. Pushes always take this path: their claim checks that the person is still there.
      const stored = store('pending').then((ids) => (ids.forEach((id) => owned.add(id)), ids));
      // Joins the chat's chain now, not once stored: a later reply must not overtake these.
      const done = chain(key, async () => runBatch(target, channel, jobsOf(await stored), false));
      return { stored, done };
    }
    // Idle chat: the first row is stored already claimed, right after its throttle slot.
    let resolveStored!: (ids: number[]) => void;
    let rejectStored!: (err: unknown) => void;
    const stored = new Promise<number[]>((res, rej) => ((resolveStored = res), (rejectStored = rej)));
    const done = chain(key, async () => {
      const granted = await acquireSlot(throttles.get(target.channel), target.recipient, 'reply', replyCost(channel, replies[0]!));
      let ids: number[];
      try {
        // A stop cut the wait: stored pending all the same (nothing is lost), sent by the next start.
        ids = await store(granted ? 'sending' : 'pending');
      } catch (err) {
        rejectStored(err);
        throw err;
      }
      resolveStored(ids);
      if (!granted) return ids.map(() => STOPPED);
      ids.forEach((id) => owned.add(id));
      const jobs = jobsOf(ids);
      jobs[0]!.attempts = 1;
      return runBatch(target, channel, jobs, true);
    });
    return { stored, done };
  };

  const poll = (): void => {
    if (stopping) return;
    for (const [name, channel] of channels) {
      if (channel.capabilities.canPush === false) continue;
      for (const t of dueSends(db, name, 200, now(), owned)) {
        owned.add(t.id);
        const target: SendTarget = { channel: name, recipient: t.recipient, personId: t.personId, markGone: t.markGone };
        void chain(`${name}:${t.recipient}`, () =>
          runBatch(target, channel, [{ id: t.id, attempts: t.attempts, reply: t.reply, kind: t.kind, expiresAt: new Date(t.expiresAt) }], false),
        ).catch((err: unknown) => logger?.error({ err, row: t.id }, 'sender: a recovered send failed'));
      }
    }
  };

  /**
   * Rows of channels no longer configured: nothing polls them, so without this they stayed
   * `pending` for ever ("đang chờ gửi" on a case page, months on). Past their lifetime they end
   * `expired` with a reason staff read, logged and audited once per pass that ends some.
   */
  const sweepChannelsOff = (): void => {
    for (const [channel, n] of sendsOfChannelsOff(db, [...channels.keys()], now())) {
      recordAudit(db, { actor: 'system', action: 'send.channel_off', details: { channel, expired: n, text: `${n} tin chờ gửi qua kênh ${channel} không gửi được: kênh không còn được bật trên máy chủ và đã quá thời hạn gửi` } }, now());
      logger?.warn({ channel, expired: n }, `sender: ${n} messages for channel ${channel}, which is not configured, passed their lifetime; marked expired`);
    }
  };

  const drain = async (): Promise<void> => {
    while (chains.size > 0) await Promise.allSettled([...chains.values()]);
    // The results recorded with `later` are on disk when drain resolves.
    group.flush();
  };

  return {
    events,
    throttles,
    enqueue,
    async send(target, reply, kind = 'quiz') {
      const [res] = await enqueue(target, [reply], { kind }).done;
      return res!;
    },
    takeHeld(personId) {
      const held = takeHeldSends(db, personId, now());
      for (const h of held) if (h.ref?.startsWith('notice:')) markHeldNoticeDelivered(db, Number(h.ref.slice(7)), now());
      return held.map((h) => h.reply);
    },
    start() {
      stopping = false;
      stopSignal = new Promise<void>((r) => (signalStop = r));
      cut = newCut();
      const unknown = markInterruptedSendsUnknown(db, now());
      for (const [channel, n] of unknown) {
        recordAudit(db, { actor: 'system', action: 'send.unknown', details: { channel, unknown: n, text: `${n} tin trả lời đang gửi dở khi máy chủ dừng: không rõ đã tới người nhận hay chưa (không gửi lại)` } }, now());
        logger?.warn({ channel, unknown: n }, `sender: ${n} messages were in flight when the process stopped; marked unknown, not re-sent`);
      }
      poll();
      sweepChannelsOff();
      for (const [channel, n] of sendsOfChannelsOff(db, [...channels.keys()]))
        logger?.warn({ channel, waiting: n }, `sender: ${n} messages wait for channel ${channel}, which is not configured; configure it again to send them, or they lapse at their lifetime`);
      const failures = repeatingFailureLog(logger, 'sender: recovery pass failed');
      let passes = 0;
      timer = setInterval(() => {
        try {
          poll();
          // Once a minute: a lifetime is counted in minutes or hours.
          if (++passes % 60 === 0) sweepChannelsOff();
          failures.ok();
        } catch (err) {
          failures.failed(err);
        }
      }, pollMs);
      timer.unref();
      return unknown;
    },
    poll,
    drain,
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      signalStop();
      // The cut is not undone when the drain ends first: replies of messages still being answered
      // (app.stop drains the inbox next) go out within the grace, and after it are stored pending.
      if (!cut.signal.aborted) setTimeout(() => cut.abort(), stopGraceMs).unref();
      await drain();
      group.flush();
    },
  };
}
