/**
 * Region-scoped staff see their own region subtree (issue 15, item 7): the yearly report, the
 * contest boards and the audit log count only people (and staff) of their region; province-wide
 * staff still see everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { recordAudit } from '../../src/db/audit.js';
import { parseCsv } from '../../src/text/csv.js';
import { readXlsx } from '../support/xlsx.js';

const CONTEST = 'luyen-tap-quyen-tre-em';
let t: Awaited<ReturnType<typeof startAdminApp>>;
let province: AdminClient;
let commune: AdminClient;

beforeAll(async () => {
  t = await startAdminApp();
  const db = t.app.db;
  const now = new Date().toISOString();
  const person = db.prepare(`INSERT INTO people (id, channel, external_id, region, created_at, consent_at) VALUES (?, 'telegram', ?, ?, ?, ?)`);
  person.run(9001, 'ext-9001', 'pho-hien', now, now);
  person.run(9002, 'ext-9002', 'son-nam', now, now);
  person.run(9003, 'ext-9003', null, now, now);
  const q = db.prepare(`INSERT INTO questions (person_id, channel, answered, created_at) VALUES (?, 'telegram', 1, ?)`);
  for (const id of [9001, 9002, 9002, 9003]) q.run(id, now);
  const attempt = db.prepare(
    `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, name, unit, question_count, current, score, correct_count, total_ms, started_at, finished_at)
     VALUES (?, ?, 'telegram', 1, 'done', ?, 'Đơn vị', 5, 5, ?, 5, 60000, ?, ?)`,
  );
  attempt.run(CONTEST, 9001, 'Lan Phố Hiến', 40, now, now);
  attempt.run(CONTEST, 9002, 'Bình Sơn Nam', 50, now, now);

  const provincePw = addUser(t.app, 'can-bo-tinh', ['admin']);
  const communePw = addUser(t.app, 'can-bo-pho-hien', ['viewer', 'approver', 'quiz_organizer'], 'pho-hien');
  addUser(t.app, 'can-bo-son-nam', ['approver'], 'son-nam');
  recordAudit(db, { actor: 'can-bo-tinh', action: 'campaign.approve', targetType: 'campaign', targetId: '7771' });
  recordAudit(db, { actor: 'can-bo-son-nam', action: 'content.approve', targetType: 'qa', targetId: 'cua-son-nam' });
  recordAudit(db, { actor: 'can-bo-pho-hien', action: 'content.save', targetType: 'qa', targetId: 'cua-pho-hien' });
  recordAudit(db, { actor: 'cli:can-bo-pho-hien', action: 'campaign.submit', targetType: 'campaign', targetId: '7772' });
  province = new AdminClient(t.url);
  commune = new AdminClient(t.url);
  expect((await province.login('can-bo-tinh', provincePw)).status).toBe(303);
  expect((await commune.login('can-bo-pho-hien', communePw)).status).toBe(303);
});
afterAll(async () => {
  await t.close();
});

/** A download's bytes, with the client's session. */
async function bytes(c: AdminClient, path: string): Promise<Buffer> {
  const res = await fetch(t.url + path, { headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** A figure of the report CSV (section, indicator, group). */
async function figure(c: AdminClient, indicator: string, group = 'tất cả'): Promise<string | undefined> {
  const res = await c.get('/admin/report.csv');
  expect(res.status).toBe(200);
  return parseCsv(res.text).find((r) => r[1] === indicator && r[2] === group)?.[3];
}

describe('region scope', () => {
  it('the yearly report counts only the region’s people for region-scoped staff', async () => {
    expect(await figure(province, 'Câu hỏi đã nhận')).toBe('4');
    expect(await figure(commune, 'Câu hỏi đã nhận')).toBe('1');
    expect(await figure(province, 'Người tham gia', 'Luyện tập nhanh - Quyền trẻ em')).toBe('2');
    expect(await figure(commune, 'Người tham gia', 'Luyện tập nhanh - Quyền trẻ em')).toBe('1');
    const page = await commune.get('/admin/report');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Phường Phố Hiến');
    const csv = (await commune.get('/admin/report.csv')).text;
    expect(parseCsv(csv).some((r) => r[1] === 'Địa bàn' && r[2] === 'Phường Phố Hiến')).toBe(true);
    const book = readXlsx(await bytes(commune, '/admin/report.xlsx'));
    expect(book.rows.find((r) => r[1] === 'Địa bàn')?.[2]).toBe('Phường Phố Hiến');
    expect(book.rows.find((r) => r[1] === 'Câu hỏi đã nhận' && r[2] === 'tất cả')?.[3]).toBe(1);
    const print = await commune.get('/admin/report/print');
    expect(print.text).toContain('Địa bàn: Phường Phố Hiến');
  });

  it('contest boards, statistics and the export show only the region’s participants', async () => {
    const all = await province.get(`/admin/contests/${CONTEST}`);
    expect(all.text).toContain('Lan Phố Hiến');
    expect(all.text).toContain('Bình Sơn Nam');
    const mine = await commune.get(`/admin/contests/${CONTEST}`);
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('Lan Phố Hiến');
    expect(mine.text).not.toContain('Bình Sơn Nam');
    const live = (await (await fetch(`${t.url}/admin/contests/${CONTEST}/live.json`, { headers: { cookie: [...commune.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } })).json()) as { finished: number };
    expect(live.finished).toBe(1);
    const csv = parseCsv((await commune.get(`/admin/contests/${CONTEST}/export.csv`)).text);
    expect(csv.map((r) => r[1])).toEqual(['Họ và tên', 'Lan Phố Hiến']);
    // Ranked among the region's people: first in Phố Hiến, though second province-wide.
    expect(csv[1]![0]).toBe('1');
    // The workbook for Excel too.
    expect(readXlsx(await bytes(commune, `/admin/contests/${CONTEST}/export.xlsx`)).rows).toEqual([csv[0], [1, 'Lan Phố Hiến', 'Đơn vị', 40, 60, null, 'telegram', 5]]);
  });

  it('the audit log shows only what the region’s staff did', async () => {
    const all = await province.get('/admin/audit');
    expect(all.text).toContain('7771');
    expect(all.text).toContain('cua-son-nam');
    const mine = await commune.get('/admin/audit');
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('cua-pho-hien');
    expect(mine.text).toContain('7772');
    expect(mine.text).not.toContain('7771');
    expect(mine.text).not.toContain('cua-son-nam');
    expect(mine.text).not.toContain('can-bo-tinh');
  });
});
