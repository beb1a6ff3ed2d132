/**
 * The server loads no JSON-schema compiler (http/server.ts `noSchemas`): Loa checks its inputs
 * with zod, and Fastify's default compilers (Ajv, fast-json-stringify) cost every start-up
 * their loading. A route given a schema must fail loudly at start-up, not go unchecked.
 */
import { execFileSync } from 'node:child_process';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createHttpServer } from '../../src/http/server.js';

describe('the server without schema compilers', () => {
  it('does not load Ajv or fast-json-stringify when it is created and answers', () => {
    // A fresh process: the test runner itself may have loaded either. (Fastify's error
    // serializer is prebuilt and needs only fast-json-stringify's small runtime, not the compiler.)
    const script = `
      import { createRequire } from 'node:module';
      import { pino } from 'pino';
      import { createHttpServer } from './src/http/server.ts';
      const app = createHttpServer(pino({ level: 'silent' }));
      app.post('/echo', async (req) => ({ got: req.body }));
      await app.ready();
      const res = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } });
      const cache = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ status: res.statusCode, body: res.json(), loaded: cache.filter((f) => /[\\\\/](ajv[\\\\/]|@fastify[\\\\/](ajv-compiler|fast-json-stringify-compiler)[\\\\/]|fast-json-stringify[\\\\/]index)/.test(f)) }));
      await app.close();
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').pop()!) as { status: number; body: unknown; loaded: string[] };
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ got: { a: 1 } });
    expect(result.loaded).toEqual([]);
  });

  it('refuses a route with a JSON schema at start-up, naming zod', async () => {
    const app = createHttpServer(pino({ level: 'silent' }));
    app.post('/typed', { schema: { body: { type: 'object', properties: { a: { type: 'number' } } } } }, async () => ({ ok: true }));
    await expect(app.ready()).rejects.toThrow(/zod/);
    await app.close().catch(() => undefined);
  });
});
