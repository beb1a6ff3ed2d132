/**
 * HTML escaping, for the pages we build by hand (admin fragments, the web chat page, the Zalo
 * connection page) and for Telegram's HTML parse mode.
 *
 * One function serves both because Telegram's HTML is a subset of HTML: it requires `&`, `<`
 * and `>` as entities, knows `&quot;` (needed inside `href="…"`), and accepts no other named
 * entity (`&#39;` would be read, `&apos;` would not). So `'` is left as it is: every attribute
 * we write is double-quoted. (Telegram counts its 4096-character limit on the text after it
 * parsed the entities, in code points: src/message-split.ts, not on this escaped form.)
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Escapes `&`, `<`, `>` and `"` so `s` shows as typed in HTML text and in double-quoted
 * attributes (never put it in a single-quoted or unquoted attribute).
 *
 * @example `<p title="${escapeHtml(name)}">${escapeHtml(text)}</p>`
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ENTITIES[c]!);
}
