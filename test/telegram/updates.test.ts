import { describe, expect, it } from 'vitest';
import { createGroupBudget, toInbound, updateSchema, type UpdateContext } from '../../src/channels/telegram/updates.js';

const ctx: UpdateContext = {
  botUsername: 'loa_bot',
  botId: 999,
  resolveCallback: (id) => (id === '~known' ? 'p:article#long-passage' : undefined),
  resolvePoll: (id) => (id === 'poll-1' ? { ref: 'attempt-7:q3' } : undefined),
};

const user = { id: 42, is_bot: false, first_name: 'Lan', last_name: 'Nguyễn' };
const privateChat = { id: 42, type: 'private' };
const group = { id: -100500, type: 'supergroup' };
const msg = (text: string | undefined, chat: object = privateChat, extra: object = {}) => ({
  update_id: 10,
  message: { message_id: 5, date: 1_790_000_000, chat, from: user, ...(text !== undefined ? { text } : {}), ...extra },
});

const cases: { label: string; update: unknown; expected: Record<string, unknown> | { ignore: true } }[] = [
  {
    label: 'private text',
    update: msg('Xin chào'),
    expected: { type: 'text', text: 'Xin chào', userId: '42', displayName: 'Lan Nguyễn', dedupeKey: 'u:10:m:42:5', channel: 'telegram' },
  },
  { label: 'private sticker is unsupported', update: msg(undefined, privateChat, { sticker: { file_id: 'x' } }), expected: { type: 'unsupported', what: 'sticker' } },
  {
    label: 'a private message edited after it was sent is not read again (the person is told to resend it)',
    update: { update_id: 11, edited_message: { message_id: 5, date: 1_790_000_000, edit_date: 1_790_000_030, chat: privateChat, from: user, text: 'bảo hiểm y tế trẻ em' } },
    expected: { type: 'unsupported', what: 'edited', userId: '42', dedupeKey: 'u:11:e:42:5:1790000030' },
  },
  {
    label: 'an edited group message is ignored',
    update: { update_id: 12, edited_message: { message_id: 6, date: 1_790_000_000, edit_date: 1_790_000_030, chat: group, from: user, text: '@loa_bot khai sinh' } },
    expected: { ignore: true },
  },
  { label: 'group chatter is ignored', update: msg('họp lúc mấy giờ?', group), expected: { ignore: true } },
  { label: 'group /start is ignored', update: msg('/start', group), expected: { ignore: true } },
  { label: 'group /hoi is answered in the group', update: msg('/hoi khai sinh', group), expected: { type: 'text', text: '/hoi khai sinh', chatId: '-100500', group: true, userId: '42' } },
  { label: 'group /hoi@ourbot is answered', update: msg('/hoi@loa_bot khai sinh', group), expected: { type: 'text', text: '/hoi@loa_bot khai sinh' } },
  { label: 'group /quizgroup (live quiz, organisers) passes', update: msg('/quizgroup hien-phap', group), expected: { type: 'text', text: '/quizgroup hien-phap', group: true } },
  { label: 'group /hoi@otherbot is ignored', update: msg('/hoi@other_bot khai sinh', group), expected: { ignore: true } },
  {
    label: 'group mention becomes a question',
    update: msg('@loa_bot quyền con người là gì?', group, { entities: [{ type: 'mention', offset: 0, length: 8 }] }),
    expected: { type: 'text', text: '/hoi quyền con người là gì?', group: true },
  },
  { label: 'mention of a longer name is not ours', update: msg('@loa_bot_fan chào', group), expected: { ignore: true } },
  { label: 'a reply to the bot in a group is a question', update: msg('còn trẻ 7 tuổi?', group, { reply_to_message: { from: { id: 999, is_bot: true } } }), expected: { type: 'text', text: '/hoi còn trẻ 7 tuổi?' } },
  { label: 'messages from bots are ignored', update: { update_id: 1, message: { message_id: 1, date: 1, chat: privateChat, from: { id: 5, is_bot: true }, text: 'x' } }, expected: { ignore: true } },
  {
    label: 'callback query',
    update: { update_id: 11, callback_query: { id: 'cq1', from: user, data: 'qa:bhyt', message: { message_id: 3, chat: privateChat } } },
    expected: { type: 'action', action: 'qa:bhyt', dedupeKey: 'u:11:cq:cq1', userId: '42' },
  },
  {
    label: 'callback with a short id is resolved',
    update: { update_id: 12, callback_query: { id: 'cq2', from: user, data: '~known', message: { message_id: 3, chat: privateChat } } },
    expected: { type: 'action', action: 'p:article#long-passage' },
  },
  { label: 'callback with an unknown short id is ignored', update: { update_id: 13, callback_query: { id: 'cq3', from: user, data: '~gone' } }, expected: { ignore: true } },
  {
    label: 'a press in a group replies in the group',
    update: { update_id: 14, callback_query: { id: 'cq4', from: user, data: 'menu', message: { message_id: 3, chat: group } } },
    expected: { type: 'action', chatId: '-100500', group: true },
  },
  {
    label: 'block',
    update: { update_id: 15, my_chat_member: { chat: privateChat, from: user, date: 100, old_chat_member: { status: 'member' }, new_chat_member: { status: 'kicked' } } },
    expected: { type: 'blocked', userId: '42', dedupeKey: 'u:15:mcm:42:100' },
  },
  {
    label: 'unblock',
    update: { update_id: 16, my_chat_member: { chat: privateChat, from: user, date: 101, old_chat_member: { status: 'kicked' }, new_chat_member: { status: 'member' } } },
    expected: { type: 'unblocked', userId: '42' },
  },
  { label: 'poll answer maps back to our ref', update: { update_id: 18, poll_answer: { poll_id: 'poll-1', user, option_ids: [2] } }, expected: { type: 'quizAnswer', pollId: 'attempt-7:q3', optionIds: [2], userId: '42' } },
  { label: 'answer to an unknown poll is ignored', update: { update_id: 19, poll_answer: { poll_id: 'poll-x', user, option_ids: [0] } }, expected: { ignore: true } },
  { label: 'a retracted vote is ignored', update: { update_id: 20, poll_answer: { poll_id: 'poll-1', user, option_ids: [] } }, expected: { ignore: true } },
  { label: 'other update types are ignored', update: { update_id: 21, channel_post: { text: 'x' } }, expected: { ignore: true } },
];

