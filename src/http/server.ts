/**
 * The Fastify server: webhooks, web chat, admin and health. One central error handler: 4xx is
 * logged as info and answered with its message; 5xx is logged as error and answered without
 * internals. Every JSON body keeps its raw bytes on `request.rawBody` (Zalo signs them).
 */
import Fastify, { LogController, type FastifyInstance, type FastifyError, type FastifyBaseLogger } from 'fastify';
import { IncomingMessage, type ServerResponse } from 'node:http';
import { BlockList, isIP, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';

declare module 'fastify' {
  interface FastifyRequest {
    /** The raw request body bytes of a JSON request (for signature checks). */
    rawBody?: Buffer;
  }
}

/** Largest accepted request body: 1 MB. Larger bodies get 413. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * Deepest nesting of arrays and objects accepted in a JSON body (400 beyond). Telegram and
 * Zalo updates nest about ten levels. `JSON.parse` of a 1 MB body of half a million `[`
 * took 0.5 s of the event loop (measured on the running server, load 4), and it ran before
 * any route could check a secret or a signature: a few such posts a second from anyone
 * stalled every chat and webhook. The depth is counted over the raw bytes first (~1 ms a MB).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * How long a client may take to send a whole request (408 and the connection closed after),
 * and its headers. Fastify's default is no limit at all: a client that sent its headers and
 * then one byte of body every few seconds held its connection for ever (measured: still open
 * after 200 s), and enough of them exhaust the process's file descriptors. A form of 256 KB
 * (the admin's largest) takes under 10 s on a slow mobile link.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
/** See {@link REQUEST_TIMEOUT_MS}: the headers alone. */
export const HEADERS_TIMEOUT_MS = 15_000;
/** How often Node looks for requests over those limits. */
const TIMEOUT_CHECK_MS = 5_000;

/**
 * A connection on which nothing moved for this long, either way (no byte read from the client,
 * none of an answer taken by it), is closed. The request timeouts above end when the request has
 * arrived; Node's own socket timeout is off by default; the keep-alive timeout counts only
 * between requests. So a client that asked and then never read its answer kept the connection,
 * and the answer's memory, for good: measured on a running Loa, a connection that pipelined 200
 * `GET /widget.js` and read nothing was still open after 165 s with 2.8 MB queued in the kernel
 * (see also {@link MAX_UNANSWERED_PER_CONNECTION}). Every answer Loa makes is ready in seconds
 * (a Telegram delivery is answered within Telegram's own 60 s), and a browser reading a large
 * export keeps the connection moving.
 */
export const IDLE_CONNECTION_MS = 120_000;

/**
 * Requests one connection may have received and not yet answered to the end (its answer not
 * yet taken by the client); one more closes the connection, the rest of what it sent unread.
 * Browsers, Telegram, Zalo and reverse proxies send one request at a time on a connection.
 * Node reads every request of a chunk at once and queues all their answers in memory: 250
 * connections from one address, each pipelining 200 `GET /widget.js` and reading nothing, held
 * 157 MB of the process's memory and 940 MB of the kernel's socket buffers (measured on a running
 * Loa), and kept them ({@link IDLE_CONNECTION_MS}).
 */
export const MAX_UNANSWERED_PER_CONNECTION = 4;

/**
 * Open connections one client address ({@link addressKey}: an IPv6 /64) may hold at once;
 * further ones are closed as they open. Slow clients are cut after {@link REQUEST_TIMEOUT_MS},
 * but a script could still open connections faster than that until the process ran out of
 * file descriptors. Browsers open at most six per site; many people behind one carrier address
 * (CGNAT) each hold one for a few seconds per message. A trusted proxy (`LOA_TRUST_PROXY`) is
 * not limited: every client comes through it.
 */
export const MAX_CONNECTIONS_PER_ADDRESS = 256;

/**
 * Open client connections all addresses together, at most: a quarter of the process's file
 * descriptors (read from /proc/self/limits; 65,536 under deploy/loa.service), at most 16,384.
 * The per-address cap alone let 3 addresses (one IPv6 /56 gives 256 /64s) take every
 * descriptor: measured with a limit of 400, 600 slow connections from 127.0.0.2-4 left none,
 * and the process could open nothing else (the database's files, a backup, its own requests
 * to the Telegram or Zalo API: a bot in polling mode went silent with the web port). Past this
 * cap new connections are closed as they open and the rest keep working; the web chat is what
 * the flood takes down, as it would anyway.
 */
export function defaultMaxConnections(limitsText: string | undefined = readLimits()): number {
  const m = limitsText?.match(/^Max open files\s+(\d+)/m);
  const soft = m ? Number(m[1]) : 4096;
  return Math.max(64, Math.min(16_384, Math.floor(soft / 4)));
}

function readLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * A body sent in chunks (`Transfer-Encoding: chunked`) may not average under this many bytes a
 * chunk, once it has sent {@link MIN_CHUNKS_CHECKED} chunks: the connection is closed, the rest
 * unread. Node hands each chunk to JavaScript on its own, about 2 µs each: a 1 MB body sent as
 * one-byte chunks (6 MB on the wire) took 2.0-2.4 s of server CPU on a running Loa, on any
 * path (an unknown one too: Node reads and drops the body of a request answered without it),
 * before any route could check a secret, a signature or a limit; the same megabyte in
 * 1,000-byte chunks took 0.01 s, in 100-byte chunks 0.03-0.06 s. Senders that chunk (proxies,
 * HTTP libraries) use chunks of kilobytes; a chunk split between two reads of the socket counts
 * twice, so chunks of 256 bytes arriving 1.4 KB at a time still average over this.
 * A body sent with a Content-Length is read as the network delivers it.
 */
export const MIN_CHUNK_BYTES = 128;
/** Chunks of a body before its average size is checked ({@link MIN_CHUNK_BYTES}). */
export const MIN_CHUNKS_CHECKED = 64;

/**
 * A request as Node makes it, which closes its connection when its body arrives in chunks too
 * small ({@link MIN_CHUNK_BYTES}), and when a chunked body is left unread by the answer (Node
 * would read it to the end only to drop it, chunk by chunk).
 */
class GuardedRequest extends IncomingMessage {
  #chunks = 0;
  #bytes = 0;

  #chunked(): boolean {
    const te = this.headers['transfer-encoding'];
    return te !== undefined && /chunked/i.test(te);
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk !== null && typeof chunk === 'object' && 'length' in chunk && this.#chunked()) {
      this.#chunks++;
      this.#bytes += (chunk as Uint8Array).length;
      if (this.#chunks >= MIN_CHUNKS_CHECKED && this.#bytes < this.#chunks * MIN_CHUNK_BYTES) {
        this.socket.destroy();
        return false;
      }
    }
    return super.push(chunk, encoding);
  }

  /** Node's own: called when the answer has gone and the body was not read (see the class). */
  _dump(): void {
    if (!this.complete && this.#chunked()) {
      this.socket.destroy();
      return;
    }
    (IncomingMessage.prototype as unknown as { _dump(this: IncomingMessage): void })._dump.call(this);
  }
}

