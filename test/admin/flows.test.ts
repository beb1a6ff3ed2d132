/**
 * The admin flows end to end over HTTP: a citizen's unanswered question becomes an approved
 * Q&A (editor writes, another person approves) that the bot gives on the next ask, and the
 * citizen is told on their channel; contests export and open/close; a campaign is composed,
 * approved by someone else and sent with live progress.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { startFakeTelegram } from '../support/fake-telegram.js';
import { listUnanswered, recordUnanswered } from '../../src/db/questions.js';
import { upsertPerson, subscribe, setRegion } from '../../src/db/people.js';
import { listAudit } from '../../src/db/audit.js';
import { listCampaigns } from '../../src/db/campaigns.js';
import { linkUnansweredToDraft } from '../../src/db/admin.js';
import { notifyAskers } from '../../src/admin/answers.js';
import { listNotices } from '../../src/db/notices.js';
import { createOutbox } from '../../src/campaigns/outbox.js';
import { createThrottle } from '../../src/campaigns/throttle.js';
import { parseCsv } from '../../src/text/csv.js';
import type { Channel } from '../../src/channels/channel.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

// The tests on an app with default options share one (an app start is ~0.5 s of CPU): each has
// its own accounts, people and entries, and none counts rows another one writes.
let shared: Promise<Awaited<ReturnType<typeof startAdminApp>>> | undefined;
const sharedApp = (): Promise<Awaited<ReturnType<typeof startAdminApp>>> => (shared ??= startAdminApp());
afterAll(async () => {
  await (await shared)?.close();
});

const QUESTION = 'Phường có hỗ trợ tiền lắp đặt pin mặt trời cho hộ gia đình không?';

describe('unanswered question -> approved answer', () => {
  it('an editor answers, an approver approves, the bot answers the next ask and tells the asker', async () => {
    const tg = await startFakeTelegram();
    cleanup.push(() => tg.close());
    const t = await startAdminApp({
      env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot },
      bot: { quiet_hours: { start: '00:00', end: '00:00' } },
    });
    cleanup.push(t.close);
    addUser(t.app, 'bien', ['editor']);
    addUser(t.app, 'duyet', ['approver']);

    // Two citizens ask the same thing in different words; the bot cannot answer yet.
    const ask = async (userId: number, text: string): Promise<string> => {
      const before = tg.callsTo('sendMessage').length;
      await tg.pushUpdate(tg.message({ userId, text }));
      const call = await tg.waitForCall((c) => c.method === 'sendMessage' && String(c.params.chat_id) === String(userId), { after: tg.calls.indexOf(tg.callsTo('sendMessage')[before - 1]!) + 1 });
      return String(call.params.text);
    };
    await ask(501, QUESTION);
    await ask(502, 'Cho hỏi phường có hỗ trợ tiền lắp pin mặt trời cho hộ gia đình không ạ');
    expect(listUnanswered(t.app.db).length).toBe(2);

    const editor = new AdminClient(t.url);
    await editor.login('bien', 'bien-mat-khau-1');
    const queue = await editor.get('/admin/questions');
    expect(queue.text).toContain('2 người hỏi'); // grouped as one
    const from = queue.text.match(/href="\/admin\/content\/qa\/new\?from=([\d,]+)"/)![1]!;
    const draftForm = await editor.get(`/admin/content/qa/new?from=${from}`);
    expect(draftForm.text).toContain('pin mặt trời'); // prefilled with the question
    const saved = await editor.post('/admin/content/qa/new', {
      from,
      id: 'ho-tro-pin-mat-troi',
      question: QUESTION,
      variants: 'hỗ trợ lắp pin mặt trời',
      answer: 'Hiện phường chưa có chính sách hỗ trợ tiền lắp đặt pin mặt trời cho hộ gia đình.',
      topics: 'tro-giup-xa-hoi',
      sources: 'Thông báo của UBND phường | số 12/TB-UBND',
    });
    expect(saved.status).toBe(303);
    expect(readFileSync(join(t.contentDir, 'qa/tro-giup-xa-hoi/ho-tro-pin-mat-troi.md'), 'utf8')).toMatch(/status: draft/);
    // A draft is not answered, and its author cannot approve it.
    expect(await ask(503, QUESTION)).not.toContain('chưa có chính sách hỗ trợ');
    expect(t.app.knowledge.state.qa.find((q) => q.id === 'ho-tro-pin-mat-troi')?.status).toBe('draft');

    const approver = new AdminClient(t.url);
    await approver.login('duyet', 'duyet-mat-khau-1');
    // The askers are told by the outbox (through the Telegram throttle), not from the request.
    const told: string[] = [];
    const notified = new Promise<void>((resolve) =>
      t.app.campaigns.outbox.events.on('notice', (_id: number, status: string) => {
        told.push(status);
        if (told.length === 3) resolve();
      }),
    );
    const approved = await approver.post('/admin/content/qa/ho-tro-pin-mat-troi/approve');
    expect(approved.status).toBe(303);
    // 503 asked word for word the draft's question after it was written: told too.
    expect(decodeURIComponent(approved.location!)).toContain('Đã xếp 3/3 tin báo cho người đã hỏi vào hàng gửi');
    await notified;
    expect(told).toEqual(['sent', 'sent', 'sent']);
    const file = readFileSync(join(t.contentDir, 'qa/tro-giup-xa-hoi/ho-tro-pin-mat-troi.md'), 'utf8');
    expect(file).toMatch(/status: approved/);
    expect(file).toMatch(/reviewed_by: duyet/);
    expect(file).toMatch(/reviewed_at: "?\d{4}-\d{2}-\d{2}/);

    // The askers were told on Telegram; the queue is empty; the next ask is answered.
    expect(tg.sentTexts(501).at(-1)).toContain('Câu hỏi của bạn đã có câu trả lời');
    expect(tg.sentTexts(502).at(-1)).toContain('chưa có chính sách hỗ trợ');
    expect(tg.sentTexts(503).at(-1)).toContain('chưa có chính sách hỗ trợ');
    expect(listUnanswered(t.app.db, 'open').filter((u) => u.question.includes('pin mặt trời'))).toHaveLength(0);
    expect(listUnanswered(t.app.db, 'answered').map((u) => u.answerId)).toEqual(['ho-tro-pin-mat-troi', 'ho-tro-pin-mat-troi', 'ho-tro-pin-mat-troi']);
    expect(await ask(504, 'phuong co ho tro tien lap dat pin mat troi cho ho gia dinh khong')).toContain('chưa có chính sách hỗ trợ');
    const actions = listAudit(t.app.db, { targetType: 'qa', targetId: 'ho-tro-pin-mat-troi' }).map((a) => `${a.actor}:${a.action}`);
    expect(actions).toEqual(['duyet:question.notify', 'duyet:content.approve', 'bien:content.save']);
    // Two content reloads, each refitting the answer decision (seconds on a busy machine).
  }, 90_000);

  it('the author of a draft cannot approve it, even as an approver', async () => {
    const t = await sharedApp();
    addUser(t.app, 'ca-hai', ['editor', 'approver']);
    const c = new AdminClient(t.url);
    await c.login('ca-hai', 'ca-hai-mat-khau-1');
    await c.post('/admin/content/qa/new', { id: 'tu-duyet', question: 'Tự duyệt được không?', answer: 'Không.', topics: 'ho-tich', sources: 'Quy chế' });
    const r = await c.post('/admin/content/qa/tu-duyet/approve');
    expect(r.status).toBe(403);
    expect(r.text).toContain('Người soạn không tự phê duyệt');
  });

  it('queues the notices for the outbox: Zalo outside the window, blocked and web askers are recorded, not sent, and each is notified once', async () => {
    const t = await startAdminApp({ bot: { quiet_hours: { start: '00:00', end: '00:00' } } });
    cleanup.push(t.close);
    const sent: string[] = [];
    const zalo: Channel = {
      name: 'zalo',
      // Zalo's 7-day contact window, declared as the real channel does (zaloCapabilities).
      capabilities: { buttons: true, maxButtons: 5, nativeQuizPoll: false, maxTextLength: 2000, numberedReplies: true, contactWindowDays: 7 },
      async send(to) {
        sent.push(to);
        return to === 'z-late' ? { kind: 'outsideWindow', reason: 'Zalo -230' } : { kind: 'ok', messageId: 'm1' };
      },
    };
    // A Zalo lane in the app's outbox: the channel and its throttle, as installCampaigns makes them.
    t.app.channels.set('zalo', zalo);
    const throttle = createThrottle({ ratePerSecond: 1000 });
    t.app.campaigns.throttles.set('zalo', throttle);
    const outbox = createOutbox({
      db: t.app.db,
      channels: t.app.channels,
      throttles: new Map([['zalo', throttle]]),
      regions: () => ({ regions: [], root: 'hung-yen' }),
      quietHours: { start: '00:00', end: '00:00' },
      pollMs: 20,
    });
    const day = 86_400_000;
    const ask = (channel: 'zalo' | 'web', ext: string, lastSeenDaysAgo: number, status = 'active'): number => {
      const p = upsertPerson(t.app.db, channel, ext);
      t.app.db.prepare('UPDATE people SET last_interaction_at = ?, status = ? WHERE id = ?').run(new Date(Date.now() - lastSeenDaysAgo * day).toISOString(), status, p.id);
      return recordUnanswered(t.app.db, { personId: p.id, channel, question: 'Hỏi thử?', normalized: 'hoi thu', suggestions: [] });
    };
    const ids = [ask('zalo', 'z-old', 9), ask('zalo', 'z-new', 1), ask('zalo', 'z-late', 2), ask('zalo', 'z-blocked', 1, 'gone'), ask('web', 'web-session-0002', 0)];
    const qa = t.app.knowledge.state.qa.find((q) => q.status === 'approved')!;
    linkUnansweredToDraft(t.app.db, ids, qa.id, 'bien');
    expect(notifyAskers(t.app, qa)).toEqual({ pending: 3, gone: 1, held: 1 });
    const settled: string[] = [];
    const done = new Promise<void>((resolve) =>
      outbox.events.on('notice', (_id: number, status: string) => {
        settled.push(status);
        if (settled.length === 3) resolve();
      }),
    );
    outbox.start();
    await done;
    await outbox.stop();
    // Outside the 7-day window nothing is sent now; the platform's own -230 is treated the same.
    // Both are held for the asker's next message to the OA (releaseHeldNotices).
    expect(sent.sort()).toEqual(['z-late', 'z-new']);
    const byQuestion = new Map(listNotices(t.app.db, qa.id).map((n) => [n.unansweredId, n]));
    // The web asker's notice waits for them to come back to the chat (sender.takeHeld).
    expect(ids.map((id) => byQuestion.get(id)!.status)).toEqual(['held', 'sent', 'held', 'gone', 'held']);
    expect(byQuestion.get(ids[0]!)!.reason).toContain('chờ người hỏi nhắn lại cho OA');
    expect(byQuestion.get(ids[4]!)!.reason).toContain('chờ người hỏi quay lại web chat');
    expect(listUnanswered(t.app.db, 'answered').map((u) => u.id).sort()).toEqual(ids.sort());
    // Resolved questions are not notified twice.
    expect(notifyAskers(t.app, qa)).toEqual({});
  });
});

describe('contests', () => {
  it('shows the live count, exports the leaderboard as CSV and closes/opens a contest', async () => {
    const t = await sharedApp();
    addUser(t.app, 'thi', ['quiz_organizer']);
    addUser(t.app, 'xem', ['viewer']);
    const id = 'luyen-tap-quyen-tre-em';
    const p = upsertPerson(t.app.db, 'telegram', '900');
    t.app.db
      .prepare(
        `INSERT INTO quiz_attempts (contest_id, person_id, channel, attempt_no, status, name, unit, question_count, score, correct_count, total_ms, started_at, finished_at)
         VALUES (?, ?, 'telegram', 1, 'done', 'Nguyễn Văn An', 'Chi đoàn 1', 5, 40, 4, 52000, '2026-11-20T01:00:00Z', '2026-11-20T01:02:00Z')`,
      )
      .run(id, p.id);
    const c = new AdminClient(t.url);
    await c.login('thi', 'thi-mat-khau-1');
    const live = await (await fetch(`${t.url}/admin/contests/${id}/live.json`, { headers: { cookie: `loa_admin=${c.cookies.get('loa_admin')}` } })).json();
    expect(live).toMatchObject({ id, finished: 1 });
    // How to invite people: the contest's own Telegram deep link and the command elsewhere.
    const invite = (await c.get(`/admin/contests/${id}`)).text;
    expect(invite).toContain(`?start=thi_${id}`);
    expect(invite).toContain(`/thi ${id}`);
    const csv = await c.get(`/admin/contests/${id}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain(`ket-qua-${id}.csv`);
    const raw = new Uint8Array(await (await fetch(`${t.url}/admin/contests/${id}/export.csv`, { headers: { cookie: `loa_admin=${c.cookies.get('loa_admin')}` } })).arrayBuffer());
    expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for Excel
    expect(parseCsv(csv.text)[1]).toEqual(['1', 'Nguyễn Văn An', 'Chi đoàn 1', '40', '52.0', '', 'telegram', '4', '', '']);

    const viewer = new AdminClient(t.url);
    await viewer.login('xem', 'xem-mat-khau-1');
    expect((await viewer.get(`/admin/contests/${id}/export.csv`)).status).toBe(403);
    expect((await viewer.post(`/admin/contests/${id}/close`)).status).toBe(403);

    expect((await c.post(`/admin/contests/${id}/close`)).status).toBe(303);
    expect((await c.get(`/admin/contests/${id}`)).text).toContain('Mở cuộc thi');
    expect((await c.post(`/admin/contests/${id}/open`, { closes: '2030-01-01T08:00' })).status).toBe(303);
    const page = await c.get(`/admin/contests/${id}`);
    expect(page.text).toContain('Đóng cuộc thi');
    expect(page.text).toContain('08:00 01/01/2030');
    expect(readFileSync(join(t.contentDir, `quizzes/${id}.yaml`), 'utf8')).toContain('closes: 01/01/2030 08:00');
    expect(listAudit(t.app.db, { action: 'contest.' }).map((a) => a.action)).toEqual(['contest.open', 'contest.close', 'contest.export', 'contest.export']);
  });
});

describe('campaigns', () => {
  it('composed by one, approved by another, sent with live progress', async () => {
    const tg = await startFakeTelegram();
    cleanup.push(() => tg.close());
    const t = await startAdminApp({
      env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot },
      bot: { quiet_hours: { start: '00:00', end: '00:00' } },
    });
    cleanup.push(t.close);
    addUser(t.app, 'gui', ['broadcaster']);
    addUser(t.app, 'duyet', ['approver']);
    for (let i = 0; i < 5; i++) {
      const p = upsertPerson(t.app.db, 'telegram', String(800 + i));
      subscribe(t.app.db, p.id, ['quyen-tre-em'], null);
      setRegion(t.app.db, p.id, 'pho-hien');
    }
    const b = new AdminClient(t.url);
    await b.login('gui', 'gui-mat-khau-1');
    const preview = await b.post('/admin/campaigns/preview', { title: 'Thông báo', text: 'Ngày hội quyền trẻ em 1/6', channels: 'telegram', regions: 'pho-hien' });
    expect(preview.text).toContain('data-audience>5<');
    expect(preview.text).toContain('Ngày hội quyền trẻ em 1/6');
    expect((await b.post('/admin/campaigns/new', { title: 'Thông báo', text: 'Ngày hội quyền trẻ em 1/6', channels: 'telegram', regions: 'pho-hien', action: 'submit' })).status).toBe(303);
    const id = listCampaigns(t.app.db)[0]!.id;
    expect((await b.post(`/admin/campaigns/${id}/approve`)).status).toBe(403); // a broadcaster does not approve

    const a = new AdminClient(t.url);
    await a.login('duyet', 'duyet-mat-khau-1');
    expect((await a.post(`/admin/campaigns/${id}/approve`)).status).toBe(303);
    const done = once(t.app.campaigns.outbox.events, 'done');
    expect((await b.post(`/admin/campaigns/${id}/schedule`)).status).toBe(303);
    await done;
    const live = await b.get(`/admin/campaigns/${id}/live.json`);
    expect(JSON.parse(live.text)).toMatchObject({ status: 'done', total: 5, done: 5, sent: 5, percent: 100 });
    expect(tg.sentTexts(800).at(-1)).toContain('Ngày hội quyền trẻ em 1/6');
    const page = await b.get(`/admin/campaigns/${id}`);
    expect(page.text).toContain('data-poll="/admin/campaigns/');
    expect(page.text).toContain('Đã gửi xong');
  });
});

describe('content and accounts', () => {
  it('an article is written, approved by another person, served, then retired', async () => {
    const t = await sharedApp();
    addUser(t.app, 'bien', ['editor']);
    addUser(t.app, 'duyet', ['approver']);
    const e = new AdminClient(t.url);
    await e.login('bien', 'bien-mat-khau-1');
    const bad = await e.post('/admin/content/article/new', { title: 'Thiếu nguồn', published: '2026-11-20', body: 'x', topics: 'ho-tich' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Nguồn');
    const saved = await e.post('/admin/content/article/new', {
      title: 'Lịch tiếp công dân tháng 12',
      published: '2026-11-20',
      source_title: 'UBND phường Phố Hiến',
      body: 'Lịch tiếp công dân của phường.\n\n## Thứ Năm hằng tuần\nChủ tịch UBND phường tiếp công dân vào sáng thứ Năm tại trụ sở.',
      topics: 'khieu-nai-to-cao',
      regions: 'pho-hien',
    });
    expect(saved.status).toBe(303);
    const id = saved.location!.match(/article\/([a-z0-9-]+)/)![1]!;
    expect(id).toBe('lich-tiep-cong-dan-thang-12');
    expect(t.app.knowledge.getArticle(id)?.status).toBe('draft');
    const list = await e.get('/admin/content?q=tiep+cong+dan&kind=article');
    expect(list.text).toContain('Lịch tiếp công dân tháng 12');

    const a = new AdminClient(t.url);
    await a.login('duyet', 'duyet-mat-khau-1');
    expect((await a.post(`/admin/content/article/${id}/approve`)).status).toBe(303);
    expect(t.app.knowledge.getArticle(id)?.status).toBe('approved');
    const answer = t.app.knowledge.answer('Chủ tịch phường tiếp công dân vào thứ mấy?');
    expect(answer.kind === 'answer' ? answer.id : answer.kind).toBe(`${id}#1`);
    expect((await a.post(`/admin/content/article/${id}/retire`)).status).toBe(303);
    expect(t.app.knowledge.getArticle(id)?.status).toBe('retired');
    expect(readFileSync(join(t.contentDir, `articles/${id}.md`), 'utf8')).toMatch(/status: retired/);
  });

  it('an admin adds an account in the page; the one-time password works once and must be changed', async () => {
    const t = await sharedApp();
    addUser(t.app, 'boss', ['admin']);
    const c = new AdminClient(t.url);
    await c.login('boss', 'boss-mat-khau-1');
    const r = await c.post('/admin/users', { username: 'hoa', displayName: 'Nguyễn Thị Hoa', roles: ['broadcaster', 'viewer'], region: 'pho-hien' });
    expect(r.status).toBe(200);
    const pw = r.text.match(/data-one-time-password>([^<]+)</)![1]!;
    const h = new AdminClient(t.url);
    expect((await h.login('hoa', pw)).location).toBe('/admin/account/password');
    expect((await c.post('/admin/users', { username: 'hoa', roles: 'viewer' })).status).toBe(409);
    expect((await c.post('/admin/users/boss', { roles: 'viewer' })).status).toBe(400); // cannot drop own admin role
    expect((await c.post('/admin/users/hoa/disable')).status).toBe(303);
    expect((await h.get('/admin')).status).toBe(302); // disabling ends the sessions
    expect(listAudit(t.app.db, { targetType: 'user', targetId: 'hoa' }).map((x) => x.action)).toEqual(['user.disable', 'user.add']);
  });

  it('a ward officer sees only their ward on the dashboard and in the queue', async () => {
    const t = await sharedApp();
    addUser(t.app, 'phuong', ['editor', 'viewer'], 'pho-hien');
    for (const [ext, region, q] of [
      ['a', 'pho-hien', 'Câu hỏi của Phố Hiến?'],
      ['b', 'son-nam', 'Câu hỏi của Sơn Nam?'],
    ] as const) {
      const p = upsertPerson(t.app.db, 'telegram', ext);
      subscribe(t.app.db, p.id, ['ho-tich'], null);
      setRegion(t.app.db, p.id, region);
      recordUnanswered(t.app.db, { personId: p.id, channel: 'telegram', question: q, normalized: q, suggestions: [] });
    }
    const c = new AdminClient(t.url);
    await c.login('phuong', 'phuong-mat-khau-1');
    const queue = await c.get('/admin/questions');
    expect(queue.text).toContain('Câu hỏi của Phố Hiến?');
    expect(queue.text).not.toContain('Câu hỏi của Sơn Nam?');
    const dash = await c.get('/admin');
    expect(dash.text).toContain('Phường Phố Hiến');
    expect(dash.text).not.toContain('Phường Sơn Nam');
    const other = listUnanswered(t.app.db).find((u) => u.question.includes('Sơn Nam'))!;
    expect((await c.post('/admin/questions/dismiss', { ids: String(other.id) })).status).toBe(303);
    expect(listUnanswered(t.app.db, 'open').map((u) => u.id)).toContain(other.id); // out of scope: untouched
  });
});
