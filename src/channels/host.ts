/**
 * What a platform channel's installer is given by `app.ts`: explicit, so no channel module
 * knows the app. An installer builds its channel (returned, for app.ts to add to the channels),
 * registers its routes on the server and, if it must, a start-up step.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import type { Inbox } from '../conversation/inbox.js';

export interface ChannelHost {
  config: Config;
  db: Db;
  logger: Logger;
  server: FastifyInstance;
  /** The one intake. */
  inbox: Pick<Inbox, 'accept' | 'acceptGrouped'>;
  onStart(fn: () => Promise<void> | void): void;
}
