/**
 * The web chat's own words follow the visitor's language (issue 18, item 2): the widget served
 * by the app runs against that app (a minimal DOM stands in for the browser: no Chromium here),
 * the server greets a new visitor in their browser's language and says which language it answers
 * in, and the refusals and errors of the chat API are English for an English visitor while a
 * Vietnamese visitor still gets the Vietnamese ones.
 */
import { webcrypto } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { LANG_TEXTS, T_EN } from '../../src/conversation/texts-en.js';
import { getPersonByExternal } from '../../src/db/people.js';
import { refusalText, requestError } from '../../src/channels/web/web.js';

let ctx: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(async () => {
  await ctx.close();
});

/** The few DOM element features the widget uses. */
class FakeElement {
  children: (FakeElement | { textContent: string })[] = [];
  attributes = new Map<string, string>();
  style: Record<string, string> = {};
  className = '';
  textContent: string | null = '';
  placeholder = '';
  maxLength = 0;
  type = '';
  disabled = false;
  value = '';
  scrollTop = 0;
  scrollHeight = 0;
  onclick: (() => void) | null = null;
  onsubmit: ((ev: { preventDefault(): void }) => void) | null = null;
  onkeydown: unknown = null;
  classList = { add: (c: string) => void (this.className += ` ${c}`) };
  constructor(readonly tag: string) {}
  setAttribute(k: string, v: string): void {
    this.attributes.set(k, v);
  }
  getAttribute(k: string): string | null {
    return this.attributes.get(k) ?? null;
  }
  appendChild<T>(c: T): T {
    this.children.push(c as FakeElement);
    return c;
  }
  focus(): void {}
  /** Every text under this element, depth first. */
  texts(): string[] {
    return this.children.flatMap((c) => (c instanceof FakeElement ? [...(c.textContent ? [c.textContent] : []), ...c.texts()] : [c.textContent]));
  }
  find(pred: (e: FakeElement) => boolean): FakeElement | undefined {
    for (const c of this.children) {
      if (!(c instanceof FakeElement)) continue;
      if (pred(c)) return c;
      const deeper = c.find(pred);
      if (deeper) return deeper;
    }
    return undefined;
  }
}

/** Runs the served widget inline in `#chat` for a browser with `languages`; its parts to look at. */
async function openWidget(languages: string[], storage = new Map<string, string>(), inline = true) {
  const code = await (await fetch(`${ctx.url}/widget.js`)).text();
  const host = new FakeElement('div');
  const script = new FakeElement('script');
  if (inline) script.setAttribute('data-loa-inline', '#chat');
  script.setAttribute('data-loa-title', 'Hỏi đáp');
  Object.assign(script, { src: `${ctx.url}/widget.js` });
  const document = {
    currentScript: script,
    head: new FakeElement('head'),
    body: new FakeElement('body'),
    createElement: (tag: string) => new FakeElement(tag),
    createTextNode: (text: string) => ({ textContent: text }),
    querySelector: (sel: string) => (sel === '#chat' ? host : null),
  };
  const localStorage = { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) };
  const sandbox: Record<string, unknown> = { document, localStorage, navigator: { languages, language: languages[0] }, fetch, URL, encodeURIComponent, setTimeout, clearTimeout };
  sandbox.window = { crypto: webcrypto };
  runInNewContext(code, sandbox);
  // The widget's own element (its shadow root where the browser has them: not this fake DOM) is
  // in the host (inline) or the body (floating); it holds the opener button (floating), then the box.
  const own = (inline ? host.children[0] : document.body.children[0]) as FakeElement;
  const box = own.children[inline ? 0 : 1] as FakeElement;
  const opener = inline ? undefined : (own.children[0] as FakeElement);
  const log = box.find((e) => e.className === 'loa-log')!;
  const form = box.find((e) => e.tag === 'form')!;
  const input = form.find((e) => e.tag === 'textarea')!;
  const send = form.find((e) => e.tag === 'button')!;
  const title = box.find((e) => e.tag === 'span')!;
  /** Waits until the log holds at least `n` bot messages. */
  const botMessages = async (n: number): Promise<string[]> => {
    for (let i = 0; i < 200; i++) {
      const msgs = log.children.filter((c): c is FakeElement => c instanceof FakeElement && c.className.includes('loa-bot')).map((m) => m.texts().join('\n'));
      if (msgs.length >= n && send.getAttribute('aria-disabled') !== 'true') return msgs;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`widget: fewer than ${n} bot messages: ${log.texts().join(' | ')}`);
  };
  const type = (text: string): void => {
    input.value = text;
    form.onsubmit!({ preventDefault() {} });
  };
  return { box, title, input, send, botMessages, type, storage, opener };
}

