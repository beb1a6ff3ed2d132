import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESS_FLOOD_FACTOR, createConversation, type Conversation } from '../../src/conversation/conversation.js';
import { createSubscriptionFeature } from '../../src/conversation/subscription.js';
import { openDb, type Db } from '../../src/db/index.js';
import { getPersonByExternal, topicsOf } from '../../src/db/people.js';
import { listUnanswered } from '../../src/db/questions.js';
import { webCapabilities } from '../../src/channels/web/web.js';
import type { Inbound } from '../../src/channels/channel.js';
import { shippedKnowledge, testConfig } from '../support/app.js';
import { createFloodLimiter } from '../../src/conversation/flood.js';
import { T } from '../../src/conversation/texts.js';

let db: Db;
let convo: Conversation;
let n = 0;
let clock = new Date('2026-11-23T03:00:00Z');
const config = testConfig();
const knowledge = shippedKnowledge();

beforeAll(() => {
  db = openDb(':memory:');
  convo = createConversation({ db, knowledge, config, features: [createSubscriptionFeature()], now: () => clock });
});
afterAll(() => {
  db.close();
  config.cleanup();
});

const say = (user: string, text: string) =>
  convo.handle({ channel: 'web', userId: user, dedupeKey: `k${n++}`, type: 'text', text } as Inbound, webCapabilities);
const press = (user: string, action: string, caps = webCapabilities) =>
  convo.handle({ channel: 'web', userId: user, dedupeKey: `k${n++}`, type: 'action', action } as Inbound, caps);
/** The web chat refuses /dangky (it cannot send news): subscribing is tested as on a channel that can write first. */
const pushable = { ...webCapabilities, canPush: true };

