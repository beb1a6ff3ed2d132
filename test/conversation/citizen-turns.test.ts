/**
 * Turns ordinary citizens take around the answers (session 16 citizen trial, on the Zalo OA
 * through the fakes): the words they type instead of pressing a choice, what they send when
 * they are done, the same question asked again. Each case is what the person reads and what
 * staff find in their queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, type Conversation } from '../../src/conversation/conversation.js';
import { createSubscriptionFeature } from '../../src/conversation/subscription.js';
import { openDb, type Db } from '../../src/db/index.js';
import { listUnanswered } from '../../src/db/questions.js';
import { webCapabilities } from '../../src/channels/web/web.js';
import type { Capabilities, Inbound } from '../../src/messages.js';
import { shippedKnowledge, testConfig } from '../support/app.js';

let db: Db;
let convo: Conversation;
let n = 0;
let clock = new Date('2026-12-07T03:00:00Z');
const config = testConfig();
const knowledge = shippedKnowledge();
/** A channel that can write first (Zalo OA, Telegram) and numbers its choices. */
const zaloLike: Capabilities = { ...webCapabilities, canPush: true };

beforeAll(() => {
  db = openDb(':memory:');
  convo = createConversation({ db, knowledge, config, features: [createSubscriptionFeature()], now: () => clock });
});
afterAll(() => {
  db.close();
  config.cleanup();
});

const say = (user: string, text: string, caps: Capabilities = zaloLike) =>
  convo.handle({ channel: 'zalo', userId: user, dedupeKey: `k${n++}`, type: 'text', text } as Inbound, caps);
const queued = (q: string) => listUnanswered(db).filter((u) => u.question === q).length;

describe('done, never mind', () => {
  it('"thôi", "hết rồi", "không cần" with nothing under way are answered kindly, never queued for staff', async () => {
    for (const text of ['thôi', 'hết rồi', 'thoi khong can', 'vậy thôi', 'không hỏi nữa ạ']) {
      const [r] = await say('u-done', text);
      expect(r!.text, text).not.toMatch(/chuyển tới cán bộ/);
      expect(r!.buttons?.length, text).toBeGreaterThan(3); // the topic menu: the next step is one tap away
      expect(queued(text), text).toBe(0);
    }
  });
});

describe('the same unanswered question asked again', () => {
  const Q = 'Thủ tục đổi bằng lái xe ô tô hết hạn làm ở đâu?';

  it('is queued for staff once, and the person is told it is already waiting and what happens next', async () => {
    const [first] = await say('u-repeat', Q);
    expect(first!.text).toContain('đã được chuyển tới cán bộ');
    expect(first!.text).toContain('Khi có câu trả lời, tôi sẽ nhắn cho bạn tại đây.');
    clock = new Date(clock.getTime() + 3 * 60_000);
    for (const again of [Q, 'thu tuc doi bang lai xe o to het han lam o dau']) {
      const [r] = await say('u-repeat', again);
      expect(r!.text, again).toContain('Câu hỏi này bạn đã gửi lúc 10:00 hôm nay và đang chờ cán bộ trả lời.');
      expect(r!.text, again).not.toContain('đã được chuyển tới cán bộ');
    }
    expect(listUnanswered(db).filter((u) => u.personId !== null && u.normalized === listUnanswered(db).find((x) => x.question === Q)!.normalized)).toHaveLength(1);
  });

  it('a day later, says the day it was sent', async () => {
    clock = new Date(clock.getTime() + 24 * 3600_000);
    const [r] = await say('u-repeat', Q);
    expect(r!.text).toContain('Câu hỏi này bạn đã gửi lúc 10:00 ngày 07/12/2026 và đang chờ cán bộ trả lời.');
  });

  it('is queued again for another person, and for the same person once staff dismissed it', async () => {
    await say('u-repeat-2', Q);
    expect(queued(Q)).toBe(2);
    db.prepare(`UPDATE unanswered SET status = 'dismissed' WHERE question = ?`).run(Q);
    const [r] = await say('u-repeat', Q);
    expect(r!.text).toContain('đã được chuyển tới cán bộ');
    expect(queued(Q)).toBe(1);
  });

  it('on the web chat, says the answer waits for the next visit', async () => {
    const [r] = await say('u-repeat-web', 'Thủ tục đổi bằng lái xe máy bị mất ở đâu?', webCapabilities);
    expect(r!.text).toContain('bạn sẽ thấy ở đây khi mở lại trang này');
  });
});

