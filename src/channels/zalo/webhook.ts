/**
 * `POST /webhooks/zalo`: verify, parse, persist, answer 200, then process.
 *
 * - The body's `app_id` must be ours, and the signature is checked over the raw body bytes
 *   (`request.rawBody`), before anything else; a bad or missing one gets 401.
 * - Each event is stored by the inbox under its dedupe key (`zalo:<msg_id>`, or
 *   `zalo:<event>:<sender>:<timestamp>` for events without one) before the 200, so a
 *   redelivery is recognised and a crash loses nothing.
 * - A signed event older than `maxEventAgeMs` (by its own `timestamp`) is acknowledged and not
 *   processed: the signature proves who wrote a delivery, not when it was sent, and a captured
 *   one could be sent again after its dedupe key is gone (an erasure clears it).
 * - Zalo ids exceed 2^53: the schema takes them as strings and never converts them.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../../db/index.js';
import { MAX_MEDIA_REF, type Inbound } from '../channel.js';
import type { Inbox } from '../../conversation/inbox.js';
import { touchPerson } from '../../db/people.js';
import { latestZaloLifecycleAt, recordZaloSubmission } from '../../db/zalo.js';
import { verifyZaloSignature } from './signature.js';
import { refusalLogSampler } from '../../http/server.js';
import { actionFromText } from './render.js';
import { SUBMIT_INFO_ACTION } from './feature.js';

/** The webhook path to register in the Zalo app settings. */
export const ZALO_WEBHOOK_PATH = '/webhooks/zalo';

const id = z.string().min(1);
const opt = z.string().optional();
/**
 * A string field Loa only reads when it is one: Zalo's attachment payloads differ by event and
 * by client (a `null` url, a numeric size), and one odd field must not make the whole event
 * "not understood" and lose the words sent with it.
 */
const lax = z.unknown().transform((v) => (typeof v === 'string' ? v : undefined)).optional();

/** A Zalo webhook event: the fields Loa reads; everything else is kept (loose). */
export const zaloEventSchema = z.looseObject({
  event_name: z.string().min(1),
  app_id: opt,
  oa_id: opt,
  user_id_by_app: opt,
  // Milliseconds as a string; a number here is still exact (well below 2^53).
  timestamp: z.union([z.string(), z.number()]).transform(String).optional(),
  sender: z.looseObject({ id }).optional(),
  recipient: z.looseObject({ id }).optional(),
  follower: z.looseObject({ id }).optional(),
  message: z
    .looseObject({
      text: lax,
      msg_id: opt,
      // user_send_image: the picture stays on Zalo's servers; we keep its URL. A file's `name`
      // tells its words apart from its file name (captionOf).
      attachments: z
        .array(z.looseObject({ type: lax, payload: z.looseObject({ url: lax, name: lax }).optional().catch(undefined) }))
        .optional()
        .catch(undefined),
    })
    .optional(),
  info: z.looseObject({ name: opt, phone: opt, address: opt, ward: opt, district: opt, city: opt }).optional(),
});

/** A parsed event. */
export type ZaloEvent = z.infer<typeof zaloEventSchema>;

/** Dependencies of {@link registerZaloWebhook}. */
export interface ZaloWebhookDeps {
  db: Db;
  inbox: Pick<Inbox, 'accept'>;
  appId: string;
  oaId?: string;
  oaSecretKey: string;
  logger?: Logger;
  now?: () => Date;
  /**
   * Oldest event (ms, measured from its `timestamp` to `now`) still processed; older ones, and
   * ones without a readable timestamp, get 200 and are dropped. Absent or 0: no limit.
   * `ZALO_WEBHOOK_MAX_AGE_HOURS` (default 48) in the app.
   */
  maxEventAgeMs?: number;
}

/**
 * True when a signed event is too old to act on: its `timestamp` (ms, as Zalo writes it) is
 * more than `maxAgeMs` before `nowMs`, or missing or unreadable (nothing tells its age).
 * Events dated in the future are not stale: that is clock skew, and a replay cannot make one
 * (the timestamp is signed). `maxAgeMs` 0 turns the check off.
 *
 * @example isStaleEvent('1763880000000', Date.parse('2025-11-26T00:00:00Z'), 48 * 3_600_000) // true
 */
export function isStaleEvent(timestamp: string, nowMs: number, maxAgeMs: number): boolean {
  if (!(maxAgeMs > 0)) return false;
  if (!/^\d{1,16}$/.test(timestamp)) return true;
  return nowMs - Number(timestamp) > maxAgeMs;
}

