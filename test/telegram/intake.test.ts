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
      // Answers a turn later, as the app's group commit does.
      accept: async (inbound) => {
        await new Promise((r) => setImmediate(r));
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
  it('handles at most the budget of messages per group per window, then recovers', async () => {
    // Delivered together: the budget holds while the inbox is still storing the first ones.
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => channel.intake(mention(i))));
    expect(results).toEqual(['accepted', 'accepted', 'accepted', 'ignored', 'ignored']);
    clock += 60_000;
    expect(await channel.intake(mention(9))).toBe('accepted');
  });

  it('never drops button presses in a group (live quiz answers), and answers each', async () => {
    for (let i = 0; i < 3; i++) await channel.intake(mention(i));
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => channel.intake(press(i), { answerCallback: (id) => answered.push(id) })));
    expect(results.every((r) => r === 'accepted')).toBe(true);
    expect(answered).toHaveLength(6);
  });

  it('a duplicate uses no budget and is not answered twice', async () => {
    const u = mention(1);
    expect(await channel.intake(u)).toBe('accepted');
    expect(await channel.intake(u)).toBe('duplicate');
    expect(await channel.intake(mention(2))).toBe('accepted');
    expect(await channel.intake(mention(3))).toBe('accepted');
    const p = press(4);
    await channel.intake(p, { answerCallback: (id) => answered.push(id) });
    await channel.intake(p, { answerCallback: (id) => answered.push(id) });
    expect(answered).toHaveLength(1);
  });

  it('a duplicate delivered while the inbox is still storing the first gives its budget back', async () => {
    const u = mention(1);
    const results = await Promise.all([channel.intake(u), channel.intake(u), channel.intake(mention(2))]);
    expect(results).toEqual(['accepted', 'duplicate', 'accepted']);
    expect(await channel.intake(mention(3))).toBe('accepted');
    expect(await channel.intake(mention(4))).toBe('ignored');
  });
});
