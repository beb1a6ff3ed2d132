/**
 * The web chat widget in real Chromium (test/support/browser.ts), as a citizen meets it on the
 * commune's portal: embedded with the one script tag the docs give, from another origin (a
 * portal served on its own port, with hostile CSS and a Content-Security-Policy), on a phone
 * (360×740, touch) and on a desktop.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp } from '../support/app.js';
import { hasChromium, openBrowser, type TestBrowser } from '../support/browser.js';
import { getPersonByExternal, upsertPerson } from '../../src/db/people.js';

/** CSS a real portal might have: every button wide, yellow and upper case, every div padded. */
const PORTAL_CSS = `
  * { box-sizing: border-box; }
  body { font-family: Georgia, serif; font-size: 20px; color: #333; line-height: 2; margin: 0; }
  header { position: sticky; top: 0; z-index: 9999; background: navy; color: #fff; height: 60px; }
  div { padding: 10px; border: 2px dotted green; }
  button { display: block; width: 100%; text-transform: uppercase; background: yellow; color: black; font-size: 24px; padding: 20px; }
  textarea { height: 200px; width: 100%; font-family: monospace; }
  form { margin: 40px; }
  span { color: red; }
  .bar { position: fixed; bottom: 0; left: 0; right: 0; height: 50px; background: #222; z-index: 100000; }
`;

