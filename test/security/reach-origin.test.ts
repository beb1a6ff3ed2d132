/**
 * "Mời người dân dùng Loa" when LOA_PUBLIC_URL is unset: the web chat's QR code carries the
 * address the staff member's browser used. Offices open the admin by the server's address in
 * their own network (http://192.168.1.20:3000), and the poster, opened in its own tab and
 * printed from there, said nothing: the QR code on the wall opened nothing on a citizen's phone.
 * The page warned of localhost only, and the poster of nothing.
 *
 * What held (tested here so it stays so): the Host header is the staff member's own; the QR
 * route takes only its fixed targets, never an address.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, addUser, startAdminApp } from '../admin/support.js';
import { addressReach, originWarning } from '../../src/admin/reach.js';

const cleanup: (() => Promise<void> | void)[] = [];

/** A GET as a browser that opened Loa by `host` sends it (fetch sets Host from the URL itself). */
function getAs(c: AdminClient, path: string, host: string): Promise<{ status: number; text: string }> {
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return new Promise((resolve, reject) => {
    const req = httpRequest(c.base + path, { headers: { host, cookie, accept: 'text/html' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('addressReach', () => {
  it('tells this machine, the office network and the internet apart', () => {
    for (const u of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000', 'http://0.0.0.0:3000', 'not a url']) expect(addressReach(u), u).toBe('this-machine');
    for (const u of [
      'http://192.168.1.20:3000',
      'http://10.0.0.5',
      'http://172.20.1.1:8080',
      'http://169.254.3.4',
      'http://100.72.0.9',
      'http://may-chu-loa:3000',
      'http://loa.local',
      'http://loa.lan',
      'http://[fd12:3456::1]:3000',
      'http://[fe80::1]',
    ])
      expect(addressReach(u), u).toBe('local-network');
    for (const u of ['https://hoidap.hungyen.gov.vn', 'http://203.113.1.9:3000', 'http://172.32.0.1', 'https://[2001:db8::1]', 'https://loa.tinh.gov.vn/'])
      expect(addressReach(u), u).toBe('public');
  });

  it('words the warning in Vietnamese with the address and what to set', () => {
    expect(originWarning('https://hoidap.hungyen.gov.vn')).toBeUndefined();
    const w = originWarning('http://192.168.1.20:3000')!;
    expect(w).toContain('http://192.168.1.20:3000');
    expect(w).toContain('mạng nội bộ');
    expect(w).toContain('LOA_PUBLIC_URL');
    expect(w.normalize('NFC')).toBe(w);
  });
});

describe('/admin/reach opened by an address of the office network', () => {
  it('warns on the page and on the poster, which is printed from its own tab', async () => {
    const t = await startAdminApp();
    cleanup.push(t.close);
    addUser(t.app, 'xem', ['viewer']);
    const c = new AdminClient(t.url);
    await c.login('xem', 'xem-mat-khau-1');
    const lan = '192.168.1.20:3000';

    const page = await getAs(c, '/admin/reach', lan);
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="http://192.168.1.20:3000/"'); // the address used, as before
    expect(page.text).toMatch(/data-origin-warning>[^<]*chỉ mở được trong mạng nội bộ/);

    const poster = await getAs(c, '/admin/reach/poster?muc=chung', lan);
    expect(poster.status).toBe(200);
    expect(poster.text).toMatch(/class="no-print error" role="alert" data-origin-warning>[^<]*192\.168\.1\.20:3000[^<]*mạng nội bộ/);

    // Opened on the server itself: the poster says so too (the page did, the poster did not).
    const local = await c.get('/admin/reach/poster?muc=dangky');
    expect(local.text).toMatch(/data-origin-warning>[^<]*chỉ mở được trên chính máy chủ này/);

    // A public address: no warning on either.
    const pub = 'hoidap.hungyen.gov.vn';
    expect((await getAs(c, '/admin/reach', pub)).text).not.toContain('data-origin-warning');
    expect((await getAs(c, '/admin/reach/poster?muc=chung', pub)).text).not.toContain('data-origin-warning');
  });

  it('serves QR codes of its fixed targets only, and an escaped address in the SVG', async () => {
    const t = await startAdminApp();
    cleanup.push(t.close);
    addUser(t.app, 'xem', ['viewer']);
    const c = new AdminClient(t.url);
    await c.login('xem', 'xem-mat-khau-1');
    for (const target of ['https://evil.example', 'web:../../x', 'web:a b', `web:${'a'.repeat(70)}`, 'web:thi_khong-co', 'ftp'])
      expect((await c.get(`/admin/reach/qr.svg?target=${encodeURIComponent(target)}`)).status, target).toBe(404);
    for (const muc of ['<script>', 'thi_khong-co', '../reach', 'x'.repeat(100)]) expect((await c.get(`/admin/reach/poster?muc=${encodeURIComponent(muc)}`)).status, muc).toBe(404);
    // A Host with markup in it is the requester's own, and escaped wherever it shows.
    const svg = await getAs(c, '/admin/reach/qr.svg?target=web', 'a"b<c');
    expect(svg.status).toBe(200);
    expect(svg.text).toContain('<title>http://a&quot;b&lt;c/</title>');
    expect(svg.text).not.toMatch(/<c|"b/);
  });
});
