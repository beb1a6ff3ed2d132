/**
 * Sending, table-driven (courier style): each case has the reply, the fake's behaviour, the
 * requests we expect the Zalo Bot platform to receive and the SendResult we expect back. The
 * real client talks to the fake platform over loopback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createZaloBotClient } from '../../src/channels/zalo-bot/client.js';
import { createZaloBotChannel, type ZaloBotChannel } from '../../src/channels/zalo-bot/channel.js';
import { ZaloBotApiError, ZaloBotHttpError, toSendResult } from '../../src/channels/zalo-bot/errors.js';
import type { Reply, SendResult } from '../../src/channels/channel.js';
import { startFakeZaloBot, type FakeZaloBot, type FakeZaloBotFailure } from '../support/fake-zalo-bot.js';
import { captureLogger } from '../support/capture-log.js';

let zb: FakeZaloBot;
let channel: ZaloBotChannel;
const log = captureLogger('debug');

beforeAll(async () => {
  zb = await startFakeZaloBot();
  const config = { token: zb.token, mode: 'polling' as const, apiRoot: zb.apiRoot, ratePerSecond: 20, ratePerChatPerSecond: 1 };
  channel = createZaloBotChannel({ config, client: createZaloBotClient({ token: zb.token, apiRoot: zb.apiRoot, logger: log.logger }), inbox: { accept: () => true }, logger: log.logger });
});
afterAll(async () => {
  await zb.close();
});

let mark = 0;
beforeEach(() => {
  mark = zb.calls.length;
});

const USER = 'e4ea2cd5189df1c3a88c';
const long = Array.from({ length: 12 }, (_, i) => `Đoạn ${i + 1}. ${'Quyền con người được bảo đảm và tôn trọng. '.repeat(5)}`).join('\n\n');

interface Case {
  label: string;
  recipient?: string;
  reply: Reply;
  setup?: () => void;
  failure?: { method: string; failure: FakeZaloBotFailure; times?: number };
  /** What the platform must have received, in order (each params a subset). */
  requests: { method: string; params?: Record<string, unknown> }[] | ((calls: { method: string; params: Record<string, unknown> }[]) => void);
  result: SendResult | ((r: SendResult) => void);
}

const cases: Case[] = [
  {
    label: 'text: sent as is, ok with the message id',
    reply: { title: 'Khai sinh', text: 'Đăng ký trong **60 ngày**.' },
    requests: [{ method: 'sendMessage', params: { chat_id: USER, text: 'Khai sinh\n\nĐăng ký trong 60 ngày.' } }],
    result: (r) => expect(r).toMatchObject({ kind: 'ok', messageId: expect.stringMatching(/^[0-9a-f]+$/) }),
  },
  {
    label: 'choices: a numbered block and the hint, no buttons anywhere',
    reply: { text: 'Chọn chủ đề:', buttons: [{ label: 'Hộ tịch', action: 'topic:ho-tich' }, { label: 'Bảo hiểm y tế', action: 'topic:bhyt' }] },
    requests: [{ method: 'sendMessage', params: { chat_id: USER, text: 'Chọn chủ đề:\n\n1. Hộ tịch\n2. Bảo hiểm y tế\nGõ 1 hoặc 2 để chọn.' } }],
    result: { kind: 'ok', messageId: expect.any(String) as unknown as string },
  },
  {
    label: 'a quiz question that lists its options is not numbered twice',
    reply: { title: 'Câu 1/3', text: 'Việt Nam phê chuẩn Công ước năm nào?\n\n1. 1990\n2. 1995\n\nGõ số từ 1 đến 2.', buttons: [{ label: '1990', action: 'quiz:a:1:0:0' }, { label: '1995', action: 'quiz:a:1:0:1' }] },
    requests: [{ method: 'sendMessage', params: { text: 'Câu 1/3\n\nViệt Nam phê chuẩn Công ước năm nào?\n\n1. 1990\n2. 1995\n\nGõ số từ 1 đến 2.' } }],
    result: (r) => expect(r.kind).toBe('ok'),
  },
  {
    label: 'links written out as "label: URL"',
    reply: { text: 'Xem thêm', links: [{ label: 'Cổng dịch vụ công', url: 'https://dichvucong.gov.vn' }] },
    requests: [{ method: 'sendMessage', params: { text: 'Xem thêm\n\nCổng dịch vụ công: https://dichvucong.gov.vn' } }],
    result: (r) => expect(r.kind).toBe('ok'),
  },
  {
    label: 'an image with a short text: one sendPhoto with the caption',
    reply: { text: 'Tuần lễ quyền trẻ em', imageUrl: 'https://example.gov.vn/a.jpg' },
    requests: [{ method: 'sendPhoto', params: { chat_id: USER, photo: 'https://example.gov.vn/a.jpg', caption: 'Tuần lễ quyền trẻ em' } }],
    result: (r) => expect(r.kind).toBe('ok'),
  },
  {
    label: 'a long text: split at paragraphs, every part within 2,000 characters',
    reply: { text: long },
    requests: (calls) => {
      expect(calls.length).toBeGreaterThan(1);
      for (const c of calls) {
        expect(c.method).toBe('sendMessage');
        expect((c.params.text as string).length).toBeLessThanOrEqual(2000);
        expect(c.params.text).toMatch(/^Đoạn \d+\./);
      }
    },
    result: (r) => expect(r.kind).toBe('ok'),
  },
  {
    label: '429 with retry_after: retryAfter for the whole channel',
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { error_code: 429, description: 'Too Many Requests', retry_after: 7 } },
    requests: [{ method: 'sendMessage' }],
    result: { kind: 'retryAfter', seconds: 7, reason: 'Too Many Requests', rateLimited: true },
  },
  {
    label: '429 without retry_after: the default wait, still rate limited',
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { error_code: 429, description: 'Too Many Requests' } },
    requests: [{ method: 'sendMessage' }],
    result: { kind: 'retryAfter', seconds: 5, reason: 'Too Many Requests', rateLimited: true },
  },
  {
    label: '403 blocked: gone, never retried',
    recipient: 'blocked-user',
    setup: () => zb.block('blocked-user'),
    reply: { text: 'x' },
    requests: [{ method: 'sendMessage', params: { chat_id: 'blocked-user' } }],
    result: { kind: 'gone', reason: '403 User has blocked the bot' },
  },
  {
    label: '500: retryAfter, only this message waits',
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { error_code: 500, description: 'Internal Server Error' } },
    requests: [{ method: 'sendMessage' }],
    result: { kind: 'retryAfter', seconds: 5, reason: '500 Internal Server Error' },
  },
  {
    label: 'a dropped connection: retryAfter',
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { network: true } },
    requests: [{ method: 'sendMessage' }],
    result: (r) => expect(r).toMatchObject({ kind: 'retryAfter', seconds: 5 }),
  },
  {
    label: '400 (a refused request): failed, with the reason',
    reply: { text: 'x' },
    failure: { method: 'sendMessage', failure: { error_code: 400, description: 'chat_id is invalid' } },
    requests: [{ method: 'sendMessage' }],
    result: { kind: 'failed', reason: '400 chat_id is invalid' },
  },
  {
    label: 'a long reply stops at its first refused part',
    reply: { text: long },
    failure: { method: 'sendMessage', failure: { error_code: 403, description: 'Forbidden' }, times: 1 },
    requests: [{ method: 'sendMessage' }],
    result: { kind: 'gone', reason: '403 Forbidden' },
  },
];

