/**
 * Officials' training end to end (issue 17, item 2): officials imported from CSV with
 * `loa training import`; staff invite them from the admin page and the invitation reaches one on
 * Telegram (grammY against the fake Bot API) through the sender; they read the articles, fail the
 * test once (told how many tries are left), pass it, and their group's coverage rises; the
 * reminder reaches only the untrained; the admin import refuses a bad file by line; region scope;
 * the yearly report's training section; /dulieucuatoi shows the official's record.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { listAudit } from '../../src/db/audit.js';
import { vietnamYear } from '../../src/time/vietnam.js';
import { parseCsv } from '../../src/text/csv.js';
import { run as trainingCli } from '../../src/cli/training.js';
import { listOfficials, trainingCoverage } from '../../src/db/training.js';
import { createTrainingRegistry } from '../../src/training/definition.js';

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };

let tg: Awaited<ReturnType<typeof startFakeTelegram>>;
let t: Awaited<ReturnType<typeof startAdminApp>>;
let staff: AdminClient;
let commune: AdminClient;

beforeAll(async () => {
  tg = await startFakeTelegram();
  t = await startAdminApp({ env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling', TELEGRAM_RATE_PER_CHAT: '1000' } });
  staff = new AdminClient(t.url);
  expect((await staff.login('tochuc', addUser(t.app, 'tochuc', ['quiz_organizer']))).status).toBe(303);
  commune = new AdminClient(t.url);
  expect((await commune.login('sonnam', addUser(t.app, 'sonnam', ['quiz_organizer'], 'son-nam'))).status).toBe(303);
});
afterAll(async () => {
  await t?.close();
  await tg?.close();
});

const OFFICIAL = 9301;
const OTHER = 9302;
const toOfficial = (c: RecordedCall) => c.method === 'sendMessage' && String(c.params.chat_id) === String(OFFICIAL) && c.status === 200;
const buttonsOf = (call: RecordedCall) => ((call.params.reply_markup as Keyboard | undefined)?.inline_keyboard ?? []).flat();

/** Presses a button (or sends text) and waits for the bot's message containing `expected`. */
async function step(update: Record<string, unknown>, expected: string): Promise<RecordedCall> {
  const mark = tg.calls.length;
  await tg.pushUpdate(update);
  return tg.waitForCall((c) => toOfficial(c) && String(c.params.text).includes(expected), { after: mark });
}

/** Answers the current test: every question right, or every one wrong. */
async function answerAll(first: RecordedCall, right: boolean, correct: number[]): Promise<RecordedCall> {
  let q = first;
  for (let n = 0; n < correct.length; n++) {
    const action = buttonsOf(q)[right ? correct[n]! : (correct[n]! + 1) % 3]!.callback_data!;
    const expected = n + 1 < correct.length ? `Câu ${n + 2}/${correct.length}` : 'Đồng chí trả lời đúng';
    q = await step(tg.callbackQuery({ userId: OFFICIAL, data: action }), expected);
  }
  return q;
}

