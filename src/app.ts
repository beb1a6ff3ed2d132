/**
 * Wires Loa together: db, knowledge, conversation, channels, workers, HTTP. `main.ts` is the
 * only caller in production; tests call `createApp` with a config they built.
 *
 * Order: store -> knowledge -> features -> conversation -> channels + inbox -> HTTP routes.
 * `start()` listens and starts channels and workers; `stop()` drains and closes in reverse.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { Config } from './config.js';
import { openDb, type Db } from './db/index.js';
import { startBackgroundCheckpoints } from './db/checkpoint.js';
import { createGroupCommit } from './db/group-commit.js';
import { INLINE_SEARCH_MS, openKnowledge, type Knowledge, type KnowledgeDeps } from './knowledge/knowledge.js';
import { createConversation, type Conversation } from './conversation/conversation.js';
import { createInbox, type Inbox } from './conversation/inbox.js';
import { startReplies } from './conversation/core-feature.js';
import { CHANNEL_NAMES, type ChannelName } from './messages.js';
import type { Channel } from './channels/channel.js';
import { connectInBackground, createChannelHealth, type BackoffOptions, type ChannelHealth, type Connection } from './channels/connection.js';
import { healthReport } from './http/health.js';
import { createWebChannel, registerWebChat } from './channels/web/web.js';
import { createChannelThrottles, createSender, type Sender } from './sender/sender.js';
import type { Clock } from './campaigns/throttle.js';
import { createHttpServer, requestsInFlight } from './http/server.js';
import { createDiskGuard } from './db/disk.js';
import { applyRetention } from './db/retention.js';
import { createWebLimits } from './channels/web/limits.js';
import { createLogger } from './logger.js';
import type { Feature } from './conversation/types.js';
import { createSubscriptionFeature } from './conversation/subscription.js';
import { createDisinfoFeature } from './conversation/disinfo.js';
import { createPictureKeys } from './conversation/picture-key.js';
import { createQuizFeature, installQuiz, type QuizRunner } from './quiz/feature.js';
import { createTrainingFeature } from './training/feature.js';
import { createTrainingRegistry } from './training/definition.js';
import { createCampaigns, type CampaignsRuntime } from './campaigns/install.js';
import { installAdmin } from './admin/index.js';
import type { AuthOptions } from './admin/auth.js';
import { installTelegram } from './channels/telegram/telegram.js';
import { installZalo } from './channels/zalo/install.js';
import { installZaloBot } from './channels/zalo-bot/install.js';
import { createZaloFeature } from './channels/zalo/feature.js';
import { installDailyBackups } from './db/backup.js';

/** A running (or ready) Loa instance. */
export interface App {
  config: Config;
  logger: Logger;
  db: Db;
  knowledge: Knowledge;
  conversation: Conversation;
  inbox: Inbox;
  channels: Map<ChannelName, Channel>;
  server: FastifyInstance;
  /** Listens on the configured host/port and starts channels and workers. Returns the base URL. */
  start(): Promise<string>;
  /** Stops workers and channels, drains in-flight work, closes the server and the store. */
  stop(): Promise<void>;
  /** Things to run on start and stop, registered by feature modules. */
  onStart(fn: () => Promise<void> | void): void;
  onStop(fn: () => Promise<void> | void): void;
  /** The one send queue: replies, quiz pushes, answer notices and campaigns leave through it. */
  sender: Sender;
  /** Each channel's connection state (`/healthz`, the dashboard; the outbox waits on it). */
  health: ChannelHealth;
  /** The campaign lane: outbox workers and scheduler on the sender's throttles. */
  campaigns: CampaignsRuntime;
  /** The quiz's due work (live quiz steps, timed-out questions), sending through the one sender. */
  quiz?: QuizRunner;
}

