/**
 * An address the server does not have is refused in Vietnamese: a staff member who mistypes an
 * admin address in the browser gets a page with the way back (it was the JSON
 * {"ok":false,"error":"not found"}); other clients get the JSON with the Vietnamese sentence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';

let ctx: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(async () => {
  await ctx.close();
});

describe('not found', () => {
  it('an admin address in a browser: a Vietnamese page with a link back', async () => {
    const res = await fetch(`${ctx.url}/admin/chien-dich-khong-co`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('Không tìm thấy trang này');
    expect(html).toContain('href="/admin"');
  });

  it('anything else: JSON with a Vietnamese sentence', async () => {
    for (const [method, path] of [['GET', '/khong-co'], ['DELETE', '/api/chat'], ['GET', '/admin/khong-co']] as const) {
      const res = await fetch(`${ctx.url}${path}`, { method, headers: { accept: 'application/json' } });
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toEqual({ ok: false, error: 'Không tìm thấy địa chỉ này.' });
    }
  });
});
