/** Reply -> Zalo messages: length limit, numbered choices, buttons, links, images. */
import { describe, expect, it } from 'vitest';
import { actionFromText, renderReply, withoutButtons, ZALO_MAX_TEXT } from '../../src/channels/zalo/render.js';
import type { Button } from '../../src/channels/channel.js';

const buttons = (n: number): Button[] => Array.from({ length: n }, (_, i) => ({ label: `Lựa chọn ${i + 1}`, action: `qa:id-${i + 1}` }));

describe('renderReply', () => {
  it('keeps a short text as one message, title first', () => {
    expect(renderReply({ title: 'Tiêu đề', text: 'Nội dung' })).toEqual([{ text: 'Tiêu đề\n\nNội dung' }]);
  });

  it('splits text over 2,000 characters at paragraph boundaries', () => {
    const p1 = 'Một '.repeat(300).trim(); // 1199 chars
    const p2 = 'Hai '.repeat(300).trim();
    const p3 = 'Ba '.repeat(200).trim();
    const msgs = renderReply({ text: [p1, p2, p3].join('\n\n') });
    expect(msgs.map((m) => m.text)).toEqual([p1, `${p2}\n\n${p3}`]);
    for (const m of renderReply({ text: 'chữ '.repeat(3000) })) expect(m.text!.length).toBeLessThanOrEqual(ZALO_MAX_TEXT);
  });

  it('numbers every choice in the text and attaches at most 5 oa.query.hide buttons', () => {
    const [msg] = renderReply({ text: 'Chọn chủ đề:', buttons: buttons(7) });
    expect(msg!.text).toBe(
      ['Chọn chủ đề:', '', ...buttons(7).map((b, i) => `${i + 1}. ${b.label}`), 'Gõ một số từ 1 đến 7 để chọn.'].join('\n'),
    );
    const bs = msg!.attachment!.payload.buttons!;
    expect(bs).toHaveLength(5);
    expect(bs[0]).toEqual({ title: 'Lựa chọn 1', type: 'oa.query.hide', payload: '#loa:qa:id-1' });
  });

  it('gives a long menu buttons for its first three choices and its last two (the way on or out)', () => {
    // The report offer: topics, "Khác", "Tôi muốn hỏi", "Huỷ": the last two were only reachable
    // by typing 16 or 17.
    const offer: Button[] = [...buttons(15), { label: 'Tôi muốn hỏi', action: 'bc:q' }, { label: 'Huỷ', action: 'bc:x' }];
    const [msg] = renderReply({ text: 'Tin này nói về vấn đề gì?', buttons: offer });
    expect(msg!.attachment!.payload.buttons!.map((b) => b.title)).toEqual(['Lựa chọn 1', 'Lựa chọn 2', 'Lựa chọn 3', 'Tôi muốn hỏi', 'Huỷ']);
    expect(msg!.text).toContain('16. Tôi muốn hỏi\n17. Huỷ\nGõ một số từ 1 đến 17 để chọn.');
    expect(msg!.text).toContain('4. Lựa chọn 4\n');
    // Five or fewer: every choice, in order.
    expect(renderReply({ text: 'Chọn', buttons: buttons(5) })[0]!.attachment!.payload.buttons!.map((b) => b.payload)).toEqual(buttons(5).map((b) => `#loa:${b.action}`));
  });

  it('puts the choices on the last chunk of a long reply', () => {
    const msgs = renderReply({ text: `${'a '.repeat(990)}\n\n${'b '.repeat(500)}`, buttons: buttons(3) });
    expect(msgs).toHaveLength(2);
    expect(msgs[0]!.attachment).toBeUndefined();
    expect(msgs[1]!.text).toMatch(/3\. Lựa chọn 3\nGõ 1, 2 hoặc 3 để chọn\.$/);
    expect(msgs[1]!.attachment!.payload.buttons).toHaveLength(3);
  });

  it('renders links as oa.open.url buttons and in the text; an image as a media template first', () => {
    const msgs = renderReply({ text: 'Tin mới', imageUrl: 'https://example.gov.vn/a.jpg', links: [{ label: 'Đọc', url: 'https://example.gov.vn/a' }] });
    expect(msgs).toEqual([
      { attachment: { type: 'template', payload: { template_type: 'media', elements: [{ media_type: 'image', url: 'https://example.gov.vn/a.jpg' }] } } },
      {
        text: 'Tin mới\n\nĐọc https://example.gov.vn/a',
        attachment: { type: 'template', payload: { buttons: [{ title: 'Đọc', type: 'oa.open.url', payload: { url: 'https://example.gov.vn/a' } }] } },
      },
    ]);
  });

  it('renders a quiz poll from its buttons, as numbered text', () => {
    const [msg] = renderReply({
      text: 'Câu 1: Hiến pháp hiện hành ban hành năm nào?',
      poll: { ref: 'q1', question: 'Câu 1: Hiến pháp hiện hành ban hành năm nào?', options: ['1992', '2013'], correctOptionId: 1 },
      buttons: [
        { label: '1992', action: 'quiz:a:0' },
        { label: '2013', action: 'quiz:a:1' },
      ],
    });
    expect(msg!.text).toBe('Câu 1: Hiến pháp hiện hành ban hành năm nào?\n\n1. 1992\n2. 2013\nGõ 1 hoặc 2 để chọn.');
    expect(msg!.attachment!.payload.buttons!.map((b) => b.payload)).toEqual(['#loa:quiz:a:0', '#loa:quiz:a:1']);
  });

  it('drops Markdown bold markers from content text', () => {
    expect(renderReply({ text: 'Trong thời hạn **60 ngày** kể từ __ngày sinh__; 2 * 3 ** 2' })[0]!.text).toBe(
      'Trong thời hạn 60 ngày kể từ ngày sinh; 2 * 3 ** 2',
    );
  });

  it('can leave the buttons out (after Zalo refused them)', () => {
    const [msg] = renderReply({ text: 'Chọn', buttons: buttons(2) }, { buttons: false });
    expect(msg!.attachment).toBeUndefined();
    expect(withoutButtons({ text: 'x', attachment: { type: 'template', payload: { buttons: [] } } })).toEqual({ text: 'x' });
  });

  it('reads a button tap back as an action, and nothing else', () => {
    expect(actionFromText('#loa:topic:ho-tich')).toBe('topic:ho-tich');
    expect(actionFromText(' #loa:menu ')).toBe('menu');
    expect(actionFromText('#loa:có dấu')).toBeNull();
    expect(actionFromText('loa:menu')).toBeNull();
    expect(actionFromText('2')).toBeNull();
  });
});
