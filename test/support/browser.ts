/**
 * Chromium for the browser tests, driven by playwright-core: Debian's chromium-headless-shell
 * where it is installed, else Debian's chromium (`.ci/run` installs it). Where neither is, the
 * browser tests skip (`hasChromium`).
 *
 * The headless shell is the same Chromium without the desktop browser around it (what
 * Playwright's own bundled Chromium uses for headless runs): here it took about half the CPU of
 * the full browser per page load (40 form round trips: 6.8 s instead of 12.6 s, at load 20) and
 * a third of it to launch.
 *
 * One Chromium per test process, launched by the first browser test file that runs there and
 * kept for the next ones (vitest runs several files in one process, isolate: false); each file
 * gets a fresh browser context of its own (no cookies, storage or pages of another file). A
 * launch of the full browser cost about 1 s of CPU here, a context a few hundred ms, and each
 * file used to launch its own, with a persistent profile on disk. Playwright closes the browser when the process exits, and
 * Chromium exits by itself when its pipe to the process closes.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** The Chromium the tests drive: the headless shell, or the full browser. */
export const CHROMIUM = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((f) => existsSync(f)) ?? '/usr/bin/chromium';

/** Whether a Chromium is installed here (`describe.skipIf(!hasChromium)`). */
export const hasChromium = existsSync(CHROMIUM);

// On globalThis, not in a module variable: kept even if this module is evaluated again.
const key = Symbol.for('loa.test.chromium');
const store = globalThis as { [key]?: Promise<Browser> };

/** The process's Chromium, launched on first use (again if it was closed or crashed). */
function sharedBrowser(): Promise<Browser> {
  const launched = store[key];
  if (launched) return launched.then((b) => (b.isConnected() ? b : relaunch()), relaunch);
  return relaunch();
}

function relaunch(): Promise<Browser> {
  const launching = chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  store[key] = launching;
  return launching;
}

/** A test file's browser: its own context and page on the shared Chromium. */
export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Closes the context (and its page); Chromium stays for the next file. */
  close(): Promise<void>;
}

/**
 * A fresh context at 1366×768 in Vietnamese, downloads accepted, with one page whose
 * `data-confirm` prompts are accepted.
 */
export async function openBrowser(): Promise<TestBrowser> {
  const browser = await sharedBrowser();
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', acceptDownloads: true });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  // A stuck step fails with Playwright's error naming it, before the test's own timeout.
  page.setDefaultTimeout(15_000);
  return { context, page, close: () => context.close() };
}

/** Logs `username` in through the login form (password `${username}-mat-khau-1`, as addUser). */
export async function loginAs(b: TestBrowser, url: string, username: string): Promise<void> {
  await b.context.clearCookies();
  await b.page.goto(`${url}/admin/login`);
  await b.page.fill('input[name=username]', username);
  await b.page.fill('input[name=password]', `${username}-mat-khau-1`);
  await Promise.all([b.page.waitForURL(`${url}/admin`), b.page.click('button[type=submit]')]);
}
