/**
 * The one sender (src/sender/sender.ts): replies survive platform errors and arrive once, quiz
 * pushes mark a blocked person gone, answer notices wait for the throttle, a web visitor finds
 * what was kept for them, and a crash between claim and send never duplicates a reply.
 *
 * Waits use an injected clock that moves forward instead of sleeping: a `retry_after: 7` costs
 * the test nothing and is still asserted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startTestApp, tempDir } from '../support/app.js';
import { startFakeTelegram, type RecordedCall } from '../support/fake-telegram.js';
import { startFakeZalo, zaloEnv } from '../support/fake-zalo.js';
import { openDb, type Db } from '../../src/db/index.js';
import { createSender } from '../../src/sender/sender.js';
import { createThrottle, type Clock } from '../../src/campaigns/throttle.js';
import { createOutbox } from '../../src/campaigns/outbox.js';
import { getPerson, getPersonByExternal, upsertPerson } from '../../src/db/people.js';
import { enqueueNotices, listNotices } from '../../src/db/notices.js';
import { recordUnanswered } from '../../src/db/questions.js';
import { installQuiz } from '../../src/quiz/feature.js';
import { notifyAskers } from '../../src/admin/answers.js';
import type { Channel, ChannelName, Reply, SendResult } from '../../src/channels/channel.js';
import { telegramCapabilities } from '../../src/channels/telegram/telegram.js';
import { button, quizWorld, register } from '../quiz/support.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A clock whose sleeps return at once and move its time forward; the long waits are kept. */
function instantClock(): Clock & { waits: number[] } {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms) => {
      if (ms >= 1000) waits.push(Math.round(ms));
      t += Math.max(0, ms);
      await new Promise((r) => setImmediate(r));
    },
  };
}

const attempts = (db: Db, lane: string): { result: string; detail: string | null }[] =>
  db.prepare(`SELECT result, detail FROM send_attempts WHERE lane = ? ORDER BY id`).all(lane) as { result: string; detail: string | null }[];

describe('a reply meets platform errors', () => {
  it('Zalo: a 500, then -32, then sent: it arrives once, after the platform waits, every attempt logged', async () => {
    const zalo = await startFakeZalo();
    cleanup.push(() => zalo.close());
    const clock = instantClock();
    const t = await startTestApp(zaloEnv(zalo), { sendClock: clock, bot: { flood_limit: { messages: 1000, seconds: 1 } } });
    cleanup.push(t.close);
    const USER = '8713451786543210777';
    zalo.addUser({ id: USER, name: 'Lê Thị Hoa' });
    const CS = '/v3.0/oa/message/cs';
    zalo.failHttp(CS, 500);
    // The first retry meets the rate limit.
    let retried = false;
    const sleep = clock.sleep;
    clock.sleep = async (ms) => {
      if (!retried && ms >= 1000) {
        retried = true;
        zalo.failNext(CS, -32);
      }
      return sleep(ms);
    };
    const res = await zalo.deliverWebhook(`${t.url}/webhooks/zalo`, zalo.textEvent(USER, '/start', { msgId: 'z-1' }));
    expect(res.status).toBe(200);
    await t.app.inbox.drain();
    // The greeting's messages, each once and in order, the first after its two failures.
    const texts = zalo.sent.filter((s) => s.userId === USER).map((s) => s.message.text ?? '');
    expect(texts[0]).toContain('Xin chào');
    expect(new Set(texts).size).toBe(texts.length);
    // Zalo's own delays: 30 s after a 5xx, a minute after -32 (and the throttle paused for them).
    expect(clock.waits.filter((w) => w >= 30_000)).toEqual(expect.arrayContaining([30_000, 60_000]));
    const person = getPersonByExternal(t.app.db, 'zalo', USER)!;
    const rows = t.app.db.prepare(`SELECT status, attempts FROM sends WHERE person_id = ? ORDER BY id`).all(person.id);
    expect(rows).toEqual([{ status: 'sent', attempts: 3 }, ...texts.slice(1).map(() => ({ status: 'sent', attempts: 1 }))]);
    expect(attempts(t.app.db, 'sends').map((a) => a.result)).toEqual(['retryAfter', 'retryAfter', 'ok', ...texts.slice(1).map(() => 'ok')]);
  });

  it("Telegram: a 429 with retry_after 7 is waited out (not dropped) and the reply arrives once", async () => {
    const tg = await startFakeTelegram();
    cleanup.push(() => tg.close());
    const clock = instantClock();
    const t = await startTestApp({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, TELEGRAM_MODE: 'polling' }, { sendClock: clock });
    cleanup.push(t.close);
    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 7', retry_after: 7 });
    const ok = (c: RecordedCall): boolean => c.method === 'sendMessage' && String(c.params.chat_id) === '71' && c.status === 200;
    await tg.pushUpdate(tg.message({ userId: 71, text: '/start' }));
    await tg.waitForCall(ok);
    await t.app.inbox.drain();
    // Each message of the greeting once, in order, the first after the platform's 7 s.
    const texts = tg.calls.filter(ok).map((c) => String(c.params.text));
    expect(texts[0]).toContain('Xin chào');
    expect(new Set(texts).size).toBe(texts.length);
    expect(tg.calls.filter((c) => c.method === 'sendMessage' && c.status === 429)).toHaveLength(1);
    expect(clock.waits).toContain(7000);
    expect(attempts(t.app.db, 'sends')).toEqual([
      { result: 'retryAfter', detail: '7s: Too Many Requests: retry after 7' },
      ...texts.map(() => ({ result: 'ok', detail: expect.any(String) })),
    ]);
  });
});