describe('Zalo Bot send', () => {
  for (const c of cases)
    it(c.label, async () => {
      c.setup?.();
      if (c.failure) zb.failNext(c.failure.method, c.failure.failure, c.failure.times);
      const result = await channel.send(c.recipient ?? USER, c.reply);
      const calls = zb.calls.slice(mark).map((x) => ({ method: x.method, params: x.params }));
      if (typeof c.requests === 'function') c.requests(calls);
      else {
        expect(calls).toHaveLength(c.requests.length);
        c.requests.forEach((r, i) => {
          expect(calls[i]!.method).toBe(r.method);
          if (r.params) expect(calls[i]!.params).toMatchObject(r.params);
        });
      }
      if (typeof c.result === 'function') c.result(result);
      else expect(result).toEqual(c.result.kind === 'ok' ? { kind: 'ok', messageId: expect.any(String) } : c.result);
    });

  it('maps errors the same way without the network (the table of toSendResult)', () => {
    expect(toSendResult(new ZaloBotApiError('sendMessage', 429, 'Too Many Requests: retry after 12'))).toMatchObject({ kind: 'retryAfter', seconds: 12, rateLimited: true });
    expect(toSendResult(new ZaloBotApiError('sendMessage', 400, 'Người dùng đã chặn bot'))).toMatchObject({ kind: 'gone' });
    expect(toSendResult(new ZaloBotHttpError('sendMessage', 502, 'HTTP 502, the answer is not JSON'))).toMatchObject({ kind: 'retryAfter' });
    expect(toSendResult(new ZaloBotHttpError('sendMessage', 404, 'HTTP 404, the answer is not JSON'))).toMatchObject({ kind: 'failed' });
  });

  it('never writes the token into a log line or an error', async () => {
    zb.failNext('sendMessage', { network: true });
    zb.failNext('sendMessage', { error_code: 500, description: 'oops' });
    const a = await channel.send(USER, { text: 'x' });
    const b = await channel.send(USER, { text: 'x' });
    expect(JSON.stringify([a, b])).not.toContain(zb.token);
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.join('')).not.toContain(zb.token);
    expect(log.lines.join('')).not.toContain(zb.token.split(':')[1]!);
  });
});
