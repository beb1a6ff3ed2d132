/**
 * The server's door (http/server.ts): a check that refuses a request before Fastify sees it.
 * Its address must be the one `request.ip` gives for every `LOA_TRUST_PROXY` form, or a
 * shut-out address (web chat limits) would be looked up under another key.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { addDoor, clientAddressOf, createHttpServer, type DoorRefusal } from '../../src/http/server.js';

describe('the address at the door', () => {
  const trustLists: string[][] = [[], ['127.0.0.1'], ['loopback'], ['10.0.0.0/8', 'fd00::/8'], ['uniquelocal', '::1'], ['linklocal', '192.168.1.7']];
  const requests: { remote: string; xff?: string }[] = [
    { remote: '127.0.0.1' },
    { remote: '127.0.0.1', xff: '198.51.100.7' },
    { remote: '127.0.0.1', xff: '203.0.113.9, 198.51.100.7' },
    { remote: '127.0.0.1', xff: '203.0.113.9, 10.1.2.3' },
    { remote: '127.0.0.1', xff: ' 203.0.113.9 ,, 10.1.2.3 , 127.0.0.5' },
    { remote: '127.0.0.1', xff: 'not-an-address, 10.1.2.3' },
    { remote: '127.0.0.1', xff: '' },
    { remote: '10.9.9.9', xff: '198.51.100.7' },
    { remote: '10.9.9.9', xff: '10.0.0.2, 10.0.0.3' },
    { remote: '192.168.1.7', xff: '169.254.1.1, 198.51.100.7' },
    { remote: '::1', xff: '2001:db8::5' },
    { remote: 'fd00::1', xff: '2001:db8::5, fd00::2' },
    { remote: '::ffff:127.0.0.1', xff: '198.51.100.7' },
    { remote: '198.51.100.7', xff: '127.0.0.1' },
  ];

  it.each(trustLists.map((l) => [l.join(',') || '(none)', l] as const))('is request.ip when trusting %s', async (_label, list) => {
    const app = createHttpServer(pino({ level: 'silent' }), { trustProxy: list });
    const addressOf = clientAddressOf(list);
    app.get('/ip', async (req) => ({ ip: req.ip, door: addressOf(req.raw) }));
    for (const r of requests) {
      const res = await app.inject({ method: 'GET', url: '/ip', remoteAddress: r.remote, headers: r.xff === undefined ? {} : { 'x-forwarded-for': r.xff } });
      const { ip, door } = res.json() as { ip: string; door: string };
      expect({ ...r, address: door }).toEqual({ ...r, address: ip });
    }
    await app.close();
  });
});

describe('addDoor', () => {
  it('answers a refused request itself, without Fastify, and lets the others through', async () => {
    const app = createHttpServer(pino({ level: 'silent' }));
    let handled = 0;
    app.post('/in', async () => {
      handled++;
      return { ok: true };
    });
    expect(
      addDoor(app, (req, address): DoorRefusal | undefined => {
        if (req.headers['x-test'] === 'refuse') return { status: 429, headers: { 'retry-after': '9' }, body: `no ${address}` };
        if (req.headers['x-test'] === 'hold') return { status: 429, headers: {}, body: 'later', holdMs: 80 };
        return undefined;
      }),
    ).toBe(true);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    // Not even JSON: a refused body is never read.
    const refused = await fetch(`${url}/in`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test': 'refuse' }, body: '{' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('9');
    expect(await refused.text()).toBe('no 127.0.0.1');
    expect(handled).toBe(0);
    // A held refusal comes after its hold, and the server goes on answering meanwhile.
    const t = performance.now();
    const heldRes = fetch(`${url}/in`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test': 'hold' }, body: '{}' });
    expect((await fetch(`${url}/in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    const held = await heldRes;
    expect(held.status).toBe(429);
    expect(performance.now() - t).toBeGreaterThanOrEqual(60);
    expect(handled).toBe(1);
    const let_in = await fetch(`${url}/in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(let_in.status).toBe(200);
    expect(handled).toBe(2);
    await app.close();
  });
});
