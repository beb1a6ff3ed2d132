/**
 * Findings of running two contests at once for a commune (web, Telegram and Zalo participants,
 * one who switched channels, one who lost connection): each test failed on the code before its fix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { button, quizWorld, register, texts, type QuizWorld } from './support.js';
import { getAttempt } from '../../src/db/quiz.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { upsertPerson } from '../../src/db/people.js';
import { createConversation } from '../../src/conversation/conversation.js';
import { createQuizFeature } from '../../src/quiz/feature.js';
import { createContestRegistry } from '../../src/quiz/definition.js';
import { openDb } from '../../src/db/index.js';
import { testConfig } from '../support/app.js';
import { CAPS, knowledge } from './support.js';
import type { Inbound } from '../../src/channels/channel.js';

let w: QuizWorld | undefined;
afterEach(() => {
  w?.close();
  w = undefined;
});

describe('"Bắt đầu" typed at the end of registration', () => {
  it('starts the attempt, as the button does (Zalo shows the buttons as numbered text)', async () => {
    w = quizWorld();
    const p = w.user('zalo', 'z-typed-start');
    const r0 = await register(p, 'thu-nghiem', { name: 'Lê Thị Mai', unit: 'Hội LHPN xã', phone: null });
    expect(texts(r0)).toContain('Khi bạn chọn “Bắt đầu”');
    const r = await p.say('Bắt đầu');
    expect(texts(r)).toContain('Câu 1/3');
    expect(p.attempt()!.status).toBe('answering');
    // Something else at that step still shows the prompt, as before.
    const q = w.user('web', 'web-typed-other');
    await register(q, 'thu-nghiem', { name: 'Trần Văn Hùng', unit: 'Công an xã', phone: null });
    expect(texts(await q.say('bắt đầu từ khi nào'))).toContain('Bạn đã đăng ký xong');
    expect(q.attempt()!.status).toBe('registering');
  });
});

describe('two contests open at once', () => {
  it('asking for the other one mid-attempt names the contest in progress and what to do', async () => {
    w = quizWorld();
    const p = w.user('web', 'web-two-contests');
    const r0 = await register(p, 'thu-nghiem', { name: 'Nguyễn Văn An', unit: 'Chi đoàn thôn 1', phone: null });
    await p.press(button(r0, 'Bắt đầu'));
    const r = await p.say('/thi nut-bam');
    expect(texts(r)).toContain('Bạn đang làm dở bài thi “Cuộc thi thử nghiệm”');
    expect(texts(r)).toContain('gõ /thi để chọn “Luyện tập bằng nút bấm”');
    expect(texts(r)).toContain('Câu 1/3'); // the current question again, its clock kept
    // The same contest asked for again says "continue" as before.
    expect(texts(await p.say('/thi thu-nghiem'))).toContain('Bạn đang làm dở bài thi, tiếp tục nhé');
  });

  it('/thi after the contest in progress closed says it ended unranked, then lists the open ones', async () => {
    w = quizWorld();
    const p = w.user('web', 'web-closed-mid');
    const r0 = await register(p, 'thu-nghiem', { name: 'Bùi Quang Huy', unit: 'UBND xã', phone: null });
    await p.press(button(r0, 'Bắt đầu'));
    const id = p.attempt()!.id;
    w.clock.set(new Date('2026-11-30T10:30:00Z')); // 17:30 on the closing day
    const r = await p.say('/thi');
    const all = texts(r);
    expect(all).toContain('Cuộc thi “Cuộc thi thử nghiệm” đã kết thúc lúc 17:00 30/11/2026; bài bạn làm dở không được xếp hạng.');
    expect(all).not.toContain('tiếp tục');
    expect(all).not.toContain('câu trả lời này không được ghi nhận');
    expect(all).toContain('Luyện tập bằng nút bấm'); // still open: listed
    expect(getAttempt(w.db, id)!.status).toBe('closed');
    // Asking for the open one goes straight to it.
    expect(texts(await p.say('/thi nut-bam'))).toContain('Trước khi đăng ký');
  });
});

describe('someone who switches channels mid-attempt', () => {
  it('is told their attempt is under way elsewhere, not that their number was used up', async () => {
    w = quizWorld();
    const tg = w.user('telegram', '700777');
    const r0 = await register(tg, 'thu-nghiem', { name: 'Trần Văn Hùng', unit: 'Công an xã', phone: '0987654321' });
    await tg.press(button(r0, 'Bắt đầu'));
    const web = w.user('web', 'web-hung-laptop');
    const r = await register(web, 'thu-nghiem', { name: 'Trần Văn Hùng', unit: 'Công an xã', phone: '0987654321' });
    expect(texts(r)).toContain('đang dùng cho một bài thi đang làm dở');
    expect(texts(r)).toContain('làm tiếp bài đó ở nơi đã bắt đầu');
    expect(texts(r)).not.toContain('đã được dùng để dự thi');
  });
});

describe('a button of an attempt that is over, pressed from the chat history', () => {
  it('"Bắt đầu" after "Huỷ đăng ký" says the registration was cancelled and offers to register again', async () => {
    w = quizWorld();
    const p = w.user('telegram', '700901');
    let r = await register(p, 'thu-nghiem', { name: 'Nguyễn Văn An', unit: 'Chi đoàn thôn 1', phone: null });
    const start = button(r, 'Bắt đầu');
    await p.press(button(r, 'Huỷ'));
    r = await p.press(start);
    expect(texts(r)).toContain('Lượt đăng ký này đã huỷ');
    expect(texts(r)).not.toContain('hoàn thành bài thi');
    expect(texts(r)).not.toContain('Dự đoán');
    expect(texts(await p.press(button(r, 'Đăng ký dự thi')))).toContain('Trước khi đăng ký');
  });

  it('"Bắt đầu" of a finished training test points to the training, not to a ranking', async () => {
    const config = testConfig();
    const db = openDb(':memory:');
    try {
      const convo = createConversation({ db, knowledge: knowledge(), config, features: [createQuizFeature({ registry: createContestRegistry('content') })], now: () => new Date('2026-12-07T03:00:00Z') });
      const person = upsertPerson(db, 'telegram', '700960');
      const id = Number(
        db
          .prepare(
            `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, step, name, question_count, current, score, correct_count, total_ms, started_at, finished_at)
             VALUES ('tap-huan-quyen-con-nguoi', ?, 'telegram', 1, 'done', NULL, 'Cán bộ', 5, 5, 50, 5, 9000, '2026-12-07T02:00:00Z', '2026-12-07T02:05:00Z')`,
          )
          .run(person.id).lastInsertRowid,
      );
      const r = await convo.handle({ channel: 'telegram', userId: '700960', dedupeKey: 'k1', type: 'action', action: `quiz:g:${id}` } as Inbound, CAPS.telegram);
      expect(texts(r)).toContain('Bài kiểm tra này đã làm xong');
      expect(texts(r)).toContain('/taphuan');
      expect(texts(r)).not.toContain('Kết quả chính thức');
    } finally {
      db.close();
      config.cleanup();
    }
  });

  it('"Bắt đầu" or "Tôi đồng ý" of a finished attempt says it is finished, and asks nothing again', async () => {
    w = quizWorld();
    const p = w.user('telegram', '700902');
    let r = await register(p, 'thu-nghiem', { name: 'Trần Văn Hùng', unit: 'Chi đoàn thôn 2', phone: null });
    const start = button(r, 'Bắt đầu');
    r = await p.press(start);
    for (let n = 0; n < 3; n++) {
      w.clock.advance(2000);
      r = await p.press(r.find((x) => x.buttons?.some((b) => b.action.startsWith('quiz:a:')))!.buttons![p.correctOf(n)]!.action);
    }
    await p.say('40');
    for (const old of [start, start.replace(':g:', ':y:'), start.replace(':g:', ':s:')]) {
      r = await p.press(old);
      expect(texts(r)).toContain('Bạn đã làm xong bài thi này (45 điểm)');
      expect(texts(r)).not.toContain('Dự đoán');
      expect(texts(r)).not.toContain('Bạn đã đăng ký xong');
    }
    // An answer button of it still says the answer was recorded.
    expect(texts(await p.press(`${start.replace(':g:', ':a:')}:0:0`))).toContain('đã được ghi nhận');
  });
});

describe('the contest page’s counts', () => {
  it('count someone giving their prediction once (finished), and a closed contest’s leftovers as abandoned, not under way', async () => {
    const t = await startAdminApp();
    try {
      addUser(t.app, 'thi', ['quiz_organizer']);
      const id = 'luyen-tap-quyen-tre-em';
      const ins = t.app.db.prepare(
        `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, name, question_count, score, correct_count, total_ms, started_at, finished_at)
         VALUES (?, ?, 'web', 1, ?, 'Người thi', 5, 10, 1, 5000, '2026-12-07T01:00:00Z', ?)`,
      );
      const statuses = ['done', 'done', 'predicting', 'answering', 'registering'] as const;
      statuses.forEach((st, i) => ins.run(id, upsertPerson(t.app.db, 'web', `web-count-${i}`).id, st, st === 'done' || st === 'predicting' ? '2026-12-07T01:02:00Z' : null));
      const c = new AdminClient(t.url);
      await c.login('thi', 'thi-mat-khau-1');
      const live = async () => JSON.parse((await c.get(`/admin/contests/${id}/live.json`)).text) as Record<string, unknown>;
      expect(await live()).toMatchObject({ open: true, finished: 3, inProgress: 2, started: 5 });
      expect((await c.get(`/admin/contests/${id}`)).text).toMatch(/đang làm: <strong data-field="inProgress">2<\/strong>/);
      await c.get(`/admin/contests/${id}`);
      expect((await c.post(`/admin/contests/${id}/close`)).status).toBe(303);
      expect(await live()).toMatchObject({ open: false, finished: 3, inProgress: 0, abandoned: 2 });
      const page = (await c.get(`/admin/contests/${id}`)).text;
      expect(page).toMatch(/bỏ dở, không xếp hạng: <strong data-field="abandoned">2<\/strong>/);
      expect(page).not.toContain('đang làm:');
    } finally {
      await t.close();
    }
  });
});

describe('a registration left unstarted on another channel', () => {
  it('no longer holds the phone after an hour; whichever starts first takes the number', async () => {
    w = quizWorld();
    const tg = w.user('telegram', '700950');
    const r0 = await register(tg, 'thu-nghiem', { name: 'Hoàng Thu Hà', unit: 'Chi đoàn thôn 2', phone: '0912000111' });
    const oldStart = button(r0, 'Bắt đầu');
    // Within the hour the number is still held (the same person may be about to press Start).
    const early = w.user('web', 'web-ha-early');
    expect(texts(await register(early, 'thu-nghiem', { name: 'Hoàng Thu Hà', unit: 'Chi đoàn thôn 2', phone: '0912000111' }))).toContain('đã được dùng');
    await early.press(button(await early.say('/thi'), 'Huỷ'));
    // Two hours later, her phone flat, she registers on the web with the same number and starts.
    w.clock.advance(2 * 3600_000);
    const web = w.user('web', 'web-ha-later');
    const r1 = await register(web, 'thu-nghiem', { name: 'Hoàng Thu Hà', unit: 'Chi đoàn thôn 2', phone: '0912000111' });
    expect(texts(r1)).toContain('Bạn đã đăng ký xong');
    expect(texts(await web.press(button(r1, 'Bắt đầu')))).toContain('Câu 1/3');
    // The old Telegram registration cannot start a second attempt with that number.
    const r2 = await tg.press(oldStart);
    expect(texts(r2)).toContain('đã được dùng để dự thi');
    expect(texts(r2)).toContain('gõ số điện thoại');
    expect(tg.attempt()!.status).toBe('registering');
    expect(tg.attempt()!.phone).toBeNull();
  });
});

describe('the prediction as people type it', () => {
  it('takes one number in a short sentence, with thousands written with dots or spaces', async () => {
    const { parsePrediction } = await import('../../src/quiz/feature.js');
    expect(parsePrediction('1250')).toBe(1250);
    expect(parsePrediction('1.250')).toBe(1250);
    expect(parsePrediction('1 250')).toBe(1250);
    expect(parsePrediction('khoảng 50 người')).toBe(50);
    expect(parsePrediction('Tôi đoán 1.250 người ạ')).toBe(1250);
    expect(parsePrediction('từ 300 đến 500')).toBeNull();
    expect(parsePrediction('không biết')).toBeNull();
    expect(parsePrediction('1234567890')).toBeNull();
    expect(parsePrediction('Luật Trẻ em 2016 quy định gì?')).toBeNull();
    expect(parsePrediction('năm 2016 có bao nhiêu người tham gia cuộc thi này')).toBeNull();
  });

  it('"khoảng 50 người" typed at the prediction step is recorded', async () => {
    w = quizWorld();
    const p = w.user('web', 'web-predict-words');
    let r = await register(p, 'thu-nghiem', { name: 'Vũ Thanh Tùng', unit: 'UBND xã', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    for (let n = 0; n < 3; n++) {
      w.clock.advance(2000);
      r = await p.press(r.find((x) => x.buttons?.some((b) => b.action.startsWith('quiz:a:')))!.buttons![p.correctOf(n)]!.action);
    }
    expect(texts(await p.say('khoảng 50 người'))).toContain('Đã ghi nhận dự đoán của bạn: 50');
  });
});
