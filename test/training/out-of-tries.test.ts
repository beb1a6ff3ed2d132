/**
 * An official who used every try of the training without passing (3 of 3 in the sample).
 * The reminder still went to them, and its button only told them they had no try left and to
 * contact staff; the list of untrained officials did not show it, so staff could not tell who
 * to help. Reminders now skip them and say how many and what staff can do; the list shows
 * "đã làm 3 lần, hết lượt làm bài".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { upsertPerson } from '../../src/db/people.js';
import { finishTrainingAttempt, listOfficials, startTrainingAttempt } from '../../src/db/training.js';
import { nowIso } from '../../src/db/index.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let staff: AdminClient;
beforeAll(async () => {
  t = await startAdminApp();
  staff = new AdminClient(t.url);
  expect((await staff.login('tochuc', addUser(t.app, 'tochuc', ['quiz_organizer']))).status).toBe(303);
});
afterAll(async () => {
  await t?.close();
});

/** One finished test of the sample training, passed or not. */
function tookTest(officialId: number, personId: number, n: number, passed: boolean): void {
  const db = t.app.db;
  const at = new Date();
  const quizAttempt = Number(
    db
      .prepare(`INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, question_count, started_at, finished_at) VALUES (?, ?, 'telegram', ?, 'done', 5, ?, ?)`)
      .run('tap-huan-quyen-con-nguoi', personId, n, nowIso(at), nowIso(at)).lastInsertRowid,
  );
  const id = startTrainingAttempt(db, { officialId, trainingId: 'quyen-con-nguoi-co-ban', quizAttemptId: quizAttempt }, at);
  finishTrainingAttempt(db, id, { correct: passed ? 5 : 2, total: 5, passed }, at);
}

describe('an official out of tries', () => {
  it('gets no reminder, staff are told why, and the list says so', async () => {
    await staff.get('/admin/training/import');
    const csv = ['name,unit,group,region,channel,external_id', 'Nguyễn Thị Hoa,UBND phường Phố Hiến,quyen-con-nguoi,pho-hien,telegram,9301', 'Lê Văn Đức,Sở Tư pháp,quyen-con-nguoi,,telegram,9303'].join('\n');
    expect((await staff.post('/admin/training/import', { csv })).status).toBe(303);
    const duc = listOfficials(t.app.db).find((o) => o.externalId === '9303')!;
    const person = upsertPerson(t.app.db, 'telegram', '9303');
    t.app.db.prepare('UPDATE training_officials SET person_id = ? WHERE id = ?').run(person.id, duc.id);
    upsertPerson(t.app.db, 'telegram', '9301');
    for (const n of [1, 2, 3]) tookTest(duc.id, person.id, n, false);

    await staff.get('/admin/training');
    const res = await staff.post('/admin/training/remind', { training: 'quyen-con-nguoi-co-ban', group: '' });
    const msg = decodeURIComponent(res.location ?? '');
    expect(msg).toContain('Đã gửi tin nhắc tới 1 cán bộ chưa tập huấn');
    expect(msg).toContain('Không gửi cho 1 cán bộ đã làm bài đủ 3 lần mà chưa đạt');
    expect(msg).toContain('attempts');
    const sent = t.app.db.prepare(`SELECT o.external_id FROM training_invitations i JOIN training_officials o ON o.id = i.official_id`).pluck().all();
    expect(sent).toEqual(['9301']);

    const list = await staff.get('/admin/training/officials?chua=1');
    const row = list.text.match(new RegExp(`<tr data-official="${duc.id}">[\\s\\S]*?</tr>`))![0];
    expect(row).toContain('Chưa (đã làm 3 lần, hết lượt làm bài)');
  });
});
