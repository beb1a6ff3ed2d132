/**
 * Reply -> Telegram API calls, as plain data (no network): HTML parse mode with every piece of
 * content escaped, inline keyboards whose `callback_data` always fits in 64 bytes, long texts
 * split at paragraph boundaries, quiz polls when the question fits Telegram's limits.
 *
 * Pure apart from `remember`, which stores the action behind a short callback id, so the
 * rendering is table-tested without a server.
 */
import { createHash } from 'node:crypto';
import { type Button, type LinkButton, type Reply } from '../channel.js';
import { escapeHtml } from '../../text/html.js';
import { codePoints, splitCodePoints } from '../../message-split.js';

/** Telegram's limit on message text, in characters (code points) after entity parsing. */
export const TEXT_LIMIT = 4096;
/** Telegram's limit on a photo caption, counted as the text is. */
export const CAPTION_LIMIT = 1024;
/** Telegram's limit on `callback_data`, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;
/** Prefix of short callback ids that stand for a stored action. Actions never start with it. */
export const SHORT_ID_PREFIX = '~';

/**
 * The `callback_data` for an action: the action itself when it is printable ASCII and fits in
 * 64 bytes (readable in logs), else a short id derived from it, stored through `remember`.
 *
 * @example callbackData('qa:bhyt-tre-em', remember) // 'qa:bhyt-tre-em'
 */
export function callbackData(action: string, remember: (id: string, action: string) => void): string {
  if (/^[\x21-\x7e]{1,64}$/.test(action) && !action.startsWith(SHORT_ID_PREFIX)) return action;
  // 128 bits of a hash: collisions are out of reach, and the same action always gets the same id.
  const id = SHORT_ID_PREFIX + createHash('sha256').update(action).digest('base64url').slice(0, 22);
  remember(id, action);
  return id;
}

/** One inline keyboard button, as the Bot API takes it. */
export type InlineButton = { text: string; callback_data: string } | { text: string; url: string };

/** An inline keyboard: rows of buttons. */
export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}

/** One Bot API call to make, in order. */
export type TelegramCall =
  | { method: 'sendMessage'; payload: { chat_id: number | string; message_thread_id?: number; text: string; parse_mode: 'HTML'; reply_markup?: InlineKeyboard; link_preview_options?: { is_disabled: boolean }; allow_paid_broadcast?: boolean } }
  | { method: 'sendPhoto'; payload: { chat_id: number | string; message_thread_id?: number; photo: string; caption?: string; parse_mode?: 'HTML'; reply_markup?: InlineKeyboard; allow_paid_broadcast?: boolean } }
  | {
      method: 'sendPoll';
      /** Our question ref, recorded with the poll id the answer comes back with. */
      ref: string;
      payload: {
        chat_id: number | string;
        message_thread_id?: number;
        question: string;
        options: { text: string }[];
        type: 'quiz';
        is_anonymous: false;
        correct_option_id: number;
        open_period?: number;
        explanation?: string;
        allow_paid_broadcast?: boolean;
      };
    };

/** Options of {@link renderReply}. */
export interface RenderOptions {
  /** Stores the action behind a short callback id. */
  remember: (id: string, action: string) => void;
  /** Send with `allow_paid_broadcast` (campaigns, when the operator turned it on). */
  paidBroadcast?: boolean;
}

/**
 * The target of a recipient: Telegram chat ids are numbers (sent as numbers when they are), and
 * `<chat>:<topic>` (updates.ts `chatKey`) is a topic of a forum supergroup.
 *
 * @example chatIdOf('-1001:42') // { chat_id: -1001, message_thread_id: 42 }
 */
export function chatIdOf(recipient: string): { chat_id: number | string; message_thread_id?: number } {
  const topic = /^(-?\d{1,16}):(\d{1,16})$/.exec(recipient);
  if (topic) return { chat_id: Number(topic[1]), message_thread_id: Number(topic[2]) };
  return { chat_id: /^-?\d{1,16}$/.test(recipient) ? Number(recipient) : recipient };
}

function keyboard(buttons: Button[] | undefined, links: LinkButton[] | undefined, remember: RenderOptions['remember']): InlineKeyboard | undefined {
  const rows: InlineButton[][] = [];
  let lastRow: string | undefined;
  for (const b of buttons ?? []) {
    const text = b.label.trim() || '…';
    const button = { text: text.slice(0, 64), callback_data: callbackData(b.action, remember) };
    // Buttons sharing a row hint sit side by side (👍 | 👎); every other button gets its own row.
    if (b.row !== undefined && b.row === lastRow && rows.length > 0) rows[rows.length - 1]!.push(button);
    else rows.push([button]);
    lastRow = b.row;
  }
  for (const l of links ?? []) {
    // Telegram refuses buttons with other schemes; a bad link must not lose the whole answer.
    if (!/^https?:\/\/\S+$/i.test(l.url)) continue;
    rows.push([{ text: (l.label.trim() || l.url).slice(0, 64), url: l.url }]);
  }
  return rows.length ? { inline_keyboard: rows } : undefined;
}

/**
 * Splits plain text into the chunks of one message each: at most `limit` characters as Telegram
 * counts them (after entity parsing, in code points: ../../message-split.ts), the first leaving
 * `reserve` characters for the heading sent with it (the title and its blank line), preferring
 * paragraph breaks. The escaping of `&`, `<`, `>`, `"` and the title's `<b>` tags are markup, not
 * text: Telegram does not count them, so neither does this (it did, and a text that fitted went
 * as two messages).
 *
 * @example splitForHtml('a & b', 4096) // ['a & b']
 */
