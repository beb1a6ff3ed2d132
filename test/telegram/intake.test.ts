/** The intake shared by both modes: group budget, duplicates, button answers. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openDb, type Db } from '../../src/db/index.js';
import { createTelegramChannel, type TelegramChannel } from '../../src/channels/telegram/telegram.js';
import { updateSchema } from '../../src/channels/telegram/updates.js';
import type { Inbound } from '../../src/channels/channel.js';

let db: Db;
let channel: TelegramChannel;
let accepted: Inbound[];
let clock: number;
let answered: string[];
const keys = new Set<string>();

beforeEach(() => {
  db = openDb(':memory:');
  accepted = [];
  answered = [];
  keys.clear();
  clock = 1_000_000;
  channel = createTelegramChannel({
    // Never contacted: the bot knows itself (botInfo) and button answers go to the test.
    config: { token: '1:x', mode: 'webhook', apiRoot: 'http://127.0.0.1:1', paidBroadcast: false, ratePerSecond: 30, ratePerChatPerSecond: 1 },
    db,
    inbox: {
      accept: (inbound) => {
        if (keys.has(inbound.dedupeKey)) return false;
        keys.add(inbound.dedupeKey);
        accepted.push(inbound);
        return true;
      },
    },
    logger: pino({ level: 'silent' }),
    now: () => clock,
    groupBudget: { max: 3, windowMs: 60_000 },
    botInfo: { id: 999, is_bot: true, first_name: 'Loa', username: 'loa_bot' } as never,
  });
});
afterEach(() => db.close());

let nextId = 1;
const mention = (userId: number, text = '@loa_bot khai sinh?') =>
  updateSchema.parse({ update_id: nextId++, message: { message_id: nextId, date: 1, chat: { id: -100, type: 'supergroup' }, from: { id: userId }, text } });
const press = (userId: number) =>
  updateSchema.parse({ update_id: nextId++, callback_query: { id: `cq${nextId}`, from: { id: userId }, data: 'quiz:l:1:1:0', message: { message_id: 1, chat: { id: -100, type: 'supergroup' } } } });

describe('TelegramChannel.intake', () => {
  it('handles at most the budget of messages per group per window, then recovers', () => {
    const results = Array.from({ length: 5 }, (_, i) => channel.intake(mention(i)));
    expect(results).toEqual(['accepted', 'accepted', 'accepted', 'ignored', 'ignored']);
    clock += 60_000;
    expect(channel.intake(mention(9))).toBe('accepted');
  });

  it('never drops button presses in a group (live quiz answers), and answers each', () => {
    for (let i = 0; i < 3; i++) channel.intake(mention(i));
    const results = Array.from({ length: 6 }, (_, i) => channel.intake(press(i), { answerCallback: (id) => answered.push(id) }));
    expect(results.every((r) => r === 'accepted')).toBe(true);
    expect(answered).toHaveLength(6);
  });

  it('a duplicate uses no budget and is not answered twice', () => {
    const u = mention(1);
    expect(channel.intake(u)).toBe('accepted');
    expect(channel.intake(u)).toBe('duplicate');
    expect(channel.intake(mention(2))).toBe('accepted');
    expect(channel.intake(mention(3))).toBe('accepted');
    const p = press(4);
    channel.intake(p, { answerCallback: (id) => answered.push(id) });
    channel.intake(p, { answerCallback: (id) => answered.push(id) });
    expect(answered).toHaveLength(1);
  });
});
