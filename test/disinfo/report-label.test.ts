/** The report menu entry typed as text (conversation/disinfo.ts isReportLabel). */
import { describe, expect, it } from 'vitest';
import { REPORT_MENU_LABEL, isReportLabel } from '../../src/conversation/disinfo.js';

describe('isReportLabel', () => {
  it.each([
    [REPORT_MENU_LABEL, true],
    ['  báo TIN giả / xấu   độc!', true],
    ['bao tin gia xau doc', true],
    ['Báo tin giả/xấu độc'.normalize('NFD'), true],
    [`!!! ${REPORT_MENU_LABEL} ??? ${'…'.repeat(300)} 📢`, true], // punctuation and emoji are not words
    [`${REPORT_MENU_LABEL} ạ`, false],
    ['Báo tin giả', false],
    [`Cho tôi hỏi cách ${REPORT_MENU_LABEL} trên Zalo như thế nào ạ, tôi thấy nhiều tin lắm`, false],
  ])('%j: %s', (text, want) => {
    expect(isReportLabel(text)).toBe(want);
  });
});
