/** Bot API calls on a worker thread (channels/telegram/send-thread.ts), against the fake Bot API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrammyError, HttpError } from 'grammy';
import { autoRetryWaits, createSendThread, type SendThread } from '../../src/channels/telegram/send-thread.js';
import { toSendResult } from '../../src/channels/telegram/errors.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';

let tg: FakeTelegram;
let thread: SendThread;
beforeAll(async () => {
  // Auto-retry's wait of `retry_after: 1` takes 10 ms: the same attempts, sooner.
  autoRetryWaits.scale = 0.01;
  tg = await startFakeTelegram();
  thread = createSendThread({ token: tg.token, apiRoot: tg.apiRoot, maxRetryAttempts: 2, maxDelaySeconds: 2 });
});
afterAll(async () => {
  autoRetryWaits.scale = 1;
  await thread.close();
  await tg.close();
});

describe('createSendThread', () => {
  it('sends from the worker and hands back the result, many calls at once', async () => {
    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, i) => thread.call<{ message_id: number; chat: { id: number } }>('sendMessage', { chat_id: 500 + i, text: `Xin chào <b>${i}</b>`, parse_mode: 'HTML' })),
    );
    expect(sent.map((m) => m.chat.id)).toEqual(Array.from({ length: 20 }, (_, i) => 500 + i));
    expect(tg.sentTexts(503)).toEqual(['Xin chào 3']); // as displayed, after HTML parsing
  });

  it('says when its workers have loaded (a paced sender waits for that before taking slots)', async () => {
    const fresh = createSendThread({ token: tg.token, apiRoot: tg.apiRoot, maxRetryAttempts: 1, maxDelaySeconds: 1 });
    const before = tg.callsTo('sendMessage').length;
    await fresh.ready();
    // Loading made no call; once loaded, a call goes through and ready() answers at once.
    expect(tg.callsTo('sendMessage').length).toBe(before);
    const m = await fresh.call<{ chat: { id: number } }>('sendMessage', { chat_id: 520, text: 'sẵn sàng' });
    expect(m.chat.id).toBe(520);
    await fresh.ready();
    await fresh.close();
  });

  it('turns Telegram errors into GrammyError, as grammY on the main thread would', async () => {
    tg.block(601);
    const err = await thread.call('sendMessage', { chat_id: 601, text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrammyError);
    expect(err).toMatchObject({ error_code: 403, method: 'sendMessage' });
    expect(toSendResult(err)).toMatchObject({ kind: 'gone' });
  });

  it('retries a 429 in place through auto-retry, but not for direct (campaign) calls', async () => {
    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    const before = tg.callsTo('sendMessage').length;
    await thread.call('sendMessage', { chat_id: 602, text: 'lần hai thì được' });
    expect(tg.callsTo('sendMessage').length - before).toBe(2);

    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 7', retry_after: 7 });
    const err = await thread.call('sendMessage', { chat_id: 603, text: 'x' }, { direct: true }).catch((e: unknown) => e);
    expect(toSendResult(err)).toEqual({ kind: 'retryAfter', seconds: 7, reason: 'Too Many Requests: retry after 7', rateLimited: true });
  });

  it('reports a network failure as HttpError, and a dead worker fails its calls then restarts', async () => {
    const dead = createSendThread({ token: 'x:y', apiRoot: 'http://127.0.0.1:1', maxRetryAttempts: 1, maxDelaySeconds: 1 });
    const err = await dead.call('sendMessage', { chat_id: 1, text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(toSendResult(err)).toMatchObject({ kind: 'retryAfter' });
    await dead.close();

    const release = tg.hold('sendMessage');
    const inFlight = thread.call('sendMessage', { chat_id: 604, text: 'x' }).catch((e: unknown) => e);
    await tg.waitForCall((c) => c.method === 'sendMessage' && c.params.chat_id === 604, { arrived: true });
    await thread.close();
    expect(await inFlight).toBeInstanceOf(HttpError);
    release();
    const again = await thread.call<{ chat: { id: number } }>('sendMessage', { chat_id: 605, text: 'lại' });
    expect(again.chat.id).toBe(605);
    // Closed: that late call's worker ends once idle, and a further call still goes through.
    const later = await thread.call<{ chat: { id: number } }>('sendMessage', { chat_id: 606, text: 'nữa' });
    expect(later.chat.id).toBe(606);
  });
});
