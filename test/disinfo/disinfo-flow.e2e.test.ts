/**
 * Reporting suspected disinformation end to end (issue 17, item 1): /baocao on Telegram (grammY
 * against the fake Bot API) and in the web chat (HTTP) reach one case with two reporters; the
 * per-day limit; staff triage it in the admin pages (each step audited, region scope applied);
 * closing it tells both reporters through the sender (Telegram at once, the web chat held until
 * the visitor comes back).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { listAudit } from '../../src/db/audit.js';
import { listCases, recordReport } from '../../src/db/disinfo.js';
import { upsertPerson } from '../../src/db/people.js';
import { toInbound as zaloInbound, zaloEventSchema } from '../../src/channels/zalo/webhook.js';

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };
type WebReply = { text: string; buttons?: { label: string; action: string }[] };

let tg: Awaited<ReturnType<typeof startFakeTelegram>>;
let t: Awaited<ReturnType<typeof startAdminApp>>;
const sendsTo = (chatId: number) => (c: RecordedCall) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId) && c.status === 200;

beforeAll(async () => {
  tg = await startFakeTelegram();
  t = await startAdminApp({
    env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling' },
    bot: { disinfo: { reports_per_day: 2 } },
  });
});
afterAll(async () => {
  await t?.close();
  await tg?.close();
});

async function chat(body: Record<string, string>): Promise<WebReply[]> {
  const res = await fetch(`${t.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { replies: WebReply[] }).replies;
}

/** Sends a Telegram update and returns the bot's next message to that chat. */
async function telegram(userId: number, update: Record<string, unknown>): Promise<RecordedCall> {
  const mark = tg.calls.length;
  await tg.pushUpdate(update);
  return tg.waitForCall(sendsTo(userId), { after: mark });
}

const buttonsOf = (call: RecordedCall) => (call.params.reply_markup as Keyboard).inline_keyboard.flat();

let caseNumber = '';

