/**
 * Requests in flight (http/server.ts `requestsInFlight`): the knowledge base searches on the
 * main thread only while a request is alone, so the count must follow every request to its
 * end, answered, refused at the door or cut off by the client.
 */
import { pino } from 'pino';
import { request } from 'node:http';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { addDoor, createHttpServer, requestsInFlight } from '../../src/http/server.js';

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('requestsInFlight', () => {
  it('counts requests from their arrival to their answer, refused or cut off ones too', async () => {
    const app = createHttpServer(pino({ level: 'silent' }));
    const waiting: (() => void)[] = [];
    app.get('/slow', () => new Promise<{ ok: true }>((resolve) => waiting.push(() => resolve({ ok: true }))));
    addDoor(app, (req) => (req.url === '/refused' ? { status: 429, headers: {}, body: 'no', holdMs: 50 } : undefined));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    expect(requestsInFlight(app)).toBe(0);

    const a = fetch(`${url}/slow`);
    const b = fetch(`${url}/slow`);
    await until(() => waiting.length === 2);
    expect(requestsInFlight(app)).toBe(2);
    // A refusal the door holds is in flight until it is answered.
    const refused = fetch(`${url}/refused`);
    await until(() => requestsInFlight(app) === 3);
    expect((await refused).status).toBe(429);
    await until(() => requestsInFlight(app) === 2);
    waiting.shift()!();
    await (await a).json();
    await until(() => requestsInFlight(app) === 1);

    // A client that gives up: its request leaves the count although it is never answered.
    const cut = request(`${url}/slow`);
    cut.on('error', () => undefined);
    cut.end();
    await until(() => requestsInFlight(app) === 2);
    cut.destroy();
    await until(() => requestsInFlight(app) === 1);

    for (const w of waiting.splice(0)) w();
    await (await b).json();
    await until(() => requestsInFlight(app) === 0);
    await app.close();
  });

  it('is unknown for a server it did not make', async () => {
    const other = Fastify();
    expect(requestsInFlight(other)).toBeUndefined();
    await other.close();
  });
});