describe('order per chat', () => {
  it('a reply waiting for its retry holds back the later replies to the same chat, not the other chats', async () => {
    const db = openDb(':memory:');
    cleanup.push(() => void db.close());
    const sent: string[] = [];
    let first = true;
    const channel: Channel = {
      name: 'telegram',
      capabilities: telegramCapabilities,
      send: async (to, r): Promise<SendResult> => {
        if (first) {
          first = false;
          return { kind: 'retryAfter', seconds: 3, reason: 'Too Many Requests: retry after 3' };
        }
        sent.push(`${to}: ${r.text}`);
        return { kind: 'ok' };
      },
    };
    const clock = instantClock();
    const sender = createSender({ db, channels: new Map([['telegram', channel]]), throttles: new Map(), clock });
    const a = upsertPerson(db, 'telegram', '11');
    const b = upsertPerson(db, 'telegram', '22');
    const one = sender.enqueue({ channel: 'telegram', recipient: '11', personId: a.id }, [{ text: 'A1' }]);
    const two = sender.enqueue({ channel: 'telegram', recipient: '11', personId: a.id }, [{ text: 'A2' }]);
    const other = sender.enqueue({ channel: 'telegram', recipient: '22', personId: b.id }, [{ text: 'B1' }]);
    await Promise.all([one.done, two.done, other.done]);
    expect(sent.filter((x) => x.startsWith('11'))).toEqual(['11: A1', '11: A2']);
    expect(sent).toContain('22: B1');
    expect(clock.waits).toEqual([3000]);
  });
});

describe('what slows a whole channel', () => {
  const run = async (first: SendResult) => {
    const db = openDb(':memory:');
    cleanup.push(() => void db.close());
    const clock = instantClock();
    const throttle = createThrottle({ ratePerSecond: 30, clock });
    const order: string[] = [];
    let failed = false;
    let onFail = (): void => {};
    const failedOnce = new Promise<void>((r) => (onFail = r));
    const channel: Channel = {
      name: 'zalo',
      capabilities: telegramCapabilities,
      send: async (to, r): Promise<SendResult> => {
        if (!failed) {
          failed = true;
          order.push(`fail ${to} at ${clock.now()}`);
          setImmediate(onFail);
          return first;
        }
        order.push(`${to}: ${r.text} at ${clock.now()}`);
        return { kind: 'ok' };
      },
    };
    const sender = createSender({ db, channels: new Map([['zalo', channel]]), throttles: new Map([['zalo', throttle]]), clock });
    const a = upsertPerson(db, 'zalo', 'u-a');
    const b = upsertPerson(db, 'zalo', 'u-b');
    const one = sender.enqueue({ channel: 'zalo', recipient: 'u-a', personId: a.id }, [{ text: 'A1' }]);
    // The other person writes right after the platform refused the first message.
    await failedOnce;
    const other = sender.enqueue({ channel: 'zalo', recipient: 'u-b', personId: b.id }, [{ text: 'B1' }]);
    const cuts = throttle.stats().cuts;
    await Promise.all([one.done, other.done]);
    return { order: order.map((x) => x.split(' at ')[0]), cuts };
  };

  it('a 5xx retries that message only: another person is answered before it, the channel keeps its pace', async () => {
    const r = await run({ kind: 'retryAfter', seconds: 30, reason: 'Zalo HTTP 500' });
    expect(r.order).toEqual(['fail u-a', 'u-b: B1', 'u-a: A1']);
    expect(r.cuts).toBe(0);
  });

  it('a rate limit slows the channel for everyone', async () => {
    const r = await run({ kind: 'retryAfter', seconds: 60, reason: 'Zalo -32', rateLimited: true });
    expect(r.cuts).toBe(1);
    expect(r.order).toContain('u-b: B1');
  });
});

