/**
 * Right-to-left overrides and control characters in citizen text never reach staff pages raw
 * (issue 15, item 7): the queue, a contest board and the audit log show them as [U+202E], and a
 * draft made from questions has none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { readXlsx } from '../support/xlsx.js';

const RLO = '\u202E';
const HIDDEN = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
let t: Awaited<ReturnType<typeof startAdminApp>>;
let staff: AdminClient;

beforeAll(async () => {
  t = await startAdminApp();
  const db = t.app.db;
  const now = new Date().toISOString();
  db.prepare(`INSERT INTO people (id, channel, external_id, created_at) VALUES (7001, 'web', 'w-7001', ?)`).run(now);
  db.prepare(`INSERT INTO unanswered (id, person_id, channel, question, normalized, created_at) VALUES (7001, 7001, 'web', ?, 'x', ?)`).run(
    `Cho hỏi về hồ sơ ${RLO}fdp.exe\u0007 nhé`,
    now,
  );
  db.prepare(
    `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, name, unit, question_count, current, score, correct_count, total_ms, started_at, finished_at)
     VALUES ('luyen-tap-quyen-tre-em', 7001, 'web', 1, 'done', ?, ?, 5, 5, 50, 5, 60000, ?, ?)`,
  ).run(`Nguyễn ${RLO}naV\u0000`, `Chi đoàn\u2066 X`, now, now);
  const pw = addUser(t.app, 'quan-tri', ['admin']);
  staff = new AdminClient(t.url);
  // A login name with an override, typed at the login form, lands in the audit log.
  await new AdminClient(t.url).login(`ke-gian${RLO}nimda`, 'sai-mat-khau-roi');
  expect((await staff.login('quan-tri', pw)).status).toBe(303);
});
afterAll(async () => {
  await t.close();
});

describe('hidden characters on staff pages', () => {
  it('the queue shows the override as a marker and drops control characters', async () => {
    const page = await staff.get('/admin/questions');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Cho hỏi về hồ sơ [U+202E]fdp.exe nhé');
    expect(page.text).not.toMatch(HIDDEN);
  });

  it('a contest board shows names and units with markers', async () => {
    const page = await staff.get('/admin/contests/luyen-tap-quyen-tre-em');
    expect(page.text).toContain('Nguyễn [U+202E]naV');
    expect(page.text).toContain('Chi đoàn[U+2066] X');
    expect(page.text).not.toMatch(HIDDEN);
  });

  it("a contest's CSV and Excel exports show names and units with markers", async () => {
    const csv = await staff.get('/admin/contests/luyen-tap-quyen-tre-em/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('Nguyễn [U+202E]naV');
    expect(csv.text).toContain('Chi đoàn[U+2066] X');
    expect(csv.text).not.toMatch(HIDDEN);
    const cookie = [...staff.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${t.url}/admin/contests/luyen-tap-quyen-tre-em/export.xlsx`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const cells = readXlsx(Buffer.from(await res.arrayBuffer()))
      .rows.flat()
      .map((c) => String(c ?? ''));
    expect(cells).toContain('Nguyễn [U+202E]naV');
    expect(cells).toContain('Chi đoàn[U+2066] X');
    expect(cells.join('\n')).not.toMatch(HIDDEN);
  });

  it('the audit log shows a typed login name with markers', async () => {
    const page = await staff.get('/admin/audit');
    expect(page.text).toContain('ke-gian[U+202E]nimda');
    expect(page.text).not.toMatch(HIDDEN);
  });

  it('a Q&A draft made from the question carries none of them', async () => {
    const page = await staff.get('/admin/content/qa/new?from=7001');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Cho hỏi về hồ sơ fdp.exe nhé');
    expect(page.text).not.toMatch(HIDDEN);
  });
});
