/**
 * The Zalo channel, courier style: each case is a label, the fake's state, the reply, the
 * requests we expect Zalo to receive and the SendResult we expect back. Add a case, add a test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { openDb, type Db } from '../../src/db/index.js';
import { createZaloClient, createZaloOAuth } from '../../src/channels/zalo/client.js';
import { createZaloTokenStore } from '../../src/channels/zalo/token-store.js';
import { createZaloChannel } from '../../src/channels/zalo/channel.js';
import { createChannelThrottles } from '../../src/campaigns/install.js';
import type { Config } from '../../src/config.js';
import { manualClock } from '../campaigns/helpers.js';
import { secondsUntilMorning } from '../../src/channels/zalo/errors.js';
import type { Channel, Reply, SendResult } from '../../src/channels/channel.js';
import { REDACT_PATHS } from '../../src/logger.js';
import { startFakeZalo, type FakeZalo, type FakeZaloOptions } from '../support/fake-zalo.js';

const USER = '8713451786543210987';
const CS = '/v3.0/oa/message/cs';
const OAUTH = '/v4/oa/access_token';
const DAY = 24 * 3600_000;

let clock: Date;
const now = (): Date => clock;

interface Built {
  zalo: FakeZalo;
  channel: Channel;
  db: Db;
  logs: string[];
  secrets: () => string[];
}

async function build(fakeOptions: FakeZaloOptions = {}): Promise<Built> {
  const zalo = await startFakeZalo({ now, ...fakeOptions });
  const logs: string[] = [];
  const logger = pino(
    { level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    new Writable({ write: (chunk: Buffer, _enc, cb) => (logs.push(chunk.toString()), cb()) }),
  );
  const db = openDb(':memory:');
  const http = { apiBase: zalo.url, oauthBase: zalo.url, appId: zalo.appId, appSecret: zalo.appSecret, logger };
  const oauth = createZaloOAuth(http);
  const tokens = createZaloTokenStore({ db, appId: zalo.appId, oauth, now, logger });
  const pair = zalo.issueTokens();
  tokens.saveConnected({ access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: 90_000 });
  const client = createZaloClient({ ...http, tokens });
  const channel = createZaloChannel({ client, logger, now });
  const issued = new Set<string>([pair.accessToken, pair.refreshToken]);
  const secrets = (): string[] => {
    for (const c of zalo.calls) {
      const a = c.answer as { access_token?: string; refresh_token?: string };
      if (a?.access_token) issued.add(a.access_token);
      if (a?.refresh_token) issued.add(a.refresh_token);
    }
    return [...issued, zalo.appSecret, zalo.oaSecretKey];
  };
  return { zalo, channel, db, logs, secrets };
}

interface Case {
  label: string;
  fake?: FakeZaloOptions;
  /** ISO time of the send (default: 10:00 in Hanoi). */
  at?: string;
  setup?: (z: FakeZalo) => void;
  reply?: Reply;
  /** Paths Zalo receives, in order. */
  calls: string[];
  result: SendResult | ((r: SendResult) => void);
}

const hello: Reply = { text: 'Xin chào' };

