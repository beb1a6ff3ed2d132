/**
 * "Mời người dân dùng Loa" (/admin/reach): each channel's real public address once the platform
 * said who the bot is, the deep links of a contest, the subscription and a report, QR codes
 * that decode to those addresses, and an A4 poster. The web page opens on a `?start=` payload.
 */
import { afterEach, describe, expect, it } from 'vitest';
import jsqr from 'jsqr';
import { AdminClient, addUser, startAdminApp } from './support.js';
import { startFakeTelegram } from '../support/fake-telegram.js';
import { startFakeZalo } from '../support/fake-zalo.js';
import { qrMatrix, qrSvg, reachLinks } from '../../src/admin/reach.js';

// jsqr is CommonJS typed as an ES module: its function is the default export or the module itself.
const jsQR = ((jsqr as unknown as { default?: unknown }).default ?? jsqr) as typeof jsqr.default;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Decodes a QR matrix as a camera would: rendered 4 pixels a module with its quiet zone. */
function decode(matrix: boolean[][]): string | null {
  const scale = 4;
  const quiet = 4;
  const n = matrix.length + quiet * 2;
  const size = n * scale;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let r = 0; r < matrix.length; r++)
    for (let c = 0; c < matrix.length; c++) {
      if (!matrix[r]![c]) continue;
      for (let y = 0; y < scale; y++)
        for (let x = 0; x < scale; x++) {
          const i = (((r + quiet) * scale + y) * size + (c + quiet) * scale + x) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
    }
  return jsQR(data, size, size)?.data ?? null;
}

/** The matrix an SVG of {@link qrSvg} draws (its path's runs), to decode what was served. */
function svgMatrix(svg: string): boolean[][] {
  const size = Number(svg.match(/viewBox="0 0 (\d+) \d+"/)![1]);
  const n = size - 8;
  const m = Array.from({ length: n }, () => Array<boolean>(n).fill(false));
  for (const run of svg.match(/d="([^"]*)"/)![1]!.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    const [x, y, w] = [Number(run[1]) - 4, Number(run[2]) - 4, Number(run[3])];
    for (let i = 0; i < w; i++) m[y]![x + i] = true;
  }
  return m;
}

describe('QR codes', () => {
  it('decode to the address they were made of, deep links and long addresses included', () => {
    for (const url of ['https://t.me/loa_test_bot?start=thi_luyen-tap-quyen-tre-em', 'https://zalo.me/579745863508352884', 'https://hoidap.hungyen.gov.vn/?start=baocao']) {
      expect(decode(qrMatrix(url))).toBe(url);
      const svg = qrSvg(url);
      expect(svg).toContain(`<title>${url}</title>`);
      expect(decode(svgMatrix(svg))).toBe(url);
    }
  });
});

describe('reach links', () => {
  it('say why a configured channel has no address yet, and skip the channels that are off', () => {
    const links = reachLinks(
      { requestOrigin: 'http://127.0.0.1:3000', channels: new Map([['telegram', { publicLink: () => undefined }]]), configured: { telegram: true, zalo: false } },
      { kind: 'thi', contestId: 'abc', contestTitle: 'Thi' },
    );
    expect(links.map((l) => l.channel)).toEqual(['telegram', 'web']);
    expect(links[0]!.url).toBeUndefined();
    expect(links[0]!.missing).toContain('chưa kết nối được với Telegram');
    expect(links[1]!.url).toBe('http://127.0.0.1:3000/?start=thi_abc');
  });
});

