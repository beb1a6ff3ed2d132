/**
 * The issue's own check, end to end: a report from Telegram and one from Zalo about the same
 * link become one case with two reporters; staff confirm and handle it in the admin pages; both
 * reporters are told on their channel (through the sender); the yearly report counts it.
 * On Zalo the choices are numbered text: the person answers by typing the number. The two links
 * are the same Facebook post shared differently (m. and www., https and http, a trailing '/',
 * utm_ and fbclid parameters); the report counts the case by outcome, platform and month.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import { startFakeZalo, zaloEnv, type FakeZalo } from '../support/fake-zalo.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { listCases, reportsOfCase } from '../../src/db/disinfo.js';
import { formatVietnamTime } from '../../src/time/vietnam.js';
import { parseCsv } from '../../src/text/csv.js';
import { REPORTERS_LABEL } from '../../src/admin/report.js';

const ZALO_USER = '8713451786543210555';
let tg: Awaited<ReturnType<typeof startFakeTelegram>>;
let zalo: FakeZalo;
let t: Awaited<ReturnType<typeof startAdminApp>>;
const sendsTo = (chatId: number) => (c: RecordedCall) => c.method === 'sendMessage' && String(c.params.chat_id) === String(chatId) && c.status === 200;

beforeAll(async () => {
  tg = await startFakeTelegram();
  zalo = await startFakeZalo();
  zalo.addUser({ id: ZALO_USER, name: 'Trần Văn Bình' });
  t = await startAdminApp({ env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling', ...zaloEnv(zalo) } });
});
afterAll(async () => {
  await t?.close();
  await tg?.close();
  await zalo?.close();
});

/** Sends a Zalo text and returns what the OA sent back to the person, joined. */
async function zaloSays(text: string): Promise<string> {
  const before = zalo.sent.length;
  const res = await zalo.deliverWebhook(`${t.url}/webhooks/zalo`, zalo.textEvent(ZALO_USER, text));
  expect(res.status).toBe(200);
  await t.app.inbox.drain();
  await t.app.sender.drain();
  return zalo.sent
    .slice(before)
    .map((s) => s.message.text ?? '')
    .join('\n');
}

/** The number of the choice labelled `label` in a numbered block ("3. Khác"). */
function numberOf(text: string, label: string): string {
  const m = text.match(new RegExp(`(?:^|\\n)(\\d+)\\. ${label}(?:\\n|$)`));
  if (!m) throw new Error(`test: no choice '${label}' in:\n${text}`);
  return m[1]!;
}

it('Telegram and Zalo reports of one link: one case, two reporters, both told, counted in the report', async () => {
  // Telegram: the link right after the command, then the buttons.
  let mark = tg.calls.length;
  // The same Facebook post as two people share it: mobile site, https, trailing '/', utm_ and
  // fbclid parameters on Telegram; desktop site, http, none of them on Zalo.
  await tg.pushUpdate(tg.message({ userId: 91, text: '/baocao https://m.facebook.com/groups/4455/posts/7312/?utm_source=share&utm_medium=copy_link&fbclid=IwAR0k' }));
  await tg.waitForCall(sendsTo(91), { after: mark });
  mark = tg.calls.length;
  await tg.pushUpdate(tg.callbackQuery({ userId: 91, data: 'bc:t:quyen-con-nguoi' }));
  await tg.waitForCall(sendsTo(91), { after: mark });
  mark = tg.calls.length;
  await tg.pushUpdate(tg.callbackQuery({ userId: 91, data: 'bc:p:facebook' }));
  const tgDone = await tg.waitForCall(sendsTo(91), { after: mark });
  const number = String(tgDone.params.text).match(/BC-\d{4}-\d{4}/)![0];

  // Zalo: the menu text, the link, then typed numbers.
  expect(await zaloSays('Báo tin giả/xấu độc')).toContain('gửi đường link');
  const topics = await zaloSays('http://www.facebook.com/groups/4455/posts/7312');
  expect(topics).toContain('Tin này nói về vấn đề gì?');
  const where = await zaloSays(numberOf(topics, 'Khác'));
  expect(where).toContain('Bạn thấy tin này ở đâu?');
  const done = await zaloSays(numberOf(where, 'Zalo nhóm'));
  expect(done).toContain(`Mã số báo cáo của bạn: ${number}`);
  expect(listCases(t.app.db)).toMatchObject([{ number, reporterCount: 2, url: 'https://facebook.com/groups/4455/posts/7312', platform: 'facebook' }]);
  expect(reportsOfCase(t.app.db, listCases(t.app.db)[0]!.id).map((r) => [r.channel, r.platform])).toEqual([
    ['telegram', 'facebook'],
    ['zalo', 'zalo'],
  ]);

  // Staff confirm and handle it in the admin pages.
  const pw = addUser(t.app, 'duyet-tinh', ['approver']);
  const staff = new AdminClient(t.url);
  expect((await staff.login('duyet-tinh', pw)).status).toBe(303);
  const id = listCases(t.app.db)[0]!.id;
  expect((await staff.post(`/admin/disinfo/${id}/status`, { status: 'confirmed_false', evidence: 'Đối chiếu với thông cáo của UBND tỉnh' })).status).toBe(303);
  const zaloBefore = zalo.sent.length;
  mark = tg.calls.length;
  const handled = await staff.post(`/admin/disinfo/${id}/status`, { status: 'handled', outcome: 'platform', note: 'Đã gửi yêu cầu gỡ tới Facebook' });
  expect(decodeURIComponent(handled.location!)).toContain('Đang gửi kết quả cho 2 người báo tin');

  const told = await tg.waitForCall(sendsTo(91), { after: mark });
  expect(String(told.params.text)).toContain(`Kết quả xử lý báo cáo ${number}`);
  await t.app.sender.drain();
  const zaloTold = zalo.sent.slice(zaloBefore).map((s) => s.message.text ?? '').join('\n');
  expect(zaloTold).toContain(`Kết quả xử lý báo cáo ${number}`);
  expect(zaloTold).toContain('đề nghị nền tảng gỡ bỏ');

  // The yearly report counts it.
  const year = number.slice(3, 7);
  const csv = parseCsv((await staff.get(`/admin/report.csv?year=${year}`)).text);
  const figure = (indicator: string, group = 'tất cả') => csv.find((r) => r[1] === indicator && r[2] === group)?.[3];
  expect(figure('Vụ việc đã nhận')).toBe('1');
  expect(figure(REPORTERS_LABEL)).toBe('2');
  expect(figure('Đã xử lý')).toBe('1');
  expect(figure('Tỷ lệ phát hiện và xử lý (%)', 'chỉ tiêu 90%')).toBe('100');
  expect(figure('Vụ việc theo nơi phát hiện', 'Facebook')).toBe('1');
  expect(figure('Đã xử lý theo nơi phát hiện', 'Facebook')).toBe('1');
  const month = Number(formatVietnamTime(listCases(t.app.db)[0]!.firstAt, 'MM'));
  expect(figure('Vụ việc theo tháng', `tháng ${month}`)).toBe('1');
  expect(figure('Đã xử lý theo tháng', `tháng ${month}`)).toBe('1');
  expect(csv.filter((r) => r[1] === 'Vụ việc theo tháng' && r[3] !== '0')).toHaveLength(1);
  // The printable page says the same.
  const page = (await staff.get(`/admin/report?year=${year}`)).text;
  expect(page).toMatch(/<td>Facebook<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">100%<\/td>/);
});
