/**
 * The compiled copy of `src/` that `loa` starts from (bin/compiled.js): made when missing, used
 * as is while the sources are unchanged (whatever their modification times, which a Docker
 * image's layers keep only to the second), made again after an edit or a deleted file, never
 * half-written when several processes start at once, and null (tsx instead) without esbuild or
 * in a checkout the user cannot write, without trying to compile there. The last test starts the
 * real service from it.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript (it runs before tsx can), without type declarations.
import { compiledDist } from '../../bin/compiled.js';

type CompiledDist = (root: string, onCompile?: () => void) => Promise<string | null>;
const compile = compiledDist as CompiledDist;
const REPO = resolve('.');
const COMPILED_JS = pathToFileURL(join(REPO, 'bin', 'compiled.js')).href;
/**
 * Whether the other user of {@link copyAsUser} can run Node on this checkout: not when the
 * tests run as root in a clone under a private home (/root is 700). Those tests are skipped
 * there rather than failing on the machine instead of the code.
 */
const otherUserCan = ((): boolean => {
  if (process.getuid?.() !== 0) return true;
  const needed = [join(REPO, 'bin', 'compiled.js'), join(REPO, 'node_modules', 'esbuild', 'package.json'), join(REPO, 'node_modules', 'tsx', 'package.json'), join(REPO, 'content', 'topics.yaml')];
  try {
    execFileSync(process.execPath, ['-e', `for (const f of ${JSON.stringify(needed)}) require('fs').readFileSync(f)`], { uid: 65534, gid: 65534, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    chmodTree(d, 0o755);
    rmSync(d, { recursive: true, force: true });
  }
});

/** chmod of every folder under `dir` (folders locked by a test, so it can be removed). */
function chmodTree(dir: string, mode: number): void {
  try {
    chmodSync(dir, mode);
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) chmodTree(join(dir, e.name), mode);
  } catch {
    // Gone already.
  }
}

/**
 * Runs compiledCopy on `root` in another process as a user that is not root (root writes
 * anywhere): as `nobody` when the tests run as root (the checkout must then be readable by
 * others, as /work/main is), else as the tests' own user. Returns what it returned, whether it
 * began to compile, and whether an esbuild process was left running under it.
 */
async function copyAsUser(root: string): Promise<{ dist: string | null; reason?: string; compiling: boolean; esbuildLeft: boolean }> {
  // Its child processes from /proc (Linux): esbuild's service process would be one.
  const script = `import { readdirSync, readFileSync } from 'node:fs';
import { compiledCopy } from ${JSON.stringify(COMPILED_JS)};
let compiling = false;
const r = await compiledCopy(${JSON.stringify(root)}, () => { compiling = true; });
const children = readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).flatMap((p) => {
  try {
    const stat = readFileSync('/proc/' + p + '/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid ? [readFileSync('/proc/' + p + '/cmdline', 'utf8')] : [];
  } catch { return []; }
});
console.log(JSON.stringify({ ...r, compiling, esbuildLeft: children.some((c) => c.includes('esbuild')) }));`;
  const asRoot = process.getuid?.() === 0;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], asRoot ? { uid: 65534, gid: 65534 } : {});
  return JSON.parse(stdout) as { dist: string | null; reason?: string; compiling: boolean; esbuildLeft: boolean };
}

/** Gives `dir` (and with `deep`, everything under it) to the user of {@link copyAsUser}. */
function writableByUser(dir: string, deep = false): void {
  if (process.getuid?.() !== 0) return;
  chownSync(dir, 65534, 65534);
  if (deep) for (const e of readdirSync(dir, { withFileTypes: true })) e.isDirectory() ? writableByUser(join(dir, e.name), true) : chownSync(join(dir, e.name), 65534, 65534);
}

