/**
 * The web chat channel: a JSON API the embeddable widget talks to. Replies are returned in the
 * HTTP response (the web cannot be pushed to), so `send()` reports failure for campaigns.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Capabilities, Channel, Reply } from '../channel.js';
import type { Inbox } from '../../conversation/inbox.js';
import type { Db } from '../../db/index.js';
import { escapeHtml } from '../../text/html.js';
import { getPerson, personIdByExternal } from '../../db/people.js';
import { webSourceOf } from '../../db/web-source.js';
import type { Lang } from '../../text/language.js';
import type { DiskGuard } from '../../db/disk.js';
import { createBackloggedLane, createWebLimits, type WebLimits, type WebLimitVerdict } from './limits.js';
import { addDoor, addressKey, loggedUrl, refusalLogSampler, type DoorRefusal } from '../../http/server.js';
import { boundedMemo } from '../../text/memo.js';

/** What the web widget can render. */
export const webCapabilities: Capabilities = {
  buttons: true,
  maxButtons: 10,
  nativeQuizPoll: false,
  maxTextLength: 8000,
  numberedReplies: true,
  canPush: false,
};

/** The web channel (no push). */
export function createWebChannel(): Channel {
  return {
    name: 'web',
    capabilities: webCapabilities,
    async send() {
      return { kind: 'failed', reason: 'web chat has no push: the visitor sees replies only when they write' };
    },
  };
}

/**
 * The visitor's language as the widget tells it (`?lang=en` on its requests): the language the
 * server last answered the visitor in, or the browser's on a first visit. Any other value is
 * Vietnamese. It picks the language of the refusals and errors below (a refusal at the door
 * reads no body and knows no person), and sets a new visitor's language (Inbound.lang).
 */
export function webLang(raw: unknown): Lang {
  return raw === 'en' ? 'en' : 'vi';
}

/** What a visitor reads for a request the widget would never send (wrong shape or type). */
export const BAD_REQUEST_TEXT = 'Yêu cầu không hợp lệ. Bạn vui lòng tải lại trang rồi gửi lại.';

/**
 * The longest message the web chat takes (characters): a post pasted into a report of false
 * information, as much of it as a report keeps (2,000 characters, conversation/disinfo.ts; Zalo's
 * own message limit). Questions longer than MAX_QUESTION_LENGTH are refused by the conversation
 * with its own reply, as on Telegram.
 */
export const MAX_WEB_MESSAGE_LENGTH = 2000;

/** Body of POST /api/chat. */
export const chatRequestSchema = z
  .object(
    {
      session: z
        .string({ error: 'Mã phiên trò chuyện không hợp lệ. Hãy tải lại trang.' })
        .min(8, 'Mã phiên trò chuyện không hợp lệ (cần ít nhất 8 ký tự). Hãy tải lại trang.')
        .max(100, 'Mã phiên trò chuyện không hợp lệ (quá dài). Hãy tải lại trang.')
        .regex(/^[A-Za-z0-9_-]+$/, 'Mã phiên trò chuyện không hợp lệ (chỉ gồm chữ, số, _ và -). Hãy tải lại trang.'),
      // The widget's input allows the same: a post pasted into a report of false information
      // (/baocao) is often longer than a question. The conversation answers questions of up to
      // MAX_QUESTION_LENGTH and asks for a shorter one beyond, as on Telegram.
      text: z
        .string({ error: BAD_REQUEST_TEXT })
        .max(MAX_WEB_MESSAGE_LENGTH, `Tin nhắn dài quá ${MAX_WEB_MESSAGE_LENGTH} ký tự. Bạn vui lòng viết ngắn gọn hơn.`)
        .optional(),
      action: z.string({ error: BAD_REQUEST_TEXT }).min(1).max(64).optional(),
      /** Optional client message id: a retried POST with the same id is answered once. */
      id: z.string({ error: BAD_REQUEST_TEXT }).max(100).optional(),
      /**
       * The commune whose portal the widget is embedded on (`data-loa-region`): routes the
       * visitor's questions to that commune's staff ({@link webVisitorRegion}). Any text is
       * accepted here and an unknown slug ignored: a portal with a mistyped slug still chats.
       */
      region: z.string({ error: BAD_REQUEST_TEXT }).max(100).optional(),
    },
    { error: BAD_REQUEST_TEXT },
  )
  .refine((v) => v.text !== undefined || v.action !== undefined, 'Tin nhắn trống: hãy nhập câu hỏi.');

