/**
 * Measuring and splitting a message's text the way Telegram counts it, in one place shared by
 * the Telegram renderer (channels/telegram/render.ts, which sends the chunks) and the campaign
 * content checks (campaigns/content.ts, which tell staff how many messages a campaign takes):
 * the figure staff see is the number of `sendMessage` calls made, not an estimate of it.
 *
 * Telegram's limit (1–4096 for a text, 0–1024 for a caption) applies to the text *after entity
 * parsing*, counted in Unicode code points: TDLib, which the Bot API server runs on, checks
 * `utf8_length(text) > message_text_length_max` on the parsed text (td/telegram/MessageContent.cpp).
 * So the `<b></b>` around a title and the `&amp;` of an escaped `&` cost nothing, and an emoji
 * (two UTF-16 code units, `'😀'.length === 2`) costs one. A Vietnamese letter in NFC is one code
 * point, which is why campaign text is normalised to NFC before it is counted.
 *
 * Neutral (no channel code), so the core may import it.
 */

/**
 * Unicode code points in `s`: what Telegram counts against its limits.
 *
 * @example codePoints('Bà con 😀') // 8 ('Bà con 😀'.length is 9)
 */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A low surrogate after a high one is the second half of one code point.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) continue;
    }
    n++;
  }
  return n;
}

/** The UTF-16 offset just after the first `count` code points of `s` (its length if shorter). */
function offsetAfter(s: string, count: number): number {
  let i = 0;
  for (let k = 0; k < count && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff ? 2 : 1;
  }
  return i;
}

/**
 * Splits text into chunks of at most `max` code points (the first at most `firstMax`, leaving
 * room for a heading sent with it), preferring paragraph breaks, then line breaks, then
 * sentence ends, then spaces, as the shared `splitText` (messages.ts) does for the other
 * channels; a cut never falls inside a code point (an emoji is never halved). Chunks are
 * trimmed, as Telegram trims a message.
 *
 * @example splitCodePoints('a\n\nb', 3) // ['a', 'b']
 */
export function splitCodePoints(text: string, max: number, firstMax: number = max): string[] {
  const out: string[] = [];
  let rest = text.trim();
  for (;;) {
    const budget = Math.max(1, out.length === 0 ? firstMax : max);
    if (codePoints(rest) <= budget) break;
    const window = rest.slice(0, offsetAfter(rest, budget + 1));
    let cut = -1;
    for (const sep of ['\n\n', '\n', '. ', ' ']) {
      const at = window.lastIndexOf(sep);
      if (at > 0 && codePoints(window.slice(0, at)) > budget * 0.3) {
        cut = at + (sep === '. ' ? 1 : 0);
        break;
      }
    }
    if (cut <= 0) cut = offsetAfter(rest, budget);
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) out.push(rest);
  return out.length > 0 ? out : [''];
}
