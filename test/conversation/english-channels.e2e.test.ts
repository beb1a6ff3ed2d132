/**
 * English UI texts on every channel, end to end (issue 18, item 2): the same cases on the web chat
 * (HTTP), Telegram (webhook, grammY against the fake Bot API), Zalo OA (signed webhooks against
 * the fake Zalo) and the Zalo Bot platform (webhook against its fake). For each: "what do you
 * hold about me" and erasure, the answer notice staff's approval sends later, and the outcome of
 * a disinformation report are English for an English person and stay Vietnamese for a
 * Vietnamese one, including the words a channel adds itself (Zalo's numbered choices).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram } from '../support/fake-telegram.js';
import { startFakeZalo, zaloEnv, type FakeZalo } from '../support/fake-zalo.js';
import { startFakeZaloBot, zaloBotEnv, type FakeZaloBot } from '../support/fake-zalo-bot.js';
import { T } from '../../src/conversation/texts.js';
import { LANG_TEXTS, T_EN } from '../../src/conversation/texts-en.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { listUnanswered } from '../../src/db/questions.js';
import { linkUnansweredToDraft } from '../../src/db/admin.js';
import { notifyAskers } from '../../src/admin/answers.js';
import { listCases, setCaseStatus } from '../../src/db/disinfo.js';
import { tellReporters } from '../../src/admin/disinfo.js';
import { FOLLOW_HINT, FOLLOW_HINT_EN, SUBMIT_THANKS_EN } from '../../src/channels/zalo/feature.js';
import type { ChannelName } from '../../src/messages.js';

type App = Awaited<ReturnType<typeof startTestApp>>;

/** One channel as a person sees it. */
interface Driver {
  name: ChannelName;
  t: App;
  /** A person id on the channel (numeric where the platform's are). */
  user(n: number): string;
  /** The person types `text`; resolves with what the bot sent back for it, joined. */
  say(user: string, text: string): Promise<string>;
  /** Everything the person was sent without asking so far (pushed, or held for the web chat), joined. */
  pushed(user: string): Promise<string>;
}

/** Options every app of this file starts with: no quiet hours (notices leave at once), no flood limit. */
const BOT = { quiet_hours: { start: '00:00', end: '00:00' }, flood_limit: { messages: 1000, seconds: 1 } };
const settle = async (t: App): Promise<void> => {
  await t.app.inbox.drain();
  await t.app.sender.drain();
};

/**
 * One app with every channel on (the web chat, Telegram, Zalo OA and the Zalo Bot platform, each
 * against its fake), shared by the tests of this file: an app with its Telegram sender threads
 * costs about 1.5 s of CPU to start. Each channel's people are its own, and what a test checks is
 * theirs (the questions, cases and notices of its channel).
 */
interface World {
  t: App;
  tg: FakeTelegram;
  zalo: FakeZalo;
  zb: FakeZaloBot;
  close(): Promise<void>;
}

async function startWorld(): Promise<World> {
  const tg = await startFakeTelegram();
  const zalo = await startFakeZalo();
  const zb = await startFakeZaloBot();
  const t = await startTestApp(
    {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_URL: 'https://portal.example.gov.vn/webhooks/telegram',
      TELEGRAM_WEBHOOK_SECRET: 'test_secret-0123456789abcdef',
      ...zaloEnv(zalo),
      ...zaloBotEnv(zb, {
        ZALO_BOT_MODE: 'webhook',
        ZALO_BOT_WEBHOOK_URL: 'https://portal.example.gov.vn/webhooks/zalo-bot',
        ZALO_BOT_WEBHOOK_SECRET: 'zalo-bot_secret-0123456789',
      }),
    },
    { bot: BOT },
  );
  tg.rewriteWebhookUrl = () => `${t.url}/webhooks/telegram`;
  zb.rewriteWebhookUrl = () => `${t.url}/webhooks/zalo-bot`;
  return {
    t,
    tg,
    zalo,
    zb,
    close: async () => {
      await t.close();
      await tg.close();
      await zalo.close();
      await zb.close();
    },
  };
}

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 60_000);
afterAll(async () => {
  await world?.close();
});