const session = (storage: Map<string, string>): string => storage.get('loa-session')!;

describe('the web widget in the visitor’s language', () => {
  it('greets a new visitor of an English browser in English, with English labels', async () => {
    const w = await openWidget(['en-GB', 'en']);
    const [greeting] = await w.botMessages(1);
    expect(greeting).toContain(LANG_TEXTS.en.greeting(ctx.app.config.bot.name));
    expect({ title: w.title.textContent, send: w.send.textContent, placeholder: w.input.placeholder, label: w.input.getAttribute('aria-label') }).toEqual({
      title: 'Questions and answers',
      send: 'Send',
      placeholder: 'Type your question…',
      label: 'Question',
    });
    expect(w.box.getAttribute('lang')).toBe('en');
    // The greeting stored nothing (web.ts `greet`); the browser's language is the visitor's, not
    // a choice: their first question, in Vietnamese, switches back.
    expect(getPersonByExternal(ctx.app.db, 'web', session(w.storage))).toBeUndefined();
    w.type('Đăng ký khai sinh cho con trong thời hạn bao lâu?');
    const msgs = await w.botMessages(3);
    expect(msgs[2]).toContain('Nguồn:');
    expect(w.send.textContent).toBe('Gửi');
    expect(w.storage.get('loa-lang')).toBe('vi');
  });

  it('keeps a Vietnamese browser in Vietnamese, and follows /en', async () => {
    const w = await openWidget(['vi-VN', 'en-US']);
    const [greeting] = await w.botMessages(1);
    expect(greeting).toContain(ctx.app.config.bot.greeting);
    expect({ title: w.title.textContent, send: w.send.textContent, placeholder: w.input.placeholder }).toEqual({
      title: 'Hỏi đáp',
      send: 'Gửi',
      placeholder: 'Nhập câu hỏi của bạn…',
    });
    w.type('/en');
    const msgs = await w.botMessages(3);
    expect(msgs).toContain(LANG_TEXTS.en.switched);
    expect(w.send.textContent).toBe('Send');
    expect(w.title.textContent).toBe('Questions and answers');
  });

  it('the floating widget’s opener and close button are English for an English browser', async () => {
    const w = await openWidget(['en-US'], new Map(), false);
    expect(w.opener!.textContent).toBe('Ask us');
    const close = w.box.find((e) => e.tag === 'button' && e.textContent === '×')!;
    expect(close.getAttribute('aria-label')).toBe('Close');
    w.opener!.onclick!();
    const [greeting] = await w.botMessages(1);
    expect(greeting).toContain(LANG_TEXTS.en.greeting(ctx.app.config.bot.name));
    const vi = await openWidget(['vi'], new Map(), false);
    expect(vi.opener!.textContent).toBe('Hỏi đáp');
  });

  it('a returning visitor keeps the language the server last said, whatever the browser', async () => {
    const first = await openWidget(['en-US']);
    await first.botMessages(1);
    const again = await openWidget(['vi-VN'], first.storage);
    await again.botMessages(1);
    expect(again.send.textContent).toBe('Send');
  });
});