const cases: Case[] = [
  { label: 'ok', calls: [CS], result: (r) => expect(r).toMatchObject({ kind: 'ok', messageId: expect.any(String) }) },
  {
    label: '-32 rate limit -> retry after backoff',
    setup: (z) => z.failNext(CS, -32),
    calls: [CS],
    result: { kind: 'retryAfter', seconds: 60, reason: expect.stringContaining('-32'), rateLimited: true },
  },
  {
    label: '-32 from the fake rate limiter itself',
    fake: { rateLimitPerMinute: 0 },
    calls: [CS],
    result: { kind: 'retryAfter', seconds: 60, reason: expect.stringContaining('-32'), rateLimited: true },
  },
  {
    label: '-216 expired token -> refresh, then retry once: ok',
    setup: (z) => z.expireAccessTokens(),
    calls: [CS, OAUTH, CS],
    result: (r) => expect(r.kind).toBe('ok'),
  },
  {
    label: '-220 -> refresh, then retry once: ok',
    setup: (z) => z.failNext(CS, -220),
    calls: [CS, OAUTH, CS],
    result: (r) => expect(r.kind).toBe('ok'),
  },
  {
    label: '-216 again after the refresh -> failed, no second refresh',
    setup: (z) => z.failNext(CS, -216, 2),
    calls: [CS, OAUTH, CS],
    result: { kind: 'failed', reason: expect.stringContaining('loa zalo status') },
  },
  {
    label: '-213 not a follower -> gone',
    setup: (z) => z.addUser({ id: USER, follower: false }),
    calls: [CS],
    result: { kind: 'gone', reason: expect.stringContaining('-213') },
  },
  {
    label: '-227 banned or inactive -> gone',
    setup: (z) => z.addUser({ id: USER, banned: true }),
    calls: [CS],
    result: { kind: 'gone', reason: expect.stringContaining('-227') },
  },
  {
    label: '-230 no interaction for 8 days -> outside window',
    setup: (z) => z.addUser({ id: USER, lastInteraction: new Date(clock.getTime() - 8 * DAY) }),
    calls: [CS],
    result: { kind: 'outsideWindow', reason: expect.stringContaining('-230') },
  },
  {
    label: 'interaction 6 days ago -> still inside the window',
    setup: (z) => z.addUser({ id: USER, lastInteraction: new Date(clock.getTime() - 6 * DAY) }),
    calls: [CS],
    result: (r) => expect(r.kind).toBe('ok'),
  },
  {
    label: '-232 -> outside window',
    setup: (z) => z.failNext(CS, -232),
    calls: [CS],
    result: { kind: 'outsideWindow', reason: expect.stringContaining('-232') },
  },
  {
    label: '-234 at 23:00 in Hanoi -> retry at 06:00',
    fake: { nightRule: true },
    at: '2026-11-23T16:00:00Z',
    calls: [CS],
    result: { kind: 'retryAfter', seconds: 7 * 3600, reason: expect.stringContaining('-234'), rateLimited: true },
  },
  {
    label: '-211 quota -> wait and retry (not failed): the same message goes once the quota is back',
    setup: (z) => z.failNext(CS, -211),
    calls: [CS],
    result: { kind: 'retryAfter', seconds: 60, reason: expect.stringMatching(/-211.*quota/) },
  },
  {
    label: '-218 quota -> wait and retry (not failed): the same message goes once the quota is back',
    setup: (z) => z.failNext(CS, -218),
    calls: [CS],
    result: { kind: 'retryAfter', seconds: 60, reason: expect.stringMatching(/-218.*quota/) },
  },
  {
    label: '-224 tier -> failed with reason',
    setup: (z) => z.failNext(CS, -224),
    calls: [CS],
    result: { kind: 'failed', reason: expect.stringMatching(/-224.*tier/) },
  },
  {
    label: '-201 invalid field -> failed',
    setup: (z) => z.failNext(CS, -201),
    calls: [CS],
    result: { kind: 'failed', reason: expect.stringContaining('-201') },
  },
  {
    label: 'HTTP 502 -> retry after backoff',
    setup: (z) => z.failHttp(CS, 502),
    calls: [CS],
    result: { kind: 'retryAfter', seconds: 30, reason: expect.stringContaining('HTTP 502') },
  },
  {
    label: 'dead refresh token -> failed, telling the operator to connect',
    setup: (z) => {
      z.expireAccessTokens();
      z.failNext(OAUTH, -14020);
    },
    calls: [CS, OAUTH],
    result: { kind: 'failed', reason: expect.stringContaining('loa zalo connect') },
  },
  {
    label: 'buttons refused (-201, disputed v3) -> resent as numbered text',
    fake: { rejectButtons: true },
    reply: { text: 'Chọn:', buttons: [{ label: 'Một', action: 'a:1' }, { label: 'Hai', action: 'a:2' }] },
    calls: [CS, CS],
    result: (r) => expect(r.kind).toBe('ok'),
  },
  {
    label: 'a long reply goes out as several messages',
    reply: { text: `${'Đoạn một. '.repeat(150)}\n\n${'Đoạn hai. '.repeat(150)}` },
    calls: [CS, CS],
    result: (r) => expect(r.kind).toBe('ok'),
  },
];

