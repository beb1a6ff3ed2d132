/**
 * Reply -> Zalo messages. Zalo OA text is plain (no markup) and at most 2,000 characters, so a
 * long reply becomes several messages split at paragraph boundaries. Whether button templates
 * still work on v3 `/cs` is disputed, so every choice is rendered twice: as an `oa.query.hide`
 * button (the tap "sends" `#loa:<action>` back as text) and as a numbered line the person can
 * answer by typing its number (the core maps a bare number to the choices shown last).
 */
import { splitText, type Button, type Reply } from '../channel.js';
import { textsFor } from '../../conversation/texts-en.js';
import type { ZaloButton, ZaloMessage } from './client.js';

/** Longest text of one Zalo message. */
export const ZALO_MAX_TEXT = 2000;
/** Most buttons on one Zalo message. */
export const ZALO_MAX_BUTTONS = 5;
/** Prefix of a button payload: a text starting with it is a button tap, not a question. */
export const ACTION_PREFIX = '#loa:';
/** Longest button title Loa sends (Zalo truncates long titles on small screens anyway). */
const MAX_TITLE = 100;

/** Options of {@link renderReply}. */
export interface RenderOptions {
  /** Attach button templates (false once Zalo has refused them). Default true. */
  buttons?: boolean;
}

/** The action of a button-tap text, or null for ordinary text. */
export function actionFromText(text: string): string | null {
  const t = text.trim();
  if (!t.startsWith(ACTION_PREFIX)) return null;
  const action = t.slice(ACTION_PREFIX.length);
  // Actions are short ASCII ids (see Button.action); anything else is someone typing '#loa:'.
  return /^[\x21-\x7e]{1,64}$/.test(action) ? action : null;
}

function title(label: string): string {
  const l = label.replace(/\s+/g, ' ').trim();
  return l.length > MAX_TITLE ? `${l.slice(0, MAX_TITLE - 1)}…` : l || '…';
}

/**
 * Zalo shows text as typed. Reply text is meant to be plain, but approved content is written in
 * Markdown and `**bold**` markers reach us: drop them rather than show asterisks to citizens.
 */
export function plainText(text: string): string {
  return text.replace(/\*\*(\S(?:[^*]*?\S)?)\*\*/g, '$1').replace(/__(\S(?:[^_]*?\S)?)__/g, '$1');
}

/**
 * Which of `n` choices get one of Zalo's {@link ZALO_MAX_BUTTONS} buttons (indexes, in order):
 * all when they fit; otherwise the first three and the last two. Loa's long menus end with the
 * way on or out ("Chọn tất cả", "Tiếp tục ➜ chọn địa bàn", "Tôi muốn hỏi", "Huỷ", "Bỏ qua"):
 * with the first five as buttons, those could only be reached by finding and typing their number
 * ("16") on a phone. Every choice stays in the numbered text.
 *
 * @example buttonedChoices(17) // [0, 1, 2, 15, 16]
 */
export function buttonedChoices(n: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  return n <= ZALO_MAX_BUTTONS ? all : [...all.slice(0, ZALO_MAX_BUTTONS - 2), ...all.slice(n - 2)];
}

/** The numbered block: "1. …\n2. …\nGõ 1 hoặc 2 để chọn." (in English for an English reply). */
export function numberedChoices(buttons: Button[], lang: 'vi' | 'en' = 'vi'): string {
  return [...buttons.map((b, i) => `${i + 1}. ${b.label}`), textsFor(lang).chooseNumber(buttons.length)].join('\n');
}

/**
 * Renders one reply as the Zalo messages to send, in order: the image (if any), then the text
 * in chunks of at most 2,000 characters; the last chunk carries the numbered choices, the
 * links and the buttons.
 *
 * @example renderReply({ text: 'Chọn:', buttons: [{ label: 'Hộ tịch', action: 'topic:ho-tich' }] })
 */
export function renderReply(reply: Reply, opts: RenderOptions = {}): ZaloMessage[] {
  const out: ZaloMessage[] = [];
  if (reply.imageUrl)
    out.push({
      attachment: { type: 'template', payload: { template_type: 'media', elements: [{ media_type: 'image', url: reply.imageUrl }] } },
    });

  // A quiz poll carries its options as buttons too; with no buttons, number the options.
  const choices: Button[] =
    reply.buttons && reply.buttons.length > 0
      ? reply.buttons
      : (reply.poll?.options.map((o, i) => ({ label: o, action: `${i + 1}` })) ?? []);
  const body = [reply.title?.trim(), reply.poll && !reply.text.includes(reply.poll.question) ? reply.poll.question : undefined, plainText(reply.text).trim()]
    .filter((s): s is string => !!s)
    .join('\n\n');
  const tailParts: string[] = [];
  if (choices.length > 0) tailParts.push(numberedChoices(choices, reply.lang ?? 'vi'));
  if (reply.links?.length) tailParts.push(reply.links.map((l) => `${l.label} ${l.url}`).join('\n'));
  const tail = tailParts.join('\n\n');

  const chunks = body ? splitText(body, ZALO_MAX_TEXT) : [];
  if (tail) {
    const last = chunks[chunks.length - 1];
    if (last !== undefined && last.length + 2 + tail.length <= ZALO_MAX_TEXT) chunks[chunks.length - 1] = `${last}\n\n${tail}`;
    else chunks.push(...splitText(tail, ZALO_MAX_TEXT));
  }

  const buttons: ZaloButton[] = [];
  if (opts.buttons !== false) {
    const all = reply.buttons ?? [];
    for (const i of buttonedChoices(all.length)) {
      const b = all[i]!;
      buttons.push({ title: title(b.label), type: 'oa.query.hide', payload: `${ACTION_PREFIX}${b.action}` });
    }
    for (const l of reply.links ?? []) {
      if (buttons.length >= ZALO_MAX_BUTTONS) break;
      buttons.push({ title: title(l.label), type: 'oa.open.url', payload: { url: l.url } });
    }
  }

  chunks.forEach((text, i) => {
    const isLast = i === chunks.length - 1;
    out.push(isLast && buttons.length > 0 ? { text, attachment: { type: 'template', payload: { buttons } } } : { text });
  });
  return out;
}

/** The same message without its buttons (for when Zalo refuses button templates). */
export function withoutButtons(message: ZaloMessage): ZaloMessage | null {
  if (!message.attachment?.payload.buttons) return message;
  return message.text ? { text: message.text } : null;
}