/**
 * Largest body of `POST /api/chat`: a 2,000-character message, each character escaped as JSON
 * (`\uXXXX`), with its session, id and region, is under 13 KB. The server's 1 MB (webhooks) let
 * anyone make the server read and parse 1 MB per request.
 */
export const CHAT_BODY_LIMIT = 16 * 1024;

/** The English of the request errors above, by what was wrong. */
const REQUEST_ERRORS_EN = {
  session: 'Invalid chat session id. Please reload the page.',
  text: `Your message is over ${MAX_WEB_MESSAGE_LENGTH} characters. Please write a shorter one.`,
  empty: 'Empty message: please type a question.',
  other: 'Invalid request. Please reload the page.',
};

/** The message of a refused request body, in the visitor's language. */
export function requestError(issues: readonly z.ZodIssue[], lang: Lang): string {
  if (lang === 'vi') return issues.map((i) => i.message).join('; ');
  const kinds = new Set(
    issues.map((i): keyof typeof REQUEST_ERRORS_EN =>
      i.path[0] === 'session'
        ? 'session'
        : i.path[0] === 'text' && i.code === 'too_big'
          ? 'text'
          : i.path.length === 0 && i.code === 'custom'
            ? 'empty'
            : 'other',
    ),
  );
  return [...kinds].map((k) => REQUEST_ERRORS_EN[k]).join('; ');
}

/**
 * The answer to a `POST /api/chat` the server could not read (not JSON, nested too deep, too
 * large, another content type), in the visitor's language and with the CORS headers, so the
 * widget shows it instead of "offline". Other errors keep the server's handling.
 */
function unreadableRequest(status: number, lang: Lang): string {
  if (status === 413)
    return lang === 'en'
      ? `Your message is too large. Please write at most ${MAX_WEB_MESSAGE_LENGTH} characters.`
      : `Tin nhắn quá lớn. Bạn vui lòng viết tối đa ${MAX_WEB_MESSAGE_LENGTH} ký tự.`;
  return lang === 'en' ? REQUEST_ERRORS_EN.other : BAD_REQUEST_TEXT;
}

/** A reply as the web API returns it. */
export interface WebReply {
  title?: string;
  text: string;
  buttons?: { label: string; action: string }[];
  links?: { label: string; url: string }[];
  imageUrl?: string;
  /** Seconds left to answer a timed quiz question: the widget shows them running down. */
  countdown?: number;
}

/** Maps core replies to the web API shape (quiz polls become buttons). */
export function toWebReply(r: Reply): WebReply {
  const out: WebReply = { text: r.title ? `${r.title}\n\n${r.text}` : r.text };
  if (r.title) out.title = r.title;
  if (r.buttons?.length) out.buttons = r.buttons.map((b) => ({ label: b.label, action: b.action }));
  if (r.links?.length) out.links = r.links;
  if (r.imageUrl) out.imageUrl = r.imageUrl;
  if (r.countdown !== undefined) out.countdown = r.countdown;
  return out;
}

const here = dirname(fileURLToPath(import.meta.url));

/** A region slug as the embed tag may name it (regions.yaml slugs: lower-case words and dashes). */
export const REGION_SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * Places a web visitor in the commune whose portal they wrote from, so their questions reach
 * that commune's staff queue (the queue, like every region-scoped list, goes by `people.region`:
 * db/scope.ts, db/admin.ts). Only a web person, only one with no region yet (the first portal
 * wins: a request naming another commune later does not move their questions), never an
 * erased row. Returns whether the region was set. The widget keys its session by the region it
 * names, so one browser on two communes' portals of one origin is two visitors.
 */
