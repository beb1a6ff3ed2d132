/**
 * The outbox: turns scheduled campaigns into deliveries and deliveries into sends, exactly
 * once, through crashes.
 *
 * - **Scheduler** (`tick`, every second): a scheduled campaign whose time has come, outside
 *   quiet hours, has its audience snapshotted into `deliveries` and becomes `sending` (one
 *   transaction); a sending campaign with nothing left pending becomes `done` with its counts
 *   frozen.
 * - **Workers**, one per channel: read pending rows; for each, wait for the channel's
 *   throttle, then *claim* the row (re-checking consent, status and the Zalo window, and
 *   committing `sending`) and send it; the SendResult is recorded in one commit. Only rows
 *   actually in flight are ever `sending`, so a crash leaves at most the in-flight count
 *   `unknown`, and `kill -9` loses nothing recorded.
 * - **Recovery**: rows still `sending` at start-up become `unknown` and are reported.
 * - **Stop** (SIGTERM): nothing new is claimed; in-flight sends finish and are recorded.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { Channel, ChannelName, Reply, SendResult } from '../channels/channel.js';
import {
  claimDelivery,
  deliveryCounts,
  dueCampaigns,
  failUnroutableDeliveries,
  finishedSendingCampaigns,
  getCampaign,
  markInterruptedUnknown,
  pendingDeliveries,
  recordDelivery,
  startSending,
  transitionCampaign,
  type DeliveryTask,
} from '../db/campaigns.js';
import { markPersonGone } from '../db/people.js';
import { recordAudit } from '../db/audit.js';
import { campaignAudience, type RegionTree } from './audience.js';
import { apiCallsPerMessage, campaignReply } from './content.js';
import { isQuietTime, quietHoursEnd, type QuietHours } from './quiet-hours.js';
import type { Throttle } from './throttle.js';

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
  /** Rows read per query (default 200). */
  batchSize?: number;
  /** Most sends in flight per channel (default 64). */
  maxInFlight?: number;
  /** Attempts before a row that keeps being throttled is failed (default 8). */
  maxAttempts?: number;
  /** Zalo's window for consultation messages, in days (default 7). */
  zaloWindowDays?: number;
}

/** Events: `started` (campaignId), `done` (campaignId), `delivery` (campaignId, status). */
export interface Outbox {
  readonly events: EventEmitter;
  /** Recovers interrupted rows, then starts the scheduler and the workers. */
  start(): Map<number, number>;
  /** Stops claiming, drains in-flight sends (each is recorded), stops the loops. */
  stop(): Promise<void>;
  /** One scheduler pass (the timer calls it; tests call it directly with an injected clock). */
  tick(): void;
  /** Wakes idle workers (after a resume or a resend). */
  wake(): void;
}

