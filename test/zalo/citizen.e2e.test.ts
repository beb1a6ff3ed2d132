/**
 * A citizen's round on the Zalo OA, end to end: the real server, signed webhook deliveries from
 * the fake Zalo (the attachment events as integrators read them), our client sending back.
 * Every reply is read as it shows on a phone: plain text (Zalo renders no markup), choices
 * numbered and answerable by their number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeZalo, type FakeZalo, type ZaloAttachmentKind, zaloEnv } from '../support/fake-zalo.js';
import { startTestApp } from '../support/app.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { listCases, reportsOfCase } from '../../src/db/disinfo.js';
import { listUnanswered } from '../../src/db/questions.js';

let zalo: FakeZalo;
let t: Awaited<ReturnType<typeof startTestApp>>;
let hook: string;
let fresh = 0;

beforeAll(async () => {
  zalo = await startFakeZalo();
  t = await startTestApp(zaloEnv(zalo), { bot: { flood_limit: { messages: 1000, seconds: 1 } } });
  hook = `${t.url}/webhooks/zalo`;
});

afterAll(async () => {
  await t.close();
  await zalo.close();
});

/** A person the app has never seen, following the OA. */
const newUser = (): string => {
  const id = `87134517865400${String(++fresh).padStart(5, '0')}`;
  zalo.addUser({ id, name: `Người dân ${fresh}` });
  return id;
};

/** Delivers one event; resolves with the texts the OA sent back for it, joined. */
async function deliver(event: Record<string, unknown>): Promise<string> {
  const before = zalo.sent.length;
  const res = await zalo.deliverWebhook(hook, event);
  expect(res.status).toBe(200);
  await t.app.inbox.drain();
  return zalo.sent
    .slice(before)
    .map((s) => s.message.text ?? '')
    .join('\n');
}
const say = (user: string, text: string): Promise<string> => deliver(zalo.textEvent(user, text));
const send = (user: string, kind: ZaloAttachmentKind, text?: string): Promise<string> => deliver(zalo.attachmentEvent(user, kind, text === undefined ? {} : { text }));
const lifecycle = (user: string, event_name: 'follow' | 'unfollow', at: number): Record<string, unknown> => ({
  app_id: zalo.appId,
  oa_id: zalo.oaId,
  user_id_by_app: `app-${user}`,
  event_name,
  timestamp: String(at),
  source: 'oa_profile',
  follower: { id: user },
});
/** The number a numbered choice has in a reply ("16. Tôi muốn hỏi" -> "16"). */
const numberOf = (reply: string, label: string): string => {
  const line = reply.split('\n').find((l) => new RegExp(`^\\d+\\. ${label}$`).test(l));
  expect(line, `no numbered choice “${label}” in:\n${reply}`).toBeDefined();
  return line!.split('.')[0]!;
};

const TEXT_ONLY = /chỉ đọc được tin nhắn dạng chữ/;
const QUESTION = 'Làm căn cước cho trẻ em ở đâu?';
const ANSWER = /Trẻ dưới 14 tuổi có làm thẻ căn cước/;

describe('words sent with an attachment (video, GIF, file, voice, picture)', () => {
  it('answers a question sent with a video, a GIF, a file or a voice message, as if typed', async () => {
    for (const kind of ['video', 'gif', 'file', 'audio'] as const) {
      const out = await send(newUser(), kind, QUESTION);
      expect(out, kind).toMatch(ANSWER);
      expect(out, kind).not.toMatch(TEXT_ONLY);
    }
  });

  it("takes a rumour clip's words as the report /baocao asks for, and keeps them in the report", async () => {
    const user = newUser();
    const rumour = 'KHẨN: Từ ngày 1/12 căn cước gắn chip sẽ bị khoá nếu không cập nhật lại. Chia sẻ ngay cho người thân!';
    await say(user, '/baocao');
    let out = await send(user, 'video', rumour);
    expect(out).toContain('Tin này nói về vấn đề gì?');
    out = await say(user, numberOf(out, 'Hộ tịch, khai sinh, căn cước'));
    expect(out).toContain('Bạn thấy tin này ở đâu?');
    out = await say(user, numberOf(out, 'Zalo nhóm'));
    expect(out).toMatch(/Mã số báo cáo của bạn: BC-\d{4}-\d+/);
    const person = getPersonByExternal(t.app.db, 'zalo', user)!;
    const report = listCases(t.app.db).flatMap((c) => reportsOfCase(t.app.db, c.id)).find((r) => r.personId === person.id);
    expect(report).toMatchObject({ channel: 'zalo', text: rumour, platform: 'zalo' });
  });

  it('offers a clip sent with a link and a few words for reporting, as the same words typed are', async () => {
    const user = newUser();
    const out = await send(user, 'video', 'https://www.facebook.com/watch/?v=123 cái này có thật không');
    expect(out).toContain('Bạn vừa gửi một đường link');
    numberOf(out, 'Hộ tịch, khai sinh, căn cước');
    numberOf(out, 'Tôi muốn hỏi');
    expect(out).not.toMatch(TEXT_ONLY);
  });

  it('offers a picture sent with a question for reporting, and answers the question chosen by its number or its button', async () => {
    const user = newUser();
    let out = await send(user, 'image', QUESTION);
    expect(out).toContain('Tôi chưa đọc được nội dung trong ảnh');
    out = await say(user, numberOf(out, 'Tôi muốn hỏi'));
    expect(out).toMatch(ANSWER);
    // The same by tapping: among Zalo's five buttons (the offer has 17 choices).
    await send(user, 'image', QUESTION);
    const ask = zalo.sent.at(-1)!.message.attachment!.payload.buttons!.find((b) => b.title === 'Tôi muốn hỏi');
    expect(ask).toMatchObject({ type: 'oa.query.hide', payload: '#loa:bc:q' });
    expect(await say(user, ask!.payload as string)).toMatch(ANSWER);
  });

  it('tells a person who sent an attachment without words what to do, and files nothing for the staff', async () => {
    const user = newUser();
    const queued = listUnanswered(t.app.db).length;
    for (const kind of ['video', 'gif', 'audio', 'sticker', 'location'] as const) expect(await send(user, kind), kind).toMatch(TEXT_ONLY);
    // A file whose only "words" are its name, a business card (its text is the card's name).
    expect(await send(user, 'file', 'to-khai.pdf')).toMatch(TEXT_ONLY);
    expect(await send(user, 'business_card', 'Nguyễn Văn Bình')).toMatch(TEXT_ONLY);
    // A bare picture also says how to report it.
    expect(await send(user, 'image')).toMatch(/chỉ đọc được tin nhắn dạng chữ.*\/baocao rồi gửi lại ảnh/s);
    expect(listUnanswered(t.app.db).length).toBe(queued);
  });
});

