/**
 * End to end, webhook mode: the real server and the real grammY client against the fake Bot
 * API, which delivers updates with the secret header as Telegram does.
 *
 * The tests share one app and one fake (an app with its Telegram sender threads costs about 1.5 s
 * of CPU to start): each test talks as its own users, and what it checks in the database or
 * among the calls is that user's, or what its own updates added. Erasure checks the whole
 * database, so it has an app of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUnanswered } from '../../src/db/questions.js';
import Database from 'better-sqlite3';
import { startTestApp } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import type { App } from '../../src/app.js';
import { getPersonByExternal } from '../../src/db/people.js';
import type { Feature } from '../../src/conversation/types.js';

const SECRET = 'test_secret-0123456789abcdef';

/** A feature whose content is hostile to HTML, and one long answer. */
const probe: Feature = {
  name: 'probe',
  commands: {
    html: () => [{ title: 'A <b> & C', text: '1 < 2 && 3 > 2 <script>alert("x")</script> &amp; <i>', buttons: [{ label: '<Tiếp> & tục', action: 'menu' }] }],
    dai: () => [{ text: Array.from({ length: 40 }, (_, i) => `Đoạn ${i + 1}. ${'Quyền con người được bảo đảm & tôn trọng. '.repeat(12)}`).join('\n\n') }],
  },
};

let tg: FakeTelegram;
let app: App;
let url: string;
let close: () => Promise<void>;

async function start(): Promise<void> {
  tg = await startFakeTelegram();
  const started = await startTestApp(
    {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_MODE: 'webhook',
      // The public portal address; the fake plays the portal's proxy to the local server.
      TELEGRAM_WEBHOOK_URL: 'https://portal.example.gov.vn/webhooks/telegram',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    },
    { features: [probe] },
  );
  ({ app, url } = started);
  close = started.close;
  tg.rewriteWebhookUrl = () => `${url}/webhooks/telegram`;
}

async function stop(): Promise<void> {
  await close();
  await tg.close();
}

