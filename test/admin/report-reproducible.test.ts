/**
 * A report once filed must be reproducible: the yearly report of 2025 made in January 2027 gives
 * the figures it gave in January 2026, for the province and for each commune, whatever happened
 * in between that is not a correction of 2025 itself. A scripted year in two communes (citizens,
 * officials of the training list, a campaign, a contest, questions answered and not), then 2026:
 * a citizen and an official ask for erasure, a subscriber blocks the bot, one opts out and
 * moves to the other commune, one subscribes again, staff answer a question left open in 2025, an official leaves the list, and
 * retention (12 months) runs in January 2027.
 *
 * On the code before migration 110 the second report differed: subscribers at the end of 2025 and
 * new subscribers dropped with each later opt-out, block and erasure; the erased citizen's
 * messages, questions and contest entry left the commune's report; the official anonymised by
 * retention moved into the citizens' figures; the question staff answered in 2026 was no longer
 * "còn chờ" at the end of 2025; the citizen who moved took their 2025 to their new commune.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, openDb, type Db } from '../../src/db/index.js';
import { yearFigures } from '../../src/db/admin.js';
import { buildYearReport, reportRows, yearBounds } from '../../src/admin/report.js';
import { erasePerson, markPersonGone, setRegion, subscribe, unsubscribe } from '../../src/db/people.js';
import { importOfficials, removeOfficial } from '../../src/db/training.js';
import { moveRegion } from '../../src/db/people-regions.js';
import { recordQuestion, recordUnanswered, resolveUnanswered } from '../../src/db/questions.js';
import { applyRetention } from '../../src/db/retention.js';
import { loadTraining } from '../../src/training/definition.js';
import type { ChannelName } from '../../src/messages.js';

const groups = loadTraining('content').groups;
const names = {
  office: 'Sở Văn hoá, Thể thao và Du lịch',
  topics: [{ slug: 'dat-dai', name: 'Đất đai' }],
  contests: [{ id: 'thi-2025', title: 'Cuộc thi tìm hiểu pháp luật 2025' }],
  trainingGroups: groups,
};
const COMMUNES = { 'pho-hien': 'Phường Phố Hiến', 'son-nam': 'Xã Sơn Nam' } as const;
const at = (s: string) => new Date(s);

interface Year {
  db: Db;
  p: Record<string, number>;
  staleQuestion: number;
  officials: Record<string, number>;
}

/** 2025, in UTC instants well inside Vietnam-time days. */
function scriptYear(): Year {
  const db = openDb(':memory:');
  const p: Record<string, number> = {};
  // Each chose their commune when they first wrote (a change later is dated by the clock).
  const insert = db.prepare(`INSERT INTO people (channel, external_id, display_name, region, created_at) VALUES (?, ?, ?, ?, ?)`);
  const person = (key: string, channel: ChannelName, region: string | null, created: string) => {
    p[key] = Number(insert.run(channel, `ext-${key}`, `Người ${key}`, region, at(created).toISOString()).lastInsertRowid);
  };
  // Citizens: A, B, E of Phố Hiến; C, D of Sơn Nam; N chose no commune.
  person('E', 'telegram', 'pho-hien', '2024-05-01T03:00:00Z');
  subscribe(db, p.E!, ['dat-dai'], 'pho-hien', at('2024-05-01T03:00:00Z'));
  person('A', 'telegram', 'pho-hien', '2025-02-01T03:00:00Z');
  subscribe(db, p.A!, ['dat-dai'], 'pho-hien', at('2025-03-01T03:00:00Z'));
  person('B', 'zalo', 'pho-hien', '2025-02-02T03:00:00Z');
  subscribe(db, p.B!, ['dat-dai'], 'pho-hien', at('2025-04-01T03:00:00Z'));
  person('C', 'telegram', 'son-nam', '2025-02-03T03:00:00Z');
  subscribe(db, p.C!, ['dat-dai'], 'son-nam', at('2025-05-01T03:00:00Z'));
  person('D', 'telegram', 'son-nam', '2025-02-04T03:00:00Z');
  subscribe(db, p.D!, ['dat-dai'], 'son-nam', at('2025-06-01T03:00:00Z'));
  person('N', 'web', null, '2025-02-05T03:00:00Z');
  // Officials: O1 of Phố Hiến (leaves the list on 30/09/2025), O2 of Sơn Nam (stays).
  person('O1', 'telegram', 'pho-hien', '2025-01-10T03:00:00Z');
  person('O2', 'telegram', 'son-nam', '2025-01-10T03:00:00Z');
  importOfficials(
    db,
    [
      { name: 'Cán bộ Một', unit: 'UBND phường Phố Hiến', groupId: 'quyen-con-nguoi', region: 'pho-hien', channel: 'telegram', externalId: 'ext-O1' },
      { name: 'Cán bộ Hai', unit: 'UBND xã Sơn Nam', groupId: 'quyen-con-nguoi', region: 'son-nam', channel: 'telegram', externalId: 'ext-O2' },
    ],
    at('2025-01-15T03:00:00Z'),
  );
  const officials = Object.fromEntries(
    (db.prepare(`SELECT external_id AS e, id FROM training_officials`).all() as { e: string; id: number }[]).map((r) => [r.e.slice(4), r.id]),
  );
  db.prepare(`UPDATE training_officials SET trained_at = ? WHERE id = ?`).run('2025-07-01T03:00:00.000Z', officials.O2);
  removeOfficial(db, officials.O1!, at('2025-09-30T03:00:00Z'));

  // What they wrote, asked and received.
  const msg = db.prepare(`INSERT INTO messages (channel, person_id, direction, kind, text, created_at, processed_at) VALUES (?, ?, 'in', 'text', 'xin chào', ?, ?)`);
  const wrote = (key: string, channel: ChannelName, when: string) => msg.run(channel, p[key], when, when);
  wrote('A', 'telegram', '2025-03-02T03:00:00.000Z');
  wrote('B', 'zalo', '2025-04-02T03:00:00.000Z');
  wrote('C', 'telegram', '2025-05-02T03:00:00.000Z');
  wrote('E', 'telegram', '2025-05-03T03:00:00.000Z');
  wrote('N', 'web', '2025-05-04T03:00:00.000Z');
  wrote('O1', 'telegram', '2025-05-05T03:00:00.000Z');
  wrote('O2', 'telegram', '2025-07-01T02:00:00.000Z');
  recordQuestion(db, { personId: p.A!, channel: 'telegram', answered: true, topics: ['dat-dai'] }, at('2025-03-02T03:00:00Z'));
  recordQuestion(db, { personId: p.A!, channel: 'telegram', answered: false }, at('2025-03-03T03:00:00Z'));
  recordUnanswered(db, { personId: p.A!, channel: 'telegram', question: 'Thủ tục tách thửa?', normalized: 'thu tuc tach thua', suggestions: [] }, at('2025-03-03T03:00:00Z'));
  recordQuestion(db, { personId: p.B!, channel: 'zalo', answered: false }, at('2025-04-02T03:00:00Z'));
  const staleQuestion = recordUnanswered(
    db,
    { personId: p.B!, channel: 'zalo', question: 'Lệ phí cấp sổ đỏ?', normalized: 'le phi cap so do', suggestions: [] },
    at('2025-04-02T03:00:00Z'),
  );
  recordQuestion(db, { personId: p.C!, channel: 'telegram', answered: true, topics: ['dat-dai'] }, at('2025-05-02T03:00:00Z'));
  recordQuestion(db, { personId: p.N!, channel: 'web', answered: true, topics: ['dat-dai'] }, at('2025-05-04T03:00:00Z'));
  recordQuestion(db, { personId: p.O1!, channel: 'telegram', answered: true, topics: ['dat-dai'] }, at('2025-05-05T03:00:00Z'));
  recordQuestion(db, { personId: p.O2!, channel: 'telegram', answered: false }, at('2025-07-01T02:00:00Z'));

  // A campaign in June to the subscribers, and one official on another channel list.
  const june = '2025-06-10T03:00:00.000Z';
  const camp = Number(
    db
      .prepare(`INSERT INTO campaigns (status, text, channels, author, created_at, updated_at, started_at, finished_at) VALUES ('done', 'Tin', '["telegram","zalo"]', 'bientap', ?, ?, ?, ?)`)
      .run(june, june, june, june).lastInsertRowid,
  );
  const del = db.prepare(`INSERT INTO deliveries (campaign_id, person_id, channel, recipient, status, finished_at) VALUES (?, ?, ?, ?, ?, ?)`);
  for (const k of ['A', 'C', 'D', 'E', 'O1']) del.run(camp, p[k], 'telegram', `ext-${k}`, 'sent', june);
  del.run(camp, p.B, 'zalo', 'ext-B', 'outside_window', june);

  // The contest: A and C finished it.
  const attempt = db.prepare(
    `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, name, score, correct_count, question_count, started_at, finished_at)
     VALUES ('thi-2025', ?, 'telegram', 1, 'done', ?, ?, ?, 10, ?, ?)`,
  );
  attempt.run(p.A, 'Nguyễn Văn A', 80, 8, '2025-08-01T03:00:00.000Z', '2025-08-01T03:10:00.000Z');
  attempt.run(p.C, 'Trần Thị C', 60, 6, '2025-08-02T03:00:00.000Z', '2025-08-02T03:10:00.000Z');
  return { db, p, staleQuestion, officials };
}