describe('answering "Bạn muốn xoá dữ liệu …?" in words', () => {
  const press = (user: string, action: string) =>
    convo.handle({ channel: 'zalo', userId: user, dedupeKey: `k${n++}`, type: 'action', action } as Inbound, zaloLike);

  it('"không ạ" and "huỷ" keep the data and say so; "huỷ" does not stop the news', async () => {
    await say('u-erase-no', '/dangky');
    await press('u-erase-no', 'sub:t:bao-hiem-y-te');
    await press('u-erase-no', 'sub:rs:');
    for (const no of ['không ạ', 'huỷ', 'Thôi không xoá']) {
      const [ask] = await say('u-erase-no', '/xoadulieu');
      expect(ask!.buttons!.map((b) => b.action)).toEqual(['erase:yes', 'erase:no']);
      const r = await say('u-erase-no', no);
      expect(r.map((x) => x.text), no).toEqual(['Đã huỷ. Dữ liệu của bạn được giữ nguyên.']);
    }
    const row = db.prepare(`SELECT consent_at, external_id FROM people WHERE external_id = 'u-erase-no'`).get() as { consent_at: string | null };
    expect(row.consent_at).not.toBeNull();
  });

  it('"đồng ý" erases, as pressing "Đồng ý xoá" does', async () => {
    await say('u-erase-yes', 'Thủ tục đổi bằng lái xe tải ở đâu?');
    await say('u-erase-yes', '/xoadulieu');
    const r = await say('u-erase-yes', 'đồng ý ạ');
    expect(r[0]!.text).toContain('Dữ liệu cá nhân của bạn đã được xoá');
    expect(db.prepare(`SELECT COUNT(*) AS n FROM people WHERE external_id = 'u-erase-yes'`).get()).toEqual({ n: 0 });
  });

  it('"có" and "không" mean nothing of the kind once the confirmation is no longer the last question', async () => {
    await say('u-erase-later', '/xoadulieu');
    await say('u-erase-later', 'chào bạn');
    const r = await say('u-erase-later', 'có');
    expect(r[0]!.text).not.toContain('đã được xoá');
    expect(db.prepare(`SELECT COUNT(*) AS n FROM people WHERE external_id = 'u-erase-later'`).get()).toEqual({ n: 1 });
  });
});

describe('old buttons and stray marks', () => {
  const press = (user: string, action: string) =>
    convo.handle({ channel: 'zalo', userId: user, dedupeKey: `k${n++}`, type: 'action', action } as Inbound, zaloLike);

  it('"Đồng ý xoá" pressed when the request is no longer on record asks again, never says "Đã huỷ"', async () => {
    await say('u-old-erase', 'chào bạn');
    const r = await press('u-old-erase', 'erase:yes');
    expect(r[0]!.text).not.toContain('Đã huỷ');
    expect(r[0]!.buttons!.map((b) => b.action)).toEqual(['erase:yes', 'erase:no']);
    const done = await press('u-old-erase', 'erase:yes');
    expect(done[0]!.text).toContain('Dữ liệu cá nhân của bạn đã được xoá');
  });

  it('"sai rồi" once the answer\'s question has passed is an apology with how to ask, not a question for staff', async () => {
    await say('u-wrong', 'chào bạn');
    const [r] = await say('u-wrong', 'sai rồi');
    expect(r!.text).toMatch(/^Xin lỗi vì tôi chưa giúp được bạn/);
    expect(queued('sai rồi')).toBe(0);
  });

  it('"?" alone is asked for the question, not thanked', async () => {
    for (const mark of ['?', '...', '??']) {
      const [r] = await say('u-mark', mark);
      expect(r!.text, mark).toMatch(/^Mời bạn gõ câu hỏi/);
    }
    const [emoji] = await say('u-mark', '🙏');
    expect(emoji!.text).toMatch(/^Cảm ơn bạn!/);
  });
});