describe('Zalo channel: SendResult for each answer', () => {
  let b: Built | undefined;
  beforeEach(() => {
    clock = new Date('2026-11-23T03:00:00Z');
  });
  afterEach(async () => {
    await b?.zalo.close();
    b = undefined;
  });

  for (const c of cases)
    it(c.label, async () => {
      if (c.at) clock = new Date(c.at);
      b = await build(c.fake);
      b.zalo.addUser({ id: USER });
      c.setup?.(b.zalo);
      const result = await b.channel.send(USER, c.reply ?? hello);
      expect(b.zalo.calls.map((x) => x.path)).toEqual(c.calls);
      if (typeof c.result === 'function') c.result(result);
      else expect(result).toEqual(c.result);
      for (const call of b.zalo.calls.filter((x) => x.path === CS))
        expect((call.body as { recipient: { user_id: string } }).recipient.user_id).toBe(USER);
      // No token or secret in any log line, whatever happened.
      const logged = b.logs.join('');
      expect(logged).toContain('zalo:'); // the capture works: the client did log
      for (const s of b.secrets()) expect(logged).not.toContain(s);
    });

  it('after a refused button template, later replies carry no buttons at all', async () => {
    b = await build({ rejectButtons: true });
    b.zalo.addUser({ id: USER });
    const reply: Reply = { text: 'Chọn:', buttons: [{ label: 'Một', action: 'a:1' }] };
    await b.channel.send(USER, reply);
    await b.channel.send(USER, reply);
    expect(b.zalo.calls.map((x) => x.path)).toEqual([CS, CS, CS]);
    expect(b.zalo.sent.map((s) => s.message.attachment)).toEqual([undefined, undefined]);
    expect(b.zalo.sent[1]!.message.text).toBe('Chọn:\n\n1. Một\nGõ 1 để chọn.');
  });

  it('sends exactly the expected request: text, oa.query.hide buttons, links', async () => {
    b = await build();
    b.zalo.addUser({ id: USER });
    await b.channel.send(USER, {
      title: 'Thẻ BHYT',
      text: 'Trẻ em dưới 6 tuổi được cấp thẻ miễn phí.',
      buttons: [{ label: 'Hộ tịch', action: 'topic:ho-tich' }],
      links: [{ label: 'Xem thêm:', url: 'https://example.gov.vn/bhyt' }],
    });
    expect(b.zalo.calls[0]!.body).toEqual({
      recipient: { user_id: USER },
      message: {
        text: 'Thẻ BHYT\n\nTrẻ em dưới 6 tuổi được cấp thẻ miễn phí.\n\n1. Hộ tịch\nGõ 1 để chọn.\n\nXem thêm: https://example.gov.vn/bhyt',
        attachment: {
          type: 'template',
          payload: {
            buttons: [
              { title: 'Hộ tịch', type: 'oa.query.hide', payload: '#loa:topic:ho-tich' },
              { title: 'Xem thêm:', type: 'oa.open.url', payload: { url: 'https://example.gov.vn/bhyt' } },
            ],
          },
        },
      },
    });
  });

  it('keeps ZALO_RATE_PER_MINUTE with one limiter, the channel throttle, shared by replies and campaigns', async () => {
    const t = manualClock();
    const throttle = createChannelThrottles({ config: { zalo: { ratePerMinute: 60 } } as unknown as Config }, t).get('zalo')!;
    const granted: string[] = [];
    const take = (who: string, priority: 'reply' | 'campaign') => throttle.acquire(who, priority).then(() => granted.push(`${who}@${Math.round(t.now())}`));
    const all = Promise.all([take('c1', 'campaign'), take('c2', 'campaign'), take('r1', 'reply')]);
    await t.advance(5000);
    await all;
    // One a second (less the 2% headroom), the reply ahead of the waiting campaign send.
    expect(granted).toEqual(['c1@0', 'r1@1020', 'c2@2041']);
    // The channel no longer counts on its own: back-to-back sends both go out.
    b = await build();
    b.zalo.addUser({ id: USER });
    expect((await b.channel.send(USER, hello, { broadcast: true })).kind).toBe('ok');
    expect((await b.channel.send(USER, hello, { broadcast: true })).kind).toBe('ok');
  });

  it('the night rule ends at 06:00 Asia/Ho_Chi_Minh', () => {
    expect(secondsUntilMorning(new Date('2026-11-23T15:00:00Z'))).toBe(8 * 3600); // 22:00
    expect(secondsUntilMorning(new Date('2026-11-22T22:59:00Z'))).toBe(60); // 05:59
    expect(secondsUntilMorning(new Date('2026-11-23T00:00:00Z'))).toBe(23 * 3600); // 07:00
  });
});