/** What the route does with one verified event. */
export type ZaloEventOutcome =
  | { kind: 'accepted'; inbound: Inbound }
  | { kind: 'duplicate' }
  | { kind: 'submission'; inbound: Inbound }
  | { kind: 'ignored'; why: string };

/** Why an `anonymous_send_*` event is not answered (logged as a warning, for the operator). */
export const ANONYMOUS_IGNORED =
  'a person who does not follow the OA wrote to it (anonymous chat): Loa cannot answer them; set the OA auto-reply in oa.zalo.me to ask them to follow the OA (docs/zalo.md)';

/** The dedupe key of an event. */
export function zaloDedupeKey(e: ZaloEvent, sender: string): string {
  return e.message?.msg_id ? `zalo:${e.message.msg_id}` : `zalo:${e.event_name}:${sender}:${e.timestamp ?? ''}`;
}

/**
 * Attachment events whose `message.text` is words the person sent with the attachment. Not a
 * sticker (no words), a location (an address Zalo fills in) or a business card (the text is the
 * card's name): those words are not the person's message.
 */
const CAPTIONED = new Set(['user_send_video', 'user_send_gif', 'user_send_file', 'user_send_audio']);

/**
 * The words sent with an attachment, or '' when there are none. A client that fills `text`
 * with the file's name or its URL sent no words: "to-khai.pdf" is not a question.
 */
export function captionOf(e: ZaloEvent): string {
  const text = (e.message?.text ?? '').trim();
  if (!text) return '';
  const named = (e.message?.attachments ?? []).some((a) => text === a.payload?.name?.trim() || text === a.payload?.url?.trim());
  return named ? '' : text;
}

/**
 * Maps a verified event to an Inbound (or why it is ignored). Pure, for table tests.
 */
export function toInbound(e: ZaloEvent): Inbound | { ignored: string } {
  const name = e.event_name;
  if (name.startsWith('oa_send_')) return { ignored: 'echo of a message the OA sent' };
  if (name === 'user_received_message' || name === 'user_seen_message') return { ignored: 'delivery receipt' };
  // A message in a Zalo group the OA belongs to (GMF, a paid package): the recipient is the
  // group. Loa answers people in their own chat with the OA and has no group sending: treated
  // as a message, every line of a group conversation got a private "text only" reply.
  if (name.startsWith('user_send_group_')) return { ignored: 'message in a Zalo group (Loa answers people in their own chat with the OA)' };
  // Opening the chat ("Nhắn tin") and reacting to a message are not messages: Loa answers once
  // the person writes (a reaction names no choice Loa could take as an answer).
  if (name === 'user_click_chatnow' || name.endsWith('_reacted_message')) return { ignored: 'not a message' };
  // A person who does not follow the OA writing to it: Zalo delivers anonymous_send_* with an
  // anonymous id that consultation messages (/cs) cannot reach, so Loa cannot answer them.
  if (name.startsWith('anonymous_send_')) return { ignored: ANONYMOUS_IGNORED };
  const userId = name === 'follow' || name === 'unfollow' ? (e.follower?.id ?? e.sender?.id) : e.sender?.id;
  if (!userId) return { ignored: `no sender in ${name}` };
  const at = e.timestamp && /^\d+$/.test(e.timestamp) ? new Date(Number(e.timestamp)) : undefined;
  const base = { channel: 'zalo' as const, userId, dedupeKey: zaloDedupeKey(e, userId), ...(at ? { at } : {}) };
  if (name === 'user_send_text') {
    const text = e.message?.text ?? '';
    const action = actionFromText(text);
    return action ? { ...base, type: 'action', action } : { ...base, type: 'text', text };
  }
  if (name === 'user_send_image') {
    // Integrators report the attachment type as 'image' and as 'photo': any URL of an image event is the picture.
    const atts = e.message?.attachments ?? [];
    const url = (atts.find((a) => a.type === 'image' || a.type === 'photo') ?? atts.find((a) => a.payload?.url))?.payload?.url;
    const caption = captionOf(e);
    // The picture with its words goes to the core as a picture (a screenshot of a post with
    // "tin này có thật không?" is offered for reporting, with "Tôi muốn hỏi"); without a URL
    // Loa can keep, the words are all there is, and they are read as typed.
    if (!(url && url.length <= MAX_MEDIA_REF)) return caption ? { ...base, type: 'text', text: caption } : { ...base, type: 'unsupported', what: 'image' };
    return { ...base, type: 'unsupported', what: 'image', media: { kind: 'image', ref: url, ...(caption ? { caption } : {}) } };
  }
  if (CAPTIONED.has(name)) {
    // A video, GIF, file or voice message sent with words: the words are what Loa can read, as
    // on Telegram (0515d94). A rumour clip with "KHẨN: … chia sẻ ngay" reaches the report flow
    // as the same words typed would, and a question sent with a form is answered. Both got
    // "text only" before, and the words were lost.
    const caption = captionOf(e);
    if (caption) return { ...base, type: 'text', text: caption };
  }
  if (name === 'user_send_link') {
    // Zalo sends a message with a URL in it as a link event, not as text: the URL is what a
    // citizen reporting a post (/baocao) or asking about an article sends, so it is read as
    // the text typed, with the URL added when Zalo left it out of the text.
    const text = (e.message?.text ?? '').trim();
    const url = e.message?.attachments?.find((a) => a.payload?.url)?.payload?.url?.trim() ?? '';
    const typed = url && !text.includes(url) ? [text, url].filter(Boolean).join('\n') : text;
    if (typed) return { ...base, type: 'text', text: typed };
  }
  if (name.startsWith('user_send_')) return { ...base, type: 'unsupported', what: name.slice('user_send_'.length) };
  if (name === 'follow') return { ...base, type: 'follow' };
  if (name === 'unfollow') return { ...base, type: 'unfollow' };
  // The submitted fields are stored by the webhook; the conversation only says thanks.
  if (name === 'user_submit_info') return { ...base, type: 'action', action: SUBMIT_INFO_ACTION };
  return { ignored: `unknown event ${name}` };
}