describe('quiz pushes', () => {
  it('a push to a person who blocked the bot marks them gone, is logged, and is not tried again', async () => {
    const w = quizWorld();
    const tried: string[] = [];
    const channel: Channel = {
      name: 'telegram',
      capabilities: telegramCapabilities,
      send: async (to): Promise<SendResult> => (tried.push(to), { kind: 'gone', reason: 'Forbidden: bot was blocked by the user' }),
    };
    const channels = new Map<ChannelName, Channel>([['telegram', channel]]);
    const sender = createSender({ db: w.db, channels, throttles: new Map(), clock: instantClock() });
    const starters: (() => unknown)[] = [];
    const quiz = installQuiz(
      { db: w.db, conversation: w.convo, channels, sender, logger: { error: () => {} }, onStart: (fn) => starters.push(fn), onStop: () => {} },
      { now: () => w.clock.now },
    )!;
    const p = w.user('telegram', '717171');
    let r = await register(p, 'thu-nghiem', { name: 'Phan Văn Khải', unit: 'Chi đoàn C', phone: null });
    r = await p.press(button(r, 'Bắt đầu'));
    w.clock.advance(30_000); // the question timed out unanswered: the next one is pushed
    await quiz.tick(w.clock.now);
    await sender.drain();
    expect(tried).toEqual(['717171']); // the first message met `gone`; the rest of the push was not tried
    const person = getPersonByExternal(w.db, 'telegram', '717171')!;
    expect(getPerson(w.db, person.id)!.status).toBe('gone');
    expect(w.db.prepare(`SELECT kind, status FROM sends WHERE person_id = ? ORDER BY id`).all(person.id)).toEqual([{ kind: 'quiz', status: 'gone' }]);
    expect(attempts(w.db, 'sends')).toEqual([{ result: 'gone', detail: 'Forbidden: bot was blocked by the user' }]);
    // A later push to them is skipped at its claim, without calling the platform.
    const res = await sender.send({ channel: 'telegram', recipient: '717171', personId: person.id }, { text: 'Câu 3/3' }, 'quiz');
    expect(res.kind).toBe('gone');
    expect(tried).toHaveLength(1);
  });
});

describe('answer notices', () => {
  it('wait for the channel throttle before they are sent, and each attempt is logged', async () => {
    const db = openDb(':memory:');
    cleanup.push(() => void db.close());
    const p = upsertPerson(db, 'telegram', '818181');
    const q = recordUnanswered(db, { personId: p.id, channel: 'telegram', question: 'Làm căn cước ở đâu?', normalized: '', suggestions: [] });
    enqueueNotices(db, [{ unansweredId: q, personId: p.id, channel: 'telegram', recipient: '818181', entryId: 'muc-a', reply: { title: 'Câu hỏi của bạn đã có câu trả lời', text: 'Trả lời.' } }]);
    const sent: string[] = [];
    const channel: Channel = { name: 'telegram', capabilities: telegramCapabilities, send: async (to) => (sent.push(to), { kind: 'ok', messageId: '9' }) };
    const throttle = createThrottle({ ratePerSecond: 30 });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const granted: string[] = [];
    const acquire = throttle.acquire.bind(throttle);
    throttle.acquire = async (chat, priority, cost) => {
      await gate;
      await acquire(chat, priority, cost);
      granted.push(`${chat}:${priority}`);
    };
    const outbox = createOutbox({
      db,
      channels: new Map([['telegram', channel]]),
      throttles: new Map([['telegram', throttle]]),
      regions: () => ({ regions: [], root: 'x' }),
      quietHours: { start: '00:00', end: '00:00' },
      pollMs: 10,
    });
    const done = new Promise<void>((resolve) => outbox.events.on('notice', (_id: number, status: string) => status === 'sent' && resolve()));
    outbox.start();
    cleanup.push(() => outbox.stop());
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toEqual([]); // the throttle has not granted a slot yet
    open();
    await done;
    expect(granted).toEqual(['818181:campaign']);
    expect(sent).toEqual(['818181']);
    expect(listNotices(db, 'muc-a').map((n) => n.status)).toEqual(['sent']);
    expect(attempts(db, 'notice')).toEqual([{ result: 'ok', detail: '9' }]);
  });
});

