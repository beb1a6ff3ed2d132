/**
 * Reply -> Zalo Bot API calls. The platform has plain text only (no markup, no buttons, no
 * polls) and at most 2,000 characters a message, so:
 * - a long reply becomes several `sendMessage` calls, split at paragraph boundaries;
 * - choices become a numbered block ("1. …\nGõ 1 hoặc 2 để chọn."), answered by typing the
 *   number (the core maps a bare number to the choices shown last), as on Zalo OA;
 * - links are written out as "label: URL";
 * - an image goes as `sendPhoto`, with the text as its caption when it all fits in one.
 */
import { splitText, type Button, type Reply } from '../channel.js';
import { numberedChoices, plainText } from '../zalo/render.js';

/** Longest text of one message (and of a photo caption). */
export const ZALO_BOT_MAX_TEXT = 2000;

/** One API call of a rendered reply. */
export type ZaloBotCall =
  | { method: 'sendMessage'; payload: { chat_id: string; text: string } }
  | { method: 'sendPhoto'; payload: { chat_id: string; photo: string; caption?: string } };

/** True when `text` already lists the choices as "1. label" lines (a quiz question does). */
function listsChoices(text: string, choices: Button[]): boolean {
  const lines = new Set(text.split('\n').map((l) => l.trim()));
  return choices.every((b, i) => lines.has(`${i + 1}. ${b.label}`));
}

/**
 * Renders one reply as the calls to make, in order.
 *
 * @example renderReply('e4ea2cd5', { text: 'Chọn:', buttons: [{ label: 'Hộ tịch', action: 'topic:ho-tich' }] })
 * // [{ method: 'sendMessage', payload: { chat_id: 'e4ea2cd5', text: 'Chọn:\n\n1. Hộ tịch\nGõ 1 để chọn.' } }]
 */
export function renderReply(chatId: string, reply: Reply): ZaloBotCall[] {
  // A quiz poll carries its options as buttons too; with no buttons, number the options.
  const choices: Button[] =
    reply.buttons && reply.buttons.length > 0 ? reply.buttons : (reply.poll?.options.map((o, i) => ({ label: o, action: `${i + 1}` })) ?? []);
  const text = plainText(reply.text).trim();
  const body = [reply.title?.trim(), reply.poll && !reply.text.includes(reply.poll.question) ? reply.poll.question : undefined, text]
    .filter((s): s is string => !!s)
    .join('\n\n');
  const tailParts: string[] = [];
  // The quiz writes its options into the text already (no buttons here), with its own hint.
  if (choices.length > 0 && !listsChoices(body, choices)) tailParts.push(numberedChoices(choices, reply.lang ?? 'vi'));
  if (reply.links?.length) tailParts.push(reply.links.map((l) => `${l.label}: ${l.url}`).join('\n'));
  const tail = tailParts.join('\n\n');
  const whole = [body, tail].filter(Boolean).join('\n\n');

  const calls: ZaloBotCall[] = [];
  if (reply.imageUrl) {
    if (whole.length > 0 && whole.length <= ZALO_BOT_MAX_TEXT) return [{ method: 'sendPhoto', payload: { chat_id: chatId, photo: reply.imageUrl, caption: whole } }];
    calls.push({ method: 'sendPhoto', payload: { chat_id: chatId, photo: reply.imageUrl } });
  }
  const chunks = body ? splitText(body, ZALO_BOT_MAX_TEXT) : [];
  if (tail) {
    const last = chunks[chunks.length - 1];
    if (last !== undefined && last.length + 2 + tail.length <= ZALO_BOT_MAX_TEXT) chunks[chunks.length - 1] = `${last}\n\n${tail}`;
    else chunks.push(...splitText(tail, ZALO_BOT_MAX_TEXT));
  }
  for (const c of chunks) if (c.length > 0) calls.push({ method: 'sendMessage', payload: { chat_id: chatId, text: c } });
  return calls;
}