/**
 * Most values (counted as `,` `:` `[` `{` outside strings) accepted in a JSON body (400 beyond).
 * A Telegram update or a Zalo event has a few hundred; `JSON.parse` of 1 MB of many small
 * values (`[{},{},…]`, or 70,000 keys) took 90-170 ms of the event loop on a running Loa, before
 * the Zalo webhook could check its signature (it needs the body's timestamp) and before the
 * admin's session check.
 */
export const MAX_JSON_VALUES = 10_000;


/** Any address the server does not have (Vietnamese: people read it too). */
const NOT_FOUND_TEXT = 'Không tìm thấy địa chỉ này.';
/** The same for a person at an admin address in a browser, with the way back. */
const NOT_FOUND_PAGE =
  '<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
  '<title>Không tìm thấy trang – Loa</title></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">' +
  '<h1>Không tìm thấy trang này</h1><p>Địa chỉ có thể đã gõ sai, hoặc trang đã được chuyển đi. ' +
  '<a href="/admin">Về trang tổng quan</a>.</p></body></html>';
/**
 * What is wrong with a JSON text's shape, counted on its raw bytes before it is parsed (brackets
 * and separators inside strings do not count): nested deeper than `maxDepth`, or more than
 * `maxValues` values; undefined when neither. ~1 ms a MB, and it stops at the first excess.
 *
 * @example jsonShapeProblem(Buffer.from('[[[]]]'), 2) // 'depth'
 */
