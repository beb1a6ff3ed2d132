import { describe, expect, it } from 'vitest';
import { callbackData, renderReply, splitForHtml, type TelegramCall } from '../../src/channels/telegram/render.js';
import { escapeHtml } from '../../src/text/html.js';
import { parseTelegramHtml } from '../support/fake-telegram.js';
import type { Reply } from '../../src/channels/channel.js';

const store = (): { remember: (id: string, action: string) => void; map: Map<string, string> } => {
  const map = new Map<string, string>();
  return { map, remember: (id, action) => void map.set(id, action) };
};

const visible = (html: string): string => {
  const parsed = parseTelegramHtml(html);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.text;
};

type MessageCall = Extract<TelegramCall, { method: 'sendMessage' }>;

describe('escapeHtml', () => {
  it.each([
    ['a < b', 'a &lt; b'],
    ['a > b', 'a &gt; b'],
    ['R&D', 'R&amp;D'],
    ['&amp;', '&amp;amp;'],
    ['<b>x</b>', '&lt;b&gt;x&lt;/b&gt;'],
    ['"trích dẫn"', '&quot;trích dẫn&quot;'],
    ['Quyền con người', 'Quyền con người'],
  ])('%s', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
    expect(visible(escapeHtml(input))).toBe(input);
  });
});

describe('callbackData', () => {
  it.each([
    ['a short ASCII action is sent as is', 'qa:bhyt-tre-em', false],
    ['an action over 64 bytes gets a short id', `p:${'dieu-uoc-quoc-te-ve-quyen-dan-su-va-chinh-tri'}#${'phan-2-cac-quyen-co-ban'}`, true],
    ['Vietnamese text gets a short id', 'topic:hộ-tịch', true],
    ['an action that looks like a short id gets one', '~abc', true],
    ['spaces get a short id', 'qa:a b', true],
  ])('%s', (_label, action, short) => {
    const s = store();
    const data = callbackData(action, s.remember);
    expect(Buffer.byteLength(data, 'utf8')).toBeLessThanOrEqual(64);
    expect(/^[\x21-\x7e]+$/.test(data)).toBe(true);
    if (short) {
      expect(data.startsWith('~')).toBe(true);
      expect(s.map.get(data)).toBe(action);
      expect(callbackData(action, s.remember)).toBe(data); // stable
    } else {
      expect(data).toBe(action);
      expect(s.map.size).toBe(0);
    }
  });
});

describe('renderReply', () => {
  const cases: { label: string; reply: Reply; check: (calls: TelegramCall[]) => void }[] = [
    {
      label: 'title in bold, content escaped, link previews off',
      reply: { title: 'Điều 14 <Hiến pháp>', text: 'Quyền & nghĩa vụ > 0' },
      check: (calls) => {
        expect(calls).toEqual([
          {
            method: 'sendMessage',
            payload: { chat_id: 42, text: '<b>Điều 14 &lt;Hiến pháp&gt;</b>\n\nQuyền &amp; nghĩa vụ &gt; 0', parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
          },
        ]);
      },
    },
    {
      label: 'buttons one per row, then links as URL buttons; bad link schemes dropped',
      reply: {
        text: 'Chọn:',
        buttons: [
          { label: 'Hộ tịch', action: 'topic:ho-tich' },
          { label: 'Bảo hiểm y tế', action: 'topic:bao-hiem-y-te' },
        ],
        links: [
          { label: 'Xem thêm', url: 'https://vbpl.vn/1' },
          { label: 'Xấu', url: 'javascript:alert(1)' },
        ],
      },
      check: (calls) => {
        expect((calls[0] as MessageCall).payload.reply_markup).toEqual({
          inline_keyboard: [
            [{ text: 'Hộ tịch', callback_data: 'topic:ho-tich' }],
            [{ text: 'Bảo hiểm y tế', callback_data: 'topic:bao-hiem-y-te' }],
            [{ text: 'Xem thêm', url: 'https://vbpl.vn/1' }],
          ],
        });
      },
    },
    {
      label: 'a long answer is split at paragraphs, every part under 4096, buttons on the last part only',
      reply: {
        title: 'Tiêu đề',
        text: Array.from({ length: 30 }, (_, i) => `Đoạn ${i}: ${'a & b < c. '.repeat(40)}`).join('\n\n'),
        buttons: [{ label: 'Tiếp', action: 'menu' }],
      },
      check: (calls) => {
        expect(calls.length).toBeGreaterThan(3);
        calls.forEach((c, i) => {
          const p = (c as MessageCall).payload;
          // Telegram counts the text after entity parsing, in code points.
          expect([...visible(p.text)].length).toBeLessThanOrEqual(4096);
          const text = visible(p.text);
          expect(i === 0 ? text.replace(/^Tiêu đề\n\n/, '') : text).toMatch(/^Đoạn \d+:/);
          expect(Boolean(p.reply_markup)).toBe(i === calls.length - 1);
        });
        expect(calls.map((c) => visible((c as MessageCall).payload.text)).join('\n\n')).toContain('Đoạn 29:');
      },
    },
    {
      label: 'a quiz poll that fits is sent natively with correct_option_id',
      reply: { text: 'Câu 1/10', poll: { ref: 'q1', question: 'Hiến pháp năm nào?', options: ['2013', '1992'], correctOptionId: 0, openPeriod: 30, explanation: 'Hiến pháp 2013.' }, buttons: [{ label: '2013', action: 'quiz:a:0' }] },
      check: (calls) => {
        expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'sendPoll']);
        expect(calls[1]).toMatchObject({ ref: 'q1', payload: { type: 'quiz', is_anonymous: false, correct_option_id: 0, open_period: 30, options: [{ text: '2013' }, { text: '1992' }] } });
      },
    },
    {
      label: 'a poll over Telegram limits degrades to buttons',
      reply: { text: 'Câu hỏi', poll: { ref: 'q2', question: 'x', options: Array.from({ length: 12 }, (_, i) => `Đáp án ${i}`), correctOptionId: 0 }, buttons: [{ label: 'A', action: 'quiz:a:0' }] },
      check: (calls) => {
        expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
        expect((calls[0] as MessageCall).payload.reply_markup).toBeDefined();
      },
    },
    {
      label: 'an image with a short text becomes a photo with an HTML caption',
      reply: { title: 'Tin <mới>', text: 'Nội dung', imageUrl: 'https://example.gov.vn/a.jpg' },
      check: (calls) => {
        expect(calls).toEqual([{ method: 'sendPhoto', payload: { chat_id: 42, photo: 'https://example.gov.vn/a.jpg', caption: '<b>Tin &lt;mới&gt;</b>\n\nNội dung', parse_mode: 'HTML' } }]);
      },
    },
    {
      label: 'an image with a long text: photo, then the text',
      reply: { text: 'x'.repeat(2000), imageUrl: 'https://example.gov.vn/a.jpg' },
      check: (calls) => expect(calls.map((c) => c.method)).toEqual(['sendPhoto', 'sendMessage']),
    },
  ];
  it.each(cases)('$label', ({ reply, check }) => {
    const s = store();
    const calls = renderReply('42', reply, s);
    check(calls);
    for (const c of calls) if (c.method === 'sendMessage') visible(c.payload.text); // never breaks
  });

  it('sends group ids as negative numbers and marks paid broadcasts', () => {
    const [c] = renderReply('-100123', { text: 'x' }, { ...store(), paidBroadcast: true });
    expect(c!.payload).toMatchObject({ chat_id: -100123, allow_paid_broadcast: true });
  });
});