/** A checkout with a small `src/`: a module, its import, a template beside it, and node_modules. */
function checkout(withEsbuild = true): string {
  const root = mkdtempSync(join(tmpdir(), 'loa-compiled-'));
  dirs.push(root);
  chmodSync(root, 0o755);
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  if (withEsbuild) symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  mkdirSync(join(root, 'src', 'views'), { recursive: true });
  writeFileSync(
    join(root, 'src', 'main.ts'),
    [
      "import { readFileSync } from 'node:fs';",
      "import { greet } from './greet.js';",
      'const view: string = readFileSync(new URL(\'./views/page.txt\', import.meta.url), \'utf8\');',
      'export const out = (name: string): string => `${greet(name)} ${view.trim()}`;',
    ].join('\n'),
  );
  writeFileSync(join(root, 'src', 'greet.ts'), "export const greet = (n: string): string => `Xin chào ${n}`;\n");
  writeFileSync(join(root, 'src', 'views', 'page.txt'), 'trang 1\n');
  return root;
}

/** Runs the copy's main.js in a fresh Node process (this one's module cache would keep old imports). */
async function run(dist: string, name: string): Promise<string> {
  const script = `const { out } = await import(${JSON.stringify(pathToFileURL(join(dist, 'main.js')).href)}); console.log(out(${JSON.stringify(name)}));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  return stdout.trim();
}

describe('compiled copy', () => {
  it('is made when missing, then used as is until a source changes', async () => {
    const root = checkout();
    let compiles = 0;
    const dist = await compile(root, () => compiles++);
    expect(dist).toBe(join(root, 'dist'));
    expect(compiles).toBe(1);
    expect(await run(dist!, 'Lan')).toBe('Xin chào Lan trang 1');
    // Unchanged: not compiled again.
    expect(await compile(root, () => compiles++)).toBe(dist);
    expect(compiles).toBe(1);
    // An edit of the same size.
    writeFileSync(join(root, 'src', 'greet.ts'), "export const greet = (n: string): string => `Kính chào ${n}`;\n");
    expect(await compile(root, () => compiles++)).toBe(dist);
    expect(compiles).toBe(2);
    expect(await run(dist!, 'Lan')).toBe('Kính chào Lan trang 1');
    // A template beside the code is copied too.
    writeFileSync(join(root, 'src', 'views', 'page.txt'), 'trang 2\n');
    await compile(root, () => compiles++);
    expect(compiles).toBe(3);
    expect(await run(dist!, 'Lan')).toBe('Kính chào Lan trang 2');
  });

  it('is kept when only modification times changed (a pulled Docker image, a copied checkout), and drops deleted files', async () => {
    const root = checkout();
    const dist = (await compile(root))!;
    // Docker's layer tars keep whole seconds; cp without -p, rsync without -t give new times.
    for (const f of ['main.ts', 'greet.ts', 'views/page.txt']) {
      const file = join(root, 'src', f);
      const s = Math.floor(statSync(file).mtimeMs / 1000) - 3;
      utimesSync(file, s, s);
    }
    let compiles = 0;
    expect(await compile(root, () => compiles++)).toBe(dist);
    expect(compiles).toBe(0);
    // The same in a copy of the whole checkout, with new times, dist/ included.
    const copy = mkdtempSync(join(tmpdir(), 'loa-compiled-copy-'));
    dirs.push(copy);
    cpSync(root, copy, { recursive: true, verbatimSymlinks: true });
    expect(await compile(copy, () => compiles++)).toBe(join(copy, 'dist'));
    expect(compiles).toBe(0);
    expect(await run(join(copy, 'dist'), 'Lan')).toBe('Xin chào Lan trang 1');
    writeFileSync(join(root, 'src', 'old.ts'), 'export const x = 1;\n');
    await compile(root);
    expect(existsSync(join(dist, 'old.js'))).toBe(true);
    unlinkSync(join(root, 'src', 'old.ts'));
    await compile(root);
    expect(existsSync(join(dist, 'old.js'))).toBe(false);
  });

  it('is made by one of several processes starting at once, and all of them use it', async () => {
    const root = checkout();
    await compile(root);
    writeFileSync(join(root, 'src', 'greet.ts'), "export const greet = (n: string): string => `Chào ${n}`;\n");
    const script = `import { compiledDist } from ${JSON.stringify(pathToFileURL(join(REPO, 'bin', 'compiled.js')).href)};
const d = await compiledDist(${JSON.stringify(root)});
const { out } = await import(d + '/main.js');
console.log(out('Minh'));`;
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root })),
    );
    for (const r of runs) expect(r.stdout.trim()).toBe('Chào Minh trang 1');
    // No temporary folder is left behind.
    const left = readdirSync(root).filter((n) => n.startsWith('.dist-'));
    expect(left).toEqual([]);
  });

  it('is null without esbuild, so loa runs the sources through tsx', async () => {
    const root = checkout(false);
    expect(await compile(root)).toBeNull();
    expect(existsSync(join(root, 'dist'))).toBe(false);
  });

  it.skipIf(!otherUserCan)('is null in a checkout the user cannot write, found before compiling anything; a copy made there by root is used', async () => {
    const root = checkout();
    chmodSync(root, 0o555); // also locked for the tests' own user when they do not run as root
    const r = await copyAsUser(root);
    expect(r).toMatchObject({ dist: null, reason: 'read-only', compiling: false });
    expect(existsSync(join(root, 'dist'))).toBe(false);
    // Made by someone who can write there (root, the image's build): used as is.
    chmodSync(root, 0o755);
    await compile(root);
    chmodSync(root, 0o555);
    expect(await copyAsUser(root)).toMatchObject({ dist: join(root, 'dist'), compiling: false });
    // Then a source changes (a `git pull` by root): stale, and not made: the sources through tsx.
    chmodSync(root, 0o755);
    writeFileSync(join(root, 'src', 'greet.ts'), "export const greet = (n: string): string => `Chào ${n}`;\n");
    chmodSync(root, 0o555);
    expect(await copyAsUser(root)).toMatchObject({ dist: null, reason: 'read-only', compiling: false });
  });

  it.skipIf(!otherUserCan)('in a checkout the service user cannot write: loa runs through tsx, prints nothing about it, and loa doctor warns with the fix', async () => {
    const root = mkdtempSync(join(tmpdir(), 'loa-compiled-ro-'));
    dirs.push(root);
    for (const f of ['src', 'bin', 'package.json', 'tsconfig.json']) cpSync(join(REPO, f), join(root, f), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    const data = mkdtempSync(join(tmpdir(), 'loa-compiled-ro-data-'));
    dirs.push(data);
    writableByUser(data);
    chmodSync(root, 0o555);
    const asRoot = process.getuid?.() === 0;
    const env = { PATH: process.env.PATH, HOME: data, LOA_DATA_DIR: data, LOA_CONTENT_DIR: join(REPO, 'content'), LOA_BOT: join(REPO, 'bots', 'default.yaml'), LOA_LOG_LEVEL: 'warn' };
    const loa = (args: string[]) =>
      promisify(execFile)(process.execPath, [join(root, 'bin', 'loa.js'), ...args], { cwd: data, env, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) }).catch((err: { stdout: string; stderr: string; code: number }) => err);
    const help = await loa(['--help']);
    expect(help.stdout).toContain('cách dùng: loa');
    expect(help.stderr).toBe('');
    const doctor = await loa(['doctor']);
    const lines = doctor.stdout.split('\n');
    const i = lines.findIndex((l) => l.startsWith('! Bản biên dịch:'));
    expect(i, doctor.stdout + doctor.stderr).toBeGreaterThanOrEqual(0);
    expect(lines[i]).toContain(`không ghi được vào ${root}`);
    expect(lines[i + 1]).toContain(`chown -R loa:loa ${root}`);
    expect(existsSync(join(root, 'dist'))).toBe(false);
  }, 60_000);

  it.skipIf(!otherUserCan)('leaves no esbuild process behind after compiling', async () => {
    const root = checkout();
    writableByUser(root);
    const r = await copyAsUser(root);
    expect(r).toMatchObject({ dist: join(root, 'dist'), compiling: true, esbuildLeft: false });
  });

  it.skipIf(!otherUserCan)('removes the temporary folders of killed compiles, and is not stopped by one it cannot remove', async () => {
    const root = checkout();
    writableByUser(root);
    // A compile killed midway a minute ago (its process is gone), one of a live process, and one
    // left by root whose inside the user cannot empty.
    const dead = join(root, '.dist-999999999-abc');
    mkdirSync(join(dead, 'views'), { recursive: true });
    writeFileSync(join(dead, 'main.js'), 'half');
    writableByUser(dead, true);
    const live = join(root, `.dist-${process.pid}-abc`);
    mkdirSync(live);
    const stuck = join(root, '.dist-999999998-abc');
    mkdirSync(join(stuck, 'locked'), { recursive: true });
    writeFileSync(join(stuck, 'locked', 'x.js'), 'x');
    chmodSync(join(stuck, 'locked'), 0o555);
    const r = await copyAsUser(root);
    expect(r).toMatchObject({ dist: join(root, 'dist'), compiling: true });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(join(stuck, 'locked', 'x.js'))).toBe(true);
  });

  it('turns source maps on in worker threads: their errors name src/*.ts lines', async () => {
    const root = checkout();
    cpSync(join(REPO, 'src', 'worker-thread.ts'), join(root, 'src', 'worker-thread.ts'));
    writeFileSync(join(root, 'src', 'boom-worker.ts'), ['// line 1', 'const n: number = 2;', 'throw new Error(`boom ${n}`);', ''].join('\n'));
    writeFileSync(
      join(root, 'src', 'boom.ts'),
      [
        "import { startModuleWorker } from './worker-thread.js';",
        'export const stack = (): Promise<string> =>',
        "  new Promise((ok) => startModuleWorker(import.meta.url, './boom-worker', {}).once('error', (e: Error) => ok(String(e.stack))));",
      ].join('\n'),
    );
    const dist = (await compile(root))!;
    // As bin/loa.js runs it (a file: `--input-type=module` would reach the worker's eval too).
    const script = join(root, 'run.mjs');
    writeFileSync(script, `process.setSourceMapsEnabled(true); const { stack } = await import(${JSON.stringify(pathToFileURL(join(dist, 'boom.js')).href)}); console.log(await stack());`);
    const { stdout } = await promisify(execFile)(process.execPath, [script]);
    expect(stdout).toContain('boom 2');
    expect(stdout).toMatch(/src\/boom-worker\.ts:3/);
  });

  it('runs the real service: loa start answers from the copy of this checkout', async () => {
    const data = mkdtempSync(join(tmpdir(), 'loa-compiled-data-'));
    dirs.push(data);
    const child = spawn(process.execPath, [join(REPO, 'bin', 'loa.js'), 'start'], {
      env: { ...process.env, LOA_HTTP_PORT: '0', LOA_HTTP_HOST: '127.0.0.1', LOA_DATA_DIR: data, LOA_LOG_LEVEL: 'warn', LOA_COMPILE: undefined, NODE_OPTIONS: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const url = await new Promise<string>((ok, fail) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /web chat (http:\/\/\S+?)\//.exec(out);
          if (m) ok(m[1]!);
        });
        child.once('exit', (code) => fail(new Error(`loa start exited (${code})`)));
      });
      const res = await fetch(new URL('/api/chat', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session: 'compiled-copy-1', text: 'bhyt tre em duoi 6 tuoi' }),
      });
      const body = (await res.json()) as { replies: { text: string }[] };
      expect(res.status).toBe(200);
      expect(body.replies[0]!.text).toMatch(/bảo hiểm y tế|BHYT/i);
      // The copy matches the sources now (made or found by this start): nothing left to compile.
      let compiles = 0;
      expect(await compile(REPO, () => compiles++)).toBe(join(REPO, 'dist'));
      expect(compiles).toBe(0);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 120_000);
});