export function jsonShapeProblem(buf: Uint8Array, maxDepth: number = MAX_JSON_DEPTH, maxValues: number = MAX_JSON_VALUES): 'depth' | 'values' | undefined {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next byte is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return 'depth';
      if (++values > maxValues) return 'values';
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c || c === 0x3a) {
      if (++values > maxValues) return 'values';
    }
  }
  return undefined;
}

/**
 * True when a JSON text nests arrays/objects deeper than `max` ({@link jsonShapeProblem}).
 *
 * @example jsonTooDeep(Buffer.from('[[[]]]'), 2) // true
 */
export function jsonTooDeep(buf: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  return jsonShapeProblem(buf, max, Infinity) === 'depth';
}

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /**
   * Reverse proxies (addresses, CIDRs, `loopback`) whose `X-Forwarded-For`/`-Proto`/`-Host`
   * are believed, so `req.ip` is the client's address only when the hop it came through is one
   * of them. Empty or absent: no proxy is trusted and `req.ip` is the peer's own address; a
   * forged header changes neither the login throttle nor the audit log.
   */
  trustProxy?: readonly string[];
  /**
   * Limits on slow clients (tests shorten them); defaults {@link REQUEST_TIMEOUT_MS},
   * {@link HEADERS_TIMEOUT_MS}, {@link IDLE_CONNECTION_MS}.
   */
  timeouts?: { requestMs?: number; headersMs?: number; checkEveryMs?: number; idleMs?: number };
  /** Default {@link MAX_UNANSWERED_PER_CONNECTION}. */
  maxUnansweredPerConnection?: number;
  /** Default {@link MAX_CONNECTIONS_PER_ADDRESS}. */
  maxConnectionsPerAddress?: number;
  /** Default {@link defaultMaxConnections}. */
  maxConnections?: number;
}

/** What a door answers instead of letting a request in. */
export interface DoorRefusal {
  status: number;
  headers: Record<string, string>;
  body: string;
  /**
   * Answer only after this long (ms): a client that waits for each answer before it sends
   * again on a connection (HTTP/1.1) then sends at most one request per connection per
   * `holdMs`. At most {@link MAX_HELD} answers are held at once; beyond that they go at once.
   * A connection that sends another request while its answer is held (pipelining) is closed.
   */
  holdMs?: number;
}

/** Answers held by doors at most at once (each keeps a connection open meanwhile). */
export const MAX_HELD = 1024;

/**
 * A check of a request as it arrives, before Fastify sees it (its method, URL and headers; its
 * body unread): the refusal to answer with, or undefined to let it in. `address` is the
 * client's address as `request.ip` gives it.
 */
export type Door = (req: IncomingMessage, address: string) => DoorRefusal | undefined;

const doorsOf = new WeakMap<FastifyInstance, Door[]>();
const inFlightOf = new WeakMap<FastifyInstance, { n: number }>();

/**
 * Requests a server made by {@link createHttpServer} has received and not yet answered (or
 * lost to a closed connection); undefined for another Fastify instance. With the inbox's count
 * of turns in progress it tells whether a request is alone (knowledge.ts `idle`): the requests
 * of other visitors waiting for their answer are not yet in the inbox while they are parsed and
 * checked, and a search on the main thread would hold them up.
 */