describe('Zalo channel: what a failed send tells the dashboard', () => {
  // A dead token or an OA refused for quota means every citizen gets silence: staff must see it
  // on the dashboard and /healthz, not only in a log line. One person's failure says nothing.
  const table: { label: string; setup?: (z: FakeZalo) => void; lost?: RegExp; trouble?: RegExp; up?: boolean }[] = [
    {
      label: 'dead refresh token -> lost (permanent), telling to connect again',
      setup: (z) => {
        z.expireAccessTokens();
        z.failNext(OAUTH, -14020);
      },
      lost: /loa zalo connect/,
    },
    { label: 'token refused again after a refresh -> lost', setup: (z) => z.failNext(CS, -216, 2), lost: /loa zalo connect/ },
    { label: '-211 out of quota -> trouble', setup: (z) => z.failNext(CS, -211), trouble: /hết hạn mức tin tư vấn \(lỗi -211\).*oa\.zalo\.me/ },
    { label: '-218 out of quota -> trouble', setup: (z) => z.failNext(CS, -218), trouble: /lỗi -218/ },
    { label: '-224 package -> trouble', setup: (z) => z.failNext(CS, -224), trouble: /Gói dịch vụ của OA.*lỗi -224/ },
    { label: '-213 one person not following -> nothing', setup: (z) => z.addUser({ id: USER, follower: false }) },
    { label: '-230 one person outside the window -> nothing', setup: (z) => z.failNext(CS, -230) },
    { label: '-32 rate limit -> nothing (it retries)', setup: (z) => z.failNext(CS, -32) },
    { label: 'HTTP 502 -> nothing (it retries)', setup: (z) => z.failHttp(CS, 502) },
    { label: 'a send that works -> up', up: true },
  ];
  let b: Built | undefined;
  beforeEach(() => {
    clock = new Date('2026-11-23T03:00:00Z');
  });
  afterEach(async () => {
    await b?.zalo.close();
    b = undefined;
  });
  for (const c of table)
    it(c.label, async () => {
      b = await build();
      b.zalo.addUser({ id: USER });
      const seen = { lost: [] as { reason: string; permanent: boolean }[], trouble: [] as string[], up: 0 };
      await b.channel.start!({ up: () => seen.up++, trouble: (r) => seen.trouble.push(r), lost: (e) => seen.lost.push({ reason: e.reason, permanent: e.permanent }) });
      c.setup?.(b.zalo);
      await b.channel.send(USER, hello);
      expect(seen.lost).toEqual(c.lost ? [{ reason: expect.stringMatching(c.lost), permanent: true }] : []);
      expect(seen.trouble).toEqual(c.trouble ? [expect.stringMatching(c.trouble)] : []);
      expect(seen.up).toBe(c.up ? 1 : 0);
    });
});