describe('reporting', () => {
  it('a report on Telegram and one in the web chat about the same link become one case with two reporters', async () => {
    const ask = await telegram(71, tg.message({ userId: 71, text: '/baocao' }));
    expect(ask.params.text).toContain('gửi đường link');
    const topics = await telegram(71, tg.message({ userId: 71, text: 'https://www.facebook.com/tin-gia/posts/1?fbclid=IwAR0xyz' }));
    expect(topics.params.text).toContain('Tin này nói về vấn đề gì?');
    const topicButtons = buttonsOf(topics);
    expect(topicButtons.map((b) => b.text)).toContain('Bảo hiểm y tế');
    expect(topicButtons.map((b) => b.text)).toContain('Khác');
    const where = await telegram(71, tg.callbackQuery({ userId: 71, data: 'bc:t:bao-hiem-y-te' }));
    expect(where.params.text).toContain('Bạn thấy tin này ở đâu?');
    expect(buttonsOf(where).map((b) => b.text)).toEqual(['Facebook', 'Zalo nhóm', 'TikTok', 'YouTube', 'Trang web', 'Khác', 'Huỷ']);
    const done = await telegram(71, tg.callbackQuery({ userId: 71, data: buttonsOf(where)[0]!.callback_data! }));
    const m = String(done.params.text).match(/BC-\d{4}-\d{4}/);
    expect(m).not.toBeNull();
    caseNumber = m![0];
    expect(String(done.params.text).normalize('NFC')).toBe(String(done.params.text));

    // The web chat: the link after the command, with other tracking parameters.
    const [webTopics] = await chat({ session: 'bc-web-session-1', text: '/baocao https://facebook.com/tin-gia/posts/1/?utm_source=zalo&utm_medium=share' });
    expect(webTopics!.text).toContain('Tin này nói về vấn đề gì?');
    const [webWhere] = await chat({ session: 'bc-web-session-1', action: 'bc:t:khac' });
    expect(webWhere!.buttons!.map((b) => b.label)).toContain('Zalo nhóm');
    const [webDone] = await chat({ session: 'bc-web-session-1', action: 'bc:p:zalo' });
    expect(webDone!.text).toContain(caseNumber);

    const mine = await chat({ session: 'bc-web-session-1', text: '/dulieucuatoi' });
    expect(mine.map((r) => r.text).join('\n')).toMatch(/Tin giả, tin xấu độc bạn đã báo \(\/baocao\): 1 \(ngày/);

    const cases = listCases(t.app.db);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ number: caseNumber, reporterCount: 2, url: 'https://facebook.com/tin-gia/posts/1', topic: 'bao-hiem-y-te', platform: 'facebook' });
  });

  it('a screenshot on Telegram is kept by its file reference (never downloaded), its caption as text', async () => {
    await telegram(72, tg.message({ userId: 72, text: '/baocao' }));
    const photo = {
      message: {
        message_id: 5001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 72, type: 'private' },
        from: { id: 72, is_bot: false, first_name: 'Minh' },
        photo: [
          { file_id: 'AgAC-small', file_unique_id: 'sm1', width: 90, height: 160, file_size: 1200 },
          { file_id: 'AgACAgUAAxkBAAIBQ2-large', file_unique_id: 'lg1', width: 720, height: 1280, file_size: 98000 },
        ],
        caption: 'Ảnh chụp bài đăng trong nhóm Zalo của phường',
      },
    };
    const topics = await telegram(72, photo);
    expect(topics.params.text).toContain('Tin này nói về vấn đề gì?');
    await telegram(72, tg.callbackQuery({ userId: 72, data: 'bc:t:khac' }));
    const done = await telegram(72, tg.callbackQuery({ userId: 72, data: 'bc:p:zalo' }));
    expect(done.params.text).toContain('Mã số báo cáo');
    const c = listCases(t.app.db).find((x) => x.mediaRef);
    expect(c).toMatchObject({ mediaRef: 'AgACAgUAAxkBAAIBQ2-large', text: 'Ảnh chụp bài đăng trong nhóm Zalo của phường', url: null, platform: 'zalo' });
    expect(tg.calls.some((x) => x.method === 'getFile')).toBe(false);

    // A photo outside a report still gets the polite "text only" reply.
    const other = await telegram(72, { message: { ...photo.message, message_id: 5002, caption: undefined } });
    expect(other.params.text).toContain('chỉ đọc được tin nhắn dạng chữ');
  });

  it('a Zalo image event carries its URL as the media reference', () => {
    const e = zaloEventSchema.parse({
      event_name: 'user_send_image',
      sender: { id: '3512345678901234567' },
      recipient: { id: 'oa-1' },
      timestamp: '1767225600000',
      message: { msg_id: 'img-1', text: '/baocao', attachments: [{ type: 'image', payload: { thumbnail: 'https://z.cdn/t.jpg', url: 'https://z.cdn/full.jpg' } }] },
    });
    expect(zaloInbound(e)).toMatchObject({ type: 'unsupported', what: 'image', media: { kind: 'image', ref: 'https://z.cdn/full.jpg', caption: '/baocao' } });
  });

  it('a typed menu entry starts a report too, and "Huỷ" cancels it', async () => {
    const [ask] = await chat({ session: 'bc-web-session-3', text: 'Báo tin giả/xấu độc' });
    expect(ask!.text).toContain('gửi đường link');
    const [cancelled] = await chat({ session: 'bc-web-session-3', action: ask!.buttons![0]!.action });
    expect(cancelled!.text).toContain('Đã huỷ báo cáo');
  });

  it('/help and the Telegram command menu list /baocao', async () => {
    const [help] = await chat({ session: 'bc-web-session-3', text: '/help' });
    expect(help!.text).toContain('/baocao');
    const commands = tg.callsTo('setMyCommands').flatMap((c) => c.params.commands as { command: string; description: string }[]);
    expect(commands.find((c) => c.command === 'baocao')?.description).toBe('Báo tin giả/xấu độc bạn thấy trên mạng');
  });

  it('at most `reports_per_day` reports per person per day', async () => {
    for (const n of [1, 2]) {
      await chat({ session: 'bc-web-session-2', text: `/baocao https://tiktok.com/@x/video/${n}` });
      await chat({ session: 'bc-web-session-2', action: 'bc:t:khac' });
      const [done] = await chat({ session: 'bc-web-session-2', action: 'bc:p:tiktok' });
      expect(done!.text).toContain('Mã số báo cáo');
    }
    const [refused] = await chat({ session: 'bc-web-session-2', text: '/baocao https://tiktok.com/@x/video/3' });
    expect(refused!.text).toContain('số tối đa trong một ngày');
    expect(listCases(t.app.db).map((c) => c.url)).not.toContain('https://tiktok.com/@x/video/3');
  });
});