/** Creates the outbox. */
export function createOutbox(deps: OutboxDeps): Outbox {
  const { db, channels, throttles, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const pollMs = deps.pollMs ?? 1000;
  const batchSize = deps.batchSize ?? 200;
  const maxInFlight = deps.maxInFlight ?? 64;
  const maxAttempts = deps.maxAttempts ?? 8;
  const windowMs = (deps.zaloWindowDays ?? 7) * 86_400_000;
  const events = new EventEmitter();
  const replies = new Map<number, { reply: Reply; cost: Partial<Record<ChannelName, number>> }>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  const loops: Promise<void>[] = [];
  const wakers = new Set<() => void>();
  let stopSignal: Promise<void> = Promise.resolve();
  let signalStop = (): void => {};
  let quietLogged = false;

  const replyFor = (campaignId: number): { reply: Reply; cost: Partial<Record<ChannelName, number>> } | undefined => {
    let r = replies.get(campaignId);
    if (!r) {
      const c = getCampaign(db, campaignId);
      if (!c) return undefined;
      r = { reply: campaignReply(c), cost: Object.fromEntries(c.channels.map((ch) => [ch, apiCallsPerMessage(c, ch)])) };
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

  const classify = (task: DeliveryTask, res: SendResult): void => {
    const at = now();
    let status: string;
    if (res.kind === 'ok') {
      recordDelivery(db, task.id, { status: 'sent', messageId: res.messageId }, at);
      status = 'sent';
    } else if (res.kind === 'retryAfter') {
      if (task.attempts + 1 >= maxAttempts) {
        recordDelivery(db, task.id, { status: 'failed', reason: `gave up after ${maxAttempts} attempts: ${res.reason ?? 'throttled'}` }, at);
        status = 'failed';
      } else {
        const retryAt = new Date(at.getTime() + Math.max(0.2, res.seconds) * 1000);
        recordDelivery(db, task.id, { status: 'retry', retryAt, reason: res.reason ?? `retry after ${res.seconds}s` }, at);
        status = 'retry';
      }
    } else if (res.kind === 'gone') {
      db.transaction(() => {
        recordDelivery(db, task.id, { status: 'gone', reason: res.reason }, at);
        markPersonGone(db, task.personId, res.reason);
      })();
      status = 'gone';
    } else if (res.kind === 'outsideWindow') {
      recordDelivery(db, task.id, { status: 'outside_window', reason: res.reason ?? 'outside the 7-day window' }, at);
      status = 'outside_window';
    } else {
      recordDelivery(db, task.id, { status: 'failed', reason: res.reason }, at);
      status = 'failed';
    }
    events.emit('delivery', task.campaignId, status);
  };

  const runWorker = async (name: ChannelName, channel: Channel, throttle: Throttle): Promise<void> => {
    const inFlight = new Set<Promise<void>>();
    const sendOne = async (task: DeliveryTask, reply: Reply): Promise<void> => {
      let res: SendResult;
      try {
        res = await channel.send(task.recipient, reply, { broadcast: true });
      } catch (err) {
        // Channels should not throw; if one does, treat it as transient rather than lose the row.
        res = { kind: 'retryAfter', seconds: 2 ** Math.min(task.attempts, 6), reason: `send threw: ${(err as Error).message}` };
      }
      if (res.kind === 'retryAfter') throttle.throttled(res.seconds);
      else throttle.succeeded();
      classify(task, res);
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

    while (running) {
      if (isQuietTime(now(), deps.quietHours)) {
        await idle(pollMs);
        continue;
      }
      const tasks = pendingDeliveries(db, name, batchSize, now());
      if (tasks.length === 0) {
        if (inFlight.size === 0) finishDone();
        await idle(pollMs);
        continue;
      }
      for (const task of tasks) {
        if (!running) break;
        while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
        const message = replyFor(task.campaignId);
        if (!message) continue;
        await Promise.race([throttle.acquire(task.recipient, 'campaign', message.cost[name] ?? 1), stopSignal]);
        if (!running) break;
        const claim = claimDelivery(
          db,
          task.id,
          name === 'zalo' ? { windowStart: new Date(now().getTime() - windowMs).toISOString() } : {},
          now(),
        );
        if (claim.kind === 'skipped') events.emit('delivery', task.campaignId, claim.status);
        if (claim.kind !== 'claimed') continue;
        const p = sendOne(task, message.reply).catch((err) => logger?.error({ err, delivery: task.id }, 'campaigns: recording a send failed'));
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
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
      running = true;
      stopSignal = new Promise<void>((r) => (signalStop = r));
      for (const [name, throttle] of throttles) {
        const channel = channels.get(name);
        if (!channel) continue;
        loops.push(runWorker(name, channel, throttle));
      }
      tick();
      timer = setInterval(() => {
        try {
          tick();
        } catch (err) {
          logger?.error({ err }, 'campaigns: scheduler pass failed');
        }
      }, pollMs);
      return unknown;
    },
    async stop() {
      running = false;
      if (timer) clearInterval(timer);
      signalStop();
      wake();
      await Promise.allSettled(loops.splice(0));
    },
    tick,
    wake,
  };
}
