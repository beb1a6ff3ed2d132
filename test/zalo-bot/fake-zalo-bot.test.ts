/**
 * The fake plays the platform as docs/zalo-bot.md says, through the real client: one update per
 * getUpdates and no offset, 408 when none came, 400 while a webhook is set, 401 for a wrong
 * token, 2,000 characters, and deliveries with the secret header, bare or wrapped.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createZaloBotClient } from '../../src/channels/zalo-bot/client.js';
import { ZaloBotApiError } from '../../src/channels/zalo-bot/errors.js';
import { startFakeZaloBot, type FakeZaloBot } from '../support/fake-zalo-bot.js';

let zb: FakeZaloBot;
afterEach(async () => {
  await zb.close();
});

const apiError = async (p: Promise<unknown>): Promise<ZaloBotApiError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ZaloBotApiError);
  return err as ZaloBotApiError;
};

describe('fake Zalo Bot platform', () => {
  it('hands out one update per getUpdates, each once, and 408 when none came', async () => {
    zb = await startFakeZaloBot();
    const client = createZaloBotClient({ token: zb.token, apiRoot: zb.apiRoot });
    await zb.deliver(zb.text({ userId: 'u1', text: 'một', messageId: 'a' }));
    await zb.deliver(zb.text({ userId: 'u1', text: 'hai', messageId: 'b' }));
    expect(await client.getUpdates(0)).toMatchObject({ event_name: 'message.text.received', message: { message_id: 'a', text: 'một' } });
    expect(await client.getUpdates(0)).toMatchObject({ message: { message_id: 'b' } });
    expect(await client.getUpdates(0)).toBeNull();
    expect(zb.callsTo('getUpdates').at(-1)!.status).toBe(408);
  });

  it('refuses getUpdates while a webhook is set, and a wrong token', async () => {
    zb = await startFakeZaloBot();
    const client = createZaloBotClient({ token: zb.token, apiRoot: zb.apiRoot });
    expect(await client.setWebhook('https://x.example/hook', 'secret-12345678')).toMatchObject({ url: 'https://x.example/hook' });
    expect((await apiError(client.getUpdates(0))).errorCode).toBe(400);
    expect((await client.deleteWebhook()).url).toBe('');
    expect((await apiError(createZaloBotClient({ token: '1:sai', apiRoot: zb.apiRoot }).getMe())).errorCode).toBe(401);
    expect((await apiError(client.sendMessage('u1', 'a'.repeat(2001)))).errorCode).toBe(400);
    expect((await apiError(client.setWebhook('https://x.example/hook', 'short'))).errorCode).toBe(400);
  });

  it('delivers to the webhook with the secret header, bare or wrapped', async () => {
    zb = await startFakeZaloBot();
    const got: { secret: string | undefined; body: unknown }[] = [];
    const hook = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        got.push({ secret: req.headers['x-bot-api-secret-token'] as string | undefined, body: JSON.parse(b) });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      await createZaloBotClient({ token: zb.token, apiRoot: zb.apiRoot }).setWebhook(url, 'secret-12345678');
      const u = zb.text({ userId: 'u1', text: 'xin chào' });
      await zb.deliver(u);
      zb.wrapWebhook = true;
      await zb.deliver(u);
      expect(got).toEqual([
        { secret: 'secret-12345678', body: u },
        { secret: 'secret-12345678', body: { ok: true, result: u } },
      ]);
    } finally {
      await new Promise<void>((r) => hook.close(() => r()));
    }
  });
});
