/**
 * Installs campaigns on the app: the campaign lane of the one sender (the outbox workers and
 * the scheduler), on the sender's per-channel throttles (replies go first), started with the
 * app and drained on stop. The CLI only changes campaign state in the database; this running
 * process does the sending.
 */
import type { App } from '../app.js';
import type { ChannelName } from '../messages.js';
import { createChannelThrottles as throttlesFromConfig } from '../sender/sender.js';
import { createOutbox, type Outbox } from './outbox.js';
import type { Clock, Throttle } from './throttle.js';

/** Options of {@link installCampaigns} (tests). */
export interface InstallCampaignsOptions {
  /** Wall clock for schedules and quiet hours. */
  now?: () => Date;
  pollMs?: number;
}

/** What {@link installCampaigns} adds, for tests and tools. */
export interface CampaignsRuntime {
  outbox: Outbox;
  /** The sender's throttles (the same map). */
  throttles: Map<ChannelName, Throttle>;
}

const runtimes = new WeakMap<App, CampaignsRuntime>();

/** The campaigns runtime installed on an app (tests and tools await its events). */
export function campaignsOf(app: App): CampaignsRuntime | undefined {
  return runtimes.get(app);
}

/**
 * The per-channel throttles from the config (now built by the sender, `sender/sender.ts`;
 * kept here for the callers that pass `{ config }`).
 */
export function createChannelThrottles(app: Pick<App, 'config'>, clock?: Clock): Map<ChannelName, Throttle> {
  return throttlesFromConfig(app.config, clock);
}

/**
 * Wires campaigns into the app. Call once in `createApp`, after the channels are installed.
 *
 * @example installCampaigns(app);
 */
export function installCampaigns(app: App, opts: InstallCampaignsOptions = {}): CampaignsRuntime {
  const throttles = app.sender.throttles;
  const outbox = createOutbox({
    db: app.db,
    channels: app.channels,
    throttles,
    regions: () => ({ regions: app.knowledge.state.regions, root: app.config.bot.regions_root }),
    quietHours: app.config.bot.quiet_hours,
    logger: app.logger.child({ module: 'campaigns' }),
    now: opts.now,
    pollMs: opts.pollMs,
    // A channel that is down (retrying or failed) keeps its deliveries pending, not failed.
    connected: (name) => app.health.isConnected(name),
  });
  app.health.onChange((_name, status) => {
    if (status.state === 'connected') outbox.wake();
  });
  app.onStart(() => {
    outbox.start();
  });
  app.onStop(() => outbox.stop());
  const runtime = { outbox, throttles };
  runtimes.set(app, runtime);
  return runtime;
}
