/**
 * The login form was the one admin form whose Origin was not checked (the check ran after the
 * session's, and the login has none). Its CSRF token is a double-submit cookie, which a page on
 * any site of the same domain can set (`Domain=.example.gov.vn` from another office's portal,
 * or an injected page there): that page could then post the login form with its own account,
 * signing the staff member in as the attacker (login CSRF), so that the answers and drafts they
 * write next land in an account the attacker reads. Now a login posted from another site's page
 * is refused (403) like every other admin form; a same-site one, or one without Origin, is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, csrfOf, startAdminApp } from '../admin/support.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let password: string;

beforeAll(async () => {
  t = await startAdminApp();
  password = addUser(t.app, 'ke-gian', ['editor']);
});
afterAll(async () => {
  await t?.close();
});

async function loginWith(headers: Record<string, string>) {
  const c = new AdminClient(t.url);
  const page = await c.get('/admin/login');
  const res = await c.request('POST', '/admin/login', { _csrf: csrfOf(page.text), username: 'ke-gian', password, next: '/admin' }, headers);
  return { res, signedIn: c.cookies.has('loa_admin') };
}

describe('the login form', () => {
  it('refuses a login posted from a page of another site', async () => {
    const { res, signedIn } = await loginWith({ origin: 'https://cong-thong-tin.example.gov.vn' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('sai nguồn gốc');
    expect(signedIn).toBe(false);
  });

  it('takes a login from its own page, or from a client that sends no Origin', async () => {
    const own = await loginWith({ origin: t.url });
    expect(own.res.status).toBe(303);
    expect(own.signedIn).toBe(true);
    const none = await loginWith({});
    expect(none.res.status).toBe(303);
  });
});