/** 2026 and January 2027: what happens after the year was reported. */
function laterYears(y: Year): void {
  const { db, p } = y;
  unsubscribe(db, p.C!, at('2026-02-01T03:00:00Z'));
  setRegion(db, p.C!, 'pho-hien'); // C moves to Phố Hiến: still Sơn Nam's in 2025
  erasePerson(db, p.A!, at('2026-03-01T03:00:00Z'));
  markPersonGone(db, p.D!, 'blocked');
  subscribe(db, p.E!, ['dat-dai'], 'pho-hien', at('2026-04-01T03:00:00Z')); // chose topics again
  resolveUnanswered(db, [y.staleQuestion], 'answered', 'qa-le-phi', at('2026-01-20T03:00:00Z'));
  erasePerson(db, p.O2!, at('2026-05-01T03:00:00Z'));
  // O1 left on 30/09/2025: twelve months on, retention anonymises their row on the list.
  const r = applyRetention(db, 12, at('2027-01-15T03:00:00Z'));
  expect(r.officials).toBe(1);
}

/** The report's rows without the time it was made. */
function rows(db: Db, now: Date, region?: keyof typeof COMMUNES): unknown[][] {
  const scope = region ? { regions: [region], name: COMMUNES[region] } : undefined;
  return reportRows(buildYearReport(db, 2025, names, now, scope)).filter((r) => r[1] !== 'Lập lúc');
}