export function webVisitorRegion(db: Db, personId: number, region: string, opts: { newVisitor?: boolean } = {}): boolean {
  // Every message of a commune portal's visitor names the commune: once placed, a read, no write.
  const row = db.prepare(`SELECT region FROM people WHERE id = ?`).get(personId) as { region: string | null } | undefined;
  if (!row || row.region !== null) return false;
  return db.transaction(() => {
    const before = db.prepare(`SELECT COALESCE(MAX(id), 0) FROM region_changes`).pluck().get() as number;
    const set =
      db
        .prepare(`UPDATE people SET region = ? WHERE id = ? AND channel = 'web' AND region IS NULL AND external_id NOT LIKE 'erased:%'`)
        .run(region, personId).changes > 0;
    // A visitor whose first message this was had the commune from the start: not a change they
    // made (/dulieucuatoi would list "you changed your area"), and nothing of theirs predates it.
    // A visitor who wrote before without one keeps the change: their earlier figures stay unplaced.
    if (set && opts.newVisitor) db.prepare(`DELETE FROM region_changes WHERE id > ? AND person_id = ?`).run(before, personId);
    return set;
  })();
}

/** Dependencies of {@link registerWebChat}. */
export interface WebChatDeps {
  db: Db;
  /** The one intake: the web chat stores and handles each message through it. */
  inbox: Pick<Inbox, 'answerNow'>;
  botName: string;
  /** Limits checked before anything is stored (./limits.ts); default limits when omitted. */
  limits?: WebLimits;
  /** Free-space guard (db/disk.ts): new visitors are refused politely when the disk is low. */
  disk?: DiskGuard;
  /** Where shut-out addresses are reported: one line when shut out, one when let in again. */
  logger?: Pick<Logger, 'warn' | 'info'>;
  now?: () => number;
  /**
   * Messages the sender kept for a visitor (the web cannot be pushed to: e.g. staff's answer
   * to their question), marked delivered as they are handed over (sender.takeHeld).
   */
  takeHeld?: (personId: number) => Reply[];
  /**
   * The greeting (conversation/core-feature.ts `startReplies`): a new visitor's /start (every
   * view of a page with the chat built in sends one) is answered with it and nothing is stored,
   * so only a visitor who writes becomes a person and a new chat of their address. Without it,
   * /start goes through the intake like any message.
   */
  greet?: (lang: Lang) => Reply[];
  /**
   * Whether a slug is a region of regions.yaml (knowledge.regionInfo). Without it, a region
   * named by the embed tag is ignored (no visitor is placed in a commune nobody checked).
   */
  regionKnown?: (slug: string) => boolean;
  /** A region's name (regions.yaml), for the tag shown on the chat page. */
  regionName?: (slug: string) => string | undefined;
}

/** The web chat's answer to one message. */
interface ChatAnswer {
  replies: WebReply[];
  lang: Lang;
}

/** How long, and for how many messages, an answer is kept for a message sent again. */
const RECENT_ANSWER_MS = 15 * 60_000;
const RECENT_ANSWERS = 5_000;

/**
 * The answers of the last messages by their id (session and the widget's id), while they are
 * being made and for {@link RECENT_ANSWER_MS} after. The intake answers a message once and a
 * second delivery of it with nothing (`duplicate`): right for a platform's retried webhook, but
 * a visitor whose answer was lost on the way and who pressed "Gửi lại" read nothing. Kept in
 * memory: after a restart, a message sent again is a duplicate as before.
 */
function recentAnswers(now: () => number = Date.now): { get(key: string, make: () => Promise<ChatAnswer | null>): Promise<ChatAnswer | null> } {
  const kept = new Map<string, { at: number; answer: Promise<ChatAnswer | null> }>();
  return {
    get(key, make) {
      const t = now();
      const hit = kept.get(key);
      if (hit && t - hit.at < RECENT_ANSWER_MS) return hit.answer;
      const answer = make();
      kept.delete(key);
      kept.set(key, { at: t, answer });
      // A failed answer is not kept: sent again, the message is tried again.
      answer.catch(() => kept.get(key)?.answer === answer && kept.delete(key));
      for (const [k, v] of kept) {
        if (kept.size <= RECENT_ANSWERS && t - v.at < RECENT_ANSWER_MS) break;
        kept.delete(k);
      }
      return answer;
    },
  };
}