/**
 * V8 settings of a serving process, set when the app starts: they hold for the whole process,
 * its worker threads included, from their next garbage collection. Set here rather than on
 * node's command line, so that `npm start`, the systemd unit, the container and the benchmarks'
 * servers all run with them.
 *
 * `--no-parallel-scavenge`: each young-generation collection runs on the thread that allocated,
 * not split with helper threads. V8 splits it into as many tasks as Node has platform threads
 * plus one (5), whatever the cores, and the thread waits for all of them: on the machine Loa is
 * meant for (1–2 cores, shared with the search thread and the SQLite checkpoint thread), a helper
 * that gets no core holds the collection, and the request waiting on it, for a scheduler slice or
 * more. Measured on the chat bench's path (2 cores shared with other work at load 4–10; the
 * setting flipped in one server between blocks of requests, so both arms saw the same load; 7
 * pairs of 560–1,700 requests each): one at a time, the longest collection fell in 5 of 7 pairs
 * (from 11.8–114 ms to 5.6–8.8 ms), the time spent collecting in 6 of 7 (by 8–79 %), and the p99
 * in 6 of 7 (e.g. 47.8 -> 15.0 ms; 0.1 ms higher in the seventh). 4 at a time the collections did
 * not change, and the p99 was higher in 5 pairs (by 1–29 ms) and lower in 2: within the noise of
 * a shared machine, but not a gain. The CPU per answer did not change. A larger young generation (`--max-semi-space-size`
 * 32 or 64, which only the command line can set) made a half or a quarter as many collections,
 * each about four times longer; a smaller one (8) 2.6 times as many, each as long.
 */
export const SERVER_V8_FLAGS = ['--no-parallel-scavenge'];

/** Options for tests and tools. */
export interface CreateAppOptions {
  logger?: Logger;
  /** Extra conversation features (tests). */
  features?: Feature[];
  /** Clock (tests). */
  now?: () => Date;
  /** Login throttle and session limits of the admin (tests; defaults: `defaultAuthOptions`). */
  adminAuth?: Partial<AuthOptions>;
  /** Watch the content dir for changes (default true). */
  watchContent?: boolean;
  /** The sender's clock for waits between retries (tests pass one that does not really wait). */
  sendClock?: Clock;
  /** Content reloads built on a worker (default true; knowledge/build-thread.ts). */
  buildThread?: boolean;
  /** Fits the answer decision to the content (knowledge.ts; tests pass one that remembers its fits). */
  calibrate?: KnowledgeDeps['calibrate'];
  /** Backoff between a channel's connection attempts (default 1 s doubling to 5 min; tests shorten it). */
  connectBackoff?: Partial<BackoffOptions>;
}