describe('toInbound', () => {
  it.each(cases)('$label', ({ update, expected }) => {
    const parsed = updateSchema.parse(update);
    const r = toInbound(parsed, ctx);
    if ('ignore' in expected) expect(r.kind).toBe('ignore');
    else {
      expect(r.kind).toBe('inbound');
      if (r.kind === 'inbound') expect(r.inbound).toMatchObject(expected);
    }
  });

  it('the bot added to a group is not a person event: the group is welcomed (a channel is not)', () => {
    const join = (chat: { id: number; type: string }) =>
      toInbound(updateSchema.parse({ update_id: 17, my_chat_member: { chat, from: user, date: 1, old_chat_member: { status: 'left' }, new_chat_member: { status: 'member' } } }), ctx);
    expect(join(group)).toEqual({ kind: 'added', chatId: String(group.id) });
    expect(join({ id: -100999, type: 'channel' }).kind).toBe('ignore');
  });

  it('carries the callback query id so the press can be answered, even when ignored', () => {
    const r = toInbound(updateSchema.parse({ update_id: 13, callback_query: { id: 'cq3', from: user, data: '~gone' } }), ctx);
    expect(r).toMatchObject({ kind: 'ignore', callbackQueryId: 'cq3' });
  });

  it.each([
    ['no update_id', { message: {} }],
    ['update_id not an integer', { update_id: 1.5 }],
    ['a malformed message', { update_id: 1, message: { chat: 'x' } }],
    ['not an object', [1, 2]],
  ])('refuses %s', (_label, body) => {
    expect(updateSchema.safeParse(body).success).toBe(false);
  });
});

describe('createGroupBudget', () => {
  it('allows max messages per window per group, then recovers when the window moves', () => {
    const b = createGroupBudget(3, 60_000);
    let t = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(b.allows('-1', t)).toBe(true);
      b.record('-1', t);
      t += 1000;
    }
    expect(b.allows('-1', t)).toBe(false);
    expect(b.allows('-2', t)).toBe(true); // other groups are unaffected
    expect(b.allows('-1', 1_000_000 + 60_000)).toBe(true);
  });
});
