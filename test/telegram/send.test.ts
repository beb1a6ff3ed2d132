/**
 * Sending, table-driven (courier style): each case has the reply, the fake's behaviour, the
 * request we expect Telegram to receive and the SendResult we expect back. The real grammY
 * client talks to the fake Bot API over loopback. Auto-retry's waits in the sender thread (3 s
 * and 6 s after a 5xx, `retry_after` after a 429) are cut to a hundredth: the same attempts, sooner.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { openDb, type Db } from '../../src/db/index.js';
import { createTelegramChannel, type TelegramChannel } from '../../src/channels/telegram/telegram.js';
import { autoRetryWaits } from '../../src/channels/telegram/send-thread.js';
import { callbackAction, sentPollById } from '../../src/db/telegram.js';
import type { Reply, SendResult } from '../../src/channels/channel.js';
import { startFakeTelegram, type FakeTelegram, type Failure } from '../support/fake-telegram.js';

let tg: FakeTelegram;
let db: Db;
let channel: TelegramChannel;
const logLines: string[] = [];

beforeAll(async () => {
  autoRetryWaits.scale = 0.01;
  tg = await startFakeTelegram();
  db = openDb(':memory:');
  const sink = new Writable({ write: (chunk, _enc, cb) => (logLines.push(String(chunk)), cb()) });
  channel = createTelegramChannel({
    config: { token: tg.token, mode: 'polling', apiRoot: tg.apiRoot, paidBroadcast: false, ratePerSecond: 30, ratePerChatPerSecond: 1 },
    db,
    inbox: { accept: () => true },
    logger: pino({ level: 'debug' }, sink),
    retry: { maxRetryAttempts: 1, maxDelaySeconds: 5 },
    botInfo: { id: tg.botId, is_bot: true, first_name: 'Loa', username: tg.username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false } as never,
  });
});
afterAll(async () => {
  autoRetryWaits.scale = 1;
  db.close();
  await tg.close();
});

let mark = 0;
beforeEach(() => {
  mark = tg.calls.length;
});

interface Case {
  label: string;
  recipient?: string;
  reply: Reply;
  setup?: () => void;
  failure?: { method: string; failure: Failure; times?: number };
  /** What Telegram must have received (subset), in order. */
  requests: { method: string; params?: Record<string, unknown> }[];
  result: SendResult | ((r: SendResult) => void);
}

