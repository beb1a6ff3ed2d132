/**
 * End to end, webhook mode: the real server (startTestApp) with ZALO_BOT_* pointing at the fake
 * Zalo Bot platform, which POSTs updates with the secret header as the platform does. Everything
 * the issue asks of the channel, the same flow as Telegram's: a question answered with its
 * source, /dangky then a campaign received, a quiz answered by numbers, a disinformation report,
 * erasure; and the webhook's refusals (401, 400, 413) and dedupe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { startTestApp } from '../support/app.js';
import { startFakeZaloBot, zaloBotEnv, type FakeZaloBot } from '../support/fake-zalo-bot.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { activeAttemptOf, finishedAttempts, getAttemptQuestion } from '../../src/db/quiz.js';
import { listCases } from '../../src/db/disinfo.js';
import { createCampaignService } from '../../src/campaigns/service.js';
import { createUser } from '../../src/db/users.js';
import { deliveryCounts } from '../../src/db/campaigns.js';

const SECRET = 'zalo-bot_secret-0123456789';
const USER = 'e4ea2cd5189df1c3a88c';

let zb: FakeZaloBot;
let t: Awaited<ReturnType<typeof startTestApp>>;
let now = new Date('2026-11-23T03:00:00Z');
let seq = 0;

/** A started app and fake; one is shared by the tests (an app costs about 0.5 s of CPU to start). */
async function start(): Promise<void> {
  zb = await startFakeZaloBot();
  t = await startTestApp(
    zaloBotEnv(zb, {
      ZALO_BOT_MODE: 'webhook',
      // The public portal address; the fake plays the portal's proxy to the local server.
      ZALO_BOT_WEBHOOK_URL: 'https://portal.example.gov.vn/webhooks/zalo-bot',
      ZALO_BOT_WEBHOOK_SECRET: SECRET,
      // The 1-a-second default per chat would make each multi-message turn wait in real time.
      ZALO_BOT_RATE_PER_CHAT: '50',
    }),
    { now: () => now, bot: { flood_limit: { messages: 1000, seconds: 1 }, quiet_hours: { start: '00:00', end: '00:00' } } },
  );
  zb.rewriteWebhookUrl = () => `${t.url}/webhooks/zalo-bot`;
}

async function stop(): Promise<void> {
  await t.close();
  await zb.close();
}