export function splitForHtml(text: string, limit: number, reserve = 0): string[] {
  return splitCodePoints(text, limit, limit - reserve);
}

/** Characters the title takes in the first message as Telegram counts them: the title and its blank line. */
function titleReserve(title: string | undefined): number {
  const t = title?.trim();
  return t ? codePoints(t) + 2 : 0;
}

/**
 * The visible text of HTML we rendered: tags dropped, entities read back. A call Telegram
 * refused with "can't parse entities" goes again as this plain text (no `parse_mode`): the
 * person gets the answer without bold rather than nothing.
 *
 * @example plainFromHtml('<b>A &amp; B</b>\n\n1 &lt; 2') // 'A & B\n\n1 < 2'
 */
export function plainFromHtml(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&(lt|gt|quot|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&' })[e]!);
}

function pollFits(p: NonNullable<Reply['poll']>): boolean {
  return (
    p.question.length >= 1 &&
    p.question.length <= 300 &&
    p.options.length >= 2 &&
    p.options.length <= 10 &&
    p.options.every((o) => o.length >= 1 && o.length <= 100) &&
    p.correctOptionId >= 0 &&
    p.correctOptionId < p.options.length
  );
}

/**
 * Renders one reply for one chat as the Bot API calls to make, in order. Buttons and links go
 * on the last message only, so they stay next to the end of a long answer.
 */
export function renderReply(recipient: string, reply: Reply, opts: RenderOptions): TelegramCall[] {
  const calls = renderCalls(recipient, reply, opts);
  // The first message quotes the one it answers (a group question); sent anyway if it was deleted.
  if (reply.replyTo && /^\d{1,12}$/.test(reply.replyTo) && calls[0])
    (calls[0].payload as { reply_parameters?: ReplyParameters }).reply_parameters = { message_id: Number(reply.replyTo), allow_sending_without_reply: true };
  return calls;
}

/** Telegram's `reply_parameters`: the message quoted. */
export interface ReplyParameters {
  message_id: number;
  allow_sending_without_reply: boolean;
}

function renderCalls(recipient: string, reply: Reply, opts: RenderOptions): TelegramCall[] {
  const target = chatIdOf(recipient);
  const paid = opts.paidBroadcast ? { allow_paid_broadcast: true } : {};
  const calls: TelegramCall[] = [];
  const title = reply.title?.trim() ? `<b>${escapeHtml(reply.title.trim())}</b>` : '';

  if (reply.poll && pollFits(reply.poll)) {
    const p = reply.poll;
    const intro = reply.text.trim();
    if (intro && intro !== p.question.trim())
      for (const chunk of splitForHtml(intro, TEXT_LIMIT, titleReserve(reply.title)))
        calls.push({ method: 'sendMessage', payload: { ...target, text: title && calls.length === 0 ? `${title}\n\n${escapeHtml(chunk)}` : escapeHtml(chunk), parse_mode: 'HTML', ...paid } });
    calls.push({
      method: 'sendPoll',
      ref: p.ref,
      payload: {
        ...target,
        question: p.question,
        options: p.options.map((text) => ({ text })),
        type: 'quiz',
        is_anonymous: false,
        correct_option_id: p.correctOptionId,
        ...(p.openPeriod !== undefined ? { open_period: Math.min(600, Math.max(5, Math.round(p.openPeriod))) } : {}),
        ...(p.explanation ? { explanation: p.explanation.slice(0, 200) } : {}),
        ...paid,
      },
    });
    return calls;
  }

  const markup = keyboard(reply.buttons, reply.links, opts.remember);
  const text = reply.text.trim();
  if (reply.imageUrl && /^https?:\/\//i.test(reply.imageUrl)) {
    const caption = [title, escapeHtml(text)].filter(Boolean).join('\n\n');
    // As Telegram counts a caption: the visible title, its blank line and the text.
    const captionVisible = codePoints([reply.title?.trim(), text].filter(Boolean).join('\n\n'));
    if (captionVisible <= CAPTION_LIMIT) {
      calls.push({ method: 'sendPhoto', payload: { ...target, photo: reply.imageUrl, ...(caption ? { caption, parse_mode: 'HTML' } : {}), ...(markup ? { reply_markup: markup } : {}), ...paid } });
      return calls;
    }
    calls.push({ method: 'sendPhoto', payload: { ...target, photo: reply.imageUrl, ...paid } });
  }

  const chunks = text ? splitForHtml(text, TEXT_LIMIT, titleReserve(reply.title)) : [];
  if (chunks.length === 0 && title) chunks.push('');
  if (chunks.length === 0 && markup) chunks.push('…');
  chunks.forEach((chunk, i) => {
    const body = escapeHtml(chunk);
    const html = i === 0 && title ? (body ? `${title}\n\n${body}` : title) : body;
    const last = i === chunks.length - 1;
    calls.push({
      method: 'sendMessage',
      payload: { ...target, text: html, parse_mode: 'HTML', link_preview_options: { is_disabled: true }, ...(last && markup ? { reply_markup: markup } : {}), ...paid },
    });
  });
  return calls;
}