/** One row's value. */
function value(rs: unknown[][], indicator: string, group = 'tất cả'): unknown {
  return rs.find((r) => r[1] === indicator && r[2] === group)?.[3];
}

describe('the 2025 report made again in 2027 gives the figures filed in January 2026', () => {
  it('for the province and for each commune', () => {
    const y = scriptYear();
    const jan2026 = at('2026-01-10T03:00:00Z');
    const filed = { all: rows(y.db, jan2026), ph: rows(y.db, jan2026, 'pho-hien'), sn: rows(y.db, jan2026, 'son-nam') };
    // The figures filed, counted by hand. Province: telegram A, C, D, E (+ O1, O2 officials);
    // zalo B wrote; web N wrote.
    expect(value(filed.all, 'Tổng số người dân được tiếp cận')).toBe(6);
    expect(value(filed.all, 'Cán bộ trong danh sách tập huấn đã nhắn bot hoặc nhận tin (không tính vào số người dân được tiếp cận)')).toBe(2);
    expect(value(filed.all, 'Người đăng ký mới', 'Telegram')).toBe(3); // A, C, D (E subscribed in 2024)
    expect(value(filed.all, 'Người đăng ký mới', 'Zalo OA')).toBe(1);
    expect(value(filed.all, 'Người đăng ký nhận tin cuối năm')).toBe(5);
    expect(value(filed.all, 'Câu hỏi đã nhận')).toBe(5);
    expect(value(filed.all, 'Câu chưa trả lời: còn chờ')).toBe(2);
    expect(value(filed.all, 'Người tham gia', 'Cuộc thi tìm hiểu pháp luật 2025')).toBe(2);
    // Phường Phố Hiến: A, B, E reached; A, B new; A, B, E subscribed; A's two questions, B's one.
    expect(value(filed.ph, 'Tổng số người dân được tiếp cận')).toBe(3);
    expect(value(filed.ph, 'Người đăng ký nhận tin cuối năm')).toBe(3);
    expect(value(filed.ph, 'Câu hỏi đã nhận')).toBe(3);
    expect(value(filed.ph, 'Người tham gia', 'Cuộc thi tìm hiểu pháp luật 2025')).toBe(1);
    // Xã Sơn Nam: C, D reached and subscribed; O2 an official.
    expect(value(filed.sn, 'Tổng số người dân được tiếp cận')).toBe(2);
    expect(value(filed.sn, 'Người đăng ký nhận tin cuối năm')).toBe(2);
    expect(value(filed.sn, 'Cán bộ trong danh sách tập huấn đã nhắn bot hoặc nhận tin (không tính vào số người dân được tiếp cận)')).toBe(1);

    laterYears(y);
    const jan2027 = at('2027-01-20T03:00:00Z');
    expect(rows(y.db, jan2027)).toEqual(filed.all);
    expect(rows(y.db, jan2027, 'pho-hien')).toEqual(filed.ph);
    expect(rows(y.db, jan2027, 'son-nam')).toEqual(filed.sn);
  });

  it('while the year after counts what happened in it', () => {
    const y = scriptYear();
    laterYears(y);
    const r = buildYearReport(y.db, 2026, names, at('2027-01-20T03:00:00Z'));
    // At the end of 2026: B and E still subscribed (A erased, C opted out, D blocked the bot).
    expect(r.subscribersAtEnd).toBe(2);
    // Nobody subscribed for the first time in 2026: E chose topics again (still subscribed).
    expect(r.newSubscribersByChannel).toEqual([]);
    // The erased person's commune is not kept on their row.
    expect(y.db.prepare('SELECT region, consent_at FROM people WHERE id = ?').get(y.p.A)).toEqual({ region: null, consent_at: null });
  });
});