/**
 * Handles one verified event: stores it (deduplicated) and schedules its processing. Returns
 * synchronously once the event is on disk, so the route can answer 200 at once.
 */
export function acceptZaloEvent(deps: ZaloWebhookDeps, e: ZaloEvent): ZaloEventOutcome {
  const now = deps.now ?? (() => new Date());
  const mapped = toInbound(e);
  if ('ignored' in mapped) return { kind: 'ignored', why: mapped.ignored };
  const inbound = mapped;

  if (e.event_name === 'user_submit_info') {
    // The fields, their consent and the event go to disk in one transaction before the 200
    // (the inbox's, with the person it resolved); a redelivery writes none of it again.
    const stored = deps.inbox.accept(inbound, {
      alsoWrite: (personId) => {
        recordZaloSubmission(deps.db, { personId, userId: inbound.userId, ...(e.info ?? {}), consentAt: inbound.at ?? now() }, now());
        touchPerson(deps.db, personId, now());
      },
    });
    return stored ? { kind: 'submission', inbound } : { kind: 'duplicate' };
  }

  if ((inbound.type === 'follow' || inbound.type === 'unfollow') && inbound.at) {
    // Zalo retries a delivery that failed, so a follow and an unfollow can arrive in either
    // order: an unfollow from before the person followed again must not mark a follower gone
    // (no campaign would reach them), nor an old follow bring back one who left.
    const latest = latestZaloLifecycleAt(deps.db, inbound.userId);
    if (latest !== null && inbound.at.getTime() < latest) return { kind: 'ignored', why: `${inbound.type} older than a follow or unfollow already handled` };
  }

  // The core touches people for the events it handles; an unfollow is an interaction too.
  const stored = deps.inbox.accept(inbound, inbound.type === 'unfollow' ? { alsoWrite: (personId) => touchPerson(deps.db, personId, now()) } : undefined);
  return stored ? { kind: 'accepted', inbound } : { kind: 'duplicate' };
}

/**
 * True when an event's `app_id` (or its `oa_id`, when the body carries no `app_id`) is our app
 * id or our OA id. A missing one is not ours: every delivery PLATFORMS.md describes names it.
 */
export function appIdIsOurs(named: string | undefined, deps: Pick<ZaloWebhookDeps, 'appId' | 'oaId'>): boolean {
  if (!named) return false;
  return (!!deps.appId && named === deps.appId) || (!!deps.oaId && named === deps.oaId);
}

