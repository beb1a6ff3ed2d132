/**
 * A year's cycle as the office runs it, counted by hand: the list imported with `loa training
 * import` (one official in two of the plan's groups), the invitation from the admin page, one
 * official trained over the bot on Telegram (grammY against the fake Bot API), one trained in
 * person from the officials page, one who left taken off the list, two citizens asking the bot;
 * then the report of a period ending today with `loa report --from … --to …` and on
 * /admin/report.
 *
 * Hand count (the period ends today, the figures run to the moment the report is made):
 *  - human-rights officials: Hoa (trained over the bot), Nam (invited, never trained) = 1/2, 50%;
 *  - information officials: Đức (trained in person) = 1/1, 100%;
 *  - key officials of the socio-political organisations: Hoa (also in this group), Lan (left,
 *    not counted) = 1/1, 100%;
 *  - 3 officials, 2 trained, 1 in two groups (the groups add up to 4 and 3);
 *  - citizens reached: 2 on Telegram (they asked); Hoa wrote to take her training: 1 official,
 *    not a citizen; Nam never wrote (invitations are not campaign messages).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { run as trainingCli } from '../../src/cli/training.js';
import { run as reportCli } from '../../src/cli/report.js';
import { listOfficials } from '../../src/db/training.js';
import { parseCsv } from '../../src/text/csv.js';
import { formatVietnamTime } from '../../src/time/vietnam.js';

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };

let tg: Awaited<ReturnType<typeof startFakeTelegram>>;
let t: Awaited<ReturnType<typeof startAdminApp>>;
let staff: AdminClient;

beforeAll(async () => {
  tg = await startFakeTelegram();
  t = await startAdminApp({ env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling', TELEGRAM_RATE_PER_CHAT: '1000' } });
  staff = new AdminClient(t.url);
  expect((await staff.login('tochuc', addUser(t.app, 'tochuc', ['quiz_organizer']))).status).toBe(303);
});
afterAll(async () => {
  await t?.close();
  await tg?.close();
});

const HOA = 9301;
const HR = 'Cán bộ làm công tác quyền con người';
const INFO = 'Cán bộ làm công tác quản lý thông tin, truyền thông';
const KEY = 'Cán bộ chủ chốt của các tổ chức chính trị - xã hội';
const toUser = (id: number) => (c: RecordedCall) => c.method === 'sendMessage' && String(c.params.chat_id) === String(id) && c.status === 200;
const buttonsOf = (call: RecordedCall) => ((call.params.reply_markup as Keyboard | undefined)?.inline_keyboard ?? []).flat();

async function step(userId: number, update: Record<string, unknown>, expected: string): Promise<RecordedCall> {
  const mark = tg.calls.length;
  await tg.pushUpdate(update);
  return tg.waitForCall((c) => toUser(userId)(c) && String(c.params.text).includes(expected), { after: mark });
}

describe("the office's year, counted by hand", () => {
  it('imports, invites, trains over the bot and in person, and the report reads as counted', async () => {
    // The list, as the office's sheet has it: Hoa chairs the ward's Women's Union and does its
    // human-rights work, two rows; Lan will leave.
    const sheet = join(t.app.config.dataDir, 'can-bo.csv');
    writeFileSync(
      sheet,
      [
        '\uFEFFHọ và tên;Đơn vị;Nhóm đối tượng;Địa bàn;Kênh;Mã tài khoản',
        `Nguyễn Thị Hoa;Hội Liên hiệp Phụ nữ phường Phố Hiến;${HR};Phường Phố Hiến;telegram;${HOA}`,
        `Nguyễn Thị Hoa;Hội Liên hiệp Phụ nữ phường Phố Hiến;${KEY};Phường Phố Hiến;telegram;${HOA}`,
        `Trần Văn Nam;UBND phường Phố Hiến;${HR};Phường Phố Hiến;telegram;9302`,
        `Lê Văn Đức;UBND phường Phố Hiến;${INFO};Phường Phố Hiến;telegram;9303`,
        `Phạm Thị Lan;Hội Nông dân phường Phố Hiến;${KEY};Phường Phố Hiến;telegram;9304`,
      ].join('\r\n') + '\r\n',
    );
    const said: string[] = [];
    expect(await trainingCli(['import', sheet], { db: t.app.db, config: t.app.config, out: (s) => said.push(s), err: (s) => said.push(s) })).toBe(0);
    expect(said.join('\n')).toContain('Đã nhập 4 cán bộ: 4 người mới, 0 người đã có được cập nhật. 1 người thuộc từ hai nhóm đối tượng trở lên');

    // Lan left: taken off from the officials page.
    const lan = listOfficials(t.app.db).find((o) => o.externalId === '9304')!;
    await staff.get('/admin/training/officials');
    expect((await staff.post(`/admin/training/officials/${lan.id}/remove`, {})).status).toBe(303);
    // The officials page shows Hoa's two groups.
    const officials = await staff.get('/admin/training/officials');
    expect(officials.text).toContain(`<td>${HR}; ${KEY}</td>`);

    // The invitation: Hoa once (two groups, one person), Nam, Đức.
    const mark = tg.calls.length;
    const sent = await staff.post('/admin/training/invite', { training: 'quyen-con-nguoi-co-ban', group: '' });
    expect(decodeURIComponent(sent.location ?? '')).toContain('Đã gửi lời mời tới 3 cán bộ chưa tập huấn');
    const invite = await tg.waitForCall(toUser(HOA), { after: mark });
    await t.app.sender.drain();
    expect(tg.calls.slice(mark).filter(toUser(HOA))).toHaveLength(1);

    // Hoa trains over the bot and passes.
    const first = await step(HOA, tg.callbackQuery({ userId: HOA, data: buttonsOf(invite)[0]!.callback_data! }), 'Bài 1/2');
    const second = await step(HOA, tg.callbackQuery({ userId: HOA, data: buttonsOf(first)[0]!.callback_data! }), 'Bài 2/2');
    let q = await step(HOA, tg.callbackQuery({ userId: HOA, data: buttonsOf(second)[0]!.callback_data! }), 'Câu 1/5');
    const correct = [1, 1, 1, 1, 2];
    for (let n = 0; n < correct.length; n++)
      q = await step(HOA, tg.callbackQuery({ userId: HOA, data: buttonsOf(q)[correct[n]!]!.callback_data! }), n + 1 < correct.length ? `Câu ${n + 2}/5` : 'Đồng chí trả lời đúng');
    expect(q.params.text).toContain('đã ĐẠT');

    // Đức was at the department's conference today: recorded from the officials page.
    const duc = listOfficials(t.app.db).find((o) => o.externalId === '9303')!;
    const today = formatVietnamTime(new Date(), 'dd/MM/yyyy');
    await staff.get('/admin/training/officials');
    const inPerson = await staff.post(`/admin/training/officials/${duc.id}/trained`, { date: today, note: 'Hội nghị tập huấn Đề án 1079' });
    expect(decodeURIComponent(inPerson.location ?? '')).toContain(`Đã ghi nhận Lê Văn Đức (UBND phường Phố Hiến) tập huấn trực tiếp ngày ${today}`);

    // Two citizens ask the bot.
    await step(7001, tg.message({ userId: 7001, text: 'Quyền con người là gì?' }), '');
    await step(7002, tg.message({ userId: 7002, text: 'Việt Nam tham gia những công ước nào về quyền con người?' }), '');
    await t.app.inbox.drain();

    // The report of the twelve months ending today, from the command line.
    const now = new Date();
    const from = formatVietnamTime(new Date(now.getTime() - 364 * 86_400_000), 'dd/MM/yyyy');
    const out = mkdtempSync(join(tmpdir(), 'loa-office-year-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await reportCli(['--from', from, '--to', today, '--out', out], { db: t.app.db, contentDir: t.app.config.contentDir, office: 'Phòng Văn hoá - Xã hội phường Phố Hiến', now })).toBe(0);
      const summary = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(summary).toContain('Tiếp cận 2 người dân (không gồm 1 cán bộ trong danh sách tập huấn)');
      expect(summary).toContain('tập huấn cán bộ: 2/3 nhóm đạt chỉ tiêu (1 nhóm chưa có cán bộ trong danh sách)');
      const stem = `bao-cao-${from.replaceAll('/', '-')}-den-${today.replaceAll('/', '-')}`;
      const rows = parseCsv(readFileSync(join(out, `${stem}.csv`), 'utf8').replace(/^\uFEFF/, ''));
      const value = (indicator: string, group: string) => rows.find((r) => r[1] === indicator && r[2] === group)?.[3];
      expect(value('Tổng số người dân được tiếp cận', 'tất cả')).toBe('2');
      expect(value('Cán bộ trong danh sách tập huấn đã nhắn bot hoặc nhận tin (không tính vào số người dân được tiếp cận)', 'tất cả')).toBe('1');
      expect(value('Câu hỏi đã nhận', 'tất cả')).toBe('2');
      expect(value('Câu hỏi của cán bộ trong danh sách tập huấn (không tính vào số câu hỏi của người dân)', 'tất cả')).toBe('0');
      expect([value('Cán bộ trong danh sách cuối kỳ', HR), value('Đã tập huấn (lũy kế đến cuối kỳ)', HR), value('Tỷ lệ đã tập huấn (%)', HR), value('Đánh giá', HR)]).toEqual(['2', '1', '50', 'chưa đạt chỉ tiêu']);
      expect([value('Cán bộ trong danh sách cuối kỳ', INFO), value('Đã tập huấn (lũy kế đến cuối kỳ)', INFO), value('Đánh giá', INFO)]).toEqual(['1', '1', 'đạt chỉ tiêu']);
      expect([value('Cán bộ trong danh sách cuối kỳ', KEY), value('Đã tập huấn (lũy kế đến cuối kỳ)', KEY), value('Tập huấn trong kỳ báo cáo', KEY), value('Đánh giá', KEY)]).toEqual(['1', '1', '1', 'đạt chỉ tiêu']);
      expect(value('Số cán bộ khác nhau trong danh sách (mỗi người tính một lần)', 'tất cả các nhóm')).toBe('3');
      expect(value('Số cán bộ khác nhau đã tập huấn (lũy kế đến cuối kỳ)', 'tất cả các nhóm')).toBe('2');
      expect(value('Cán bộ thuộc từ hai nhóm trở lên (được tính ở mỗi nhóm)', 'tất cả các nhóm')).toBe('1');
    } finally {
      log.mockRestore();
      rmSync(out, { recursive: true, force: true });
    }

    // The same on the admin page.
    const page = await staff.get(`/admin/report?from=${encodeURIComponent(from)}&to=${encodeURIComponent(today)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('1. Người dân được tiếp cận theo kênh');
    expect(page.text).toMatch(/Không tính vào số trên: <strong>1<\/strong> cán bộ có tên trong danh sách tập huấn/);
    expect(page.text).toMatch(/Số cán bộ khác nhau trong danh sách: <strong>3<\/strong>; đã tập huấn \(lũy kế\) <strong>2<\/strong>, trong đó tập huấn trong kỳ báo cáo <strong>2<\/strong>\. 1 cán bộ thuộc từ hai nhóm/);
    const row = page.text.match(/<tr data-group="quyen-con-nguoi">[\s\S]*?<\/tr>/)![0];
    // The training page says how many people the groups' figures are.
    expect((await staff.get('/admin/training')).text).toContain('Số cán bộ khác nhau trong danh sách: <strong>3</strong>, đã tập huấn <strong>2</strong>; 1 người thuộc từ hai nhóm trở lên');
    expect(row.replace(/<[^>]+>/g, '|').replace(/\|+/g, '|')).toBe(`|${HR}|100%|2|1|1|50%|Chưa đạt chỉ tiêu|`);
  });
});