describe('web chat API errors in the visitor’s language', () => {
  const post = (query: string, body: unknown) =>
    fetch(`${ctx.url}/api/chat${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it.each([
    { lang: 'en', body: { session: 'x', text: 'hi' }, error: 'Invalid chat session id. Please reload the page.' },
    { lang: 'en', body: { session: 'session-err-1' }, error: 'Empty message: please type a question.' },
    { lang: 'en', body: { session: 'session-err-1', text: 'a'.repeat(2001) }, error: 'Your message is over 2000 characters. Please write a shorter one.' },
    { lang: 'vi', body: { session: 'session-err-1' }, error: 'Tin nhắn trống: hãy nhập câu hỏi.' },
    { lang: '', body: { session: 'session-err-1' }, error: 'Tin nhắn trống: hãy nhập câu hỏi.' },
  ])('400 with ?lang=$lang: $error', async ({ lang, body, error }) => {
    const res = await post(lang ? `?lang=${lang}` : '', body);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe(error);
  });

  it('answers with the visitor’s language, and the held messages say it too', async () => {
    const body = await (await post('?lang=en', { session: 'session-lang-1', text: '/en' })).json();
    expect(body.lang).toBe('en');
    expect(body.replies[0].text).toBe(LANG_TEXTS.en.switched);
    const held = await (await fetch(`${ctx.url}/api/chat/held?session=session-lang-1`)).json();
    expect(held.lang).toBe('en');
    // An existing visitor's language is theirs: the widget's hint does not change it.
    await post('?lang=vi', { session: 'session-lang-2', text: 'xin chào' });
    const later = await (await post('?lang=en', { session: 'session-lang-2', action: 'menu' })).json();
    expect(later.lang).toBe('vi');
    expect(later.replies[0].text).not.toBe(T_EN.menuTitle);
  });

  it.each([
    { limit: 'perSession' as const, retryAfter: 30, vi: 'Bạn đang gửi tin nhắn quá nhanh. Bạn vui lòng đợi 30 giây rồi gửi lại.', en: 'You are sending messages too quickly. Please wait 30 seconds before sending again.' },
    { limit: 'global' as const, retryAfter: 600, vi: 'Hệ thống đang nhận quá nhiều tin nhắn. Bạn vui lòng gửi lại sau khoảng 10 phút.', en: 'The service is receiving too many messages. Please send yours again in about 10 minutes.' },
    {
      limit: 'newSessionsPerAddress' as const,
      retryAfter: 3600,
      vi: 'Có quá nhiều cuộc trò chuyện mới từ cùng một mạng. Bạn vui lòng thử lại sau khoảng 60 phút.',
      en: 'Too many new chats have come from the same network. Please try again in about 60 minutes.',
    },
  ])('the $limit refusal in each language', ({ limit, retryAfter, vi, en }) => {
    expect(refusalText({ ok: false, limit, retryAfter })).toBe(vi);
    expect(refusalText({ ok: false, limit, retryAfter }, 'en')).toBe(en);
  });

  it('an address over its limit is refused in English with ?lang=en, in Vietnamese without (429)', async () => {
    const t = await startTestApp({}, { bot: { web_chat_limits: { per_address: { count: 2, seconds: 60 } } } });
    try {
      const send = (query: string) =>
        fetch(`${t.url}/api/chat${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session: 'session-429-en', text: 'hello' }) });
      for (let i = 0; i < 2; i++) expect((await send('?lang=en')).status).toBe(200);
      const en = await send('?lang=en');
      expect(en.status).toBe(429);
      expect((await en.json()).error).toBe('You are sending messages too quickly. Please wait 60 seconds before sending again.');
      const vi = await send('');
      expect(vi.status).toBe(429);
      expect((await vi.json()).error).toBe('Bạn đang gửi tin nhắn quá nhanh. Bạn vui lòng đợi 60 giây rồi gửi lại.');
    } finally {
      await t.close();
    }
  });

  it('the English request errors by field', () => {
    expect(requestError([{ code: 'custom', path: ['session'], message: 'x' }], 'en')).toBe('Invalid chat session id. Please reload the page.');
    expect(requestError([{ code: 'custom', path: ['session'], message: 'Mã phiên' }], 'vi')).toBe('Mã phiên');
  });
});