describe('events that are not messages', () => {
  it('answers no echo, receipt, reaction or group message, and stores no one for them', async () => {
    const user = newUser();
    const sent = zalo.sent.length;
    const at = String(Date.now());
    const events = [
      { event_name: 'oa_send_text', sender: { id: zalo.oaId }, recipient: { id: user }, message: { text: 'Xin chào', msg_id: `e-${user}-1` } },
      { event_name: 'oa_send_image', sender: { id: zalo.oaId }, recipient: { id: user }, message: { msg_id: `e-${user}-2`, attachments: [{ type: 'image', payload: { url: 'https://x.zadn.vn/a.jpg' } }] } },
      { event_name: 'user_received_message', sender: { id: user }, recipient: { id: zalo.oaId }, message: { msg_ids: [`e-${user}-1`] } },
      { event_name: 'user_seen_message', sender: { id: user }, recipient: { id: zalo.oaId }, message: { msg_ids: [`e-${user}-1`] } },
      { event_name: 'user_reacted_message', sender: { id: user }, recipient: { id: zalo.oaId }, message: { msg_id: `e-${user}-1`, react_icon: '/-heart' } },
      // A Zalo group the OA is in: not the person's chat with the OA.
      { event_name: 'user_send_group_text', sender: { id: user }, recipient: { id: '7020000000000000001' }, message: { msg_id: `e-${user}-3`, text: 'Chào cả nhóm' } },
    ];
    for (const e of events) expect(JSON.parse((await zalo.deliverWebhook(hook, { app_id: zalo.appId, timestamp: at, ...e })).body)).toEqual({ ok: true });
    await t.app.inbox.drain();
    expect(zalo.sent.length - sent).toBe(0);
    expect(getPersonByExternal(t.app.db, 'zalo', user)).toBeUndefined();
    // Nor does the fake count a receipt as an interaction (Zalo's 7-day window does not).
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
    zalo.interact(user, threeDaysAgo);
    for (const e of events.filter((x) => x.event_name.endsWith('_message') && !x.event_name.includes('react')))
      await zalo.deliverWebhook(hook, { app_id: zalo.appId, timestamp: at, ...e });
    expect(zalo.users.get(user)!.lastInteraction).toEqual(threeDaysAgo);
  });
});

