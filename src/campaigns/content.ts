/**
 * Campaign content: the message as staff write it, validated against each chosen channel's
 * limits *before* approval (an approver must see what will actually go out), and a plain-text
 * preview of how each channel renders it. Messages to staff are Vietnamese.
 *
 * Every campaign message ends with a line telling the reader how to stop ({@link optOutLine}),
 * in the words the channel takes: it is part of what the preview shows, what the limits count
 * and what the outbox sends, so staff approve the message exactly as subscribers read it.
 */
import { z } from 'zod';
import type { Reply } from '../messages.js';
import type { CampaignChannel } from '../db/campaigns.js';
import { escapeHtml } from '../text/html.js';
import { codePoints, splitCodePoints } from '../message-split.js';
import { fold } from '../text/vietnamese.js';

/**
 * What each campaign channel allows and how it shows a message (PLATFORMS.md, docs/zalo-bot.md):
 * the limits a campaign must fit, and the few rendering facts the preview and the call count
 * read, so nothing below switches on a channel's name.
 */
export interface ChannelRules {
  label: string;
  /** Longest text of one message. */
  maxText: number;
  /** Longest caption of a photo sent with its text in one call; absent: the image goes alone. */
  maxCaption?: number;
  maxLinks: number;
  maxLinkLabel: number;
  /**
   * Links are buttons that may not show (Zalo OA v3, disputed), so the channel also writes them
   * out under the text (zalo/render.ts).
   */
  linksMayDegrade: boolean;
  /** How the title is shown: bold (Telegram HTML) or as a plain first line; a blank line follows. */
  title: 'bold' | 'plain';
  /** Links as buttons (`[ label ↗ ]`); false: written out as lines only. */
  linkButtons: boolean;
  /** Between a written-out link's label and its URL, as the channel's renderer writes it. */
  linkSeparator: string;
  /**
   * The last line of every campaign message: how to stop receiving them, in words this channel
   * accepts (conversation/subscription.ts). Telegram shows `/huy` as a command to tap; on Zalo
   * a word is easier to type than a slash, and "HUY" needs no Vietnamese keyboard.
   */
  optOut: string;
  /**
   * The platform counts its limits in Unicode code points of the text as shown (Telegram: after
   * entity parsing, so the title's bold tags and escaped `" & < >` cost nothing, an emoji costs
   * one; ../message-split.ts), and the channel splits long text the same way: the counts and the
   * number of messages below are then exactly what telegram/render.ts sends. Absent: the text's
   * UTF-16 length, as the channel's renderer counts it.
   */
  codePoints?: boolean;
}

/** The platform limits a campaign message must fit (PLATFORMS.md). */
export const CHANNEL_RULES: Record<CampaignChannel, ChannelRules> = {
  // Telegram: text 1–4096; a photo caption 0–1024; inline URL buttons.
  telegram: { label: 'Telegram', maxText: 4096, maxCaption: 1024, maxLinks: 10, maxLinkLabel: 64, linksMayDegrade: false, title: 'bold', linkButtons: true, linkSeparator: ': ', optOut: 'Gõ /huy để thôi nhận tin.', codePoints: true },
  // Zalo OA /cs: text ≤ 2000, at most 5 buttons; whether buttons still render on v3 is disputed,
  // so links are also written out; the title is a plain first line (no bold).
  zalo: { label: 'Zalo', maxText: 2000, maxLinks: 5, maxLinkLabel: 100, linksMayDegrade: true, title: 'plain', linkButtons: true, linkSeparator: ' ', optOut: 'Nhắn HUY để thôi nhận tin.' },
  // Zalo Bot platform: plain text ≤ 2000, no buttons (links are written out), sendPhoto's caption ≤ 2000.
  'zalo-bot': { label: 'Zalo Bot', maxText: 2000, maxCaption: 2000, maxLinks: 5, maxLinkLabel: 100, linksMayDegrade: false, title: 'plain', linkButtons: false, linkSeparator: ': ', optOut: 'Nhắn HUY để thôi nhận tin.' },
};