/** Builds the app from a validated config. Nothing listens until `start()`. */
export async function createApp(config: Config, opts: CreateAppOptions = {}): Promise<App> {
  const logger = opts.logger ?? createLogger(config.logLevel, config.logFormat);
  const db = openDb(join(config.dataDir, 'loa.sqlite'), { synchronous: config.dbSynchronous });
  // The server writes on every message: its WAL checkpoints (and their fsyncs) run on a worker
  // thread instead of stalling the event loop (db/checkpoint.ts).
  const checkpoints = startBackgroundCheckpoints(db, {
    synchronous: config.dbSynchronous,
    onFallback: (err) => logger.error({ err }, 'db: background checkpoints failed; SQLite checkpoints inline again'),
  });
  // The snapshot is read off this thread (knowledge.ts openKnowledge).
  const knowledge = await openKnowledge({
    contentDir: config.contentDir,
    dataDir: config.dataDir,
    logger,
    now: opts.now,
    searchThreads: config.searchThreads ?? 0,
    inlineSearchMs: INLINE_SEARCH_MS,
    // A turn alone in the inbox and in the HTTP server (a lone visitor) searches here, without the hand-off.
    idle: () => inbox.inProgress() <= 1 && (requestsInFlight(server) ?? Infinity) <= 1,
    ...(opts.buildThread !== undefined ? { buildThread: opts.buildThread } : {}),
    ...(opts.calibrate ? { calibrate: opts.calibrate } : {}),
  });
  const starters: (() => Promise<void> | void)[] = [];
  const stoppers: (() => Promise<void> | void)[] = [];

  // Conversation features, consulted in order before the core (add yours here).
  // The training feature runs its tests on the quiz engine (training/feature.ts).
  const quiz = createQuizFeature({ contentDir: config.contentDir });
  const training = createTrainingFeature({ registry: createTrainingRegistry(config.contentDir), quiz });
  // A reported picture without a platform file identity (Zalo) is grouped by its content, fetched
  // through its channel (`channels` is filled below; read when a picture comes).
  const pictures = createPictureKeys({ fetch: (channel, ref, max) => channels.get(channel)?.fetchMedia?.(ref, max) ?? Promise.resolve(null) });
  const features: Feature[] = [...(opts.features ?? []), createDisinfoFeature({ pictures }), training, quiz, createSubscriptionFeature(), createZaloFeature()];
  // One group commit for the inbox and the conversation's records (db/group-commit.ts).
  const group = createGroupCommit(db);
  const conversation = createConversation({
    db,
    knowledge,
    config,
    features,
    now: opts.now,
    record: (write) => group.run(write).catch((err: unknown) => logger.error({ err }, 'conversation: a record could not be written')),
  });

  const channels = new Map<ChannelName, Channel>();
  channels.set('web', createWebChannel());
  // The one sender, on the same group commit: a reply is stored with its event's processed mark.
  // Channels installed below join `channels`; the throttles (one per configured platform) are
  // shared with the campaign lane, where replies go first.
  const sender = createSender({
    db,
    channels,
    throttles: createChannelThrottles(config, opts.sendClock),
    group,
    logger: logger.child({ module: 'sender' }),
    now: opts.now,
    clock: opts.sendClock,
  });
  const inbox = createInbox({ db, conversation, channels, logger, group, sender });
  const server = createHttpServer(logger, { trustProxy: config.http.trustProxy });

  // A nearly full disk (db/disk.ts): webhooks answer 503 so the platforms deliver the update
  // again later; the web chat refuses new visitors first (web.ts).
  const disk = createDiskGuard({ dir: config.dataDir, minFreeMb: config.minFreeMb ?? 0 });
  // The platforms configured start as "retrying" until their first connection (connection.ts);
  // the web chat is served by this process and is up as soon as it listens.
  const health = createChannelHealth(CHANNEL_NAMES, ['web', ...(config.telegram ? ['telegram' as const] : []), ...(config.zalo ? ['zalo' as const] : []), ...(config.zaloBot ? ['zalo-bot' as const] : [])], opts.now);
  // 200 when everything configured works, 503 when a channel is not connected, the content has
  // errors or the disk is nearly full: a monitor reads the status, a person the JSON (http/health.ts).
  server.get('/healthz', async (_req, reply) => {
    const report = healthReport({ health, knowledge, disk });
    return reply.code(report.ok ? 200 : 503).header('cache-control', 'no-store').send(report);
  });
  server.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/webhooks/') && disk.state() === 'critical') {
      logger.error({ url: req.url, freeMb: Math.round(disk.freeMb()) }, 'disk nearly full: webhook refused with 503 (the platform will redeliver); free space in LOA_DATA_DIR');
      return reply.code(503).header('retry-after', '60').send({ ok: false, error: 'disk nearly full' });
    }
  });
  const limits = createWebLimits({
    perAddress: config.bot.web_chat_limits.per_address,
    newSessionsPerAddress: config.bot.web_chat_limits.new_sessions_per_address,
    global: config.bot.web_chat_limits.global,
    refusalsPerAddress: config.bot.web_chat_limits.refusals_per_address,
    // Twice the person's flood limit: the conversation's polite warning comes first.
    perSession: { count: config.bot.flood_limit.messages * 2, seconds: config.bot.flood_limit.seconds },
  });
  registerWebChat(server, {
    db,
    inbox,
    botName: config.bot.name,
    limits,
    disk,
    logger,
    takeHeld: (personId) => sender.takeHeld(personId),
    greet: (lang) => startReplies({ config, knowledge }, lang),
    // The embed tag's commune (data-loa-region), checked against regions.yaml as it is now.
    regionKnown: (slug) => knowledge.regionInfo(slug) !== undefined,
    regionName: (slug) => knowledge.regionInfo(slug)?.name,
  });
  // Retention (db/retention.ts): at start-up, then daily.
  let retentionTimer: NodeJS.Timeout | undefined;
  const connections: Connection[] = [];
  const retain = (): void => {
    try {
      const r = applyRetention(db, config.retentionMonths ?? 0, opts.now?.() ?? new Date());
      if (Object.values(r).some((n) => n > 0)) logger.info({ ...r, months: config.retentionMonths }, 'retention: old texts cleared');
    } catch (err) {
      logger.error({ err }, 'retention: pass failed');
    }
  };

  // The campaign lane of the one sender; the channels installed below join its (live) map.
  const campaigns = createCampaigns({
    db,
    channels,
    throttles: sender.throttles,
    regions: () => ({ regions: knowledge.state.regions, root: config.bot.regions_root }),
    quietHours: config.bot.quiet_hours,
    logger,
    health,
    group,
  });

  const app: App = {
    config,
    logger,
    db,
    knowledge,
    conversation,
    inbox,
    channels,
    server,
    sender,
    health,
    campaigns,
    onStart: (fn) => starters.push(fn),
    onStop: (fn) => stoppers.push(fn),
    async start() {
      for (const flag of SERVER_V8_FLAGS) setFlagsFromString(flag);
      if (opts.watchContent !== false) knowledge.watch();
      // Not waiting for the search thread: it loads its copy of the index in the background
      // (and logs when it is ready), while this thread, which already holds the index, searches
      // itself. Waiting held listening back by about a second at 10,000 passages.
      const address = await server.listen({ host: config.http.host, port: config.http.port });
      // Platforms connect in the background, each with its own backoff: an unreachable Bot API
      // must not hold up the admin pages, the first admin account or the recovery below.
      for (const ch of channels.values()) {
        if (!ch.start) {
          health.set(ch.name, 'connected'); // nothing to connect (the web chat, a test's fake)
          continue;
        }
        const start = ch.start.bind(ch);
        connections.push(
          connectInBackground({
            name: ch.name,
            start: (events) => start(events),
            health,
            logger: logger.child({ module: 'connect' }),
            backoff: opts.connectBackoff,
            // A Zalo OA authorised again with `loa zalo connect` beside the running server
            // works without a restart: keep checking after a permanent failure.
            recheckFailed: ch.name === 'zalo',
          }),
        );
      }
      sender.start();
      for (const fn of starters) await fn();
      await inbox.recover();
      retain();
      retentionTimer = setInterval(retain, 86_400_000).unref();
      // Everything above runs whether or not the platforms answer. Returning after each first
      // attempt (success or its logged failure) makes a started app predictable: a reachable
      // platform is connected by then, an unreachable one is "retrying" with its reason.
      await Promise.all(connections.map((c) => c.firstAttempt));
      logger.info({ address, channels: health.all() }, 'loa: started');
      return address;
    },
    async stop() {
      for (const c of connections.splice(0)) c.stop();
      if (retentionTimer) clearInterval(retentionTimer);
      for (const fn of [...stoppers].reverse()) await fn();
      await server.close();
      // Retry waits are cut short (those rows stay pending for the next start); replies of the
      // events still being processed go out once while the channels are still open.
      await sender.stop();
      await inbox.drain();
      for (const ch of channels.values()) await ch.stop?.();
      await inbox.drain();
      group.flush();
      knowledge.close();
      await checkpoints.stop();
      db.close();
    },
  };
  // The platform channels configured: each installer builds its channel from what it is given
  // (channels/host.ts) and registers its routes; the channel joins `channels` here.
  for (const channel of [installTelegram(app), installZalo(app), installZaloBot(app, { backoff: opts.connectBackoff })])
    if (channel) channels.set(channel.name, channel);
  app.quiz = installQuiz(app, { now: opts.now });
  // After the channels and features: the outbox starts once they are all installed.
  app.onStart(() => campaigns.start());
  app.onStop(() => campaigns.stop());
  installAdmin(app, { now: opts.now, ...(opts.adminAuth ? { auth: opts.adminAuth } : {}) });
  installDailyBackups(app, { dataDir: config.dataDir, keep: config.backup?.keep ?? 0, at: config.backup?.at ?? '02:30', minFreeMb: config.minFreeMb ?? 0, logger, now: opts.now });

  return app;
}