function webDriver({ t }: World): Driver {
  const held = new Map<string, string[]>();
  return {
    name: 'web',
    t,
    user: (n) => `session-en-ch-${n}`,
    async say(user, text) {
      const res = await fetch(`${t.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session: user, text }) });
      const body = (await res.json()) as { replies: { text: string; buttons?: { label: string }[] }[] };
      return body.replies.map((r) => [r.text, ...(r.buttons ?? []).map((b) => b.label)].join('\n')).join('\n');
    },
    async pushed(user) {
      // The web chat cannot be pushed to: what was kept is handed over when the visitor comes back.
      const body = (await (await fetch(`${t.url}/api/chat/held?session=${user}`)).json()) as { replies: { text: string }[] };
      const all = [...(held.get(user) ?? []), ...body.replies.map((r) => r.text)];
      held.set(user, all);
      return all.join('\n');
    },
  };
}

function telegramDriver({ t, tg }: World): Driver {
  // What a chat shows: each message's text and its inline keyboard's labels.
  const shown = (user: string, from = 0): string =>
    tg.calls
      .slice(from)
      .filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === user && c.status === 200)
      .map((c) => [String(c.params.text), ...((c.params.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text)].join('\n'))
      .join('\n');
  return {
    name: 'telegram',
    t,
    user: (n) => String(7100 + n),
    async say(user, text) {
      const before = tg.calls.length;
      await tg.pushUpdate(tg.message({ userId: Number(user), text }));
      await settle(t);
      return shown(user, before);
    },
    pushed: async (user) => shown(user),
  };
}

function zaloDriver({ t, zalo }: World): Driver {
  const hook = `${t.url}/webhooks/zalo`;
  const textsTo = (user: string) => zalo.sent.filter((s) => s.userId === user).map((s) => s.message.text ?? '');
  return {
    name: 'zalo',
    t,
    user: (n) => {
      const id = `87134517865432${String(n).padStart(5, '0')}`;
      zalo.addUser({ id, name: `User ${n}` });
      return id;
    },
    async say(user, text) {
      const before = textsTo(user).length;
      const res = await zalo.deliverWebhook(hook, zalo.textEvent(user, text));
      expect(res.status).toBe(200);
      await settle(t);
      return textsTo(user).slice(before).join('\n');
    },
    pushed: async (user) => textsTo(user).join('\n'),
  };
}

function zaloBotDriver({ t, zb }: World): Driver {
  let seq = 0;
  return {
    name: 'zalo-bot',
    t,
    user: (n) => `e4ea2cd5189df1c3a8${String(n).padStart(2, '0')}`,
    async say(user, text) {
      const before = zb.textsTo(user).length;
      const res = await zb.deliver(zb.text({ userId: user, text, messageId: `en-m${++seq}` }));
      expect(res).toMatchObject({ status: 200 });
      await settle(t);
      return zb.textsTo(user).slice(before).join('\n');
    },
    pushed: async (user) => zb.textsTo(user).join('\n'),
  };
}

/** Waits until `fn` holds (a notice leaves through the outbox or the sender in the background). */
async function until(what: string, fn: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const DRIVERS: Record<ChannelName, (world: World) => Driver> = { web: webDriver, telegram: telegramDriver, zalo: zaloDriver, 'zalo-bot': zaloBotDriver };
/** Channels that number the choices in the text (and add a hint of their own). */
const NUMBERED: readonly ChannelName[] = ['zalo', 'zalo-bot'];

describe.each(['web', 'telegram', 'zalo', 'zalo-bot'] as const)('English UI texts on %s', (channel) => {
  let d: Driver;
  beforeAll(() => {
    d = DRIVERS[channel](world);
  });

  it('/dulieucuatoi and /xoadulieu: English for an English person, Vietnamese for a Vietnamese one', async () => {
    const en = d.user(1);
    expect(await d.say(en, '/en')).toContain(LANG_TEXTS.en.switched);
    const data = await d.say(en, '/dulieucuatoi');
    expect(data).toContain('The personal data we hold about you:');
    expect(data).toContain('• Messages you sent: ');
    expect(data).toContain('To delete this data, type /xoadulieu.');
    expect(data).not.toMatch(/Dữ liệu cá nhân|Tin nhắn bạn đã gửi/);
    const confirm = await d.say(en, '/xoadulieu');
    expect(confirm).toContain(T_EN.eraseConfirm);
    expect(confirm).toContain(T_EN.eraseYes);
    if (NUMBERED.includes(channel)) {
      expect(confirm).toContain('Type 1 or 2 to choose.');
      expect(confirm).not.toContain('để chọn');
    }
    expect(await d.say(en, '1')).toContain(T_EN.eraseDone);

    const vi = d.user(2);
    await d.say(vi, 'xin chào');
    const dataVi = await d.say(vi, '/dulieucuatoi');
    expect(dataVi).toContain('Dữ liệu cá nhân chúng tôi đang lưu về bạn:');
    expect(dataVi).not.toContain('The personal data');
    const confirmVi = await d.say(vi, '/xoadulieu');
    expect(confirmVi).toContain(T.eraseConfirm);
    if (NUMBERED.includes(channel)) expect(confirmVi).toContain('Gõ 1 hoặc 2 để chọn.');
    expect(await d.say(vi, '2')).toContain(T.eraseCancelled);
  });

  it('/thi: the contest flow’s own words in the person’s language', async () => {
    const en = d.user(7);
    await d.say(en, '/en');
    const list = await d.say(en, '/thi');
    expect(list).toContain('Contests open now. Choose one to take part:');
    if (NUMBERED.includes(channel)) expect(list).toMatch(/Type 1( or 2|(, \d)+ or \d)? to choose\./);
    const intro = await d.say(en, '1');
    expect(intro).toContain('Organiser:');
    expect(intro).toContain('Before you register, please read and confirm:');
    expect(intro).toContain('I agree');
    expect(await d.say(en, '1')).toContain('Please type your full name');
    // A Vietnamese name is data, not a sign of the person's language: the flow stays English.
    const unit = await d.say(en, 'Nguyễn Thị Lan');
    expect(unit).toContain('Which unit are you from');
    expect(unit).not.toContain('Bạn thuộc đơn vị nào');
    const vi = d.user(8);
    const listVi = await d.say(vi, '/thi');
    expect(listVi).toContain('Các cuộc thi đang mở. Chọn một cuộc thi để tham gia:');
    expect(await d.say(vi, '1')).toContain('Đơn vị tổ chức:');
  });

  it('the answer notice staff’s approval sends later is in the asker’s language', async () => {
    const en = d.user(3);
    const vi = d.user(4);
    const qEn = 'Can I extend my tourist visa at the airport?';
    const qVi = 'Xin hỏi thủ tục xin phép bắn pháo hoa đêm giao thừa ở thôn?';
    expect(await d.say(en, qEn)).toContain(T_EN.noAnswer);
    expect(await d.say(vi, qVi)).toContain(T.noAnswer);
    const db = d.t.app.db;
    const open = listUnanswered(db).filter((u) => u.channel === channel);
    const idOf = (q: string) => open.find((u) => u.question === q)!.id;
    linkUnansweredToDraft(db, [idOf(qEn)], 'crc-ratification-en', 'staff');
    linkUnansweredToDraft(db, [idOf(qVi)], 'can-cuoc-cong-dan-cu-va-cmnd', 'staff');
    for (const id of ['crc-ratification-en', 'can-cuoc-cong-dan-cu-va-cmnd']) notifyAskers(d.t.app, d.t.app.knowledge.getQa(id)!);
    await until('the English notice', async () => (await d.pushed(en)).includes('Your question has been answered'));
    await until('the Vietnamese notice', async () => (await d.pushed(vi)).includes('Câu hỏi của bạn đã có câu trả lời'));
    const toEn = await d.pushed(en);
    expect(toEn).toContain(`You asked: “${qEn}”`);
    expect(toEn).toContain('Sources: ');
    expect(toEn).not.toMatch(/Bạn đã hỏi|Nguồn:/);
    const toVi = await d.pushed(vi);
    expect(toVi).toContain(`Bạn đã hỏi: “${qVi}”`);
    expect(toVi).not.toContain('You asked');
  });

  it('the outcome of a disinformation report is in the reporter’s language', async () => {
    const en = d.user(5);
    const vi = d.user(6);
    const link = `https://example.com/post/${channel}-rumour`;
    await d.say(en, '/en');
    expect(await d.say(en, '/baocao')).toContain('Please send the link');
    // The reported post is Vietnamese: the flow still speaks the reporter's language, and so do
    // the words the Zalo channels add.
    const topics = await d.say(en, `${link} Tin đồn: xã sẽ thu hồi đất của mọi hộ dân trong tháng này`);
    expect(topics).toContain('What is the post about?');
    if (NUMBERED.includes(channel)) {
      expect(topics).toMatch(/Type (1, 2 or 3|a number from 1 to \d+) to choose\./);
      expect(topics).not.toContain('để chọn');
    }
    expect(await d.say(en, '1')).toContain('Where did you see it?');
    expect(await d.say(en, '1')).toMatch(/Thank you for your report! Your report number: BC-/);
    expect(await d.say(vi, `/baocao ${link}`)).toContain('Tin này nói về vấn đề gì?');
    await d.say(vi, '1');
    expect(await d.say(vi, '1')).toContain('Cảm ơn bạn đã báo tin!');

    const db = d.t.app.db;
    const c = listCases(db).find((x) => x.url?.includes(`${channel}-rumour`) ?? false)!;
    setCaseStatus(db, c.id, { status: 'confirmed_false', actor: 'staff' });
    setCaseStatus(db, c.id, { status: 'handled', outcome: 'platform', actor: 'staff' });
    expect(tellReporters({ db, sender: d.t.app.sender, channels: d.t.app.channels, knowledge: d.t.app.knowledge }, c.id)).toBe(2);
    await until('the English outcome', async () => (await d.pushed(en)).includes('Outcome of your report'));
    await until('the Vietnamese outcome', async () => (await d.pushed(vi)).includes('Kết quả xử lý báo cáo'));
    const toEn = await d.pushed(en);
    expect(toEn).toContain('this is false or harmful information. The authorities have asked the platform to remove it.');
    expect(toEn).not.toContain('Kết quả xử lý');
    expect(await d.pushed(vi)).toContain('Cơ quan chức năng đã đề nghị nền tảng gỡ bỏ tin này.');
  });
});