const sendsTo = (chatId: number) => (c: RecordedCall) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId) && c.status === 200;
/** Inbound Telegram rows stored so far (of every user). */
const storedIn = (): number => (app.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE channel = 'telegram' AND direction = 'in'`).get() as { n: number }).n;

describe('Telegram webhook', () => {
  beforeAll(start);
  afterAll(stop);

  it('sets the webhook with the secret and our update types, and registers Vietnamese commands', async () => {
    expect(tg.webhook).toMatchObject({
      url: 'https://portal.example.gov.vn/webhooks/telegram',
      secret_token: SECRET,
      allowed_updates: ['message', 'edited_message', 'callback_query', 'my_chat_member', 'poll_answer'],
    });
    const menus = tg.callsTo('setMyCommands');
    const commands = menus.flatMap((c) => c.params.commands as { command: string; description: string }[]);
    expect(commands.map((c) => c.command)).toEqual(expect.arrayContaining(['start', 'help', 'hoi', 'chude', 'dangky', 'huy', 'xoadulieu']));
    expect(commands.find((c) => c.command === 'xoadulieu')?.description).toBe('Xoá dữ liệu cá nhân của bạn');
    expect(menus.every((c) => c.status === 200)).toBe(true);
    expect(tg.callsTo('setWebhook')[0]!.status).toBe(200);
  });

  it('answers /start and a question', async () => {
    const r = await tg.pushUpdate(tg.message({ userId: 42, text: '/start' }));
    expect(r).toMatchObject({ delivered: true, status: 200 });
    const greeting = await tg.waitForCall(sendsTo(42));
    expect(greeting.params.text).toContain('Xin chào! Đây là bot thử nghiệm.');
    expect(greeting.params.parse_mode).toBe('HTML');
    const menu = await tg.waitForCall(sendsTo(42), { count: 2 });
    expect((menu.params.reply_markup as { inline_keyboard: unknown[] }).inline_keyboard.length).toBeGreaterThan(0);

    const before = tg.calls.length;
    await tg.pushUpdate(tg.message({ userId: 42, text: 'Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế không?' }));
    const answer = await tg.waitForCall(sendsTo(42), { after: before });
    expect(answer.params.text).toMatch(/bảo hiểm y tế/i);
  });

  it('persists an update before answering 200, and answers without waiting for the reply to be sent', async () => {
    const release = tg.hold('sendMessage');
    const r = await tg.pushUpdate(tg.message({ userId: 7, text: '/help' }));
    expect(r).toMatchObject({ status: 200 });
    const rows = app.db.prepare(`SELECT dedupe_key FROM messages WHERE channel = 'telegram' AND direction = 'in' AND dedupe_key LIKE '%:m:7:%'`).all() as { dedupe_key: string }[];
    expect(rows.map((r) => r.dedupe_key)).toEqual([expect.stringMatching(/^u:\d+:m:7:\d+$/)]);
    expect(tg.callsTo('sendMessage').filter((c) => String(c.params.chat_id) === '7' && !c.pending)).toHaveLength(0); // the reply is still on its way
    release();
    await tg.waitForCall(sendsTo(7));
  });

  it('updates delivered together share a commit, and each is on disk (seen by another connection) when its 200 arrives', async () => {
    const other = new Database(app.db.name, { readonly: true });
    try {
      const updates = Array.from({ length: 8 }, (_, i) => ({ update_id: 778_000 + i, ...tg.message({ userId: 20 + i, text: '/help' }) }));
      const stored = (id: number) =>
        other.prepare(`SELECT COUNT(*) AS n FROM messages WHERE channel = 'telegram' AND direction = 'in' AND dedupe_key LIKE ?`).get(`u:${id}:%`) as { n: number };
      await Promise.all(
        updates.map(async (u) => {
          const r = await tg.postToWebhook(JSON.stringify(u), SECRET);
          expect(r.status).toBe(200);
          expect(stored(u.update_id).n).toBe(1);
        }),
      );
      await app.inbox.drain();
      for (let i = 0; i < 8; i++) expect(tg.callsTo('sendMessage').filter(sendsTo(20 + i))).toHaveLength(1);
    } finally {
      other.close();
    }
  });

  it('handles the same update delivered twice once', async () => {
    const update = { update_id: 777_001, ...tg.message({ userId: 8, text: '/help' }) };
    const before = storedIn();
    const first = await tg.postToWebhook(JSON.stringify(update), SECRET);
    const second = await tg.postToWebhook(JSON.stringify(update), SECRET);
    expect([first.status, second.status]).toEqual([200, 200]);
    await app.inbox.drain();
    expect(tg.callsTo('sendMessage').filter(sendsTo(8))).toHaveLength(1);
    expect(storedIn() - before).toBe(1);
  });

  it('refuses a wrong or missing secret (401), a malformed body (400) and an oversized one (413)', async () => {
    const body = JSON.stringify({ update_id: 1, ...tg.message({ userId: 9, text: 'hi' }) });
    const sendsBefore = tg.callsTo('sendMessage').length;
    const storedBefore = (app.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE channel = 'telegram'`).get() as { n: number }).n;
    expect((await tg.postToWebhook(body, 'wrong_secret-0123456789abcdef')).status).toBe(401);
    expect((await tg.postToWebhook(body, null)).status).toBe(401);
    expect((await tg.postToWebhook('{"update_id": 1, "message": ', SECRET)).status).toBe(400);
    expect((await tg.postToWebhook(JSON.stringify({ hello: 'world' }), SECRET)).status).toBe(400);
    expect((await tg.postToWebhook(JSON.stringify({ update_id: 'x' }), SECRET)).status).toBe(400);
    expect((await tg.postToWebhook(JSON.stringify({ update_id: 2, message: { chat: 'nope' } }), SECRET)).status).toBe(400);
    const big = JSON.stringify({ update_id: 3, message: { message_id: 1, date: 1, chat: { id: 9, type: 'private' }, from: { id: 9 }, text: 'a'.repeat(1024 * 1024 + 10) } });
    expect((await tg.postToWebhook(big, SECRET)).status).toBe(413);
    await app.inbox.drain();
    expect(tg.callsTo('sendMessage')).toHaveLength(sendsBefore);
    const n = app.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE channel = 'telegram'`).get() as { n: number };
    expect(n.n).toBe(storedBefore);
  });

  it('escapes <, > and & everywhere, so Telegram never refuses the HTML', async () => {
    await tg.pushUpdate(tg.message({ userId: 10, text: '/html' }));
    const sent = await tg.waitForCall((c) => c.method === 'sendMessage' && String(c.params.chat_id) === '10');
    expect(sent.status).toBe(200);
    expect(sent.params.text).toBe('<b>A &lt;b&gt; &amp; C</b>\n\n1 &lt; 2 &amp;&amp; 3 &gt; 2 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;amp; &lt;i&gt;');
    expect(tg.sentTexts(10)[0]).toBe('A <b> & C\n\n1 < 2 && 3 > 2 <script>alert("x")</script> &amp; <i>');
  });

  it('splits a long answer at paragraph boundaries under 4096 characters', async () => {
    await tg.pushUpdate(tg.message({ userId: 11, text: '/dai' }));
    await app.inbox.drain();
    const parts = tg.callsTo('sendMessage').filter((c) => String(c.params.chat_id) === '11');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((c) => c.status === 200)).toBe(true);
    for (const text of tg.sentTexts(11)) {
      expect(text.length).toBeLessThanOrEqual(4096);
      expect(text).toMatch(/^Đoạn \d+\./); // each part starts with a paragraph
    }
  });

  it('answers button presses (callback query) and keeps callback_data within 64 bytes', async () => {
    await tg.pushUpdate(tg.message({ userId: 12, text: '/chude' }));
    const menu = await tg.waitForCall(sendsTo(12));
    const rows = (menu.params.reply_markup as { inline_keyboard: { text: string; callback_data?: string }[][] }).inline_keyboard;
    for (const row of rows) for (const b of row) expect(Buffer.byteLength(b.callback_data ?? '')).toBeLessThanOrEqual(64);
    const data = rows[0]![0]!.callback_data!;
    const before = tg.calls.length;
    const press = tg.callbackQuery({ userId: 12, data });
    const pushed = await tg.pushUpdate(press);
    // Answered by an API call, not in the webhook's 200 (a webhook reply's outcome is unknown).
    const id = (press.callback_query as { id: string }).id;
    expect(pushed).toMatchObject({ status: 200, body: JSON.stringify({ ok: true }) });
    const answered = await tg.waitForCall('answerCallbackQuery', { after: before });
    expect(answered).toMatchObject({ status: 200, params: { callback_query_id: id } });
    const topic = await tg.waitForCall(sendsTo(12), { after: before });
    expect(topic.params.text).toContain('Các câu hỏi về');
  });

  it('tells someone who edits a question to send it again, and reads nothing into the edit', async () => {
    // An edit got no reply at all: the person corrected a typo and waited (edited_message was
    // not among the update types asked for).
    await tg.pushUpdate(tg.message({ userId: 14, text: 'bảo hểm y tê tre em' }));
    await app.inbox.drain();
    const before = tg.calls.length;
    const edit = { update_id: 990_001, edited_message: { message_id: 1, date: Math.floor(Date.now() / 1000) - 30, edit_date: Math.floor(Date.now() / 1000), chat: { id: 14, type: 'private' }, from: { id: 14, is_bot: false, first_name: 'An' }, text: 'bảo hiểm y tế trẻ em' } };
    expect(await tg.pushUpdate(edit)).toMatchObject({ delivered: true, status: 200 });
    const note = await tg.waitForCall(sendsTo(14), { after: before });
    expect(note.params.text).toBe('Tôi không đọc lại được tin nhắn đã sửa. Nếu bạn vừa sửa câu hỏi, hãy gửi lại câu hỏi đó thành một tin nhắn mới.');
    expect(listUnanswered(app.db).some((u) => u.question === 'bảo hiểm y tế trẻ em')).toBe(false);
  });

  it('marks a user who blocks the bot inactive, and active again on unblock', async () => {
    await tg.pushUpdate(tg.message({ userId: 13, text: '/start' }));
    await app.inbox.drain();
    await tg.pushUpdate(tg.myChatMember({ userId: 13, status: 'kicked' }));
    await app.inbox.drain();
    expect(getPersonByExternal(app.db, 'telegram', '13')?.status).toBe('gone');
    await tg.pushUpdate(tg.myChatMember({ userId: 13, status: 'member' }));
    await app.inbox.drain();
    expect(getPersonByExternal(app.db, 'telegram', '13')?.status).toBe('active');
  });

  it('marks a person gone when a reply meets 403 blocked', async () => {
    tg.block(14);
    await tg.pushUpdate(tg.message({ userId: 14, text: '/help' }));
    await app.inbox.drain();
    expect(tg.callsTo('sendMessage').filter((c) => String(c.params.chat_id) === '14').at(-1)?.status).toBe(403);
    expect(getPersonByExternal(app.db, 'telegram', '14')).toMatchObject({ status: 'gone', goneReason: 'Forbidden: bot was blocked by the user' });
  });

  it('in a group, answers only /hoi and mentions', async () => {
    const group = -100123;
    const before = storedIn();
    await tg.pushUpdate(tg.message({ userId: 15, chatId: group, text: 'Chào cả nhà, hôm nay họp lúc mấy giờ?' }));
    await tg.pushUpdate(tg.message({ userId: 15, chatId: group, text: '/start' }));
    await tg.pushUpdate(tg.message({ userId: 15, chatId: group, text: '/hoi thủ tục đăng ký khai sinh' }));
    await tg.pushUpdate(tg.message({ userId: 16, chatId: group, text: `@${tg.username} quyền con người là gì?` }));
    await app.inbox.drain();
    const toGroup = tg.callsTo('sendMessage').filter((c) => String(c.params.chat_id) === String(group));
    expect(toGroup).toHaveLength(2);
    expect(String(toGroup[0]!.params.text)).toMatch(/khai sinh/i);
    expect(storedIn() - before).toBe(2);
  });

  it('subscribes by buttons with the consent time, and /huy withdraws it', async () => {
    await tg.pushUpdate(tg.message({ userId: 17, text: '/dangky' }));
    const topics = await tg.waitForCall(sendsTo(17));
    const buttons = (topics.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat();
    let mark = tg.calls.length;
    await tg.pushUpdate(tg.callbackQuery({ userId: 17, data: buttons[0]!.callback_data }));
    await tg.waitForCall(sendsTo(17), { after: mark });
    mark = tg.calls.length;
    await tg.pushUpdate(tg.callbackQuery({ userId: 17, data: 'sub:r' }));
    const regions = await tg.waitForCall(sendsTo(17), { after: mark });
    const skip = (regions.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat().at(-1)!;
    await tg.pushUpdate(tg.callbackQuery({ userId: 17, data: skip.callback_data }));
    await app.inbox.drain();
    const person = getPersonByExternal(app.db, 'telegram', '17')!;
    expect(person.consentAt).not.toBeNull();
    expect(Number.isNaN(Date.parse(person.consentAt!))).toBe(false);
    await tg.pushUpdate(tg.message({ userId: 17, text: '/huy' }));
    await app.inbox.drain();
    expect(getPersonByExternal(app.db, 'telegram', '17')).toMatchObject({ consentAt: null });
    expect(getPersonByExternal(app.db, 'telegram', '17')?.optedOutAt).not.toBeNull();
  });

});

describe('Telegram webhook, erasure', () => {
  beforeAll(start);
  afterAll(stop);

  it('/xoadulieu erases personal data after confirmation', async () => {
    await tg.pushUpdate(tg.message({ userId: 18, text: 'thủ tục đăng ký khai sinh', firstName: 'Nguyễn Văn A' }));
    await tg.pushUpdate(tg.message({ userId: 18, text: '/xoadulieu' }));
    await app.inbox.drain();
    const confirm = tg.callsTo('sendMessage').filter(sendsTo(18)).at(-1)!;
    const yes = (confirm.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat()[0]!;
    await tg.pushUpdate(tg.callbackQuery({ userId: 18, data: yes.callback_data }));
    await app.inbox.drain();
    expect(getPersonByExternal(app.db, 'telegram', '18')).toBeUndefined();
    const texts = app.db.prepare(`SELECT text, payload FROM messages WHERE direction = 'in' AND channel = 'telegram'`).all() as { text: string | null; payload: string | null }[];
    expect(texts.every((t) => t.text === null && t.payload === null)).toBe(true);
    const names = app.db.prepare(`SELECT COUNT(*) AS n FROM people WHERE display_name IS NOT NULL`).get() as { n: number };
    expect(names.n).toBe(0);
  });
});
