/**
 * Requests an attacker sends to any route before it can check a secret or a signature: slow
 * ones (slowloris), deeply nested JSON, and, on the public web chat, bodies the widget never
 * sends. Each was tried on a running Loa (docs/security.md, "Hostile requests").
 */
import { connect } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HEADERS_TIMEOUT_MS, IDLE_CONNECTION_MS, MAX_CONNECTIONS_PER_ADDRESS, MAX_UNANSWERED_PER_CONNECTION, MIN_CHUNKS_CHECKED, MIN_CHUNK_BYTES, MAX_JSON_VALUES, REQUEST_TIMEOUT_MS, addDoor, createHttpServer, jsonShapeProblem, jsonTooDeep } from '../../src/http/server.js';
import { MAX_FORM_FIELDS, formParser } from '../../src/admin/index.js';
import type { Socket } from 'node:net';
import { CHAT_BODY_LIMIT } from '../../src/channels/web/web.js';
import { startTestApp } from '../support/app.js';

/** Opens a connection, writes `head`, then one byte of `drip` every `everyMs`; resolves with what came back when the server closed it. */
function slowClient(port: number, head: string, everyMs: number): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let answer = '';
    const s = connect(port, '127.0.0.1', () => s.write(head));
    const drip = setInterval(() => s.writable && s.write(' '), everyMs);
    s.on('data', (d) => (answer += String(d)));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearInterval(drip);
      resolve({ answer, ms: Date.now() - t0 });
    });
  });
}

