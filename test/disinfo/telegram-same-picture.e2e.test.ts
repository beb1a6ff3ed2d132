/**
 * One screenshot forwarded by many people on Telegram is one case. The Bot API gives each copy
 * of a picture its own `file_id`; only `file_unique_id` is the same for every copy. Reports were
 * grouped by `file_id`: before (2026-12-07), two people forwarding the same picture of a rumour
 * from the same channel opened two cases. Now grouped by `file_unique_id`; the `file_id` is still
 * what the case page fetches the picture with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import type { App } from '../../src/app.js';
import { getCase, listCases } from '../../src/db/disinfo.js';

const SECRET = 'same_picture-0123456789abcdef';
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

type Markup = { inline_keyboard: { text: string; callback_data?: string }[][] };
async function push(update: Record<string, unknown>): Promise<RecordedCall[]> {
  const after = tg.calls.length;
  expect(await tg.pushUpdate(update)).toMatchObject({ delivered: true, status: 200 });
  await app.inbox.drain();
  return tg.calls.slice(after).filter((c) => c.method === 'sendMessage');
}
const press = (userId: number, c: RecordedCall, label: string) => {
  const b = ((c.params.reply_markup as Markup | undefined)?.inline_keyboard ?? []).flat().find((x) => x.text === label);
  if (!b?.callback_data) throw new Error(`no button '${label}'`);
  return push(tg.callbackQuery({ userId, data: b.callback_data }));
};

/** A user forwards the channel's picture: their own copy's file_id, the picture's one file_unique_id. */
const forward = (userId: number, messageId: number) => ({
  message: {
    message_id: messageId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: userId, type: 'private', first_name: 'Dân' },
    from: { id: userId, is_bot: false, first_name: 'Dân', language_code: 'vi' },
    forward_origin: { type: 'channel', chat: { id: -1002, type: 'channel', title: 'Tin Nóng 24h' }, message_id: 9, date: 1 },
    photo: [
      { file_id: `AgACAgUAAxkBAAI-small-${userId}`, file_unique_id: 'AQADsmall', width: 90, height: 90 },
      { file_id: `AgACAgUAAxkBAAI-large-${userId}`, file_unique_id: 'AQADlarge', width: 800, height: 800 },
    ],
    caption: userId === 7101 ? 'Tin này có thật không?' : 'Thấy trong nhóm Zalo của thôn',
  },
});

describe('the same picture forwarded by two people', () => {
  it('is one case with two reporters, viewed with the first reporter’s file_id', async () => {
    for (const [u, id] of [[7101, 11], [7102, 12]] as const) {
      const [offer] = await push(forward(u, id));
      expect(String(offer!.params.text)).toContain('Bạn vừa chuyển tiếp một tin');
      const [platform] = await press(u, offer!, 'Khác');
      const [done] = await press(u, platform!, 'Zalo nhóm');
      expect(String(done!.params.text)).toContain('Mã số báo cáo của bạn');
    }
    const cases = listCases(app.db);
    expect(cases).toHaveLength(1);
    expect(getCase(app.db, cases[0]!.id)).toMatchObject({ reporterCount: 2, mediaRef: 'AgACAgUAAxkBAAI-large-7101' });
  });
});
