/**
 * Zalo Bot updates -> {@link Inbound}: the schemas of what the platform sends (a webhook body or
 * a `getUpdates` result), and one pure conversion the webhook and the poll loop share.
 *
 * - An update is `{event_name, message}`; a webhook body may come wrapped as `{ok, result}`, and
 *   the documented `getUpdates` sample has no `event_name` at all: both are read.
 * - The platform's ids are opaque strings (hex such as `e4ea2cd5189df1c3a88c`, or digits above
 *   2^53): never numbers.
 * - Each message is stored under `zb:<message_id>`, so a redelivered update (a webhook retried,
 *   a poll answered twice) is handled once by the inbox.
 * - In a group the bot speaks only when asked with `/hoi`, so it never floods a conversation.
 */
import { z } from 'zod';
import { MAX_MEDIA_REF, type Inbound, type MediaRef } from '../channel.js';

const id = z.union([z.string().min(1), z.number()]).transform(String);
const opt = z.string().optional();
/**
 * A field Loa reads only when it is a string: `null` (or another type) where a message has none
 * reads as absent, so one odd field does not refuse the whole update and lose its words.
 */
const lax = z.unknown().transform((v) => (typeof v === 'string' ? v : undefined)).optional();

/** A message as the platform describes it; anything else it carries is kept (loose). */
export const zaloBotMessageSchema = z.looseObject({
  message_id: id,
  from: z.looseObject({
    id,
    display_name: opt,
    first_name: opt,
    name: opt,
    is_bot: z.boolean().optional(),
  }),
  chat: z.looseObject({ id, chat_type: z.string().optional() }),
  /** Milliseconds since the epoch. */
  date: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  text: lax,
  photo_url: lax,
  photo: lax,
  caption: lax,
  sticker: lax,
});

/** One update. */
export const zaloBotUpdateSchema = z.looseObject({
  event_name: z.string().min(1).optional(),
  message: zaloBotMessageSchema,
});

/** A parsed update. */
export type ZaloBotUpdate = z.infer<typeof zaloBotUpdateSchema>;

/**
 * The updates in a webhook body or a `getUpdates` result: a bare update, one wrapped in
 * `{ok, result}`, or (defensively) a list. Returns null for anything else (a 400 on a webhook).
 */
export function readUpdates(body: unknown): ZaloBotUpdate[] | null {
  let v = body;
  if (v && typeof v === 'object' && !Array.isArray(v) && 'result' in v && (v as { ok?: unknown }).ok !== undefined) v = (v as { result: unknown }).result;
  const list = Array.isArray(v) ? v : [v];
  const out: ZaloBotUpdate[] = [];
  for (const item of list) {
    const parsed = zaloBotUpdateSchema.safeParse(item);
    if (!parsed.success) return null;
    out.push(parsed.data);
  }
  return out;
}

/** Commands answered in a group chat. */
export const GROUP_COMMANDS = new Set(['hoi']);

/** What {@link toInbound} made of an update. */
export type Conversion = { kind: 'inbound'; inbound: Inbound } | { kind: 'ignore'; reason: string };

/** The event an update is, read from `event_name` or, without one, from what the message holds. */
export function eventOf(u: ZaloBotUpdate): string {
  if (u.event_name) return u.event_name;
  const m = u.message;
  if (m.text !== undefined) return 'message.text.received';
  if (m.photo_url !== undefined || m.photo !== undefined) return 'message.image.received';
  if (m.sticker !== undefined) return 'message.sticker.received';
  return 'message.unsupported.received';
}

/**
 * Converts one update. Pure, for table tests.
 *
 * @example
 * toInbound({ event_name: 'message.text.received', message: { message_id: 'a1', from: { id: 'u1' }, chat: { id: 'u1', chat_type: 'PRIVATE' }, text: 'Xin chào' } })
 * // { kind: 'inbound', inbound: { channel: 'zalo-bot', type: 'text', text: 'Xin chào', userId: 'u1', dedupeKey: 'zb:a1' } }
 */
export function toInbound(u: ZaloBotUpdate): Conversion {
  const m = u.message;
  if (m.from.is_bot) return { kind: 'ignore', reason: 'message from a bot' };
  const event = eventOf(u);
  const group = (m.chat.chat_type ?? 'PRIVATE').toUpperCase() === 'GROUP';
  const displayName = m.from.display_name ?? m.from.first_name ?? m.from.name;
  const base = {
    channel: 'zalo-bot' as const,
    userId: m.from.id,
    ...(group ? { chatId: m.chat.id, group: true } : {}),
    ...(displayName ? { displayName } : {}),
    dedupeKey: `zb:${m.message_id}`,
    ...(m.date !== undefined && Number.isFinite(m.date) ? { at: new Date(m.date) } : {}),
  };
  const text = event === 'message.text.received' ? (m.text ?? '') : undefined;
  if (group) {
    if (text === undefined) return { kind: 'ignore', reason: 'non-text message in a group' };
    const cmd = /^\/([A-Za-z0-9_]+)(?=\s|$)/.exec(text.trim());
    if (!cmd || !GROUP_COMMANDS.has(cmd[1]!.toLowerCase())) return { kind: 'ignore', reason: 'group message not addressed to the bot (only /hoi is answered)' };
    return { kind: 'inbound', inbound: { ...base, type: 'text', text: text.trim() } };
  }
  if (text !== undefined) return { kind: 'inbound', inbound: { ...base, type: 'text', text } };
  const caption = m.caption?.trim() ?? '';
  if (event === 'message.image.received') {
    const ref = m.photo_url ?? m.photo;
    // A picture with its words goes to the core as a picture (offered for reporting, with "Tôi
    // muốn hỏi"); without a reference Loa can keep, the words are all there is.
    if (ref && ref.length <= MAX_MEDIA_REF) {
      const media: MediaRef = { kind: 'image', ref, ...(caption ? { caption } : {}) };
      return { kind: 'inbound', inbound: { ...base, type: 'unsupported', what: 'image', media } };
    }
  }
  // Words sent with anything else (a video or file the platform reports as unsupported) are what
  // Loa can read, as on Telegram and the OA: read as typed, not dropped with a "text only".
  if (caption && event !== 'message.sticker.received') return { kind: 'inbound', inbound: { ...base, type: 'text', text: caption } };
  const what = /^message\.([a-z_]+)\.received$/.exec(event)?.[1] ?? event;
  return { kind: 'inbound', inbound: { ...base, type: 'unsupported', what } };
}