export function requestsInFlight(app: FastifyInstance): number | undefined {
  return inFlightOf.get(app)?.n;
}

/**
 * Adds a door to a server made by {@link createHttpServer}: the cheapest place to refuse a
 * request (no routing, no request object, no logger, no hooks, its body never read). Returns
 * false for another Fastify instance (then nothing is added: keep a hook as well).
 */
export function addDoor(app: FastifyInstance, door: Door): boolean {
  const doors = doorsOf.get(app);
  doors?.push(door);
  return doors !== undefined;
}

/** proxy-addr's names for ranges (Fastify's `trustProxy`), as subnets. */
const RANGES: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']],
  linklocal: [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']],
  uniquelocal: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['fc00::', 7, 'ipv6']],
};

/** A test of whether an address is one of the `trusted` proxies (addresses, CIDRs, range names). */
function trustedProxyCheck(trusted: readonly string[]): (address: string) => boolean {
  if (trusted.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of trusted) {
    for (const [net, prefix, family] of RANGES[entry] ?? []) list.addSubnet(net, prefix, family);
    if (RANGES[entry]) continue;
    const [addr = '', prefix] = entry.split('/');
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(addr, prefix === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefix), family);
  }
  return (a) => {
    const v = isIP(a);
    return v !== 0 && list.check(a, v === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * The client's address of a raw request, as Fastify's `request.ip` computes it with
 * `trustProxy` set to `trusted`: the connection's own address, or, when that is a trusted
 * proxy, the right-most address of `X-Forwarded-For` not itself a trusted proxy.
 */
export function clientAddressOf(trusted: readonly string[]): (req: IncomingMessage) => string | undefined {
  if (trusted.length === 0) return (req) => req.socket.remoteAddress;
  const isTrusted = trustedProxyCheck(trusted);
  return (req) => {
    let address = req.socket.remoteAddress;
    const header = req.headers['x-forwarded-for'];
    if (address === undefined || typeof header !== 'string') return address;
    const hops = header.split(',');
    for (let i = hops.length - 1; i >= 0 && isTrusted(address); i--) {
      const hop = hops[i]!.trim();
      if (hop) address = hop;
    }
    return address;
  };
}

/**
 * The key under which a client address is rate-limited: an IPv6 address by its /64 network,
 * an IPv4 address (also written IPv4-mapped, `::ffff:1.2.3.4`) as it is. One subscriber,
 * home or mobile, gets a whole /64 (2^64 addresses) from their provider: limits keyed by the
 * full IPv6 address let a script take a new address for every request (measured before: 70
 * new web chat visitors from 70 addresses of one /64 all accepted, the limit being 60 an hour;
 * the same for login guesses). Anything else (not an address) is its own key.
 *
 * @example addressKey('2001:db8:1:2:aaaa::5') // '2001:db8:1:2::/64'
 * @example addressKey('::ffff:203.0.113.9') // '203.0.113.9'
 */
export function addressKey(address: string): string {
  const plain = address.split('%')[0]!;
  const lower = plain.toLowerCase();
  if (lower.startsWith('::ffff:') && isIP(plain.slice(7)) === 4) return plain.slice(7);
  if (isIP(plain) !== 6) return address;
  const groups = (part: string): string[] =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [g];
          const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        });
  const [head = '', tail] = lower.split('::');
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Which of a kind of refusal to log: the first `perWindow` in each window, then one line per
 * window carrying how many were left out. Refusals anyone can cause (a body that is not JSON,
 * a wrong webhook signature) were logged one line each, ~180 bytes, with no limit: a script
 * sending them as fast as they are answered wrote about 0.5 MB of log a second, which under
 * Docker's default log driver (no rotation) fills the disk. Returns undefined to skip the
 * line, or how many of that kind were skipped since the last one logged.
 *
 * @example const skipped = sample('http 400 /api/chat'); if (skipped !== undefined) log.info({ skipped }, '…')
 */
export function refusalLogSampler(perWindow = 10, windowMs = 60_000, now: () => number = Date.now): (kind: string) => number | undefined {
  const kinds = new Map<string, { from: number; logged: number; skipped: number }>();
  return (kind) => {
    const t = now();
    let k = kinds.get(kind);
    if (!k || t - k.from >= windowMs) {
      const skipped = k?.skipped ?? 0;
      // Kinds are few (a status and a route, a webhook's reasons); cleared if that ever fails.
      if (!k && kinds.size >= 1000) kinds.clear();
      kinds.set(kind, (k = { from: t, logged: 0, skipped: 0 }));
      k.logged++;
      return skipped;
    }
    if (k.logged >= perWindow) {
      k.skipped++;
      return undefined;
    }
    k.logged++;
    return 0;
  };
}

/** A URL as logged: attacker-sized query strings are cut. */
export function loggedUrl(url: string): string {
  return url.length > 200 ? `${url.slice(0, 200)}…(${url.length} characters)` : url;
}

/** Fastify's schema compilers, for a server whose routes have none (see createHttpServer). */
const noSchemas = (): (() => never) => () => {
  throw new Error('http: Loa checks request and response bodies with zod; a route schema is not supported');
};

/** Creates the server (not yet listening). */
export function createHttpServer(logger: Logger, opts: HttpServerOptions = {}): FastifyInstance {
  const trusted = opts.trustProxy ?? [];
  const requestMs = opts.timeouts?.requestMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    requestTimeout: requestMs,
    // Node's socket timeout: a connection idle both ways this long is destroyed.
    connectionTimeout: opts.timeouts?.idleMs ?? IDLE_CONNECTION_MS,
    http: {
      // Bodies in chunks too small are not read (MIN_CHUNK_BYTES).
      IncomingMessage: GuardedRequest,
      headersTimeout: Math.min(opts.timeouts?.headersMs ?? HEADERS_TIMEOUT_MS, requestMs),
      connectionsCheckingInterval: opts.timeouts?.checkEveryMs ?? TIMEOUT_CHECK_MS,
    },
    // Per-request access lines would flood the log at webhook rates; errors are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    // Never `true`: that believes any X-Forwarded-For, and any client can write one.
    trustProxy: trusted.length ? [...trusted] : false,
    // Loa checks every input with zod, never with a route's JSON schema. Fastify's default
    // compilers load Ajv and fast-json-stringify when the server is created, whether a route
    // uses a schema or not: 0.15-0.25 s of every start (measured at load 3-8). A route given a
    // schema fails at start-up with this message instead of being checked by a second library.
    schemaController: { compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas } },
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    req.rawBody = buf;
    if (buf.length === 0) return done(null, undefined);
    const problem = jsonShapeProblem(buf);
    if (problem) {
      const err = new Error(
        problem === 'depth' ? `http: the body nests deeper than ${MAX_JSON_DEPTH} levels` : `http: the body holds more than ${MAX_JSON_VALUES} values`,
      ) as FastifyError;
      err.statusCode = 400;
      return done(err, undefined);
    }
    try {
      done(null, JSON.parse(buf.toString('utf8')));
    } catch {
      const err = new Error('http: the body is not valid JSON') as FastifyError;
      err.statusCode = 400;
      done(err, undefined);
    }
  });
  const sampleRefusals = refusalLogSampler();
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err, url: req.url }, 'http: request failed');
      return reply.code(status).send({ ok: false, error: 'Đã có lỗi xảy ra ở máy chủ. Bạn vui lòng thử lại sau ít phút.' });
    }
    const skipped = sampleRefusals(`${status} ${req.routeOptions.url ?? '(no route)'}`);
    if (skipped !== undefined) req.log.info({ status, url: loggedUrl(req.url), msg: err.message, ...(skipped ? { skipped } : {}) }, 'http: request refused');
    return reply.code(status).send({ ok: false, error: err.message });
  });
  // What a person reads is Vietnamese: a mistyped admin address in a browser showed
  // {"ok":false,"error":"not found"}. The admin gets a page with the way back; the rest, JSON.
  app.setNotFoundHandler((req, reply) => {
    const page = (req.url === '/admin' || req.url.startsWith('/admin/')) && req.method === 'GET' && /text\/html/.test(req.headers.accept ?? '');
    if (page) return reply.code(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE);
    return reply.code(404).send({ ok: false, error: NOT_FOUND_TEXT });
  });
  // Connections per client address (not per trusted proxy), capped as they open.
  const isProxy = trustedProxyCheck(trusted);
  const maxPerAddress = opts.maxConnectionsPerAddress ?? MAX_CONNECTIONS_PER_ADDRESS;
  // All addresses together: descriptors kept for everything else (see defaultMaxConnections).
  app.server.maxConnections = opts.maxConnections ?? defaultMaxConnections();
  let dropped = 0;
  let droppedLoggedAt = 0;
  app.server.on('drop', () => {
    dropped++;
    const t = Date.now();
    if (t - droppedLoggedAt < 60_000) return;
    droppedLoggedAt = t;
    logger.warn({ dropped, maxConnections: app.server.maxConnections }, 'http: connections closed as they opened: the server holds as many as it allows (a flood of connections?)');
    dropped = 0;
  });
  const open = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress;
    if (peer === undefined || isProxy(peer)) return;
    const key = addressKey(peer);
    const n = open.get(key) ?? 0;
    if (n >= maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(key, n + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
  // The doors (addDoor) stand in front of Fastify's own request listener.
  const doors: Door[] = [];
  const listeners = app.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (listeners.length === 1) {
    const fastifyHandler = listeners[0]!;
    const addressOf = clientAddressOf(trusted);
    let held = 0;
    const answer = (res: ServerResponse, r: DoorRefusal): void => {
      if (!res.destroyed) res.writeHead(r.status, r.headers).end(r.body);
    };
    const inFlight = { n: 0 };
    const done = (): void => void inFlight.n--;
    app.server.removeListener('request', fastifyHandler);
    // Connections with a held answer: a request arriving on one was sent without waiting for
    // that answer (HTTP/1.1 pipelining), and Node parses every request of a chunk at once, so
    // the hold would slow nothing. Such a connection is closed, the rest of its requests
    // unread (measured before: 22,689 door refusals in 3 s on 8 pipelining connections, where
    // 8 waiting ones get 96).
    const holding = new WeakSet<Socket>();
    // Requests of each connection not yet answered to the end (MAX_UNANSWERED_PER_CONNECTION).
    const maxUnanswered = opts.maxUnansweredPerConnection ?? MAX_UNANSWERED_PER_CONNECTION;
    const unanswered = new WeakMap<Socket, number>();
    app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // 'close' follows every response, answered or cut off.
      inFlight.n++;
      res.once('close', done);
      const socket = req.socket;
      if (holding.has(socket)) {
        socket.destroy();
        return;
      }
      const waiting = (unanswered.get(socket) ?? 0) + 1;
      if (waiting > maxUnanswered) {
        socket.destroy();
        return;
      }
      unanswered.set(socket, waiting);
      // 'finish': the last of the answer handed to the kernel, which a client that reads nothing
      // never lets happen once the buffers are full.
      res.once('finish', () => unanswered.set(socket, (unanswered.get(socket) ?? 1) - 1));
      const address = doors.length ? addressOf(req) : undefined;
      if (address !== undefined)
        for (const door of doors) {
          const refusal = door(req, address);
          if (!refusal) continue;
          if (!refusal.holdMs || held >= MAX_HELD) return answer(res, refusal);
          held++;
          holding.add(socket);
          setTimeout(() => {
            held--;
            holding.delete(socket);
            answer(res, refusal);
          }, refusal.holdMs).unref();
          return;
        }
      fastifyHandler(req, res);
    });
    doorsOf.set(app, doors);
    inFlightOf.set(app, inFlight);
  }
  return app;
}
