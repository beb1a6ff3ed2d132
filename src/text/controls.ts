/**
 * Invisible characters in citizens' text, for the staff pages.
 *
 * A citizen (or someone pretending to be one) can put bidirectional controls in a question: a
 * right-to-left override (U+202E) makes "…gnp.exe" read as "…exe.png", and reorders the words
 * around it, so staff would read something other than what was sent. C0 and C1 control
 * characters show as nothing or as garbage. Escaping HTML (`text/html.ts`) leaves all of these
 * in place, since they are not markup. So:
 * - {@link visibleControls}, for text shown to staff: each bidi control becomes a visible
 *   marker such as `[U+202E]` (staff can see that something was hidden there), and other
 *   control characters are dropped, except tab and newline (a CR LF becomes a newline);
 * - {@link stripControls}, for text copied into content (a Q&A draft made from questions):
 *   every one of them is removed.
 */

/**
 * Bidirectional formatting characters: LRE, RLE, PDF, LRO, RLO (U+202A–U+202E), LRI, RLI,
 * FSI, PDI (U+2066–U+2069), LRM, RLM (U+200E, U+200F) and the Arabic letter mark (U+061C).
 */
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
/** C0 controls except tab (U+0009) and newline (U+000A), DEL, and C1 controls. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * `text` with every bidi control made visible as `[U+XXXX]` and every other control character
 * (but tab and newline) removed; a CR LF or a lone CR becomes a newline.
 *
 * @example visibleControls('abc\u202Efdp.exe') // 'abc[U+202E]fdp.exe'
 */
export function visibleControls(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(BIDI, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

/**
 * `text` without bidi controls and without control characters other than tab and newline (a
 * CR LF or a lone CR becomes a newline).
 *
 * @example stripControls('abc\u202Efdp.exe') // 'abcfdp.exe'
 */
export function stripControls(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(BIDI, '');
}
