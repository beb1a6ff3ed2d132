/**
 * A fake Zalo Bot platform (the Bot API of bot.zaloplatforms.com) on an ephemeral loopback
 * port, playing it as docs/zalo-bot.md describes:
 *
 * - every method is `POST ${apiRoot}/bot${token}/${method}` with a JSON body; a wrong token is
 *   answered 401, an unknown method 404;
 * - answers are `{ok:true, result}` or `{ok:false, error_code, description}`, the HTTP status
 *   mirroring `error_code`; a 429 may say `parameters.retry_after` (configurable: the real
 *   platform documents no rate limit, so the fake can play either reading);
 * - `getUpdates {timeout}` returns ONE update per call (not a list), with no offset: an update is
 *   handed out once; with none, the call waits up to `timeout` seconds and answers 408; it is
 *   refused (400) while a webhook is set; a poll whose client went away gets nothing;
 * - `setWebhook {url, secret_token}` (8–256 characters) → `{url, updated_at}`; deliveries are
 *   POSTed with `X-Bot-Api-Secret-Token`, bare `{event_name, message}` or wrapped `{ok, result}`;
 * - `sendMessage` refuses an empty text or one over 2,000 characters (400);
 * - blocked users answer 403, a rate limit per second answers 429, injected failures and a
 *   server that drops connections play the network's trouble.
 *
 * Every call is recorded, every accepted message is kept in `sent`; tests await events, never
 * sleep.
 *
 * @example
 * const zb = await startFakeZaloBot();
 * const { app } = await startTestApp(zaloBotEnv(zb));
 * await zb.deliver(zb.text({ userId: 'u1', text: '/start' }));
 * await zb.waitForSent((s) => s.chatId === 'u1');
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One recorded API call. */
export interface FakeZaloBotCall {
  method: string;
  params: Record<string, unknown>;
  status: number;
  response: unknown;
  /** The raw URL path (holds the token: tests check it never reaches a log). */
  path: string;
}

/** A message the fake accepted. */
export interface FakeZaloBotSent {
  method: 'sendMessage' | 'sendPhoto';
  chatId: string;
  text: string;
  photo?: string;
  messageId: string;
}

/** An update as the platform sends it. */
export interface FakeZaloBotUpdate {
  event_name: string;
  message: Record<string, unknown> & { message_id: string; from: { id: string }; chat: { id: string; chat_type: string } };
}

/** An injected failure: a Bot API error, or a connection dropped without an answer. */
export type FakeZaloBotFailure = { error_code: number; description: string; retry_after?: number } | { network: true };

/** Options of {@link startFakeZaloBot}. */
export interface FakeZaloBotOptions {
  token?: string;
  botId?: string;
  /** Sends per second across all chats before 429 (0 = unlimited). */
  perSecond?: number;
  /** Whether a 429 carries `parameters.retry_after` (default true). */
  retryAfterInBody?: boolean;
  /** Clock in ms (drives the rate window). */
  now?: () => number;
}

