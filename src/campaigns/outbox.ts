/**
 * The outbox: turns scheduled campaigns into deliveries and deliveries into sends, exactly
 * once, through crashes. It is the campaign lane of the one sender (`sender/sender.ts`): the
 * same per-channel throttles (where replies go first), the same safe send and the same attempt
 * log (`send_attempts`); its rows are `deliveries` and `answer_notices`, which staff read per
 * campaign and per asker.
 *
 * - **Scheduler** (`tick`, every second): a scheduled campaign whose time has come, outside
 *   quiet hours, has its audience snapshotted into `deliveries` and becomes `sending` (one
 *   transaction); a sending campaign with nothing left pending becomes `done` with its counts
 *   frozen.
 * - **Workers**, one per channel: read pending rows; for each, wait for the channel's
 *   throttle, then *claim* the row (re-checking consent, status and the Zalo window, and
 *   committing `sending`) and send it once that commit is done; the SendResult and its attempt
 *   are recorded together. Only rows actually in flight are ever `sending`, so a crash leaves
 *   at most the in-flight count `unknown`, never re-sent unless staff choose to.
 * - **Group commit** (db/group-commit.ts, shared with the sender in the app): claims made in
 *   one turn of the event loop share a commit, and results ride along with the next one
 *   (at most a few ms later). At 1,000 sends a second a commit per claim and per result was
 *   most of the main thread's work. A result not yet committed at a crash leaves its row
 *   `sending`, i.e. `unknown`: it was in flight.
 * - **Answer notices** ("your question now has an answer", `db/notices.ts`) go out through
 *   the same workers and throttles, ahead of the campaign rows read in the same pass: a staff
 *   approval can notify many askers at once, and the platforms' limits, blocked people and
 *   Zalo's window apply to them exactly as to a campaign.
 * - **Recovery**: rows still `sending` at start-up become `unknown` and are reported.
 * - **Stop** (SIGTERM): nothing new is claimed; in-flight sends finish and are recorded.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { ChannelName, Reply, SendResult } from '../messages.js';
import type { Channel } from '../channels/channel.js';
import {
  claimDelivery,
  stopIfOptedOutSinceClaim,
  deliveryCounts,
  dueCampaigns,
  failUnroutableDeliveries,
  platformHolds,
  finishedSendingCampaigns,
  getCampaign,
  markInterruptedUnknown,
  pendingDeliveries,
  recordDelivery,
  recordPartsDone,
  startSending,
  transitionCampaign,
  type ClaimOutcome,
  type DeliveryOutcome,
  type DeliveryTask,
} from '../db/campaigns.js';
import { claimNotice, markInterruptedNoticesUnknown, pendingNotices, recordNotice, type NoticeClaim, type NoticeTask } from '../db/notices.js';
import { markPersonGone } from '../db/people.js';
import { createGroupCommit, type GroupCommit } from '../db/group-commit.js';
import { recordAudit } from '../db/audit.js';
import { campaignAudience, type RegionTree } from './audience.js';
import { apiCallsPerMessage, campaignParts } from './content.js';
import { isQuietTime, quietHoursEnd, type QuietHours } from './quiet-hours.js';
import type { Throttle } from './throttle.js';
import { logAttempt, type SendLane } from '../db/sends.js';
import { replyCost, sendSafely } from '../sender/sender.js';
import { repeatingFailureLog } from '../logger.js';

/** Dependencies of {@link createOutbox}. */
export interface OutboxDeps {
  db: Db;
  channels: Map<ChannelName, Channel>;
  /** One throttle per channel that sends campaigns (shared with replies for priority). */
  throttles: Map<ChannelName, Throttle>;
  regions: () => RegionTree;
  quietHours: QuietHours;
  logger?: Logger;
  /** Wall clock for timestamps, schedules and quiet hours (tests inject one). */
  now?: () => Date;
  /** Scheduler period (default 1000 ms). */
  pollMs?: number;
  /** The group commit claims and results share (the app passes the sender's; default: its own). */
  group?: GroupCommit;
  /** Rows read per query (default 200). */
  batchSize?: number;
  /**
   * Most sends in flight per channel (default: a quarter of a second of the channel's limit,
   * at least 64). A send is in flight for its round trip, so a lane reaches `limit` only with
   * `limit × round trip` in flight: 64 held 1,000/s at a 100 ms round trip to 0.58 of it.
   */
  maxInFlight?: number;
  /** Attempts before a row that keeps being throttled is failed (default 8). */
  maxAttempts?: number;
  /** Overrides the length of a channel's contact window (`contactWindowDays`, Zalo: 7), in days. */
  zaloWindowDays?: number;
  /**
   * Whether a channel is connected now (the app's channel health). While it is not, its rows
   * wait `pending` without spending an attempt, so a Telegram outage of a day loses nothing;
   * `wake()` when it connects. Default: always connected.
   */
  connected?: (name: ChannelName) => boolean;
  /**
   * Whether a channel that is not connected is only *troubled* (its connection stands, but the
   * platform refused sends, e.g. Zalo OA out of quota): then one row is tried every `probeMs`,
   * since only a send that works reports the channel up again. Without it a campaign waited for
   * a citizen to happen to write (trial: 787 rows pending for good after Zalo's -211 cleared).
   */
  probeWhileDown?: (name: ChannelName) => boolean;
  /** How often a troubled channel is probed with one row (default 60 s). */
  probeMs?: number;
}

