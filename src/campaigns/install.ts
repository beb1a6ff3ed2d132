/**
 * Installs campaigns on the app: one throttle per campaign channel (shared with replies, which
 * go first), the outbox workers and scheduler started with the app and drained on stop.
 * The CLI only changes campaign state in the database; this running process does the sending.
 */
import type { App } from '../app.js';
import type { ChannelName } from '../channels/channel.js';
import { createOutbox, type Outbox } from './outbox.js';
import { createThrottle, type Clock, type Throttle } from './throttle.js';

/** Options of {@link installCampaigns} (tests). */
export interface InstallCampaignsOptions {
  /** Wall clock for schedules and quiet hours. */
  now?: () => Date;
  /** Throttle clock. */
  clock?: Clock;
  pollMs?: number;
}

/** What {@link installCampaigns} adds, for tests and tools. */
export interface CampaignsRuntime {
  outbox: Outbox;
  throttles: Map<ChannelName, Throttle>;
}

const runtimes = new WeakMap<App, CampaignsRuntime>();

/** The campaigns runtime installed on an app (tests and tools await its events). */
export function campaignsOf(app: App): CampaignsRuntime | undefined {
  return runtimes.get(app);
}

/**
 * Builds the per-channel throttles from the config (Telegram: `TELEGRAM_RATE_GLOBAL` and
 * `TELEGRAM_RATE_PER_CHAT`, 1000/s with paid broadcast; Zalo: `ZALO_RATE_PER_MINUTE`).
 */
export function createChannelThrottles(app: Pick<App, 'config'>, clock?: Clock): Map<ChannelName, Throttle> {
  const throttles = new Map<ChannelName, Throttle>();
  const tg = app.config.telegram;
  if (tg) throttles.set('telegram', createThrottle({ ratePerSecond: tg.ratePerSecond, perChatPerSecond: tg.ratePerChatPerSecond, clock }));
  const zalo = app.config.zalo;
  if (zalo) throttles.set('zalo', createThrottle({ ratePerSecond: zalo.ratePerMinute / 60, clock }));
  return throttles;
}

/**
 * Wires campaigns into the app. Call once in `createApp`, after the channels are installed.
 *
 * @example installCampaigns(app);
 */
export function installCampaigns(app: App, opts: InstallCampaignsOptions = {}): CampaignsRuntime {
  const throttles = createChannelThrottles(app, opts.clock);
  const outbox = createOutbox({
    db: app.db,
    channels: app.channels,
    throttles,
    regions: () => ({ regions: app.knowledge.state.regions, root: app.config.bot.regions_root }),
    quietHours: app.config.bot.quiet_hours,
    logger: app.logger.child({ module: 'campaigns' }),
    now: opts.now,
    pollMs: opts.pollMs,
  });
  // Replies to citizens take the next free slot of the same throttle ahead of campaign sends.
  app.beforeReplySend = async (channel, recipient) => {
    await throttles.get(channel)?.acquire(recipient, 'reply');
  };
  app.onStart(() => {
    outbox.start();
  });
  app.onStop(() => outbox.stop());
  const runtime = { outbox, throttles };
  runtimes.set(app, runtime);
  return runtime;
}