describe('the web chat keeps what it cannot push', () => {
  it("a visitor sees staff's answer when they come back, once", async () => {
    const t = await startTestApp();
    cleanup.push(t.close);
    const session = 'visitor-held-1';
    const post = (body: Record<string, unknown>) =>
      fetch(`${t.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session, ...body }) }).then(
        (r) => r.json() as Promise<{ replies: { text: string; title?: string }[] }>,
      );
    const held = () => fetch(`${t.url}/api/chat/held?session=${session}`).then((r) => r.json() as Promise<{ replies: { text: string; title?: string }[] }>);
    await post({ text: 'Thủ tục xin cấp phép nuôi chim yến trên mái nhà ở xã tôi thế nào?' });
    const person = getPersonByExternal(t.app.db, 'web', session)!;
    const u = t.app.db.prepare(`SELECT id FROM unanswered WHERE person_id = ?`).get(person.id) as { id: number } | undefined;
    expect(u).toBeDefined();
    // Staff answer it: a Q&A linked to the question is approved.
    const qa = t.app.knowledge.state.qa[0]!;
    t.app.db.prepare(`INSERT INTO unanswered_drafts (unanswered_id, qa_id, created_by, created_at) VALUES (?, ?, 'can-bo', ?)`).run(u!.id, qa.id, new Date().toISOString());
    expect(notifyAskers(t.app, qa)).toEqual({ held: 1 });
    expect(listNotices(t.app.db, qa.id).map((n) => n.status)).toEqual(['held']);
    // The visitor comes back: the widget asks on load.
    const back = await held();
    expect(back.replies).toHaveLength(1);
    expect(back.replies[0]!.title).toBe('Câu hỏi của bạn đã có câu trả lời');
    expect(back.replies[0]!.text).toContain(qa.answer.slice(0, 40));
    expect(listNotices(t.app.db, qa.id).map((n) => n.status)).toEqual(['sent']);
    expect((await held()).replies).toEqual([]); // shown once
    // An unknown session gets nothing (and creates no one).
    expect((await fetch(`${t.url}/api/chat/held?session=nobody-here`).then((r) => r.json())) as unknown).toEqual({ replies: [] });
    expect((await fetch(`${t.url}/api/chat/held?session=x`)).status).toBe(400);
  });
});

describe('crash safety', () => {
  it('kill -9 between claim and send: the claimed reply becomes unknown, is reported and never re-sent; the unclaimed one is sent once', async () => {
    const dir = tempDir();
    cleanup.push(dir.cleanup);
    const file = join(dir.dir, 'loa.sqlite');
    const db1 = openDb(file);
    const person = upsertPerson(db1, 'telegram', '919191');
    // Process 1: the first reply is claimed (committed `sending`) and the platform call never
    // comes back: the process is killed right there.
    let claimedCommitted!: () => void;
    const claimed = new Promise<void>((r) => (claimedCommitted = r));
    const hung: Channel = { name: 'telegram', capabilities: telegramCapabilities, send: () => (claimedCommitted(), new Promise<SendResult>(() => {})) };
    const s1 = createSender({ db: db1, channels: new Map([['telegram', hung]]), throttles: new Map(), clock: instantClock() });
    const replies: Reply[] = [{ text: 'Trả lời thứ nhất' }, { text: 'Trả lời thứ hai' }];
    const { stored } = s1.enqueue({ channel: 'telegram', recipient: '919191', personId: person.id }, replies);
    const ids = await stored;
    await claimed;
    expect(db1.prepare(`SELECT status FROM sends ORDER BY id`).all()).toEqual([{ status: 'sending' }, { status: 'pending' }]);
    // "kill -9": process 1 does nothing more; process 2 opens the same file.
    const db2 = openDb(file);
    cleanup.push(() => {
      db2.close();
      db1.close();
    });
    const sent: string[] = [];
    const live: Channel = { name: 'telegram', capabilities: telegramCapabilities, send: async (_to, r) => (sent.push(r.text), { kind: 'ok', messageId: String(sent.length) }) };
    const s2 = createSender({ db: db2, channels: new Map([['telegram', live]]), throttles: new Map(), clock: instantClock(), pollMs: 60_000 });
    const unknown = s2.start();
    cleanup.push(() => s2.stop());
    expect(unknown.get('telegram')).toBe(1);
    await s2.drain();
    expect(sent).toEqual(['Trả lời thứ hai']); // the unclaimed one, once; the claimed one is never re-sent
    expect(db2.prepare(`SELECT id, status FROM sends ORDER BY id`).all()).toEqual([
      { id: ids[0], status: 'unknown' },
      { id: ids[1], status: 'sent' },
    ]);
    expect(db2.prepare(`SELECT action FROM audit WHERE action = 'send.unknown'`).all()).toHaveLength(1);
    // A later start finds nothing more to do.
    s2.poll();
    await s2.drain();
    expect(sent).toHaveLength(1);
  });
});
