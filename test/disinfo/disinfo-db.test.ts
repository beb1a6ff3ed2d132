/**
 * Disinformation cases in the database: links and texts grouped into one case with a reporter
 * count, case numbers per year, the triage rules with their audit entries, the yearly figures,
 * the outcome notice handed to the sender, and erasure of a reporter's reports.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/index.js';
import { erasePerson, upsertPerson } from '../../src/db/people.js';
import {
  CaseStepError,
  disinfoFigures,
  getCase,
  linkCorrection,
  listCases,
  normalizeUrl,
  recordReport,
  reportsOfCase,
  reportsSince,
  setCaseStatus,
  similarity,
  stepsOfCase,
  textKey,
} from '../../src/db/disinfo.js';
import { listAudit } from '../../src/db/audit.js';
import { tellReporters } from '../../src/admin/disinfo.js';
import { queuedOutcomes, tellDeps } from './outcome-rows.js';
import { personalDataOf } from '../../src/db/privacy.js';
import { buildYearReport, reportCsv, reportHtml } from '../../src/admin/report.js';
import { parseCsv } from '../../src/text/csv.js';

const AT = new Date('2026-03-02T03:00:00Z');
let db: Db;
beforeEach(() => {
  db = openDb(':memory:');
});
afterEach(() => db.close());

const person = (ext: string, channel: 'telegram' | 'zalo' | 'web' = 'telegram', region: string | null = null): number => {
  const p = upsertPerson(db, channel, ext, undefined, AT);
  if (region) db.prepare('UPDATE people SET region = ? WHERE id = ?').run(region, p.id);
  return p.id;
};
const report = (personId: number, text: string, extra: { region?: string | null; channel?: string; at?: Date } = {}) =>
  recordReport(db, { personId, channel: extra.channel ?? 'telegram', region: extra.region ?? null, text, topic: 'khac', platform: 'facebook' }, extra.at ?? AT);

describe('normalizeUrl', () => {
  it.each([
    ['https://WWW.Facebook.com/post/123/?utm_source=zalo&utm_medium=x&fbclid=IwAR0abc#c', 'https://facebook.com/post/123'],
    ['http://m.facebook.com/story.php?story_fbid=9&id=4&__tn__=R', 'https://facebook.com/story.php?id=4&story_fbid=9'],
    ['https://www.tiktok.com/@tin.nong/video/7312?is_from_webapp=1&sender_device=pc', 'https://tiktok.com/@tin.nong/video/7312'],
    ['https://youtu.be/abc?si=XYZ', 'https://youtube.com/watch?v=abc'],
    ['https://mbasic.facebook.com/groups/12/posts/34/?mibextid=Zx', 'https://facebook.com/groups/12/posts/34'],
    ['https://web.facebook.com/groups/12/posts/34', 'https://facebook.com/groups/12/posts/34'],
    ['https://fb.com/groups/12/posts/34', 'https://facebook.com/groups/12/posts/34'],
    ['https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.tin-nong.vn%2Fbai%2F9%3Futm_source%3Dfb&h=AT0x', 'https://tin-nong.vn/bai/9'],
    ['https://business.facebook.com/x', 'https://business.facebook.com/x'],
    ['ftp://example.com/x', null],
    ['không phải link', null],
  ])('%s', (raw, want) => {
    expect(normalizeUrl(raw)).toBe(want);
  });
});

describe('grouping', () => {
  it('the same link from two people, with different tracking parameters, is one case with two reporters', () => {
    const a = person('1001');
    const b = person('zalo-2002', 'zalo');
    const first = report(a, 'Xem cái này: https://www.facebook.com/tin-nong/posts/42?utm_source=share&fbclid=AbC');
    const second = report(b, 'https://facebook.com/tin-nong/posts/42/', { channel: 'zalo' });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.number).toBe(first.number);
    expect(first.number).toBe('BC-2026-0001');
    const c = getCase(db, first.caseId)!;
    expect(c).toMatchObject({ url: 'https://facebook.com/tin-nong/posts/42', reporterCount: 2, status: 'new' });
    expect(reportsOfCase(db, c.id).map((r) => r.channel)).toEqual(['telegram', 'zalo']);
  });

  it('one person reporting the same item twice counts once', () => {
    const a = person('1001');
    report(a, 'https://tiktok.com/@x/video/1');
    const again = report(a, 'https://www.tiktok.com/@x/video/1?utm_campaign=y');
    expect(getCase(db, again.caseId)!.reporterCount).toBe(1);
    expect(reportsOfCase(db, again.caseId)).toHaveLength(2);
  });

  it('near-identical texts join one case; a different text opens the next number', () => {
    const text = 'Khẩn cấp: từ ngày mai cấm toàn bộ xe máy đi vào nội thành, ai vi phạm bị phạt 20 triệu đồng';
    const a = report(person('1'), text);
    const b = report(person('2'), 'KHẨN CẤP!!! Từ ngày mai cấm toàn bộ xe máy đi vào nội thành, ai vi phạm bị phạt 20 triệu đồng 😱');
    const c = report(person('3'), 'khan cap tu ngay mai cam toan bo xe may di vao noi thanh ai vi pham bi phat 20 trieu dong nhe moi nguoi');
    const other = report(person('4'), 'Thông tin sai về việc thu hồi sổ đỏ của toàn bộ người dân trong xã');
    expect(b.caseId).toBe(a.caseId);
    expect(c.caseId).toBe(a.caseId);
    expect(getCase(db, a.caseId)!.reporterCount).toBe(3);
    expect(other.number).toBe('BC-2026-0002');
    expect(similarity(textKey(text), textKey('Thông tin sai về việc thu hồi sổ đỏ'))).toBeLessThan(0.2);
  });

  it('numbers restart each year (Vietnam time)', () => {
    report(person('1'), 'https://a.vn/1');
    const next = report(person('1'), 'https://a.vn/2', { at: new Date('2026-12-31T17:30:00Z') });
    expect(next.number).toBe('BC-2027-0001');
  });

  it('the queue orders by newest or by most reported, and keeps to the region scope', () => {
    const x = report(person('1', 'telegram', 'pho-hien'), 'https://a.vn/x', { region: 'pho-hien', at: new Date('2026-03-01T00:00:00Z') });
    report(person('2', 'telegram', 'pho-hien'), 'https://a.vn/x', { region: 'pho-hien', at: new Date('2026-03-01T01:00:00Z') });
    const y = report(person('3', 'telegram', 'son-nam'), 'https://a.vn/y', { region: 'son-nam', at: new Date('2026-03-02T00:00:00Z') });
    const z = report(person('4'), 'https://a.vn/z', { at: new Date('2026-03-01T02:00:00Z') });
    expect(listCases(db).map((c) => c.id)).toEqual([y.caseId, z.caseId, x.caseId]);
    expect(listCases(db, { order: 'most' }).map((c) => c.id)[0]).toBe(x.caseId);
    expect(listCases(db, { scope: ['pho-hien'] }).map((c) => c.id)).toEqual([x.caseId]);
  });

  it('counts a person’s reports since a time (the per-day limit)', () => {
    const a = person('1');
    report(a, 'https://a.vn/1', { at: new Date('2026-03-01T10:00:00Z') });
    report(a, 'https://a.vn/2');
    expect(reportsSince(db, a, new Date('2026-03-01T17:00:00Z'))).toBe(1);
  });
});

describe('triage', () => {
  it('new → checking → confirmed false → handled, each step stored and audited; wrong steps are refused', () => {
    const { caseId, number } = report(person('1'), 'https://a.vn/1');
    expect(() => setCaseStatus(db, caseId, { status: 'handled', outcome: 'platform', actor: 'hoa' }, AT)).toThrow(CaseStepError);
    setCaseStatus(db, caseId, { status: 'checking', note: 'Đang xác minh với Sở Y tế', actor: 'hoa' }, AT);
    setCaseStatus(db, caseId, { status: 'confirmed_false', evidence: 'Công văn 123/SYT', actor: 'hoa' }, AT);
    expect(() => linkCorrection(db, caseId, { correctionId: 'bhyt-tre-em-duoi-6-tuoi', actor: 'hoa' }, AT)).not.toThrow();
    expect(() => setCaseStatus(db, caseId, { status: 'handled', actor: 'hoa' }, AT)).toThrow(/cách xử lý/);
    setCaseStatus(db, caseId, { status: 'handled', outcome: 'correction', note: 'Đã đăng tin đính chính', actor: 'lan', ip: '10.0.0.5' }, AT);
    expect(getCase(db, caseId)).toMatchObject({ status: 'handled', outcome: 'correction', correctionId: 'bhyt-tre-em-duoi-6-tuoi' });
    expect(stepsOfCase(db, caseId).map((s) => [s.status, s.actor])).toEqual([
      ['checking', 'hoa'],
      ['confirmed_false', 'hoa'],
      ['handled', 'lan'],
    ]);
    const audit = listAudit(db, { action: 'disinfo.' }).reverse();
    expect(audit.map((a) => [a.action, a.targetId, a.details?.to ?? null])).toEqual([
      ['disinfo.status', number, 'checking'],
      ['disinfo.status', number, 'confirmed_false'],
      ['disinfo.correction', number, null],
      ['disinfo.status', number, 'handled'],
    ]);
    expect(audit[1]!.details).toMatchObject({ from: 'checking', evidence: 'Công văn 123/SYT' });
    expect(audit[3]!.ip).toBe('10.0.0.5');
  });

  it('a correction is linked only to a case found false', () => {
    const { caseId } = report(person('1'), 'https://a.vn/1');
    expect(() => linkCorrection(db, caseId, { correctionId: 'x', actor: 'hoa' }, AT)).toThrow(CaseStepError);
  });

  it('the yearly figures: cases by status and the share of false ones handled', () => {
    const cases = ['https://a.vn/1', 'https://a.vn/2', 'https://a.vn/3', 'https://a.vn/4'].map((u, i) => report(person(String(i)), u).caseId);
    for (const id of cases.slice(0, 3)) setCaseStatus(db, id, { status: 'confirmed_false', actor: 'hoa' }, AT);
    setCaseStatus(db, cases[0]!, { status: 'handled', outcome: 'platform', actor: 'hoa' }, AT);
    setCaseStatus(db, cases[1]!, { status: 'handled', outcome: 'police', actor: 'hoa' }, AT);
    setCaseStatus(db, cases[3]!, { status: 'not_false', actor: 'hoa' }, AT);
    const f = disinfoFigures(db, new Date('2025-12-31T17:00:00Z'), new Date('2026-12-31T17:00:00Z'));
    expect(f).toMatchObject({ cases: 4, reporters: 4, foundFalse: 3, handled: 2, byOutcome: { platform: 1, police: 1, correction: 0 } });
    expect(f.byStatus).toMatchObject({ new: 0, confirmed_false: 1, handled: 2, not_false: 1 });
    expect(f.handledShare).toBeCloseTo(2 / 3);
    expect(disinfoFigures(db, new Date('2027-01-01T00:00:00Z'), new Date('2028-01-01T00:00:00Z')).handledShare).toBeNull();
  });

  it('the yearly figures by platform and by month of the first report, in Vietnam time', () => {
    const at = (iso: string) => new Date(iso);
    const add = (url: string, platform: string | null, when: string) =>
      recordReport(db, { personId: person(url), channel: 'telegram', region: null, text: url, topic: 'khac', platform }, at(when)).caseId;
    const a = add('https://a.vn/1', 'facebook', '2026-01-10T03:00:00Z');
    const b = add('https://a.vn/2', 'facebook', '2026-03-31T16:59:00Z'); // 23:59 on 31/3 in Vietnam
    const c = add('https://a.vn/3', 'tiktok', '2026-03-31T17:00:00Z'); // 00:00 on 1/4 in Vietnam
    add('https://a.vn/4', null, '2026-12-31T16:00:00Z');
    // A later report of case a (in May) does not move it: a case counts in the month it was first reported.
    recordReport(db, { personId: person('late'), channel: 'zalo', region: null, text: 'https://a.vn/1/', topic: 'khac', platform: 'zalo' }, at('2026-05-02T03:00:00Z'));
    for (const id of [a, b, c]) setCaseStatus(db, id, { status: 'confirmed_false', actor: 'hoa' }, AT);
    setCaseStatus(db, a, { status: 'handled', outcome: 'platform', actor: 'hoa' }, AT);
    const f = disinfoFigures(db, new Date('2025-12-31T17:00:00Z'), new Date('2026-12-31T17:00:00Z'));
    expect(f.byPlatform).toEqual([
      { key: 'facebook', cases: 2, foundFalse: 2, handled: 1 },
      { key: 'tiktok', cases: 1, foundFalse: 1, handled: 0 },
      { key: null, cases: 1, foundFalse: 0, handled: 0 },
    ]);
    expect(f.byMonth).toHaveLength(12);
    expect(f.byMonth.filter((m) => m.cases > 0)).toEqual([
      { key: 1, cases: 1, foundFalse: 1, handled: 1 },
      { key: 3, cases: 1, foundFalse: 1, handled: 0 },
      { key: 4, cases: 1, foundFalse: 1, handled: 0 },
      { key: 12, cases: 1, foundFalse: 0, handled: 0 },
    ]);

    const r = buildYearReport(db, 2026, { office: 'Phòng Thông tin cơ sở', topics: [], contests: [] }, AT);
    const rows = parseCsv(reportCsv(r));
    const find = (indicator: string, group: string) => rows.find((x) => x[1] === indicator && x[2] === group)?.[3];
    expect(find('Vụ việc theo nơi phát hiện', 'Facebook')).toBe('2');
    expect(find('Đã xử lý theo nơi phát hiện', 'Facebook')).toBe('1');
    expect(find('Vụ việc theo nơi phát hiện', 'Chưa rõ')).toBe('1');
    expect(find('Vụ việc theo tháng', 'tháng 4')).toBe('1');
    expect(find('Phát hiện là tin giả theo tháng', 'tháng 1')).toBe('1');
    expect(find('Vụ việc theo tháng', 'tháng 2')).toBe('0');
    const html = reportHtml(r);
    const platformTable = html.slice(html.indexOf('data-disinfo="platform"'), html.indexOf('data-disinfo="month"'));
    expect(platformTable).toMatch(/<td>Facebook<\/td><td class="num">2<\/td><td class="num">2<\/td><td class="num">1<\/td><td class="num">50%<\/td>/);
    expect(platformTable).toContain('<td>TikTok</td>');
    expect(platformTable).toContain('<td>Chưa rõ</td>');
    expect(html).toMatch(/<td>Tháng 4<\/td><td class="num">1<\/td>/);
  });
});

describe('the yearly report', () => {
  it('has a section with cases by status and outcome and the share handled against the 90% target, within the region scope', () => {
    const ids = ['https://a.vn/1', 'https://a.vn/2', 'https://a.vn/3'].map((u, i) => report(person(String(i)), u, { region: i === 2 ? 'son-nam' : 'pho-hien' }).caseId);
    for (const id of ids) setCaseStatus(db, id, { status: 'confirmed_false', actor: 'hoa' }, AT);
    setCaseStatus(db, ids[0]!, { status: 'handled', outcome: 'platform', actor: 'hoa' }, AT);
    setCaseStatus(db, ids[2]!, { status: 'handled', outcome: 'police', actor: 'hoa' }, AT);
    const names = { office: 'Phòng Thông tin cơ sở', topics: [], contests: [] };
    const r = buildYearReport(db, 2026, names, AT);
    const rows = parseCsv(reportCsv(r));
    const find = (indicator: string, group: string) => rows.find((x) => x[0] === '5. Tin giả, tin xấu độc do người dân báo' && x[1] === indicator && x[2] === group)?.[3];
    expect(find('Vụ việc đã nhận', 'tất cả')).toBe('3');
    expect(find('Phát hiện là tin giả, tin xấu độc', 'tất cả')).toBe('3');
    expect(find('Đã xử lý', 'tất cả')).toBe('2');
    expect(find('Đã xử lý theo cách', 'Đã báo cáo nền tảng gỡ bỏ')).toBe('1');
    expect(find('Vụ việc theo trạng thái', 'Xác định là tin giả/xấu độc')).toBe('1');
    expect(find('Tỷ lệ phát hiện và xử lý (%)', 'chỉ tiêu 90%')).toBe('66.7');
    const html = reportHtml(r);
    expect(html).toContain('5. Tin giả, tin xấu độc do người dân báo');
    expect(html).toContain('phát hiện, xử lý 90% tin giả');
    expect(html).toContain('66,7%');
    const scoped = buildYearReport(db, 2026, names, AT, { regions: ['pho-hien'], name: 'Phường Phố Hiến' });
    expect(scoped.disinfo).toMatchObject({ cases: 2, handled: 1, foundFalse: 2, handledShare: 0.5 });
  });
});

describe('telling the reporters', () => {
  it('a closing step queues one outcome message per active reporter through the sender, once', () => {
    const a = person('1001');
    const b = person('web-session-b', 'web');
    const gone = person('1003');
    db.prepare(`UPDATE people SET status = 'gone' WHERE id = ?`).run(gone);
    const { caseId, number } = report(a, 'https://a.vn/1');
    report(b, 'https://a.vn/1', { channel: 'web' });
    report(gone, 'https://a.vn/1');
    const deps = tellDeps(db);
    setCaseStatus(db, caseId, { status: 'checking', actor: 'hoa' }, AT);
    expect(tellReporters(deps, caseId, AT)).toBe(0); // not closed yet
    setCaseStatus(db, caseId, { status: 'confirmed_false', actor: 'hoa' }, AT);
    setCaseStatus(db, caseId, { status: 'handled', outcome: 'platform', actor: 'hoa' }, AT);
    expect(tellReporters(deps, caseId, AT)).toBe(2);
    const sent = queuedOutcomes(db);
    // Telegram's is pending for the sender's pass (run at once); the web chat's held for the visitor's return.
    expect(sent.map(({ channel, recipient, personId, kind, status }) => ({ channel, recipient, personId, kind, status }))).toEqual([
      { channel: 'telegram', recipient: '1001', personId: a, kind: 'notice', status: 'pending' },
      { channel: 'web', recipient: 'web-session-b', personId: b, kind: 'notice', status: 'held' },
    ]);
    expect(deps.polls()).toBe(1);
    expect(sent[0]!.text).toContain(`Kết quả xử lý báo cáo ${number}`);
    expect(sent[0]!.text).toContain('đề nghị nền tảng gỡ bỏ');
    expect(tellReporters(deps, caseId, AT)).toBe(0);
    expect(queuedOutcomes(db)).toHaveLength(2);
    expect(reportsOfCase(db, caseId).every((r) => r.notifiedStatus === 'handled')).toBe(true);
  });
});

describe('privacy', () => {
  it('/dulieucuatoi counts the reports; erasure removes them, keeps the anonymous count and the link', () => {
    const a = person('777000111');
    const b = person('777000222');
    const shared = report(a, 'Tin này sai: https://a.vn/1 gọi cho tôi 0912345678');
    report(b, 'https://a.vn/1');
    const own = report(a, 'Một nội dung chỉ mình tôi báo, có tên Nguyễn Thị Lan và số điện thoại');
    expect(personalDataOf(db, a)!.disinfoReports.count).toBe(2);
    erasePerson(db, a, AT);
    expect(db.prepare('SELECT COUNT(*) FROM disinfo_reports WHERE person_id = ?').pluck().get(a)).toBe(0);
    expect(personalDataOf(db, a)!.disinfoReports.count).toBe(0);
    expect(getCase(db, shared.caseId)).toMatchObject({ reporterCount: 2, url: 'https://a.vn/1', text: 'https://a.vn/1' });
    expect(getCase(db, own.caseId)).toMatchObject({ reporterCount: 1, text: null, mediaRef: null });
    const left = JSON.stringify(db.prepare('SELECT * FROM disinfo_cases').all()) + JSON.stringify(db.prepare('SELECT * FROM disinfo_reports').all());
    expect(left).not.toContain('Nguyễn Thị Lan');
    expect(left).not.toContain('0912345678');
  });
});
