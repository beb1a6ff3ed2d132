import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';

let ctx: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(async () => {
  await ctx.close();
});

const chat = (body: unknown, raw?: string) =>
  fetch(`${ctx.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });

describe('web chat over HTTP', () => {
  it('serves the page with the embeddable widget, and health', async () => {
    const page = await (await fetch(`${ctx.url}/`)).text();
    expect(page).toContain('<script src="/widget.js"');
    // The tag shown to copy onto the portal names this server in full (a copied '/widget.js'
    // asks the portal for its own file).
    expect(page).toContain(`<code>&lt;script src="${ctx.url}/widget.js" defer&gt;&lt;/script&gt;</code>`);
    // fetch() sends its own Host: another one through node:http, escaped in the page.
    const other = await new Promise<string>((resolve, reject) => {
      const req = request(`${ctx.url}/`, { headers: { host: 'loa.example.gov.vn"<x>' } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(body));
      });
      req.on('error', reject).end();
    });
    expect(other).toContain('<code>&lt;script src="http://loa.example.gov.vn&quot;&lt;x&gt;/widget.js" defer&gt;');
    // `$` patterns in the Host are text, not String.replace patterns (`$\`` copied the page
    // before the tag into it).
    const dollars = await new Promise<string>((resolve, reject) => {
      const req = request(`${ctx.url}/`, { headers: { host: "a$`b$&c$'d" } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(body));
      });
      req.on('error', reject).end();
    });
    expect(dollars).toContain("<code>&lt;script src=\"http://a$`b$&amp;c$'d/widget.js\" defer&gt;");
    expect(dollars.split('<html').length).toBe(2);
    const js = await fetch(`${ctx.url}/widget.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    const health = await (await fetch(`${ctx.url}/healthz`)).json();
    expect(health.ok).toBe(true);
  });

  it('answers a question typed with and without diacritics', async () => {
    for (const text of ['Đăng ký khai sinh cho con trong thời hạn bao lâu?', 'dang ky khai sinh cho con trong bao lau']) {
      const res = await chat({ session: 'session-web-1', text });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.replies[0].text).toContain('Nguồn:');
    }
  });

  it('a button press posts the action', async () => {
    const start = await (await chat({ session: 'session-web-2', text: '/start' })).json();
    const action = start.replies[1].buttons[0].action;
    const res = await (await chat({ session: 'session-web-2', action })).json();
    expect(res.replies[0].buttons.length).toBeGreaterThan(0);
  });

  it('a retried POST with the same id is handled once, and gets the answer the first was given', async () => {
    // The widget sends again under the same id when the first answer did not reach it (offline,
    // a proxy's timeout): it got nothing back before, and the visitor read nothing.
    const inbound = () => (ctx.app.db.prepare("SELECT COUNT(*) AS n FROM messages m JOIN people p ON p.id = m.person_id WHERE p.external_id = 'session-web-3' AND m.direction = 'in'").get() as { n: number }).n;
    const first = await (await chat({ session: 'session-web-3', text: 'bhyt tre em', id: 'm-1' })).json();
    const again = await (await chat({ session: 'session-web-3', text: 'bhyt tre em', id: 'm-1' })).json();
    expect(first.replies.length).toBe(1);
    expect(again).toEqual(first);
    // Sent twice at once (a double tap before the first answer): one turn, the same answer.
    const [x, y] = await Promise.all([0, 1].map(async () => (await chat({ session: 'session-web-3', text: 'khai sinh o dau', id: 'm-2' })).json()));
    expect(x.replies[0].text).toContain('Nguồn:');
    expect(y).toEqual(x);
    expect(inbound()).toBe(2);
  });

  it('refuses bad input with clear errors: 400 malformed, 400 invalid, 413 oversized', async () => {
    expect((await chat(undefined, '{oops')).status).toBe(400);
    expect((await chat({ session: 'x', text: 'hi' })).status).toBe(400);
    expect((await chat({ session: 'session-web-4', text: 'a'.repeat(2 * 1024 * 1024) })).status).toBe(413);
  });
});

describe('the web chat through the one intake', () => {
  it('a message stored before a crash is answered at start-up and its reply kept for the visitor', async () => {
    // Stored the way /api/chat stores it, then the process "dies" before handling it.
    const session = 'session-web-crash';
    const stored = ctx.app.inbox.accept(
      { channel: 'web', userId: session, dedupeKey: `${session}:m-1`, type: 'text', text: 'Đăng ký khai sinh cho con trong thời hạn bao lâu?' },
      { process: false },
    );
    expect(stored).toBe(true);
    expect(await ctx.app.inbox.recover()).toBeGreaterThanOrEqual(1);
    await ctx.app.inbox.drain();
    // The visitor comes back: the answer is there, once.
    const held = await (await fetch(`${ctx.url}/api/chat/held?session=${session}`)).json();
    expect(held.replies.map((r: { text: string }) => r.text).join('\n')).toContain('Nguồn:');
    const again = await (await fetch(`${ctx.url}/api/chat/held?session=${session}`)).json();
    expect(again.replies).toEqual([]);
    // A retried POST of the same message is recognised as the same event.
    const dup = await (await chat({ session, text: 'Đăng ký khai sinh cho con trong thời hạn bao lâu?', id: 'm-1' })).json();
    expect(dup).toMatchObject({ replies: [], duplicate: true });
  });
});
