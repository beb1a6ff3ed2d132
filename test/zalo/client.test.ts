/** The OA client's own surface: users, followers, the two error classes, options. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createZaloClient, createZaloOAuth, type AccessTokenSource } from '../../src/channels/zalo/client.js';
import { ZaloApiError, ZaloHttpError } from '../../src/channels/zalo/errors.js';
import { startFakeZalo, type FakeZalo } from '../support/fake-zalo.js';

const BIG = '8713451786543210987';
let zalo: FakeZalo;
let tokens: AccessTokenSource;

beforeEach(async () => {
  zalo = await startFakeZalo();
  const { accessToken } = zalo.issueTokens();
  tokens = { get: async () => accessToken, renew: async () => accessToken };
});
afterEach(() => zalo.close());

const client = () => createZaloClient({ apiBase: zalo.url, oauthBase: zalo.url, appId: zalo.appId, appSecret: zalo.appSecret, tokens });

describe('Zalo client', () => {
  it('reads a user detail with the id as an exact string, sending the access_token header', async () => {
    zalo.addUser({ id: BIG, name: 'Trần Văn Nam', follower: true });
    const u = await client().getUser(BIG);
    expect(u).toMatchObject({ user_id: BIG, display_name: 'Trần Văn Nam', user_is_follower: true });
    const call = zalo.calls[0]!;
    expect(call.path).toBe('/v3.0/oa/user/detail');
    expect(JSON.parse(call.query.data!)).toEqual({ user_id: BIG });
    expect(call.headers.access_token).toBe(await tokens.get());
    expect(call.headers.authorization).toBeUndefined();
  });

  it('pages through followers, 50 at most per call', async () => {
    for (let i = 0; i < 60; i++) zalo.addUser({ id: `87134517865432${String(i).padStart(5, '0')}`, follower: i % 3 !== 0 });
    const first = await client().getFollowers(0, 50);
    const second = await client().getFollowers(50, 50);
    expect(first.total).toBe(40);
    expect(first.users).toHaveLength(40);
    expect(second.users).toHaveLength(0);
    expect(JSON.parse(zalo.calls[0]!.query.data!)).toEqual({ offset: 0, count: 50, is_follower: true });
    await expect(client().getFollowers(0, 51)).rejects.toThrow(/1–50/);
  });

  it('turns error answers with HTTP 200 into ZaloApiError with code and endpoint', async () => {
    const err = await client()
      .getUser('0')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZaloApiError);
    expect(err).toMatchObject({ code: -201, endpoint: '/v3.0/oa/user/detail' });
  });

  it('keeps network and HTTP failures apart as ZaloHttpError', async () => {
    zalo.failHttp('/v3.0/oa/message/cs', 503);
    const http = await client()
      .sendMessage(BIG, { text: 'x' })
      .catch((e: unknown) => e);
    expect(http).toBeInstanceOf(ZaloHttpError);
    expect(http).toMatchObject({ status: 503, endpoint: '/v3.0/oa/message/cs' });
    const dead = createZaloClient({ apiBase: 'http://127.0.0.1:9', oauthBase: zalo.url, appId: '1', appSecret: 's', tokens });
    await expect(dead.sendMessage(BIG, { text: 'x' })).rejects.toBeInstanceOf(ZaloHttpError);
  });

  it('refuses a message Zalo would refuse, before sending it', async () => {
    await expect(client().sendMessage(BIG, { text: 'x'.repeat(2001) })).rejects.toThrow();
    expect(zalo.calls).toHaveLength(0);
  });

  it('asks for the fix when a base URL ends with a slash', () => {
    expect(() => createZaloOAuth({ apiBase: `${zalo.url}/`, oauthBase: zalo.url, appId: '1', appSecret: 's' })).toThrow(
      "Zalo: remove the trailing '/' from the 'apiBase' option",
    );
  });

  it('refreshes with the documented form and secret_key header; expires_in is a string', async () => {
    const { refreshToken } = zalo.issueTokens();
    const answer = await createZaloOAuth({ apiBase: zalo.url, oauthBase: zalo.url, appId: zalo.appId, appSecret: zalo.appSecret }).refresh(refreshToken);
    expect(answer.expires_in).toBe(90_000);
    const call = zalo.calls[0]!;
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call.headers.secret_key).toBe(zalo.appSecret);
    expect(call.body).toEqual({ refresh_token: refreshToken, app_id: zalo.appId, grant_type: 'refresh_token' });
    expect((call.answer as { expires_in: unknown }).expires_in).toBe('90000');
  });
});
