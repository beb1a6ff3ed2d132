/**
 * Installs the Zalo Bot channel on the app when `ZALO_BOT_TOKEN` is set: the client, the
 * channel (the app starts and stops it, and shows its connection state), and in webhook mode
 * the webhook route.
 */
import type { ChannelHost } from '../host.js';
import { createZaloBotClient } from './client.js';
import { createZaloBotChannel, type ZaloBotChannel, type ZaloBotChannelDeps } from './channel.js';
import { registerZaloBotWebhook } from './webhook.js';

/**
 * Wires the channel into the app (no-op without `config.zaloBot`).
 *
 * @example installZaloBot(app, { backoff: opts.connectBackoff })
 */
export function installZaloBot(app: ChannelHost, overrides: Partial<Pick<ZaloBotChannelDeps, 'backoff' | 'pollTimeoutSeconds'>> = {}): ZaloBotChannel | undefined {
  const config = app.config.zaloBot;
  if (!config) return undefined;
  const logger = app.logger.child({ channel: 'zalo-bot' });
  const client = createZaloBotClient({ token: config.token, apiRoot: config.apiRoot, logger });
  const channel = createZaloBotChannel({
    config,
    client,
    // Updates arriving together share one commit; each webhook still answers only once its update is stored.
    inbox: { accept: (inbound) => app.inbox.acceptGrouped(inbound) },
    logger,
    ...overrides,
  });
  if (config.mode === 'webhook') registerZaloBotWebhook(app.server, channel, config.webhookSecret!);
  return channel;
}