const httpUrl = z
  .string()
  .trim()
  .refine((u) => {
    try {
      const p = new URL(u);
      return p.protocol === 'https:' || p.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'phải là địa chỉ http(s) đầy đủ, ví dụ https://example.gov.vn/trang');

/** Campaign content as entered (CLI flags, admin form). */
export const campaignContentSchema = z.object({
  title: z
    .string()
    .trim()
    .max(200, 'tiêu đề dài quá 200 ký tự')
    .transform((s) => s.normalize('NFC'))
    .optional(),
  text: z
    .string()
    .trim()
    .min(1, 'nội dung tin không được để trống')
    .transform((s) => s.normalize('NFC')),
  imageUrl: httpUrl.optional(),
  links: z
    .array(z.object({ label: z.string().trim().min(1, 'nhãn nút không được để trống').transform((s) => s.normalize('NFC')), url: httpUrl }))
    .default([]),
});
export type CampaignContent = z.infer<typeof campaignContentSchema>;

/** One problem found; errors block submission and approval, warnings are shown. */
export interface ContentIssue {
  channel?: CampaignChannel;
  severity: 'error' | 'warning';
  message: string;
}

/** The line a campaign message on this channel ends with (see {@link ChannelRules.optOut}). */
export function optOutLine(ch: CampaignChannel): string {
  return CHANNEL_RULES[ch].optOut;
}

/** A sentence of the staff's own telling how to stop (folded): "gõ /huy", "nhắn HUY", "… để thôi nhận tin". */
const OWN_OPT_OUT = /(?:go|nhan|soan|gui)\s+\/?(?:huy|stop)\b|thoi nhan tin|ngung nhan tin|huy dang ky nhan tin/;

/** The text a channel sends: the staff's text, a blank line, then how to stop. */
function textWithOptOut(text: string, ch: CampaignChannel): string {
  return `${text}\n\n${optOutLine(ch)}`;
}

/** Characters of `s` as channel `ch` counts them. */
function measure(s: string, ch: CampaignChannel): number {
  return CHANNEL_RULES[ch].codePoints ? codePoints(s) : s.length;
}

/**
 * Characters of the message as the channel shows and counts it (title, its blank line, the text
 * and the opt-out line), the figure checked against the channel's limits.
 */
function shownLength(c: { title?: string | null; text: string }, ch: CampaignChannel): number {
  return (c.title ? measure(c.title, ch) + 2 : 0) + measure(textWithOptOut(c.text, ch), ch);
}

/** Whether the channel writes links out as text lines under the message (Zalo OA, the Zalo Bot platform). */
function writesLinksOut(ch: CampaignChannel): boolean {
  const r = CHANNEL_RULES[ch];
  return !r.linkButtons || r.linksMayDegrade;
}

/**
 * Characters the written-out links add below the text ("\n\n" then one "label URL" line each,
 * as zalo/render.ts and zalo-bot/render.ts write them); 0 where links are buttons only.
 */
function writtenLinksLength(c: { links?: { label: string; url: string }[] | null }, ch: CampaignChannel): number {
  if (!writesLinksOut(ch) || !c.links?.length) return 0;
  const sep = CHANNEL_RULES[ch].linkSeparator.length;
  return 2 + c.links.reduce((n, l) => n + l.label.length + sep + l.url.length, 0) + (c.links.length - 1);
}

/**
 * Whether the written-out links no longer fit in the text's message and go in a message of
 * their own after it (the text itself fits): subscribers then get two messages, the opt-out
 * line no longer last. Staff were told nothing of it (trial: 1,960 characters and one link on
 * Zalo were approved as one message and went as two).
 */
function linksGoSeparately(c: { title?: string | null; text: string; links?: { label: string; url: string }[] | null }, ch: CampaignChannel): boolean {
  const length = shownLength(c, ch);
  return length <= CHANNEL_RULES[ch].maxText && length + writtenLinksLength(c, ch) > CHANNEL_RULES[ch].maxText;
}

/** The reply a campaign sends on one channel (the channel renders it), ending with how to stop. */
export function campaignReply(c: { title?: string | null; text: string; imageUrl?: string | null; links?: { label: string; url: string }[] }, ch: CampaignChannel): Reply {
  const reply: Reply = { text: textWithOptOut(c.text, ch) };
  if (c.title) reply.title = c.title;
  if (c.imageUrl) reply.imageUrl = c.imageUrl;
  if (c.links?.length) reply.links = c.links;
  return reply;
}

/**
 * The campaign message on one channel as the parts it is sent in, each a reply the channel sends
 * by itself: the whole message, or, where the photo cannot carry the text as its caption (Zalo
 * OA always; Telegram and the Zalo Bot platform over their caption limit), the photo alone and
 * then the text. The outbox records each part sent (db/campaigns.ts recordPartsDone), so a retry
 * after the photo went (a 429 on the text, Zalo's quota running out between the two) sends the
 * text only: before, the person got the photo twice.
 */
export function campaignParts(c: { title?: string | null; text: string; imageUrl?: string | null; links?: { label: string; url: string }[] }, ch: CampaignChannel): Reply[] {
  const whole = campaignReply(c, ch);
  const r = CHANNEL_RULES[ch];
  if (!c.imageUrl || (r.maxCaption && shownLength(c, ch) + writtenLinksLength(c, ch) <= r.maxCaption)) return [whole];
  const { imageUrl, ...text } = whole;
  return [{ text: '', imageUrl }, text];
}

/** Checks content against each channel's limits. */
export function validateContent(c: CampaignContent, channels: CampaignChannel[]): ContentIssue[] {
  const issues: ContentIssue[] = [];
  if (channels.length === 0) issues.push({ severity: 'error', message: 'chọn ít nhất một kênh (telegram, zalo, zalo-bot)' });
  // Staff wrote their own "gõ HUY…" line before Loa added one (a broadcaster trial did): the
  // message would say it twice.
  if (OWN_OPT_OUT.test(fold(c.text.toLowerCase())))
    issues.push({
      severity: 'warning',
      message: `nội dung đã có câu hướng dẫn thôi nhận tin; Loa tự thêm dòng “${channels.length ? optOutLine(channels[0]!) : CHANNEL_RULES.telegram.optOut}” vào cuối mỗi tin (xem bản xem trước), hãy bỏ câu của bạn để tin không nhắc hai lần`,
    });
  for (const ch of channels) {
    const r = CHANNEL_RULES[ch];
    const length = shownLength(c, ch);
    if (length > r.maxText)
      issues.push({
        channel: ch,
        severity: 'error',
        message: `${r.label}: tin dài ${length} ký tự (kể cả dòng “${r.optOut}”), quá giới hạn ${r.maxText}; hãy rút gọn ít nhất ${length - r.maxText} ký tự`,
      });
    else if (c.imageUrl && r.maxCaption && length > r.maxCaption)
      issues.push({
        channel: ch,
        severity: 'warning',
        message: `${r.label}: tin dài ${length} ký tự, chú thích ảnh tối đa ${r.maxCaption}: ảnh đi trước, chữ đi thành tin thứ hai; rút gọn ${length - r.maxCaption} ký tự để ảnh và chữ đi chung một tin`,
      });
    if (linksGoSeparately(c, ch))
      issues.push({
        channel: ch,
        severity: 'warning',
        message: `${r.label}: tin dài ${length} ký tự, cộng các liên kết viết ra dưới tin là ${length + writtenLinksLength(c, ch)}, quá giới hạn ${r.maxText}: liên kết sẽ đi thành tin thứ hai, sau dòng “${r.optOut}”; rút gọn ${length + writtenLinksLength(c, ch) - r.maxText} ký tự để gửi một tin`,
      });
    if (c.links.length > r.maxLinks)
      issues.push({ channel: ch, severity: 'error', message: `${r.label}: tối đa ${r.maxLinks} nút liên kết, tin có ${c.links.length}` });
    for (const l of c.links)
      if (l.label.length > r.maxLinkLabel)
        issues.push({ channel: ch, severity: 'error', message: `${r.label}: nhãn nút “${l.label}” dài quá ${r.maxLinkLabel} ký tự` });
    if (r.linksMayDegrade && c.links.length)
      issues.push({ channel: ch, severity: 'warning', message: `${r.label}: nút liên kết có thể hiện thành dòng chữ kèm địa chỉ` });
  }
  return issues;
}

/** Options of {@link previewFor}. */
export interface PreviewOptions {
  /**
   * An HTML fragment (escaped, for the admin pages) instead of plain text: Telegram's bold
   * title is then shown bold (`<strong>`), as the person will see it, rather than in markup.
   */
  html?: boolean;
}

/**
 * A preview of how one channel shows the message: plain text for the terminal, or an escaped
 * HTML fragment with `{ html: true }`. Telegram shows the title bold above a blank line (the
 * channel's HTML parse mode, telegram/render.ts); Zalo OA and the Zalo Bot platform have no bold
 * and show it as a plain first line; they write links out under the text (Zalo OA also as
 * buttons, which may not show). The channel's opt-out line closes the text, as it will be sent.
 * Each line is the channel's own rendering, so the approver reads what subscribers will.
 *
 * @example previewFor(content, 'telegram', { html: true }) // "┌─ Telegram ─…\n│ <strong>Tiêu đề</strong>\n│ \n│ Nội dung…"
 */
export function previewFor(c: CampaignContent, ch: CampaignChannel, opts: PreviewOptions = {}): string {
  const esc = (s: string): string => (opts.html ? escapeHtml(s) : s);
  const out: string[] = [];
  const r = CHANNEL_RULES[ch];
  const length = shownLength(c, ch);
  if (c.imageUrl) out.push(esc(`[ảnh: ${c.imageUrl}]`));
  if (c.imageUrl && r.maxCaption && length > r.maxCaption) out.push('— (tin thứ hai) —');
  if (c.title && r.title === 'bold') out.push(opts.html ? `<strong>${escapeHtml(c.title)}</strong>` : c.title, '');
  else if (c.title) out.push(esc(c.title), '');
  // Over the limit (refused before approval; possible for a campaign approved before the opt-out
  // line existed): the channel splits the text, it does not cut it.
  if (length > r.maxText) out.push(`— (dài ${length} ký tự, quá giới hạn ${r.maxText}: sẽ đi thành ${apiCallsPerMessage({ ...c, imageUrl: null }, ch)} tin) —`);
  out.push(esc(c.text), '', esc(r.optOut));
  if (c.links.length) {
    if (linksGoSeparately(c, ch)) out.push('— (tin thứ hai: liên kết không còn chỗ trong tin trên) —');
    else if (writesLinksOut(ch)) out.push('');
    if (writesLinksOut(ch)) out.push(...c.links.map((l) => esc(`${l.label}${r.linkSeparator}${l.url}`)));
    if (r.linkButtons && r.linksMayDegrade) out.push(...c.links.map((l) => esc(`[ ${l.label} ↗ ] (nút; có thể không hiện trên Zalo)`)));
    else if (r.linkButtons) out.push(...c.links.map((l) => esc(`[ ${l.label} ↗ ]`)));
  }
  const body = out.join('\n');
  const width = 60;
  const line = `┌─ ${r.label} ${'─'.repeat(Math.max(0, width - r.label.length - 4))}`;
  return [line, ...body.split('\n').map((l) => `│ ${l}`), `└${'─'.repeat(width)}`].join('\n');
}

/** Previews for every chosen channel, one after another. */
export function previewAll(c: CampaignContent, channels: CampaignChannel[]): string {
  return channels.map((ch) => previewFor(c, ch)).join('\n');
}

/**
 * How many API calls one campaign message takes on a channel, so the throttle counts calls,
 * not messages, and staff are told how many messages a long text becomes: where a photo takes a
 * caption (Telegram, the Zalo Bot platform) a photo and a short text are one call but a long text
 * needs more; Zalo OA sends the image as its own message. On Telegram it is the number of calls
 * telegram/render.ts makes, split by the same function (../message-split.ts).
 */
export function apiCallsPerMessage(
  c: { title?: string | null; text: string; imageUrl?: string | null; links?: { label: string; url: string }[] | null },
  ch: CampaignChannel,
): number {
  const r = CHANNEL_RULES[ch];
  if (r.codePoints) {
    const length = shownLength(c, ch);
    if (c.imageUrl && r.maxCaption && length <= r.maxCaption) return 1;
    const title = c.title?.trim() ? codePoints(c.title.trim()) + 2 : 0;
    const chunks = splitCodePoints(textWithOptOut(c.text, ch), r.maxText, r.maxText - title).length;
    return (c.imageUrl ? 1 : 0) + chunks;
  }
  // Links written out as "label URL" lines are text too.
  const length = shownLength(c, ch) + writtenLinksLength(c, ch);
  const chunks = Math.max(1, Math.ceil(length / r.maxText));
  if (!c.imageUrl) return chunks;
  if (r.maxCaption) return length <= r.maxCaption ? 1 : 1 + chunks;
  return 1 + chunks;
}
