/** The Zalo Bot renderer numbers choices in the reply's language (the channel has no buttons). */
import { describe, expect, it } from 'vitest';
import { renderReply } from '../../src/channels/zalo-bot/render.js';

describe('zalo-bot numbered choices', () => {
  const buttons = [
    { label: 'Hộ tịch', action: 'topic:ho-tich' },
    { label: 'Bảo hiểm y tế', action: 'topic:bao-hiem-y-te' },
  ];
  it('are worded in Vietnamese by default', () => {
    const [call] = renderReply('u1', { text: 'Chọn chủ đề:', buttons });
    expect(String((call!.payload as { text?: string }).text)).toMatch(/1\. Hộ tịch\n2\. Bảo hiểm y tế\nGõ 1 hoặc 2 để chọn\./);
  });
  it('are worded in English for an English reply', () => {
    const [call] = renderReply('u1', { text: 'Choose a topic:', buttons, lang: 'en' });
    const text = String((call!.payload as { text?: string }).text);
    expect(text).toMatch(/1\. Hộ tịch\n2\. Bảo hiểm y tế\n/);
    expect(text).not.toMatch(/Gõ|để chọn/);
    expect(text).toMatch(/Type 1 or 2/);
  });
});
