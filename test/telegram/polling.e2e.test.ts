/**
 * End to end, long polling: the office machine without a public HTTPS address. The real app
 * and grammY's polling loop against the fake Bot API.
 *
 * The tests share one app and one fake (an app with its Telegram sender threads costs about 1.5 s
 * of CPU to start): each test talks as its own user, and what it checks is that user's, or what
 * its own updates added. The last one confirms an update with an id of its own choosing, past
 * those the fake gives; later updates would wait behind it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import type { App } from '../../src/app.js';
import { getPersonByExternal } from '../../src/db/people.js';

let tg: FakeTelegram;
let app: App;
let close: () => Promise<void>;

const sendsTo = (chatId: number) => (c: RecordedCall) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId);

beforeAll(async () => {
  tg = await startFakeTelegram();
  // A webhook left over from an earlier webhook deployment: polling must remove it first.
  await fetch(`${tg.apiRoot}/bot${tg.token}/setWebhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: 'https://old.example.gov.vn/hook' }),
  });
  const started = await startTestApp({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling' });
  app = started.app;
  close = started.close;
});

afterAll(async () => {
  await close();
  await tg.close();
});

describe('Telegram long polling', () => {
  it('deletes any webhook before polling, with our update types', async () => {
    const methods = tg.calls.map((c) => c.method);
    const del = methods.indexOf('deleteWebhook');
    expect(del).toBeGreaterThan(0);
    const poll = await tg.waitForCall('getUpdates', { arrived: true });
    expect(tg.calls.indexOf(poll)).toBeGreaterThan(del);
    expect(poll.params.allowed_updates).toEqual(['message', 'edited_message', 'callback_query', 'my_chat_member', 'poll_answer']);
    expect(tg.webhook).toBeNull();
  });

  it('answers /start and a question', async () => {
    await tg.pushUpdate(tg.message({ userId: 21, text: '/start' }));
    const greeting = await tg.waitForCall(sendsTo(21));
    expect(greeting.params.text).toContain('Xin chào! Đây là bot thử nghiệm.');
    await tg.waitForCall(sendsTo(21), { count: 2 }); // the topic menu
    const mark = tg.calls.length;
    await tg.pushUpdate(tg.message({ userId: 21, text: 'Thủ tục đăng ký khai sinh cho con?' }));
    const answer = await tg.waitForCall(sendsTo(21), { after: mark });
    expect(String(answer.params.text)).toMatch(/khai sinh/i);
    expect(answer.status).toBe(200);
  });

  it('answers a button press through the API', async () => {
    const press = tg.callbackQuery({ userId: 23, data: 'menu' });
    await tg.pushUpdate(press);
    const answered = await tg.waitForCall('answerCallbackQuery');
    expect(answered).toMatchObject({ status: 200, params: { callback_query_id: (press.callback_query as { id: string }).id } });
    const menu = await tg.waitForCall(sendsTo(23));
    expect(menu.params.text).toBe('Chọn một chủ đề:');
  });

  it('an old button Loa no longer knows: the spinner stops with a notice saying so, nothing else is sent', async () => {
    const mark = tg.calls.length;
    const press = tg.callbackQuery({ userId: 24, data: '~AAAAAAAAAAAAAAAAAAAAAA' });
    await tg.pushUpdate(press);
    const answered = await tg.waitForCall('answerCallbackQuery', { after: mark });
    expect(answered.status).toBe(200);
    expect(answered.params).toMatchObject({ callback_query_id: (press.callback_query as { id: string }).id });
    expect(String(answered.params.text)).toContain('Nút này đã cũ');
    await app.inbox.drain();
    expect(tg.calls.slice(mark).filter(sendsTo(24))).toHaveLength(0);
  });

  it('confirms updates so none is handled twice, and marks a blocking user inactive', async () => {
    await app.inbox.drain();
    const stored = (app.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE channel = 'telegram' AND direction = 'in'`).get() as { n: number }).n;
    await tg.pushUpdate(tg.message({ userId: 22, text: '/help' }));
    await tg.waitForCall(sendsTo(22));
    await tg.pushUpdate({ update_id: 900_002, ...tg.myChatMember({ userId: 22, status: 'kicked' }) });
    // The next getUpdates carries an offset past the last update: it is confirmed.
    await tg.waitForCall((c) => c.method === 'getUpdates' && Number(c.params.offset) > 900_002, { arrived: true });
    expect(tg.queued).toHaveLength(0);
    await app.inbox.drain();
    expect(getPersonByExternal(app.db, 'telegram', '22')?.status).toBe('gone');
    const n = app.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE channel = 'telegram' AND direction = 'in'`).get() as { n: number };
    expect(n.n - stored).toBe(2);
    expect(tg.callsTo('sendMessage').filter(sendsTo(22))).toHaveLength(1);
  });
});