describe('content changed after the year', () => {
  it('a training test whose file was removed stays out of the contests', () => {
    const y = scriptYear();
    // O2 took the training test over the bot in July 2025 (a quiz attempt of the test).
    const quiz = Number(
      y.db
        .prepare(
          `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, score, correct_count, question_count, started_at, finished_at)
           VALUES ('kiem-tra-1079', ?, 'telegram', 1, 'done', 100, 5, 5, '2025-07-01T02:50:00.000Z', '2025-07-01T03:00:00.000Z')`,
        )
        .run(y.p.O2).lastInsertRowid,
    );
    y.db
      .prepare(`INSERT INTO training_attempts (official_id, training_id, quiz_attempt_id, started_at, finished_at, correct, total, passed) VALUES (?, 'tap-huan-1079', ?, ?, ?, 5, 5, 1)`)
      .run(y.officials.O2, quiz, '2025-07-01T02:50:00.000Z', '2025-07-01T03:00:00.000Z');
    const filed = buildYearReport(y.db, 2025, { ...names, contests: [...names.contests, { id: 'kiem-tra-1079', title: 'Bài kiểm tra tập huấn', listed: false }] }, at('2026-01-10T03:00:00Z'));
    expect(filed.contests.map((c) => c.contestId)).toEqual(['thi-2025']);
    // In 2026 the office deletes the test's file: the 2025 report is the same.
    const again = buildYearReport(y.db, 2025, names, at('2027-01-20T03:00:00Z'));
    expect(again.contests).toEqual(filed.contests);
  });
});

describe('communes merged after the year (loa subscribers move-region)', () => {
  it('the new commune’s report counts the old commune’s people, the erased ones too', () => {
    const y = scriptYear();
    laterYears(y);
    // Sơn Nam is merged into Phố Hiến: its people are moved (C, D and the erased official O2).
    moveRegion(y.db, 'son-nam', 'pho-hien');
    const r = buildYearReport(y.db, 2025, names, at('2027-01-20T03:00:00Z'), { regions: ['pho-hien'], name: COMMUNES['pho-hien'] });
    expect(r.officialsReached.reduce((a, c) => a + c.people, 0)).toBe(2); // O1 (Phố Hiến) and O2 (erased, from Sơn Nam)
    expect(r.reachedByChannel.reduce((a, c) => a + c.people, 0)).toBe(5); // A, B, E and C, D
  });
});

describe('the upgrade to migration 110', () => {
  it('keeps the subscriber figures of past years as they were counted before it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loa-r3-'));
    try {
      const older = join(dir, 'migrations');
      for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql') && f < '110')) cpSync(join(MIGRATIONS_DIR, f), join(older, f));
      const file = join(dir, 'loa.sqlite');
      const before = openDb(file, { migrationsDir: older });
      const person = before.prepare(`INSERT INTO people (channel, external_id, consent_at, opted_out_at, status, created_at) VALUES (?, ?, ?, ?, ?, '2024-01-01T00:00:00Z')`);
      person.run('telegram', '1', '2025-03-01T00:00:00.000Z', null, 'active'); // subscribed in 2025
      person.run('telegram', '2', '2026-03-01T00:00:00.000Z', null, 'active'); // in 2026
      person.run('zalo', '3', '2025-05-01T00:00:00.000Z', null, 'gone'); // blocked since (counted nowhere at the end)
      person.run('zalo', '4', null, '2025-06-01T00:00:00.000Z', 'active'); // opted out (consent cleared)
      person.run('telegram', '5', '2025-01-01T00:00:00.000Z', '2025-08-01T00:00:00.000Z', 'active'); // both kept: out since August
      person.run('web', '6', null, null, 'active');
      before.close();
      const db = openDb(file);
      const figures = (year: number) => {
        const { from, to } = yearBounds(year);
        const f = yearFigures(db, from, to);
        return { newSubscribersByChannel: f.newSubscribersByChannel, subscribersAtEnd: f.subscribersAtEnd };
      };
      // What the formulas before migration 110 gave (consent_at in the year; consented before the
      // end, active now, not opted out by the end).
      expect(figures(2025)).toEqual({ newSubscribersByChannel: [{ channel: 'telegram', n: 2 }, { channel: 'zalo', n: 1 }], subscribersAtEnd: 1 });
      expect(figures(2026)).toEqual({ newSubscribersByChannel: [{ channel: 'telegram', n: 1 }], subscribersAtEnd: 2 });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
