/**
 * A reply Telegram gets as several messages (a picture, then its text too long for a caption),
 * refused with a 429 after the first: the send says how many went through (`partsSent`), and the retry sends
 * only the rest (`fromPart`), so the person does not get the first half twice. Before, the sender
 * retried the whole reply. The same through the sender, which remembers the parts between tries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openDb, type Db } from '../../src/db/index.js';
import { createTelegramChannel, type TelegramChannel } from '../../src/channels/telegram/telegram.js';
import { autoRetryWaits } from '../../src/channels/telegram/send-thread.js';
import { createSender } from '../../src/sender/sender.js';
import { createThrottle } from '../../src/campaigns/throttle.js';
import { upsertPerson } from '../../src/db/people.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';

let tg: FakeTelegram;
let db: Db;
let channel: TelegramChannel;

beforeAll(async () => {
  autoRetryWaits.scale = 0.01;
  tg = await startFakeTelegram();
  db = openDb(':memory:');
  channel = createTelegramChannel({
    config: { token: tg.token, mode: 'polling', apiRoot: tg.apiRoot, paidBroadcast: false, ratePerSecond: 30, ratePerChatPerSecond: 1 },
    db,
    inbox: { accept: () => true },
    logger: pino({ level: 'silent' }),
    retry: { maxRetryAttempts: 1, maxDelaySeconds: 5 },
    botInfo: { id: tg.botId, is_bot: true, first_name: 'Loa', username: tg.username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false } as never,
  });
});
afterAll(async () => {
  autoRetryWaits.scale = 1;
  db.close();
  await tg.close();
});

const long = (tag: string) => ({ text: Array.from({ length: 60 }, (_, i) => `${tag} đoạn ${i + 1}: ${'câu trả lời đã được duyệt, '.repeat(3)}`).join('\n\n') });

describe('a two-message reply refused after its first message', () => {
  it('the channel says how many went through, and a retry from there sends only the rest', async () => {
    // A picture with a text too long for its caption: sendPhoto, then sendMessage, refused with
    // a 429 longer than the send thread waits by itself.
    const reply = { ...long('A'), imageUrl: 'https://example.gov.vn/anh.jpg' };
    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 30', retry_after: 30 });
    const first = await channel.send('7001', reply);
    expect(first).toMatchObject({ kind: 'retryAfter', partsSent: 1 });
    expect(await channel.send('7001', reply, { fromPart: 1 })).toMatchObject({ kind: 'ok' });
    expect(tg.callsTo('sendPhoto').filter((c) => String(c.params.chat_id) === '7001' && c.status === 200)).toHaveLength(1);
    const texts = tg.sentTexts(7001);
    expect(texts.filter((t) => t.includes('A đoạn 1:'))).toHaveLength(1);
  });

  it('through the sender: the person gets each part once', async () => {
    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 }, 2);
    const sender = createSender({ db, channels: new Map([['telegram', channel]]), throttles: new Map([['telegram', createThrottle({ ratePerSecond: 30 })]]) });
    sender.start();
    const p = upsertPerson(db, 'telegram', '7002');
    const { done } = sender.enqueue({ channel: 'telegram', recipient: '7002', personId: p.id }, [{ ...long('B'), imageUrl: 'https://example.gov.vn/anh.jpg' }]);
    const [res] = await done;
    expect(res).toMatchObject({ kind: 'ok' });
    expect(tg.callsTo('sendPhoto').filter((c) => String(c.params.chat_id) === '7002' && c.status === 200)).toHaveLength(1);
    expect(tg.sentTexts(7002).filter((t) => t.includes('B đoạn 1:'))).toHaveLength(1);
    await sender.stop();
  });
});

describe('the same on Zalo OA', () => {
  it('a long answer refused after its first message (-32, rate limit) is resumed from the second', async () => {
    const { createZaloChannel } = await import('../../src/channels/zalo/channel.js');
    const { ZaloApiError } = await import('../../src/channels/zalo/errors.js');
    const sent: string[] = [];
    let calls = 0;
    const zalo = createZaloChannel({
      client: {
        async sendMessage(_to: string, message: { text?: string }) {
          calls++;
          if (calls === 2) throw new ZaloApiError(-32, 'Request exceeds limit', '/v3.0/oa/message/cs');
          sent.push(message.text ?? '');
          return { messageId: `m${calls}` };
        },
      } as never,
    });
    const reply = long('C');
    const first = await zalo.send('8713451786543210987', reply);
    expect(first).toMatchObject({ kind: 'retryAfter', partsSent: 1 });
    expect(await zalo.send('8713451786543210987', reply, { fromPart: 1 })).toMatchObject({ kind: 'ok' });
    expect(sent.filter((t) => t.includes('C đoạn 1:'))).toHaveLength(1);
    expect(sent.length).toBeGreaterThanOrEqual(2);
  });
});