/** A portal page on its own origin embedding the widget as docs/deploy.md says. */
function portalPage(loaUrl: string, extra = ''): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cổng thông tin xã</title><link rel="stylesheet" href="/portal.css"></head><body>
<header>Cổng thông tin điện tử xã</header><main>${'<p>Tin tức của xã.</p>'.repeat(30)}<button id="portal-button">Tra cứu</button></main>
<div class="bar">Thanh dưới cùng</div>${extra}
<script src="${loaUrl}/widget.js" defer></script></body></html>`;
}

describe.skipIf(!hasChromium)('the web chat widget in a real browser', () => {
  let ctx: Awaited<ReturnType<typeof startTestApp>>;
  let tb: TestBrowser;
  let browser: Browser;
  let portal: Server;
  let portalUrl = '';
  /** The portal's Content-Security-Policy: the Loa server allowed for scripts and fetches only. */
  let csp = '';

  beforeAll(async () => {
    const opening = openBrowser();
    ctx = await startTestApp();
    csp = `default-src 'self'; script-src 'self' ${ctx.url}; connect-src 'self' ${ctx.url}`;
    portal = createServer((req, res) => {
      if (req.url === '/portal.css') return res.writeHead(200, { 'content-type': 'text/css' }).end(PORTAL_CSS);
      const page = portalPage(ctx.url);
      // ?open: the script tag asks for the chat open (data-loa-open="true"); ?twice: the tag is there twice.
      const html = req.url?.includes('?open')
        ? page.replace('/widget.js"', '/widget.js" data-loa-open="true"')
        : req.url?.includes('?start')
          ? page.replace('/widget.js"', '/widget.js" data-loa-start="thi_luyen-tap-quyen-tre-em"')
        : req.url?.includes('?region')
          ? page.replace('/widget.js"', '/widget.js" data-loa-region="pho-hien"')
        : req.url?.includes('?twice')
          ? page.replace('</body>', `<script src="${ctx.url}/widget.js"></script></body>`)
          : page;
      // ?noconnect: a CSP that forgot Loa in connect-src (docs/deploy.md says what the visitor sees).
      const policy = req.url?.includes('?noconnect') ? csp.replace(/connect-src .*$/, "connect-src 'self'") : csp;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': policy }).end(html);
    });
    await new Promise<void>((r) => portal.listen(0, '127.0.0.1', r));
    portalUrl = `http://127.0.0.1:${(portal.address() as AddressInfo).port}/`;
    tb = await opening;
    browser = tb.context.browser()!;
  });

  afterAll(async () => {
    await tb?.close();
    await new Promise((r) => portal?.close(r));
    await ctx?.close();
  });

  const contexts: BrowserContext[] = [];
  afterAll(async () => {
    for (const c of contexts) await c.close();
  });
  /** A fresh phone (360×740, touch) or desktop (1366×768), Vietnamese. */
  async function device(kind: 'phone' | 'desktop'): Promise<Page> {
    const c = await browser.newContext(
      kind === 'phone' ? { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, locale: 'vi-VN' } : { viewport: { width: 1366, height: 768 }, locale: 'vi-VN' },
    );
    contexts.push(c);
    const page = await c.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }
  const box = async (page: Page, sel: string) => (await page.locator(sel).first().boundingBox())!;
  const styleOf = (page: Page, sel: string, prop: string) => page.locator(sel).first().evaluate((e, p) => getComputedStyle(e).getPropertyValue(p), prop);

  /** The chat page Loa serves (the widget inline) on `page`, greeted; the bodies it POSTs. */
  async function openChat(page: Page): Promise<string[]> {
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/api/chat')) posts.push(r.postData() ?? '');
    });
    await page.goto(`${ctx.url}/`);
    await page.locator('.loa-btns button').first().waitFor();
    await expect.poll(() => page.locator('.loa-form button').getAttribute('aria-disabled')).toBe('false');
    return posts;
  }
  const field = (page: Page) => page.locator('.loa-form textarea');
  /** The texts of the chat's messages (the visitor's and the bot's), in order. */
  const messages = (page: Page) => page.locator('.loa-msg').allInnerTexts();

  it('embedded on a portal with hostile CSS and a strict CSP, on a phone: styled, on top, whole screen when open', async () => {
    const page = await device('phone');
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/.test(m.text()) && !/portal\.css/.test(m.text())) cspErrors.push(m.text());
    });
    await page.goto(portalUrl);
    const opener = await box(page, '.loa-open');
    // The opener sits in the bottom-right corner, inside the screen, not stretched by `button { width: 100% }`.
    expect(opener.x).toBeGreaterThan(180);
    expect(opener.x + opener.width).toBeLessThanOrEqual(360);
    expect(opener.y + opener.height).toBeLessThanOrEqual(740);
    expect(await styleOf(page, '.loa-open', 'text-transform')).toBe('none');
    expect(await styleOf(page, '.loa-open', 'background-color')).toBe('rgb(179, 23, 30)');
    // Above the portal's fixed bar (z-index 100000).
    const onTop = await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.tagName, [opener.x + opener.width / 2, opener.y + opener.height / 2]);
    expect(onTop).toBe('LOA-CHAT');
    await page.locator('.loa-open').tap();
    await page.locator('.loa-btns button').first().waitFor();
    // Open on a phone: the whole screen, the text field wide and the send button narrow.
    expect(await box(page, '.loa-box')).toEqual({ x: 0, y: 0, width: 360, height: 740 });
    const field = await box(page, '.loa-form textarea');
    const send = await box(page, '.loa-form button');
    expect(field.width).toBeGreaterThan(250);
    expect(send.width).toBeLessThan(100);
    expect(send.y + send.height).toBeLessThanOrEqual(740);
    // A text field under 16px makes Safari on iPhone zoom the page when it is tapped.
    expect(parseFloat(await styleOf(page, '.loa-form textarea', 'font-size'))).toBeGreaterThanOrEqual(16);
    expect(await styleOf(page, '.loa-btns button', 'text-transform')).toBe('none');
    expect(await styleOf(page, '.loa-box', 'padding-top')).toBe('0px');
    // The close button is a finger's size (44 px).
    const closeBtn = await box(page, '.loa-head button');
    expect(Math.min(closeBtn.width, closeBtn.height)).toBeGreaterThanOrEqual(44);
    // The widget's CSS does not reach the portal: its own button keeps its look.
    expect(await styleOf(page, '#portal-button', 'text-transform')).toBe('uppercase');
    expect(await styleOf(page, '#portal-button', 'background-color')).toBe('rgb(255, 255, 0)');
    expect(cspErrors).toEqual([]);
  });

  it('on a desktop the open chat is a panel in the bottom-right corner, the page still usable', async () => {
    const page = await device('desktop');
    await page.goto(portalUrl);
    await page.locator('.loa-open').click();
    await page.locator('.loa-btns button').first().waitFor();
    const panel = await box(page, '.loa-box');
    expect(panel.width).toBe(380);
    expect(panel.x + panel.width).toBeLessThanOrEqual(1366 - 16);
    expect(panel.y).toBeGreaterThan(0);
    expect(await styleOf(page, '.loa-box', 'font-family')).toContain('system-ui');
    // Closed again with the × button.
    await page.locator('.loa-head button').click();
    expect(await page.locator('.loa-box').isVisible()).toBe(false);
  });

  it('Enter while a Vietnamese input method is composing picks the word, it does not send', async () => {
    const page = await device('phone');
    const posts = await openChat(page);
    posts.length = 0;
    await field(page).fill('Đăng ký khai si');
    await field(page).evaluate((t) => {
      t.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
      // Chrome and Firefox: the Enter that picks a candidate comes while composing.
      t.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true } as KeyboardEventInit));
    });
    await field(page).evaluate((t) => {
      (t as HTMLTextAreaElement).value = 'Đăng ký khai sinh';
      t.dispatchEvent(new CompositionEvent('compositionend', { data: 'sinh' }));
      // Safari: the same Enter arrives after compositionend, as keyCode 229.
      t.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 229, bubbles: true, cancelable: true } as KeyboardEventInit));
    });
    await page.waitForTimeout(300);
    expect(posts).toEqual([]);
    expect(await field(page).inputValue()).toBe('Đăng ký khai sinh');
    // The Enter after the word is done sends the whole question.
    await field(page).press('Enter');
    await expect.poll(() => posts.length).toBe(1);
    expect(JSON.parse(posts[0]!).text).toBe('Đăng ký khai sinh');
  });

  it('a double tap on a topic button asks once', async () => {
    const page = await device('phone');
    const posts = await openChat(page);
    posts.length = 0;
    const before = (await messages(page)).length;
    await page.locator('.loa-btns button', { hasText: 'Bảo hiểm y tế' }).evaluate((b) => {
      (b as HTMLButtonElement).click();
      (b as HTMLButtonElement).click();
    });
    await expect.poll(() => page.locator('.loa-msg').count()).toBeGreaterThan(before + 1);
    await page.waitForTimeout(500);
    expect(posts.length).toBe(1);
    expect((await messages(page)).filter((m) => m === 'Bảo hiểm y tế').length).toBe(1);
  });

  it('offline: says in Vietnamese that it was not sent, keeps the question, sends it once when back online', async () => {
    const page = await device('phone');
    const posts = await openChat(page);
    posts.length = 0;
    await page.context().setOffline(true);
    await field(page).fill('Đăng ký khai sinh cho con trong thời hạn bao lâu?');
    await page.locator('.loa-form button').tap();
    const retry = page.locator('.loa-retry');
    await retry.waitFor();
    expect(await retry.innerText()).toBe('Gửi lại');
    expect((await messages(page)).at(-1)).toBe('Chưa gửi được vì thiết bị đang mất mạng. Tin nhắn sẽ tự gửi lại khi có mạng, hoặc bạn bấm “Gửi lại”.');
    // Back online: sent again by itself, with the same id, and answered.
    await page.context().setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(async () => (await messages(page)).some((m) => m.includes('Nguồn:'))).toBe(true);
    const ids = posts.map((p) => JSON.parse(p).id);
    expect(ids.length).toBe(2);
    expect(ids[1]).toBe(ids[0]);
    expect(await retry.count()).toBe(0);
    expect((await messages(page)).filter((m) => m === 'Đăng ký khai sinh cho con trong thời hạn bao lâu?').length).toBe(1);
  });

  it('a proxy error while the server restarts, a server error, a rate-limit refusal: a sentence to read and a way to send again', async () => {
    const page = await device('phone');
    await openChat(page);
    const answers: { abort?: true; status?: number; contentType?: string; body?: string; headers?: Record<string, string> }[] = [
      // The server is down (restarting): the connection is refused.
      { abort: true },
      { status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' },
      { status: 500, contentType: 'application/json', body: JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' }) },
      {
        status: 429,
        contentType: 'application/json; charset=utf-8',
        headers: { 'retry-after': '2' },
        body: JSON.stringify({ ok: false, error: 'Bạn đang gửi tin nhắn quá nhanh. Bạn vui lòng đợi 2 giây rồi gửi lại.' }),
      },
    ];
    const seen: string[] = [];
    await page.route('**/api/chat?*', async (route) => {
      const a = answers.shift();
      if (!a) return route.continue();
      seen.push(route.request().postData() ?? '');
      if (a.abort) return route.abort('connectionrefused');
      await route.fulfill({ status: a.status, contentType: a.contentType, headers: { 'access-control-allow-origin': '*', ...(a.headers ?? {}) }, body: a.body });
    });
    await field(page).fill('bảo hiểm y tế cho trẻ em');
    await field(page).press('Enter');
    await page.locator('.loa-retry').waitFor();
    expect((await messages(page)).at(-1)).toBe('Chưa gửi được vì không kết nối được máy chủ. Bạn vui lòng kiểm tra kết nối mạng, đợi một lát rồi bấm “Gửi lại”.');
    await page.locator('.loa-retry').tap();
    await expect.poll(async () => (await messages(page)).at(-1)).toBe('Máy chủ đang bận hoặc đang khởi động lại nên chưa trả lời được. Bạn vui lòng đợi một lát rồi bấm “Gửi lại”.');
    await page.locator('.loa-retry').tap();
    await expect.poll(async () => (await messages(page)).at(-1)).toBe('Máy chủ đang bận hoặc đang khởi động lại nên chưa trả lời được. Bạn vui lòng đợi một lát rồi bấm “Gửi lại”.');
    expect((await messages(page)).join('\n')).not.toContain('Internal Server Error');
    await page.locator('.loa-retry').tap();
    // The refusal: the server's sentence, and the button counts down the wait it gave.
    await expect.poll(async () => (await messages(page)).at(-1)).toBe('Bạn đang gửi tin nhắn quá nhanh. Bạn vui lòng đợi 2 giây rồi gửi lại.');
    expect(await page.locator('.loa-retry').isDisabled()).toBe(true);
    expect(await page.locator('.loa-retry').innerText()).toMatch(/^Gửi lại \(sau [12] giây\)$/);
    await expect.poll(() => page.locator('.loa-retry').isEnabled()).toBe(true);
    await page.locator('.loa-retry').tap();
    await expect.poll(async () => (await messages(page)).at(-1)).toContain('Nguồn:');
    // One question, tried five times under one id.
    expect(new Set(seen.map((p) => JSON.parse(p).id)).size).toBe(1);
    expect((await messages(page)).filter((m) => m === 'bảo hiểm y tế cho trẻ em').length).toBe(1);
  });

  it('a reload mid-conversation keeps the conversation and greets no second time', async () => {
    const page = await device('phone');
    const posts = await openChat(page);
    await field(page).fill('Đăng ký khai sinh cho con trong thời hạn bao lâu?');
    await field(page).press('Enter');
    await expect.poll(async () => (await messages(page)).some((m) => m.includes('Nguồn:'))).toBe(true);
    const before = await messages(page);
    const buttonsBefore = await page.locator('.loa-btns button').allInnerTexts();
    posts.length = 0;
    await page.reload();
    await page.locator('.loa-btns button').first().waitFor();
    await page.waitForTimeout(500);
    expect(await messages(page)).toEqual(before);
    expect(await page.locator('.loa-btns button').allInnerTexts()).toEqual(buttonsBefore);
    expect(posts).toEqual([]);
    // The buttons kept work: 👍 on the answer is taken.
    await page.locator('.loa-btns button', { hasText: 'Hữu ích' }).tap();
    await expect.poll(() => posts.length).toBe(1);
    expect(JSON.parse(posts[0]!).action).toMatch(/^fb:up:/);
  });

  it('the floating chat stays open with its conversation across a reload of the portal', async () => {
    const page = await device('desktop');
    await page.goto(portalUrl);
    await page.locator('.loa-open').click();
    await page.locator('.loa-btns button').first().waitFor();
    const before = await messages(page);
    await page.reload();
    await page.locator('.loa-btns button').first().waitFor();
    expect(await page.locator('.loa-box').isVisible()).toBe(true);
    expect(await messages(page)).toEqual(before);
  });

  /** The focused element inside the widget ('' when the focus is outside it). */
  const focused = (page: Page) =>
    page.evaluate(() => {
      const a = document.querySelector('loa-chat')?.shadowRoot?.activeElement;
      return a ? `${a.tagName.toLowerCase()}${a.className ? `.${a.className}` : ''}:${(a.textContent ?? '').trim()}` : '';
    });

  it('by keyboard alone: Tab to the chat, Enter to open, Send keeps the focus, Escape closes back to the button', async () => {
    const page = await device('desktop');
    await page.goto(portalUrl);
    await page.locator('.loa-open').waitFor();
    // Past the portal's own button, the chat's.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('portal-button');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button.loa-open:Hỏi đáp');
    expect(await page.locator('.loa-open').getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('textarea:');
    expect(await page.locator('.loa-open').getAttribute('aria-expanded')).toBe('true');
    await page.locator('.loa-btns button').first().waitFor();
    await page.keyboard.type('bảo hiểm y tế cho trẻ em');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button:Gửi');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await messages(page)).some((m) => m.includes('Nguồn:'))).toBe(true);
    // The focus stayed on Send (a disabled button dropped it on the portal's <body>).
    expect(await focused(page)).toBe('button:Gửi');
    await page.keyboard.press('Escape');
    expect(await page.locator('.loa-box').isVisible()).toBe(false);
    expect(await focused(page)).toBe('button.loa-open:Hỏi đáp');
    expect(await page.locator('.loa-open').getAttribute('aria-expanded')).toBe('false');
  });

  it('for a screen reader: a labelled chat log in Vietnamese, busy while an answer comes, and a line saying it is coming', async () => {
    const page = await device('phone');
    await openChat(page);
    const log = page.locator('.loa-log');
    expect(await log.getAttribute('role')).toBe('log');
    expect(await log.getAttribute('aria-label')).toBe('Cuộc trò chuyện');
    expect(await page.locator('.loa-box').getAttribute('lang')).toBe('vi');
    expect(await field(page).getAttribute('aria-label')).toBe('Câu hỏi');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/chat?*', async (route) => {
      await held;
      await route.continue();
    });
    await field(page).fill('bảo hiểm y tế cho trẻ em');
    await field(page).press('Enter');
    await expect.poll(() => page.locator('.loa-typing').innerText()).toBe('Đang trả lời…');
    expect(await log.getAttribute('aria-busy')).toBe('true');
    release();
    await expect.poll(async () => (await messages(page)).some((m) => m.includes('Nguồn:'))).toBe(true);
    await expect.poll(() => page.locator('.loa-typing').count()).toBe(0);
    expect(await log.getAttribute('aria-busy')).toBe('false');
  });

  it('data-loa-open does not cover a phone screen with the chat as the portal loads (a desktop opens it)', async () => {
    for (const [kind, visible] of [['phone', false], ['desktop', true]] as const) {
      const page = await device(kind);
      await page.goto(`${portalUrl}?open`);
      await page.locator('.loa-open').waitFor();
      await page.waitForTimeout(300);
      expect(await page.locator('.loa-box').isVisible()).toBe(visible);
    }
  });

  it('a portal CSP without Loa in connect-src: the chat opens and says it cannot reach the server (docs/deploy.md)', async () => {
    const page = await device('desktop');
    await page.goto(`${portalUrl}?noconnect`);
    await page.locator('.loa-open').click();
    await page.locator('.loa-retry').waitFor();
    expect(await messages(page)).toEqual(['Chưa gửi được vì không kết nối được máy chủ. Bạn vui lòng kiểm tra kết nối mạng, đợi một lát rồi bấm “Gửi lại”.']);
  });

  it('a long answer on a phone is shown from its beginning, not scrolled to its end', async () => {
    const page = await device('phone');
    await openChat(page);
    await field(page).fill('Quyền con người là gì?');
    await field(page).press('Enter');
    await expect.poll(async () => (await messages(page)).some((m) => m.includes('Nguồn:'))).toBe(true);
    const m = await page.evaluate(() => {
      const root = document.querySelector('loa-chat')!.shadowRoot!;
      const log = root.querySelector<HTMLElement>('.loa-log')!;
      const bots = root.querySelectorAll<HTMLElement>('.loa-msg.loa-bot');
      const answer = bots[bots.length - 1]!;
      // Where the answer's top is, from the top of the log's visible area (px).
      return { fromTop: answer.getBoundingClientRect().top - log.getBoundingClientRect().top, height: answer.offsetHeight, logHeight: log.clientHeight };
    });
    // The answer is taller than the log (else there is nothing to test), and its first line is in view.
    expect(m.height).toBeGreaterThan(m.logHeight);
    expect(m.fromTop).toBeGreaterThanOrEqual(0);
    expect(m.fromTop).toBeLessThan(40);
  });

  it('a pasted text over 1,000 characters: the visitor is told it was cut; the field grows with the text', async () => {
    const page = await device('phone');
    await openChat(page);
    const f = field(page);
    expect((await f.boundingBox())!.height).toBe(44);
    await f.focus();
    await page.keyboard.insertText('dòng một\ndòng hai\ndòng ba\ndòng bốn');
    const grown = (await f.boundingBox())!.height;
    expect(grown).toBeGreaterThan(90);
    expect(grown).toBeLessThanOrEqual(132);
    expect(await page.locator('.loa-limit').isVisible()).toBe(false);
    await f.fill('');
    await f.focus();
    await page.keyboard.insertText('Tôi muốn hỏi về thủ tục. '.repeat(90));
    expect((await f.inputValue()).length).toBe(2000);
    expect(await page.locator('.loa-limit').innerText()).toBe('Tin nhắn dài tối đa 2000 ký tự: phần vượt quá không được nhập. Bạn hãy viết ngắn gọn hơn.');
    await f.press('Enter');
    // Sent: the field is one line again and the note is gone.
    await expect.poll(async () => (await f.boundingBox())!.height).toBe(44);
    expect(await page.locator('.loa-limit').isVisible()).toBe(false);
  });

  it('a quiz on a phone: answered by tapping, each question with its clock running down', { timeout: 60_000 }, async () => {
    const page = await device('phone');
    await openChat(page);
    const lastBot = async () => (await page.locator('.loa-msg.loa-bot').allInnerTexts()).at(-1) ?? '';
    const tapLast = async (label: string) => {
      await page.locator('.loa-btns').last().locator('button', { hasText: label }).tap();
      await expect.poll(() => page.locator('.loa-form button').getAttribute('aria-disabled')).toBe('false');
    };
    const say = async (text: string) => {
      await field(page).fill(text);
      await field(page).press('Enter');
      await expect.poll(() => page.locator('.loa-form button').getAttribute('aria-disabled')).toBe('false');
    };
    await say('/thi');
    await tapLast('Luyện tập nhanh');
    await tapLast('Tôi đồng ý');
    await say('Trần Thị Bình');
    await say('Trường THCS Phố Hiến');
    await tapLast('Bắt đầu');
    expect(await lastBot()).toMatch(/^Câu 1\/5/);
    const clock = page.locator('.loa-clock');
    expect(await clock.count()).toBe(1);
    const first = await clock.innerText();
    expect(first).toMatch(/^⏱ Còn (20|19) giây$/);
    expect(await clock.getAttribute('aria-hidden')).toBe('true');
    // It runs down.
    await expect.poll(() => clock.innerText(), { timeout: 5_000 }).not.toBe(first);
    expect(await clock.innerText()).toMatch(/^⏱ Còn 1\d giây$/);
    // Tapping an answer stops it; the next question has its own.
    const answers = page.locator('.loa-btns').last().locator('button');
    expect(await answers.count()).toBeGreaterThanOrEqual(2);
    await answers.first().tap();
    await expect.poll(lastBot).toMatch(/^Câu 2\/5/);
    expect(await clock.count()).toBe(1);
    expect(await clock.innerText()).toMatch(/^⏱ Còn (20|19) giây$/);
    expect((await page.locator('.loa-msg.loa-bot').allInnerTexts()).at(-2)).toMatch(/Đáp án đúng|Chính xác|đúng/i);
  });

  it('on a phone the open chat fits above the on-screen keyboard (the visual viewport), title and field in view', async () => {
    const page = await device('phone');
    // The keyboard, as Chrome on Android and Safari show it: only the visual viewport shrinks (and
    // scrolls); the layout viewport, which position:fixed follows, keeps the screen's height.
    await page.addInitScript(() => {
      const vv = Object.assign(new EventTarget(), { width: 360, height: 740, offsetTop: 0, offsetLeft: 0, pageTop: 0, pageLeft: 0, scale: 1 });
      Object.defineProperty(window, 'visualViewport', { value: vv, configurable: true });
      (window as unknown as { keyboard: (open: boolean) => void }).keyboard = (open) => {
        Object.assign(vv, open ? { height: 440, offsetTop: 300 } : { height: 740, offsetTop: 0 });
        vv.dispatchEvent(new Event('resize'));
        vv.dispatchEvent(new Event('scroll'));
      };
    });
    await page.goto(portalUrl);
    await page.locator('.loa-open').tap();
    await page.locator('.loa-btns button').first().waitFor();
    expect(await box(page, '.loa-box')).toEqual({ x: 0, y: 0, width: 360, height: 740 });
    await field(page).tap();
    await page.evaluate(() => (window as unknown as { keyboard: (open: boolean) => void }).keyboard(true));
    // The part of the screen above the keyboard: y 300 to 740.
    expect(await box(page, '.loa-box')).toEqual({ x: 0, y: 300, width: 360, height: 440 });
    const head = await box(page, '.loa-head');
    const f = await box(page, '.loa-form textarea');
    expect(head.y).toBe(300);
    expect(f.y + f.height).toBeLessThanOrEqual(740);
    // The latest message is in view above the field.
    const last = await page.locator('.loa-log > *').last().boundingBox();
    expect(last!.y + last!.height).toBeLessThanOrEqual(f.y);
    await page.evaluate(() => (window as unknown as { keyboard: (open: boolean) => void }).keyboard(false));
    expect(await box(page, '.loa-box')).toEqual({ x: 0, y: 0, width: 360, height: 740 });
  });

  it('a portal visitor who never opens the chat costs Loa no request; one who wrote gets what was kept for them', async () => {
    const page = await device('phone');
    const api: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${ctx.url}/api/`)) api.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(portalUrl);
    await page.locator('.loa-open').waitFor();
    await page.goto(`${portalUrl}?trang=2`);
    await page.locator('.loa-open').waitFor();
    await page.waitForTimeout(500);
    expect(api).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem('loa-session'))).toBeNull();
    // They open the chat (the greeting stores nothing) and write once; staff's answer is kept for
    // them (the web chat cannot push); the next page they open on the portal shows it.
    await page.locator('.loa-open').tap();
    await page.locator('.loa-btns button').first().waitFor();
    const session = (await page.evaluate(() => localStorage.getItem('loa-session')))!;
    expect(session).toMatch(/^w[0-9a-f]{32}$/);
    expect(getPersonByExternal(ctx.app.db, 'web', session)).toBeUndefined();
    const before = (await messages(page)).length;
    await field(page).fill('Giá vàng hôm nay bao nhiêu?');
    await field(page).press('Enter');
    await expect.poll(async () => (await messages(page)).length).toBeGreaterThan(before + 1);
    const personId = getPersonByExternal(ctx.app.db, 'web', session)!.id;
    // Sent to the web chat, which cannot be pushed to: kept until the visitor comes back.
    await ctx.app.sender.send({ channel: 'web', recipient: session, personId }, { text: 'Cán bộ trả lời: hồ sơ của bạn đã được tiếp nhận.' });
    api.length = 0;
    await page.goto(`${portalUrl}?trang=3`);
    await expect.poll(async () => (await messages(page)).at(-1)).toBe('Cán bộ trả lời: hồ sơ của bạn đã được tiếp nhận.');
    expect(api).toEqual(['GET /api/chat/held']);
  });

  it('a refusal for an hour counts down in minutes, as the sentence above it says', async () => {
    const page = await device('phone');
    await openChat(page);
    await page.route('**/api/chat?*', (route) =>
      route.fulfill({
        status: 429,
        contentType: 'application/json; charset=utf-8',
        headers: { 'access-control-allow-origin': '*', 'retry-after': '3600' },
        body: JSON.stringify({ ok: false, error: 'Có quá nhiều cuộc trò chuyện mới từ cùng một mạng. Bạn vui lòng thử lại sau khoảng 60 phút.' }),
      }),
    );
    await field(page).fill('xin chào');
    await field(page).press('Enter');
    await page.locator('.loa-retry').waitFor();
    // Was 'Gửi lại (sau 3598 giây)'.
    expect(await page.locator('.loa-retry').innerText()).toBe('Gửi lại (sau khoảng 60 phút)');
  });

  it('web addresses, phone numbers and e-mail addresses in an answer are links a finger can follow; the text reads the same', async () => {
    const page = await device('phone');
    await openChat(page);
    const text =
      'Nộp hồ sơ trực tuyến tại https://dichvucong.gov.vn/p/home/dvc-trang-chu.html. Mẫu đơn (https://xa.example.gov.vn/mau-don?loai=1) có ở bộ phận một cửa; javascript:alert(1) không phải địa chỉ.\n' +
      'Theo Luật số 60/2014/QH13, lệ phí 1.000.000 đồng, số CCCD 001234567890.\n' +
      'Nếu cần gấp, bạn có thể liên hệ: Phòng Thông tin cơ sở, 0221 000 0000, thongtin@example.gov.vn, đường dây nóng 1900 1234.';
    await page.route('**/api/chat?*', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify({ replies: [{ text }], lang: 'vi' }) }),
    );
    await field(page).fill('nộp hồ sơ ở đâu https://x.example');
    await field(page).press('Enter');
    await expect.poll(async () => (await messages(page)).at(-1)).toBe(text);
    const links = page.locator('.loa-msg.loa-bot').last().locator('a');
    expect(await links.evaluateAll((as) => as.map((a) => [(a as HTMLAnchorElement).href, a.getAttribute('target'), a.getAttribute('rel')]))).toEqual([
      ['https://dichvucong.gov.vn/p/home/dvc-trang-chu.html', '_blank', 'noopener noreferrer'],
      ['https://xa.example.gov.vn/mau-don?loai=1', '_blank', 'noopener noreferrer'],
      // The office's contact: a tap calls or writes. Law numbers, amounts and ID numbers stay text.
      ['tel:02210000000', null, null],
      ['mailto:thongtin@example.gov.vn', null, null],
      ['tel:19001234', null, null],
    ]);
    // What the visitor wrote stays text.
    expect(await page.locator('.loa-msg.loa-me').last().locator('a').count()).toBe(0);
  });

  it('a contest page\'s tag (data-loa-start) opens the chat at that contest, once per tab', async () => {
    const page = await device('desktop');
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/api/chat')) posts.push(r.postData() ?? '');
    });
    await page.goto(`${portalUrl}?start`);
    await page.locator('.loa-open').click();
    await expect.poll(async () => (await messages(page)).join('\n')).toContain('Luyện tập nhanh - Quyền trẻ em');
    expect((await messages(page)).join('\n')).toContain('Xin chào');
    expect(posts.map((p) => JSON.parse(p).text)).toEqual(['/start thi_luyen-tap-quyen-tre-em']);
    // A reload keeps the conversation and starts nothing again.
    await page.reload();
    await page.locator('.loa-btns button').first().waitFor();
    await page.waitForTimeout(300);
    expect(posts).toHaveLength(1);
  });

  it('a commune portal\'s tag (data-loa-region) sends the commune with each question and keeps its own session', async () => {
    const page = await device('desktop');
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/api/chat')) posts.push(r.postData() ?? '');
    });
    await page.goto(`${portalUrl}?region`);
    await page.locator('.loa-open').click();
    await page.locator('.loa-btns button').first().waitFor();
    await field(page).fill('Chợ đêm của phường mở đến mấy giờ vào tối thứ bảy?');
    await page.locator('.loa-form button').click();
    await expect.poll(() => posts.length).toBeGreaterThanOrEqual(2);
    await expect.poll(async () => (await messages(page)).length).toBeGreaterThanOrEqual(3);
    const sent = posts.map((p) => JSON.parse(p) as { session: string; region?: string });
    expect(sent.every((b) => b.region === 'pho-hien')).toBe(true);
    const session = await page.evaluate(() => localStorage.getItem('loa-session:pho-hien'));
    expect(sent.at(-1)!.session).toBe(session);
    await expect.poll(() => getPersonByExternal(ctx.app.db, 'web', session!)?.region).toBe('pho-hien');
    // The same site without the commune (the province's pages): another visitor, not placed.
    expect(await page.evaluate(() => localStorage.getItem('loa-session'))).toBeNull();
  });

  it('a portal whose tag now names its commune still shows staff\'s answer kept for a visitor who asked before', async () => {
    const page = await device('desktop');
    const earlier = 'wearlier0123456789';
    const person = upsertPerson(ctx.app.db, 'web', earlier).id;
    // Staff's answer to the question they asked before: kept, the web chat cannot be pushed to.
    const answer = 'Cán bộ trả lời: chợ đêm mở đến 23 giờ.';
    await ctx.app.sender.send({ channel: 'web', recipient: earlier, personId: person }, { text: answer });
    await page.addInitScript((s) => localStorage.setItem('loa-session', s), earlier);
    await page.goto(`${portalUrl}?region`);
    await expect.poll(async () => (await messages(page)).join('\n')).toContain(answer);
  });

  it('the tag twice on a page (header and footer templates): one chat', async () => {
    const page = await device('desktop');
    await page.goto(`${portalUrl}?twice`);
    await page.locator('.loa-open').first().waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('script[src$="/widget.js"]').count()).toBe(2);
    expect(await page.locator('.loa-open').count()).toBe(1);
  });

  it('scrolling past the end of the chat log does not scroll the portal page behind it', async () => {
    const page = await device('desktop');
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(portalUrl);
    await page.locator('.loa-open').click();
    await page.locator('.loa-btns button').first().waitFor();
    await page.locator('.loa-log').evaluate((l) => l.scrollTo(0, l.scrollHeight));
    await page.mouse.move(180, 300);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 400);
    await page.waitForTimeout(500);
    // Was 1200 px down the portal's page.
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
  });
});
