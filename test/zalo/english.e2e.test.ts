/**
 * End to end on Zalo OA (the real server against the fake Zalo, signed webhooks): an English user
 * gets English texts, including the numbered choices the channel adds (issue 18, item 2).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeZalo, type FakeZalo, zaloEnv } from '../support/fake-zalo.js';
import { startTestApp } from '../support/app.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { LANG_TEXTS, T_EN } from '../../src/conversation/texts-en.js';

const USER = '8713451786543210988';
let zalo: FakeZalo;
let t: Awaited<ReturnType<typeof startTestApp>>;
let hook: string;

beforeEach(async () => {
  zalo = await startFakeZalo();
  t = await startTestApp(zaloEnv(zalo));
  hook = `${t.url}/webhooks/zalo`;
  zalo.addUser({ id: USER, name: 'Jane Doe' });
});
afterEach(async () => {
  await t.close();
  await zalo.close();
});

const texts = (): string => zalo.sent.map((s) => s.message.text ?? '').join('\n');

describe('Zalo OA in English', () => {
  it('answers an English question in English, with English numbered choices', async () => {
    await zalo.deliverWebhook(hook, zalo.textEvent(USER, 'How long is a work permit valid?'));
    await t.app.inbox.drain();
    expect(texts()).toContain('at most 2 years');
    expect(texts()).toContain(T_EN.sources);
    expect(texts()).toMatch(/Type 1, 2(, \d)* or \d to choose\./);
    expect(texts()).not.toContain('để chọn');
  });

  it('/en is remembered: the menu after it is English', async () => {
    await zalo.deliverWebhook(hook, zalo.textEvent(USER, '/en'));
    await t.app.inbox.drain();
    expect(texts()).toContain(LANG_TEXTS.en.switched);
    expect(texts()).toContain(T_EN.menuTitle);
    expect(getPersonByExternal(t.app.db, 'zalo', USER)).toMatchObject({ lang: 'en', langChosen: true });
  });
});
