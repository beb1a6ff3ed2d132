/**
 * Issue 15, item 3: `X-Forwarded-For` is believed only from the proxies named in
 * `LOA_TRUST_PROXY`. Off by default: a forged header must change neither the address the
 * login throttle counts nor the one written to the audit log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { listAudit } from '../../src/db/audit.js';
import { ConfigError, createConfig, parseTrustProxy } from '../../src/config.js';
import { testBot } from '../support/app.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** 20 failed logins, each "from" a different forged address, then a 21st try. */
async function failFromForgedAddresses(url: string): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const c = new AdminClient(url, `203.0.113.${i + 1}`);
    expect((await c.login(`khong-co-${i}`, 'mat-khau-doan')).status).toBe(401);
  }
  return (await new AdminClient(url, '198.51.100.7').login('lan', 'lan-mat-khau-1')).status;
}

describe('LOA_TRUST_PROXY', { timeout: 120_000 }, () => {
  it('off (default): a forged X-Forwarded-For changes neither the login throttle nor the audit IP', async () => {
    const t = await startAdminApp();
    close = t.close;
    addUser(t.app, 'lan', ['editor']);
    // Every attempt came from the one real peer (loopback), so the per-address limit holds.
    expect(await failFromForgedAddresses(t.url)).toBe(429);
    const ips = new Set(listAudit(t.app.db, { action: 'login.' }).map((e) => e.ip));
    expect(ips).toEqual(new Set(['127.0.0.1']));
  });

  it('with 127.0.0.1 trusted, the forwarded client address is the one counted and audited', async () => {
    const t = await startAdminApp({ env: { LOA_TRUST_PROXY: '127.0.0.1' } });
    close = t.close;
    addUser(t.app, 'lan', ['editor']);
    // Twenty different clients behind the proxy: no single address reached its limit.
    expect(await failFromForgedAddresses(t.url)).toBe(303);
    const ok = listAudit(t.app.db, { action: 'login.ok' })[0]!;
    expect(ok.ip).toBe('198.51.100.7');
    expect(listAudit(t.app.db, { action: 'login.invalid' }).map((e) => e.ip)).toContain('203.0.113.1');
  });

  it('a proxy that is not on the list is not believed', async () => {
    const t = await startAdminApp({ env: { LOA_TRUST_PROXY: '10.0.0.0/8, fd00::/8' } });
    close = t.close;
    addUser(t.app, 'lan', ['editor']);
    await new AdminClient(t.url, '198.51.100.7').login('lan', 'lan-mat-khau-1');
    expect(listAudit(t.app.db, { action: 'login.ok' })[0]!.ip).toBe('127.0.0.1');
  });
});

describe('parseTrustProxy', () => {
  const cases: { label: string; value: string | undefined; list?: string[]; error?: RegExp }[] = [
    { label: 'unset', value: undefined, list: [] },
    { label: 'empty', value: ' ', list: [] },
    { label: 'off', value: 'off', list: [] },
    { label: 'one IPv4 address', value: '127.0.0.1', list: ['127.0.0.1'] },
    { label: 'a list with CIDRs, IPv6 and loopback', value: '10.0.0.0/8, 192.168.1.10,::1, fd00::/8,Loopback', list: ['10.0.0.0/8', '192.168.1.10', '::1', 'fd00::/8', 'loopback'] },
    { label: 'true (trust anyone) is refused', value: 'true', error: /sẽ tin X-Forwarded-For do bất kỳ ai ghi/ },
    { label: 'a host name is refused', value: 'proxy.local', error: /'proxy.local' không phải địa chỉ IPv4\/IPv6/ },
    { label: 'an IPv4 prefix over 32 is refused', value: '10.0.0.0/33', error: /'10.0.0.0\/33'/ },
    { label: 'an IPv6 prefix over 128 is refused', value: 'fd00::/129', error: /'fd00::\/129'/ },
  ];
  for (const c of cases)
    it(c.label, () => {
      const r = parseTrustProxy(c.value);
      if (c.error) {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.message).toMatch(c.error);
      } else expect(r).toEqual({ ok: true, list: c.list });
    });

  it('createConfig names the variable when the value is wrong, and defaults to trusting no one', () => {
    expect(() => createConfig({ LOA_TRUST_PROXY: 'true' }, testBot)).toThrow(ConfigError);
    expect(() => createConfig({ LOA_TRUST_PROXY: 'true' }, testBot)).toThrow(/LOA_TRUST_PROXY/);
    expect(createConfig({}, testBot).http.trustProxy).toEqual([]);
    expect(createConfig({ LOA_TRUST_PROXY: 'loopback' }, testBot).http.trustProxy).toEqual(['loopback']);
  });
});
