/**
 * End to end: the real server (startTestApp) with ZALO_* pointing at the fake Zalo, driven by
 * signed webhook deliveries.
 *
 * The tests share one app and one fake: each talks as its own people where it checks that
 * someone was never stored or first touched, and what it checks among the sent messages and the
 * calls is what its own deliveries added.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeZalo, type FakeZalo, zaloEnv } from '../support/fake-zalo.js';
import { startTestApp } from '../support/app.js';
import { Writable } from 'node:stream';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { REDACT_PATHS } from '../../src/logger.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { zaloSubmissionsOf } from '../../src/db/zalo.js';
import { FOLLOW_HINT, SUBMIT_THANKS } from '../../src/channels/zalo/feature.js';

const USER = '8713451786543210987'; // > 2^53: must survive as a string end to end

let zalo: FakeZalo;
let t: Awaited<ReturnType<typeof startTestApp>>;
let hook: string;

beforeAll(async () => {
  zalo = await startFakeZalo();
  t = await startTestApp(zaloEnv(zalo));
  hook = `${t.url}/webhooks/zalo`;
  zalo.addUser({ id: USER, name: 'Nguyễn Thị Lan' });
});

afterAll(async () => {
  await t.close();
  await zalo.close();
});

const texts = (from = 0): string[] => zalo.sent.slice(from).map((s) => s.message.text ?? '');
/** A person the app has never seen, known to the fake. */
let fresh = 0;
const newUser = (): string => {
  const id = `87134517865432${String(++fresh).padStart(5, '0')}`;
  zalo.addUser({ id, name: `Người ${fresh}` });
  return id;
};

