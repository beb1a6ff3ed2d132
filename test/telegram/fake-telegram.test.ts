/** The fake Bot API must behave like Telegram where our code depends on it. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseTelegramHtml, startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';

let tg: FakeTelegram | undefined;
afterEach(async () => {
  await tg?.close();
  tg = undefined;
});

const call = async (fake: FakeTelegram, method: string, params: Record<string, unknown>, token = fake.token) => {
  const res = await fetch(`${fake.apiRoot}/bot${token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('fake Telegram', () => {
  it('answers 429 with retry_after in the JSON body beyond the per-chat and global limits', async () => {
    let now = 1_000_000_500;
    tg = await startFakeTelegram({ perChatPerSecond: 1, globalPerSecond: 2, now: () => now });
    expect((await call(tg, 'sendMessage', { chat_id: 1, text: 'a' })).status).toBe(200);
    const perChat = await call(tg, 'sendMessage', { chat_id: 1, text: 'b' });
    expect(perChat).toEqual({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } });
    expect((await call(tg, 'sendMessage', { chat_id: 2, text: 'c' })).status).toBe(200);
    expect((await call(tg, 'sendMessage', { chat_id: 3, text: 'd' })).status).toBe(429); // global
    now += 1000; // next second
    expect((await call(tg, 'sendMessage', { chat_id: 1, text: 'e' })).status).toBe(200);
  });

  it('refuses a wrong token, getUpdates while a webhook is set, and blocked users', async () => {
    tg = await startFakeTelegram();
    expect((await call(tg, 'getMe', {}, '1:wrong')).status).toBe(401);
    await call(tg, 'setWebhook', { url: 'https://example.gov.vn/hook', secret_token: 'abc' });
    expect((await call(tg, 'getUpdates', {})).status).toBe(409);
    tg.block(5);
    expect((await call(tg, 'sendMessage', { chat_id: 5, text: 'x' })).body).toMatchObject({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
  });

  it('checks HTML, length and callback_data like Telegram', async () => {
    tg = await startFakeTelegram();
    expect((await call(tg, 'sendMessage', { chat_id: 1, text: 'a < b', parse_mode: 'HTML' })).status).toBe(400);
    expect((await call(tg, 'sendMessage', { chat_id: 1, text: 'a'.repeat(4097) })).status).toBe(400);
    const data = 'x'.repeat(65);
    expect((await call(tg, 'sendMessage', { chat_id: 1, text: 'a', reply_markup: { inline_keyboard: [[{ text: 'b', callback_data: data }]] } })).body).toMatchObject({ description: 'Bad Request: BUTTON_DATA_INVALID' });
    expect(parseTelegramHtml('<b>a &amp; b</b>')).toEqual({ text: 'a & b' });
    expect(parseTelegramHtml('<b>a</i>')).toHaveProperty('error');
    expect(parseTelegramHtml('<script>')).toHaveProperty('error');
  });

  it('hands queued updates to getUpdates and drops them once confirmed by offset', async () => {
    tg = await startFakeTelegram();
    await tg.pushUpdate(tg.message({ userId: 1, text: 'a' }));
    await tg.pushUpdate(tg.message({ userId: 1, text: 'b' }));
    const first = await call(tg, 'getUpdates', { timeout: 0 });
    const updates = first.body.result as { update_id: number }[];
    expect(updates).toHaveLength(2);
    const next = await call(tg, 'getUpdates', { offset: updates[1]!.update_id + 1, timeout: 0 });
    expect(next.body.result).toEqual([]);
    expect(tg.queued).toHaveLength(0);
  });

  it('a long poll returns as soon as an update is pushed', async () => {
    tg = await startFakeTelegram();
    const poll = call(tg, 'getUpdates', { timeout: 30 });
    await tg.waitForCall('getUpdates', { arrived: true });
    await tg.pushUpdate(tg.message({ userId: 1, text: 'hi' }));
    expect(((await poll).body.result as unknown[]).length).toBe(1);
  });
});