describe('conversation core', () => {
  it('/start greets with the bot YAML greeting and a topic menu', async () => {
    const r = await say('u-start', '/start');
    expect(r[0]!.text).toBe(config.bot.greeting);
    expect(r[1]!.buttons!.length).toBeGreaterThan(3);
    for (const b of r[1]!.buttons!) expect(Buffer.byteLength(b.action)).toBeLessThanOrEqual(64);
  });

  it('answers with the text, its sources and the review date, with or without diacritics', async () => {
    for (const q of ['Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế miễn phí không?', 'tre em duoi 6 tuoi co the bhyt mien phi khong']) {
      const [r] = await say('u-answer', q);
      expect(r!.title).toBeTruthy();
      expect(r!.text).toContain('Nguồn:');
      expect(r!.text).toMatch(/duyệt ngày \d{2}\/\d{2}\/\d{4}/);
    }
  });

  it('gives the honest no-answer with at most 3 suggestions and queues the question for staff', async () => {
    const q = 'Thủ tục đổi bằng lái xe ô tô hết hạn làm ở đâu?';
    const [r] = await say('u-none', q);
    expect(r!.text).toContain('chưa có câu trả lời đã được duyệt');
    expect(r!.buttons!.length).toBeLessThanOrEqual(3);
    expect(listUnanswered(db).some((u) => u.question === q)).toBe(true);
  });

  it('asks what a one-word message wants to know, offers the entries that have the word, and queues nothing', async () => {
    // These got a confident answer from whichever entry shares the word: "đất" the complaints
    // entry, "thuế" the citizen's basic duties, "mẹ" the right to cultural creativity.
    for (const word of ['đất', 'thuế', 'mẹ', 'dat?']) {
      const [r] = await say('u-vague', word);
      expect(r!.text).toBe(T.vagueQuestion(word.replace('?', '')));
      expect(r!.buttons!.length).toBeGreaterThan(0);
      expect(r!.buttons!.length).toBeLessThanOrEqual(3);
      expect(listUnanswered(db).some((u) => u.question === word)).toBe(false);
    }
    // The word is repeated back without a bidi override hidden in it (a group reads the reply).
    const [hidden] = await say('u-vague', 'thuế\u202E');
    expect(hidden!.text).toBe(T.vagueQuestion('thuế'));
    // Two words, or one with a question around it, are questions as before.
    expect((await say('u-vague', 'bhyt trẻ em'))[0]!.title).toBeTruthy();
    expect((await say('u-vague', 'Loa là gì?'))[0]!.title).toBeTruthy();
  });

  it('a typed number picks the numbered choice shown last', async () => {
    const menu = await say('u-num', '/chude');
    const first = menu[0]!.buttons![0]!;
    const viaNumber = await say('u-num', '1');
    const viaButton = await press('u-num2', first.action);
    expect(viaNumber[0]!.text).toBe(viaButton[0]!.text);
  });

  it('handles empty, emoji-only and 10,000-character messages sensibly', async () => {
    expect((await say('u-odd', '   '))[0]!.text).toContain('gõ câu hỏi');
    expect((await say('u-odd', '👍🙏'))[0]!.text).toContain('bằng chữ');
    expect((await say('u-odd', 'quyền '.repeat(2000)))[0]!.text).toContain('quá dài');
  });

  it('unknown commands get a pointer to /help', async () => {
    expect((await say('u-cmd', '/khongco'))[0]!.text).toContain('/help');
  });

  it('/dangky records topics, region and consent time; HUY withdraws at once', async () => {
    await convo.handle({ channel: 'web', userId: 'u-sub', dedupeKey: `k${n++}`, type: 'text', text: '/dangky' } as Inbound, pushable);
    await press('u-sub', 'sub:t:bao-hiem-y-te', pushable);
    await press('u-sub', 'sub:r', pushable);
    const done = await press('u-sub', 'sub:rs:pho-hien', pushable);
    expect(done[0]!.text).toContain('đã đăng ký');
    let p = getPersonByExternal(db, 'web', 'u-sub')!;
    expect(p.consentAt).toBe(clock.toISOString());
    expect(p.region).toBe('pho-hien');
    expect(topicsOf(db, p.id)).toEqual(['bao-hiem-y-te']);
    await say('u-sub', 'HUY');
    p = getPersonByExternal(db, 'web', 'u-sub')!;
    expect(p.consentAt).toBeNull();
    expect(p.optedOutAt).not.toBeNull();
  });

  // Seen on a trial run: an office's own regions.yaml (rooted at ninh-binh) with the sample bot
  // YAML's regions_root: hung-yen left the region menu with "Bỏ qua" only.
  it('/dangky offers the regions of regions.yaml when the bot YAML names a regions_root that is not there', async () => {
    const other = testConfig({}, { regions_root: 'khong-co-tinh-nay' });
    const odb = openDb(':memory:');
    try {
      const c = createConversation({ db: odb, knowledge, config: other, features: [createSubscriptionFeature()], now: () => clock });
      const act = (action: string) => c.handle({ channel: 'web', userId: 'u-root', dedupeKey: `k${n++}`, type: 'action', action } as Inbound, pushable);
      await c.handle({ channel: 'web', userId: 'u-root', dedupeKey: `k${n++}`, type: 'text', text: '/dangky' } as Inbound, pushable);
      await act('sub:t:bao-hiem-y-te');
      const menu = (await act('sub:r'))[0]!;
      const top = knowledge.state.regions[0]!;
      expect(menu.buttons!.map((b) => b.action)).toContain(`sub:rs:${top.slug}`);
      expect(menu.buttons!.length).toBeGreaterThan(2);
    } finally {
      odb.close();
      other.cleanup();
    }
  });

  it('/xoadulieu erases personal data only after confirmation', async () => {
    await say('u-erase', 'bhyt cho tre em');
    await say('u-erase', '/xoadulieu');
    expect(getPersonByExternal(db, 'web', 'u-erase')).toBeDefined();
    const r = await press('u-erase', 'erase:yes');
    expect(r[0]!.text).toContain('đã được xoá');
    expect(getPersonByExternal(db, 'web', 'u-erase')).toBeUndefined();
    const texts = db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE text LIKE '%bhyt cho tre em%'`).get() as { n: number };
    expect(texts.n).toBe(0);
  });
});

describe('flood limit', () => {
  it('warns once, then drops, then recovers after the window', () => {
    const f = createFloodLimiter(3, 10_000);
    const t0 = 1_000_000;
    expect([0, 1, 2].map((i) => f.hit('a', t0 + i))).toEqual(['ok', 'ok', 'ok']);
    expect(f.hit('a', t0 + 3)).toBe('warn');
    expect(f.hit('a', t0 + 4)).toBe('drop');
    expect(f.hit('b', t0 + 4)).toBe('ok');
    expect(f.hit('a', t0 + 20_000)).toBe('ok');
  });

  it('answers again as soon as the window has room, even if the person kept typing', () => {
    const f = createFloodLimiter(3, 10_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) expect(f.hit('a', t0 + i * 1000)).toBe('ok');
    expect(f.hit('a', t0 + 5000)).toBe('warn');
    expect(f.hit('a', t0 + 9000)).toBe('drop');
    // The first message (t0) has left the window: room for one more, and no new warning needed.
    expect(f.hit('a', t0 + 10_001)).toBe('ok');
    expect(f.hit('a', t0 + 10_002)).toBe('warn');
  });

  it('counts only typed messages: a greeting and many button presses are all answered', async () => {
    const presses: Awaited<ReturnType<typeof press>>[] = [];
    const start = await say('u-flood-presses', '/start');
    const topic = start[1]!.buttons![0]!.action;
    for (let i = 0; i < 12; i++) presses.push(await press('u-flood-presses', i % 2 ? 'menu' : topic));
    expect(presses.every((r) => r.length > 0 && r[0]!.text !== T.flood)).toBe(true);
  });
});

describe('flood limit of stickers and presses', () => {
  it('counts stickers and pictures like typed messages: a burst of 20 stickers gets the limit of replies, one warning, then silence', async () => {
    const replies: Awaited<ReturnType<typeof say>>[] = [];
    for (let i = 0; i < 20; i++)
      replies.push(await convo.handle({ channel: 'web', userId: 'u-flood-stickers', dedupeKey: `k${n++}`, type: 'unsupported', what: 'sticker' } as Inbound, webCapabilities));
    const limit = config.bot.flood_limit.messages;
    expect(replies.slice(0, limit).every((r) => r.length > 0 && r[0]!.text !== T.flood)).toBe(true);
    expect(replies[limit]!.map((r) => r.text)).toEqual([T.flood]);
    expect(replies.slice(limit + 1).every((r) => r.length === 0)).toBe(true);
  });

  it('gives presses a wider limit of their own, so one pressed for ever cannot take the channel', async () => {
    const start = await say('u-flood-press-storm', '/start');
    const topic = start[1]!.buttons![0]!.action;
    const replies: Awaited<ReturnType<typeof press>>[] = [];
    for (let i = 0; i < 60; i++) replies.push(await press('u-flood-press-storm', topic));
    const answered = replies.filter((r) => r.length > 0 && r[0]!.text !== T.flood).length;
    expect(answered).toBe(config.bot.flood_limit.messages * PRESS_FLOOD_FACTOR);
    expect(replies.filter((r) => r[0]?.text === T.flood)).toHaveLength(1);
    // Typing still works: the presses have their own window.
    expect((await say('u-flood-press-storm', 'bhyt trẻ em'))[0]!.title).toBeTruthy();
  });
});

describe('plain text from Markdown content', () => {
  it('drops emphasis markers and turns list dashes into bullets', async () => {
    const { plainText } = await import('../../src/conversation/core-feature.js');
    expect(plainText('**Lưu ý:** nộp tại *UBND cấp xã*.\n- Giấy chứng sinh\n- Căn cước')).toBe(
      'Lưu ý: nộp tại UBND cấp xã.\n• Giấy chứng sinh\n• Căn cước',
    );
  });
});
