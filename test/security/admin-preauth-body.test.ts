/**
 * A form posted to the admin without a session is refused before its body is read. Fastify
 * reads and parses a body before the admin's preHandler checks the session, so anyone could
 * make the service read and parse the bulk import's 8 MB multipart forms (45,000 fields held
 * the event loop 0.3 s a request here, load 12), and the bot with it.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/**
 * Starts a POST announcing `length` bytes and sends only the first few: the status the server
 * answers before the rest comes, or 'waited' when it waits for the body (as the old code did).
 */
function answerBeforeBody(url: string, path: string, length: number, headers: Record<string, string> = {}): Promise<number | 'waited'> {
  return new Promise((resolve, reject) => {
    const boundary = 'x-loa-test';
    const req = request(url + path, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length), ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve('waited');
    }, 2_000);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE') resolve('waited');
      else reject(err);
    });
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n`);
  });
}

describe('a form posted to the admin without a session', () => {
  it('is refused with 401 before its body is read (bulk import, 8 MB announced)', async () => {
    const t = await startAdminApp();
    cleanup.push(t.close);
    expect(await answerBeforeBody(t.url, '/admin/content/import', 8_000_000)).toBe(401);
    expect(await answerBeforeBody(t.url, '/admin/content/import/confirm', 8_000_000, { cookie: 'loa_admin=not-a-session' })).toBe(401);
  });

  it('is still read for someone signed in, and the login form still works', async () => {
    const t = await startAdminApp();
    cleanup.push(t.close);
    addUser(t.app, 'bientap', ['editor']);
    const c = new AdminClient(t.url);
    await c.login('bientap', 'bientap-mat-khau-1'); // the login POST has no session yet
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    // Signed in: the server waits for the body it was promised, as before.
    expect(await answerBeforeBody(t.url, '/admin/content/import', 100_000, { cookie })).toBe('waited');
    const page = await c.get('/admin/content/import');
    expect(page.status).toBe(200);
  });
});
