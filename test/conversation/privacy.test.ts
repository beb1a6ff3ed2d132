/**
 * Personal data in the conversation (Law 91/2025/QH15): /dangky shows the versioned consent text
 * and stores its version; /dulieucuatoi tells a person what is held about them (within the
 * channel's limits, never in a group); both requests are audited without platform ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, type Conversation } from '../../src/conversation/conversation.js';
import { createSubscriptionFeature } from '../../src/conversation/subscription.js';
import { CURRENT_CONSENT, CONSENT_TEXTS } from '../../src/conversation/consent.js';
import { openDb, type Db } from '../../src/db/index.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { recordInbound } from '../../src/db/messages.js';
import { listAudit } from '../../src/db/audit.js';
import { webCapabilities } from '../../src/channels/web/web.js';
import { PRIVATE_COMMANDS } from '../../src/channels/telegram/commands.js';
import type { Capabilities, Inbound, Reply } from '../../src/channels/channel.js';
import { T } from '../../src/conversation/texts.js';
import { shippedKnowledge, testConfig } from '../support/app.js';

const config = testConfig();
const knowledge = shippedKnowledge();
let db: Db;
let convo: Conversation;
let n = 0;
let clock = new Date('2026-03-02T03:00:00Z');

beforeAll(() => {
  db = openDb(':memory:');
  convo = createConversation({ db, knowledge, config, features: [createSubscriptionFeature()], now: () => clock });
});
afterAll(() => {
  db.close();
  config.cleanup();
});

const event = (user: string, body: Partial<Inbound>): Inbound =>
  ({ channel: 'web', userId: user, displayName: 'Lan', dedupeKey: `p${n++}`, ...body }) as Inbound;
const say = (user: string, text: string, caps: Capabilities = webCapabilities, extra: Partial<Inbound> = {}) => {
  const inbound = event(user, { type: 'text', text, ...extra } as Partial<Inbound>);
  // The inbox stores each event before the conversation sees it; done by hand here.
  const person = convo.personFor(inbound);
  recordInbound(db, inbound, person.id, clock);
  return convo.handle(inbound, caps);
};
const press = (user: string, action: string, caps: Capabilities = webCapabilities) => convo.handle(event(user, { type: 'action', action } as Partial<Inbound>), caps);
/** The web chat refuses /dangky (it cannot send news): consent is tested as on a channel that can write first. */
const pushable: Capabilities = { ...webCapabilities, canPush: true };
const all = (r: Reply[]) => r.map((x) => x.text).join('\n');
const subscribeFlow = async (user: string): Promise<Reply[]> => {
  await say(user, '/dangky', pushable);
  await press(user, 'sub:t:bao-hiem-y-te', pushable);
  const regions = await press(user, 'sub:r', pushable);
  await press(user, 'sub:rs:pho-hien', pushable);
  return regions;
};

