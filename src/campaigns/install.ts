/**
 * Campaigns on the app: the campaign lane of the one sender (the outbox workers and the
 * scheduler), on the sender's per-channel throttles (replies go first). `app.ts` creates it,
 * starts it with the app and drains it on stop. The CLI only changes campaign state in the
 * database; this running process does the sending.
 */
import type { Db } from '../db/index.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ChannelName } from '../messages.js';
import type { Channel } from '../channels/channel.js';
import type { ChannelHealth } from '../channels/connection.js';
import { createChannelThrottles as throttlesFromConfig } from '../sender/sender.js';
import { createOutbox, type Outbox, type OutboxDeps } from './outbox.js';
import type { Clock, Throttle } from './throttle.js';

/** What campaigns need: explicit, so this module does not know the app. */
export interface CampaignsDeps {
  db: Db;
  /** The channels (a live map: channels connected later are used as they come). */
  channels: Map<ChannelName, Channel>;
  /** The one sender's per-channel throttles (the same map: replies go first). */
  throttles: Map<ChannelName, Throttle>;
  /** The regions served now (they follow content reloads) and the office's root region. */
  regions: OutboxDeps['regions'];
  quietHours: OutboxDeps['quietHours'];
  logger: Logger;
  health: ChannelHealth;
  /** Wall clock for schedules and quiet hours (tests). */
  now?: () => Date;
  pollMs?: number;
  /** The group commit the claims and results share (the app passes the sender's). */
  group?: OutboxDeps['group'];
}

/** What {@link createCampaigns} gives the app, its tools and tests. */
export interface CampaignsRuntime {
  outbox: Outbox;
  /** The sender's throttles (the same map). */
  throttles: Map<ChannelName, Throttle>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The per-channel throttles from the config (built by the sender, `sender/sender.ts`; kept
 * here for the callers that pass `{ config }`).
 */
export function createChannelThrottles(app: { config: Config }, clock?: Clock): Map<ChannelName, Throttle> {
  return throttlesFromConfig(app.config, clock);
}

/**
 * The campaign lane. A channel that is down (retrying or failed) keeps its deliveries pending,
 * not failed, and the outbox wakes when it connects.
 *
 * @example const campaigns = createCampaigns({ db, channels, throttles: sender.throttles, … });
 */
export function createCampaigns(deps: CampaignsDeps): CampaignsRuntime {
  const outbox = createOutbox({
    db: deps.db,
    channels: deps.channels,
    throttles: deps.throttles,
    regions: deps.regions,
    quietHours: deps.quietHours,
    logger: deps.logger.child({ module: 'campaigns' }),
    now: deps.now,
    pollMs: deps.pollMs,
    group: deps.group,
    connected: (name) => deps.health.isConnected(name),
    // Trouble a channel reported while its connection stands (no reconnect scheduled): only a
    // send that works clears it, so the outbox tries one row now and then.
    probeWhileDown: (name) => {
      const h = deps.health.get(name);
      return h.state === 'retrying' && h.nextAttemptAt === undefined;
    },
  });
  deps.health.onChange((_name, status) => {
    if (status.state === 'connected') outbox.wake();
  });
  return {
    outbox,
    throttles: deps.throttles,
    start: () => outbox.start(),
    stop: () => outbox.stop(),
  };
}