describe('following, leaving, coming back', () => {
  it('stops campaigns at the unfollow, and brings the subscription back with a refollow (docs/zalo.md)', async () => {
    const user = newUser();
    const t0 = Date.now() - 60_000;
    expect(await deliver(lifecycle(user, 'follow', t0))).toContain('/dangky');
    let out = await say(user, '/dangky');
    out = await say(user, numberOf(out, 'Chọn tất cả'));
    out = await say(user, numberOf(out, 'Cả Tỉnh Hưng Yên'));
    expect(out).toContain('Bạn đã đăng ký nhận tin.');
    expect(getPersonByExternal(t.app.db, 'zalo', user)).toMatchObject({ status: 'active', consentAt: expect.any(String), optedOutAt: null });

    // Nothing is sent (Zalo cannot deliver to someone who left); no campaign claims a person gone.
    expect(await deliver(lifecycle(user, 'unfollow', t0 + 10_000))).toBe('');
    expect(getPersonByExternal(t.app.db, 'zalo', user)).toMatchObject({ status: 'gone', goneReason: 'unfollow' });

    expect(await deliver(lifecycle(user, 'follow', t0 + 20_000))).toContain('Xin chào');
    expect(getPersonByExternal(t.app.db, 'zalo', user)).toMatchObject({ status: 'active', goneReason: null, consentAt: expect.any(String), optedOutAt: null });
  });

  it('keeps a follower who came back when the unfollow from before is delivered late (a Zalo retry)', async () => {
    const user = newUser();
    const t0 = Date.now() - 60_000;
    await deliver(lifecycle(user, 'follow', t0));
    let out = await say(user, '/dangky');
    out = await say(user, numberOf(out, 'Chọn tất cả'));
    await say(user, numberOf(out, 'Cả Tỉnh Hưng Yên'));
    // The unfollow at t0+10s failed its first delivery; the refollow at t0+20s arrived first.
    await deliver(lifecycle(user, 'follow', t0 + 20_000));
    expect(await deliver(lifecycle(user, 'unfollow', t0 + 10_000))).toBe('');
    expect(getPersonByExternal(t.app.db, 'zalo', user)).toMatchObject({ status: 'active', goneReason: null });
    // A later unfollow still takes effect at once.
    await deliver(lifecycle(user, 'unfollow', t0 + 30_000));
    expect(getPersonByExternal(t.app.db, 'zalo', user)).toMatchObject({ status: 'gone', goneReason: 'unfollow' });
  });

  it('answers a redelivered message once, and a message delivered late after a newer one', async () => {
    const user = newUser();
    const older = zalo.textEvent(user, QUESTION, { timestamp: String(Date.now() - 30 * 60_000) });
    expect(await say(user, '/help')).toContain('/baocao');
    expect(await deliver(older)).toMatch(ANSWER);
    expect(await deliver(older)).toBe('');
  });
});

describe('what a phone shows', () => {
  it('sends plain text only, with the numbered choices that the buttons carry', async () => {
    const user = newUser();
    const from = zalo.sent.length;
    await deliver(lifecycle(user, 'follow', Date.now() - 5000));
    const answer = await say(user, 'Thủ tục đăng ký khai sinh cần những giấy tờ gì?');
    expect(answer).toContain('Câu trả lời này có hữu ích không?');
    expect(await say(user, numberOf(answer, '👍 Hữu ích'))).toContain('Cảm ơn bạn đã phản hồi');
    expect(await say(user, '😀😀')).toMatch(/gõ bằng chữ/);
    expect(await say(user, `Xin hỏi ${'về thủ tục khai sinh cho trẻ em '.repeat(40)}`)).toMatch(/quá dài/);
    await say(user, '/thi');
    await say(user, '/help');
    for (const s of zalo.sent.slice(from)) {
      const text = s.message.text ?? '';
      expect(text.length).toBeLessThanOrEqual(2000);
      // No markup Zalo would show as typed: HTML tags or entities, Markdown bold, links or code.
      expect(text).not.toMatch(/<\/?(?:b|i|u|s|a|br|p|em|strong|code|pre|span|tg-\w+)\b[^>]*>|&(?:amp|lt|gt|quot|#\d+);|\*\*|__|\]\(|`/i);
      const buttons = s.message.attachment?.payload.buttons ?? [];
      const numbered = text.split('\n').filter((l) => /^\d+\. /.test(l));
      // Every button is also a numbered line (Zalo may not show buttons), in the same order.
      const labels = numbered.map((l) => l.replace(/^\d+\. /, ''));
      let at = -1;
      for (const b of buttons.filter((x) => x.type === 'oa.query.hide')) {
        // A long title is cut with '…' on the button; the numbered line keeps the whole label.
        const next = labels.findIndex((l, i) => i > at && (b.title.endsWith('…') ? l.startsWith(b.title.slice(0, -1)) : l === b.title));
        expect(next, `button “${b.title}” has no numbered line after ${at} in:\n${text}`).toBeGreaterThan(at);
        at = next;
      }
    }
  });
});

describe('choices typed in words, as on a phone', () => {
  it('picks a contest from /thi by words of its title, never the staff queue', async () => {
    // "luyện tập nhanh" and "cuộc thi quyền con người" under the open contests were searched as
    // questions and went to the staff queue (citizen trial, session 17).
    for (const [words, title] of [
      ['luyện tập nhanh', 'Luyện tập nhanh - Quyền trẻ em'],
      ['cuộc thi quyền con người', 'Cuộc thi tìm hiểu về quyền con người năm 2026'],
    ] as const) {
      const user = newUser();
      expect(await say(user, '/thi')).toContain(title);
      const out = await say(user, words);
      expect(out, words).toContain(title);
      expect(out, words).toContain('Trước khi đăng ký');
      expect(listUnanswered(t.app.db).some((u) => u.question === words), words).toBe(false);
    }
    // Words of more than one choice pick none: a question stays a question.
    const user = newUser();
    await say(user, '/thi');
    expect(await say(user, 'quyền trẻ em con người')).not.toContain('Trước khi đăng ký');
  });
});
