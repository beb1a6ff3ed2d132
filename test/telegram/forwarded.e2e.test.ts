/**
 * Forwarded posts end to end (webhook mode, the real app against the fake Bot API): a citizen
 * forwards a rumour to the bot, or sends a screenshot of one, as people do to ask "is this
 * true?". The report flow sees it and offers to report it, or to ask about it instead; a long
 * post is taken as a report, not refused as a question that is too long.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import type { App } from '../../src/app.js';

const SECRET = 'forward_secret-0123456789abcdef';
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

/** Pushes an update, waits until it is handled and its replies sent; returns the messages sent. */
async function push(update: Record<string, unknown>): Promise<RecordedCall[]> {
  const after = tg.calls.length;
  expect(await tg.pushUpdate(update)).toMatchObject({ delivered: true, status: 200 });
  await app.inbox.drain();
  return tg.calls.slice(after).filter((c) => c.method === 'sendMessage');
}

const buttonsOf = (c: RecordedCall) => ((c.params.reply_markup as Markup | undefined)?.inline_keyboard ?? []).flat();
const press = (userId: number, c: RecordedCall, label: string) => {
  const b = buttonsOf(c).find((x) => x.text === label);
  if (!b?.callback_data) throw new Error(`no button '${label}' in: ${buttonsOf(c).map((x) => x.text).join(', ')}`);
  return push(tg.callbackQuery({ userId, data: b.callback_data }));
};
const reportsOf = (userId: number) =>
  app.db
    .prepare(`SELECT r.text, r.media_ref, r.topic, r.platform FROM disinfo_reports r JOIN people p ON p.id = r.person_id WHERE p.channel = 'telegram' AND p.external_id = ?`)
    .all(String(userId)) as { text: string | null; media_ref: string | null; topic: string | null; platform: string | null }[];

const RUMOUR = 'KHẨN: Từ 1/1/2027 người không có căn cước gắn chip sẽ bị khoá tài khoản ngân hàng, chia sẻ ngay cho người thân!!!';

