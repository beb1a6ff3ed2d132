/** End to end over HTTP: the web chat answers English visitors in English (issue 18, item 2). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { LANG_TEXTS, T_EN } from '../../src/conversation/texts-en.js';
import { T } from '../../src/conversation/texts.js';

let ctx: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(async () => {
  await ctx.close();
});

const chat = async (body: unknown): Promise<{ replies: { text: string; title?: string; buttons?: { label: string; action: string }[] }[] }> => {
  const res = await fetch(`${ctx.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
};

describe('web chat in English', () => {
  it('answers an English question in English, and the next menu is English', async () => {
    const { replies } = await chat({ session: 'session-en-1', text: 'Do foreigners need a work permit to work in Vietnam?' });
    expect(replies[0]!.text).toContain('Decree No. 219/2025/ND-CP');
    expect(replies[0]!.text).toContain(T_EN.sources);
    expect(replies[0]!.text).toContain(T_EN.feedbackQuestion);
    const menu = await chat({ session: 'session-en-1', action: 'menu' });
    expect(menu.replies[0]!.text).toBe(T_EN.menuTitle);
  });

  it('/en is remembered; a Vietnamese question still gets the Vietnamese answer', async () => {
    const sw = await chat({ session: 'session-en-2', text: '/en' });
    expect(sw.replies[0]!.text).toBe(LANG_TEXTS.en.switched);
    const start = await chat({ session: 'session-en-2', text: '/start' });
    expect(start.replies[0]!.text).toBe(LANG_TEXTS.en.greeting(ctx.app.config.bot.name));
    const vi = await chat({ session: 'session-en-2', text: 'Đăng ký khai sinh cho con trong thời hạn bao lâu?' });
    expect(vi.replies[0]!.text).toContain(T.sources);
    const none = await chat({ session: 'session-en-2', text: 'Which beach has the best seafood restaurants?' });
    expect(none.replies[0]!.text).toContain(T_EN.noAnswer);
  });
});
