/**
 * End to end on Zalo OA (the real server against the fake Zalo, signed webhooks): an English user
 * gets English texts, including the numbered choices the channel adds (issue 18, item 2). The
 * two tests share one app and one fake, each talking as its own person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeZalo, type FakeZalo, zaloEnv } from '../support/fake-zalo.js';
import { startTestApp } from '../support/app.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { LANG_TEXTS, T_EN } from '../../src/conversation/texts-en.js';

const USER = '8713451786543210988';
const OTHER = '8713451786543210989';
let zalo: FakeZalo;
let t: Awaited<ReturnType<typeof startTestApp>>;
let hook: string;

beforeAll(async () => {
  zalo = await startFakeZalo();
  t = await startTestApp(zaloEnv(zalo));
  hook = `${t.url}/webhooks/zalo`;
  zalo.addUser({ id: USER, name: 'Jane Doe' });
  zalo.addUser({ id: OTHER, name: 'John Doe' });
});
afterAll(async () => {
  await t.close();
  await zalo.close();
});

/** What the OA sent `user`, joined. */
const texts = (user: string): string =>
  zalo.sent
    .filter((s) => s.userId === user)
    .map((s) => s.message.text ?? '')
    .join('\n');

describe('Zalo OA in English', () => {
  it('answers an English question in English, with English numbered choices', async () => {
    await zalo.deliverWebhook(hook, zalo.textEvent(USER, 'How long is a work permit valid?'));
    await t.app.inbox.drain();
    expect(texts(USER)).toContain('at most 2 years');
    expect(texts(USER)).toContain(T_EN.sources);
    expect(texts(USER)).toMatch(/Type (1, 2 or 3|a number from 1 to \d+) to choose\./);
    expect(texts(USER)).not.toContain('để chọn');
  });

  it('/en is remembered: the menu after it is English', async () => {
    await zalo.deliverWebhook(hook, zalo.textEvent(OTHER, '/en'));
    await t.app.inbox.drain();
    expect(texts(OTHER)).toContain(LANG_TEXTS.en.switched);
    expect(texts(OTHER)).toContain(T_EN.menuTitle);
    expect(getPersonByExternal(t.app.db, 'zalo', OTHER)).toMatchObject({ lang: 'en', langChosen: true });
  });
});