describe('Zalo OA follow greeting', () => {
  it('greets a follower in their language: Vietnamese for a new one, English after /en', async () => {
    const { t, zalo } = world;
    const hook = `${t.url}/webhooks/zalo`;
    const follow = (id: string, at: string) => zalo.deliverWebhook(hook, { app_id: zalo.appId, oa_id: zalo.oaId, event_name: 'follow', timestamp: at, source: 'oa_profile', follower: { id } });
    const textsTo = (id: string) => zalo.sent.filter((s) => s.userId === id).map((s) => s.message.text ?? '');
    const fresh = '8713451786543219001';
    zalo.addUser({ id: fresh, name: 'Lan' });
    await follow(fresh, String(Date.now() - 3000));
    await settle(t);
    expect(textsTo(fresh).join('\n')).toContain(FOLLOW_HINT);

    const jane = '8713451786543219002';
    zalo.addUser({ id: jane, name: 'Jane' });
    await zalo.deliverWebhook(hook, zalo.textEvent(jane, '/en'));
    await settle(t);
    expect(getPersonByExternal(t.app.db, 'zalo', jane)?.lang).toBe('en');
    const before = textsTo(jane).length;
    await follow(jane, String(Date.now() - 2000));
    await settle(t);
    const greeting = textsTo(jane).slice(before).join('\n');
    expect(greeting).toContain(LANG_TEXTS.en.greeting(t.app.config.bot.name));
    expect(greeting).toContain(FOLLOW_HINT_EN);

    // The Zalo form: thanked in English, and shown in English by /dulieucuatoi.
    const mark = textsTo(jane).length;
    const info = { name: 'Jane Doe', phone: '0912345678', address: '1 Pho Hien', ward: '', district: '', city: 'Hung Yen' };
    await zalo.deliverWebhook(hook, { app_id: zalo.appId, event_name: 'user_submit_info', timestamp: String(Date.now() - 1000), sender: { id: jane }, recipient: { id: zalo.oaId }, info });
    await settle(t);
    expect(textsTo(jane).slice(mark).join('\n')).toBe(SUBMIT_THANKS_EN);
    await zalo.deliverWebhook(hook, zalo.textEvent(jane, '/dulieucuatoi'));
    await settle(t);
    const data = textsTo(jane).slice(mark + 1).join('\n');
    expect(data).toContain('What you sent through the Zalo form:');
    expect(data).toContain('name Jane Doe; phone 0912345678; 1 Pho Hien, Hung Yen');
    expect(data).toContain('• Channel: Zalo');
  });
});
