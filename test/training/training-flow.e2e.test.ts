/**
 * Officials' training end to end (issue 17, item 2): officials imported from CSV with
 * `loa training import`; an invitation reaches one on Telegram (grammY against the fake Bot API)
 * through the sender; they read the articles, fail the test once (told how many tries are left),
 * pass it, and their group's coverage rises.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import { startAdminApp } from '../admin/support.js';
import { run as trainingCli } from '../../src/cli/training.js';
import { listOfficials, trainingCoverage } from '../../src/db/training.js';
import { createTrainingRegistry } from '../../src/training/definition.js';
import { inviteOfficials } from '../../src/training/invite.js';
import { createContestRegistry } from '../../src/quiz/definition.js';

type Keyboard = { inline_keyboard: { text: string; callback_data?: string }[][] };

let tg: Awaited<ReturnType<typeof startFakeTelegram>>;
let t: Awaited<ReturnType<typeof startAdminApp>>;

beforeAll(async () => {
  tg = await startFakeTelegram();
  t = await startAdminApp({ env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling', TELEGRAM_RATE_PER_CHAT: '1000' } });
});
afterAll(async () => {
  await t?.close();
  await tg?.close();
});

const OFFICIAL = 9301;
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
    const registry = createTrainingRegistry(t.app.config.contentDir);
    const groups = registry.groups();
    const before = trainingCoverage(t.app.db, groups).find((g) => g.groupId === 'quyen-con-nguoi')!;
    expect(before).toMatchObject({ officials: 2, trained: 0 });

    // The invitation, through the sender.
    const training = registry.training('quyen-con-nguoi-co-ban')!;
    const hoa = listOfficials(t.app.db).filter((o) => o.externalId === String(OFFICIAL));
    const mark = tg.calls.length;
    const quiz = { registry: createContestRegistry(t.app.config.contentDir), startFor: () => ({ replies: [] }), onFinish: () => {} };
    expect(inviteOfficials({ db: t.app.db, sender: t.app.sender, quiz }, training, hoa, { kind: 'invite', actor: 'hoa' })).toEqual({ queued: 1, skipped: 0 });
    const invite = await tg.waitForCall((c) => toOfficial(c), { after: mark });
    expect(invite.params.text).toContain('Kính gửi đồng chí Nguyễn Thị Hoa');
    expect(invite.params.text).toContain('Mỗi người được làm bài tối đa 3 lần');

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
});
