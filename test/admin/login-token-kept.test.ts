/**
 * The login page keeps the login token a browser already has: a second load of it (another tab,
 * or a signed-out page's poll redirected to it) no longer replaces the cookie under the form
 * being filled in, whose login then failed with "Phiên của trang đăng nhập đã hết hạn".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, csrfOf, startAdminApp } from './support.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
beforeAll(async () => {
  t = await startAdminApp();
});
afterAll(async () => {
  await t?.close();
});

describe('the login page and its token', () => {
  it('a second load of the login page does not spoil the first one’s form', async () => {
    const pw = addUser(t.app, 'hai-tab', ['editor']);
    const c = new AdminClient(t.url);
    const first = await c.get('/admin/login');
    const token = csrfOf(first.text);
    // Another tab (or a poll redirected to the login page) loads it again meanwhile.
    const second = await c.get('/admin/login');
    expect(csrfOf(second.text)).toBe(token);
    const res = await c.post('/admin/login', { _csrf: token, username: 'hai-tab', password: pw, next: '/admin' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin');
  });

  it('a token that is not one of ours is replaced', async () => {
    const c = new AdminClient(t.url);
    c.cookies.set('loa_login', 'x');
    const page = await c.get('/admin/login');
    expect(csrfOf(page.text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