describe('commands asked for in words', () => {
  it('"xoá dữ liệu của tôi" asks to confirm the erasure; "xem dữ liệu của tôi" shows the data', async () => {
    const [erase] = await say('u-words', 'Loa ơi xoá dữ liệu của tôi giúp nhé');
    expect(erase!.buttons!.map((b) => b.action)).toEqual(['erase:yes', 'erase:no']);
    const [mine] = await say('u-words', 'xem du lieu cua toi');
    expect(mine!.text).toMatch(/^Dữ liệu cá nhân chúng tôi đang lưu về bạn:/);
  });

  it('"đăng ký nhận tin" opens the subscription; a question about it is answered, "dữ liệu của bạn" is not mine', async () => {
    const [sub] = await say('u-words-2', 'cho tôi đăng ký nhận tin nhé');
    expect(sub!.buttons!.some((b) => b.action.startsWith('sub:t:'))).toBe(true);
    const [how] = await say('u-words-2', 'làm sao để đăng ký nhận tin?');
    expect(how!.buttons?.some((b) => b.action.startsWith('sub:t:')) ?? false).toBe(false);
    const [yours] = await say('u-words-2', 'dữ liệu của bạn');
    expect(yours!.text).not.toMatch(/^Dữ liệu cá nhân chúng tôi đang lưu về bạn:/);
  });
});

describe('an answer picked from a topic list', () => {
  const press = (user: string, action: string) =>
    convo.handle({ channel: 'zalo', userId: user, dedupeKey: `k${n++}`, type: 'action', action } as Inbound, zaloLike);

  it('offers the topic\'s other questions and the topics, so the next step is not far up the chat', async () => {
    const [list] = await press('u-pick', 'topic:bao-hiem-y-te');
    const [answer] = await press('u-pick', list!.buttons![0]!.action);
    expect(answer!.text).toContain('Nguồn:');
    expect(answer!.buttons!.map((b) => [b.label, b.action])).toEqual([
      ['Câu hỏi khác về Bảo hiểm y tế', 'topic:bao-hiem-y-te'],
      ['Chủ đề', 'menu'],
    ]);
    // On Zalo they are numbered: "1" goes back to the list.
    const [again] = await say('u-pick', '1');
    expect(again!.buttons!.map((b) => b.action)).toEqual(list!.buttons!.map((b) => b.action));
  });
});

describe('a sticker, a voice message', () => {
  const send = (user: string, what: string) =>
    convo.handle({ channel: 'zalo', userId: user, dedupeKey: `k${n++}`, type: 'unsupported', what } as Inbound, zaloLike);

  it('a sticker is thanked, with the topics one tap away', async () => {
    const [r] = await send('u-sticker', 'sticker');
    expect(r!.text).toMatch(/^Cảm ơn bạn! Hiện tôi chỉ đọc được tin nhắn dạng chữ/);
    expect(r!.buttons!.length).toBeGreaterThan(3);
  });

  it('a voice message is told it cannot be listened to, and that typing without marks is fine', async () => {
    for (const what of ['audio', 'voice']) {
      const [r] = await send('u-voice', what);
      expect(r!.text, what).toContain('chưa nghe được tin nhắn thoại');
      expect(r!.text, what).toContain('có dấu hay không dấu đều được');
    }
    const [loc] = await send('u-voice', 'location');
    expect(loc!.text).toBe('Hiện tôi chỉ đọc được tin nhắn dạng chữ. Bạn hãy gõ câu hỏi bằng chữ nhé.');
  });
});

describe('"hướng dẫn" typed', () => {
  it('gets what can be done (the /help list), with the topics one tap away', async () => {
    for (const text of ['hướng dẫn', 'huong dan su dung', 'cho tôi xem hướng dẫn', 'Trợ giúp']) {
      const [r] = await say('u-help', text);
      expect(r!.text, text).toMatch(/^Bạn có thể:/);
      expect(r!.text, text).toContain('/xoadulieu');
      expect(r!.buttons!.map((b) => b.action), text).toEqual(['menu']);
    }
  });
});

describe('/help on the web chat', () => {
  it('does not offer /dangky, which the web chat refuses', async () => {
    const [web] = await say('u-help-web', '/help', webCapabilities);
    expect(web!.text).not.toContain('/dangky');
    expect(web!.text).toContain('/xoadulieu');
    const [zalo] = await say('u-help-zalo', '/help');
    expect(zalo!.text).toContain('/dangky');
  });
});

describe('a question with no answer asked in a Telegram group (/hoi)', () => {
  it('says the answer will come in a private chat, not "here" in the group', async () => {
    const [r] = await convo.handle(
      { channel: 'telegram', userId: 'u-group', chatId: '-100123', group: true, dedupeKey: `k${n++}`, type: 'text', text: '/hoi Thủ tục đổi bằng lái xe khách ở đâu?' } as Inbound,
      { ...zaloLike, groupChats: true },
    );
    expect(r!.text).toContain('tôi sẽ nhắn riêng cho bạn');
    expect(r!.text).not.toContain('tại đây');
  });
});
