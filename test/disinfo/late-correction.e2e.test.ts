/**
 * A correction approved after the case was closed reaches its reporters. The usual office order
 * is not the documented one: staff confirm the rumour, write the correction from the case, record
 * "Đã xử lý – Đã đăng tin đính chính" and the approver approves the correction the next day. Before
 * (measured 2026-12-07): the reporters got the outcome without the correction (it was still a
 * draft) and never got it after, and linking an approved correction to a handled case sent nothing
 * either: the correct information never reached the people who had seen the rumour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { getCase, recordReport, setCaseStatus } from '../../src/db/disinfo.js';
import { upsertPerson } from '../../src/db/people.js';
import { queuedOutcomes } from './outcome-rows.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let editor: AdminClient;
let approver: AdminClient;
const people: number[] = [];
let caseId = 0;
let number = '';

const location = (res: { location: string | null }) => decodeURIComponent(res.location ?? '');
/** The outcome rows queued for the sender, per person (the Telegram channel is not configured here: they stay pending). */
const sentTo = (personId: number): string[] => queuedOutcomes(t.app.db).filter((q) => q.personId === personId).map((q) => q.text);

beforeAll(async () => {
  t = await startAdminApp();
  const db = t.app.db;
  for (const ext of ['880001', '880002']) people.push(upsertPerson(db, 'telegram', ext).id);
  for (const p of people)
    ({ caseId, number } = recordReport(db, { personId: p, channel: 'telegram', region: null, text: 'https://facebook.com/tin-gia/tro-cap', topic: 'khac', platform: 'facebook' }));
  setCaseStatus(db, caseId, { status: 'confirmed_false', actor: 'hoa' });
  editor = new AdminClient(t.url);
  expect((await editor.login('bien-tap', addUser(t.app, 'bien-tap', ['editor']))).status).toBe(303);
  approver = new AdminClient(t.url);
  expect((await approver.login('duyet', addUser(t.app, 'duyet', ['approver']))).status).toBe(303);
});
afterAll(async () => {
  await t?.close();
});

describe('a correction approved after the case was handled', () => {
  let qaId = '';

  it('is sent to the reporters, once, when it is approved', { timeout: 120_000 }, async () => {
    const saved = await editor.post('/admin/content/qa/new', {
      vuviec: String(caseId),
      question: 'Thông tin chính xác về việc thu hồi trợ cấp xã hội',
      answer: 'Không có quy định thu hồi trợ cấp xã hội đã chi trả đúng đối tượng. Tin “phải nộp lại toàn bộ trợ cấp” là sai.',
      topics: 'tro-giup-xa-hoi',
      sources: 'Nghị định 20/2021/NĐ-CP',
    });
    expect(location(saved)).toContain(`Đã gắn với vụ việc ${number}.`);
    qaId = saved.location!.split('?')[0]!.split('/').at(-1)!;

    // Handled before the approval: the outcome goes out without the correction.
    const step = await editor.post(`/admin/disinfo/${caseId}/status`, { status: 'handled', outcome: 'correction', note: 'Đã soạn tin đính chính' });
    expect(location(step)).toContain('Đang gửi kết quả cho 2 người báo tin.');
    for (const p of people) {
      expect(sentTo(p)).toHaveLength(1);
      expect(sentTo(p)[0]).not.toContain('Không có quy định thu hồi');
    }

    await approver.get(`/admin/content/qa/${qaId}`);
    expect((await approver.post(`/admin/content/qa/${qaId}/approve`)).status).toBe(303);
    for (const p of people) {
      const texts = sentTo(p);
      expect(texts).toHaveLength(2);
      expect(texts[1]).toContain('Cơ quan đã đăng thông tin chính xác về tin giả, tin xấu độc bạn đã báo.');
      expect(texts[1]).toContain('Không có quy định thu hồi trợ cấp xã hội đã chi trả đúng đối tượng.');
    }
    expect(sentTo(people[0]!).at(-1)!.split('\n')[0]).toBe(`Thông tin chính xác về tin bạn đã báo (${number})`);

    // Another save and approval of content: nothing sent again.
    const other = await editor.post('/admin/content/qa/new', { question: 'Một câu hỏi khác về hộ tịch', answer: 'Trả lời về hộ tịch.', topics: 'ho-tich', sources: 'Luật Hộ tịch 2014' });
    const otherId = other.location!.split('?')[0]!.split('/').at(-1)!;
    await approver.get(`/admin/content/qa/${otherId}`);
    await approver.post(`/admin/content/qa/${otherId}/approve`);
    for (const p of people) expect(sentTo(p)).toHaveLength(2);
  });

  it('is sent when an approved correction is linked to a case already handled, once', { timeout: 120_000 }, async () => {
    const db = t.app.db;
    const p = upsertPerson(db, 'telegram', '880003').id;
    const other = recordReport(db, { personId: p, channel: 'telegram', region: null, text: 'https://tiktok.com/@x/video/5', topic: 'khac', platform: 'tiktok' });
    setCaseStatus(db, other.caseId, { status: 'confirmed_false', actor: 'hoa' });
    await editor.post(`/admin/disinfo/${other.caseId}/status`, { status: 'handled', outcome: 'platform' });
    expect(sentTo(p)).toHaveLength(1);
    const linked = await editor.post(`/admin/disinfo/${other.caseId}/correction`, { correctionId: qaId, campaignId: '' });
    expect(location(linked)).toContain('Đang gửi tin đính chính cho 1 người báo tin.');
    expect(sentTo(p)).toHaveLength(2);
    expect(sentTo(p)[1]).toContain('Không có quy định thu hồi');
    expect(getCase(db, other.caseId)!.correctionId).toBe(qaId);
    // Linking it again sends nothing.
    const again = await editor.post(`/admin/disinfo/${other.caseId}/correction`, { correctionId: qaId, campaignId: '' });
    expect(location(again)).not.toContain('Đã gửi');
    expect(sentTo(p)).toHaveLength(2);
  });
});
