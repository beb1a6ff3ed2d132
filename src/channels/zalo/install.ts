/**
 * Installs the Zalo OA channel on the app when `config.zalo` is set: the OAuth and API
 * clients, the token store (seeded from the environment on first start), the channel, the
 * webhook and OAuth callback routes, and a start-up check that tells the operator what to do
 * when the OA is not connected.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChannelHost } from '../host.js';
import { createZaloClient, createZaloOAuth, type ZaloHttpOptions } from './client.js';
import { createZaloTokenStore } from './token-store.js';
import { createZaloChannel } from './channel.js';
import type { Channel } from '../channel.js';
import { registerZaloWebhook } from './webhook.js';
import { registerZaloOAuthCallback } from './oauth.js';

/** Builds the Zalo OA channel and its routes (nothing without `config.zalo`); app.ts adds the channel. */
export function installZalo(app: ChannelHost): Channel | undefined {
  const cfg = app.config.zalo;
  if (!cfg) return undefined;
  const logger = app.logger.child({ channel: 'zalo' });
  const http: ZaloHttpOptions = { apiBase: cfg.apiBase, oauthBase: cfg.oauthBase, appId: cfg.appId, appSecret: cfg.appSecret, logger };
  const oauth = createZaloOAuth(http);
  const tokens = createZaloTokenStore({
    db: app.db,
    appId: cfg.appId,
    oauth,
    seed: { accessToken: cfg.accessToken, refreshToken: cfg.refreshToken },
    logger,
  });
  const client = createZaloClient({ ...http, tokens });
  const channel = createZaloChannel({ client, logger, apiBase: cfg.apiBase, ...(cfg.oaId ? { oaId: cfg.oaId } : {}) });

  registerZaloWebhook(app.server, {
    db: app.db,
    inbox: app.inbox,
    appId: cfg.appId,
    oaId: cfg.oaId,
    oaSecretKey: cfg.oaSecretKey,
    logger,
    maxEventAgeMs: (cfg.webhookMaxAgeHours ?? 0) * 3_600_000,
  });
  registerZaloOAuthCallback(app.server, { db: app.db, oauth, tokens, logger, onConnected: () => channel.tokensReplaced() });

  // Domain verification for the webhook URL: Zalo asks for an HTML file at the site root. The
  // operator drops the file Zalo gives into <data dir>/zalo/ and Loa serves it as is.
  app.server.get<{ Params: { file: string } }>('/:file(^zalo_verifier[A-Za-z0-9_-]+\\.html$)', async (req, reply) => {
    try {
      const body = await readFile(join(app.config.dataDir, 'zalo', req.params.file), 'utf8');
      return reply.type('text/html; charset=utf-8').send(body);
    } catch {
      // Where the file goes is for the operator's log, not for whoever asks: the answer would
      // tell anyone on the internet the server's data directory.
      logger.info({ file: req.params.file, dir: join(app.config.dataDir, 'zalo') }, 'zalo: verification file asked for and not found: put the file from Zalo into this folder');
      return reply.code(404).send({ ok: false, error: 'not found' });
    }
  });

  app.onStart(() => {
    const row = tokens.current();
    if (!row)
      logger.warn('Zalo: the OA is not connected yet: replies cannot be sent. Run `loa zalo connect` (see docs/zalo.md).');
    else if (row.refreshingSince)
      logger.warn({ since: row.refreshingSince }, 'Zalo: a token refresh was interrupted by a stop; the next send will tell whether the pair survived');
  });
  return channel;
}
