/**
 * The password change form (/admin/account/password) checks the current password, and that
 * check had no limit: whoever held a staff session (a cookie taken from a shared office
 * computer left signed in, a browser profile copied) could guess the current password as fast
 * as the server hashed, with no backoff and no trace in the audit log, then change it and keep
 * the account for good. Each guess was also a scrypt (32 MiB, ~100 ms) outside the login's cap
 * of two at once, so one signed-in viewer posting in parallel filled the thread pool that the
 * logins and file reads share.
 *
 * Now a wrong current password is audited; the fifth in one session ends the session (signing
 * in again goes through the login's throttle, which needs the password), and its guesses are
 * checked one at a time within the login's cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { listAudit } from '../../src/db/audit.js';

let t: Awaited<ReturnType<typeof startAdminApp>>;
let password: string;

beforeAll(async () => {
  t = await startAdminApp();
  password = addUser(t.app, 'bientap', ['viewer']);
});
afterAll(async () => {
  await t?.close();
});

const change = (c: AdminClient, current: string) => c.post('/admin/account/password', { current, next: 'mat-khau-moi-dai-1', confirm: 'mat-khau-moi-dai-1' });

describe('guessing the current password through the change form', () => {
  it('ends the session at the fifth wrong current password; the right one then changes nothing', async () => {
    const c = new AdminClient(t.url);
    expect((await c.login('bientap', password)).status).toBe(303);
    for (let i = 1; i <= 4; i++) {
      const r = await change(c, `doan-sai-${i}`);
      expect(r.status).toBe(400);
      expect(r.text).toContain('Mật khẩu hiện tại không đúng');
    }
    const fifth = await change(c, 'doan-sai-5');
    expect(fifth.status).toBe(303);
    expect(fifth.location).toMatch(/^\/admin\/login\?msg=/);
    // The session is over: the right password no longer changes anything with it.
    const right = await change(c, password);
    expect(right.status).toBe(401);
    expect((await c.get('/admin')).location).toMatch(/^\/admin\/login/);
    // The account still signs in with its password (nothing changed), from a new session.
    const again = new AdminClient(t.url);
    expect((await again.login('bientap', password)).status).toBe(303);
    const wrong = listAudit(t.app.db, { action: 'user.passwd.wrong' }).filter((a) => a.actor === 'bientap');
    expect(wrong).toHaveLength(4);
    expect(listAudit(t.app.db, { action: 'user.passwd.ended' }).filter((a) => a.actor === 'bientap')).toHaveLength(1);
  });

  it('guesses sent all at once are counted one by one: at most five are checked', async () => {
    const c = new AdminClient(t.url);
    expect((await c.login('bientap', password)).status).toBe(303);
    const before = listAudit(t.app.db, { action: 'user.passwd.wrong' }).length;
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => change(c, `song-song-${i}`)));
    expect(results.filter((r) => r.status === 400)).toHaveLength(4);
    expect(results.filter((r) => r.status === 303)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(7);
    expect(listAudit(t.app.db, { action: 'user.passwd.wrong' }).length - before).toBe(4);
  });

  it('a mistyped current password once, then the right one, changes the password as before', async () => {
    const c = new AdminClient(t.url);
    expect((await c.login('bientap', password)).status).toBe(303);
    expect((await change(c, 'go-nham')).status).toBe(400);
    const ok = await change(c, password);
    expect(ok.status).toBe(303);
    expect(ok.location).toMatch(/^\/admin\?msg=/);
    expect((await new AdminClient(t.url).login('bientap', 'mat-khau-moi-dai-1')).status).toBe(303);
  });
});
