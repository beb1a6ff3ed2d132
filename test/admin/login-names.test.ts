/**
 * A failed login is audited under the name typed, which anyone can choose: a name that reads
 * as a real account's (zero-width characters, Cyrillic letters, fullwidth letters) must not be
 * listed as that account in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { auditedLoginName } from '../../src/admin/auth.js';
import { listAudit } from '../../src/db/audit.js';

describe('auditedLoginName', () => {
  const cases: { label: string; typed: string; audited: string }[] = [
    { label: 'a real username', typed: 'nguyen.hoa', audited: 'nguyen.hoa' },
    { label: 'trimmed and lowercased, as the login looks it up', typed: '  Admin ', audited: 'admin' },
    { label: 'nothing typed', typed: '   ', audited: '(trống)' },
    { label: 'zero-width space', typed: 'ad\u200bmin', audited: 'ad[U+200B]min' },
    { label: 'word joiner at the end', typed: 'admin\u2060', audited: 'admin[U+2060]' },
    { label: 'Cyrillic а', typed: '\u0430dmin', audited: '[U+0430]dmin' },
    { label: 'fullwidth letters', typed: 'ａｄ', audited: '[U+FF41][U+FF44]' },
    { label: 'right-to-left override', typed: 'admin\u202e', audited: 'admin[U+202E]' },
    { label: 'markup', typed: '<b>x</b>', audited: '[U+003C]b[U+003E]x[U+003C][U+002F]b[U+003E]' },
    { label: 'a character outside the BMP is one code point', typed: 'a😀', audited: 'a[U+1F600]' },
    { label: 'cut to 64 characters', typed: 'a'.repeat(100), audited: 'a'.repeat(64) },
  ];
  for (const c of cases)
    it(c.label, () => {
      expect(auditedLoginName(c.typed)).toBe(c.audited);
    });
});

describe('failed logins in the audit log', () => {
  let t: Awaited<ReturnType<typeof startAdminApp>>;
  beforeAll(async () => {
    t = await startAdminApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists a lookalike of a staff name with its hidden or foreign characters shown', async () => {
    addUser(t.app, 'hoa', ['approver']);
    const lookalikes = ['ho\u200ba', 'h\u043ea', 'hoa\u2060'];
    for (const name of lookalikes) expect((await new AdminClient(t.url).login(name, 'sai-mat-khau-1')).status).toBe(401);
    expect((await new AdminClient(t.url).login('hoa', 'sai-mat-khau-1')).status).toBe(401);

    const actors = listAudit(t.app.db, { action: 'login.invalid' }).map((e) => e.actor);
    expect(actors).toEqual(expect.arrayContaining(['ho[U+200B]a', 'h[U+043E]a', 'hoa[U+2060]', 'hoa']));
    // Only the real account's own failure reads as 'hoa'.
    expect(actors.filter((a) => a.replace(/[^a-z]/g, '') === 'hoa' && a !== 'hoa').every((a) => a.includes('[U+'))).toBe(true);
    expect(actors.filter((a) => a === 'hoa')).toHaveLength(1);

    // And so on the audit page an approver reads.
    const c = new AdminClient(t.url);
    addUser(t.app, 'kiem.tra', ['approver']);
    expect((await c.login('kiem.tra', 'kiem.tra-mat-khau-1')).status).toBe(303);
    const page = await c.get('/admin/audit');
    expect(page.status).toBe(200);
    expect(page.text).toContain('ho[U+200B]a');
    expect(page.text).toContain('h[U+043E]a');
    expect(page.text).not.toContain('ho\u200ba');
    expect(page.text).not.toContain('h\u043ea');
  });
});