/** What a visitor reads when a limit refuses their message, and when to try again. */
export function refusalText(v: Exclude<WebLimitVerdict, { ok: true }>, lang: Lang = 'vi'): string {
  if (lang === 'en') {
    const wait = v.retryAfter >= 120 ? `about ${Math.ceil(v.retryAfter / 60)} minutes` : `${v.retryAfter} seconds`;
    switch (v.limit) {
      case 'global':
        return `The service is receiving too many messages. Please send yours again in ${wait}.`;
      case 'newSessionsPerAddress':
        return `Too many new chats have come from the same network. Please try again in ${wait}.`;
      default:
        return `You are sending messages too quickly. Please wait ${wait} before sending again.`;
    }
  }
  const wait = v.retryAfter >= 120 ? `khoảng ${Math.ceil(v.retryAfter / 60)} phút` : `${v.retryAfter} giây`;
  switch (v.limit) {
    case 'global':
      return `Hệ thống đang nhận quá nhiều tin nhắn. Bạn vui lòng gửi lại sau ${wait}.`;
    case 'newSessionsPerAddress':
      return `Có quá nhiều cuộc trò chuyện mới từ cùng một mạng. Bạn vui lòng thử lại sau ${wait}.`;
    default:
      return `Bạn đang gửi tin nhắn quá nhanh. Bạn vui lòng đợi ${wait} rồi gửi lại.`;
  }
}

/** What a new visitor reads when the server's disk is nearly full. */
export const DISK_LOW_TEXT =
  'Hệ thống tạm thời chưa nhận cuộc trò chuyện mới vì máy chủ sắp hết chỗ lưu trữ. Bạn vui lòng thử lại sau ít phút, hoặc liên hệ trực tiếp cơ quan.';

/** {@link DISK_LOW_TEXT} in English. */
export const DISK_LOW_TEXT_EN =
  'The service cannot take new chats for the moment because the server is running out of storage. Please try again in a few minutes, or contact the office directly.';

/**
 * At most `n` calls at once per key; the others wait, in order, for one to settle. The web
 * chat answers at most {@link ANSWERED_AT_ONCE_PER_ADDRESS} messages of one address at once:
 * a script that got a few dozen messages through together (each a person to create, a long
 * text to search, rows to write) then holds the event loop and the search thread with two
 * of them at a time, and visitors from other addresses are answered in between instead of
 * after all of them.
 */
export function perKeyAtOnce(n: number): <T>(key: string, fn: (waited: boolean) => Promise<T>) => Promise<T> {
  const keys = new Map<string, { running: number; waiting: (() => void)[] }>();
  return async (key, fn) => {
    let k = keys.get(key);
    if (!k) keys.set(key, (k = { running: 0, waiting: [] }));
    const slot = k;
    // `waited`: the key sends faster than it is answered (web chat: its address is backlogged).
    const waited = slot.running >= n;
    if (waited) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.running++;
    try {
      return await fn(waited);
    } finally {
      // The slot passes to the next in line, or is freed.
      const next = slot.waiting.shift();
      if (next) next();
      else if (--slot.running === 0) keys.delete(key);
    }
  };
}

/**
 * How long the door holds its answer to a shut-out address (ms). A script that keeps its
 * connections open and waits for each answer is slowed to one request per connection per
 * quarter second: 32 connections that sent 1,500 requests a second send 128. People are
 * never shut out (they stop after a refusal or two). One hold for all: a script's connections
 * refused together are answered together and send again together, each burst in one turn of
 * the event loop; holds spread at random (200-300 ms) cost a third more CPU per refusal.
 */
export const SHUT_OUT_HOLD_MS = 250;

/** The web chat's API path. */
const CHAT_PATH = '/api/chat';

/**
 * The path (and query) a raw request target reaches through Fastify's router: an absolute-form
 * target (`http://host/api/chat`) by its path, percent-escapes decoded (`/api/%63hat`). The
 * door compares this, not the raw text: both forms reach `POST /api/chat`, and compared raw
 * they walked past the door and its hold (measured: a shut-out address sent 96 requests in
 * 3 s on 8 connections to `/api/chat`, 8,751 to `/api/%63hat`). Decoding more than the router
 * does (`%2F`) only makes the door refuse a request that would have been a 404.
 *
 * @example routedTarget('http://x/api/ch%61t?lang=en') // { path: '/api/chat', query: 'lang=en' }
 */
export function routedTarget(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  if (path[0] !== '/') {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
    path = m ? path.slice(m[0].length) || '/' : path;
  }
  if (path.includes('%'))
    try {
      path = decodeURIComponent(path);
    } catch {
      // Not a valid escape: the router does not route it to a page of ours either.
    }
  return { path, query };
}