/** The running fake. */
export interface FakeZaloBot {
  /** `ZALO_BOT_API_ROOT`: `http://127.0.0.1:<port>`. */
  readonly apiRoot: string;
  readonly token: string;
  readonly botId: string;
  readonly calls: FakeZaloBotCall[];
  readonly sent: FakeZaloBotSent[];
  callsTo(method: string): FakeZaloBotCall[];
  /** Texts sent to one chat, in order. */
  textsTo(chatId: string): string[];
  /** The webhook set, or null. */
  readonly webhook: { url: string; secret_token: string } | null;
  /** Where deliveries really go (the webhook URL is public; the fake plays the proxy to the local server). */
  rewriteWebhookUrl: (url: string) => string;
  /** Wrap webhook bodies as `{ok:true, result}` (default false: bare `{event_name, message}`). */
  wrapWebhook: boolean;
  /** Updates waiting for `getUpdates`. */
  readonly queued: number;
  /** A text message update. */
  text(o: { userId: string; text: string; chatId?: string; group?: boolean; messageId?: string; name?: string }): FakeZaloBotUpdate;
  /** A picture update (`message.image.received`). */
  image(o: { userId: string; photoUrl: string; caption?: string; messageId?: string }): FakeZaloBotUpdate;
  /**
   * Delivers an update as the platform would: POSTed to the webhook when one is set (resolves
   * with the answer), else queued for (or handed to a waiting) `getUpdates`.
   */
  deliver(update: FakeZaloBotUpdate, opts?: { secret?: string | null; raw?: string }): Promise<{ status: number; body: string } | { queued: true }>;
  /** POSTs a raw body to the webhook with the given secret header (null: none). */
  postToWebhook(body: string, secret: string | null): Promise<{ status: number; body: string }>;
  /** Makes `chatId` a user who blocked the bot (403 on every send). */
  block(chatId: string): void;
  /** The next `count` calls of `method` fail this way. */
  failNext(method: string, failure: FakeZaloBotFailure, count?: number): void;
  /** Drops every connection without an answer while down. */
  setDown(down: boolean): void;
  /** Resolves with the `count`th sent message matching (already sent or future). */
  waitForSent(match: (s: FakeZaloBotSent) => boolean, count?: number): Promise<FakeZaloBotSent>;
  /** Resolves once a `getUpdates` call is waiting (the poll loop runs). */
  waitForPoll(): Promise<void>;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }
}

