/**
 * The Zalo OA channel checks its token in the background (issue 16 item 1): an unreachable Zalo
 * is "retrying" with the reason and connects once Zalo answers; a wrong app secret and an OA
 * that was never connected are "failed" with a Vietnamese reason saying what to do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeZalo, zaloEnv, type FakeZalo } from '../support/fake-zalo.js';
import { startTestApp } from '../support/app.js';
import { within } from '../support/capture-log.js';
import { createZaloOAuth } from '../../src/channels/zalo/client.js';
import { startZaloConnect } from '../../src/channels/zalo/oauth.js';

const backoff = { minMs: 20, maxMs: 200 };

describe('Zalo connects in the background', () => {
  let zalo: FakeZalo;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
    await zalo?.close();
  });

  it('is "retrying" while Zalo is unreachable, then "connected"', async () => {
    zalo = await startFakeZalo();
    zalo.setDown(true);
    const started = await within(startTestApp(zaloEnv(zalo), { connectBackoff: backoff }), 15_000, 'start with Zalo down');
    close = started.close;
    const res = await fetch(`${started.url}/healthz`);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.channels.zalo.state).toBe('retrying');
    zalo.setDown(false);
    await within(started.app.health.waitFor('zalo', 'connected'), 10_000, 'zalo connected');
    expect(zalo.calls.some((c) => c.path === '/v2.0/oa/getoa')).toBe(true);
    expect((await fetch(`${started.url}/healthz`)).status).toBe(200);
  });

  it('reports "Không kết nối được máy chủ Zalo" as the reason of a retry', async () => {
    zalo = await startFakeZalo();
    zalo.setDown(true);
    const started = await startTestApp(zaloEnv(zalo), { connectBackoff: { minMs: 60_000, maxMs: 60_000 } });
    close = started.close;
    const health = started.app.health;
    if (!health.get('zalo').attempts)
      await within(new Promise<void>((resolve) => health.onChange((n, s) => n === 'zalo' && (s.attempts ?? 0) >= 1 && resolve())), 10_000, 'first failed attempt');
    expect(health.get('zalo').state).toBe('retrying');
    expect(started.app.health.get('zalo').reason).toContain('Không kết nối được máy chủ Zalo');
  });

  it('a wrong app secret is "failed" and names ZALO_APP_SECRET', async () => {
    zalo = await startFakeZalo();
    const env = { ...zaloEnv(zalo), ZALO_APP_SECRET: 'not-the-secret' };
    zalo.expireAccessTokens(); // the check must refresh, which needs the app secret
    const started = await startTestApp(env, { connectBackoff: backoff });
    close = started.close;
    await within(started.app.health.waitFor('zalo', 'failed'), 10_000, 'zalo failed');
    expect(started.app.health.get('zalo').reason).toContain('ZALO_APP_SECRET');
    const body = await (await fetch(`${started.url}/healthz`)).json();
    expect(body.channels.zalo.state).toBe('failed');
    expect(JSON.stringify(body)).not.toContain('not-the-secret');
  });

  it('an OA never connected is "failed" and says to run loa zalo connect', async () => {
    zalo = await startFakeZalo();
    const { ZALO_ACCESS_TOKEN: _a, ZALO_REFRESH_TOKEN: _r, ...env } = zaloEnv(zalo);
    const started = await startTestApp(env, { connectBackoff: backoff });
    close = started.close;
    await within(started.app.health.waitFor('zalo', 'failed'), 10_000, 'zalo failed');
    expect(started.app.health.get('zalo').reason).toContain('loa zalo connect');
  });
  it('a token pair that dies while running turns the dashboard "failed" with the fix, and "connected" after loa zalo connect', async () => {
    // Trial: Zalo refused the refresh token while Loa ran; every citizen got silence while
    // /healthz and the dashboard still said "connected" (only a log line told why).
    zalo = await startFakeZalo();
    const user = '8713451786543210987';
    zalo.addUser({ id: user });
    // The connection check after a failure waits a minute here: what turns the state back is the callback.
    const started = await startTestApp({ ...zaloEnv(zalo), LOA_PUBLIC_URL: 'https://loa.example.gov.vn' }, { connectBackoff: { minMs: 20, maxMs: 60_000 } });
    close = started.close;
    const hook = `${started.url}/webhooks/zalo`;
    const zaloState = async (): Promise<{ state: string; reason?: string }> => ((await (await fetch(`${started.url}/healthz`)).json()) as { channels: { zalo: { state: string; reason?: string } } }).channels.zalo;
    await within(started.app.health.waitFor('zalo', 'connected'), 10_000, 'zalo connected');

    zalo.expireAccessTokens();
    zalo.failNext('/v4/oa/access_token', -14020);
    await zalo.deliverWebhook(hook, zalo.textEvent(user, 'thủ tục khai sinh'));
    await started.app.inbox.drain();
    const dead = await zaloState();
    expect(dead.state).toBe('failed');
    expect(dead.reason).toMatch(/lỗi -14020.*loa zalo connect/);

    // The OA admin authorises again; the running server's callback stores the new pair.
    const cfg = started.config.zalo!;
    const oauth = createZaloOAuth({ apiBase: cfg.apiBase, oauthBase: cfg.oauthBase, appId: cfg.appId, appSecret: cfg.appSecret });
    const { url } = startZaloConnect({ db: started.app.db, oauth }, 'https://loa.example.gov.vn/zalo/oauth/callback');
    const { code, state } = zalo.authorize(url);
    expect((await fetch(`${started.url}/zalo/oauth/callback?code=${code}&state=${state}`)).status).toBe(200);
    // At once: the dashboard must not keep saying "run loa zalo connect" after it was done.
    expect((await zaloState()).state).toBe('connected');
    const sent = zalo.sent.length;
    await zalo.deliverWebhook(hook, zalo.textEvent(user, 'bảo hiểm y tế cho trẻ em'));
    await started.app.inbox.drain();
    expect(zalo.sent.length).toBeGreaterThan(sent);
    expect((await zaloState()).state).toBe('connected');
  });
});