describe('splitForHtml: the length Telegram counts (after entity parsing, in code points)', () => {
  const title = 'Thông báo';
  // Visible room for the text in a titled message: 4,096 less the title and its blank line.
  const room = 4096 - title.length - 2;
  const sent = (text: string, t?: string) => renderReply('42', { ...(t ? { title: t } : {}), text }, store()).map((c) => visible((c as MessageCall).payload.text));

  it.each([
    { label: 'escaped & < > " cost nothing: a text at the limit is one message', text: ('Hội nghị "A" & <B> tại xã. '.repeat(200)).slice(0, room).trim() },
    { label: "the title's <b></b> tags cost nothing", text: 'a'.repeat(room) },
    { label: 'an emoji is one character (two UTF-16 units)', text: '😀'.repeat(room) },
    { label: 'Vietnamese in NFC is one character per letter', text: 'Quyền con người. '.repeat(400).slice(0, room).trim() },
  ])('$label', ({ text }) => {
    const parts = sent(text, title);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toBe(`${title}\n\n${text}`);
    // One character more does not fit: two messages, and nothing lost or halved.
    const more = sent(`${text}x`, title);
    expect(more).toHaveLength(2);
    for (const p of more) expect([...p].length).toBeLessThanOrEqual(4096);
    expect(more.join('').replace(/\s/g, '')).toBe(`${title}${text}x`.replace(/\s/g, ''));
    expect(more.join('')).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('never halves an emoji when a long run of them is cut', () => {
    const chunks = splitForHtml('😀'.repeat(9000), 4096);
    expect(chunks.map((c) => [...c].length)).toEqual([4096, 4096, 808]);
    expect(chunks.join('')).toBe('😀'.repeat(9000));
  });

  it('leaves room for the heading on the first message only', () => {
    const chunks = splitForHtml('a'.repeat(9000), 4096, 100);
    expect(chunks.map((c) => c.length)).toEqual([3996, 4096, 908]);
  });

  it('a photo caption is counted as shown: escapes and bold tags cost nothing', () => {
    const text = '&'.repeat(1024 - title.length - 2);
    const calls = renderReply('42', { title, text, imageUrl: 'https://example.gov.vn/a.jpg' }, store());
    expect(calls.map((c) => c.method)).toEqual(['sendPhoto']);
    expect(renderReply('42', { title, text: `${text}&`, imageUrl: 'https://example.gov.vn/a.jpg' }, store()).map((c) => c.method)).toEqual(['sendPhoto', 'sendMessage']);
  });
});