/** Inbound Zalo Bot rows stored so far (of every user). */
const storedIn = (): number => (t.app.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE channel = 'zalo-bot' AND direction = 'in'`).get() as { n: number }).n;

/** The person types `text`; resolves with what the bot sent back for it, joined. */
async function say(text: string, o: { user?: string; messageId?: string } = {}): Promise<string> {
  const user = o.user ?? USER;
  const before = zb.sent.length;
  const res = await zb.deliver(zb.text({ userId: user, text, messageId: o.messageId ?? `m${++seq}` }));
  expect(res).toMatchObject({ status: 200 });
  await t.app.inbox.drain();
  await t.app.sender.drain();
  return zb.sent
    .slice(before)
    .filter((s) => s.chatId === user)
    .map((s) => s.text)
    .join('\n');
}

/** The number of the choice labelled `label` in a numbered block ("3. Khác"). */
function numberOf(text: string, label: string): string {
  const m = text.match(new RegExp(`(?:^|\\n)(\\d+)\\. ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\n|$)`));
  if (!m) throw new Error(`test: no choice '${label}' in:\n${text}`);
  return m[1]!;
}

// The tests share one app and one fake: each talks as its own user, and what it checks in the
// database or among the sent messages is that user's, or what its own deliveries added. Erasure
// checks the whole database, so it has an app of its own (below).
describe('Zalo Bot webhook end to end', () => {
  beforeAll(start);
  afterAll(stop);

  it('sets the webhook with the secret, and shows the channel connected', async () => {
    expect(zb.webhook).toEqual({ url: 'https://portal.example.gov.vn/webhooks/zalo-bot', secret_token: SECRET });
    expect(zb.callsTo('getMe')[0]!.status).toBe(200);
    const health = (await (await fetch(`${t.url}/healthz`)).json()) as { channels: Record<string, { state: string }> };
    expect(health.channels['zalo-bot']!.state).toBe('connected');
  });

  it('answers a question with its source, in plain text within 2,000 characters', async () => {
    const out = await say('Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế không?');
    expect(out).toMatch(/bảo hiểm y tế/i);
    expect(out).toContain('Nguồn:');
    expect(out).not.toMatch(/<\/?b>|\*\*/);
    for (const s of zb.sent) expect(s.text.length).toBeLessThanOrEqual(2000);
    const person = getPersonByExternal(t.app.db, 'zalo-bot', USER)!;
    expect(person.displayName).toBe('Người dùng Zalo');
  });

  it('answers the words sent with a video or file the platform reports as unsupported; a bare one is told to type', async () => {
    const user = 'caption-1';
    const unsupported = (o: { caption?: string }) => ({
      event_name: 'message.unsupported.received',
      message: { message_id: `m${++seq}`, from: { id: user, display_name: 'Người dùng Zalo', is_bot: false }, chat: { id: user, chat_type: 'PRIVATE' }, date: Date.now(), ...o },
    });
    const reply = async (update: ReturnType<typeof unsupported>): Promise<string> => {
      const before = zb.sent.length;
      expect(await zb.deliver(update)).toMatchObject({ status: 200 });
      await t.app.inbox.drain();
      await t.app.sender.drain();
      return zb.sent.slice(before).filter((x) => x.chatId === user).map((x) => x.text).join('\n');
    };
    const answered = await reply(unsupported({ caption: 'Làm căn cước cho trẻ em ở đâu?' }));
    expect(answered).toMatch(/Trẻ dưới 14 tuổi có làm thẻ căn cước/);
    expect(answered).not.toMatch(/chỉ đọc được tin nhắn dạng chữ/);
    expect(await reply(unsupported({}))).toMatch(/chỉ đọc được tin nhắn dạng chữ/);
  });

  it('answers /chude with numbered choices and takes "2" as the second choice', async () => {
    const user = 'chude-1';
    const menu = await say('/chude', { user });
    expect(menu).toMatch(/Gõ (1, 2.*|một số từ 1 đến \d+) để chọn\./);
    const second = menu.split('\n').find((l) => l.startsWith('2. '))!.slice(3);
    expect(await say('2', { user })).toContain(`Các câu hỏi về “${second}”`);
  });

  it('handles the same update delivered twice once, and accepts the {ok, result} wrapping', async () => {
    const user = 'dup-user';
    const stored = storedIn();
    const update = zb.text({ userId: user, text: '/help', messageId: 'dup-1' });
    const first = await zb.deliver(update);
    const second = await zb.deliver(update);
    zb.wrapWebhook = true;
    const wrapped = await zb.deliver(update);
    expect([first, second, wrapped].map((r) => ('status' in r ? r.status : 0))).toEqual([200, 200, 200]);
    expect('body' in second && JSON.parse(second.body)).toMatchObject({ duplicate: true });
    await t.app.inbox.drain();
    await t.app.sender.drain();
    expect(zb.sent.filter((s) => s.chatId === user)).toHaveLength(1);
    expect(storedIn() - stored).toBe(1);
    zb.wrapWebhook = false;
  });

  it('refuses a wrong or missing secret (401), a malformed body (400) and an oversized one (413), storing nothing', async () => {
    const user = 'refused-user';
    const sent = zb.sent.length;
    const stored = t.app.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE channel = 'zalo-bot'`).get() as { n: number };
    const body = JSON.stringify(zb.text({ userId: user, text: 'xin chào' }));
    expect((await zb.postToWebhook(body, 'wrong-secret-0123456789ab')).status).toBe(401);
    expect((await zb.postToWebhook(body, null)).status).toBe(401);
    expect((await zb.postToWebhook('{"event_name": "message.text.received", "message": ', SECRET)).status).toBe(400);
    expect((await zb.postToWebhook(JSON.stringify({ hello: 'world' }), SECRET)).status).toBe(400);
    expect((await zb.postToWebhook(JSON.stringify({ event_name: 'message.text.received', message: { text: 'x' } }), SECRET)).status).toBe(400);
    const big = JSON.stringify(zb.text({ userId: user, text: 'a'.repeat(1024 * 1024 + 10) }));
    expect((await zb.postToWebhook(big, SECRET)).status).toBe(413);
    await t.app.inbox.drain();
    expect(zb.sent.length - sent).toBe(0);
    const n = t.app.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE channel = 'zalo-bot'`).get() as { n: number };
    expect(n.n - stored.n).toBe(0);
    expect(getPersonByExternal(t.app.db, 'zalo-bot', user)).toBeUndefined();
  });

  it('/dangky by numbers records consent, and the campaign then reaches the person', async () => {
    let out = await say('/dangky');
    out = await say(numberOf(out, 'Chọn tất cả'));
    expect(out).toContain('Bạn ở địa bàn nào?');
    await say(numberOf(out, 'Bỏ qua'));
    const person = getPersonByExternal(t.app.db, 'zalo-bot', USER)!;
    expect(person.consentAt).not.toBeNull();

    const db = t.app.db;
    createUser(db, { username: 'lan', roles: ['broadcaster'] });
    createUser(db, { username: 'minh', roles: ['approver', 'broadcaster'] });
    const s = createCampaignService({ db, regions: () => ({ regions: t.app.knowledge.state.regions, root: 'hung-yen' }), topics: () => [] });
    const c = s.create('lan', { title: 'Tuần lễ quyền trẻ em', text: 'Mời bạn tham gia tuần lễ tuyên truyền về quyền trẻ em.', links: [{ label: 'Chi tiết', url: 'https://example.gov.vn/tuan-le' }], channels: ['zalo-bot'] });
    s.submit('lan', c.id);
    s.approve('minh', c.id);
    const done = once(t.app.campaigns.outbox.events, 'done');
    s.schedule('minh', c.id);
    await done;
    const got = zb.textsTo(USER).at(-1)!;
    expect(got).toBe('Tuần lễ quyền trẻ em\n\nMời bạn tham gia tuần lễ tuyên truyền về quyền trẻ em.\n\nNhắn HUY để thôi nhận tin.\n\nChi tiết: https://example.gov.vn/tuan-le');
    expect(deliveryCounts(db, c.id)).toMatchObject({ targeted: 1, sent: 1, failed: 0 });

    // /huy withdraws it.
    await say('/huy');
    expect(getPersonByExternal(t.app.db, 'zalo-bot', USER)).toMatchObject({ consentAt: null });
  });

  it('runs a quiz answered by typed numbers; a redelivered answer counts once', async () => {
    let out = await say('/thi');
    out = await say(numberOf(out, 'Luyện tập nhanh - Quyền trẻ em'));
    expect(out).toContain('Tôi đồng ý');
    out = await say(numberOf(out, 'Tôi đồng ý'));
    expect(out).toContain('họ và tên');
    await say('Nguyễn Văn Tùng');
    out = await say('Chi đoàn thôn Bắc');
    expect(out).toContain('Cảm ơn Nguyễn Văn Tùng (Chi đoàn thôn Bắc)');
    out = await say('1');
    expect(out).toContain('Câu 1/5');
    // The options are listed once, numbered, with no button anywhere.
    expect(out.match(/^1\. /gm)).toHaveLength(1);

    const person = getPersonByExternal(t.app.db, 'zalo-bot', USER)!;
    const attempt = activeAttemptOf(t.app.db, person.id)!;
    for (let n = 0; n < 5; n++) {
      const right = getAttemptQuestion(t.app.db, attempt.id, n)!.correct;
      now = new Date(now.getTime() + 4000);
      out = await say(String(right + 1), { messageId: `ans-${n}` });
      expect(out).toContain('Chính xác!');
      expect(await say(String(right + 1), { messageId: `ans-${n}` })).toBe('');
    }
    expect(out).toContain('Điểm: 50 (5/5 câu đúng)');
    expect(finishedAttempts(t.app.db, 'luyen-tap-quyen-tre-em')).toMatchObject([{ score: 50, channel: 'zalo-bot', name: 'Nguyễn Văn Tùng' }]);
  });

  it('takes a /baocao disinformation report by numbers, with a case number', async () => {
    const first = await say('/baocao https://www.facebook.com/groups/4455/posts/7312');
    expect(first).toContain('Tin này nói về vấn đề gì?');
    const where = await say(numberOf(first, 'Khác'));
    expect(where).toContain('Bạn thấy tin này ở đâu?');
    const done = await say(numberOf(where, 'Zalo nhóm'));
    expect(done).toMatch(/Mã số báo cáo của bạn: BC-\d{4}-\d{4}/);
    expect(listCases(t.app.db)).toMatchObject([{ reporterCount: 1, url: 'https://facebook.com/groups/4455/posts/7312', platform: 'zalo' }]);
  });

  it('marks a person gone when a reply meets 403 blocked', async () => {
    zb.block('blocked-1');
    await say('/help', { user: 'blocked-1' });
    expect(zb.callsTo('sendMessage').at(-1)?.status).toBe(403);
    expect(getPersonByExternal(t.app.db, 'zalo-bot', 'blocked-1')).toMatchObject({ status: 'gone' });
  });

  it('in a group, answers only /hoi', async () => {
    const stored = storedIn();
    for (const text of ['Chào cả nhà', '/start', '/hoi thủ tục đăng ký khai sinh'])
      await zb.deliver(zb.text({ userId: 'u-g', chatId: 'group-1', group: true, text }));
    await t.app.inbox.drain();
    await t.app.sender.drain();
    const toGroup = zb.sent.filter((s) => s.chatId === 'group-1');
    expect(toGroup.length).toBeGreaterThan(0);
    expect(toGroup.map((s) => s.text).join('\n')).toMatch(/khai sinh/i);
    expect(storedIn() - stored).toBe(1);
  });
});

describe('Zalo Bot webhook end to end, erasure', () => {
  beforeAll(start);
  afterAll(stop);

  it('/xoadulieu erases the person after a typed confirmation', async () => {
    await say('thủ tục đăng ký khai sinh');
    const confirm = await say('/xoadulieu');
    await say(numberOf(confirm, 'Đồng ý xoá'));
    expect(getPersonByExternal(t.app.db, 'zalo-bot', USER)).toBeUndefined();
    const texts = t.app.db.prepare(`SELECT text, payload FROM messages WHERE direction = 'in' AND channel = 'zalo-bot'`).all() as { text: string | null }[];
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.every((r) => r.text === null)).toBe(true);
  });
});
