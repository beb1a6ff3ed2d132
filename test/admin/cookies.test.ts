/** The admin cookies (admin/auth.ts `adminCookie`) as @fastify/cookie writes and reads them. */
import { afterAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { LOGIN_CSRF_COOKIE, SESSION_COOKIE, adminCookie } from '../../src/admin/auth.js';

// Like the real server: behind a reverse proxy that says whether the visitor used https.
const server = Fastify({ trustProxy: true });
await server.register(fastifyCookie);
server.get('/admin/login', async (_req, reply) => {
  reply.setCookie(SESSION_COOKIE, 'tok-en_123', adminCookie(43_200));
  reply.setCookie(LOGIN_CSRF_COOKIE, '', adminCookie(0));
  return 'ok';
});
server.get('/admin/echo', async (req) => req.cookies);
afterAll(() => server.close());

describe('admin cookies', () => {
  it('are HttpOnly, SameSite=Lax, scoped to /admin, with Max-Age; not Secure over plain http', async () => {
    const res = await server.inject({ url: '/admin/login' });
    expect(res.headers['set-cookie']).toEqual([
      'loa_admin=tok-en_123; Max-Age=43200; Path=/admin; HttpOnly; SameSite=Lax',
      'loa_login=; Max-Age=0; Path=/admin; HttpOnly; SameSite=Lax',
    ]);
  });

  it('are Secure when the visitor came over https (X-Forwarded-Proto from the proxy)', async () => {
    const res = await server.inject({ url: '/admin/login', headers: { 'x-forwarded-proto': 'https' } });
    const cookies = res.headers['set-cookie'] as string[];
    expect(cookies).toHaveLength(2);
    for (const c of cookies) expect(c).toMatch(/; Secure(;|$)/);
  });

  it('are read back by name; the first of two same-named cookies wins', async () => {
    const res = await server.inject({ url: '/admin/echo', headers: { cookie: 'loa_admin=aaa; other=x%20y; loa_admin=bbb' } });
    expect(res.json()).toEqual({ loa_admin: 'aaa', other: 'x y' });
  });
});
