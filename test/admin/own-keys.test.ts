/**
 * Names that exist on every object (`constructor`, `__proto__`, `toString`) are looked up as own
 * keys only (issue 15, item 7): an admin action, a queue filter, a CLI command and a chat
 * action or command with such a name are "unknown", never a 500.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { insertCampaign } from '../../src/db/campaigns.js';
import { main } from '../../src/main.js';

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
let t: Awaited<ReturnType<typeof startAdminApp>>;
let staff: AdminClient;
beforeAll(async () => {
  t = await startAdminApp();
  const pw = addUser(t.app, 'quan-tri', ['admin']);
  staff = new AdminClient(t.url);
  expect((await staff.login('quan-tri', pw)).status).toBe(303);
});
afterAll(async () => {
  await t.close();
});

describe('own-key look-ups', () => {
  it('an admin campaign action named like an Object member is 404, not 500', async () => {
    const id = insertCampaign(t.app.db, { text: 'Thông báo thử', channels: ['telegram'], author: 'quan-tri' });
    for (const name of NAMES) {
      const res = await staff.post(`/admin/campaigns/${id}/${name}`);
      expect(res.status, name).toBe(404);
      expect(res.text).toContain('Thao tác không hợp lệ');
    }
  });

  it('the queue filter ?loai=constructor is ignored, not a 500', async () => {
    for (const name of NAMES) expect((await staff.get(`/admin/questions?loai=${name}`)).status, name).toBe(200);
  });

  it('web chat actions and commands named like Object members are unknown', async () => {
    let i = 0;
    for (const name of NAMES) {
      for (const body of [{ action: `${name}:x` }, { action: name }, { text: `/${name}` }]) {
        const res = await fetch(`${t.url}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ session: `own-keys-session-${i++}-abcdef`, ...body }),
        });
        expect(res.status, JSON.stringify(body)).toBe(200);
        expect((await res.json()).replies[0].text).toContain('chưa hiểu lệnh');
      }
    }
  });

  it('loa constructor is an unknown command (exit 2), not a crash', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (const name of NAMES) expect(await main([name]), name).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
