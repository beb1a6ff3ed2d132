/**
 * The public web chat under abuse (issue 15, item 1): limits are checked before anything is
 * stored, a text is stored once and no longer than the conversation accepts, and a nearly full
 * disk refuses new visitors politely while webhooks ask the platform to deliver again.
 */
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { MAX_QUESTION_LENGTH } from '../../src/conversation/conversation.js';
import { MAX_WEB_MESSAGE_LENGTH } from '../../src/channels/web/web.js';
import { T } from '../../src/conversation/texts.js';

type Ctx = Awaited<ReturnType<typeof startTestApp>>;
let ctx: Ctx | undefined;
afterEach(async () => {
  await ctx?.close();
  ctx = undefined;
});

const post = (c: Ctx, body: unknown) =>
  fetch(`${c.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const count = (c: Ctx, sql: string): number => (c.app.db.prepare(sql).get() as { n: number }).n;

describe('web chat limits before storing', () => {
  it('a script inventing session ids from one address gets 429 with Retry-After, and adds no rows', async () => {
    ctx = await startTestApp({}, { bot: { web_chat_limits: { new_sessions_per_address: { count: 5, seconds: 3600 } } } });
    const people = count(ctx, 'SELECT COUNT(*) AS n FROM people');
    const messages = count(ctx, 'SELECT COUNT(*) AS n FROM messages');
    const statuses: number[] = [];
    let refusal: { status: number; retryAfter: string | null; error: string } | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await post(ctx, { session: `flood-session-${i}`, text: 'x'.repeat(900) });
      statuses.push(res.status);
      if (res.status === 429 && !refusal) refusal = { status: res.status, retryAfter: res.headers.get('retry-after'), error: (await res.json()).error };
      else await res.body?.cancel();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    expect(Number(refusal!.retryAfter)).toBeGreaterThan(0);
    expect(refusal!.error).toMatch(/thử lại sau khoảng \d+ phút/);
    // Only the five accepted visitors left a trace: a person and their message with its replies.
    expect(count(ctx, 'SELECT COUNT(*) AS n FROM people') - people).toBe(5);
    expect(count(ctx, "SELECT COUNT(*) AS n FROM messages WHERE direction = 'in'") ).toBeLessThanOrEqual(messages + 5);
    // A visitor already talking is not one of the new sessions: still answered.
    expect((await post(ctx, { session: 'flood-session-0', text: 'bhyt tre em' })).status).toBe(200);
  });

  // Found by the web chat trial: a portal page with the chat built in sends /start on every view;
  // each stored a person and counted as a new chat of the address, so after 60 views from one
  // carrier's address the next visitors read "too many new chats" before typing anything.
  it('greets page views without storing them or counting them as new chats; a visitor who writes is one', async () => {
    ctx = await startTestApp({}, { bot: { web_chat_limits: { new_sessions_per_address: { count: 5, seconds: 3600 }, per_address: { count: 1000, seconds: 60 } } } });
    const people = count(ctx, 'SELECT COUNT(*) AS n FROM people');
    const messages = count(ctx, 'SELECT COUNT(*) AS n FROM messages');
    for (let i = 0; i < 30; i++) {
      const res = await post(ctx, { session: `page-view-${i}`, text: '/start' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { replies: { text: string; buttons?: { action: string }[] }[] };
      expect(body.replies[0]!.text).toContain('Xin chào');
      expect(body.replies[1]!.buttons?.some((b) => b.action.startsWith('topic:'))).toBe(true);
    }
    expect(count(ctx, 'SELECT COUNT(*) AS n FROM people')).toBe(people);
    expect(count(ctx, 'SELECT COUNT(*) AS n FROM messages')).toBe(messages);
    // An English browser is greeted in English.
    const en = await fetch(`${ctx.url}/api/chat?lang=en`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session: 'page-view-en', text: '/start' }) });
    expect(((await en.json()) as { replies: { text: string }[] }).replies[0]!.text).toMatch(/Hello|Welcome/);
    // Writing makes a new chat, and the address's limit on those still holds.
    const wrote: number[] = [];
    for (let i = 0; i < 7; i++) wrote.push((await post(ctx, { session: `page-view-${i}`, text: 'bhyt tre em' })).status);
    expect(wrote).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(count(ctx, 'SELECT COUNT(*) AS n FROM people') - people).toBe(5);
    // A greeting from someone already talking goes through the conversation as before.
    expect((await post(ctx, { session: 'page-view-0', text: '/start' })).status).toBe(200);
    expect(count(ctx, "SELECT COUNT(*) AS n FROM messages WHERE direction = 'in'")).toBeGreaterThan(messages + 5);
  });

  it('limits one address and the whole web chat, each with a Vietnamese reason', async () => {
    ctx = await startTestApp({}, { bot: { web_chat_limits: { per_address: { count: 6, seconds: 60 }, global: { count: 1000, seconds: 1 } } } });
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await post(ctx, { session: `address-s-${i % 2}`, text: 'chào bạn' })).status);
    expect(codes.slice(0, 6).every((s) => s === 200)).toBe(true);
    const res = await post(ctx, { session: 'address-s-0', text: 'chào bạn' });
    expect(res.status).toBe(429);
    expect((await res.json()).error).toMatch(/gửi tin nhắn quá nhanh/);
  });

  it('over the global limit new visitors wait, while conversations already going on continue', async () => {
    ctx = await startTestApp({}, { bot: { web_chat_limits: { global: { count: 3, seconds: 60 } } } });
    for (const s of ['global-a-1', 'global-b-2', 'global-c-3']) expect((await post(ctx, { session: s, text: 'chào bạn' })).status).toBe(200);
    const refused = await post(ctx, { session: 'global-d-4', text: 'chào bạn' });
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toMatch(/Hệ thống đang nhận quá nhiều tin nhắn/);
    expect((await post(ctx, { session: 'global-a-1', text: 'bhyt tre em' })).status).toBe(200);
  });

  it('takes a post longer than a question into a report of false information; a question that long is asked to be shorter', async () => {
    const app = await startTestApp();
    ctx = app;
    const chat = async (session: string, body: Record<string, string>) => {
      const res = await post(app, { session, ...body });
      expect(res.status).toBe(200);
      return ((await res.json()) as { replies: { text: string }[] }).replies.map((r) => r.text).join('\n');
    };
    // A post pasted whole: 1,900 characters (it was refused at 1,000 before the report could take it).
    const postLong = 'Tin đồn: chính quyền sẽ thu hồi đất của mọi hộ không có sổ đỏ trước Tết. '.repeat(32).slice(0, 1900);
    expect(postLong.length).toBeGreaterThan(MAX_QUESTION_LENGTH);
    await chat('long-report-session', { text: '/baocao' });
    const after = await chat('long-report-session', { text: postLong });
    expect(after).not.toContain(T.tooLong(MAX_QUESTION_LENGTH));
    await chat('long-report-session', { action: 'bc:t:khac' });
    expect(await chat('long-report-session', { action: 'bc:p:facebook' })).toMatch(/BC-\d{4}-\d{4}/);
    const stored = app.app.db.prepare(`SELECT text FROM disinfo_reports ORDER BY id DESC LIMIT 1`).pluck().get() as string;
    expect(stored).toBe(postLong.trim());
    // Outside a report, a question that long gets the conversation's own answer, as on Telegram.
    expect(await chat('long-question-session', { text: postLong })).toContain(T.tooLong(MAX_QUESTION_LENGTH));
  });

  it('refuses a text longer than the web chat takes, in Vietnamese, and the widget agrees', async () => {
    ctx = await startTestApp();
    const res = await post(ctx, { session: 'long-text-session', text: 'a '.repeat(MAX_WEB_MESSAGE_LENGTH) });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe(`Tin nhắn dài quá ${MAX_WEB_MESSAGE_LENGTH} ký tự. Bạn vui lòng viết ngắn gọn hơn.`);
    expect(count(ctx, "SELECT COUNT(*) AS n FROM people WHERE external_id = 'long-text-session'")).toBe(0);
    const widget = await (await fetch(`${ctx.url}/widget.js`)).text();
    expect(widget).toContain(`input.maxLength = ${MAX_WEB_MESSAGE_LENGTH};`);
    expect(widget).not.toContain('Math.random');
  });

  it('stores the text of a message once', async () => {
    ctx = await startTestApp();
    const text = 'Thủ tục đăng ký khai sinh cho con cần giấy tờ gì?';
    expect((await post(ctx, { session: 'stored-once-1', text })).status).toBe(200);
    const row = ctx.app.db.prepare("SELECT text, payload FROM messages WHERE direction = 'in' AND text = ?").get(text) as { text: string; payload: string };
    expect(row.text).toBe(text);
    expect(row.payload).not.toContain('khai sinh');
  });
});

describe('a nearly full disk', () => {
  // Free space where test apps keep their data (test/support/app.ts: the system's temporary
  // folder, /dev/shm under `npm test`): that is the disk the guard watches.
  const freeMb = (): number => {
    const s = statfsSync(tmpdir());
    return (Number(s.bavail) * Number(s.bsize)) / 2 ** 20;
  };

  it('low: new visitors are refused politely with Retry-After, people already talking are answered', async () => {
    // Free space between the threshold and a quarter of it.
    ctx = await startTestApp({ LOA_MIN_FREE_MB: String(Math.ceil(freeMb() * 2)) });
    ctx.app.db.prepare("INSERT INTO people (channel, external_id, created_at) VALUES ('web', 'talking-before', ?)").run(new Date().toISOString());
    expect((await post(ctx, { session: 'talking-before', text: 'chào bạn' })).status).toBe(200);
    expect((await post(ctx, { session: 'talking-now-1', text: 'chào bạn' })).status).toBe(503);
    const res = await post(ctx, { session: 'talking-now-2', text: 'chào bạn' });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await res.json()).error).toMatch(/sắp hết chỗ lưu trữ/);
  });

  it('critical: webhooks answer 503 so the platform delivers again, and nothing is stored', async () => {
    ctx = await startTestApp({ LOA_MIN_FREE_MB: String(Math.ceil(freeMb() * 8)) });
    const before = count(ctx, 'SELECT COUNT(*) AS n FROM messages');
    const hook = await fetch(`${ctx.url}/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"update_id":1}' });
    expect(hook.status).toBe(503);
    expect((await post(ctx, { session: 'critical-visitor', text: 'chào bạn' })).status).toBe(503);
    expect(count(ctx, 'SELECT COUNT(*) AS n FROM messages')).toBe(before);
  });
});
