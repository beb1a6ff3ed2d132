/**
 * The post-login destination (`next`) is validated (issue 15, item 7): only a same-site path
 * under /admin, printable ASCII (no CR/LF: a header injection that used to give a 500), no `//`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, csrfOf, startAdminApp } from './support.js';
import { safeNext } from '../../src/admin/index.js';

describe('safeNext', () => {
  const cases: { label: string; next: unknown; expected: string }[] = [
    { label: 'a page under /admin', next: '/admin/content', expected: '/admin/content' },
    { label: 'with a query', next: '/admin/questions?loai=chua-tra-loi&trang=2', expected: '/admin/questions?loai=chua-tra-loi&trang=2' },
    { label: '/admin itself', next: '/admin', expected: '/admin' },
    { label: 'percent-encoded Vietnamese in the query', next: '/admin/content?q=b%E1%BA%A3o', expected: '/admin/content?q=b%E1%BA%A3o' },
    { label: 'CRLF header injection', next: '/admin/content\r\nSet-Cookie: loa_admin=x', expected: '/admin' },
    { label: 'a lone LF', next: '/admin\nx', expected: '/admin' },
    { label: 'a tab or NUL', next: '/admin/\tx\u0000', expected: '/admin' },
    { label: 'raw non-ASCII (cannot go in a header)', next: '/admin/content?q=bảo', expected: '/admin' },
    { label: 'protocol-relative', next: '//evil.example/admin', expected: '/admin' },
    { label: '// later in the path', next: '/admin//evil.example', expected: '/admin' },
    { label: 'backslash', next: '/admin/\\evil.example', expected: '/admin' },
    { label: 'absolute URL', next: 'https://evil.example/admin', expected: '/admin' },
    { label: 'another site path', next: '/api/chat', expected: '/admin' },
    { label: 'a look-alike prefix', next: '/administrator', expected: '/admin' },
    { label: 'dot segments', next: '/admin/../api', expected: '/admin' },
    { label: 'encoded dot segments', next: '/admin/%2e%2e/api', expected: '/admin' },
    { label: 'a space', next: '/admin/content x', expected: '/admin' },
    { label: 'an array (repeated parameter)', next: ['/admin/a', '/admin/b'], expected: '/admin' },
    { label: 'missing', next: undefined, expected: '/admin' },
    { label: 'too long', next: `/admin/${'a'.repeat(3000)}`, expected: '/admin' },
  ];
  for (const c of cases)
    it(c.label, () => {
      expect(safeNext(c.next)).toBe(c.expected);
    });
});

describe('login with a hostile next', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  beforeAll(async () => {
    t = await startAdminApp();
    addUser(t.app, 'lan', ['editor']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('redirects to /admin instead of a 500 for a CRLF or a non-ASCII next', async () => {
    for (const next of ['/admin/content\r\nSet-Cookie: loa_admin=x', '/admin/content?q=bảo', '//evil.example']) {
      const c = new AdminClient(t.url);
      const page = await c.get(`/admin/login?next=${encodeURIComponent(next)}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('name="next" value="/admin"');
      const res = await c.request('POST', '/admin/login', { _csrf: csrfOf(page.text), username: 'lan', password: 'lan-mat-khau-1', next });
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(res.location).toBe('/admin');
      // The real session cookie is `loa_admin=<random token>`, which may itself begin with "x":
      // compare the whole value, not a prefix.
      const values = res.headers.getSetCookie().map((s) => s.split(';')[0]);
      expect(values).not.toContain('loa_admin=x');
    }
  });

  it("the queue's dismiss goes back to a queue page, never a 500 for a 'back' that cannot be a header", async () => {
    addUser(t.app, 'hoa', ['editor']);
    const c = new AdminClient(t.url);
    expect((await c.login('hoa', 'hoa-mat-khau-1')).status).toBe(303);
    await c.get('/admin/questions');
    const cases: [string, string][] = [
      ['/admin/questions?loai=chua-tra-loi&trang=2', '/admin/questions?loai=chua-tra-loi&trang=2&msg='],
      ['/admin/questions?q=bảo', '/admin/questions?msg='],
      ['/admin/questions?q=\u0000x', '/admin/questions?msg='],
      ['/admin/questions?q=a b', '/admin/questions?msg='],
      ['/admin/questions?\r\nSet-Cookie: loa_admin=x', '/admin/questions?msg='],
      ['https://evil.example/admin/questions', '/admin/questions?msg='],
    ];
    for (const [back, to] of cases) {
      const res = await c.post('/admin/questions/dismiss', { ids: '999999', back });
      expect(res.status, JSON.stringify(back)).toBe(303);
      expect(res.location!.startsWith(to), `${JSON.stringify(back)} -> ${res.location}`).toBe(true);
    }
  });

  it('still goes where a real next points', async () => {
    const c = new AdminClient(t.url);
    const page = await c.get('/admin/login?next=%2Fadmin%2Fcontent');
    const res = await c.request('POST', '/admin/login', { _csrf: csrfOf(page.text), username: 'lan', password: 'lan-mat-khau-1', next: '/admin/content' });
    expect(res.location).toBe('/admin/content');
  });
});
