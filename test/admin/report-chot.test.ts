/**
 * Filing a report ("chốt số liệu"): the approver of a commune files last year's report when
 * sending it; Loa keeps it whole, the page compares it with the figures counted now, the filed
 * files download again as filed (named as the filed version), and the province sees which
 * communes filed and downloads their filed reports. Before, there was no such thing: a report
 * made again after figures of that year changed gave other figures than the file sent, and
 * nothing said so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { parseCsv } from '../../src/text/csv.js';
import { vietnamYear } from '../../src/time/vietnam.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let province: AdminClient;
let sonNam: AdminClient;
let sonNamViewer: AdminClient;
let phoHien: AdminClient;
const year = vietnamYear(new Date()) - 1;
const inYear = `${year}-06-01T03:00:00.000Z`;

beforeAll(async () => {
  t = await startAdminApp();
  const db = t.app.db;
  const person = db.prepare(`INSERT INTO people (id, channel, external_id, region, created_at, consent_at) VALUES (?, 'telegram', ?, ?, ?, ?)`);
  person.run(9201, 'ext-9201', 'son-nam', inYear, inYear);
  person.run(9202, 'ext-9202', 'son-nam', inYear, inYear);
  const q = db.prepare(`INSERT INTO questions (person_id, channel, answered, created_at) VALUES (?, 'telegram', 1, ?)`);
  for (const id of [9201, 9202, 9202]) q.run(id, inYear);
  province = new AdminClient(t.url);
  sonNam = new AdminClient(t.url);
  sonNamViewer = new AdminClient(t.url);
  phoHien = new AdminClient(t.url);
  expect((await province.login('so-tinh', addUser(t.app, 'so-tinh', ['viewer']))).status).toBe(303);
  expect((await sonNam.login('lanh-dao-son-nam', addUser(t.app, 'lanh-dao-son-nam', ['approver'], 'son-nam'))).status).toBe(303);
  expect((await sonNamViewer.login('xem-son-nam', addUser(t.app, 'xem-son-nam', ['viewer'], 'son-nam'))).status).toBe(303);
  expect((await phoHien.login('lanh-dao-pho-hien', addUser(t.app, 'lanh-dao-pho-hien', ['approver'], 'pho-hien'))).status).toBe(303);
});
afterAll(async () => {
  await t.close();
});

const asked = (csv: string) => parseCsv(csv).find((r) => r[1] === 'Câu hỏi đã nhận' && r[2] === 'tất cả')?.[3];

describe('chốt số liệu', () => {
  it('files the report, compares it with the figures now, and gives back the filed version', async () => {
    const before = await sonNam.get(`/admin/report?year=${year}`);
    expect(before.text).toContain('Báo cáo này chưa được chốt.');
    expect(before.text).toContain('Chốt số liệu báo cáo này');
    // A viewer sees the filings but does not file.
    expect((await sonNamViewer.get(`/admin/report?year=${year}`)).text).not.toContain('Chốt số liệu báo cáo này');
    expect((await sonNamViewer.post('/admin/report/file', { year: String(year) })).status).toBe(403);

    await sonNam.get(`/admin/report?year=${year}`);
    const filed = await sonNam.post('/admin/report/file', { year: String(year) });
    expect(filed.status).toBe(303);
    const page = await sonNam.get(filed.location!);
    expect(page.text).toContain(`Đã chốt số liệu báo cáo 01/01/${year} - 31/12/${year}, địa bàn Phường Sơn Nam`);
    expect(page.text).toContain('data-report="same"');
    const id = /\/admin\/report\/filed\/(\d+)\/report\.csv/.exec(page.text)?.[1];
    expect(id).toBeDefined();
    const audit = t.app.db.prepare(`SELECT actor, details FROM audit WHERE action = 'report.file'`).get() as { actor: string; details: string };
    expect(audit.actor).toBe('lanh-dao-son-nam');

    // Later, one of the askers chooses Phố Hiến: a report of the year already over does not move
    // (they lived in Sơn Nam then).
    t.app.db.prepare(`UPDATE people SET region = 'pho-hien' WHERE id = 9202`).run();
    expect((await sonNam.get(`/admin/report?year=${year}`)).text).toContain('data-report="same"');
    // A question of that year recorded late (restored from a backup): the figures now differ.
    t.app.db.prepare(`INSERT INTO questions (person_id, channel, answered, created_at) VALUES (9201, 'telegram', 1, ?)`).run(inYear);
    const now = await sonNam.get(`/admin/report?year=${year}`);
    expect(now.text).toContain('data-report="differs"');
    expect(now.text).toMatch(/<td>Câu hỏi đã nhận<\/td><td>tất cả<\/td><td>3<\/td><td>4<\/td>/);
    expect(asked((await sonNam.get(`/admin/report.csv?year=${year}`)).text)).toBe('4');
    // The filed version is what was sent: 3 questions, named as filed.
    const again = await sonNam.get(`/admin/report/filed/${id}/report.csv`);
    expect(again.status).toBe(200);
    expect(asked(again.text)).toBe('3');
    expect(again.headers.get('content-disposition')).toMatch(new RegExp(`bao-cao-${year}-son-nam-da-chot-\\d\\d-\\d\\d-\\d{4}\\.csv`));
    expect((await sonNam.get(`/admin/report/filed/${id}/report.xlsx`)).status).toBe(200);
    expect((await sonNam.get(`/admin/report/filed/${id}/print`)).text).toContain('Địa bàn: Phường Sơn Nam');

    // The files are kept as sent: a later version laying the report out otherwise (here, a
    // report whose stored figures it could no longer read) still gives the same bytes.
    const xlsxFiled = Buffer.from(await (await fetch(`${t.url}/admin/report/filed/${id}/report.xlsx`, { headers: { cookie: [...sonNam.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } })).arrayBuffer());
    t.app.db.prepare(`UPDATE report_filings SET report = json_remove(report, '$.questions', '$.training') WHERE id = ?`).run(Number(id));
    expect((await sonNam.get(`/admin/report/filed/${id}/report.csv`)).text).toBe(again.text);
    const xlsxAgain = Buffer.from(await (await fetch(`${t.url}/admin/report/filed/${id}/report.xlsx`, { headers: { cookie: [...sonNam.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } })).arrayBuffer());
    expect(xlsxAgain.equals(xlsxFiled)).toBe(true);
    expect((await sonNam.get(`/admin/report?year=${year}`)).text).toMatch(/<td>Câu hỏi đã nhận<\/td><td>tất cả<\/td><td>3<\/td><td>4<\/td>/);

    // The province sees which communes filed, and downloads the filed report.
    const overview = await province.get(`/admin/report?year=${year}`);
    expect(overview.text).toContain('Báo cáo đã chốt của các địa bàn (cùng kỳ)');
    expect(overview.text).toMatch(/<td>Phường Sơn Nam<\/td><td>[^<]+<\/td><td>lanh-dao-son-nam<\/td>/);
    expect(asked((await province.get(`/admin/report/filed/${id}/report.csv`)).text)).toBe('3');
    // Another commune does not.
    expect((await phoHien.get(`/admin/report/filed/${id}/report.csv`)).status).toBe(404);
    expect((await phoHien.get(`/admin/report/filed/99999/report.csv`)).status).toBe(404);
  });
});
