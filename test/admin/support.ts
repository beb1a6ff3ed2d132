/**
 * Admin test helpers: an app on a private copy of the content (the admin writes files), and a
 * tiny cookie-keeping HTTP client that logs in and submits forms like a browser does.
 */
import { accessSync, constants, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp } from '../support/app.js';
import type { App, CreateAppOptions } from '../../src/app.js';
import { createUser, type Role } from '../../src/db/users.js';

/**
 * Where the content copies go: /dev/shm (memory) where there is one. Copying `content/` (142
 * files) into an ext4 /tmp and removing it again took ~200 ms per app here, ~12 ms in memory,
 * and the admin tests start about seventy apps.
 */
const copiesDir = ((): string => {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
})();

/** A started app whose content dir is a temp copy of `content/`. */
export async function startAdminApp(
  opts: CreateAppOptions & { env?: Record<string, string>; bot?: Record<string, unknown> } = {},
): Promise<{ app: App; url: string; contentDir: string; close: () => Promise<void> }> {
  const contentDir = mkdtempSync(join(copiesDir, 'loa-admin-content-'));
  cpSync('content', contentDir, { recursive: true });
  const { env, ...appOpts } = opts;
  const t = await startTestApp({ LOA_CONTENT_DIR: contentDir, ...(env ?? {}) }, appOpts);
  return {
    app: t.app,
    url: t.url,
    contentDir,
    close: async () => {
      await t.close();
      rmSync(contentDir, { recursive: true, force: true });
    },
  };
}

/** Creates a staff account with a known password. */
export function addUser(app: App, username: string, roles: Role[], region: string | null = null, password = `${username}-mat-khau-1`): string {
  createUser(app.db, { username, roles, region, password });
  return password;
}

/** The value of the first hidden `_csrf` field in a page. */
export function csrfOf(html: string): string {
  const m = html.match(/name="_csrf" value="([^"]*)"/);
  if (!m) throw new Error('test: no _csrf field in the page');
  return m[1]!;
}

/** A response as the client saw it. */
export interface Res {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

/** A cookie-keeping client for the admin pages (no redirects followed, like checking each step). */
export class AdminClient {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly base: string, readonly ip?: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const k = pair!.slice(0, i);
      const v = pair!.slice(i + 1);
      if (/Max-Age=0/.test(c) || v === '') this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
  }

  async request(method: string, path: string, body?: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Res> {
    let payload: string | undefined;
    if (body) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
      payload = p.toString();
    }
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        cookie: this.cookieHeader(),
        ...(payload ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(this.ip ? { 'x-forwarded-for': this.ip } : {}),
        ...headers,
      },
      body: payload,
    });
    this.keep(res);
    const text = await res.text();
    const m = text.match(/name="_csrf" value="([^"]+)"/);
    if (m && res.status < 400 && !path.startsWith('/admin/login')) this.csrf = m[1]!;
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
  }

  get(path: string): Promise<Res> {
    return this.request('GET', path);
  }

  /** Posts a form with the session's CSRF token (unless `_csrf` is given). */
  post(path: string, body: Record<string, string | string[]> = {}): Promise<Res> {
    return this.request('POST', path, { _csrf: this.csrf, ...body });
  }

  /** Logs in through the login form; returns the POST response. */
  async login(username: string, password: string): Promise<Res> {
    const page = await this.get('/admin/login');
    const res = await this.request('POST', '/admin/login', { _csrf: csrfOf(page.text), username, password, next: '/admin' });
    if (res.status === 303) await this.get('/admin'); // picks up the session's CSRF token
    return res;
  }
}
