import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
beforeAll(async () => {
  t = await startAdminApp();
});
afterAll(async () => {
  await t.close();
});

describe('staff read region names, never slugs', () => {
  it('the dashboard and the header name a region-scoped user’s region', async () => {
    const pw = addUser(t.app, 'can-bo-phuong', ['broadcaster'], 'pho-hien');
    const c = new AdminClient(t.url);
    await c.login('can-bo-phuong', pw);
    const page = await c.get('/admin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Phường Phố Hiến');
    expect(page.text).not.toMatch(/>\s*pho-hien\s*</);
    expect(page.text).not.toContain('địa bàn pho-hien');
  });
});
