/**
 * End to end, polling mode (the default): the real server long-polls the fake Zalo Bot platform,
 * which hands out one update per getUpdates and answers 408 when none came. The connection
 * state /healthz shows follows the poll loop: trouble while polls fail, connected again once a
 * poll answers, failed when the token is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { startFakeZaloBot, zaloBotEnv, type FakeZaloBot } from '../support/fake-zalo-bot.js';
import { within } from '../support/capture-log.js';

const USER = '8713451786543210987';

let zb: FakeZaloBot;
let t: Awaited<ReturnType<typeof startTestApp>>;

async function start(): Promise<void> {
  zb = await startFakeZaloBot();
  t = await startTestApp(zaloBotEnv(zb), { connectBackoff: { minMs: 10, maxMs: 40 } });
}

async function stop(): Promise<void> {
  await t.close();
  await zb.close();
}

const health = async (): Promise<{ state: string; reason?: string }> =>
  ((await (await fetch(`${t.url}/healthz`)).json()) as { channels: Record<string, { state: string; reason?: string }> }).channels['zalo-bot']!;

// The tests share one app and one fake, each talking as its own person and counting the calls its
// own failures caused; a refused token stops the poll loop for good, so that test has its own.
describe('Zalo Bot long polling', () => {
  beforeAll(start);
  afterAll(stop);

  it('deletes any webhook, long-polls, and answers what arrives; a repeated update is handled once', async () => {
    expect(zb.callsTo('deleteWebhook')).toHaveLength(1);
    expect((await health()).state).toBe('connected');
    await within(zb.waitForPoll(), 5000, 'first poll');
    const update = zb.text({ userId: USER, text: '/help', messageId: 'poll-1' });
    expect(await zb.deliver(update)).toEqual({ queued: true });
    const reply = await within(zb.waitForSent((s) => s.chatId === USER), 5000, 'reply');
    expect(reply.text).toContain('/dangky');
    // The same update handed out again (the platform has no offset to confirm): answered once.
    await zb.deliver(update);
    await within(zb.waitForPoll(), 5000, 'next poll');
    await t.app.inbox.drain();
    await t.app.sender.drain();
    expect(zb.sent.filter((s) => s.chatId === USER)).toHaveLength(1);
    expect(zb.callsTo('getUpdates')[0]).toMatchObject({ params: { timeout: '30' }, status: 200 });
    // A poll's user id above 2^53 stays exact.
    expect(t.app.db.prepare(`SELECT external_id FROM people WHERE channel = 'zalo-bot'`).get()).toEqual({ external_id: USER });
  });

  it('treats 408 (nothing arrived) as normal and polls again at once', async () => {
    const user = '8713451786543210002';
    await within(zb.waitForPoll(), 5000, 'first poll');
    const polls = zb.callsTo('getUpdates').length;
    zb.failNext('getUpdates', { error_code: 408, description: 'Request timeout' }, 3);
    await zb.deliver(zb.text({ userId: user, text: '/help' }));
    await within(zb.waitForSent((s) => s.chatId === user), 5000, 'reply');
    await within(zb.waitForPoll(), 5000, 'poll after the 408s');
    expect(zb.callsTo('getUpdates').slice(polls).filter((c) => c.status === 408)).toHaveLength(3);
    expect((await health()).state).toBe('connected');
  });

  it('reports trouble while polls fail (5xx, network), backs off, and recovers without losing the next update', async () => {
    const user = '8713451786543210003';
    await within(zb.waitForPoll(), 5000, 'first poll');
    const polls = zb.callsTo('getUpdates').length;
    zb.failNext('getUpdates', { error_code: 502, description: 'Bad Gateway' }, 2);
    zb.failNext('getUpdates', { network: true });
    // Releases the waiting poll; the next three fail.
    await zb.deliver(zb.text({ userId: user, text: '/help' }));
    await within(t.app.health.waitFor('zalo-bot', 'retrying'), 5000, 'retrying');
    expect((await health()).reason).toMatch(/Zalo Bot/);
    await within(zb.waitForPoll(), 5000, 'poll after the failures');
    expect(zb.callsTo('getUpdates').slice(polls).filter((c) => c.status === 502 || c.status === 0)).toHaveLength(3);
    await zb.deliver(zb.text({ userId: user, text: '/chude' }));
    await within(t.app.health.waitFor('zalo-bot', 'connected'), 5000, 'connected again');
    await within(zb.waitForSent((s) => s.chatId === user && /Gõ 1/.test(s.text)), 5000, 'the menu');
  });

  it('answers a picture politely as text only, keeping nothing but its URL', async () => {
    const user = '8713451786543210005';
    await within(zb.waitForPoll(), 5000, 'first poll');
    await zb.deliver(zb.image({ userId: user, photoUrl: 'https://zalo.example/p.jpg' }));
    const reply = await within(zb.waitForSent((s) => s.chatId === user), 5000, 'reply');
    expect(reply.text.length).toBeGreaterThan(0);
    const row = t.app.db
      .prepare(`SELECT m.kind FROM messages m JOIN people p ON p.id = m.person_id WHERE m.channel = 'zalo-bot' AND m.direction = 'in' AND p.external_id = ?`)
      .get(user) as { kind: string };
    expect(row.kind).toBe('unsupported');
  });
});

describe('Zalo Bot long polling, a refused token', () => {
  beforeAll(start);
  afterAll(stop);

  it('stops polling and shows the channel failed when the token is refused', async () => {
    await within(zb.waitForPoll(), 5000, 'first poll');
    zb.failNext('getUpdates', { error_code: 401, description: 'Unauthorized' });
    await zb.deliver(zb.text({ userId: USER, text: '/help' }));
    await within(t.app.health.waitFor('zalo-bot', 'failed'), 5000, 'failed');
    expect((await health()).reason).toContain('ZALO_BOT_TOKEN');
  });
});
