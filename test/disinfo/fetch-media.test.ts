/**
 * Viewing a reported screenshot (`fetchImage` in channels/channel.ts, the Zalo channel's
 * `fetchMedia`): only images by their bytes, never more than the cap, and Zalo never fetches an
 * address on this machine.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchImage } from '../../src/channels/channel.js';
import { createZaloChannel } from '../../src/channels/zalo/channel.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/anh.png') return res.end(Buffer.from(PNG));
    if (req.url === '/lon.png') {
      // No content-length: the cap is enforced while reading.
      res.write(Buffer.from(PNG));
      return res.end(Buffer.alloc(64 * 1024));
    }
    if (req.url === '/trang.html') return res.end('<html></html>');
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('fetchImage', () => {
  it.each([
    ['/anh.png', 1024, 'image/png'],
    ['/lon.png', 1024, null],
    ['/trang.html', 1024, null],
    ['/khong-co.png', 1024, null],
  ])('%s (cap %d bytes) -> %s', async (path, cap, type) => {
    const r = await fetchImage(base + path, cap);
    expect(r?.contentType ?? null).toBe(type);
    if (type) expect(new Uint8Array(r!.bytes)).toEqual(PNG);
  });
});

describe('Zalo fetchMedia', () => {
  const zalo = createZaloChannel({ client: { sendMessage: async () => ({ messageId: 'x' }) } });
  it.each(['http://cdn.example.vn/anh.png', 'https://127.0.0.1/anh.png', 'https://localhost/anh.png', 'https://[::1]/anh.png', 'file:///etc/passwd', 'không phải link'])(
    'refuses %s without fetching it',
    async (ref) => {
      const before = hits.length;
      expect(await zalo.fetchMedia!(ref, 1024)).toBeNull();
      expect(hits.length).toBe(before);
    },
  );
});
