/**
 * Updates -> Inbound, table-driven: each case is a payload as the platform sends it (webhook
 * body or getUpdates result) and the event Loa makes of it, or why it is ignored.
 */
import { describe, expect, it } from 'vitest';
import { readUpdates, toInbound } from '../../src/channels/zalo-bot/updates.js';

const msg = (extra: Record<string, unknown> = {}, chat: Record<string, unknown> = { id: 'u1', chat_type: 'PRIVATE' }) => ({
  message_id: 'm1',
  from: { id: 'u1', display_name: 'Nguyễn Văn A', is_bot: false },
  chat,
  date: 1766619597466,
  ...extra,
});

const cases: { label: string; body: unknown; expect: Record<string, unknown> | { ignored: RegExp } | null }[] = [
  {
    label: 'text, bare as the webhook sends it',
    body: { event_name: 'message.text.received', message: msg({ text: '/dangky' }) },
    expect: { channel: 'zalo-bot', type: 'text', text: '/dangky', userId: 'u1', displayName: 'Nguyễn Văn A', dedupeKey: 'zb:m1', at: new Date(1766619597466) },
  },
  {
    label: 'text wrapped in {ok, result}',
    body: { ok: true, result: { event_name: 'message.text.received', message: msg({ text: 'Xin chào' }) } },
    expect: { type: 'text', text: 'Xin chào', dedupeKey: 'zb:m1' },
  },
  {
    label: 'the documented getUpdates sample: no event_name, first_name',
    body: { ok: true, result: { message: { chat: { id: 'e4ea', chat_type: 'PRIVATE' }, text: 'Xin chào', message_id: '16f6', date: 1766619597466, from: { id: 'e4ea', first_name: 'Nguyen Van A' } } } },
    expect: { type: 'text', text: 'Xin chào', userId: 'e4ea', displayName: 'Nguyen Van A', dedupeKey: 'zb:16f6' },
  },
  {
    label: 'ids above 2^53 stay exact strings',
    body: { event_name: 'message.text.received', message: { ...msg({ text: 'a' }), from: { id: '8713451786543210987' }, chat: { id: '8713451786543210987', chat_type: 'PRIVATE' } } },
    expect: { userId: '8713451786543210987' },
  },
  {
    label: 'a picture: unsupported, with its URL and caption kept for a report',
    body: { event_name: 'message.image.received', message: msg({ photo_url: 'https://zalo.example/p.jpg', caption: 'tin giả?' }) },
    expect: { type: 'unsupported', what: 'image', media: { kind: 'image', ref: 'https://zalo.example/p.jpg', caption: 'tin giả?' } },
  },
  {
    label: 'a sticker: unsupported',
    body: { event_name: 'message.sticker.received', message: msg({ sticker: 'abc' }) },
    expect: { type: 'unsupported', what: 'sticker' },
  },
  {
    label: 'an unsupported message: unsupported',
    body: { event_name: 'message.unsupported.received', message: msg() },
    expect: { type: 'unsupported', what: 'unsupported' },
  },
  {
    // A video or file the platform reports as unsupported, sent with words: they were lost.
    label: 'an unsupported message with a caption: its words, as typed',
    body: { event_name: 'message.unsupported.received', message: msg({ caption: ' Tờ khai này nộp ở đâu? ' }) },
    expect: { type: 'text', text: 'Tờ khai này nộp ở đâu?', dedupeKey: 'zb:m1' },
  },
  {
    label: 'a picture with a caption and no usable URL: its words, as typed',
    body: { event_name: 'message.image.received', message: msg({ photo_url: `https://zalo.example/${'a'.repeat(3000)}`, caption: 'Thủ tục khai sinh cần gì?' }) },
    expect: { type: 'text', text: 'Thủ tục khai sinh cần gì?' },
  },
  {
    label: 'null fields read as absent, not a refused update',
    body: { event_name: 'message.image.received', message: msg({ photo_url: 'https://zalo.example/p.jpg', caption: null, text: null }) },
    expect: { type: 'unsupported', what: 'image', media: { kind: 'image', ref: 'https://zalo.example/p.jpg' } },
  },
  {
    label: 'a group: /hoi is answered in the group',
    body: { event_name: 'message.text.received', message: msg({ text: '/hoi thủ tục khai sinh' }, { id: 'g1', chat_type: 'GROUP' }) },
    expect: { type: 'text', text: '/hoi thủ tục khai sinh', userId: 'u1', chatId: 'g1', group: true },
  },
  { label: 'a group: other talk is ignored', body: { event_name: 'message.text.received', message: msg({ text: 'chào cả nhà' }, { id: 'g1', chat_type: 'GROUP' }) }, expect: { ignored: /only \/hoi/ } },
  { label: 'a group: /dangky is ignored', body: { event_name: 'message.text.received', message: msg({ text: '/dangky' }, { id: 'g1', chat_type: 'GROUP' }) }, expect: { ignored: /not addressed/ } },
  { label: 'a bot is ignored', body: { event_name: 'message.text.received', message: { ...msg({ text: 'x' }), from: { id: 'b', is_bot: true } } }, expect: { ignored: /bot/ } },
  { label: 'no message: not an update', body: { event_name: 'message.text.received' }, expect: null },
  { label: 'a message without an id: not an update', body: { event_name: 'message.text.received', message: { from: { id: 'u' }, chat: { id: 'u' }, text: 'x' } }, expect: null },
  { label: 'not an object', body: 'hello', expect: null },
];

describe('Zalo Bot updates', () => {
  for (const c of cases)
    it(c.label, () => {
      const updates = readUpdates(c.body);
      if (c.expect === null) return expect(updates).toBeNull();
      expect(updates).toHaveLength(1);
      const conv = toInbound(updates![0]!);
      if ('ignored' in c.expect) {
        expect(conv.kind).toBe('ignore');
        if (conv.kind === 'ignore') expect(conv.reason).toMatch(c.expect.ignored as RegExp);
      } else {
        expect(conv.kind).toBe('inbound');
        if (conv.kind === 'inbound') expect(conv.inbound).toMatchObject(c.expect);
      }
    });
});
