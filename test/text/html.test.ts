/** HTML escaping (text/html.ts), shared by the admin pages, the web chat page, Zalo's connection page and Telegram. */
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/text/html.js';
import { parseTelegramHtml } from '../support/fake-telegram.js';

describe('escapeHtml', () => {
  it.each([
    ['<script>alert("x")</script>', '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'],
    ['R&D &amp; co', 'R&amp;D &amp;amp; co'],
    ['Quyền con người', 'Quyền con người'],
    // Telegram knows no `&apos;`; double-quoted attributes need no escaped apostrophe.
    ["Nhà văn hoá 'Ánh Dương'", "Nhà văn hoá 'Ánh Dương'"],
    ['', ''],
  ])('%s', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('keeps a double-quoted attribute closed', () => {
    const title = '" onmouseover="alert(1)';
    expect(`<a title="${escapeHtml(title)}">`).toBe('<a title="&quot; onmouseover=&quot;alert(1)">');
  });

  it('gives Telegram HTML that shows exactly the text typed', () => {
    const text = `1 < 2 && 3 > 2 "trích dẫn" 'nháy đơn' <b>đậm?</b> &lt;`;
    expect(parseTelegramHtml(`<b>${escapeHtml(text)}</b>`)).toEqual({ text });
  });
});