/**
 * Events: `started` (campaignId), `done` (campaignId), `delivery` (campaignId, status),
 * `notice` (noticeId, status).
 */
export interface Outbox {
  readonly events: EventEmitter;
  /** Recovers interrupted rows, then starts the scheduler and the workers. */
  start(): Map<number, number>;
  /** Stops claiming, drains in-flight sends (each is recorded), stops the loops. */
  stop(): Promise<void>;
  /** One scheduler pass (the timer calls it; tests call it directly with an injected clock). */
  tick(): void;
  /** Wakes idle workers (after a resume, a resend or queued answer notices). */
  wake(): void;
}

/** Creates the outbox. */
export function createOutbox(deps: OutboxDeps): Outbox {
  const { db, channels, throttles, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const pollMs = deps.pollMs ?? 1000;
  const batchSize = deps.batchSize ?? 200;
  const maxAttempts = deps.maxAttempts ?? 8;
  const probeMs = deps.probeMs ?? 60_000;
  const group = deps.group ?? createGroupCommit(db);
  const events = new EventEmitter();
  /**
   * Per campaign: the message for each of its channels, in the parts it is sent in (the whole
   * message, or a photo then its text; it ends with the channel's opt-out line), and its API calls.
   */
  const replies = new Map<number, { reply: Partial<Record<ChannelName, Reply[]>>; cost: Partial<Record<ChannelName, number>> }>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  const loops: Promise<void>[] = [];
  const wakers = new Set<() => void>();
  let stopSignal: Promise<void> = Promise.resolve();
  let signalStop = (): void => {};
  // Aborted at stop: a slot asked of the throttle leaves its queue and its wait's timer is
  // cleared, so a stop behind a platform's retry_after does not keep the process alive that long.
  let stopAbort = new AbortController();
  let quietLogged = false;

  const replyFor = (campaignId: number): { reply: Partial<Record<ChannelName, Reply[]>>; cost: Partial<Record<ChannelName, number>> } | undefined => {
    let r = replies.get(campaignId);
    if (!r) {
      const c = getCampaign(db, campaignId);
      if (!c) return undefined;
      r = {
        reply: Object.fromEntries(c.channels.map((ch) => [ch, campaignParts(c, ch)])),
        cost: Object.fromEntries(c.channels.map((ch) => [ch, apiCallsPerMessage(c, ch)])),
      };
      replies.set(campaignId, r);
    }
    return r;
  };

  const wake = (): void => {
    for (const w of [...wakers]) w();
  };

  const finishDone = (): void => {
    for (const id of finishedSendingCampaigns(db)) {
      const counts = deliveryCounts(db, id, now());
      const ok = db.transaction(() => {
        if (!transitionCampaign(db, id, ['sending'], 'done', { counts, finishedAt: true }, now())) return false;
        recordAudit(db, { actor: 'system', action: 'campaign.done', targetType: 'campaign', targetId: id, details: counts }, now());
        return true;
      })();
      if (ok) {
        replies.delete(id);
        logger?.info({ campaign: id, counts }, 'campaigns: campaign done');
        events.emit('done', id);
      }
    }
  };

  const tick = (): void => {
    const at = now();
    if (isQuietTime(at, deps.quietHours)) {
      if (!quietLogged && dueCampaigns(db, at).length > 0)
        logger?.info({ until: quietHoursEnd(at, deps.quietHours).toISOString() }, 'campaigns: quiet hours; holding sends until morning');
      quietLogged = true;
    } else {
      quietLogged = false;
      for (const c of dueCampaigns(db, at)) {
        const members = campaignAudience(db, c, deps.regions());
        if (!startSending(db, c.id, members, at)) continue;
        recordAudit(db, { actor: 'system', action: 'campaign.start', targetType: 'campaign', targetId: c.id, details: { targeted: members.length } }, at);
        logger?.info({ campaign: c.id, targeted: members.length }, 'campaigns: sending started');
        events.emit('started', c.id);
        wake();
      }
    }
    failUnroutableDeliveries(db, [...channels.keys()].filter((n) => throttles.has(n)), at);
    finishDone();
  };

  /**
   * What a SendResult means for the row that was sent (`attempts` before this one). `held`: the
   * platform refused it for the whole channel, which is now reported down (Zalo OA out of quota,
   * -211/-218): the row waits with the channel, the attempt not counted, so a quota that stays
   * out all day never fails it (it did: 8 probes, then "gave up").
   */
  const outcomeOf = (res: SendResult, attempts: number, at: Date, held = false): DeliveryOutcome => {
    if (res.kind === 'ok') return { status: 'sent', messageId: res.messageId };
    if (res.kind === 'retryAfter' && held)
      return { status: 'retry', retryAt: new Date(at.getTime() + Math.max(0.2, res.seconds) * 1000), reason: res.reason ?? `retry after ${res.seconds}s`, held: true };
    if (res.kind === 'retryAfter') {
      if (attempts + 1 >= maxAttempts) return { status: 'failed', reason: `gave up after ${maxAttempts} attempts: ${res.reason ?? 'throttled'}` };
      return { status: 'retry', retryAt: new Date(at.getTime() + Math.max(0.2, res.seconds) * 1000), reason: res.reason ?? `retry after ${res.seconds}s` };
    }
    if (res.kind === 'gone') return { status: 'gone', reason: res.reason };
    if (res.kind === 'outsideWindow') return { status: 'outside_window', reason: res.reason ?? 'outside the 7-day window' };
    return { status: 'failed', reason: res.reason };
  };

  /**
   * Records one send's result and its attempt in the next shared commit (one transaction with
   * whatever else it carries); a `gone` result also marks the person. Resolves once committed.
   */
  const record = async (
    write: (o: DeliveryOutcome, at: Date) => void,
    log: SendLane,
    rowId: number,
    channel: ChannelName,
    personId: number | null,
    attempts: number,
    res: SendResult,
    held = false,
  ): Promise<string> => {
    const at = now();
    const outcome = outcomeOf(res, attempts, at, held);
    await group.later(() => {
      write(outcome, at);
      logAttempt(db, log, rowId, channel, attempts + 1, res, at);
      if (outcome.status === 'gone' && personId !== null) markPersonGone(db, personId, outcome.reason);
    });
    return outcome.status;
  };

  const classify = async (task: DeliveryTask, res: SendResult, held: boolean): Promise<void> => {
    const status = await record((o, at) => recordDelivery(db, task.id, o, at), 'delivery', task.id, task.channel, task.personId, task.attempts, res, held);
    events.emit('delivery', task.campaignId, status);
  };

  const classifyNotice = async (task: NoticeTask, res: SendResult, held = false): Promise<void> => {
    const status = await record((o, at) => recordNotice(db, task.id, o, at), 'notice', task.id, task.channel, task.personId, task.attempts, res, held);
    events.emit('notice', task.id, status);
  };

  /** One row a worker sends: a campaign delivery or an answer notice. */
  interface Job {
    id: number;
    /** Unique across deliveries and notices. */
    key: string;
    recipient: string;
    attempts: number;
    /** The message in the parts it is sent in (one, or a photo then its text). */
    parts: Reply[];
    /** Parts already sent by an earlier try: a retry sends the rest. */
    partsDone: number;
    /** Records that the first `n` parts went out; resolves once committed. Absent: one part only. */
    partsSent?(n: number): Promise<void>;
    /** API calls the message takes on this channel (the throttle counts calls). */
    cost: number;
    /** Campaigns use the platform's bulk lane; an answer notice is one person's answer. */
    broadcast: boolean;
    /** Claims the row right before the send (in the shared commit); false when it must not be sent. */
    claim(): Promise<boolean>;
    /** Whether the claimed row must still go (false: its person opted out since the claim; recorded). */
    stillWanted?(): boolean;
    /** Records the result (`held`: refused because the whole channel cannot send now); resolves once committed. */
    finish(res: SendResult, held: boolean): Promise<void>;
  }

  const runWorker = async (name: ChannelName, channel: Channel, throttle: Throttle): Promise<void> => {
    const inFlight = new Set<Promise<void>>();
    const maxInFlight = deps.maxInFlight ?? Math.max(64, Math.ceil(throttle.stats().limit / 4));
    // Rows between their slot and their recorded result ('d' deliveries, 'n' notices): a claim
    // commits a turn later, so the next read may still see such a row pending; it is not taken twice.
    const taken = new Set<string>();
    // The platform's contact window (Zalo OA: 7 days since the person's last message), from the
    // channel's capabilities; `zaloWindowDays` overrides its length (tests).
    const windowDays = channel.capabilities.contactWindowDays === undefined ? undefined : (deps.zaloWindowDays ?? channel.capabilities.contactWindowDays);
    const contactWindowMs = windowDays === undefined ? undefined : windowDays * 86_400_000;
    const windowFor = (): { windowStart?: string } =>
      contactWindowMs !== undefined ? { windowStart: new Date(now().getTime() - contactWindowMs).toISOString() } : {};
    /** The channel reports it cannot send now (not connected, or in trouble such as Zalo's quota). */
    const down = (): boolean => deps.connected?.(name) === false;
    const deliveryJob = (task: DeliveryTask): Job | undefined => {
      const message = replyFor(task.campaignId);
      const reply = message?.reply[name];
      if (!message || !reply) return undefined;
      return {
        id: task.id,
        key: `d${task.id}`,
        recipient: task.recipient,
        attempts: task.attempts,
        parts: reply,
        partsDone: task.partsDone ?? 0,
        partsSent: (n) => group.later(() => recordPartsDone(db, task.id, n)),
        cost: message.cost[name] ?? 1,
        broadcast: true,
        async claim() {
          // Stopped meanwhile (the claim commits a turn after its slot): nothing new is claimed.
          const claim = await group.run((): ClaimOutcome => (running ? claimDelivery(db, task.id, windowFor(), now()) : { kind: 'lost' }));
          if (claim.kind === 'skipped') events.emit('delivery', task.campaignId, claim.status);
          return claim.kind === 'claimed';
        },
        stillWanted() {
          if (!stopIfOptedOutSinceClaim(db, task.id, now())) return true;
          events.emit('delivery', task.campaignId, 'opted_out');
          return false;
        },
        finish: (res, held) => classify(task, res, held),
      };
    };
    const noticeJob = (task: NoticeTask): Job => ({
      id: task.id,
      key: `n${task.id}`,
      recipient: task.recipient,
      attempts: task.attempts,
      parts: [task.reply],
      partsDone: 0,
      cost: replyCost(channel, task.reply),
      broadcast: false,
      async claim() {
        const claim = await group.run((): NoticeClaim => (running ? claimNotice(db, task.id, windowFor(), now()) : { kind: 'lost' }));
        if (claim.kind === 'skipped') events.emit('notice', task.id, claim.status);
        return claim.kind === 'claimed';
      },
      finish: (res, held) => classifyNotice(task, res, held),
    });
    /** Claims (committed before anything leaves), sends, records. */
    const sendOne = async (job: Job): Promise<void> => {
      if (isQuietTime(now(), deps.quietHours)) return;
      if (!(await job.claim())) return;
      if (job.stillWanted && !job.stillWanted()) return;
      // Part by part, each recorded once sent, so a retry never sends a part twice.
      let res: SendResult = { kind: 'ok' };
      for (let i = Math.min(job.partsDone, job.parts.length - 1); i < job.parts.length; i++) {
        res = await sendSafely(channel, job.recipient, job.parts[i]!, job.attempts, job.broadcast);
        if (res.kind !== 'ok') break;
        if (i < job.parts.length - 1) await job.partsSent?.(i + 1);
      }
      // Only a rate limit slows the whole lane; a 5xx or a network error retries this row.
      if (res.kind === 'retryAfter' && res.rateLimited) throttle.throttled(res.seconds);
      else if (res.kind === 'ok') throttle.succeeded();
      // Refused while the channel reports it cannot send (it said so during this send: Zalo's
      // quota): the row waits for the channel like the rows not yet tried, not failed.
      await job.finish(res, res.kind === 'retryAfter' && !res.rateLimited && down());
    };
    const idle = (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          wakers.delete(done);
          resolve();
        };
        const t = setTimeout(done, ms);
        wakers.add(done);
      });

    let lastProbe = -Infinity;
    while (running) {
      const probing = down() && deps.probeWhileDown?.(name) === true && now().getTime() - lastProbe >= probeMs;
      if (isQuietTime(now(), deps.quietHours) || (down() && !probing)) {
        await idle(pollMs);
        continue;
      }
      if (probing) lastProbe = now().getTime();
      const notices = pendingNotices(db, name, probing ? 1 : batchSize, now());
      const tasks = pendingDeliveries(db, name, probing ? 1 - notices.length : batchSize, now());
      if (tasks.length === 0 && notices.length === 0) {
        if (inFlight.size === 0) finishDone();
        await idle(pollMs);
        continue;
      }
      const jobs: (Job | undefined)[] = [...notices.map(noticeJob), ...tasks.map(deliveryJob)];
      let started = 0;
      for (const job of jobs) {
        if (!running) break;
        if (!job || taken.has(job.key)) continue;
        while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
        // The channel went down or into trouble during the batch (Zalo's quota ran out): the rest
        // waits, rather than each failing in turn (trial: 200 rows failed for one empty quota).
        if (down() && !probing) break;
        // Quiet hours may begin while a batch is going out (up to 200 rows, longer behind a
        // platform's wait): what is left waits for the morning, like the rest.
        if (isQuietTime(now(), deps.quietHours)) break;
        // A slot is only good if its send leaves at once: while the channel cannot send yet
        // (Telegram's sender threads still loading), slots granted now would leave together
        // later, over the platform's limit for that second.
        if (channel.warm) await Promise.race([channel.warm(), stopSignal]);
        if (!running) break;
        const granted = await throttle.acquire(job.recipient, 'campaign', job.cost, stopAbort.signal).then(
          () => true,
          () => false, // aborted by stop()
        );
        if (!granted || !running) break;
        // Not awaited: the next slot is not held up by this row's commits and its send.
        taken.add(job.key);
        const p = sendOne(job)
          .catch((err) => logger?.error({ err, row: job.id }, 'campaigns: claiming or recording a send failed'))
          .finally(() => taken.delete(job.key));
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        started++;
      }
      // Everything read is already on its way: wait for some of it rather than read again at once.
      if (started === 0 && running) await (inFlight.size > 0 ? Promise.race(inFlight) : idle(pollMs));
    }
    // Drain: every send already handed to the platform is awaited and recorded.
    await Promise.allSettled([...inFlight]);
  };

  return {
    events,
    start() {
      const unknown = markInterruptedUnknown(db, now());
      for (const [id, n] of unknown) {
        recordAudit(db, { actor: 'system', action: 'campaign.unknown', targetType: 'campaign', targetId: id, details: { unknown: n } }, now());
        logger?.warn(
          { campaign: id, unknown: n },
          `campaigns: ${n} deliveries were in flight when the process stopped; marked unknown (see 'loa campaign status ${id}', 'loa campaign resend-unknown ${id}')`,
        );
      }
      const unknownNotices = markInterruptedNoticesUnknown(db, now());
      if (unknownNotices > 0) {
        recordAudit(db, { actor: 'system', action: 'question.notify.unknown', details: { unknown: unknownNotices, text: `${unknownNotices} tin báo câu trả lời đang gửi dở khi máy chủ dừng: không rõ đã tới người hỏi hay chưa` } }, now());
        logger?.warn({ unknown: unknownNotices }, `campaigns: ${unknownNotices} answer notices were in flight when the process stopped; marked unknown`);
      }
      // A wait the platform asked for before a crash still holds: the throttle kept it in memory.
      for (const [name, seconds] of platformHolds(db, now())) {
        const throttle = throttles.get(name);
        if (!throttle) continue;
        throttle.throttled(seconds);
        logger?.info({ channel: name, seconds: Math.ceil(seconds) }, 'campaigns: the platform asked to wait before the restart; holding this channel until then');
      }
      running = true;
      stopSignal = new Promise<void>((r) => (signalStop = r));
      stopAbort = new AbortController();
      for (const [name, throttle] of throttles) {
        const channel = channels.get(name);
        if (!channel) continue;
        loops.push(runWorker(name, channel, throttle));
      }
      tick();
      const failures = repeatingFailureLog(logger, 'campaigns: scheduler pass failed');
      timer = setInterval(() => {
        try {
          tick();
          failures.ok();
        } catch (err) {
          failures.failed(err);
        }
      }, pollMs);
      return unknown;
    },
    async stop() {
      running = false;
      if (timer) clearInterval(timer);
      signalStop();
      stopAbort.abort();
      wake();
      await Promise.allSettled(loops.splice(0));
    },
    tick,
    wake,
  };
}