describe('Zalo webhook end to end', () => {
  it('answers a signed user_send_text through the OA API, with the id kept exact', async () => {
    const sent = zalo.sent.length;
    const calls = zalo.calls.length;
    const res = await zalo.deliverWebhook(hook, zalo.textEvent(USER, 'Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế không?'));
    expect(res.status).toBe(200);
    await t.app.inbox.drain();
    expect(zalo.sent.length).toBeGreaterThan(sent);
    expect(zalo.sent.slice(sent).every((s) => s.userId === USER)).toBe(true);
    expect(texts(sent).join('\n')).toMatch(/bảo hiểm y tế/i);
    const cs = zalo.calls.slice(calls).filter((c) => c.path === '/v3.0/oa/message/cs');
    expect(cs[0]!.headers.access_token).toBeTruthy();
    expect((cs[0]!.body as { recipient: { user_id: string } }).recipient.user_id).toBe(USER);
    const person = getPersonByExternal(t.app.db, 'zalo', USER)!;
    expect(person.externalId).toBe(USER);
    expect(person.lastInteractionAt).not.toBeNull();
  });

  it('refuses a wrong or missing signature with 401 and stores nothing', async () => {
    const user = newUser();
    const sent = zalo.sent.length;
    const bad = await zalo.deliverWebhook(hook, zalo.textEvent(user, 'xin chào'), { signature: `mac=${'0'.repeat(64)}` });
    const none = await zalo.deliverWebhook(hook, zalo.textEvent(user, 'xin chào'), { signature: '' });
    const otherKey = await zalo.deliverWebhook(hook, zalo.textEvent(user, 'xin chào'), { signature: 'mac=zz' });
    expect([bad.status, none.status, otherKey.status]).toEqual([401, 401, 401]);
    await t.app.inbox.drain();
    expect(zalo.sent.length - sent).toBe(0);
    expect(getPersonByExternal(t.app.db, 'zalo', user)).toBeUndefined();
  });

  it('refuses with 401 a correctly signed delivery for another app_id, or naming none, and stores nothing', async () => {
    const user = newUser();
    const sent = zalo.sent.length;
    const other = { ...zalo.textEvent(user, 'xin chào'), app_id: '9999999999999999999' };
    const none: Record<string, unknown> = { ...zalo.textEvent(user, 'xin chào') };
    delete none.app_id;
    const forOther = await zalo.deliverWebhook(hook, other);
    const forNobody = await zalo.deliverWebhook(hook, none);
    expect([forOther.status, forNobody.status]).toEqual([401, 401]);
    expect(forOther.body).toContain('app_id');
    await t.app.inbox.drain();
    expect(zalo.sent.length - sent).toBe(0);
    expect(getPersonByExternal(t.app.db, 'zalo', user)).toBeUndefined();
  });

  it('accepts the disputed signature with the OA id as first term', async () => {
    const sent = zalo.sent.length;
    const res = await zalo.deliverWebhook(hook, zalo.textEvent(USER, '/help'), { signWith: 'oa_id' });
    expect(res.status).toBe(200);
    await t.app.inbox.drain();
    expect(zalo.sent.length - sent).toBe(1);
  });

  it('answers a duplicate delivery once', async () => {
    const sent = zalo.sent.length;
    const event = zalo.textEvent(USER, '/help', { msgId: 'dup-msg-1' });
    const first = await zalo.deliverWebhook(hook, event);
    const second = await zalo.deliverWebhook(hook, event);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(JSON.parse(second.body)).toMatchObject({ duplicate: true });
    await t.app.inbox.drain();
    expect(zalo.sent.length - sent).toBe(1);
  });

  it('shows numbered choices and takes "2" (or the button payload) as the second choice', async () => {
    await zalo.deliverWebhook(hook, zalo.textEvent(USER, '/chude'));
    await t.app.inbox.drain();
    const menu = zalo.sent.at(-1)!;
    const second = menu.message.text!.split('\n').find((l) => l.startsWith('2. '))!.slice(3);
    expect(menu.message.text).toMatch(/Gõ (1, 2.*|một số từ 1 đến \d+) để chọn\./);
    const buttons = menu.message.attachment!.payload.buttons!;
    expect(buttons.length).toBeLessThanOrEqual(5);
    expect(buttons[1]).toMatchObject({ type: 'oa.query.hide', title: second });

    await zalo.deliverWebhook(hook, zalo.textEvent(USER, '2'));
    await t.app.inbox.drain();
    expect(zalo.sent.at(-1)!.message.text).toContain(`Các câu hỏi về “${second}”`);

    // The same choice by tapping the button: Zalo sends its payload back as text.
    await zalo.deliverWebhook(hook, zalo.textEvent(USER, '/chude'));
    await zalo.deliverWebhook(hook, zalo.textEvent(USER, buttons[1]!.payload as string));
    await t.app.inbox.drain();
    expect(zalo.sent.at(-1)!.message.text).toContain(`Các câu hỏi về “${second}”`);
  });

  it('answers other user_send_* politely, greets a follower, marks an unfollower gone', async () => {
    const image = { ...zalo.textEvent(USER, ''), event_name: 'user_send_image', message: { msg_id: 'img-1', attachments: [{ type: 'image', payload: { url: 'https://x/y.jpg' } }] } };
    await zalo.deliverWebhook(hook, image);
    await t.app.inbox.drain();
    expect(texts().at(-1)).toMatch(/chỉ đọc được tin nhắn dạng chữ/);

    const follower = '8713451786543210999';
    zalo.addUser({ id: follower });
    // Fresh timestamps, as Zalo sends them: an event over ZALO_WEBHOOK_MAX_AGE_HOURS old is dropped.
    const followedAt = Date.now() - 120_000;
    const follow = { app_id: zalo.appId, oa_id: zalo.oaId, event_name: 'follow', timestamp: String(followedAt), source: 'oa_profile', follower: { id: follower } };
    await zalo.deliverWebhook(hook, follow);
    await t.app.inbox.drain();
    expect(zalo.sent.at(-1)).toMatchObject({ userId: follower });
    expect(texts().at(-1)).toContain(FOLLOW_HINT);
    // The greeting invites the follower to choose a topic: the menu is there, and answers by number.
    const greeting = zalo.sent.at(-1)!.message;
    expect(greeting.text).toMatch(/\n1\. .+\n2\. /);
    expect(greeting.attachment?.payload.buttons?.[0]?.payload).toMatch(/^#loa:topic:/);
    const second = greeting.text!.split('\n').find((l) => l.startsWith('2. '))!.slice(3);
    await zalo.deliverWebhook(hook, zalo.textEvent(follower, '2'));
    await t.app.inbox.drain();
    expect(texts().at(-1)).toContain(`Các câu hỏi về “${second}”`);
    expect(getPersonByExternal(t.app.db, 'zalo', follower)!.status).toBe('active');

    await zalo.deliverWebhook(hook, { ...follow, event_name: 'unfollow', timestamp: String(followedAt + 60_000) });
    await t.app.inbox.drain();
    const gone = getPersonByExternal(t.app.db, 'zalo', follower)!;
    expect(gone.status).toBe('gone');
    expect(gone.goneReason).toBe('unfollow');
  });

  it('takes a pasted link (user_send_link) as the item /baocao asks for', async () => {
    const user = newUser();
    await zalo.deliverWebhook(hook, zalo.textEvent(user, '/baocao'));
    await t.app.inbox.drain();
    const sent = zalo.sent.length;
    const link = {
      ...zalo.textEvent(user, 'https://facebook.com/posts/123'),
      event_name: 'user_send_link',
      message: { msg_id: 'link-1', text: 'https://facebook.com/posts/123', attachments: [{ type: 'link', payload: { url: 'https://facebook.com/posts/123', description: 'Tin nóng', thumbnail: 'https://x/t.jpg' } }] },
    };
    expect((await zalo.deliverWebhook(hook, link)).status).toBe(200);
    await t.app.inbox.drain();
    const reply = texts(sent).join('\n');
    expect(reply).not.toMatch(/chỉ đọc được tin nhắn dạng chữ/);
    expect(reply).toContain('Tin này nói về vấn đề gì?');
  });

  it('stores user_submit_info with consent, touches the person and thanks once', async () => {
    const user = newUser();
    const sent = zalo.sent.length;
    const submittedAt = Date.now() - 60_000;
    const event = {
      app_id: zalo.appId,
      event_name: 'user_submit_info',
      timestamp: String(submittedAt),
      sender: { id: user },
      recipient: { id: zalo.oaId },
      info: { name: 'Nguyễn Thị Lan', phone: '0912345678', address: 'Số 1', ward: 'Phố Hiến', district: '', city: 'Hưng Yên' },
    };
    const first = await zalo.deliverWebhook(hook, event);
    const again = await zalo.deliverWebhook(hook, event);
    expect([first.status, again.status]).toEqual([200, 200]);
    await t.app.inbox.drain();
    const person = getPersonByExternal(t.app.db, 'zalo', user)!;
    expect(person.lastInteractionAt).not.toBeNull();
    const stored = zaloSubmissionsOf(t.app.db, person.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ userId: user, name: 'Nguyễn Thị Lan', phone: '0912345678', city: 'Hưng Yên' });
    expect(stored[0]!.consentAt.toISOString()).toBe(new Date(submittedAt).toISOString());
    expect(texts(sent)).toEqual([SUBMIT_THANKS]);
  });

  it('drops a validly signed event older than ZALO_WEBHOOK_MAX_AGE_HOURS (a replay) with 200, and a redelivery as a duplicate', async () => {
    const user = newUser();
    const sent = zalo.sent.length;
    // Signed with the real key, a new msg_id, dated three days ago: a captured delivery sent again.
    const old = zalo.textEvent(user, 'Thủ tục khai sinh cần giấy tờ gì?', { timestamp: String(Date.now() - 72 * 3_600_000) });
    const undated: Record<string, unknown> = { ...zalo.textEvent(user, 'xin chào') };
    delete undated.timestamp;
    const stale = await zalo.deliverWebhook(hook, old);
    const noDate = await zalo.deliverWebhook(hook, undated);
    expect([stale.status, noDate.status]).toEqual([200, 200]);
    expect(JSON.parse(stale.body)).toEqual({ ok: true, ignored: 'stale' });
    expect(JSON.parse(noDate.body)).toEqual({ ok: true, ignored: 'stale' });
    await t.app.inbox.drain();
    expect(zalo.sent.length - sent).toBe(0);
    expect(getPersonByExternal(t.app.db, 'zalo', user)).toBeUndefined();

    // Within the limit (a day late, as a delivery Zalo retried) it is answered, once.
    const late = zalo.textEvent(user, 'Thủ tục khai sinh cần giấy tờ gì?', { timestamp: String(Date.now() - 24 * 3_600_000) });
    expect(JSON.parse((await zalo.deliverWebhook(hook, late)).body)).toEqual({ ok: true });
    expect(JSON.parse((await zalo.deliverWebhook(hook, late)).body)).toEqual({ ok: true, duplicate: true });
    await t.app.inbox.drain();
    expect(zalo.sent.length).toBeGreaterThan(sent);
    expect(getPersonByExternal(t.app.db, 'zalo', user)).toBeDefined();
  });

  it('ignores oa_send_* echoes, receipts and unknown events with 200', async () => {
    const sent = zalo.sent.length;
    for (const event_name of ['oa_send_text', 'user_seen_message', 'user_received_message', 'anonymous_send_text', 'some_new_event']) {
      const res = await zalo.deliverWebhook(hook, { app_id: zalo.appId, event_name, timestamp: '1763880000000', sender: { id: zalo.oaId }, recipient: { id: USER }, message: { text: 'x', msg_id: `m-${event_name}` } });
      expect(res.status).toBe(200);
    }
    await t.app.inbox.drain();
    expect(zalo.sent.length - sent).toBe(0);
  });

  it('keeps answering across an access token expiry, refreshing once; no secret reaches the log', async () => {
    // A second app on the same fake, logging everything at trace level into memory.
    const lines: string[] = [];
    const logger = pino(
      { level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
      new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }),
    );
    const sent = zalo.sent.length;
    const calls = zalo.calls.length;
    const pair = zalo.issueTokens();
    const other = await startTestApp(
      {
        ZALO_APP_ID: zalo.appId,
        ZALO_APP_SECRET: zalo.appSecret,
        ZALO_OA_SECRET_KEY: zalo.oaSecretKey,
        ZALO_ACCESS_TOKEN: pair.accessToken,
        ZALO_REFRESH_TOKEN: pair.refreshToken,
        ZALO_API_BASE: zalo.url,
        ZALO_OAUTH_BASE: zalo.url,
        LOA_LOG_LEVEL: 'trace',
      },
      { logger },
    );
    try {
      const url = `${other.url}/webhooks/zalo`;
      await zalo.deliverWebhook(url, zalo.textEvent(USER, '/help'));
      await other.app.inbox.drain();
      zalo.expireAccessTokens();
      await Promise.all([
        zalo.deliverWebhook(url, zalo.textEvent(USER, '/help')),
        zalo.deliverWebhook(url, zalo.textEvent('8713451786543210111', '/help')),
      ]);
      await zalo.deliverWebhook(url, zalo.textEvent(USER, '/help'), { signature: `mac=${'1'.repeat(64)}` });
      await other.app.inbox.drain();
      expect(zalo.sent.length - sent).toBe(3);
      expect(zalo.calls.slice(calls).filter((c) => c.path === '/v4/oa/access_token')).toHaveLength(1);
      const logged = lines.join('');
      expect(logged).toContain('zalo: access token refreshed');
      const issued = zalo.calls.flatMap((c) => {
        const a = c.answer as { access_token?: string; refresh_token?: string };
        return [a.access_token, a.refresh_token].filter((x): x is string => !!x);
      });
      for (const secret of [pair.accessToken, pair.refreshToken, ...issued, zalo.appSecret, zalo.oaSecretKey])
        expect(logged).not.toContain(secret);
    } finally {
      await other.close();
    }
  });

  it('serves the domain verification file dropped into <data dir>/zalo/', async () => {
    const missing = await fetch(`${t.url}/zalo_verifierABC123.html`);
    expect(missing.status).toBe(404);
    // The data directory is not told to whoever asks (it is logged for the operator).
    expect(await missing.text()).not.toContain(t.config.dataDir);
    mkdirSync(join(t.config.dataDir, 'zalo'), { recursive: true });
    writeFileSync(join(t.config.dataDir, 'zalo', 'zalo_verifierABC123.html'), 'zalo-platform-site-verification=ABC123');
    const res = await fetch(`${t.url}/zalo_verifierABC123.html`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('zalo-platform-site-verification=ABC123');
    expect((await fetch(`${t.url}/zalo_verifier..%2Floa.sqlite.html`)).status).toBe(404);
  });
});
