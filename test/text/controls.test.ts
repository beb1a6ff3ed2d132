/** Bidi overrides and control characters in citizens' text (issue 15, item 7). */
import { describe, expect, it } from 'vitest';
import { stripControls, visibleControls } from '../../src/text/controls.js';

describe('visibleControls / stripControls', () => {
  const cases: { label: string; text: string; visible: string; stripped: string }[] = [
    { label: 'plain Vietnamese is unchanged', text: 'Thủ tục khai sinh cho con?', visible: 'Thủ tục khai sinh cho con?', stripped: 'Thủ tục khai sinh cho con?' },
    { label: 'tab and newline stay', text: 'a\tb\nc', visible: 'a\tb\nc', stripped: 'a\tb\nc' },
    { label: 'CR LF and lone CR become newlines', text: 'a\r\nb\rc', visible: 'a\nb\nc', stripped: 'a\nb\nc' },
    { label: 'right-to-left override', text: 'hồ sơ \u202Efdp.exe', visible: 'hồ sơ [U+202E]fdp.exe', stripped: 'hồ sơ fdp.exe' },
    { label: 'every embedding and override', text: '\u202A\u202B\u202C\u202D\u202E', visible: '[U+202A][U+202B][U+202C][U+202D][U+202E]', stripped: '' },
    { label: 'isolates', text: '\u2066x\u2067y\u2068z\u2069', visible: '[U+2066]x[U+2067]y[U+2068]z[U+2069]', stripped: 'xyz' },
    { label: 'marks', text: 'a\u200Eb\u200Fc\u061Cd', visible: 'a[U+200E]b[U+200F]c[U+061C]d', stripped: 'abcd' },
    { label: 'C0 controls', text: 'a\u0000b\u0007c\u001Bd\u000Be\u000Cf', visible: 'abcdef', stripped: 'abcdef' },
    { label: 'DEL and C1 controls', text: 'a\u007Fb\u0085c\u009Bd', visible: 'abcd', stripped: 'abcd' },
    { label: 'Vietnamese letters in the Latin-1 range stay', text: 'Ðà Nẵng ÂÊÔ', visible: 'Ðà Nẵng ÂÊÔ', stripped: 'Ðà Nẵng ÂÊÔ' },
  ];
  for (const c of cases)
    it(c.label, () => {
      expect(visibleControls(c.text)).toBe(c.visible);
      expect(stripControls(c.text)).toBe(c.stripped);
    });
});
