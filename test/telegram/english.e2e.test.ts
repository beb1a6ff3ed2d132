/**
 * End to end on Telegram (webhook, real grammY against the fake Bot API): an English user gets
 * English texts (issue 18, item 2). The two tests share one app and one fake (an app with its
 * Telegram sender threads costs about 1.5 s of CPU to start): the first reads what the app did
 * at start-up, the second talks as its own users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import { getPersonByExternal } from '../../src/db/people.js';
import type { App } from '../../src/app.js';
import { LANG_TEXTS, T_EN } from '../../src/conversation/texts-en.js';

const SECRET = 'test_secret-0123456789abcdef';
let tg: FakeTelegram;
let app: App;
let close: () => Promise<void>;

beforeAll(async () => {
  tg = await startFakeTelegram();
  const started = await startTestApp({
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.apiRoot,
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_URL: 'https://portal.example.gov.vn/webhooks/telegram',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
  });
  app = started.app;
  close = started.close;
  tg.rewriteWebhookUrl = () => `${started.url}/webhooks/telegram`;
});
afterAll(async () => {
  await close();
  await tg.close();
});

const sendsTo = (chatId: number) => (c: RecordedCall) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId) && c.status === 200;
const labels = (c: RecordedCall): string[] =>
  ((c.params.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text);

describe('Telegram in English', () => {
  it('registers one Vietnamese command menu (with /en) for every app language, and removes an English one', () => {
    // Telegram has no Vietnamese interface: most Vietnamese citizens' apps are set to English.
    expect(tg.callsTo('setMyCommands').filter((c) => c.params.language_code !== undefined)).toEqual([]);
    const menu = tg.callsTo('setMyCommands').find((c) => c.params.scope === undefined);
    const commands = menu!.params.commands as { command: string; description: string }[];
    expect(commands.find((c) => c.command === 'en')?.description).toBe('English');
    expect(commands.find((c) => c.command === 'xoadulieu')?.description).toBe('Xoá dữ liệu cá nhân của bạn');
    const deleted = tg.callsTo('deleteMyCommands');
    expect(deleted.map((c) => c.params.language_code)).toEqual(['en', 'en']);
    expect(deleted.every((c) => c.status === 200)).toBe(true);
  });

  it('answers an English question with English texts and buttons; /en is remembered', async () => {
    let before = tg.calls.length;
    await tg.pushUpdate(tg.message({ userId: 501, text: 'When did Vietnam ratify the Convention on the Rights of the Child?' }));
    const answer = await tg.waitForCall(sendsTo(501), { after: before });
    expect(answer.params.text).toContain('20 February 1990');
    expect(answer.params.text).toContain(T_EN.sources);
    expect(labels(answer)).toEqual(expect.arrayContaining([T_EN.feedbackUp, T_EN.feedbackDown]));

    before = tg.calls.length;
    await tg.pushUpdate(tg.message({ userId: 502, text: '/en' }));
    const switched = await tg.waitForCall(sendsTo(502), { after: before });
    expect(switched.params.text).toContain(LANG_TEXTS.en.switched);
    const menu = await tg.waitForCall(sendsTo(502), { after: before, count: 2 });
    expect(labels(menu)).toContain('Foreign organisations, businesses and workers');
    expect(getPersonByExternal(app.db, 'telegram', '502')).toMatchObject({ lang: 'en', langChosen: true });

    before = tg.calls.length;
    await tg.pushUpdate(tg.message({ userId: 502, text: '/help' }));
    const help = await tg.waitForCall(sendsTo(502), { after: before });
    expect(help.params.text).toContain('You can:');
  });
});