describe('/admin/reach', () => {
  it('shows the bot\'s real Telegram and Zalo addresses with QR codes and deep links, and prints a poster', async () => {
    const tg = await startFakeTelegram();
    cleanup.push(() => tg.close());
    const zalo = await startFakeZalo();
    cleanup.push(() => zalo.close());
    const pair = zalo.issueTokens();
    const t = await startAdminApp({
      env: {
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_API_ROOT: tg.apiRoot,
        ZALO_APP_ID: zalo.appId,
        ZALO_APP_SECRET: zalo.appSecret,
        ZALO_OA_SECRET_KEY: zalo.oaSecretKey,
        ZALO_ACCESS_TOKEN: pair.accessToken,
        ZALO_REFRESH_TOKEN: pair.refreshToken,
        ZALO_API_BASE: zalo.url,
        ZALO_OAUTH_BASE: zalo.url,
        LOA_PUBLIC_URL: 'https://hoidap.hungyen.gov.vn',
      },
    });
    cleanup.push(t.close);
    await t.app.health.waitFor('telegram', 'connected');
    await t.app.health.waitFor('zalo', 'connected');
    addUser(t.app, 'xem', ['viewer']);
    const c = new AdminClient(t.url);
    await c.login('xem', 'xem-mat-khau-1');

    const page = await c.get('/admin/reach');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/admin/reach"'); // in the menu, for every role
    for (const url of [
      'https://t.me/loa_test_bot',
      'https://t.me/loa_test_bot?start=dangky',
      'https://t.me/loa_test_bot?start=baocao',
      'https://t.me/loa_test_bot?start=thi_luyen-tap-quyen-tre-em',
      'https://zalo.me/579745863508352884',
      'https://hoidap.hungyen.gov.vn/?start=thi_luyen-tap-quyen-tre-em',
    ])
      expect(page.text).toContain(`href="${url}"`);
    expect(page.text).not.toContain('hoidap.hungyen.gov.vn/?start=dangky');
    // The officials' training test is not advertised to the public.
    expect(page.text).not.toContain('thi_tap-huan-quyen-con-nguoi');
    expect(page.text).toContain('gõ /thi luyen-tap-quyen-tre-em');
    expect(page.text).not.toContain('LOA_PUBLIC_URL</code> (ví dụ');

    const qr = await c.get('/admin/reach/qr.svg?target=telegram:thi_luyen-tap-quyen-tre-em&tai=1');
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toContain('image/svg+xml');
    expect(qr.headers.get('content-disposition')).toContain('ma-qr-telegram-thi_luyen-tap-quyen-tre-em.svg');
    expect(decode(svgMatrix(qr.text))).toBe('https://t.me/loa_test_bot?start=thi_luyen-tap-quyen-tre-em');
    const zqr = await c.get('/admin/reach/qr.svg?target=zalo');
    expect(decode(svgMatrix(zqr.text))).toBe('https://zalo.me/579745863508352884');

    const unknown = await c.get('/admin/reach/qr.svg?target=telegram:thi_khong-co');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('Không có cuộc thi này');
    expect((await c.get('/admin/reach/qr.svg?target=https://evil.example')).status).toBe(404);

    const poster = await c.get('/admin/reach/poster?muc=thi_luyen-tap-quyen-tre-em');
    expect(poster.status).toBe(200);
    expect(poster.text).toContain('href="/admin/assets/print.css"');
    expect(poster.text).toContain('Quét mã để dự thi');
    expect(poster.text.match(/<svg /g)?.length).toBe(3);
    expect(poster.text).not.toMatch(/<style|style="/); // the admin's CSP refuses inline styles
    const css = await c.get('/admin/assets/print.css');
    expect(css.status).toBe(200);
    expect(css.text).toContain('@page');
    expect((await c.get('/admin/reach/poster?muc=thi_khong-co')).status).toBe(404);
  });

  it('warns before printing a QR code of an address only this machine can open', async () => {
    const t = await startAdminApp();
    cleanup.push(t.close);
    addUser(t.app, 'xem', ['viewer']);
    const c = new AdminClient(t.url);
    await c.login('xem', 'xem-mat-khau-1');
    const page = await c.get('/admin/reach');
    expect(page.text).toContain('chỉ mở được trên chính máy chủ này');
    expect(page.text).not.toContain('t.me/'); // Telegram is off: no section for it
    // The web chat takes no subscription: nothing to print for it, and why.
    expect(page.text).not.toContain('?start=dangky');
    expect(page.text).toContain('đăng ký nhận tin cần Telegram hoặc Zalo');
  });
});

describe('the web chat tag for each portal', () => {
  it('a commune account sees its commune’s tag only; province staff the province’s and every commune’s', async () => {
    const t = await startAdminApp();
    cleanup.push(t.close);
    addUser(t.app, 'xa', ['viewer'], 'pho-hien');
    addUser(t.app, 'tinh', ['viewer']);
    const xa = new AdminClient(t.url);
    await xa.login('xa', 'xa-mat-khau-1');
    const commune = (await xa.get('/admin/reach')).text;
    expect(commune).toContain('/widget.js&quot; data-loa-region=&quot;pho-hien&quot; defer&gt;&lt;/script&gt;');
    expect(commune).toContain('/?region=pho-hien');
    expect(commune).not.toContain('data-loa-region=&quot;son-nam&quot;');
    expect(commune).not.toContain('Cổng thông tin của tỉnh');
    // The commune's QR code and poster of the web chat route the visitors who scan it there too.
    const qr = (await xa.get('/admin/reach/qr.svg?target=web:baocao')).text;
    expect(qr).toMatch(/<title>http:\/\/[^<]+\/\?start=baocao&amp;region=pho-hien<\/title>/);
    expect(decode(svgMatrix(qr))).toMatch(/\/\?start=baocao&region=pho-hien$/);
    const tinh = new AdminClient(t.url);
    await tinh.login('tinh', 'tinh-mat-khau-1');
    const province = (await tinh.get('/admin/reach')).text;
    expect(province).toContain('Cổng thông tin của tỉnh');
    expect(province).toMatch(/&lt;script src=&quot;http:\/\/[^&]+\/widget\.js&quot; defer&gt;/);
    for (const slug of ['pho-hien', 'son-nam']) expect(province).toContain(`data-loa-region=&quot;${slug}&quot;`);
    expect(province).not.toContain('data-loa-region=&quot;hung-yen&quot;'); // the province's own row has no region
    expect((await tinh.get('/admin/reach/qr.svg?target=web')).text).toMatch(/<title>http:\/\/[^<?]+\/<\/title>/);
    // The page a row links to carries the tag of that commune.
    const page = await fetch(`${t.url}/?region=son-nam`).then((r) => r.text());
    expect(page).toContain('data-loa-region="son-nam"');
  });
});

describe('the web chat page', () => {
  it('opens on a start payload from the address (a poster\'s QR code), and only on one', async () => {
    const t = await startAdminApp();
    cleanup.push(t.close);
    const ok = await (await fetch(`${t.url}/?start=thi_luyen-tap-quyen-tre-em`)).text();
    expect(ok).toContain('data-loa-start="thi_luyen-tap-quyen-tre-em"');
    for (const bad of ['%22%3E%3Cscript%3E', 'thi_a%20b', 'x'.repeat(80)]) {
      const page = await (await fetch(`${t.url}/?start=${bad}`)).text();
      expect(page).not.toContain('data-loa-start');
    }
    expect(await (await fetch(`${t.url}/`)).text()).not.toContain('{{START}}');
  });
});

describe('the contest page', () => {
  it('gives the contest\'s real Telegram link once the bot is known, and where its poster is', async () => {
    const tg = await startFakeTelegram();
    cleanup.push(() => tg.close());
    const t = await startAdminApp({ env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot } });
    cleanup.push(t.close);
    await t.app.health.waitFor('telegram', 'connected');
    addUser(t.app, 'thi', ['quiz_organizer']);
    const c = new AdminClient(t.url);
    await c.login('thi', 'thi-mat-khau-1');
    const page = (await c.get('/admin/contests/luyen-tap-quyen-tre-em')).text;
    expect(page).toContain('<code>https://t.me/loa_test_bot?start=thi_luyen-tap-quyen-tre-em</code>');
    expect(page).not.toContain('tên bot');
    expect(page).toContain('href="/admin/reach#muc-thi_luyen-tap-quyen-tre-em"');
  });
});

describe('the printable yearly report', () => {
  it('keeps its stylesheet: the page allows its one inline style by hash, the admin policy would drop it', async () => {
    const t = await startAdminApp();
    cleanup.push(t.close);
    addUser(t.app, 'xem', ['viewer']);
    const c = new AdminClient(t.url);
    await c.login('xem', 'xem-mat-khau-1');
    const r = await c.get('/admin/report/print');
    expect(r.status).toBe(200);
    const style = r.text.match(/<style>([\s\S]*?)<\/style>/)![1]!;
    const { createHash } = await import('node:crypto');
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("default-src 'none'");
    // Other admin pages keep the admin's policy.
    expect((await c.get('/admin/report')).headers.get('content-security-policy')).toContain("style-src 'self'");
  });
});