const cases: Case[] = [
  {
    label: 'text: escaped HTML, ok with the message id',
    reply: { title: 'A & B', text: '1 < 2' },
    requests: [{ method: 'sendMessage', params: { chat_id: 100, text: '<b>A &amp; B</b>\n\n1 &lt; 2', parse_mode: 'HTML' } }],
    result: (r) => expect(r).toMatchObject({ kind: 'ok', messageId: expect.stringMatching(/^\d+$/) }),
  },
  {
    label: '429 with retry_after over the in-place limit: retryAfter with the body value',
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { error_code: 429, description: 'Too Many Requests: retry after 35', retry_after: 35 } },
    requests: [{ method: 'sendMessage' }],
    result: { kind: 'retryAfter', seconds: 35, reason: 'Too Many Requests: retry after 35', rateLimited: true },
  },
  {
    label: '429 with a short retry_after is retried in place (auto-retry)',
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 } },
    requests: [{ method: 'sendMessage' }, { method: 'sendMessage' }],
    result: (r) => expect(r.kind).toBe('ok'),
  },
  {
    label: '403 blocked: gone',
    recipient: '101',
    setup: () => tg.block(101),
    reply: { text: 'x' },
    requests: [{ method: 'sendMessage' }],
    result: { kind: 'gone', reason: 'Forbidden: bot was blocked by the user' },
  },
  {
    label: '403 deactivated: gone',
    recipient: '102',
    setup: () => tg.block(102, 'deactivated'),
    reply: { text: 'x' },
    requests: [{ method: 'sendMessage' }],
    result: { kind: 'gone', reason: 'Forbidden: user is deactivated' },
  },
  {
    label: "403 can't initiate conversation: failed, not gone",
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" } },
    requests: [{ method: 'sendMessage' }],
    result: { kind: 'failed', reason: "403 Forbidden: bot can't initiate conversation with a user" },
  },
  {
    label: '400 chat not found: failed',
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { error_code: 400, description: 'Bad Request: chat not found' } },
    requests: [{ method: 'sendMessage' }],
    result: { kind: 'failed', reason: '400 Bad Request: chat not found' },
  },
  {
    label: '5xx on every attempt: retryAfter after bounded retries',
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { error_code: 502, description: 'Bad Gateway' }, times: 2 },
    requests: [{ method: 'sendMessage' }, { method: 'sendMessage' }],
    result: { kind: 'retryAfter', seconds: 5, reason: 'Bad Gateway' },
  },
  {
    label: "400 can't parse entities: the same message again as plain text, not lost",
    reply: { title: 'A & B', text: '1 < 2 "x"' },
    failure: { method: 'sendMessage', failure: { error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3" } },
    requests: [
      { method: 'sendMessage', params: { parse_mode: 'HTML', text: '<b>A &amp; B</b>\n\n1 &lt; 2 &quot;x&quot;' } },
      { method: 'sendMessage', params: { text: 'A & B\n\n1 < 2 "x"' } },
    ],
    result: (r) => {
      expect(r.kind).toBe('ok');
      expect(tg.calls.slice(mark).at(-1)!.params.parse_mode).toBeUndefined();
    },
  },
  {
    label: 'network error: retryAfter, not retried forever',
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { network: true } },
    requests: [{ method: 'sendMessage' }],
    result: (r) => expect(r).toMatchObject({ kind: 'retryAfter', seconds: 5, reason: expect.stringMatching(/^network:/) }),
  },
  {
    label: 'a long action goes out as a short id that resolves back',
    reply: { text: 'Chọn', buttons: [{ label: 'Đoạn 2', action: `p:${'cong-uoc-quyen-tre-em-va-nghi-dinh-huong-dan'}#${'muc-3-quyen-duoc-bao-ve'}` }] },
    requests: [{ method: 'sendMessage' }],
    result: (r) => {
      expect(r.kind).toBe('ok');
      const sent = tg.calls.slice(mark).find((c) => c.method === 'sendMessage')!;
      const data = (sent.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]![0]!.callback_data;
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(callbackAction(db, data)).toBe('p:cong-uoc-quyen-tre-em-va-nghi-dinh-huong-dan#muc-3-quyen-duoc-bao-ve');
    },
  },
  {
    label: 'a quiz poll: sendPoll, recorded so its answers map back',
    reply: { text: 'Câu 1', poll: { ref: 'att-1:q1', question: 'Hiến pháp hiện hành năm nào?', options: ['2013', '1992', '1980'], correctOptionId: 0, openPeriod: 20 } },
    requests: [
      { method: 'sendMessage' },
      { method: 'sendPoll', params: { type: 'quiz', is_anonymous: false, correct_option_id: 0, open_period: 20 } },
    ],
    result: (r) => {
      expect(r.kind).toBe('ok');
      const poll = tg.calls.slice(mark).find((c) => c.method === 'sendPoll')!;
      const id = (poll.response as { result: { poll: { id: string } } }).result.poll.id;
      expect(sentPollById(db, id)).toMatchObject({ ref: 'att-1:q1', chatId: '100' });
    },
  },
  {
    label: 'a photo with a caption',
    reply: { text: 'Ảnh', imageUrl: 'https://example.gov.vn/a.jpg' },
    requests: [{ method: 'sendPhoto', params: { photo: 'https://example.gov.vn/a.jpg', caption: 'Ảnh', parse_mode: 'HTML' } }],
    result: (r) => expect(r.kind).toBe('ok'),
  },
];

describe('TelegramChannel.send', () => {
  it.each(cases)('$label', async (c) => {
    c.setup?.();
    if (c.failure) tg.failNext(c.failure.method, c.failure.failure, c.failure.times);
    const result = await channel.send(c.recipient ?? '100', c.reply);
    const made = tg.calls.slice(mark);
    expect(made.map((m) => m.method)).toEqual(c.requests.map((r) => r.method));
    c.requests.forEach((r, i) => r.params && expect(made[i]!.params).toMatchObject(r.params));
    if (typeof c.result === 'function') c.result(result);
    else expect(result).toEqual(c.result);
  }, 15_000);

  it('stopPolls closes the polls sent for a question', async () => {
    await channel.send('100', { text: '', poll: { ref: 'att-2:q1', question: 'Câu hỏi?', options: ['A', 'B'], correctOptionId: 1 } });
    await channel.stopPolls('att-2:q1');
    const stop = tg.calls.at(-1)!;
    expect(stop).toMatchObject({ method: 'stopPoll', status: 200, params: { chat_id: '100' } });
  });

  it('a campaign send (broadcast) gets a 429 back at once, without auto-retry, for the throttle to adapt', async () => {
    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 2', retry_after: 2 });
    const result = await channel.send('100', { text: 'Tin chiến dịch' }, { broadcast: true });
    expect(result).toEqual({ kind: 'retryAfter', seconds: 2, reason: expect.any(String), rateLimited: true });
    expect(tg.calls.slice(mark).filter((c) => c.method === 'sendMessage')).toHaveLength(1);
  });

  it('never logs the bot token', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(tg.token);
  });
});