/** Messages of one address answered at once (see {@link perKeyAtOnce}). */
export const ANSWERED_AT_ONCE_PER_ADDRESS = 2;

/** A start payload the page passes to the widget (Telegram's deep-link alphabet, 64 at most). */
const START_PAYLOAD = /^(?=.{1,64}$)[A-Za-z]+(?:_[A-Za-z0-9_-]*)?$/;

/** Registers `/`, `/widget.js` and `POST /api/chat`. */
export function registerWebChat(app: FastifyInstance, deps: WebChatDeps): void {
  const page = readFileSync(join(here, 'page.html'), 'utf8').replaceAll('{{BOT_NAME}}', escapeHtml(deps.botName));
  const widget = readFileSync(join(here, 'widget.js'), 'utf8').replaceAll('{{MAX_LENGTH}}', String(MAX_WEB_MESSAGE_LENGTH));
  const limits = deps.limits ?? createWebLimits();
  const now = deps.now ?? Date.now;
  const inTurn = perKeyAtOnce(ANSWERED_AT_ONCE_PER_ADDRESS);
  const lane = createBackloggedLane();
  const personLang = (personId: number | null): Lang | undefined => (personId === null ? undefined : getPerson(deps.db, personId)?.lang);
  // Shut-outs that ended are reported at most every 10 s, from the door (no timer to stop).
  let reportedAt = 0;
  const reportEnded = (nowMs: number): void => {
    if (nowMs - reportedAt < 10_000) return;
    reportedAt = nowMs;
    for (const out of limits.ended(nowMs))
      deps.logger?.info(
        { address: out.address, seconds: Math.round((out.untilMs - out.fromMs) / 1000), refusedAtDoor: out.refusedAtDoor },
        'web chat: a shut-out address is let in again',
      );
  };
  const refused = (req: FastifyRequest, v: Exclude<WebLimitVerdict, { ok: true }>): void => {
    if (v.shutsOut) deps.logger?.warn({ address: req.ip, limit: v.limit, seconds: v.retryAfter }, 'web chat: an address keeps going after its refusals: shut out, its requests refused before they are read');
  };

  // The tag to copy names this server in full: copied from the page as '/widget.js', it asked
  // the portal for its own /widget.js and no chat appeared. The address the visitor used
  // (behind a trusted proxy, the one it was asked for), escaped.
  // A function, not a replacement string: `$&`, `` $` `` and `$'` in a Host header would
  // otherwise copy parts of the page into the tag.
  // `/?start=thi_<contest>` (a poster's QR code, admin "Mời người dân"): the chat opens on it,
  // as a portal page's data-loa-start does. Only a payload a start command can be.
  // `/?region=<slug>` (a commune's QR code or link): the chat on the page routes to that commune
  // as the commune portal's tag does, and the tag to copy names it. Only a slug of regions.yaml.
  app.get('/', async (req, reply) => {
    const { start, region } = req.query as { start?: unknown; region?: unknown };
    const startAttr = typeof start === 'string' && START_PAYLOAD.test(start) ? ` data-loa-start="${escapeHtml(start)}"` : '';
    const known = typeof region === 'string' && REGION_SLUG.test(region) && deps.regionKnown?.(region) === true ? region : null;
    const regionAttr = known ? ` data-loa-region="${escapeHtml(known)}"` : '';
    const regionNote = known
      ? ` (thẻ của ${escapeHtml(deps.regionName?.(known) ?? known)}: câu hỏi gửi qua cổng thông tin đó được chuyển tới cán bộ của địa bàn này)`
      : '';
    return reply
      .type('text/html; charset=utf-8')
      .send(
        page
          .replace('{{ORIGIN}}', () => escapeHtml(`${req.protocol}://${req.host}`))
          .replace('{{START}}', () => startAttr)
          .replace('{{REGION}}', () => regionAttr)
          .replace('{{REGION_TAG}}', () => escapeHtml(regionAttr))
          .replace('{{REGION_NOTE}}', () => regionNote),
      );
  });
  app.get('/widget.js', async (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(widget),
  );
  // The portal embeds the widget from another origin: allow cross-origin calls (no cookies).
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'POST, OPTIONS' };
  app.options('/api/chat', async (_req, reply) => reply.headers(cors).code(204).send());
  // A shut-out address is refused at the server's door (http/server.ts), before Fastify sees
  // the request: no routing, no request object, no body read, no log line (one when shut
  // out, one when let in). The hook below does the same on any other Fastify instance, and
  // refuses an address over its per-address limit (still before the body is read).
  const doorAnswer = boundedMemo((key: string): DoorRefusal => {
    const [lang, limit, retryAfter] = JSON.parse(key) as [Lang, Exclude<WebLimitVerdict, { ok: true }>['limit'], number];
    const body = JSON.stringify({ ok: false, error: refusalText({ ok: false, limit, retryAfter }, lang) });
    return {
      status: 429,
      headers: { ...cors, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'retry-after': String(retryAfter) },
      body,
      holdMs: SHUT_OUT_HOLD_MS,
    };
  }, 1000);
  addDoor(app, (req, address) => {
    if (req.method !== 'POST' || req.url === undefined) return undefined;
    const target = routedTarget(req.url);
    if (target.path !== CHAT_PATH) return undefined;
    const t = now();
    reportEnded(t);
    const v = limits.shutOut(addressKey(address), t);
    if (v.ok) return undefined;
    const lang = target.query ? webLang(new URLSearchParams(target.query).get('lang')) : 'vi';
    // The same few answers (a language, a limit, a number of seconds) over and over: made once each.
    return doorAnswer(JSON.stringify([lang, v.limit, v.retryAfter]));
  });
  const early = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const t = now();
    reportEnded(t);
    const v = limits.door(addressKey(req.ip), t);
    if (v.ok) return;
    refused(req, v);
    // A shut-out address that reached Fastify after all is held as long as at the door: the
    // hold is what slows a script that waits for each answer.
    if (v.limit === 'refusalsPerAddress') await new Promise((r) => setTimeout(r, SHUT_OUT_HOLD_MS));
    const lang = webLang((req.query as { lang?: unknown } | undefined)?.lang);
    await reply.headers(cors).code(429).header('retry-after', String(v.retryAfter)).send({ ok: false, error: refusalText(v, lang) });
  };
  const sampleRefusals = refusalLogSampler();
  const unreadable = (err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const status = err.statusCode ?? 500;
    if (status >= 500 || status < 400) throw err; // the server's handler: logged, no internals
    const skipped = sampleRefusals(String(status));
    if (skipped !== undefined) req.log.info({ status, url: loggedUrl(req.url), msg: err.message, ...(skipped ? { skipped } : {}) }, 'web chat: request refused');
    const lang = webLang((req.query as { lang?: unknown } | undefined)?.lang);
    return reply.headers(cors).code(status).send({ ok: false, error: unreadableRequest(status, lang) });
  };
  const lately = recentAnswers();
  // An embed tag's unknown region is logged once per slug (at most 100 slugs kept), not per message.
  const unknownRegions = new Set<string>();
  const regionOf = (req: FastifyRequest, raw: string | undefined): string | null => {
    if (raw === undefined || raw === '') return null;
    if (REGION_SLUG.test(raw) && deps.regionKnown?.(raw)) return raw;
    if (!unknownRegions.has(raw) && unknownRegions.size < 100) {
      unknownRegions.add(raw);
      deps.logger?.warn(
        { region: raw.slice(0, 100), origin: loggedUrl(String(req.headers.origin ?? '')) },
        'web chat: the embed tag names a region regions.yaml does not have: ignored, the questions go to province-wide staff',
      );
    }
    return null;
  };
  app.post<{ Querystring: { lang?: string } }>('/api/chat', { onRequest: early, bodyLimit: CHAT_BODY_LIMIT, errorHandler: unreadable }, async (req, reply) => {
    reply.headers(cors);
    const lang = webLang(req.query.lang);
    const parsed = chatRequestSchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send({ ok: false, error: requestError(parsed.error.issues, lang) });
    const { session, text, action, id } = parsed.data;
    const region = regionOf(req, parsed.data.region);
    // Nothing is stored before these checks: a flood costs a look-up, not a row (and its
    // refusals by the address's or the session's limit not even the look-up).
    let knownNew: boolean | undefined;
    const isNew = (): boolean => (knownNew ??= personIdByExternal(deps.db, 'web', session) === undefined);
    const disk = deps.disk?.state() ?? 'ok';
    if (disk === 'critical' || (disk === 'low' && isNew()))
      return reply.code(503).header('retry-after', '600').send({ ok: false, error: lang === 'en' ? DISK_LOW_TEXT_EN : DISK_LOW_TEXT });
    // An IPv6 client is limited by its /64: one subscriber's own block of addresses.
    const key = addressKey(req.ip);
    // A page view's greeting, before the visitor has written anything: answered, not stored,
    // and not a new chat of the address (60 page views an hour from one carrier's address shut
    // the next visitors out before they typed). Its requests still count for the address and
    // the session.
    if (deps.greet && action === undefined && text?.trim() === '/start' && isNew()) {
      const greeting = limits.check(key, session, false, now());
      if (!greeting.ok) refused(req, greeting);
      if (!greeting.ok) return reply.code(429).header('retry-after', String(greeting.retryAfter)).send({ ok: false, error: refusalText(greeting, lang) });
      return reply.send({ replies: deps.greet(lang).map(toWebReply), lang });
    }
    const verdict = limits.check(key, session, isNew, now());
    if (!verdict.ok) refused(req, verdict);
    if (!verdict.ok) return reply.code(429).header('retry-after', String(verdict.retryAfter)).send({ ok: false, error: refusalText(verdict, lang) });
    // A new visitor's browser language is theirs until they choose or ask in another.
    const hint = isNew() && lang === 'en' ? { lang } : {};
    const dedupeKey = `${session}:${id ?? randomUUID()}`;
    // A session id is free to make up: the address it came from (as a digest) tells sessions from people.
    const source = webSourceOf(deps.db, key);
    const inbound =
      action !== undefined
        ? { channel: 'web' as const, userId: session, dedupeKey, source, type: 'action' as const, action, ...hint }
        : { channel: 'web' as const, userId: session, dedupeKey, source, type: 'text' as const, text: text ?? '', ...hint };
    // The one intake (conversation/inbox.ts): stored with its dedupe key, handled in the
    // visitor's order, its replies recorded; the web chat answers in the response.
    // A backlogged address's messages wait until other visitors' are answered (limits.ts).
    const answer = async (): Promise<ChatAnswer | null> => {
      const answered = await inTurn(key, (waited) => lane.run(key, waited, () => deps.inbox.answerNow(inbound)));
      if (answered === null) return null;
      const { replies, personId } = answered;
      // The person exists now (a new visitor's first message made it); the queue reads the
      // region when staff open it, so the question just stored is routed too.
      if (region !== null && personId !== null) webVisitorRegion(deps.db, personId, region, { newVisitor: isNew() });
      // What was kept for the visitor while they were away comes first (a page left open).
      const held = personId === null ? [] : (deps.takeHeld?.(personId) ?? []);
      // The visitor's language after this turn: the widget writes its own labels in it.
      return { replies: [...held, ...replies].map(toWebReply), lang: answered.lang ?? lang };
    };
    // A message the widget sends again under its id (its answer was lost on the way: the phone
    // went offline, a proxy timed out) gets the answer it was given, or is still being given.
    const body = id === undefined ? await answer() : await lately.get(dedupeKey, answer);
    return reply.send(body ?? { replies: [], duplicate: true });
  });
  // The widget asks on load for what was kept for the visitor while they were away (staff's
  // answer to their question): "staff will answer you" is a promise the web chat can keep.
  app.get<{ Querystring: { session?: string; lang?: string } }>('/api/chat/held', async (req, reply) => {
    reply.headers(cors).header('cache-control', 'no-store');
    const parsed = chatRequestSchema.shape.session.safeParse(req.query.session);
    if (!parsed.success) return reply.code(400).send({ ok: false, error: requestError(parsed.error.issues.map((i) => ({ ...i, path: ['session'] })), webLang(req.query.lang)) });
    const personId = personIdByExternal(deps.db, 'web', parsed.data);
    const held = personId === undefined ? [] : (deps.takeHeld?.(personId) ?? []);
    const lang = personLang(personId ?? null);
    return reply.send({ replies: held.map(toWebReply), ...(lang ? { lang } : {}) });
  });
}