describe('triage in the admin pages', () => {
  it('staff take the case to "handled"; each step is audited; both reporters are told through the sender', async () => {
    const pw = addUser(t.app, 'bien-tap-tinh', ['editor']);
    const staff = new AdminClient(t.url);
    expect((await staff.login('bien-tap-tinh', pw)).status).toBe(303);
    const queue = await staff.get('/admin/disinfo?xep=nhieu');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(caseNumber);
    const id = listCases(t.app.db).find((c) => c.number === caseNumber)!.id;
    const page = await staff.get(`/admin/disinfo/${id}`);
    expect(page.text).toContain('Bước xử lý tiếp theo');

    const steps: Record<string, string>[] = [
      { status: 'checking', note: 'Đang xác minh với Sở Y tế' },
      { status: 'confirmed_false', evidence: 'Công văn số 123/SYT' },
    ];
    for (const step of steps) {
      const res = await staff.post(`/admin/disinfo/${id}/status`, step);
      expect(res.status).toBe(303);
    }
    const refused = await staff.post(`/admin/disinfo/${id}/correction`, { correctionId: 'khong-co-bai-nay' });
    expect(decodeURIComponent(refused.location!)).toContain('Không có bài hỏi đáp');
    const linked = await staff.post(`/admin/disinfo/${id}/correction`, { correctionId: 'bhyt-tre-em-duoi-6-tuoi', campaignId: '' });
    expect(decodeURIComponent(linked.location!)).toContain('Đã gắn tin đính chính');

    const mark = tg.calls.length;
    const handled = await staff.post(`/admin/disinfo/${id}/status`, { status: 'handled', outcome: 'correction', note: 'Đã đăng tin đính chính' });
    expect(decodeURIComponent(handled.location!)).toContain('Đang gửi kết quả cho 2 người báo tin');

    const told = await tg.waitForCall(sendsTo(71), { after: mark });
    expect(String(told.params.text)).toContain(`Kết quả xử lý báo cáo ${caseNumber}`);
    expect(String(told.params.text)).toContain('đính chính');
    // The linked correction goes with the outcome, so the reporter can pass on the right information.
    const correction = t.app.knowledge.getQa('bhyt-tre-em-duoi-6-tuoi')!;
    expect(String(told.params.text)).toContain(correction.question);
    expect(String(told.params.text)).toContain(correction.answer.split('\n')[0]!.slice(0, 30));
    // The case page says where the outcome messages are: Telegram's sent, the web chat's kept for the visitor.
    await vi.waitFor(async () => expect((await staff.get(`/admin/disinfo/${id}`)).text).toContain('<strong>Tin báo kết quả cho người báo:</strong> 1 đã gửi; 1 chờ người nhận nhắn lại (web chat, hoặc Zalo quá 7 ngày không nhắn).'));
    const held = (await (await fetch(`${t.url}/api/chat/held?session=bc-web-session-1`)).json()) as { replies: WebReply[] };
    expect(held.replies.map((r) => r.text).join('\n')).toContain(`Kết quả xử lý báo cáo ${caseNumber}`);
    expect(held.replies.map((r) => r.text).join('\n')).toContain(correction.question);
    expect((await staff.get(`/admin/disinfo/${id}`)).text).toContain('<strong>Tin báo kết quả cho người báo:</strong> 2 đã gửi.');

    const audit = listAudit(t.app.db, { action: 'disinfo.' }).reverse();
    expect(audit.map((a) => [a.actor, a.action, a.targetId, a.details?.to ?? null])).toEqual([
      ['bien-tap-tinh', 'disinfo.status', caseNumber, 'checking'],
      ['bien-tap-tinh', 'disinfo.status', caseNumber, 'confirmed_false'],
      ['bien-tap-tinh', 'disinfo.correction', caseNumber, null],
      ['bien-tap-tinh', 'disinfo.status', caseNumber, 'handled'],
    ]);
    // Someone who reports the item after it was handled is told the outcome at once.
    await chat({ session: 'bc-web-session-4', text: '/baocao https://m.facebook.com/tin-gia/posts/1' });
    await chat({ session: 'bc-web-session-4', action: 'bc:t:khac' });
    const late = await chat({ session: 'bc-web-session-4', action: 'bc:p:facebook' });
    expect(late.map((r) => r.text)).toEqual([expect.stringContaining(caseNumber), expect.stringContaining(`Kết quả xử lý báo cáo ${caseNumber}`)]);

    const after = await staff.get(`/admin/disinfo/${id}`);
    expect(after.text).toContain('Công văn số 123/SYT');
    expect(after.text).toContain('Đã đăng tin đính chính');
  });

  it('staff view a reported screenshot, fetched from Telegram when viewed (never stored), images only', async () => {
    const pw = addUser(t.app, 'xem-anh', ['viewer']);
    const staff = new AdminClient(t.url);
    expect((await staff.login('xem-anh', pw)).status).toBe(303);
    const c = listCases(t.app.db).find((x) => x.mediaRef === 'AgACAgUAAxkBAAIBQ2-large')!;
    expect((await staff.get(`/admin/disinfo/${c.id}`)).text).toContain(`href="/admin/disinfo/${c.id}/anh"`);
    // Not on Telegram's file server (any more): a message, not an error page.
    const gone = await staff.get(`/admin/disinfo/${c.id}/anh`);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('Không tải được ảnh');
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
    tg.addFile('AgACAgUAAxkBAAIBQ2-large', jpeg, 'photos/file_7.jpg');
    const res = await fetch(`${t.url}/admin/disinfo/${c.id}/anh`, { headers: { cookie: [...staff.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(jpeg);
    expect(tg.callsTo('getFile').at(-1)?.params.file_id).toBe('AgACAgUAAxkBAAIBQ2-large');
    // Something that is not an image is not passed on.
    tg.addFile('AgACAgUAAxkBAAIBQ2-large', new TextEncoder().encode('<html><script>alert(1)</script></html>'), 'photos/file_7.jpg');
    expect((await staff.get(`/admin/disinfo/${c.id}/anh`)).status).toBe(404);
  });

  it('region-scoped staff see only their region’s cases and cannot triage without the permission', async () => {
    const db = t.app.db;
    const at = new Date();
    const p1 = upsertPerson(db, 'telegram', '880001', undefined, at);
    const p2 = upsertPerson(db, 'telegram', '880002', undefined, at);
    const mine = recordReport(db, { personId: p1.id, channel: 'telegram', region: 'pho-hien', text: 'https://a.vn/pho-hien', topic: 'khac', platform: 'website' }, at);
    const other = recordReport(db, { personId: p2.id, channel: 'telegram', region: 'son-nam', text: 'https://a.vn/son-nam', topic: 'khac', platform: 'website' }, at);
    const pw = addUser(t.app, 'xem-pho-hien', ['viewer'], 'pho-hien');
    const commune = new AdminClient(t.url);
    expect((await commune.login('xem-pho-hien', pw)).status).toBe(303);
    const queue = await commune.get('/admin/disinfo');
    expect(queue.text).toContain(mine.number);
    expect(queue.text).not.toContain(other.number);
    expect(queue.text).not.toContain(caseNumber); // a case of no region is for province-wide staff
    expect((await commune.get(`/admin/disinfo/${other.caseId}`)).status).toBe(404);
    const page = await commune.get(`/admin/disinfo/${mine.caseId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Bước xử lý tiếp theo');
    expect((await commune.post(`/admin/disinfo/${mine.caseId}/status`, { status: 'checking' })).status).toBe(403);
  });
});
