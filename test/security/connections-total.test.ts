/**
 * Connections of all addresses together. The cap per address (256) alone let a few addresses
 * take every file descriptor of the process: one IPv6 /56 is 256 /64s, and 256 x 256 is the
 * 65,536 of deploy/loa.service. Measured on a running Loa with a limit of 400 descriptors: 600
 * slow connections from 127.0.0.2-4 left none, and the process could open nothing else (its
 * database files, a backup, its own requests to the Telegram or Zalo API). Now the server holds
 * at most a quarter of the descriptors in client connections and closes the next as they open.
 */
import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createHttpServer, defaultMaxConnections } from '../../src/http/server.js';

/** Opens a connection from `local`; resolves once open with whether the server closed it within 300 ms. */
const open = (port: number, local: string): Promise<{ socket: Socket; closed: () => boolean }> =>
  new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: local });
    let closed = false;
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    socket.on('connect', () => setTimeout(() => resolve({ socket, closed: () => closed }), 300));
  });

describe('connections of all addresses together', () => {
  it('are capped: over the cap a connection is closed as it opens, whatever its address', async () => {
    const app = createHttpServer(pino({ level: 'silent' }), { maxConnectionsPerAddress: 100, maxConnections: 6 });
    app.get('/ok', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    try {
      // Four connections from each of three addresses: each address under its own cap.
      const conns: Awaited<ReturnType<typeof open>>[] = [];
      for (const local of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) for (let i = 0; i < 4; i++) conns.push(await open(port, local));
      // Before: all twelve stayed open.
      expect(conns.filter((c) => !c.closed()).length).toBe(6);
      for (const c of conns) c.socket.destroy();
      await new Promise((r) => setTimeout(r, 100));
      expect((await fetch(`http://127.0.0.1:${port}/ok`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('by default a quarter of the file descriptors, at most 16,384', () => {
    const limits = (n: number) => `Limit                     Soft Limit           Hard Limit           Units     \nMax open files            ${n}                 ${n * 2}                 files     \n`;
    expect(defaultMaxConnections(limits(65_536))).toBe(16_384);
    expect(defaultMaxConnections(limits(1_024))).toBe(256);
    expect(defaultMaxConnections(limits(400))).toBe(100);
    expect(defaultMaxConnections('')).toBe(1_024);
    expect(createHttpServer(pino({ level: 'silent' })).server.maxConnections).toBeGreaterThanOrEqual(64);
  });
});
