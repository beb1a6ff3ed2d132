/**
 * An IPv6 client owns a whole /64 (2^64 addresses): the web chat's limits and the login
 * throttle count it as one address, or a script takes a new address for every request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addressKey } from '../../src/http/server.js';
import { startTestApp } from '../support/app.js';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('addressKey', () => {
  it.each([
    ['2001:db8:1:2:aaaa::5', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::5', '2001:db8:1:3::/64'],
    ['2001:db8::1.2.3.4', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['203.0.113.9', '203.0.113.9'],
    ['not-an-address', 'not-an-address'],
  ])('%s -> %s', (address, key) => expect(addressKey(address)).toBe(key));
});

describe('limits by /64', () => {
  it('the web chat: new visitors from every address of one /64 count together', async () => {
    const t = await startTestApp({ LOA_TRUST_PROXY: '127.0.0.1' });
    close = t.close;
    const statuses: number[] = [];
    for (let i = 1; i <= 62; i++) {
      const res = await fetch(`${t.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `2001:db8:7:7::${i.toString(16)}` },
        body: JSON.stringify({ session: `v6-visitor-${i}`, text: 'chào' }),
      });
      await res.text();
      statuses.push(res.status);
    }
    // 60 new visitors an hour per address; before, each address of the /64 had its own 60.
    expect(statuses.filter((s) => s === 200).length).toBe(60);
    expect(statuses.slice(60)).toEqual([429, 429]);
    // Another /64 is another subscriber.
    const other = await fetch(`${t.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '2001:db8:7:8::1' },
      body: JSON.stringify({ session: 'v6-visitor-other', text: 'chào' }),
    });
    expect(other.status).toBe(200);
  });

  it('the login throttle: guesses from every address of one /64 count together', async () => {
    const t = await startAdminApp({ env: { LOA_TRUST_PROXY: '127.0.0.1' } });
    close = t.close;
    addUser(t.app, 'lan', ['editor']);
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) statuses.push((await new AdminClient(t.url, `2001:db8:9:9::${i}`).login('lan', `doan-sai-${i}-mk`)).status);
    // Three free tries per account and address, then 30 s: before, five fresh addresses, five 401s.
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // The session keeps the address itself.
    expect((await new AdminClient(t.url, '2001:db8:9:a::1').login('lan', 'lan-mat-khau-1')).status).toBe(303);
    expect(t.app.db.prepare('SELECT ip FROM sessions').all()).toEqual([{ ip: '2001:db8:9:a::1' }]);
  });
});
