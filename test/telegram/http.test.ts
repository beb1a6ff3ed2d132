import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createLeanFetch } from '../../src/channels/telegram/http.js';

let server: Server;
let root: string;
const seen: { headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/hang') return; // never answers
      res.writeHead(req.url === '/bad' ? 400 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: req.url !== '/bad', echo: Buffer.concat(chunks).toString('utf8') }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('createLeanFetch', () => {
  const fetch = () => createLeanFetch(root ?? 'http://127.0.0.1');

  it('posts a JSON string with its length and reads the JSON answer', async () => {
    const res = await fetch()(`${root}/ok`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"Xin chào"}' });
    expect(res.ok).toBe(true);
    expect(await res.json()).toEqual({ ok: true, echo: '{"text":"Xin chào"}' });
    expect(seen.at(-1)!.headers['content-length']).toBe(String(Buffer.byteLength('{"text":"Xin chào"}')));
  });

  it('reports non-2xx answers without throwing, as fetch does', async () => {
    const res = await fetch()(`${root}/bad`, { method: 'POST', body: '{}' });
    expect([res.ok, res.status]).toEqual([false, 400]);
  });

  it('streams a multipart body (file uploads)', async () => {
    const res = await fetch()(`${root}/ok`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: Readable.from(['--x\r\n', 'part\r\n', '--x--']) });
    expect(((await res.json()) as { echo: string }).echo).toBe('--x\r\npart\r\n--x--');
  });

  it('aborts on the signal', async () => {
    const controller = new AbortController();
    const pending = fetch()(`${root}/hang`, { method: 'POST', body: '{}', signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fails with a network error when nothing listens', async () => {
    await expect(createLeanFetch('http://127.0.0.1:1')('http://127.0.0.1:1/x', { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});