describe('slow clients', () => {
  it('defaults: a whole request within 30 s, its headers within 15 s (Fastify alone has no limit)', () => {
    const app = createHttpServer(pino({ level: 'silent' }));
    expect(app.server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    expect(app.server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(REQUEST_TIMEOUT_MS).toBeGreaterThan(0);
  });

  it('closes a connection that trickles its body or its headers, with 408', async () => {
    const app = createHttpServer(pino({ level: 'silent' }), { timeouts: { requestMs: 800, headersMs: 400, checkEveryMs: 100 } });
    app.post('/in', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const [body, headers] = await Promise.all([
      slowClient(port, 'POST /in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{', 50),
      slowClient(port, 'POST /in HTTP/1.1\r\nHost: x\r\n', 50),
    ]);
    // Before: both stayed open for as long as the client kept dripping.
    expect(body.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(body.ms).toBeLessThan(3000);
    expect(headers.ms).toBeLessThan(3000);
    // The server still answers everyone else.
    expect((await app.inject({ method: 'POST', url: '/in', payload: {} })).statusCode).toBe(200);
    await app.close();
  }, 10_000);
});

describe('many connections from one address', () => {
  /** Opens a connection; resolves with it once open, and whether the server closed it within 300 ms. */
  const open = (port: number): Promise<{ socket: Socket; closed: boolean }> =>
    new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let closed = false;
      socket.on('error', () => undefined);
      socket.on('close', () => (closed = true));
      socket.on('connect', () => setTimeout(() => resolve({ socket, closed }), 300));
    });

  it('closes connections over the per-address cap as they open; a trusted proxy is not capped', async () => {
    expect(MAX_CONNECTIONS_PER_ADDRESS).toBeGreaterThanOrEqual(64);
    for (const [trustProxy, kept] of [[[], 3], [['127.0.0.1'], 5]] as const) {
      const app = createHttpServer(pino({ level: 'silent' }), { maxConnectionsPerAddress: 3, trustProxy: [...trustProxy] });
      app.get('/ok', async () => ({ ok: true }));
      await app.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.server.address() as { port: number }).port;
      const conns = await Promise.all(Array.from({ length: 5 }, () => open(port)));
      // Before: every connection stayed open, as many as the client liked.
      expect(conns.filter((c) => !c.closed).length).toBe(kept);
      // Closing one frees its place.
      for (const c of conns) c.socket.destroy();
      await new Promise((r) => setTimeout(r, 50));
      expect((await fetch(`http://127.0.0.1:${port}/ok`)).status).toBe(200);
      await app.close();
    }
  });
});

describe('clients that do not read their answers', () => {
  /** A server with a route whose answer is `kb` KB; `served` counts the requests it handled. */
  async function serverWith(kb: number, opts: Parameters<typeof createHttpServer>[1] = {}) {
    const app = createHttpServer(pino({ level: 'silent' }), opts);
    const big = 'x'.repeat(kb * 1024);
    const state = { served: 0 };
    app.get('/big', async () => (state.served++, big));
    await app.listen({ host: '127.0.0.1', port: 0 });
    return { app, state, port: (app.server.address() as { port: number }).port };
  }
  /**
   * Writes `requests` at once and never reads (its receive buffer kept small); resolves when the
   * server closes its side of the connection, or with closed false after `waitMs`.
   */
  const unread = (app: Awaited<ReturnType<typeof serverWith>>['app'], port: number, requests: string, waitMs: number): Promise<{ closed: boolean }> =>
    new Promise((resolve) => {
      app.server.once('connection', (theirs: Socket) => {
        const timer = setTimeout(() => (s.destroy(), resolve({ closed: false })), waitMs);
        theirs.once('close', () => (clearTimeout(timer), s.destroy(), resolve({ closed: true })));
      });
      const s = connect(port, '127.0.0.1', () => {
        s.pause();
        s.write(requests);
      });
      s.on('error', () => undefined);
    });
  const get = 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n';

  it('defaults: a connection idle both ways for 2 minutes is closed (Node alone never closes it)', () => {
    const app = createHttpServer(pino({ level: 'silent' }));
    expect(IDLE_CONNECTION_MS).toBeGreaterThan(0);
    expect(app.server.timeout).toBe(IDLE_CONNECTION_MS);
    expect(MAX_UNANSWERED_PER_CONNECTION).toBeGreaterThanOrEqual(1);
  });

  it('closes a connection that pipelines more requests than it reads answers, the rest unhandled', async () => {
    const { app, state, port } = await serverWith(64);
    const r = await unread(app, port, get.repeat(200), 5000);
    // Before: all 200 were handled, their answers (12.8 MB) queued in memory, the connection kept.
    expect(r.closed).toBe(true);
    expect(state.served).toBeLessThanOrEqual(MAX_UNANSWERED_PER_CONNECTION);
    // A client that pipelines a few and reads them gets every answer.
    const text = await new Promise<string>((resolve) => {
      let t = '';
      const s = connect(port, '127.0.0.1', () => s.write(get.repeat(MAX_UNANSWERED_PER_CONNECTION - 1) + get.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')));
      s.on('data', (d) => (t += String(d)));
      s.on('close', () => resolve(t));
    });
    expect(text.match(/HTTP\/1\.1 200/g)?.length).toBe(MAX_UNANSWERED_PER_CONNECTION);
    await app.close();
  });

  it('closes a connection whose answer the client leaves unread, once nothing moved for the idle time', async () => {
    // 8 MB: more than the kernel buffers of both ends take, so the answer stays unsent.
    const { app, state, port } = await serverWith(8 * 1024, { timeouts: { idleMs: 300 } });
    const r = await unread(app, port, get, 5000);
    // Before: still open when the client gave up (measured on a running Loa: still open after 165 s).
    expect(state.served).toBe(1);
    expect(r.closed).toBe(true);
    await app.close();
  });
});

describe('bodies in tiny chunks', () => {
  /** `n` chunks of `size` bytes of a JSON string body, as `Transfer-Encoding: chunked`. */
  const chunked = (path: string, n: number, size: number): string => {
    const text = '"' + 'a'.repeat(n * size - 2) + '"';
    let out = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    for (let i = 0; i < n; i++) out += `${size.toString(16)}\r\n${text.slice(i * size, (i + 1) * size)}\r\n`;
    return out + '0\r\n\r\n';
  };
  /** Sends `raw`; resolves with what came back once the connection closed (or errored). */
  const send = (port: number, raw: string): Promise<string> =>
    new Promise((resolve) => {
      let text = '';
      const s = connect(port, '127.0.0.1', () => s.write(raw));
      s.on('data', (d) => (text += String(d)));
      s.on('error', () => undefined);
      s.on('close', () => resolve(text));
    });

  it('closes a connection whose body comes in chunks far smaller than any sender uses, before the route sees it', async () => {
    const app = createHttpServer(pino({ level: 'silent' }));
    const bodies: number[] = [];
    app.post('/in', async (req) => (bodies.push(String(req.body).length), { ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    // 64 KB as one-byte chunks: before, read chunk by chunk (about 2 µs each) and handed to the route.
    const tiny = await send(port, chunked('/in', 64 * 1024, 1));
    expect(tiny).not.toMatch(/HTTP\/1\.1 200/);
    expect(bodies).toEqual([]);
    // What senders that chunk do: kilobytes a chunk, or a short body in a few small ones.
    expect(await send(port, chunked('/in', 32, 2048))).toMatch(/^HTTP\/1\.1 200/);
    expect(await send(port, chunked('/in', MIN_CHUNKS_CHECKED - 1, 4))).toMatch(/^HTTP\/1\.1 200/);
    expect(await send(port, chunked('/in', 4 * MIN_CHUNKS_CHECKED, 2 * MIN_CHUNK_BYTES))).toMatch(/^HTTP\/1\.1 200/);
    expect(bodies).toEqual([32 * 2048 - 2, (MIN_CHUNKS_CHECKED - 1) * 4 - 2, 4 * MIN_CHUNKS_CHECKED * 2 * MIN_CHUNK_BYTES - 2]);
    await app.close();
  });

  it('does not read to the end a chunked body that its answer left unread (an unknown path, a refused secret)', async () => {
    const app = createHttpServer(pino({ level: 'silent' }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    // The client keeps sending one-byte chunks after the 404; before, Node read and dropped them all.
    const closed = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.write('POST /nowhere HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'));
      const drip = setInterval(() => s.writable && s.write('1\r\na\r\n'.repeat(100)), 10);
      const timer = setTimeout(() => (clearInterval(drip), s.destroy(), resolve(false)), 3000);
      s.on('error', () => undefined);
      s.on('close', () => (clearInterval(drip), clearTimeout(timer), resolve(true)));
    });
    expect(closed).toBe(true);
    await app.close();
  });
});

describe('pipelining past a held refusal', () => {
  it('closes a connection that sends again while its refusal is held, without reading the rest', async () => {
    const app = createHttpServer(pino({ level: 'silent' }));
    app.post('/in', async () => ({ ok: true }));
    let asked = 0;
    addDoor(app, (req) => (req.headers['x-shut'] ? (asked++, { status: 429, headers: { 'content-length': '2' }, body: 'no', holdMs: 150 }) : undefined));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const one = 'POST /in HTTP/1.1\r\nHost: x\r\nX-Shut: 1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}';
    const { answers, ms } = await new Promise<{ answers: number; ms: number }>((resolve) => {
      const t0 = performance.now();
      let text = '';
      const s = connect(port, '127.0.0.1', () => s.write(one.repeat(200)));
      s.on('data', (d) => (text += String(d)));
      s.on('error', () => undefined);
      s.on('close', () => resolve({ answers: (text.match(/HTTP\/1\.1 429/g) ?? []).length, ms: performance.now() - t0 }));
    });
    // Before: all 200 went through the door and were answered after the hold, at once.
    expect(asked).toBe(1);
    expect(answers).toBe(0);
    expect(ms).toBeLessThan(1000);
    // A client that waits for each answer keeps its connection: two answers on one socket.
    const waited = await new Promise<number>((resolve) => {
      let text = '';
      let sent = 1;
      const s = connect(port, '127.0.0.1', () => s.write(one));
      s.on('data', (d) => {
        text += String(d);
        const n = (text.match(/HTTP\/1\.1 429/g) ?? []).length;
        if (n === sent && sent < 2) s.write(one), sent++;
        else if (n === 2) s.end();
      });
      s.on('close', () => resolve((text.match(/HTTP\/1\.1 429/g) ?? []).length));
    });
    expect(waited).toBe(2);
    await app.close();
  });
});

describe('deeply nested JSON', () => {
  it('jsonTooDeep counts brackets outside strings only', () => {
    expect(jsonTooDeep(Buffer.from('[[[]]]'), 2)).toBe(true);
    expect(jsonTooDeep(Buffer.from('[[]]'), 2)).toBe(false);
    expect(jsonTooDeep(Buffer.from('{"a":"[[[[[[","b":"\\"[[[["}'), 2)).toBe(false);
    expect(jsonTooDeep(Buffer.from('{"a":{"b":{"c":1}}}'), 2)).toBe(true);
    expect(jsonTooDeep(Buffer.from(JSON.stringify({ message: { chat: { id: 1 }, entities: [{ user: { id: 2 } }] } })))).toBe(false);
  });

  it('refuses 1 MB of nesting with 400 before parsing it (was 0.5 s of the event loop per request)', async () => {
    const app = createHttpServer(pino({ level: 'silent' }));
    let handled = 0;
    app.post('/in', async () => ({ ok: ++handled }));
    const deep = '['.repeat(500_000) + ']'.repeat(500_000);
    const t = performance.now();
    const res = await app.inject({ method: 'POST', url: '/in', headers: { 'content-type': 'application/json' }, payload: deep });
    const ms = performance.now() - t;
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ ok: false, error: 'http: the body nests deeper than 64 levels' });
    expect(handled).toBe(0);
    // JSON.parse of it took ~500 ms at load 4; the byte scan stops at the 65th bracket.
    expect(ms).toBeLessThan(150);
    expect((await app.inject({ method: 'POST', url: '/in', headers: { 'content-type': 'application/json' }, payload: '[[["ok"]]]' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('JSON and forms of very many values', () => {
  it('jsonShapeProblem counts values outside strings', () => {
    expect(jsonShapeProblem(Buffer.from('[1,2,3]'), 64, 2)).toBe('values');
    expect(jsonShapeProblem(Buffer.from('[1,2]'), 64, 2)).toBeUndefined();
    expect(jsonShapeProblem(Buffer.from('{"a":"x,y:z,[{"}'), 64, 3)).toBeUndefined();
    // A real Telegram update is far below the limit.
    const update = { update_id: 1, message: { message_id: 1, date: 1, chat: { id: 1, type: 'private' }, from: { id: 1, is_bot: false, first_name: 'A' }, text: 'x'.repeat(4096), entities: Array.from({ length: 100 }, (_, i) => ({ offset: i, length: 1, type: 'bold' })) } };
    expect(jsonShapeProblem(Buffer.from(JSON.stringify(update)))).toBeUndefined();
  });

  it('refuses 1 MB of small values with 400 before parsing it, on every route (was 90-170 ms each, before any check)', async () => {
    const app = createHttpServer(pino({ level: 'silent' }));
    let handled = 0;
    app.post('/in', async () => ({ ok: ++handled }));
    const many = `[${Array(350_000).fill('{}').join(',')}]`.slice(0, 1_000_000).replace(/,?\{?\}?$/, ']');
    const keys = JSON.stringify(Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, i])));
    // Never parsed: JSON.parse is not given the body at all.
    const parse = vi.spyOn(JSON, 'parse');
    for (const payload of [many, keys]) {
      const res = await app.inject({ method: 'POST', url: '/in', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ ok: false, error: `http: the body holds more than ${MAX_JSON_VALUES} values` });
    }
    expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > 100_000)).toEqual([]);
    parse.mockRestore();
    expect(handled).toBe(0);
    await app.close();
  });

  it('the admin refuses a form of more fields than any of its forms has, before parsing it', () => {
    expect(formParser('a=1&a=2&b=%C4%90%C3%A3+x')).toEqual(Object.assign(Object.create(null), { a: ['1', '2'], b: 'Đã x' }));
    expect(() => formParser(Array(MAX_FORM_FIELDS + 1).fill('a=1').join('&'))).toThrow(/quá 2000 trường/);
    expect(Object.keys(formParser(Array(MAX_FORM_FIELDS).fill('a=1').join('&')))).toEqual(['a']);
  });
});

describe('the web chat: bodies the widget never sends', () => {
  let ctx: Awaited<ReturnType<typeof startTestApp>>;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(async () => {
    await ctx.close();
  });
  const post = (raw: string, type = 'application/json', lang = '') =>
    fetch(`${ctx.url}/api/chat${lang ? `?lang=${lang}` : ''}`, { method: 'POST', headers: { 'content-type': type }, body: raw });

  it.each([
    ['not JSON', '{"session":', 400],
    ['nested too deep', '['.repeat(100) + ']'.repeat(100), 400],
    ['an array', '[1,2]', 400],
    ['null', 'null', 400],
    ['a number for the session', '{"session":5,"text":"hi"}', 400],
    ['an object for the text', '{"session":"abcdefgh-x","text":{"a":1}}', 400],
    ['a too long action', `{"session":"abcdefgh-x","action":"${'a'.repeat(65)}"}`, 400],
    ['20 KB', JSON.stringify({ session: 'abcdefgh-x', text: 'a'.repeat(1000), pad: 'b'.repeat(20_000) }), 413],
  ])('%s: refused in Vietnamese, readable by the widget (CORS)', async (_label, raw, status) => {
    const res = await post(raw);
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const { error } = (await res.json()) as { error: string };
    // Before: zod's and Fastify's English ("Invalid input: expected object, received array",
    // "http: the body is not valid JSON", "Request body is too large"), and no CORS header on
    // the parser's refusals, so the widget said "offline".
    expect(error).toMatch(/^(Yêu cầu không hợp lệ|Mã phiên trò chuyện không hợp lệ|Tin nhắn quá lớn)/);
    expect(error).not.toMatch(/Invalid|expected|received|body|Too/);
  });

  it('in English for an English visitor, and a missing session on /api/chat/held too', async () => {
    expect(((await (await post('[1]', 'application/json', 'en')).json()) as { error: string }).error).toBe('Invalid request. Please reload the page.');
    expect(((await (await post('x'.repeat(CHAT_BODY_LIMIT + 1), 'application/json', 'en')).json()) as { error: string }).error).toMatch(/^Your message is too large/);
    const held = await fetch(`${ctx.url}/api/chat/held`);
    expect(held.status).toBe(400);
    expect(((await held.json()) as { error: string }).error).toBe('Mã phiên trò chuyện không hợp lệ. Hãy tải lại trang.');
  });

  it('the admin forms: more fields than any form has are refused with 400, before the login or session checks', async () => {
    const form = (n: number) => Array.from({ length: n }, (_, i) => `f${i}=1`).join('&');
    const post = (path: string, body: string) => fetch(`${ctx.url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    // Before: parsed whole (30-65 ms for 250 KB of fields), then refused for the CSRF token (403) or the session (401).
    expect((await post('/admin/login', form(MAX_FORM_FIELDS + 1))).status).toBe(400);
    // Without a session a form is not read at all (refused as it arrives: test/security/admin-preauth-body.test.ts).
    expect((await post('/admin/content/qa/new', form(MAX_FORM_FIELDS + 1))).status).toBe(401);
    expect((await post('/admin/login', form(10))).status).toBe(403);
    expect((await post('/admin/content/qa/new', form(10))).status).toBe(401);
  });

  it('still answers a 2,000-character message of escaped characters (under the chat body limit)', async () => {
    const text = '\u0001'.repeat(2000); // each is \u0001 in JSON: 6 bytes
    expect(JSON.stringify({ session: 'abcdefgh-y', text, id: 'x'.repeat(100) }).length).toBeLessThan(CHAT_BODY_LIMIT);
    const res = await post(JSON.stringify({ session: 'abcdefgh-y', text, id: 'x'.repeat(100) }));
    expect(res.status).toBe(200);
  });
});