describe('an official imported from CSV is invited, fails once, passes', () => {
  it('runs the whole flow on Telegram and the coverage of the group rises', async () => {
    const file = join(t.app.config.dataDir, 'can-bo.csv');
    writeFileSync(
      file,
      [
        'name,unit,group,region,channel,external_id',
        `Nguyễn Thị Hoa,UBND xã Phố Hiến,quyen-con-nguoi,pho-hien,telegram,${OFFICIAL}`,
        'Trần Văn Nam,UBND xã Phố Hiến,quyen-con-nguoi,pho-hien,telegram,9302',
      ].join('\n'),
    );
    const out: string[] = [];
    expect(await trainingCli(['import', file], { db: t.app.db, config: t.app.config, out: (s) => out.push(s) })).toBe(0);
    const groups = createTrainingRegistry(t.app.config.contentDir).groups();
    const before = trainingCoverage(t.app.db, groups).find((g) => g.groupId === 'quyen-con-nguoi')!;
    expect(before).toMatchObject({ officials: 2, trained: 0 });

    // Staff invite the group from the admin page: each untrained official gets one message through the sender.
    const mark = tg.calls.length;
    const sent = await staff.post('/admin/training/invite', { training: 'quyen-con-nguoi-co-ban', group: 'quyen-con-nguoi' });
    expect(decodeURIComponent(sent.location ?? '')).toContain('Đã gửi lời mời tới 2 cán bộ chưa tập huấn');
    const invite = await tg.waitForCall((c) => toOfficial(c), { after: mark });
    expect(invite.params.text).toContain('Kính gửi đồng chí Nguyễn Thị Hoa');
    expect(invite.params.text).toContain('Mỗi người được làm bài tối đa 3 lần');
    await tg.waitForCall((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(OTHER), { after: mark });
    expect(listAudit(t.app.db, { action: 'training.invite' })[0]).toMatchObject({ actor: 'tochuc', details: { queued: 2, skipped: 0 } });

    // Opens the training: the introduction, then the first article; the next button leads to the second.
    const first = await step(tg.callbackQuery({ userId: OFFICIAL, data: buttonsOf(invite)[0]!.callback_data! }), 'Bài 1/2');
    expect(first.params.text).toContain('Đề án truyền thông về quyền con người');
    const second = await step(tg.callbackQuery({ userId: OFFICIAL, data: buttonsOf(first)[0]!.callback_data! }), 'Bài 2/2');
    expect(buttonsOf(second).map((b) => b.text)).toEqual(['Làm bài kiểm tra']);

    // Fails once: told the result and the tries left.
    const correct = [1, 1, 1, 1, 2];
    const q1 = await step(tg.callbackQuery({ userId: OFFICIAL, data: buttonsOf(second)[0]!.callback_data! }), 'Câu 1/5');
    const failed = await answerAll(q1, false, correct);
    expect(failed.params.text).toContain('Đồng chí trả lời đúng 0/5 câu, CHƯA ĐẠT (cần đúng từ 80% số câu)');
    expect(failed.params.text).toContain('còn 2 lượt làm bài');
    expect(trainingCoverage(t.app.db, groups).find((g) => g.groupId === 'quyen-con-nguoi')!.trained).toBe(0);

    // Retries and passes.
    const retry = buttonsOf(failed).find((b) => b.text === 'Làm lại bài kiểm tra')!;
    const again = await step(tg.callbackQuery({ userId: OFFICIAL, data: retry.callback_data! }), 'Câu 1/5');
    const passed = await answerAll(again, true, correct);
    expect(passed.params.text).toContain('Đồng chí trả lời đúng 5/5 câu và đã ĐẠT');

    const after = trainingCoverage(t.app.db, groups).find((g) => g.groupId === 'quyen-con-nguoi')!;
    expect(after).toMatchObject({ officials: 2, trained: 1, share: 0.5 });
    const list = await step(tg.message({ userId: OFFICIAL, text: '/taphuan' }), 'Các khoá tập huấn');
    expect(list.params.text).toContain('Cập nhật thông tin về quyền con người và Đề án 1079: đã đạt');
  });

  it('the reminder reaches only the untrained', async () => {
    await t.app.sender.drain();
    const mark = tg.calls.length;
    const res = await staff.post('/admin/training/remind', { training: 'quyen-con-nguoi-co-ban', group: '' });
    expect(decodeURIComponent(res.location ?? '')).toContain('Đã gửi tin nhắc tới 1 cán bộ chưa tập huấn');
    const reminder = await tg.waitForCall((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(OTHER), { after: mark });
    expect(reminder.params.text).toContain('Kính gửi đồng chí Trần Văn Nam');
    expect(reminder.params.text).toContain('chưa hoàn thành tập huấn');
    await t.app.sender.drain();
    expect(tg.calls.slice(mark).filter(toOfficial)).toEqual([]);
    const untrained = await staff.get('/admin/training/officials?chua=1');
    expect(untrained.text).toContain('Trần Văn Nam');
    expect(untrained.text).not.toContain('Nguyễn Thị Hoa');
  });

  it("shows coverage against the target, per unit, within the staff member's region only", async () => {
    const page = await staff.get('/admin/training');
    expect(page.status).toBe(200);
    const row = page.text.match(/<tr data-group="quyen-con-nguoi">[\s\S]*?<\/tr>/)![0];
    expect(row).toContain('Cán bộ làm công tác quyền con người');
    expect(row).toContain('>100%<');
    expect(row).toContain('>50%<');
    expect(row).toContain('Chưa đạt chỉ tiêu');
    expect(page.text).toContain('UBND xã Phố Hiến');
    // A Sơn Nam account sees none of Phố Hiến's officials, and its reminder reaches nobody.
    const scoped = await commune.get('/admin/training');
    expect(scoped.text).not.toContain('UBND xã Phố Hiến');
    expect((await commune.get('/admin/training/officials')).text).not.toContain('Trần Văn Nam');
    const none = await commune.post('/admin/training/remind', { training: 'quyen-con-nguoi-co-ban', group: '' });
    expect(decodeURIComponent(none.location ?? '')).toContain('tới 0 cán bộ');
  });

  it('the admin import refuses a bad file by line, and a commune account imports its own region only', async () => {
    const header = 'name,unit,group,region,channel,external_id';
    const bad = await staff.post('/admin/training/import', { csv: [header, 'Phạm Văn Đức,Báo Hưng Yên,thong-tin-doi-ngoai,,telegram,9303', 'Vũ Thị E,Báo Hưng Yên,khong-co,,telegram,9304'].join('\n') });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('dòng 3: group: không có nhóm');
    expect(listOfficials(t.app.db)).toHaveLength(2);
    const outside = await commune.post('/admin/training/import', { csv: [header, 'Đỗ Văn G,UBND xã Sơn Nam,quyen-con-nguoi,son-nam,telegram,9305', 'Hồ Thị H,UBND xã Phố Hiến,quyen-con-nguoi,pho-hien,telegram,9306'].join('\n') });
    expect(outside.status).toBe(400);
    expect(outside.text).toContain('dòng 3: region: tài khoản của bạn chỉ nhập được cán bộ thuộc địa bàn');
    const ok = await commune.post('/admin/training/import', { csv: [header, 'Đỗ Văn G,UBND xã Sơn Nam,quyen-con-nguoi,son-nam,telegram,9305'].join('\n') });
    expect(decodeURIComponent(ok.location ?? '')).toContain('Đã nhập 1 cán bộ');
    expect(listAudit(t.app.db, { action: 'training.import' })[0]).toMatchObject({ actor: 'sonnam' });
  });

  it("the yearly report counts coverage by group against 100%/70%, by unit, with the plan's wording", async () => {
    const year = vietnamYear(new Date());
    const S6 = '6. Cập nhật thông tin, tập huấn cán bộ';
    const HR = 'Cán bộ làm công tác quyền con người';
    const value = (csv: string, indicator: string, group: string): string | undefined =>
      parseCsv(csv).find((r) => r[0] === S6 && r[1] === indicator && r[2] === group)?.[3];
    const csv = (await staff.get(`/admin/report.csv?year=${year}`)).text;
    expect(value(csv, 'Chỉ tiêu (%)', HR)).toBe('100');
    expect(value(csv, 'Chỉ tiêu (%)', 'Cán bộ chủ chốt của các tổ chức chính trị - xã hội')).toBe('70');
    expect(value(csv, 'Cán bộ trong danh sách cuối năm', HR)).toBe('3');
    expect(value(csv, 'Đã tập huấn (lũy kế đến cuối năm)', HR)).toBe('1');
    expect(value(csv, 'Tập huấn trong năm', HR)).toBe('1');
    expect(value(csv, 'Tỷ lệ đã tập huấn (%)', HR)).toBe('33.3');
    expect(value(csv, 'Đánh giá', HR)).toBe('chưa đạt chỉ tiêu');
    expect(value(csv, 'Đã tập huấn theo đơn vị', `${HR} / UBND xã Phố Hiến`)).toBe('1');
    expect(value(csv, 'Cán bộ trong danh sách theo đơn vị', `${HR} / UBND xã Sơn Nam`)).toBe('1');
    // The training's test is not a contest of section 4.
    expect(parseCsv(csv).filter((r) => r[0] === '4. Cuộc thi').map((r) => r[2])).not.toContain('Kiểm tra tập huấn - Quyền con người và Đề án 1079');
    const print = (await staff.get(`/admin/report/print?year=${year}`)).text;
    expect(print).toContain('70% cán bộ chủ chốt của các tổ chức chính trị - xã hội được cập nhật thông tin tình hình công tác quyền con người ở Việt Nam, tập huấn kiến thức, kỹ năng truyền thông về quyền con người.');
    expect(print).toContain('<tr data-group="quyen-con-nguoi">');
    // The commune's report counts its own official only.
    const scoped = (await commune.get(`/admin/report.csv?year=${year}`)).text;
    expect(value(scoped, 'Cán bộ trong danh sách cuối năm', HR)).toBe('1');
    expect(value(scoped, 'Đã tập huấn (lũy kế đến cuối năm)', HR)).toBe('0');
  });

  it('someone not on the list is told which account id to give staff', async () => {
    const reply = await step(tg.message({ userId: OFFICIAL, text: '/taphuan' }), 'Các khoá tập huấn');
    expect(reply.params.text).toContain('đã đạt');
    const mark = tg.calls.length;
    await tg.pushUpdate(tg.message({ userId: 9399, text: '/taphuan' }));
    const stranger = await tg.waitForCall((c) => c.method === 'sendMessage' && String(c.params.chat_id) === '9399', { after: mark });
    expect(stranger.params.text).toContain('chưa có trong danh sách cán bộ tập huấn');
    expect(stranger.params.text).toContain('Mã tài khoản: 9399');
  });

  it('/dulieucuatoi shows the official their record', async () => {
    const mine = await step(tg.message({ userId: OFFICIAL, text: '/dulieucuatoi' }), 'Danh sách cán bộ tập huấn');
    expect(mine.params.text).toContain('Nguyễn Thị Hoa, UBND xã Phố Hiến');
    expect(mine.params.text).toContain('đã tập huấn (đạt ngày');
  });
});
