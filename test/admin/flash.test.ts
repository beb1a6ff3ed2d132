/**
 * The status line after an action (`?msg=`) is shown only when the admin itself put it in the
 * redirect: a link crafted by someone else cannot make a real admin page say their sentence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, csrfOf, startAdminApp } from './support.js';
import { createUser } from '../../src/db/users.js';
import { createFlash } from '../../src/admin/index.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
beforeAll(async () => {
  t = await startAdminApp();
});
afterAll(async () => {
  await t.close();
});

const PHISH = 'Hệ thống yêu cầu xác minh lại: gửi mật khẩu qua Zalo 0912345678';

describe('flash messages', () => {
  it('a crafted ?msg= link shows nothing; a message from a real redirect is shown', async () => {
    addUser(t.app, 'lan', ['editor']);
    const c = new AdminClient(t.url);
    expect((await c.login('lan', 'lan-mat-khau-1')).status).toBe(303);
    // Before: the page showed the sentence as Loa's own status line.
    const crafted = await c.get(`/admin?msg=${encodeURIComponent(PHISH)}`);
    expect(crafted.status).toBe(200);
    expect(crafted.text).not.toContain('xác minh lại');
    const forged = await c.get(`/admin?msg=${encodeURIComponent(PHISH)}&ms=${'A'.repeat(22)}`);
    expect(forged.text).not.toContain('xác minh lại');

    createUser(t.app.db, { username: 'moi', roles: ['viewer'], password: 'mot-lan-thoi-1', mustChangePassword: true });
    const d = new AdminClient(t.url);
    await d.login('moi', 'mot-lan-thoi-1');
    d.csrf = csrfOf((await d.get('/admin/account/password')).text);
    const changed = await d.post('/admin/account/password', { current: 'mot-lan-thoi-1', next: 'mat-khau-rieng-2', confirm: 'mat-khau-rieng-2' });
    expect(changed.status).toBe(303);
    expect(changed.location).toMatch(/^\/admin\?msg=[^&]+&ms=[A-Za-z0-9_-]{22}$/);
    const page = await d.get(changed.location!);
    expect(page.text).toContain('<p class="flash" role="status">Đã đổi mật khẩu.</p>');
    // The signature is of that message only.
    const swapped = changed.location!.replace(/msg=[^&]+/, `msg=${encodeURIComponent(PHISH)}`);
    expect((await d.get(swapped)).text).not.toContain('xác minh lại');
  });

  it('signs redirects with a query and a fragment, and leaves others alone', () => {
    const flash = createFlash(Buffer.alloc(32, 7));
    const headers = new Map<string, string>();
    const reply = { getHeader: (k: string) => headers.get(k), header: (k: string, v: string) => headers.set(k, v) } as never;
    for (const [before, signed] of [
      ['/admin/questions/attach?ids=1,2&msg=%C4%90%C3%A3%20g%E1%BA%AFn#q', true],
      ['/admin/campaigns/3', false],
      ['/admin?x=1', false],
    ] as const) {
      headers.set('location', before);
      flash.sign(reply);
      const after = headers.get('location')!;
      if (!signed) {
        expect(after).toBe(before);
        continue;
      }
      expect(after).toMatch(/^\/admin\/questions\/attach\?ids=1,2&msg=%C4%90%C3%A3%20g%E1%BA%AFn&ms=[A-Za-z0-9_-]{22}#q$/);
      const query = Object.fromEntries(new URLSearchParams(after.slice(after.indexOf('?') + 1).split('#')[0]));
      expect(flash.read(query)).toBe('Đã gắn');
      expect(createFlash(Buffer.alloc(32, 8)).read(query)).toBeUndefined();
    }
  });
});