/** Starts the fake. */
export async function startFakeZaloBot(opts: FakeZaloBotOptions = {}): Promise<FakeZaloBot> {
  const token = opts.token ?? '1459232241454765289:fakeZaloBotAccessTokenXyz';
  const botId = opts.botId ?? '1459232241454765289';
  const now = opts.now ?? (() => Date.now());
  const calls: FakeZaloBotCall[] = [];
  const sent: FakeZaloBotSent[] = [];
  const blocked = new Set<string>();
  const failures = new Map<string, FakeZaloBotFailure[]>();
  const queue: FakeZaloBotUpdate[] = [];
  const polls: { res: ServerResponse; timer: NodeJS.Timeout; params: Record<string, unknown>; path: string }[] = [];
  const pollWaiters: (() => void)[] = [];
  const sentWaiters: { match: (s: FakeZaloBotSent) => boolean; count: number; resolve: (s: FakeZaloBotSent) => void }[] = [];
  const sockets = new Set<Socket>();
  let webhook: { url: string; secret_token: string } | null = null;
  let down = false;
  let seq = 0;
  let rateWindow = { second: -1, count: 0 };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const record = (path: string, method: string, params: Record<string, unknown>, status: number, response: unknown): void => {
    calls.push({ method, params, status, response, path });
  };

  const recordSent = (s: FakeZaloBotSent): void => {
    sent.push(s);
    for (const w of [...sentWaiters]) {
      const n = sent.filter(w.match).length;
      if (n >= w.count) {
        sentWaiters.splice(sentWaiters.indexOf(w), 1);
        w.resolve(sent.filter(w.match)[w.count - 1]!);
      }
    }
  };

  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

  const handle = (method: string, p: Record<string, unknown>, res: ServerResponse, path: string): unknown => {
    switch (method) {
      case 'getMe':
        return { id: botId, account_name: 'bot.LoaThuNghiem', account_type: 'BASIC', can_join_groups: false };
      case 'getWebhookInfo':
        return webhook ? { url: webhook.url, updated_at: now() } : { url: '' };
      case 'deleteWebhook':
        webhook = null;
        return { url: '', updated_at: now() };
      case 'setWebhook': {
        const url = str(p.url);
        const secret = str(p.secret_token);
        if (!url || !/^https?:\/\//.test(url)) throw new ApiError(400, 'url must be a valid HTTPS URL');
        if (!secret || secret.length < 8 || secret.length > 256) throw new ApiError(400, 'secret_token must be 8 to 256 characters');
        webhook = { url, secret_token: secret };
        queue.length = 0;
        return { url, updated_at: now() };
      }
      case 'sendChatAction':
        if (!str(p.chat_id)) throw new ApiError(400, 'chat_id is required');
        return undefined;
      case 'sendMessage':
      case 'sendPhoto': {
        const chatId = str(p.chat_id);
        if (!chatId) throw new ApiError(400, 'chat_id is required');
        const text = method === 'sendMessage' ? str(p.text) : (str(p.caption) ?? '');
        if (method === 'sendMessage' && (!text || text.length === 0)) throw new ApiError(400, 'text must be 1 to 2000 characters');
        if (method === 'sendPhoto' && !str(p.photo)) throw new ApiError(400, 'photo is required');
        if ((text ?? '').length > 2000) throw new ApiError(400, 'text must be 1 to 2000 characters');
        if (opts.perSecond) {
          const second = Math.floor(now() / 1000);
          if (rateWindow.second !== second) rateWindow = { second, count: 0 };
          if (rateWindow.count >= opts.perSecond) throw new ApiError(429, 'Too Many Requests', opts.retryAfterInBody === false ? undefined : 1);
          rateWindow.count++;
        }
        if (blocked.has(chatId)) throw new ApiError(403, 'User has blocked the bot');
        const messageId = `${(0x82599fa32f56n + BigInt(++seq)).toString(16)}d00e8941`;
        recordSent({ method, chatId, text: text ?? '', ...(method === 'sendPhoto' ? { photo: str(p.photo)! } : {}), messageId });
        return { message_id: messageId, date: now() };
      }
      case 'getUpdates': {
        if (webhook) throw new ApiError(400, 'Webhook is configured; delete it before using getUpdates');
        const next = queue.shift();
        if (next) return next;
        const seconds = Math.max(0, Math.min(Number(str(p.timeout) ?? '30') || 0, 50));
        const entry = {
          res,
          params: p,
          path,
          timer: setTimeout(() => {
            polls.splice(polls.indexOf(entry), 1);
            record(path, method, p, 408, { ok: false, error_code: 408, description: 'Request timeout' });
            json(res, 408, { ok: false, error_code: 408, description: 'Request timeout' });
          }, seconds * 1000),
        };
        // A client that gave up (stopped) must not be handed an update it will never read.
        res.on('close', () => {
          const i = polls.indexOf(entry);
          if (i >= 0) {
            clearTimeout(entry.timer);
            polls.splice(i, 1);
          }
        });
        polls.push(entry);
        for (const w of pollWaiters.splice(0)) w();
        return HELD;
      }
      default:
        throw new ApiError(404, 'Not Found');
    }
  };

  const HELD = Symbol('held');

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(path);
      if (!m || req.method !== 'POST') return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      const method = m[2]!;
      let params: Record<string, unknown> = {};
      try {
        const raw = Buffer.concat(chunks).toString('utf8');
        params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
      }
      if (m[1] !== token) {
        record(path, method, params, 401, { ok: false });
        return json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      }
      const failure = failures.get(method)?.shift();
      if (failure) {
        if ('network' in failure) {
          record(path, method, params, 0, null);
          req.socket.destroy();
          return;
        }
        const body = { ok: false, error_code: failure.error_code, description: failure.description, ...(failure.retry_after ? { parameters: { retry_after: failure.retry_after } } : {}) };
        record(path, method, params, failure.error_code, body);
        return json(res, failure.error_code, body);
      }
      try {
        const result = handle(method, params, res, path);
        if (result === HELD) return;
        const body = result === undefined ? { ok: true } : { ok: true, result };
        record(path, method, params, 200, body);
        json(res, 200, body);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        const body = { ok: false, error_code: err.code, description: err.message, ...(err.retryAfter !== undefined ? { parameters: { retry_after: err.retryAfter } } : {}) };
        record(path, method, params, err.code, body);
        json(res, err.code, body);
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const post = async (url: string, body: string, secret: string | null): Promise<{ status: number; body: string }> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-bot-api-secret-token': secret }) }, body });
    return { status: res.status, body: await res.text() };
  };

  let msgSeq = 0;
  const nextMessageId = (): string => `${Date.now().toString(16)}${(++msgSeq).toString(16).padStart(6, '0')}`;

  const fake: FakeZaloBot = {
    apiRoot,
    token,
    botId,
    calls,
    sent,
    callsTo: (method) => calls.filter((c) => c.method === method),
    textsTo: (chatId) => sent.filter((s) => s.chatId === chatId).map((s) => s.text),
    get webhook() {
      return webhook;
    },
    rewriteWebhookUrl: (url) => url,
    wrapWebhook: false,
    get queued() {
      return queue.length;
    },
    text(o) {
      const group = o.group ?? false;
      return {
        event_name: 'message.text.received',
        message: {
          message_id: o.messageId ?? nextMessageId(),
          from: { id: o.userId, display_name: o.name ?? 'Người dùng Zalo', is_bot: false },
          chat: { id: group ? (o.chatId ?? `g-${o.userId}`) : o.userId, chat_type: group ? 'GROUP' : 'PRIVATE' },
          date: Date.now(),
          text: o.text,
        },
      };
    },
    image(o) {
      return {
        event_name: 'message.image.received',
        message: {
          message_id: o.messageId ?? nextMessageId(),
          from: { id: o.userId, display_name: 'Người dùng Zalo', is_bot: false },
          chat: { id: o.userId, chat_type: 'PRIVATE' },
          date: Date.now(),
          photo_url: o.photoUrl,
          ...(o.caption ? { caption: o.caption } : {}),
        },
      };
    },
    async deliver(update, o = {}) {
      if (webhook) {
        const body = o.raw ?? JSON.stringify(fake.wrapWebhook ? { ok: true, result: update } : update);
        return post(fake.rewriteWebhookUrl(webhook.url), body, o.secret === undefined ? webhook.secret_token : o.secret);
      }
      const poll = polls.shift();
      if (poll) {
        clearTimeout(poll.timer);
        const body = { ok: true, result: update };
        calls.push({ method: 'getUpdates', params: poll.params, status: 200, response: body, path: poll.path });
        json(poll.res, 200, body);
      } else queue.push(update);
      return { queued: true };
    },
    postToWebhook(body, secret) {
      const url = webhook ? fake.rewriteWebhookUrl(webhook.url) : '';
      if (!url) throw new Error('fake Zalo Bot: no webhook is set');
      return post(url, body, secret);
    },
    block: (chatId) => void blocked.add(chatId),
    failNext(method, failure, count = 1) {
      const list = failures.get(method) ?? [];
      for (let i = 0; i < count; i++) list.push(failure);
      failures.set(method, list);
    },
    setDown(d) {
      down = d;
      if (d) {
        for (const p of polls.splice(0)) clearTimeout(p.timer);
        for (const s of sockets) s.destroy();
      }
    },
    waitForSent(match, count = 1) {
      const have = sent.filter(match);
      if (have.length >= count) return Promise.resolve(have[count - 1]!);
      return new Promise((resolve) => sentWaiters.push({ match, count, resolve }));
    },
    waitForPoll() {
      if (polls.length > 0) return Promise.resolve();
      return new Promise((resolve) => pollWaiters.push(resolve));
    },
    async close() {
      for (const p of polls.splice(0)) {
        clearTimeout(p.timer);
        json(p.res, 503, { ok: false, error_code: 503, description: 'Server shutting down' });
      }
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return fake;
}

/** The env that points an app at the fake (polling by default). */
export function zaloBotEnv(zb: FakeZaloBot, extra: Record<string, string> = {}): Record<string, string> {
  return { ZALO_BOT_TOKEN: zb.token, ZALO_BOT_API_ROOT: zb.apiRoot, ...extra };
}
