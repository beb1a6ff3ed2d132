import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('admin smoke', () => {
  it('renders every main page for an admin', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'boss', ['admin']);
    const c = new AdminClient(t.url);
    expect((await c.login('boss', 'boss-mat-khau-1')).status).toBe(303);
    for (const p of ['/admin', '/admin/questions', '/admin/content', '/admin/content/qa/new', '/admin/content/article/new', '/admin/content/qa/bhyt-ho-ngheo', '/admin/campaigns', '/admin/campaigns/new', '/admin/contests', '/admin/contests/luyen-tap-quyen-tre-em', '/admin/report', '/admin/report/print', '/admin/audit', '/admin/users']) {
      const r = await c.get(p);
      expect(r.status, `${p}: ${r.text.slice(0, 500)}`).toBe(200);
    }
  });
});