describe('a forwarded post on Telegram', () => {
  it('is offered for reporting, and reported in two presses', async () => {
    const U = 6101;
    const [offer] = await push(tg.message({ userId: U, text: RUMOUR, forwardedFrom: 'Nhóm Zalo Khu phố 3' }));
    expect(String(offer!.params.text)).toContain('Bạn vừa chuyển tiếp một tin');
    const labels = buttonsOf(offer!).map((b) => b.text);
    expect(labels).toContain('Khác');
    expect(labels.slice(-2)).toEqual(['Tôi muốn hỏi', 'Huỷ']);
    const [platform] = await press(U, offer!, 'Khác');
    expect(String(platform!.params.text)).toBe('Bạn thấy tin này ở đâu?');
    const [done] = await press(U, platform!, 'Zalo nhóm');
    expect(String(done!.params.text)).toContain('Mã số báo cáo');
    expect(reportsOf(U)).toEqual([{ text: RUMOUR, media_ref: null, topic: 'khac', platform: 'zalo' }]);
  });

  it('"Tôi muốn hỏi" answers it as a question instead, and nothing is reported', async () => {
    const U = 6102;
    const [offer] = await push(tg.message({ userId: U, text: 'Thủ tục đăng ký khai sinh cho con gồm những gì?', forwardedFrom: 'Chị Lan' }));
    const [answer] = await press(U, offer!, 'Tôi muốn hỏi');
    expect(String(answer!.params.text)).toMatch(/khai sinh/i);
    expect(reportsOf(U)).toEqual([]);
  });

  it('a forwarded post longer than a question may be is still offered for reporting', async () => {
    const U = 6103;
    const long = `${RUMOUR}\n\n${'Thông tin này được lan truyền trên nhiều nhóm, ai không làm sẽ bị phạt nặng. '.repeat(20)}`;
    expect(long.length).toBeGreaterThan(1000);
    const [offer] = await push(tg.message({ userId: U, text: long, forwardedFrom: 'Nhóm Zalo Khu phố 3' }));
    expect(String(offer!.params.text)).toContain('Bạn vừa chuyển tiếp một tin');
    // Too long to be asked as a question: no "Tôi muốn hỏi", and the text does not mention it.
    expect(buttonsOf(offer!).map((b) => b.text)).not.toContain('Tôi muốn hỏi');
    expect(String(offer!.params.text)).not.toContain('Tôi muốn hỏi');
  });

  it('/baocao then a pasted post over 1,000 characters: the report goes on (not "Tin nhắn quá dài")', async () => {
    const U = 6104;
    await push(tg.message({ userId: U, text: '/baocao' }));
    const pasted = 'Bài đăng: '.concat('Người dân phải nộp tiền để được cấp lại căn cước trước Tết, nếu không sẽ bị phạt. '.repeat(15));
    expect(pasted.length).toBeGreaterThan(1000);
    const [topic] = await push(tg.message({ userId: U, text: pasted }));
    expect(String(topic!.params.text)).toBe('Tin này nói về vấn đề gì?');
  });

  it('a forwarded screenshot with a caption is offered for reporting with its picture', async () => {
    const U = 6105;
    const photo = {
      message: {
        message_id: 77,
        date: Math.floor(Date.now() / 1000),
        chat: { id: U, type: 'private', first_name: 'Dân' },
        from: { id: U, is_bot: false, first_name: 'Dân', language_code: 'vi' },
        forward_origin: { type: 'channel', chat: { id: -1001, type: 'channel', title: 'Tin Nóng 24h' }, message_id: 5, date: 1 },
        photo: [
          { file_id: 'AgAC-small', file_unique_id: 'a', width: 90, height: 90 },
          { file_id: 'AgAC-large', file_unique_id: 'b', width: 800, height: 800 },
        ],
        caption: 'Xăng tăng 5.000 đồng từ mai',
      },
    };
    const [offer] = await push(photo);
    expect(String(offer!.params.text)).toContain('Bạn vừa chuyển tiếp một tin');
    const [platform] = await press(U, offer!, 'Khác');
    await press(U, platform!, 'Facebook');
    expect(reportsOf(U)).toEqual([{ text: 'Xăng tăng 5.000 đồng từ mai', media_ref: 'AgAC-large', topic: 'khac', platform: 'facebook' }]);
  });

  it('a screenshot sent as it is with a question is offered for reporting; a bare one says how to report it', async () => {
    const U = 6107;
    const photo = (caption?: string) => ({
      message: {
        message_id: 90 + (caption ? 1 : 0),
        date: Math.floor(Date.now() / 1000),
        chat: { id: U, type: 'private', first_name: 'Dân' },
        from: { id: U, is_bot: false, first_name: 'Dân', language_code: 'vi' },
        photo: [{ file_id: `AgAC-shot-${caption ? 'c' : 'n'}`, file_unique_id: 'c', width: 800, height: 800 }],
        ...(caption ? { caption } : {}),
      },
    });
    const [offer] = await push(photo('tin này có thật không ạ?'));
    expect(String(offer!.params.text)).toContain('Tôi chưa đọc được nội dung trong ảnh');
    expect(buttonsOf(offer!).map((b) => b.text).slice(-2)).toEqual(['Tôi muốn hỏi', 'Huỷ']);
    const [platform] = await press(U, offer!, 'Khác');
    await press(U, platform!, 'Facebook');
    expect(reportsOf(U)).toEqual([{ text: 'tin này có thật không ạ?', media_ref: 'AgAC-shot-c', topic: 'khac', platform: 'facebook' }]);
    const [bare] = await push(photo());
    expect(String(bare!.params.text)).toContain('chỉ đọc được tin nhắn dạng chữ');
    expect(String(bare!.params.text)).toContain('gõ /baocao rồi gửi lại ảnh');
  });

  it('a forwarded video with a caption is offered for reporting with its words; a file sent with a question is answered', async () => {
    const U = 6108;
    const now = Math.floor(Date.now() / 1000);
    const video = {
      message: {
        message_id: 120,
        date: now,
        chat: { id: U, type: 'private', first_name: 'Dân' },
        from: { id: U, is_bot: false, first_name: 'Dân', language_code: 'vi' },
        forward_origin: { type: 'channel', chat: { id: -1002, type: 'channel', title: 'Tin Nóng 24h' }, message_id: 9, date: 1 },
        video: { file_id: 'BAAC-video', file_unique_id: 'v', width: 720, height: 1280, duration: 30 },
        caption: RUMOUR,
      },
    };
    const [offer] = await push(video);
    expect(String(offer!.params.text)).toContain('Bạn vừa chuyển tiếp một tin');
    const [platform] = await press(U, offer!, 'Khác');
    await press(U, platform!, 'TikTok');
    expect(reportsOf(U)).toEqual([{ text: RUMOUR, media_ref: null, topic: 'khac', platform: 'tiktok' }]);
    // Written by the person, with a file: the words are a question.
    const [answer] = await push({
      message: {
        message_id: 121,
        date: now,
        chat: { id: U, type: 'private', first_name: 'Dân' },
        from: { id: U, is_bot: false, first_name: 'Dân', language_code: 'vi' },
        document: { file_id: 'BQAC-doc', file_unique_id: 'd', file_name: 'giay-chung-sinh.pdf' },
        caption: 'Thủ tục đăng ký khai sinh cho con gồm những gì?',
      },
    });
    expect(String(answer!.params.text)).toMatch(/khai sinh/i);
    expect(String(answer!.params.text)).not.toContain('chỉ đọc được tin nhắn dạng chữ');
  });

  it('a message the person wrote themselves is answered as before', async () => {
    const [answer] = await push(tg.message({ userId: 6106, text: 'Thủ tục đăng ký khai sinh cho con gồm những gì?' }));
    expect(String(answer!.params.text)).toMatch(/khai sinh/i);
    expect(String(answer!.params.text)).not.toContain('chuyển tiếp');
  });
});