/** Registers `POST /webhooks/zalo`. */
export function registerZaloWebhook(server: FastifyInstance, deps: ZaloWebhookDeps): void {
  // Anyone can post here: refusals are logged a few a minute, with how many were left out.
  const sampleRefusals = refusalLogSampler();
  const sampleAnonymous = refusalLogSampler(3);
  server.post(ZALO_WEBHOOK_PATH, async (req, reply) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const timestamp = typeof body.timestamp === 'string' || typeof body.timestamp === 'number' ? String(body.timestamp) : '';
    const eventName = typeof body.event_name === 'string' ? body.event_name : '';
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const idOf = (v: unknown): string | undefined => (v && typeof v === 'object' ? str((v as { id?: unknown }).id) : undefined);
    // The app id, or (disputed reading) the OA id: configured, named in the body, or the
    // recipient of an event sent to the OA.
    const terms = [
      deps.appId,
      deps.oaId,
      str(body.oa_id),
      eventName.startsWith('user_') ? idOf(body.recipient) : undefined,
      eventName.startsWith('oa_send_') ? idOf(body.sender) : undefined,
    ];
    // The signature proves the OA's secret key, which several apps linked to one OA share: the
    // body must also name our app (or, the disputed reading, our OA) as the one it is for.
    const ours = appIdIsOurs(str(body.app_id) ?? str(body.oa_id), deps);
    if (!ours) {
      const skipped = sampleRefusals('app_id');
      if (skipped !== undefined)
        deps.logger?.info({ event: eventName.slice(0, 64) || undefined, appId: str(body.app_id)?.slice(0, 64) ?? null, ...(skipped ? { skipped } : {}) }, 'zalo: webhook refused: app_id is not ours');
      return reply.code(401).send({ ok: false, error: 'Zalo: the event is for another app_id; check ZALO_APP_ID and the webhook URL in the Zalo app settings' });
    }
    if (!verifyZaloSignature(req.headers['x-zevent-signature'], req.rawBody, timestamp, terms, deps.oaSecretKey)) {
      const skipped = sampleRefusals('signature');
      if (skipped !== undefined)
        deps.logger?.info({ event: eventName.slice(0, 64) || undefined, signed: req.headers['x-zevent-signature'] !== undefined, ...(skipped ? { skipped } : {}) }, 'zalo: webhook refused: bad or missing signature');
      return reply.code(401).send({ ok: false, error: 'Zalo: bad or missing X-ZEvent-Signature' });
    }
    const nowMs = (deps.now?.() ?? new Date()).getTime();
    if (isStaleEvent(timestamp, nowMs, deps.maxEventAgeMs ?? 0)) {
      // Zalo delivers an event again for about a day at most (docs/operations.md): this is a
      // replay, or Loa was unreachable for longer than ZALO_WEBHOOK_MAX_AGE_HOURS, or a clock is
      // wrong. A 200, so that a real late delivery is not retried; a few warnings a minute.
      const skipped = sampleRefusals('stale');
      if (skipped !== undefined)
        deps.logger?.warn(
          { event: eventName.slice(0, 64) || undefined, timestamp: timestamp.slice(0, 32) || null, maxAgeHours: (deps.maxEventAgeMs ?? 0) / 3_600_000, ...(skipped ? { skipped } : {}) },
          'zalo: webhook event older than ZALO_WEBHOOK_MAX_AGE_HOURS (or undated): acknowledged, not processed. A replayed delivery, or Loa was unreachable that long; if every event is refused, check the server clock (loa doctor)',
        );
      return reply.send({ ok: true, ignored: 'stale' });
    }
    const parsed = zaloEventSchema.safeParse(req.body);
    if (!parsed.success) {
      // Signed by Zalo but not a shape we know: acknowledge, or Zalo redelivers it forever.
      deps.logger?.warn(
        { event: eventName, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
        'zalo: webhook event not understood; ignored',
      );
      return reply.send({ ok: true, ignored: true });
    }
    const outcome = acceptZaloEvent(deps, parsed.data);
    if (outcome.kind === 'ignored' && outcome.why === ANONYMOUS_IGNORED) {
      // A citizen gets no answer here: the operator must see it (a few a minute at most).
      const skipped = sampleAnonymous('anonymous');
      if (skipped !== undefined) deps.logger?.warn({ event: eventName, ...(skipped ? { skipped } : {}) }, `zalo: ${ANONYMOUS_IGNORED}`);
    } else if (outcome.kind === 'ignored') {
      const unknown = outcome.why.startsWith('unknown');
      deps.logger?.[unknown ? 'info' : 'debug']({ event: eventName, why: outcome.why }, 'zalo: webhook event ignored');
    }
    return reply.send({ ok: true, ...(outcome.kind === 'duplicate' ? { duplicate: true } : {}) });
  });
}