describe('versioned consent', () => {
  it('shows the current consent text, with its version, before consent is recorded, and stores the version', async () => {
    const regions = await subscribeFlow('c-1');
    expect(regions[0]!.text).toContain(CURRENT_CONSENT.text);
    expect(regions[0]!.text).toContain(`phiên bản ${CURRENT_CONSENT.version}`);
    const p = getPersonByExternal(db, 'web', 'c-1')!;
    expect(p.consentAt).toBe(clock.toISOString());
    expect(p.consentVersion).toBe(CURRENT_CONSENT.version);
    await say('c-1', 'HUY');
    expect(getPersonByExternal(db, 'web', 'c-1')!.consentVersion).toBeNull();
  });

  it('keeps published versions unique, dated and in NFC', () => {
    expect(new Set(CONSENT_TEXTS.map((c) => c.version)).size).toBe(CONSENT_TEXTS.length);
    for (const c of CONSENT_TEXTS) {
      expect(c.since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(c.text.normalize('NFC')).toBe(c.text);
    }
  });
});

describe('/dulieucuatoi', () => {
  const OPEN = 'Tôi là Lan, số 0912 345 678, hỏi thủ tục đổi bằng lái xe ô tô hết hạn làm ở đâu?';

  it('is in /help and in the Telegram command menu', async () => {
    expect(T.help).toContain('/dulieucuatoi');
    expect(PRIVATE_COMMANDS.map((c) => c.command)).toContain('dulieucuatoi');
    expect(all(await say('h-1', '/help'))).toContain('/dulieucuatoi');
  });

  it("returns the person's data in Vietnamese: channel, name, region, consent and its version, topics, counts, open questions, quiz data, how to erase", async () => {
    clock = new Date('2026-03-02T03:00:00Z');
    await subscribeFlow('d-1');
    await say('d-1', OPEN); // unanswered: goes to the staff queue
    clock = new Date('2026-03-05T03:00:00Z');
    await say('d-1', 'Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế miễn phí không?');
    const p = getPersonByExternal(db, 'web', 'd-1')!;
    db.prepare(
      `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, name, unit, phone, started_at)
       VALUES ('tim-hieu-quyen-con-nguoi-2026', ?, 'web', 1, 'done', 'Nguyễn Thị Lan', 'Trường THCS Phố Hiến', '0912345678', ?)`,
    ).run(p.id, clock.toISOString());

    const text = all(await say('d-1', '/dulieucuatoi'));
    for (const s of [
      'Kênh: trò chuyện trên trang web',
      'Tên hiển thị: Lan',
      'Địa bàn: Phường Phố Hiến',
      'đồng ý ngày 02/03/2026',
      `điều khoản phiên bản ${CURRENT_CONSENT.version} (áp dụng từ 01/01/2026)`,
      'Chủ đề nhận tin: Bảo hiểm y tế',
      'Câu hỏi bạn đã hỏi: 2 (từ 02/03/2026 đến 05/03/2026)',
      'Câu hỏi của bạn đang chờ cán bộ trả lời (1):',
      `“${OPEN}”`, // their own words, unmasked: theirs to see
      'họ tên Nguyễn Thị Lan, đơn vị Trường THCS Phố Hiến',
      CURRENT_CONSENT.text,
      '/xoadulieu',
    ])
      expect(text).toContain(s);
    // Messages: /dangky, the two questions and this request (button presses were not stored here).
    expect(text).toContain('Tin nhắn bạn đã gửi: 4 (từ 02/03/2026 đến 05/03/2026)');
    expect(text.normalize('NFC')).toBe(text);
  });

  it('lists the subscription changes and the area changes kept for the past reports (theirs to see too)', async () => {
    clock = new Date('2026-03-02T03:00:00Z');
    await subscribeFlow('hist-1');
    clock = new Date('2026-04-10T03:00:00Z');
    await say('hist-1', '/huy', pushable);
    const text = all(await say('hist-1', '/dulieucuatoi'));
    expect(text).toContain('Lịch sử nhận tin của bạn (2 lần thay đổi');
    expect(text).toContain('• 02/03/2026: nhận tin');
    expect(text).toContain('• 10/04/2026: không nhận tin (chưa đăng ký hoặc đã thôi)');
    expect(text).toContain('Các lần bạn đổi địa bàn (1):');
    expect(text).toMatch(/• \d\d\/\d\d\/\d{4}: từ chưa chọn sang Phường Phố Hiến/);
    // Someone who never subscribed nor chose an area has neither block.
    const none = all(await say('hist-2', '/dulieucuatoi'));
    expect(none).not.toContain('Lịch sử nhận tin');
    expect(none).not.toContain('đổi địa bàn');
  });

  it('splits to the channel limit, the erase hint last', async () => {
    await subscribeFlow('s-1');
    for (let i = 0; i < 12; i++) {
      clock = new Date(clock.getTime() + 60_000); // under the flood limit
      await say('s-1', `Câu hỏi chưa có lời đáp số ${i} về thủ tục đổi bằng lái xe ô tô hết hạn làm ở đâu?`);
    }
    const caps: Capabilities = { ...webCapabilities, maxTextLength: 400 };
    const r = await say('s-1', '/dulieucuatoi', caps);
    expect(r.length).toBeGreaterThan(2);
    for (const x of r) expect(x.text.length).toBeLessThanOrEqual(400);
    expect(r.at(-1)!.text).toContain('/xoadulieu');
    expect(all(r)).toContain('… và 2 câu khác.');
  });

  it('tells someone with nothing stored that nothing is held beyond the basics', async () => {
    const text = all(await say('e-1', '/dulieucuatoi'));
    expect(text).toContain('Đăng ký nhận tin: chưa đăng ký');
    expect(text).toContain('Câu hỏi bạn đã hỏi: chưa có');
  });

  it('tells a Zalo follower that following the OA is why they receive its messages', async () => {
    await convo.handle(event('3512345678901234000', { channel: 'zalo', type: 'follow' } as Partial<Inbound>), webCapabilities);
    recordInbound(db, event('3512345678901234000', { channel: 'zalo', type: 'follow' } as Partial<Inbound>), getPersonByExternal(db, 'zalo', '3512345678901234000')!.id, clock);
    const text = all(await say('3512345678901234000', '/dulieucuatoi', webCapabilities, { channel: 'zalo' } as Partial<Inbound>));
    expect(text).toContain('Kênh: Zalo');
    expect(text).toContain('Quan tâm Zalo OA: có');
  });

  it('shows no data in a group chat', async () => {
    await subscribeFlow('g-1');
    const r = await say('g-1', '/dulieucuatoi', webCapabilities, { group: true, chatId: '-100500' } as Partial<Inbound>);
    expect(all(r)).toContain('tin nhắn riêng');
    expect(all(r)).not.toContain('Phố Hiến');
  });

  it('audits the export and the erase request under the internal number only', async () => {
    await say('a-1', '/dulieucuatoi');
    await say('a-1', '/xoadulieu');
    const id = getPersonByExternal(db, 'web', 'a-1')!.id;
    const mine = listAudit(db, { action: 'privacy.', targetType: 'person', targetId: String(id) });
    expect(mine.map((e) => e.action).sort()).toEqual(['privacy.erase_request', 'privacy.export']);
    for (const e of mine) {
      expect(e.actor).toBe(`person:${id}`);
      expect(JSON.stringify(e)).not.toContain('a-1');
      expect(JSON.stringify(e)).not.toContain('Lan');
    }
  });
});
